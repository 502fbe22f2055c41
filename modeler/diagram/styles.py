"""Colours and crow's-foot notation: pure functions from model facts to styles."""

from __future__ import annotations

from modeler.diagram.escape import safe_colour
from modeler.diagram.graph import EdgeStyle, NodeStyle, RowStyle
from modeler.diagram.options import Badge, Status
from modeler.schema.model import Relationship, Table

FONT = "Helvetica"
HIGHLIGHT = "#f9a825"
HIGHLIGHT_FILL = "#fff59d"

KIND_COLOURS: dict[str, str] = {
    "entity": "#3b6ea5",
    "junction": "#5f6b7a",
    "lookup": "#3f7f4f",
    "append_only": "#7a5c2e",
}

# status → (strong colour for borders/edges, light fill for rows and headers)
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    "added": ("#2e7d32", "#e3f4e4"),
    "removed": ("#c62828", "#fbe4e4"),
    "changed": ("#ef6c00", "#fff0dc"),
    "renamed": ("#1565c0", "#e1ecfa"),
}

BADGE_COLOURS: dict[str, str] = {
    "block": "#c62828",
    "justify": "#ef6c00",
    "advise": "#1565c0",
}
BADGE_TEXT: dict[str, str] = {"block": "!", "justify": "?", "advise": "i"}

# ON DELETE → (colour, line style)
ON_DELETE_STYLES: dict[str, tuple[str, str]] = {
    "CASCADE": ("#c62828", "solid"),
    "SET NULL": ("#ef6c00", "dashed"),
    "SET DEFAULT": ("#8d6e63", "dashed"),
    "RESTRICT": ("#616161", "solid"),
    "NO ACTION": ("#616161", "solid"),
    "UNSPECIFIED": ("#7b1fa2", "dotted"),
}


def node_style(table: Table, status: Status | None, highlighted: bool) -> NodeStyle:
    """Header colour from the table's own colour (when valid) or its kind; border from the
    review status, thick and yellow when highlighted."""
    header = safe_colour(table.color) or KIND_COLOURS.get(table.kind, KIND_COLOURS["entity"])
    border, width, fill = header, 1, "#ffffff"
    if status is not None:
        border, fill = STATUS_COLOURS[status]
        width = 2
    if highlighted:
        border, width = HIGHLIGHT, 3
    return NodeStyle(header_fill=header, header_font="#ffffff", border=border,
                     border_width=width, fill=fill)


def row_style(in_pk: bool, status: Status | None, highlighted: bool) -> RowStyle:
    """A row is bold when it is in the primary key, tinted by status or highlight."""
    fill, font = "", "#222222"
    if status is not None:
        font, fill = STATUS_COLOURS[status]
    if highlighted:
        fill = HIGHLIGHT_FILL
    return RowStyle(fill=fill, font_colour=font, bold=in_pk, strike=status == "removed")


def crows_foot(rel: Relationship) -> tuple[str, str]:
    """(child end, parent end) arrow names for a relationship.

    The parent end says how many parents a child row has: exactly one (``teetee``) when the
    FK is mandatory, zero or one (``teeodot``) when optional. The child end says how many
    children a parent row has: zero or many (``crowodot``), zero or one (``teeodot``) for a
    one-to-one. A FK cannot force a parent to have children, so ``crowtee`` (one or many) is
    never derived. Many-to-many ends are crows on both sides.
    """
    parent_end = "teeodot" if rel.optional else "teetee"
    if rel.cardinality == "one-to-one":
        return "teeodot", parent_end
    if rel.cardinality == "many-to-many":
        return "crowodot", "crowodot" if rel.optional else "crowtee"
    return "crowodot", parent_end


def edge_style(rel: Relationship, status: Status | None, highlighted: bool) -> EdgeStyle:
    """Crow's-foot ends; colour and line by ON DELETE; status and highlight win on colour."""
    child_end, parent_end = crows_foot(rel)
    colour, line = ON_DELETE_STYLES.get(rel.on_delete, ON_DELETE_STYLES["UNSPECIFIED"])
    width = 1
    if status is not None:
        colour, width = STATUS_COLOURS[status][0], 2
    if highlighted:
        colour, width = HIGHLIGHT, 3
    return EdgeStyle(child_end=child_end, parent_end=parent_end, colour=colour,
                     line="dashed" if line == "dashed" else "dotted" if line == "dotted"
                     else "solid", width=width)


def badge_colour(badge: Badge) -> str:
    """Background of a finding badge."""
    return BADGE_COLOURS[badge]
