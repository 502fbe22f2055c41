"""Graph data → DOT text (phase two). Pure string building, deterministic.

Every user string goes through :func:`~modeler.diagram.escape.escape` into an HTML-like
label or a cell ``TITLE``; quoted attributes only carry generated values (:func:`quoted`).

A table is a ``plaintext`` node whose label is a table: a header cell, then one row per
shown column with three cells (markers, name, type). The first cell of a row has the port
``<port>_w`` and the last ``<port>_e``, so an edge can leave a row on either side
(Graphviz attaches a port edge to the side of the cell facing outside the node). SVG ids:
the node ``table-<uid>``, the header cell ``table-<uid>__header``, a row's name cell
``column-<uid>``, the edge ``rel-<uid>`` and its label ``rel-<uid>__label``, a cluster
``cluster_<hex>``. Graphviz prefixes cell ids with ``a_`` in the SVG. Only those cells carry
an id and a tooltip (``TITLE``): each costs an anchor group in the SVG, so the markers and
type cells of a row have neither (the row's tooltip is on its name).
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from modeler.diagram.engine import EngineSettings
from modeler.diagram.escape import escape, quoted, svg_id
from modeler.diagram.graph import Box, Cluster, Edge, Graph, Node, Port, RowStyle
from modeler.diagram.styles import (
    BADGE_GAP,
    BADGE_HEIGHT,
    BADGE_POINT_SIZE,
    FONT,
    badge_colour,
    badge_width,
)
from modeler.schema.model import Position
from modeler.wording import counted

COMMENT_MARK = "\u270e"  # ✎ followed by the number of review comments
ROW_PAD = 3
# Node attributes every table shares; with a node's statement they fix its size.
NODE_DEFAULTS = f'node [shape=plaintext, fontname="{FONT}", fontsize="10", margin="0"];'


def num(value: float) -> str:
    """A coordinate with at most two decimals and no trailing zeros (stable text)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def to_dot(graph: Graph, settings: EngineSettings, *,
           positions: Mapping[str, Position] | None = None,
           cluster_boxes: Mapping[str, Box] | None = None,
           label_positions: Mapping[str, Position] | None = None) -> str:
    """DOT source of ``graph`` for ``settings``.

    With pinned settings every node needs a position (node id → centre, in points) and
    cluster boxes should be given (``neato -n2`` does not compute them). With
    ``label_positions`` (edge id → centre; pinned straight-line renders, see
    :func:`~modeler.diagram.engine.local_edges`) a labelled edge's name is a plaintext node
    pinned there (:func:`label_statement`) instead of a Graphviz edge label.
    """
    positions = positions or {}
    pinned = settings.pinned
    if pinned and (missing := [n.id for n in graph.nodes if n.id not in positions]):
        raise ValueError(f"pinned render without positions for {counted(len(missing), 'node')}")
    lines = head_lines(graph, settings)
    for cluster in graph.clusters:
        box = (cluster_boxes or {}).get(cluster.id)
        lines += _cluster(cluster, box if pinned else None)
    for node in graph.nodes:
        pos = positions.get(node.id) if pinned else None
        lines.append(f"  {node_statement(node, pos)}")
    labels = label_positions if pinned else None
    for edge in graph.edges:
        sides = _sides(edge, graph, positions if pinned else None)
        lines.append(f"  {edge_statement(edge, sides, labels is None)}")
    if labels:
        lines += [f"  {label_statement(e, labels[e.id])}" for e in graph.edges if e.id in labels]
    lines.append("}")
    return "\n".join(lines) + "\n"


def head_lines(graph: Graph, settings: EngineSettings) -> list[str]:
    """The opening of the DOT source: comment, graph, node and edge defaults."""
    pinned = settings.pinned
    lines = [f"// engine: {' '.join(settings.command)}", "digraph ER {"]
    attrs = [("id", "er-diagram"), ("fontname", FONT), ("fontsize", "10"),
             ("bgcolor", "white"), ("pad", "0.2"), ("outputorder", "edgesfirst"),
             ("nodesep", "0.35"), ("ranksep", "0.9"), ("charset", "UTF-8")]
    if not pinned:
        attrs.append(("rankdir", "RL" if graph.direction == "LR" else "BT"))
        if settings.program == "dot":
            attrs.append(("newrank", "true"))
    attrs += list(settings.graph_attrs)
    lines.append("  graph [" + ", ".join(f"{k}={quoted(v)}" for k, v in attrs) + "];")
    lines.append(f"  {NODE_DEFAULTS}")
    lines.append(f'  edge [fontname="{FONT}", fontsize="8", dir="both", arrowsize="1.3"];')
    return lines


