"""The editor's diagram, nicer to read (issue 16, item 5): relationship names as tooltips
unless asked for, subject-area header colours, crow's-foot ends."""

from __future__ import annotations

from dataclasses import replace

import pytest

from modeler.diagram import ViewOptions, build_graph, render_diagram
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
