"""Stable layout: fresh layouts, pinned positions, placing new tables, drags, aspect."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from modeler.diagram import (
    DiagramCache,
    MemoryCache,
    ViewOptions,
    build_graph,
    layout,
    moved,
    render_diagram,
    render_dot,
)
from modeler.diagram import render as render_module
from modeler.diagram.escape import node_id
from modeler.diagram.geometry import bounds, fold, node_box, place_new
from modeler.diagram.graph import Box, Cluster, Edge, Graph, Node
from modeler.diagram.layout import SIZES_PREFIX, fresh_positions, measure, size_keys
from modeler.diagram.sample import synthetic_schema
from modeler.schema.builder import SchemaBuilder
from modeler.schema.model import Position, Schema
from tests.diagram.conftest import (
    SHOP_POSITIONS,
    SVG,
    needs_graphviz,
    node_centre,
    node_groups,
    parse_svg,
    shop,
    with_positions,
)


def store(schema: Schema, positions: dict[str, Position]) -> Schema:
    return replace(schema, tables=tuple(
        replace(t, position=positions.get(t.uid, t.position)) for t in schema.tables))


def svg_boxes(root: ET.Element) -> dict[str, Box]:
    out = {}
    for uid, g in node_groups(root).items():
        xs, ys = [], []
        for poly in g.iter(f"{SVG}polygon"):
            for pair in (poly.get("points") or "").split():
                x, y = pair.split(",")
                xs.append(float(x))
                ys.append(float(y))
        out[uid] = Box(min(xs), min(ys), max(xs), max(ys))
    return out


# --- pure geometry ---------------------------------------------------------------------

def chain_graph(n: int) -> Graph:
    nodes = tuple(Node(id=f"t_{i:02d}", table_uid=f"u{i}", name=f"n{i}", namespace="",
                       comment="", ports=()) for i in range(n))
    edges = tuple(Edge(id=f"r_{i}", relationship_uid=f"r{i}", child=f"t_{i:02d}",
                       child_port=None, parent="t_00", parent_port=None, label="")
                  for i in range(1, n))
    return Graph(nodes=nodes, edges=edges, clusters=())


def test_fold_turns_a_tall_strip_into_bands() -> None:
    graph = chain_graph(40)
    sizes = {n.id: (100.0, 60.0) for n in graph.nodes}
    tall = {n.id: Position(0.0 if n.id == "t_00" else 200.0, -i * 80.0)
            for i, n in enumerate(graph.nodes)}
    folded = fold(graph, tall, sizes)
    before = bounds([node_box(tall[i], sizes[i]) for i in tall])
    after = bounds([node_box(folded[i], sizes[i]) for i in folded])
    assert (before.x1 - before.x0) / (before.y1 - before.y0) < 0.2
    assert 0.5 < (after.x1 - after.x0) / (after.y1 - after.y0) < 3
    boxes = [node_box(folded[i], sizes[i]) for i in folded]
    assert not any(a.overlaps(b) for k, a in enumerate(boxes) for b in boxes[k + 1:])
    # Within a band, relative positions are kept.
    assert folded["t_02"].y - folded["t_03"].y == pytest.approx(80.0)


def test_fold_never_cuts_through_a_cluster() -> None:
    graph = replace(chain_graph(40), clusters=(
        Cluster(id="cluster_a", label="a", kind="subject_area",
                node_ids=tuple(f"t_{i:02d}" for i in range(5, 35))),))
    sizes = {n.id: (100.0, 60.0) for n in graph.nodes}
    tall = {n.id: Position(200.0, -i * 80.0) for i, n in enumerate(graph.nodes)}
    folded = fold(graph, tall, sizes)
    members = {folded[f"t_{i:02d}"].x for i in range(5, 35)}
    assert len(members) == 1


def test_place_new_keeps_fixed_and_avoids_overlap() -> None:
    graph = chain_graph(6)
    sizes = {n.id: (120.0, 80.0) for n in graph.nodes}
    fixed = {"t_00": Position(0, 0), "t_01": Position(200, 0), "t_02": Position(200, -100)}
    placed = place_new(graph, fixed, sizes)
    assert {k: placed[k] for k in fixed} == fixed
    boxes = [node_box(p, sizes[k]) for k, p in placed.items()]
    assert not any(a.overlaps(b) for k, a in enumerate(boxes) for b in boxes[k + 1:])
    for new in ("t_03", "t_04", "t_05"):
        assert placed[new].x > 0  # children go right of their parent t_00
    assert place_new(graph, fixed, sizes) == placed  # deterministic


def test_moved_converts_svg_deltas() -> None:
    assert moved(Position(100, 200), 15.5, 20) == Position(115.5, 180)
    assert moved(Position(0, 0), -1 / 3, 0) == Position(-0.33, 0)


# --- with Graphviz ---------------------------------------------------------------------

@needs_graphviz
def test_first_layout_places_every_table_deterministically(schema: Schema) -> None:
    first = layout(schema)
    assert set(first) == {t.uid for t in schema.tables}
    assert layout(schema) == first
    boxes = svg_boxes(parse_svg(render_diagram(store(schema, first))))
    values = list(boxes.values())
    assert not any(a.overlaps(b) for k, a in enumerate(values) for b in values[k + 1:])


@needs_graphviz
def test_pinned_positions_are_honoured(placed: Schema) -> None:
    root = parse_svg(render_diagram(placed))
    centres = {uid: node_centre(g) for uid, g in node_groups(root).items()}
    ref = placed.table_named("customer")
    assert ref is not None
    rx, ry = centres[ref.uid]
    rp = SHOP_POSITIONS["customer"]
    for t in placed.tables:
        x, y = centres[t.uid]
        p = SHOP_POSITIONS[t.name]
        assert x - rx == pytest.approx(p.x - rp.x, abs=0.6)
        assert y - ry == pytest.approx(-(p.y - rp.y), abs=0.6)  # SVG y points down


@needs_graphviz
def test_drag_moves_exactly_one_table_by_the_svg_delta(placed: Schema) -> None:
    order = placed.table_named("order_")
    assert order is not None and order.position is not None
    before = {u: node_centre(g) for u, g in node_groups(parse_svg(render_diagram(placed))).items()}
    dragged = store(placed, {order.uid: moved(order.position, 37.0, -52.0)})
    after = {u: node_centre(g) for u, g in node_groups(parse_svg(render_diagram(dragged))).items()}
    anchor = next(u for u in before if u != order.uid)
    shift = (after[anchor][0] - before[anchor][0], after[anchor][1] - before[anchor][1])
    for uid in before:
        dx = after[uid][0] - before[uid][0] - shift[0]
        dy = after[uid][1] - before[uid][1] - shift[1]
        expected = (37.0, -52.0) if uid == order.uid else (0.0, 0.0)
        assert dx == pytest.approx(expected[0], abs=0.6)
        assert dy == pytest.approx(expected[1], abs=0.6)


def grown(schema: Schema) -> Schema:
    """``schema`` plus a table ``shipment`` referencing ``order_`` and a column."""
    b = SchemaBuilder()
    s = b.table("shipment", subject_area="sales")
    s.column("id", "bigint", pk=True)
    s.column("order_id", "bigint")
    o = b.table("order_")
    o.column("id", "bigint", pk=True)
    b.relationship("shipment", ["order_id"], "order_")
    extra = b.build()
    new_table = extra.table_named("shipment")
    order = schema.table_named("order_")
    assert new_table is not None and order is not None
    rel = replace(extra.relationships[0], parent_table=order.uid,
                  parent_columns=(order.columns[0].uid,))
    tables = tuple(replace(t, columns=(*t.columns, replace(t.columns[-1], uid="new-col-uid",
                                                            name="tracking_code")))
                   if t.uid == order.uid else t for t in schema.tables)
    return replace(schema, tables=(*tables, new_table),
                   relationships=(*schema.relationships, rel))


@needs_graphviz
def test_edits_keep_existing_tables_in_place(placed: Schema) -> None:
    edited = grown(placed)
    positions = layout(edited)
    for t in placed.tables:
        assert positions[t.uid] == t.position
    new = edited.table_named("shipment")
    order = edited.table_named("order_")
    assert new is not None and order is not None and order.position is not None
    assert positions[new.uid].x > order.position.x  # right of the table it references
    root = parse_svg(render_diagram(store(edited, positions)))
    boxes = list(svg_boxes(root).values())
    assert len(boxes) == 6
    assert not any(a.overlaps(b) for k, a in enumerate(boxes) for b in boxes[k + 1:])


@needs_graphviz
def test_unplaced_tables_are_placed_when_rendering(placed: Schema) -> None:
    edited = grown(placed)
    job = render_dot(edited)
    assert job.settings.pinned
    assert job.source.count("!\"") == len(edited.tables)


@needs_graphviz
def test_relayout_ignores_stored_positions(placed: Schema) -> None:
    assert layout(placed, relayout=True) == layout(shop())
    assert layout(placed) == {t.uid: t.position for t in placed.tables}


@needs_graphviz
def test_auto_mode_pins_only_when_most_tables_have_positions() -> None:
    few = with_positions(shop(), {"customer": Position(0, 0)})
    assert layout(few) == layout(shop())  # 1 of 5: fresh layout of everything
    most = with_positions(shop(), {k: v for k, v in SHOP_POSITIONS.items() if k != "event"})
    kept = layout(most)
    assert all(kept[t.uid] == t.position for t in most.tables if t.position is not None)


@needs_graphviz
def test_focus_view_gets_its_own_layout(placed: Schema) -> None:
    product = placed.table_named("product")
    assert product is not None
    job = render_dot(placed, ViewOptions(focus=product.uid))
    assert job.source.count("pos=") == 2
    assert f'"{SHOP_POSITIONS["product"].x:g},' not in job.source


@needs_graphviz
def test_clusters_enclose_their_tables_when_pinned(placed: Schema) -> None:
    root = parse_svg(render_diagram(placed))
    boxes = svg_boxes(root)
    graph = build_graph(placed)
    clusters = [g for g in root.iter(f"{SVG}g") if g.get("class") == "cluster"]
    assert len(clusters) == len(graph.clusters) == 2
    for cluster in clusters:
        label = "".join(next(cluster.iter(f"{SVG}text")).itertext())
        frame = svg_boxes_of(cluster)
        members = next(c for c in graph.clusters if c.label == label).node_ids
        for member in members:
            b = boxes[graph.node(member).table_uid]
            assert frame.x0 <= b.x0 and b.x1 <= frame.x1 and frame.y0 <= b.y0 <= b.y1 <= frame.y1


def svg_boxes_of(group: ET.Element) -> Box:
    pts = [tuple(float(v) for v in pair.split(","))
           for poly in group.iter(f"{SVG}path") for pair in
           (poly.get("d") or "").replace("M", " ").replace("C", " ").split()]
    pts += [tuple(float(v) for v in pair.split(",")) for poly in group.iter(f"{SVG}polygon")
            for pair in (poly.get("points") or "").split()]
    return Box(min(p[0] for p in pts), min(p[1] for p in pts),
               max(p[0] for p in pts), max(p[1] for p in pts))


@needs_graphviz
def test_default_view_of_300_tables_is_not_a_strip() -> None:
    schema = synthetic_schema(300)
    options = ViewOptions()
    graph = build_graph(schema, options)
    positions, sizes = fresh_positions(graph, options)
    whole = bounds([node_box(positions[n.id], sizes[n.id]) for n in graph.nodes])
    aspect = (whole.x1 - whole.x0) / (whole.y1 - whole.y0)
    assert 1 / 3 <= aspect <= 3, aspect


def _no_graphviz(*_args: object, **_kw: object) -> bytes:
    raise AssertionError("Graphviz must not run here")


def test_placed_designs_need_no_graphviz_for_layout(placed: Schema,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("modeler.diagram.render.run_graphviz", _no_graphviz)
    assert layout(placed) == {t.uid: t.position for t in placed.tables}
    flat = replace(placed, tables=tuple(replace(t, subject_area="", namespace="public")
                                        for t in placed.tables))
    assert render_dot(flat).settings.pinned  # no clusters: nothing to measure


@needs_graphviz
def test_layout_passes_are_cached(schema: Schema, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = MemoryCache()
    first = render_dot(schema, cache=cache)
    monkeypatch.setattr("modeler.diagram.render.run_graphviz", _no_graphviz)
    assert render_dot(schema, cache=cache) == first


# --- node sizes: cached per node -------------------------------------------------------

class PlainCache:
    """A DiagramCache without get_many/set_many (one call per key)."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}
        self.gets = 0

    def get(self, key: str) -> bytes | None:
        self.gets += 1
        return self.data.get(key)

    def set(self, key: str, value: bytes) -> None:
        self.data[key] = value