def cluster_lines(cluster: Cluster, box: Box | None) -> list[str]:
    """The statements of one cluster (pinned: with its box)."""
    return _cluster(cluster, box)


def has_label(edge: Edge) -> bool:
    """Whether the edge shows a text (its name, or a comment marker)."""
    return bool(edge.label or edge.comments)


def label_statement(edge: Edge, pos: Position) -> str:
    """A relationship's name as a plaintext node pinned at ``pos``; SVG id
    ``rel-<uid>__name`` (its text cell keeps the edge label's ``rel-<uid>__label``)."""
    return (f"{edge.id}_l [id={quoted(svg_id('rel', edge.relationship_uid, 'name'))}, "
            f'fontsize="8", label=<{_edge_label(edge)}>, '
            f"pos={quoted(f'{num(pos.x)},{num(pos.y)}!')}];")


def _cluster(cluster: Cluster, box: Box | None) -> list[str]:
    label = escape(cluster.label, multiline=False)
    attrs = [f"id={quoted(cluster.id)}", f"label=<<B>{label}</B>>",
             'style="rounded,filled"', 'fillcolor="#f4f6f9"', 'color="#b0bec5"',
             'fontsize="12"']
    if box is not None:
        attrs.append(f"bb={quoted(','.join(num(v) for v in (box.x0, box.y0, box.x1, box.y1)))}")
        attrs.append(f"lp={quoted(f'{num((box.x0 + box.x1) / 2)},{num(box.y1 - 10)}')}")
    body = "; ".join(cluster.node_ids)
    return [f"  subgraph {cluster.id} {{ " + "; ".join(attrs) + "; " + body + "; }"]


def node_statement(node: Node, pos: Position | None = None) -> str:
    """The DOT statement of a table node, pinned at ``pos`` when given (without ``pos`` it
    decides, with :data:`NODE_DEFAULTS`, the node's size)."""
    attrs = [f"id={quoted(svg_id('table', node.table_uid))}", f"label=<{node_label(node)}>"]
    if pos is not None:
        attrs.append(f"pos={quoted(f'{num(pos.x)},{num(pos.y)}!')}")
    return f"{node.id} [" + ", ".join(attrs) + "];"


def _cell(content: str, *, cell_id: str | None = None, title: str | None = None,
          port: str | None = None, fill: str = "", align: str = "LEFT",
          colspan: int = 1, rounded: bool = False,
          size: tuple[int, int] | None = None) -> str:
    attrs = [f'ALIGN="{align}"']
    if rounded:
        attrs.append('STYLE="rounded"')
    if size is not None:
        attrs.append(f'WIDTH="{size[0]}" HEIGHT="{size[1]}" FIXEDSIZE="TRUE"')
    if colspan > 1:
        attrs.append(f'COLSPAN="{colspan}"')
    if port:
        attrs.append(f'PORT="{port}"')
    if fill:
        attrs.append(f'BGCOLOR="{fill}"')
    if cell_id:
        # Graphviz 2.43 writes a cell's ID into the SVG only for anchors: TARGET makes one
        # without a link (no href), and TITLE replaces the default tooltip (the label text).
        attrs += [f'ID="{cell_id}"', f'TITLE="{escape(title or "")}"', 'TARGET="_self"']
    return f"<TD {' '.join(attrs)}>{content}</TD>"


def node_label(node: Node) -> str:
    """The HTML-like label (without the outer ``<``/``>``) of a table node.

    Memoised (a pure function of the frozen node): every render writes each label two or
    three times (size cache key, manifest, DOT), and most tables are the same as last time.
    The same node object (the graph builder reuses them) is found by identity first, which
    spares hashing the whole node.
    """
    hit = _LABELS.get(id(node))
    if hit is not None and hit[0] is node:
        return hit[1]
    label = _node_label(node)
    if len(_LABELS) >= _LABELS_SIZE:
        _LABELS.clear()
    _LABELS[id(node)] = (node, label)
    return label


