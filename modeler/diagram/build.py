"""Schema + view options → :class:`~modeler.diagram.graph.Graph` (phase one, no DOT)."""

from __future__ import annotations

from collections.abc import Iterable

from modeler.cache import LockedLRU
from modeler.diagram import styles
from modeler.diagram.escape import cluster_id, node_id, port_id, uid_hex
from modeler.diagram.graph import Cluster, Edge, Graph, Marker, Node, Port
from modeler.diagram.options import ViewOptions
from modeler.schema.model import Column, Relationship, Schema, Table

# Relationship names on edges by default only up to this many tables: every label is a
# virtual node for dot, which roughly doubles layout time on large designs.
EDGE_LABEL_LIMIT = 150


def build_graph(schema: Schema, options: ViewOptions | None = None) -> Graph:
    """The graph data of one view of ``schema``; the graphs of the last few views are
    kept (a drawing asks for its graph more than once: sizes, then the plan)."""
    options = options or ViewOptions()
    for seen, asked, graph in list(_LAST):
        if seen is schema and (asked is options or asked == options):
            return graph
    graph = _build_graph(schema, options)
    _LAST.append((schema, options, graph))
    del _LAST[:-_LAST_SIZE]
    return graph


# (schema, options, graph) of the last views built: a snapshot and its options are
# immutable values, so the graph is the same (an entry keeps its snapshot alive)
_LAST: list[tuple[Schema, ViewOptions, Graph]] = []
_LAST_SIZE = 4


def _build_graph(schema: Schema, options: ViewOptions) -> Graph:
    tables = select_tables(schema, options)
    shown = {t.uid for t in tables}
    clusters = _clusters(tables)
    member = {n: c.id for c in clusters for n in c.node_ids}
    # colours of every area of the design (a filtered or focused view keeps them)
    areas = styles.area_colours(t.subject_area for t in schema.tables if t.subject_area)
    nodes = tuple(_node_memo(schema, t, options, member.get(node_id(t.uid)),
                             areas.get(t.subject_area)) for t in tables)
    by_table = {n.table_uid: n for n in nodes}
    labels = (options.edge_labels if options.edge_labels is not None
              else len(tables) <= EDGE_LABEL_LIMIT)
    rels = sorted((r for r in schema.relationships
                   if r.child_table in shown and r.parent_table in shown),
                  key=lambda r: (r.name, r.uid))
    plain = not (options.status or options.comments or options.highlight)
    edges = tuple(_edge_memo(r, by_table[r.child_table], by_table[r.parent_table], options,
                             labels) if plain else
                  _edge(r, by_table[r.child_table], by_table[r.parent_table], options, labels)
                  for r in rels)
    return Graph(nodes=nodes, edges=edges, clusters=clusters, direction=options.direction,
                 detail=options.detail)


def select_tables(schema: Schema, options: ViewOptions) -> tuple[Table, ...]:
    """The tables a view shows, in canonical order (namespace, name, uid)."""
    tables = [t for t in schema.tables
              if not options.subject_areas or t.subject_area in options.subject_areas]
    if options.focus is not None:
        allowed = {t.uid for t in tables}
        if options.focus not in allowed:
            raise ValueError(f"focus table {options.focus!r} is not in this view")
        near = neighbourhood(schema, options.focus, options.depth, allowed)
        tables = [t for t in tables if t.uid in near]
    return tuple(sorted(tables, key=lambda t: (t.namespace, t.name, t.uid)))


def neighbourhood(schema: Schema, start: str, depth: int,
                  allowed: set[str] | None = None) -> set[str]:
    """Table uids at most ``depth`` relationship hops from ``start`` (both directions)."""
    seen = {start}
    frontier = [start]
    for _ in range(depth):
        nxt: list[str] = []
        for uid in frontier:
            rels = schema.relationships_of(uid) + schema.references_to(uid)
            for r in rels:
                for other in (r.child_table, r.parent_table):
                    if other not in seen and (allowed is None or other in allowed):
                        seen.add(other)
                        nxt.append(other)
        frontier = nxt
    return seen


def column_markers(schema: Schema, table: Table) -> dict[str, tuple[Marker, ...]]:
    """PK / FK / UQ / NN markers of every column of ``table`` (NN only outside the PK)."""
    fk = {c for r in schema.relationships_of(table.uid) for c in r.child_columns}
    uq = {c for u in table.uniques for c in u.columns}
    uq |= {p.column for i in table.indexes if i.unique for p in i.parts if p.column}
    out: dict[str, tuple[Marker, ...]] = {}
    for c in table.columns:
        marks: list[Marker] = []
        if c.in_pk:
            marks.append("PK")
        if c.uid in fk:
            marks.append("FK")
        if c.uid in uq:
            marks.append("UQ")
        if not c.nullable and not c.in_pk:
            marks.append("NN")
        out[c.uid] = tuple(marks)
    return out


def _shown_columns(table: Table, markers: dict[str, tuple[Marker, ...]],
                   options: ViewOptions) -> list[Column]:
    if options.detail == "names":
        return []
    if options.detail == "keys":
        keys = {"PK", "FK", "UQ"}
        return [c for c in table.columns if keys.intersection(markers[c.uid])]
    return list(table.columns)


