"""Incremental drawing (issue #17): a patch holds exactly the groups a full render draws."""

from __future__ import annotations

import random
from dataclasses import replace

import pytest

from modeler.diagram import MemoryCache, ViewOptions, layout, render_job
from modeler.diagram import patch as p
from modeler.diagram.build import build_graph
from modeler.diagram.engine import PINNED_SPLINE_LIMIT
from modeler.diagram.geometry import node_box
from modeler.diagram.layout import (
    estimated_sizes,
    grid_positions,
    plan,
    provisional_positions,
)
from modeler.schema import model as m
from modeler.schema.builder import SchemaBuilder

from .conftest import needs_graphviz


def design(n: int, fks: float = 1.5, seed: int = 7) -> m.Schema:
    """``n`` tables in 4 subject areas, ``fks`` foreign keys per table on average."""
    rnd = random.Random(seed)
    b = SchemaBuilder(name=f"gen-{n}")
    refs: list[int] = []
    for i in range(n):
        t = b.table(f"t{i:04d}", comment=f"table {i}", subject_area=f"area_{i % 4}")
        t.column("id", "bigint", identity="always", pk=True)
        t.column("name", "text")
        refs.append(int(fks) + (1 if rnd.random() < fks % 1 else 0) if i else 0)
        for k in range(refs[i]):
            t.column(f"ref_{k}", "bigint", nullable=True)
    for i in range(1, n):
        for k in range(refs[i]):
            b.relationship(f"t{i:04d}", [f"ref_{k}"], f"t{rnd.randrange(i):04d}",
                           on_delete="SET NULL", on_update="NO ACTION")
    return b.build()


def laid_out(schema: m.Schema, cache: MemoryCache) -> m.Schema:
    pos = layout(schema, cache=cache)
    return replace(schema, tables=tuple(replace(t, position=pos[t.uid]) for t in schema.tables))


def full(schema: m.Schema, cache: MemoryCache) -> tuple[dict[str, str], dict[str, str]]:
    drawn = plan(schema, cache=cache)
    svg = render_job(drawn.job(), "svg", cache=cache).decode()
    return p.manifest(drawn), p.groups(svg)


def add_column(schema: m.Schema, index: int, name: str) -> m.Schema:
    t = schema.tables[index]
    col = replace(t.columns[1], uid=f"00000000-0000-4000-8000-{index:012d}", name=name)
    return replace(schema, tables=tuple(replace(x, columns=(*x.columns, col))
                                        if x.uid == t.uid else x for x in schema.tables))


def patched(old: dict[str, str], schema: m.Schema, since: dict[str, str],
            cache: MemoryCache) -> tuple[dict[str, str], p.Changes, int]:
    drawn = plan(schema, cache=cache)
    changes = p.changes(since, p.manifest(drawn))
    assert changes is not None
    svg = render_job(p.patch_job(drawn, changes.changed), "svg", cache=cache).decode()
    found = p.groups(svg)
    out = {k: v for k, v in old.items() if k not in changes.removed}
    out.update({k: found[k] for k in changes.changed})
    return out, changes, sum(len(found[k]) for k in changes.changed)