_LABELS: dict[int, tuple[Node, str]] = {}
_LABELS_SIZE = 20_000


@lru_cache(maxsize=4096)
def _node_label(node: Node) -> str:
    s = node.style
    rows = [_header(node)]
    rows += [_row(p) for p in node.ports]
    if node.hidden_columns:
        more = f"\u2026 {node.hidden_columns} more column" + (
            "s" if node.hidden_columns > 1 else "")
        font = f'<FONT POINT-SIZE="8" COLOR="#777777">{more}</FONT>'
        rows.append(f"<TR>{_cell(font, colspan=3)}</TR>")
    return (f'<TABLE BORDER="{s.border_width}" CELLBORDER="0" CELLSPACING="0" '
            f'CELLPADDING="{ROW_PAD}" COLOR="{s.border}" BGCOLOR="{s.fill}">'
            + "".join(f"\n    {r}" for r in rows) + "</TABLE>")


def _header(node: Node) -> str:
    s = node.style
    text = f"<B>{escape(node.name, multiline=False)}</B>"
    if node.namespace:
        text = f'<FONT POINT-SIZE="8">{escape(node.namespace, multiline=False)}.</FONT>' + text
    extras = ""
    if node.comments:
        extras += f" {COMMENT_MARK}{node.comments}"
    content = f'<FONT COLOR="{s.header_font}">{text}{escape(extras)}</FONT>'
    if node.badge is not None:
        # The name between the badge and an empty cell as wide, so that it stays in the
        # middle of the header (Graphviz shares a wider header's extra width equally among
        # the five columns): where it is without a badge.
        width = badge_width(_badge_words(node))
        gap = f'<TD WIDTH="{BADGE_GAP}"></TD>'
        content = (f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="0"><TR>'
                   f'<TD WIDTH="{width}"></TD>{gap}<TD>{content}</TD>{gap}'
                   f"{_badge(node, width)}</TR></TABLE>")
    title = ".".join(p for p in (node.namespace, node.name) if p)
    notes = [node.comment] if node.comment else []
    if node.badge:
        notes.append(f"worst finding: {node.badge}")
    if node.status:
        notes.append(f"review: {node.status}")
    if node.comments:
        notes.append(counted(node.comments, "comment"))
    if notes:
        title += "\n" + "\n".join(notes)
    return "<TR>" + _cell(content, cell_id=svg_id("table", node.table_uid, "header"),
                          title=title, fill=s.header_fill, align="CENTER", colspan=3) + "</TR>"


def badge_text(node: Node) -> str:
    """The words of a table's finding badge: "3 · BLOCK" (count and worst level), or the
    level alone when the count is not known."""
    level = (node.badge or "").upper()
    return f"{node.badge_count} \u00b7 {level}" if node.badge_count else level


def _badge_words(node: Node) -> str:
    """The badge's text as drawn: :func:`badge_text` with a space either side (the pill's
    padding in Graphviz's own drawings; an SVG viewer drops them and the text is centred,
    see :mod:`modeler.diagram.svg`)."""
    return f" {badge_text(node)} "


def _badge(node: Node, width: int) -> str:
    """The badge cell: an anchor ``table-<uid>__badge`` (the editor opens the findings on
    a click), its tooltip saying what it counts; a pill of a fixed size (``width`` from
    :func:`~modeler.diagram.styles.badge_width`), so that it holds its text whichever font
    draws it, and no wider header stretches it."""
    assert node.badge is not None
    count = node.badge_count
    title = (f"{count} finding{'s' if count != 1 else ''}, the worst {node.badge}"
             if count else f"worst finding: {node.badge}") + " (click to list them)"
    return _cell(f'<FONT COLOR="#ffffff" POINT-SIZE="{BADGE_POINT_SIZE}">'
                 f"<B>{_badge_words(node)}</B></FONT>",
                 cell_id=svg_id("table", node.table_uid, "badge"), title=title,
                 fill=badge_colour(node.badge), align="CENTER", rounded=True,
                 size=(width, BADGE_HEIGHT))