# Nodes of tables drawn before, by the table object itself (snapshots share the objects of
# unchanged tables: an edit rebuilds one node, not a thousand). An entry holds the objects
# it was made from and is used only when they are the very same objects again.
_MEMO: LockedLRU[tuple[object, ...], tuple[Table, object, object, Node]] = LockedLRU(20_000)


def _node_memo(schema: Schema, table: Table, options: ViewOptions,
               cluster: str | None, area: str | None = None) -> Node:
    """:func:`_node`, memoised for the editor's views (no review status, comment or
    highlight marks, which are per column)."""
    if options.status or options.comments or options.highlight:
        return _node(schema, table, options, cluster, area)
    fk = frozenset(c for r in schema.relationships_of(table.uid) for c in r.child_columns)
    key = (id(table), options.detail, options.badges.get(table.uid),
           options.badge_counts.get(table.uid, 0), cluster, fk,
           id(schema.enums), id(schema.domains), area)
    hit = _MEMO.get(key, lambda hit: (hit[0] is table and hit[1] is schema.enums
                                       and hit[2] is schema.domains))
    if hit is not None:
        return hit[3]
    node = _node(schema, table, options, cluster, area)
    _MEMO.put(key, (table, schema.enums, schema.domains, node))
    return node


def _node(schema: Schema, table: Table, options: ViewOptions, cluster: str | None,
          area: str | None = None) -> Node:
    markers = column_markers(schema, table)
    columns = _shown_columns(table, markers, options)
    ports = tuple(_port(schema, c, markers[c.uid], options) for c in columns)
    status = options.status.get(table.uid)
    highlighted = table.uid in options.highlight
    return Node(
        id=node_id(table.uid), table_uid=table.uid, name=table.name,
        namespace="" if table.namespace == "public" else table.namespace,
        comment=table.comment, ports=ports,
        hidden_columns=0 if options.detail == "names" else len(table.columns) - len(ports),
        style=styles.node_style(table, status, highlighted, area),
        badge=options.badges.get(table.uid),
        badge_count=options.badge_counts.get(table.uid, 0) if table.uid in options.badges else 0,
        status=status, highlighted=highlighted, comments=options.comments.get(table.uid, 0),
        position=table.position, cluster=cluster)


def _port(schema: Schema, column: Column, markers: tuple[Marker, ...],
          options: ViewOptions) -> Port:
    status = options.status.get(column.uid)
    highlighted = column.uid in options.highlight
    return Port(
        id=port_id(column.uid), column_uid=column.uid, name=column.name,
        type=column.type.short(schema), markers=markers, comment=column.comment,
        style=styles.row_style(column.in_pk, status, highlighted), status=status,
        highlighted=highlighted, comments=options.comments.get(column.uid, 0))


# Edges of relationships drawn before, by the relationship and node objects (as _MEMO):
# an edge of the editor's views (no status, comment or highlight marks) depends on those
# and on whether it shows its name.
_EDGES: dict[tuple[int, int, int, bool], tuple[Relationship, Node, Node, Edge]] = {}
_EDGES_SIZE = 20_000


def _edge_memo(rel: Relationship, child: Node, parent: Node, options: ViewOptions,
               labels: bool) -> Edge:
    key = (id(rel), id(child), id(parent), labels)
    hit = _EDGES.get(key)
    if hit is not None and hit[0] is rel and hit[1] is child and hit[2] is parent:
        return hit[3]
    edge = _edge(rel, child, parent, options, labels)
    if len(_EDGES) >= _EDGES_SIZE:
        _EDGES.clear()
    _EDGES[key] = (rel, child, parent, edge)
    return edge


def _edge(rel: Relationship, child: Node, parent: Node, options: ViewOptions,
          labels: bool) -> Edge:
    status = options.status.get(rel.uid)
    highlighted = rel.uid in options.highlight
    child_port = child.port_for(rel.child_columns[0]) if rel.child_columns else None
    parent_port = parent.port_for(rel.parent_columns[0]) if rel.parent_columns else None
    return Edge(
        id=f"r_{uid_hex(rel.uid)}", relationship_uid=rel.uid, child=child.id,
        child_port=child_port.id if child_port else None, parent=parent.id,
        parent_port=parent_port.id if parent_port else None,
        label=rel.name if labels else "", comment=rel.comment,
        style=styles.edge_style(rel, status, highlighted), status=status,
        highlighted=highlighted, comments=options.comments.get(rel.uid, 0), name=rel.name)


def _clusters(tables: Iterable[Table]) -> tuple[Cluster, ...]:
    """Subject areas when any shown table has one; else namespaces when there are several."""
    tables = list(tables)
    groups: dict[str, list[str]] = {}
    if any(t.subject_area for t in tables):
        kind = "subject_area"
        for t in tables:
            if t.subject_area:
                groups.setdefault(t.subject_area, []).append(node_id(t.uid))
    else:
        kind = "namespace"
        for t in tables:
            groups.setdefault(t.namespace, []).append(node_id(t.uid))
        if len(groups) < 2:
            return ()
    return tuple(
        Cluster(id=cluster_id(f"{kind}\x1f{label}"), label=label,
                kind="subject_area" if kind == "subject_area" else "namespace",
                node_ids=tuple(ids))
        for label, ids in sorted(groups.items()))