def spy_graphviz(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the DOT source of every Graphviz run (and still run it)."""
    sources: list[str] = []
    real = render_module.run_graphviz

    def spy(command: tuple[str, ...], source: str, fmt: str, **kw: Any) -> bytes:
        sources.append(source)
        return real(command, source, fmt, **kw)

    monkeypatch.setattr("modeler.diagram.render.run_graphviz", spy)
    return sources


@needs_graphviz
@pytest.mark.parametrize("make_cache", [MemoryCache, PlainCache])
def test_only_changed_nodes_are_measured(placed: Schema, monkeypatch: pytest.MonkeyPatch,
                                         make_cache: Callable[[], DiagramCache]) -> None:
    cache = make_cache()
    first = measure(build_graph(placed), cache=cache)
    assert len(first) == len(placed.tables)
    edited = grown(placed)  # a new table, and a new column in order_
    graph = build_graph(edited)
    sources = spy_graphviz(monkeypatch)
    sizes = measure(graph, cache=cache)
    [source] = sources  # one pass, for the two nodes whose label changed
    order, shipment = edited.table_named("order_"), edited.table_named("shipment")
    assert order is not None and shipment is not None
    assert {line.split(" [")[0].strip() for line in source.splitlines() if "label=<" in line} == {
        node_id(order.uid), node_id(shipment.uid)}
    assert sizes == measure(graph)  # the same numbers as measuring everything afresh
    assert list(sizes) == [n.id for n in graph.nodes]
    assert sizes[node_id(order.uid)][1] > first[node_id(order.uid)][1]  # one row taller
    for n in graph.nodes:
        if n.table_uid not in (order.uid, shipment.uid):
            assert sizes[n.id] == first[n.id]
    sources.clear()
    assert measure(graph, cache=cache) == sizes and sources == []


@needs_graphviz
def test_clusters_need_no_graphviz_once_sizes_are_cached(
        placed: Schema, monkeypatch: pytest.MonkeyPatch) -> None:
    assert build_graph(placed).clusters
    cache = MemoryCache()
    job = render_dot(placed, cache=cache)
    order = placed.table_named("order_")
    assert order is not None and order.position is not None
    dragged = store(placed, {order.uid: moved(order.position, 30.0, 10.0)})
    monkeypatch.setattr("modeler.diagram.render.run_graphviz", _no_graphviz)
    assert render_dot(placed, cache=cache) == job
    # Sizes do not depend on positions: a drag re-uses them (the cluster box follows).
    moved_job = render_dot(dragged, cache=cache)
    assert moved_job.source != job.source
    # The per-node entries suffice without the whole-view one.
    for key in [k for k in cache.data if k.startswith(SIZES_PREFIX)]:
        del cache.data[key]
    assert render_dot(placed, cache=cache) == job
    assert render_dot(dragged, cache=cache) == moved_job


@needs_graphviz
@pytest.mark.parametrize("options", [ViewOptions(), ViewOptions(direction="TB"),
                                     ViewOptions(engine="sfdp")])
def test_a_fresh_layout_fills_the_size_cache(schema: Schema, options: ViewOptions,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    cache = MemoryCache()
    positions = layout(schema, options, cache=cache)
    stored = store(schema, positions)
    pinned = replace(options, layout="pinned")
    monkeypatch.setattr("modeler.diagram.render.run_graphviz", _no_graphviz)
    job = render_dot(stored, pinned, cache=cache)  # clusters: sizes from the layout pass
    monkeypatch.undo()
    assert job == render_dot(stored, pinned)  # the layout pass's sizes are neato's


@needs_graphviz
def test_bad_size_entries_are_measured_again(placed: Schema) -> None:
    cache = MemoryCache()
    graph = build_graph(placed)
    sizes = measure(graph, cache=cache)
    for key in cache.data:
        cache.data[key] = b'{"not": "a size"}' if key.startswith(SIZES_PREFIX) else b"[1]"
    assert measure(graph, cache=cache) == sizes
    assert measure(graph, cache=cache) == sizes  # and the entries were repaired


def test_size_keys_follow_labels_not_positions(placed: Schema) -> None:
    graph = build_graph(placed)
    keys = size_keys(graph.nodes)
    assert len(set(keys.values())) == len(graph.nodes)
    order = placed.table_named("order_")
    assert order is not None and order.position is not None
    dragged = build_graph(store(placed, {order.uid: moved(order.position, 5.0, 5.0)}))
    assert size_keys(dragged.nodes) == keys
    bigger = grown(placed)
    changed = {i for i, k in size_keys(build_graph(bigger).nodes).items() if keys.get(i) != k}
    shipment = bigger.table_named("shipment")
    assert shipment is not None
    assert changed == {node_id(order.uid), node_id(shipment.uid)}
