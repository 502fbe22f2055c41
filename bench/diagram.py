"""Diagram timings, layout stability and aspect ratio on synthetic designs.

Run: ``.venv/bin/python bench/diagram.py`` (``--sizes 50,300`` to skip the 1,000-table run,
``--routing`` to also time the pinned edge-routing modes). Designs: 7 columns per table,
about 1.5 foreign keys per table (``modeler.diagram.sample.synthetic_schema``).

Prints, per size: a full render from scratch (layout pass + pinned drawing + sanitising,
no cache) with the settings the auto-selection picks; then the pinned re-render time at
300 tables; how far existing tables move when a table and a column are added (goal: 0);
and the aspect ratio of the default view at 300 tables (goal: between 1:3 and 3:1).
Goal for 1,000 tables: a full render under 5 s.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from modeler.diagram import ViewOptions, build_graph, layout, render_dot, render_job
from modeler.diagram.engine import EngineSettings, layout_engine, pinned_engine
from modeler.diagram.render import DotJob
from modeler.diagram.sample import synthetic_schema
from modeler.schema.builder import SchemaBuilder
from modeler.schema.model import Position, Schema

T = TypeVar("T")
SVG_NODE = re.compile(rb'<g id="table-([^"]+)" class="node"')
POLY = re.compile(rb'points="([^"]+)"')


def timed(fn: Callable[..., T], *args: Any, **kw: Any) -> tuple[T, float]:
    start = time.perf_counter()
    out = fn(*args, **kw)
    return out, time.perf_counter() - start


def viewbox(svg: bytes) -> tuple[float, float]:
    m = re.search(rb'viewBox="[\d.-]+ [\d.-]+ ([\d.]+) ([\d.]+)"', svg)
    assert m is not None
    return float(m.group(1)), float(m.group(2))


def store(schema: Schema, positions: dict[str, Position]) -> Schema:
    return replace(schema, tables=tuple(
        replace(t, position=positions.get(t.uid, t.position)) for t in schema.tables))


def full_render(n: int) -> None:
    schema = synthetic_schema(n)
    settings = layout_engine(n)
    job, t_layout = timed(render_dot, schema)
    svg, t_draw = timed(render_job, job)
    w, h = viewbox(svg)
    print(f"{n:5d} tables  full render {t_layout + t_draw:6.2f} s "
          f"(layout pass + DOT {t_layout:.2f} s, draw + sanitise {t_draw:.2f} s)  "
          f"layout: {settings.label}; draw: {job.settings.label}  "
          f"{w:.0f}x{h:.0f} pt, aspect {w / h:.2f}, SVG {len(svg) / 1e6:.1f} MB")


def pinned_rerender(n: int) -> None:
    schema = store(synthetic_schema(n), layout(synthetic_schema(n)))
    times = []
    for _ in range(3):
        svg, t = timed(lambda: render_job(render_dot(schema)))
        times.append(t)
    print(f"{n:5d} tables  pinned re-render best {min(times):.2f} s "
          f"(median {sorted(times)[1]:.2f} s; {pinned_engine(n).label}, SVG "
          f"{len(svg) / 1e6:.1f} MB)")


def node_centres(svg: bytes) -> dict[str, tuple[float, float]]:
    """SVG centre of each table's node (bounding box of its polygons)."""
    out = {}
    starts = [(m.group(1).decode(), m.start()) for m in SVG_NODE.finditer(svg)]
    for k, (uid, start) in enumerate(starts):
        end = starts[k + 1][1] if k + 1 < len(starts) else len(svg)
        pts = [tuple(map(float, p.split(b","))) for m in POLY.finditer(svg, start, end)
               for p in m.group(1).split()]
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        out[uid] = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    return out


def grow(schema: Schema) -> Schema:
    """Add a table referencing table_0001 and a column to table_0002."""
    b = SchemaBuilder()
    new = b.table("table_new")
    new.column("id", "bigint", pk=True)
    new.column("table_0001_id", "bigint")
    parent = b.table("table_0001")
    parent.column("id", "bigint", pk=True)
    b.relationship("table_new", ["table_0001_id"], "table_0001")
    extra = b.build()
    target = schema.table_named("table_0001")
    widened = schema.table_named("table_0002")
    assert target is not None and widened is not None
    rel = replace(extra.relationships[0], parent_table=target.uid,
                  parent_columns=(target.columns[0].uid,))
    col = replace(widened.columns[-1], uid="bench-new-column", name="added_column")
    tables = tuple(replace(t, columns=(*t.columns, col)) if t.uid == widened.uid else t
                   for t in schema.tables)
    new_table = extra.table_named("table_new")
    assert new_table is not None
    return replace(schema, tables=(*tables, new_table),
                   relationships=(*schema.relationships, rel))


def stability(n: int) -> None:
    schema = synthetic_schema(n)
    first = layout(schema)
    stored = store(schema, first)
    before = node_centres(render_job(render_dot(stored)))
    edited = grow(stored)
    second, t_layout = timed(layout, edited)
    moved_pos = max(abs(second[u].x - p.x) + abs(second[u].y - p.y) for u, p in first.items())
    after = node_centres(render_job(render_dot(store(edited, second))))
    ref = next(iter(before))
    dx, dy = after[ref][0] - before[ref][0], after[ref][1] - before[ref][1]
    moved_svg = max(abs(after[u][0] - x - dx) + abs(after[u][1] - y - dy)
                    for u, (x, y) in before.items())
    new = edited.table_named("table_new")
    parent = edited.table_named("table_0001")
    assert new is not None and parent is not None
    print(f"{n:5d} tables  add a table + a column: existing tables moved "
          f"{moved_pos:.2f} pt (stored) / {moved_svg:.2f} pt (in the SVG, relative); "
          f"incremental layout {t_layout:.2f} s; new table at {second[new.uid]} "
          f"(its parent at {second[parent.uid]})")


def routing(n: int, modes: tuple[str, ...]) -> None:
    schema = store(synthetic_schema(n), layout(synthetic_schema(n)))
    job = render_dot(schema)
    for mode in modes:
        settings = EngineSettings("neato", ("-n2",), (("splines", mode),), pinned=True)
        source = job.source.replace(f'splines="{dict(job.settings.graph_attrs)["splines"]}"',
                                    f'splines="{mode}"')
        _, t = timed(render_job, DotJob(source, settings))
        print(f"{n:5d} tables  pinned routing splines={mode:8s} {t:6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="50,300,1000")
    parser.add_argument("--routing", action="store_true")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print("== full render from scratch (no stored positions, no cache)")
    for n in sizes:
        full_render(n)
    print("== pinned re-render (all positions stored, no cache)")
    pinned_rerender(300)
    print("== layout stability")
    stability(300)
    print("== aspect ratio of the default view")
    schema = synthetic_schema(300)
    w, h = viewbox(render_job(render_dot(schema)))
    graph = build_graph(schema, ViewOptions())
    print(f"  300 tables  {w:.0f} x {h:.0f} pt, width/height {w / h:.2f} "
          f"({len(graph.edges)} relationships)")
    if args.routing:
        print("== pinned edge routing modes")
        routing(50, ("line", "curved", "polyline", "spline", "ortho"))
        routing(300, ("line", "curved"))


if __name__ == "__main__":
    main()
