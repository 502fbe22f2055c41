"""Graph data: what the diagram shows, as frozen values, before any DOT is written.

:func:`modeler.diagram.build.build_graph` makes a :class:`Graph` from a schema and view
options; :mod:`modeler.diagram.dot` serialises it. Tests check the graph data directly.
Texts here are raw user text (escaping happens when DOT is written); ids are safe tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from modeler.diagram.options import Badge, Detail, Direction, Status
from modeler.schema.model import Position

Marker = Literal["PK", "FK", "UQ", "NN"]
ClusterKind = Literal["subject_area", "namespace"]


@dataclass(frozen=True, slots=True)
class Box:
    """An axis-aligned rectangle in points, Graphviz coordinates (y up)."""

    x0: float
    y0: float
    x1: float
    y1: float

    def overlaps(self, other: Box, margin: float = 0.0) -> bool:
        """Whether the two boxes intersect once this one is grown by ``margin``."""
        return not (self.x1 + margin <= other.x0 or other.x1 <= self.x0 - margin
                    or self.y1 + margin <= other.y0 or other.y1 <= self.y0 - margin)


@dataclass(frozen=True, slots=True)
class RowStyle:
    """Colours of one column row."""

    fill: str = ""  # "" = none
    font_colour: str = "#222222"
    bold: bool = False
    strike: bool = False


@dataclass(frozen=True, slots=True)
class NodeStyle:
    """Colours of one table."""

    header_fill: str = "#3b6ea5"
    header_font: str = "#ffffff"
    border: str = "#3b6ea5"
    border_width: int = 1
    fill: str = "#ffffff"


@dataclass(frozen=True, slots=True)
class EdgeStyle:
    """Look of one relationship: crow's-foot ends, colour and line style."""

    child_end: str = "crowodot"  # arrow at the FK (child) side
    parent_end: str = "teetee"  # arrow at the referenced (parent) side
    colour: str = "#616161"
    line: Literal["solid", "dashed", "dotted", "bold"] = "solid"
    width: int = 1


@dataclass(frozen=True, slots=True)
class Port:
    """One column row of a table node."""

    id: str  # DOT port name, c_<hex>
    column_uid: str
    name: str
    type: str
    markers: tuple[Marker, ...]
    comment: str = ""
    style: RowStyle = RowStyle()
    status: Status | None = None
    highlighted: bool = False
    comments: int = 0


@dataclass(frozen=True, slots=True)
class Node:
    """One table."""

    id: str  # DOT node name, t_<hex>
    table_uid: str
    name: str
    namespace: str  # "" when the table is in ``public``
    comment: str
    ports: tuple[Port, ...]
    hidden_columns: int = 0  # columns left out by the detail level
    style: NodeStyle = NodeStyle()
    badge: Badge | None = None
    badge_count: int = 0  # findings behind the badge (0: not known)
    status: Status | None = None
    highlighted: bool = False
    comments: int = 0
    position: Position | None = None
    cluster: str | None = None  # Cluster.id

    def port_for(self, column_uid: str) -> Port | None:
        """The row of ``column_uid``, when shown."""
        for p in self.ports:
            if p.column_uid == column_uid:
                return p
        return None


@dataclass(frozen=True, slots=True)
class Edge:
    """One relationship, from the child's first FK column to the parent's first key column."""

    id: str  # r_<hex>
    relationship_uid: str
    child: str  # Node.id
    child_port: str | None  # Port.id; None when the row is not shown
    parent: str
    parent_port: str | None
    label: str  # "" = no label
    comment: str = ""
    style: EdgeStyle = EdgeStyle()
    status: Status | None = None
    highlighted: bool = False
    comments: int = 0
    name: str = ""  # the relationship's name, shown or not (the tooltip when not drawn)


@dataclass(frozen=True, slots=True)
class Cluster:
    """A box around the tables of one subject area or namespace."""

    id: str  # cluster_<hex>
    label: str
    kind: ClusterKind
    node_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Graph:
    """Everything one diagram shows, in a deterministic order."""

    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    clusters: tuple[Cluster, ...]
    direction: Direction = "LR"
    detail: Detail = "all"

    def node(self, node_id: str) -> Node:
        """The node named ``node_id``."""
        for n in self.nodes:
            if n.id == node_id:
                return n
        raise KeyError(node_id)

    def node_of_table(self, table_uid: str) -> Node | None:
        """The node of ``table_uid``, when shown."""
        for n in self.nodes:
            if n.table_uid == table_uid:
                return n
        return None

    def edge_of(self, relationship_uid: str) -> Edge | None:
        """The edge of ``relationship_uid``, when shown."""
        for e in self.edges:
            if e.relationship_uid == relationship_uid:
                return e
        return None
