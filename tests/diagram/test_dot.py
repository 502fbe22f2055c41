"""Phase two: graph data → DOT text. Golden files (``UPDATE_GOLDEN=1`` rewrites them)."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

import pytest

from modeler.diagram import ViewOptions, build_graph, to_dot
from modeler.diagram.engine import layout_engine, pinned_engine
from modeler.diagram.escape import escape, node_id, port_id
from modeler.diagram.graph import Graph
from modeler.schema.builder import SchemaBuilder
from modeler.schema.model import Position, Schema
from tests.diagram.conftest import SHOP_POSITIONS, shop

GOLDEN = Path(__file__).parent / "golden"


def pinned_dot(schema: Schema, options: ViewOptions | None = None) -> str:
    graph = build_graph(schema, options)
    positions = {n.id: SHOP_POSITIONS[n.name] for n in graph.nodes}
    return to_dot(graph, pinned_engine(len(graph.nodes)), positions=positions)


def fresh_dot(schema: Schema, options: ViewOptions | None = None) -> str:
    graph = build_graph(schema, options)
    return to_dot(graph, layout_engine(len(graph.nodes)))


def review_options(schema: Schema) -> ViewOptions:
    customer = schema.table_named("customer")
    assert customer is not None
    email = customer.column_named("email")
    assert email is not None
    rel = schema.relationships[0]
    return ViewOptions(status={customer.uid: "changed", email.uid: "added", rel.uid: "removed"},
                       highlight=frozenset({customer.uid}), badges={customer.uid: "justify"},
                       comments={customer.uid: 2, email.uid: 1, rel.uid: 1})


CASES = {
    "shop_all_pinned": lambda s: pinned_dot(s),
    "shop_keys_fresh": lambda s: fresh_dot(s, ViewOptions(detail="keys")),
    "shop_names_tb_fresh": lambda s: fresh_dot(s, ViewOptions(detail="names", direction="TB")),
    "shop_review_pinned": lambda s: pinned_dot(s, review_options(s)),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_golden(case: str) -> None:
    text = CASES[case](shop())
    path = GOLDEN / f"{case}.dot"
    if os.environ.get("UPDATE_GOLDEN"):
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path}; run with UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8")


def test_deterministic(schema: Schema) -> None:
    shuffled = replace(schema, tables=schema.tables[::-1],
                       relationships=schema.relationships[::-1])
    assert pinned_dot(schema) == pinned_dot(shuffled)
    assert fresh_dot(schema) == fresh_dot(shuffled)


def edge_lines(dot: str) -> list[str]:
    return [line for line in dot.splitlines() if " -> " in line]


def test_one_edge_per_relationship_from_fk_port_to_referenced_port(schema: Schema) -> None:
    dot = fresh_dot(schema)
    lines = edge_lines(dot)
    assert len(lines) == len(schema.relationships)
    for r in schema.relationships:
        [line] = [ln for ln in lines if f'id="rel-{r.uid}"' in ln]
        tail, head = line.strip().split(" [")[0].split(" -> ")
        assert tail.startswith(f"{node_id(r.child_table)}:{port_id(r.child_columns[0])}_")
        assert head.startswith(f"{node_id(r.parent_table)}:{port_id(r.parent_columns[0])}_")


def test_arrowheads_in_dot(schema: Schema) -> None:
    graph = build_graph(schema)
    dot = to_dot(graph, layout_engine(len(graph.nodes)))
    for e in graph.edges:
        [line] = [ln for ln in edge_lines(dot) if f'id="rel-{e.relationship_uid}"' in ln]
        assert f"arrowtail={e.style.child_end}" in line  # tail = FK (child) end
        assert f"arrowhead={e.style.parent_end}" in line
    assert 'dir="both"' in dot


def test_ports_face_each_other_when_pinned(schema: Schema) -> None:
    dot = pinned_dot(schema)
    order = schema.table_named("order_")
    customer = schema.table_named("customer")
    assert order is not None and customer is not None
    [line] = [ln for ln in edge_lines(dot)
              if ln.startswith(f"  {node_id(order.uid)}:") and node_id(customer.uid) in ln]
    # order_ (x=420) is right of customer (x=120): leave west, enter east.
    assert re.match(rf"  t_\w+:c_\w+_w:w -> {node_id(customer.uid)}:c_\w+_e:e ", line)


def test_pinned_positions_in_dot(schema: Schema) -> None:
    dot = pinned_dot(schema)
    assert dot.startswith("// engine: neato -n2\n")
    for t in schema.tables:
        p = SHOP_POSITIONS[t.name]
        assert f'pos="{p.x:g},{p.y:g}!"' in dot
    assert "rankdir" not in dot
    graph = build_graph(schema)
    with pytest.raises(ValueError, match="positions"):
        to_dot(graph, pinned_engine(5), positions={})


def test_fresh_layout_direction(schema: Schema) -> None:
    assert 'rankdir="RL"' in fresh_dot(schema)  # edges run child → parent: parents left
    assert 'rankdir="BT"' in fresh_dot(schema, ViewOptions(direction="TB"))


def test_subject_area_clusters(schema: Schema) -> None:
    dot = fresh_dot(schema)
    assert dot.count("subgraph cluster_") == 2
    assert "<B>sales</B>" in dot and "<B>catalog</B>" in dot


HOSTILE = ["a<b>", 'x"y', "{|}", "&amp;", "]]>", "it's", "back\\slash", "\\N",
           '</TD></TR></TABLE>> ]; evil [label="x', "<script>alert(1)</script>"]


def hostile_schema() -> Schema:
    b = SchemaBuilder()
    t = b.table(HOSTILE[0], comment=" ".join(HOSTILE), subject_area=HOSTILE[1])
    t.column("id", "bigint", pk=True)
    for i, name in enumerate(HOSTILE[1:]):
        t.column(name, "text", comment=HOSTILE[i])
    other = b.table("child", namespace=HOSTILE[2])
    other.column("id", "bigint", pk=True)
    other.column("ref", "bigint")
    b.relationship("child", ["ref"], HOSTILE[0], child_ns=HOSTILE[2], name=HOSTILE[9])
    return b.build()


def strip_html_strings(dot: str) -> tuple[str, list[str]]:
    """DOT text without its ``<...>`` strings (nesting counted like Graphviz's lexer does),
    and those strings."""
    out: list[str] = []
    html: list[str] = []
    i = 0
    while i < len(dot):
        if dot[i] == "<" and dot[max(0, i - 1)] == "=":
            depth, j = 0, i
            while True:
                depth += {"<": 1, ">": -1}.get(dot[j], 0)
                j += 1
                if depth == 0:
                    break
            html.append(dot[i:j])
            i = j
        else:
            out.append(dot[i])
            i += 1
    return "".join(out), html


def test_hostile_names_never_reach_dot_raw() -> None:
    schema = hostile_schema()
    graph = build_graph(schema)
    pinned = to_dot(graph, pinned_engine(2), positions={n.id: Position(0, 0)
                                                        for n in graph.nodes})
    for dot in (to_dot(graph, layout_engine(2)), pinned):
        for name in HOSTILE:
            assert escape(name, multiline=False) in dot
            if any(ch in name for ch in "<>\"\\"):
                assert name not in dot
        rest, html = strip_html_strings(dot)
        # Outside HTML strings: no markup, and quoted strings hold neither quotes nor
        # backslashes, so nothing can end them early.
        assert "<" not in rest.replace("->", "")
        assert "\\" not in rest
        assert all(re.fullmatch(r'"[^"\\]*"', q) for q in re.findall(r'"[^"]*"', rest))
        assert "evil" not in rest
        # Two table labels, one subject-area cluster label, one edge label.
        assert len(html) == 4
        assert all(h.count("<") == h.count(">") for h in html)


def test_graph_options_do_not_leak_into_ids(schema: Schema) -> None:
    graph = build_graph(schema)
    dot = to_dot(graph, layout_engine(5))
    ids = re.findall(r'\bid="([^"]+)"', dot)
    assert ids[0] == "er-diagram"
    # Clusters name their own group (else they inherit the graph's id: duplicate ids).
    assert {c.id for c in graph.clusters} == {i for i in ids if i.startswith("cluster_")}
    assert {i.split("-", 1)[0] for i in ids[1:] if not i.startswith("cluster_")} == {
        "table", "rel"}
    cells = re.findall(r'ID="([^"]+)"', dot)
    assert {i.split("-", 1)[0] for i in cells} == {"table", "column", "rel"}
    # One anchor per row (its name cell), one per header, one per edge label.
    rows = sum(len(n.ports) for n in graph.nodes)
    assert len(cells) == rows + len(graph.nodes) + len(graph.edges)
    assert len(cells) == len(set(cells)) == dot.count("TITLE=") == dot.count("TARGET=")


def test_names_detail_has_no_ports(schema: Schema) -> None:
    dot = fresh_dot(schema, ViewOptions(detail="names"))
    assert "PORT=" not in dot
    for line in edge_lines(dot):
        assert re.match(r"  t_\w+ -> t_\w+ \[", line)


def test_empty_graph() -> None:
    dot = to_dot(Graph(nodes=(), edges=(), clusters=()), layout_engine(0))
    assert dot.endswith("}\n")


def test_positions_keep_two_decimals(schema: Schema) -> None:
    graph = build_graph(schema)
    positions = {n.id: Position(1 / 3, -2 / 3) for n in graph.nodes}
    dot = to_dot(graph, pinned_engine(5), positions=positions)
    assert 'pos="0.33,-0.67!"' in dot
