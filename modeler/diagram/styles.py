"""Colours and crow's-foot notation: pure functions from model facts to styles."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

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

# Header colours of subject areas (a table without its own colour): dark enough for white
# text, distinct from each other; an area's colour is picked by a digest of its name, so it
# is the same in every view, diagram and session.
AREA_PALETTE: tuple[str, ...] = (
    "#3b6ea5",  # blue
    "#2e7d6b",  # teal
    "#8e3b6e",  # plum
    "#b0552b",  # rust
    "#5b4a9e",  # indigo
    "#4f7a28",  # olive green
    "#9c2f3f",  # crimson
    "#6d5a3f",  # umber
    "#1f6f8b",  # petrol
    "#7a4fa3",  # violet
)

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


def area_colour(area: str) -> str:
    """The header colour of a subject area: stable (a digest of the name), from
    :data:`AREA_PALETTE`."""
    digest = hashlib.blake2b(area.encode("utf-8"), digest_size=4).digest()
    return AREA_PALETTE[int.from_bytes(digest, "big") % len(AREA_PALETTE)]


def area_colours(areas: Iterable[str]) -> dict[str, str]:
    """The colours of a design's subject areas: each its :func:`area_colour`, unless an
    area earlier by name took it, then the next colour of the palette no area has yet
    (while there is one), so that the areas of one design differ."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for area in sorted(set(areas)):
        colour = area_colour(area)
        if colour in taken and len(taken) < len(AREA_PALETTE):
            i = AREA_PALETTE.index(colour)
            while AREA_PALETTE[i] in taken:
                i = (i + 1) % len(AREA_PALETTE)
            colour = AREA_PALETTE[i]
        out[area] = colour
        taken.add(colour)
    return out


def header_colour(table: Table, area: str | None = None) -> str:
    """The table's own colour (when valid), else its subject area's (``area``: the
    design's colour of it, see :func:`area_colours`), else its kind's."""
    if (own := safe_colour(table.color)) is not None:
        return own
    if table.subject_area:
        return area or area_colour(table.subject_area)
    return KIND_COLOURS.get(table.kind, KIND_COLOURS["entity"])


def node_style(table: Table, status: Status | None, highlighted: bool,
               area: str | None = None) -> NodeStyle:
    """Header colour from :func:`header_colour`; border from the review status, thick and
    yellow when highlighted."""
    header = header_colour(table, area)
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


# Finding badges: the pill is a fixed-size cell, so its width must not depend on how the
# server's Graphviz or the viewer's browser measure text (Graphviz with pango measures the
# font fontconfig picks for "Helvetica", the browser draws with whatever it picks; here both
# are DejaVu Sans, elsewhere narrower Helvetica or Arial). The estimate uses DejaVu Sans
# Bold's advance widths (per 1,000 em), wider than Helvetica's and Arial's, each glyph
# rounded up to whole points (pango rounds hinted advances at small sizes).
BADGE_POINT_SIZE = 8
BADGE_HEIGHT = 11  # the header's own text line: a badge does not make the header taller
BADGE_GAP = 4  # between the table name and the pill
_BADGE_GLYPHS: dict[str, int] = {
    " ": 348, "\u00b7": 380, **dict.fromkeys("0123456789", 696),
    "A": 774, "B": 762, "C": 734, "D": 830, "E": 683, "F": 683, "G": 821, "H": 837,
    "I": 372, "J": 372, "K": 775, "L": 637, "M": 995, "N": 837, "O": 850, "P": 733,
    "Q": 850, "R": 770, "S": 720, "T": 682, "U": 812, "V": 774, "W": 1103, "X": 771,
    "Y": 724, "Z": 725,
}
_WIDEST_GLYPH = 1103


def badge_width(text: str, size: int = BADGE_POINT_SIZE) -> int:
    """Points a badge needs for ``text`` in bold at ``size`` (a conservative estimate, see
    :data:`_BADGE_GLYPHS`; any other character counts as the widest)."""
    return sum(-(-_BADGE_GLYPHS.get(ch, _WIDEST_GLYPH) * size // 1000) for ch in text)
