"""The editor's diagram, nicer to read (issue 16, item 5): relationship names as tooltips
unless asked for, subject-area header colours, crow's-foot ends."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace

import pytest

from modeler.diagram import ViewOptions, build_graph, render_diagram, render_dot
from modeler.diagram.options import Badge
from modeler.diagram.render import run_graphviz
from modeler.diagram.styles import badge_width
from modeler.diagram.svg import GroupMemo, sanitize_graphviz_svg
from modeler.schema.model import Schema
from tests.diagram.conftest import SVG, needs_graphviz, parse_svg
from tests.diagram.test_dot import pinned_dot


def test_names_off_edges_are_tooltips(placed: Schema) -> None:
    dot = pinned_dot(placed, ViewOptions(edge_labels=False))
    edges = [line for line in dot.splitlines() if " -> " in line]
    assert len(edges) == len(placed.relationships)
    for rel in placed.relationships:
        [line] = [e for e in edges if f"rel-{rel.uid}" in e]
        assert "label=<" not in line
        assert f'tooltip="{rel.name}' in line
    # asked for: drawn as before, and no second tooltip on the edge
    shown = pinned_dot(placed, ViewOptions(edge_labels=True))
    assert "tooltip=" not in "".join(x for x in shown.splitlines() if " -> " in x)
    assert shown.count("label=<<TABLE BORDER") >= len(placed.relationships)


def test_hostile_relationship_name_in_tooltip_is_escaped(placed: Schema) -> None:
    evil = 'fk"]; x [label="pwn\\" <b>&'
    schema = replace(placed, relationships=tuple(
        replace(r, name=evil, comment="line1\nline2") for r in placed.relationships))
    dot = pinned_dot(schema, ViewOptions(edge_labels=False))
    for line in (x for x in dot.splitlines() if " -> " in x):
        tooltip = line.split('tooltip="', 1)[1]
        value = tooltip.split('"', 1)[0]
        assert "\\" not in value and "<" not in value and ">" not in value
        assert tooltip.split('"', 1)[1] == "];"  # the tooltip is the last attribute


@needs_graphviz
def test_svg_edge_title_is_the_fk_name(placed: Schema) -> None:
    schema = replace(placed, relationships=tuple(
        replace(r, name=f"{r.name} <&> \\", comment="why") for r in placed.relationships))
    root = parse_svg(render_diagram(schema, ViewOptions(edge_labels=False)))
    groups = {g.get("id", ""): g for g in root.iter(f"{SVG}g")}
    for rel in schema.relationships:
        assert f"a_rel-{rel.uid}__label" not in groups
        edge = groups[f"rel-{rel.uid}"]
        titles = [t.text for t in edge.iter(f"{SVG}title")]
        assert titles == [f"{rel.name}\nwhy"]  # kept by the sanitiser, unescaped once
        texts = "".join("".join(t.itertext()) for t in edge.iter(f"{SVG}text"))
        assert rel.name not in texts  # not drawn


def test_graph_edges_keep_their_name_when_unlabelled(placed: Schema) -> None:
    graph = build_graph(placed, ViewOptions(edge_labels=False))
    names = {r.uid: r.name for r in placed.relationships}
    assert {e.relationship_uid: e.name for e in graph.edges} == names
    assert all(e.label == "" for e in graph.edges)


@pytest.mark.parametrize("value,expected", [("1", True), ("on", True), ("", False),
                                            (None, False)])
def test_view_prefs_labels_toggle(placed: Schema, value: str | None, expected: bool) -> None:
    from modeler.web.diagrams import clean_prefs, view_options

    data = {"detail": "all", "direction": "LR"}
    if value is not None:
        data["labels"] = value
    prefs = clean_prefs(data, placed)
    assert prefs["labels"] is expected
    assert view_options(prefs, placed).edge_labels is expected


def test_view_prefs_labels_bad_value(placed: Schema) -> None:
    from modeler.web.diagrams import clean_prefs

    with pytest.raises(ValueError, match="labels"):
        clean_prefs({"labels": "maybe"}, placed)


# ---------------------------------------------------------------- item 2: colours and ends


def test_headers_coloured_by_subject_area(placed: Schema) -> None:
    from modeler.diagram.styles import AREA_PALETTE, KIND_COLOURS, area_colours

    graph = build_graph(placed)
    header = {n.name: n.style.header_fill for n in graph.nodes}
    colours = area_colours(["sales", "catalog"])
    assert colours["sales"] != colours["catalog"]
    assert set(colours.values()) <= set(AREA_PALETTE)
    assert header["customer"] == header["order_"] == header["order_line"] == colours["sales"]
    assert header["product"] == colours["catalog"]
    assert header["event"] == KIND_COLOURS["entity"]  # no area: its kind's colour
    # the table's own colour wins over its area's
    own = replace(placed, tables=tuple(replace(t, color="#123456") if t.name == "customer"
                                       else t for t in placed.tables))
    header = {n.name: n.style.header_fill for n in build_graph(own).nodes}
    assert header["customer"] == "#123456" and header["order_"] == colours["sales"]
    # the same in a view filtered to one area, and in DOT
    sales = build_graph(placed, ViewOptions(subject_areas=("sales",)))
    assert {n.style.header_fill for n in sales.nodes} == {colours["sales"]}
    assert f'BGCOLOR="{colours["catalog"]}"' in pinned_dot(placed)


def test_area_colours_stable_and_distinct() -> None:
    from modeler.diagram.styles import AREA_PALETTE, area_colour, area_colours

    names = [f"area{i}" for i in range(len(AREA_PALETTE))]
    colours = area_colours(names)
    assert len(set(colours.values())) == len(AREA_PALETTE)  # no two alike while they last
    assert area_colours(reversed(names)) == colours  # order of the tables does not matter
    assert area_colours(["x"]) == {"x": area_colour("x")}
    many = area_colours([f"a{i}" for i in range(30)])
    assert set(many.values()) == set(AREA_PALETTE)


def test_crows_foot_ends(placed: Schema) -> None:
    dot = pinned_dot(placed, ViewOptions(edge_labels=False))
    ends = {}
    for rel in placed.relationships:
        [line] = [x for x in dot.splitlines() if f"rel-{rel.uid}" in x and " -> " in x]
        tail = line.split("arrowtail=", 1)[1].split(",", 1)[0]
        head = line.split("arrowhead=", 1)[1].split(",", 1)[0]
        ends[rel.name] = (tail, head)
    by_child = {r.name: r for r in placed.relationships}
    for name, (tail, head) in ends.items():
        rel = by_child[name]
        # child side: zero or many (a circle then a crow at the table)
        assert tail == ("teeodot" if rel.cardinality == "one-to-one" else "crowodot")
        # parent side: exactly one (two bars) when the FK is NOT NULL, else zero or one
        assert head == ("teeodot" if rel.optional else "teetee")
    assert {h for _, h in ends.values()} == {"teetee", "teeodot"}
    assert 'arrowsize="1.3"' in dot  # large enough to read the ends at 100 %


# ---------------------------------------------------------------- item 5: labelled badges


def test_badges_say_count_and_level(placed: Schema) -> None:
    c = {t.name: t.uid for t in placed.tables}
    options = ViewOptions(badges={c["customer"]: "block", c["product"]: "advise"},
                          badge_counts={c["customer"]: 3, c["product"]: 1, c["event"]: 9})
    graph = build_graph(placed, options)
    nodes = {n.name: n for n in graph.nodes}
    assert (nodes["customer"].badge, nodes["customer"].badge_count) == ("block", 3)
    assert nodes["event"].badge is None and nodes["event"].badge_count == 0  # no level
    dot = pinned_dot(placed, options)
    assert "<B> 3 \u00b7 BLOCK </B>" in dot and "<B> 1 \u00b7 ADVISE </B>" in dot
    assert f'ID="table-{c["customer"]}__badge" TITLE="3 findings, the worst block' in dot
    # the level alone when the count is not known
    assert "<B> JUSTIFY </B>" in pinned_dot(placed, ViewOptions(badges={c["order_"]: "justify"}))


@needs_graphviz
def test_badge_is_a_clickable_part_in_the_svg(placed: Schema) -> None:
    uid = next(t.uid for t in placed.tables if t.name == "customer")
    root = parse_svg(render_diagram(placed, ViewOptions(badges={uid: "block"},
                                                        badge_counts={uid: 2})))
    [badge] = [g for g in root.iter(f"{SVG}g") if g.get("id") == f"a_table-{uid}__badge"]
    assert (badge.get("data-uid"), badge.get("data-part")) == (uid, "badge")
    assert "".join("".join(t.itertext()) for t in badge.iter(f"{SVG}text")).strip() == \
        "2 \u00b7 BLOCK"


def _extent(points: str) -> tuple[float, float, float, float]:
    """(left, top, right, bottom) of a path's ``d`` or a polygon's ``points`` (absolute
    x,y pairs, as Graphviz writes them)."""
    numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", points)]
    xs, ys = numbers[0::2], numbers[1::2]
    return min(xs), min(ys), max(xs), max(ys)


@dataclass
class _Drawn:
    """A table as drawn: its outer box, header name, and badge pill and text (if any)."""

    box: tuple[float, float, float, float]
    name: ET.Element
    pill: tuple[float, float, float, float] | None = None
    text: ET.Element | None = None


def _table_parts(svg: bytes, uid: str) -> _Drawn:
    root = parse_svg(svg)
    node = next(g for g in root.iter(f"{SVG}g") if g.get("id") == f"table-{uid}")
    boxes = [_extent(p.get("points", "")) for p in node.iter(f"{SVG}polygon")]
    box = (min(b[0] for b in boxes), min(b[1] for b in boxes),
           max(b[2] for b in boxes), max(b[3] for b in boxes))
    header = next(g for g in node.iter(f"{SVG}g") if g.get("id", "").endswith("__header"))
    name = next(t for t in header.iter(f"{SVG}text") if t.get("font-weight") == "bold")
    out = _Drawn(box, name)
    badge = [g for g in node.iter(f"{SVG}g") if g.get("id", "").endswith("__badge")]
    if badge:
        [pill] = [p for p in badge[0] if p.tag in (f"{SVG}path", f"{SVG}polygon")]
        out.pill = _extent(pill.get("d") or pill.get("points") or "")
        [out.text] = badge[0].iter(f"{SVG}text")
    return out


@needs_graphviz
@pytest.mark.parametrize(("table", "count", "level"),
                         [("event", 1, "advise"), ("customer", 128, "justify")])
def test_badge_pill_holds_its_centred_text_inside_the_table(
        placed: Schema, table: str, count: int, level: Badge) -> None:
    """The pill is as wide as its estimate, inside the table's border; Graphviz's own
    drawing of the text starts inside it (its measure fits: no 'cell size too small'); the
    SVG centres the text on it; the table name is where it is without a badge."""
    uid = next(t.uid for t in placed.tables if t.name == table)
    plain = _table_parts(render_diagram(placed, ViewOptions()), uid)
    job = render_dot(placed, ViewOptions(badges={uid: level}, badge_counts={uid: count}))
    raw = run_graphviz(job.settings.command, job.source, "svg")
    drawn = _table_parts(sanitize_graphviz_svg(raw, GroupMemo()), uid)
    assert drawn.pill is not None and drawn.text is not None and drawn.text.text is not None
    left, top, right, bottom = drawn.pill
    b_left, b_top, b_right, b_bottom = drawn.box
    words = f"{count} \u00b7 {level.upper()}"
    assert right - left == badge_width(f" {words} ")
    assert b_left < left and right < b_right and b_top < top and bottom < b_bottom
    assert drawn.text.text.strip() == words
    assert drawn.text.get("text-anchor") == "middle"
    assert float(drawn.text.get("x", "nan")) == pytest.approx((left + right) / 2, abs=0.01)
    # Graphviz's placement, from its own measure: the text starts inside the pill
    [start] = [t for t in parse_svg(raw).iter(f"{SVG}text") if t.text == f" {words} "]
    assert left <= float(start.get("x", "nan")) <= (left + right) / 2
    # the name: the same offset from the table's middle, the same height, as without badge
    assert drawn.name.text == plain.name.text == table
    p_left, p_top, p_right, _ = plain.box
    assert float(drawn.name.get("x", "nan")) - (b_left + b_right) / 2 == pytest.approx(
        float(plain.name.get("x", "nan")) - (p_left + p_right) / 2, abs=1)
    assert float(drawn.name.get("y", "nan")) - b_top == pytest.approx(
        float(plain.name.get("y", "nan")) - p_top, abs=1)