@needs_graphviz
@pytest.mark.parametrize("n", [PINNED_SPLINE_LIMIT - 10, 60])
def test_patch_of_a_column_added_draws_what_a_full_render_draws(n: int) -> None:
    cache = MemoryCache()
    schema = laid_out(design(n), cache)
    m0, g0 = full(schema, cache)
    edited = add_column(schema, n // 2, "brand_new_column")
    _, g1 = full(edited, cache)
    out, changes, size = patched(g0, edited, m0, cache)
    assert out == g1  # every group, byte for byte, in the same set
    node = f"table-{schema.tables[n // 2].uid}"
    assert node in changes.changed and ">brand_new_column<" in g1[node]
    assert not changes.removed
    if n <= PINNED_SPLINE_LIMIT:
        # splines route around every table: every edge is drawn again
        assert {f"rel-{r.uid}" for r in schema.relationships} <= changes.changed
        return
    # only the table and the edges touching it (plus its cluster when its box grew)
    touching = {f"rel-{r.uid}" for r in schema.relationships
                if schema.tables[n // 2].uid in (r.child_table, r.parent_table)}
    assert changes.changed <= {node} | touching | {f"{k}__name" for k in touching} | {
        k for k in g0 if k.startswith("cluster_")}
    assert size < sum(len(v) for v in g1.values()) / 5


@needs_graphviz
def test_patch_of_tables_added_and_dropped() -> None:
    cache = MemoryCache()
    schema = laid_out(design(60), cache)
    m0, g0 = full(schema, cache)
    gone = schema.tables[10]
    dropped = replace(schema, tables=tuple(t for t in schema.tables if t.uid != gone.uid),
                      relationships=tuple(r for r in schema.relationships
                                          if gone.uid not in (r.child_table, r.parent_table)))
    b = SchemaBuilder(name="extra")
    t = b.table("extra_table", comment="new", subject_area="area_1")
    t.column("id", "bigint", identity="always", pk=True)
    extra = b.build().tables[0]
    grown = laid_out(replace(dropped, tables=(*dropped.tables, extra)), cache)
    _, g1 = full(grown, cache)
    out, changes, _ = patched(g0, grown, m0, cache)
    assert out == g1
    assert f"table-{gone.uid}" in changes.removed
    assert f"table-{extra.uid}" in changes.changed


@needs_graphviz
def test_no_change_is_an_empty_patch_and_a_new_look_is_no_patch() -> None:
    cache = MemoryCache()
    schema = laid_out(design(50), cache)
    m0, _ = full(schema, cache)
    again = p.manifest(plan(schema, cache=cache))
    assert p.token(again) == p.token(m0)
    found = p.changes(m0, again)
    assert found is not None and found.empty
    # another detail level changes every table: a whole drawing is the better answer
    from modeler.diagram import ViewOptions

    names = p.manifest(plan(schema, ViewOptions(detail="names"), cache=cache))
    assert p.changes(m0, names) is None
    assert p.loads(p.dumps(m0)) == m0
    assert p.loads(b"not json") is None and p.loads(b"[1]") is None


def test_grid_and_provisional_positions_need_no_graphviz_and_do_not_overlap() -> None:
    schema = design(200, fks=5)
    graph = build_graph(schema)
    sizes = estimated_sizes(graph)
    pos = grid_positions(graph, sizes)
    assert set(pos) == {n.id for n in graph.nodes}
    boxes = [node_box(pos[n.id], sizes[n.id]) for n in graph.nodes]
    for i, a in enumerate(boxes):
        assert not any(a.overlaps(b) for b in boxes[i + 1:])
    by_uid = provisional_positions(schema)
    assert set(by_uid) == {t.uid for t in schema.tables}
    # a table of one subject area sits with the others of its area (one block per area)
    areas: dict[str, list[float]] = {}
    for t in schema.tables:
        areas.setdefault(t.subject_area, []).append(by_uid[t.uid].x)
    spans = sorted((min(xs), max(xs)) for xs in areas.values())
    assert len(spans) == 4


@needs_graphviz
def test_patch_draws_a_new_badge_as_a_full_render_does() -> None:
    """A table whose findings change (its badge appears, then says more): the patch's
    groups are the full render's, the badge's text centred on its pill in both."""
    cache = MemoryCache()
    schema = laid_out(design(60), cache)
    uid = schema.tables[7].uid
    before = plan(schema, cache=cache)
    g0 = p.groups(render_job(before.job(), "svg", cache=cache).decode())
    since = p.manifest(before)
    for count in (2, 12):
        drawn = plan(schema, ViewOptions(badges={uid: "block"}, badge_counts={uid: count}),
                     cache=cache)
        full_groups = p.groups(render_job(drawn.job(), "svg", cache=cache).decode())
        changes = p.changes(since, p.manifest(drawn))
        assert changes is not None and f"table-{uid}" in changes.changed
        found = p.groups(render_job(p.patch_job(drawn, changes.changed), "svg",
                                    cache=cache).decode())
        g1 = {k: v for k, v in g0.items() if k not in changes.removed}
        g1.update({k: found[k] for k in changes.changed})
        assert g1 == full_groups
        node = full_groups[f"table-{uid}"]
        assert f"{count} \u00b7 BLOCK" in node and 'text-anchor="middle"' in node
        g0, since = g1, p.manifest(drawn)
