"""Stored positions serve every detail level: a design laid out while its view showed
table names only (small nodes) overlapped when drawn with every column, because the
positions are shared between detail levels. They are laid out with the largest nodes
(every column) whatever the view shows: no two tables overlap at any detail, either way
round, and the positions are the same (deterministic) whichever detail asked."""

from __future__ import annotations

from dataclasses import replace
from itertools import combinations

import pytest

from modeler.diagram import ViewOptions, layout, render_diagram
from modeler.diagram.graph import Box
from modeler.diagram.layout import provisional_positions
from modeler.diagram.options import Detail, Direction
from modeler.diagram.sample import synthetic_schema
from modeler.schema.model import Position, Schema
from tests.diagram.conftest import SVG, needs_graphviz, node_groups, parse_svg, shop

DETAILS: tuple[Detail, ...] = ("names", "keys", "all")


def _stored(schema: Schema, positions: dict[str, Position]) -> Schema:
    return replace(schema, tables=tuple(replace(t, position=positions[t.uid])
                                        for t in schema.tables))


def _boxes(svg: bytes) -> dict[str, Box]:
    """Table uid → the box around its node's polygons, in the SVG's units."""
    out = {}
    for uid, g in node_groups(parse_svg(svg)).items():
        xs, ys = [], []
        for poly in g.iter(f"{SVG}polygon"):
            for pair in (poly.get("points") or "").split():
                x, y = pair.split(",")
                xs.append(float(x))
                ys.append(float(y))
        out[uid] = Box(min(xs), min(ys), max(xs), max(ys))
    return out


def _overlapping(boxes: dict[str, Box]) -> list[tuple[str, str]]:
    return [(a, b) for (a, p), (b, q) in combinations(sorted(boxes.items()), 2)
            if p.x0 < q.x1 and q.x0 < p.x1 and p.y0 < q.y1 and q.y0 < p.y1]


def _designs() -> list[Schema]:
    # a flat one, and one in namespaces (cluster boxes) with tables of many columns
    many = synthetic_schema(24, columns=14)
    return [shop(), replace(many, tables=tuple(
        replace(t, namespace="sales" if i % 3 else "public")
        for i, t in enumerate(many.tables)))]


@needs_graphviz
@pytest.mark.parametrize("direction", ["LR", "TB"])
@pytest.mark.parametrize("laid", ["names", "all"])
def test_a_layout_draws_without_overlaps_at_every_detail(laid: Detail,
                                                        direction: Direction) -> None:
    for schema in _designs():
        asked = ViewOptions(detail=laid, direction=direction)
        positions = layout(schema, asked, relayout=True)
        stored = _stored(schema, positions)
        for drawn in DETAILS:
            svg = render_diagram(stored, ViewOptions(detail=drawn, direction=direction,
                                                     layout="pinned"))
            boxes = _boxes(svg)
            assert len(boxes) == len(schema.tables)
            assert _overlapping(boxes) == [], (schema.name, laid, drawn)
        # the same positions whichever detail the view showed
        assert positions == layout(schema, replace(asked, detail="keys"), relayout=True)


def test_a_provisional_placement_is_the_same_at_every_detail() -> None:
    schema = synthetic_schema(24, columns=14)
    first = provisional_positions(schema, ViewOptions(detail="names"))
    assert all(provisional_positions(schema, ViewOptions(detail=d)) == first
               for d in DETAILS)