def _styled(text: str, colour: str, style: RowStyle, size: int | None = None) -> str:
    body = f"<B>{text}</B>" if style.bold else text
    body = f"<S>{body}</S>" if style.strike else body
    size_attr = f' POINT-SIZE="{size}"' if size else ""
    return f'<FONT COLOR="{colour}"{size_attr}>{body}</FONT>'


def _row(port: Port) -> str:
    s = port.style
    name = escape(port.name, multiline=False)
    if port.comments:
        name += f" {COMMENT_MARK}{port.comments}"
    title = f"{port.name} {port.type}"
    if port.markers:
        title += f" ({' '.join(port.markers)})"
    if port.comment:
        title += "\n" + port.comment
    if port.status:
        title += f"\nreview: {port.status}"
    marker_colour = "#8a6d00" if "PK" in port.markers else "#777777"
    type_colour = s.font_colour if port.status else "#666666"
    markers = " ".join(port.markers) or " "
    return "<TR>" + "".join((
        _cell(_styled(markers, marker_colour, s, 7), port=f"{port.id}_w", fill=s.fill),
        _cell(_styled(name, s.font_colour, s), cell_id=svg_id("column", port.column_uid),
              title=title, fill=s.fill),
        _cell(_styled(escape(port.type, multiline=False), type_colour, s),
              port=f"{port.id}_e", fill=s.fill),
    )) + "</TR>"


def _sides(edge: Edge, graph: Graph,
           positions: Mapping[str, Position] | None) -> tuple[str, str]:
    """Which side (``w``/``e``) the edge leaves the child row and enters the parent row.

    Pinned: the sides facing each other. Fresh: by the rank direction (parents are laid out
    left of / above their children). A self-reference loops on the east side.
    """
    if edge.child == edge.parent:
        return "e", "e"
    if positions is not None:
        child, parent = positions[edge.child], positions[edge.parent]
        return ("w", "e") if parent.x <= child.x else ("e", "w")
    return ("w", "e") if graph.direction == "LR" else ("w", "w")


def edge_sides(edge: Edge, graph: Graph,
               positions: Mapping[str, Position] | None) -> tuple[str, str]:
    """Public name of :func:`_sides`."""
    return _sides(edge, graph, positions)


def edge_statement(edge: Edge, sides: tuple[str, str], with_label: bool = True) -> str:
    """The DOT statement of an edge (its label left out when ``with_label`` is false)."""
    return _edge(edge, sides, with_label)


def _edge(edge: Edge, sides: tuple[str, str], with_label: bool = True) -> str:
    def end(node: str, port: str | None, side: str) -> str:
        return f"{node}:{port}_{side}:{side}" if port else node

    st = edge.style
    attrs = [f"id={quoted(svg_id('rel', edge.relationship_uid))}",
             f"arrowtail={st.child_end}", f"arrowhead={st.parent_end}",
             f"color={quoted(st.colour)}"]
    if st.line != "solid":
        attrs.append(f"style={st.line}")
    if st.width != 1:
        attrs.append(f"penwidth={st.width}")
    if with_label and has_label(edge):
        attrs.append(f"label=<{_edge_label(edge)}>")
    if not edge.label and (edge.name or edge.comment):
        # the name is not drawn: it is the edge's tooltip (an SVG <title> on hover)
        attrs.append(f'tooltip="{escape(edge_tooltip(edge))}"')
    return (f"{end(edge.child, edge.child_port, sides[0])} -> "
            f"{end(edge.parent, edge.parent_port, sides[1])} [" + ", ".join(attrs) + "];")


def edge_tooltip(edge: Edge) -> str:
    """The hover text of an edge whose name is not drawn: its name, then its comment."""
    return "\n".join(p for p in (edge.name, edge.comment) if p)


def _edge_label(edge: Edge) -> str:
    text = edge.label + (f" {COMMENT_MARK}{edge.comments}" if edge.comments else "")
    title = edge.label + (f"\n{edge.comment}" if edge.comment else "")
    cell = _cell(f'<FONT COLOR="{edge.style.colour}">{escape(text, multiline=False)}</FONT>',
                 cell_id=svg_id("rel", edge.relationship_uid, "label"), title=title or " ")
    return (f'<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="0" CELLPADDING="1">'
            f"<TR>{cell}</TR></TABLE>")
