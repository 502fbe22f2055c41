"""Phase one: schema + view options → graph data (no DOT, no Graphviz)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from modeler.diagram import ViewOptions, build_graph
from modeler.diagram.build import EDGE_LABEL_LIMIT, neighbourhood
from modeler.diagram.escape import node_id, port_id
from modeler.diagram.graph import Graph, Node
from modeler.diagram.sample import synthetic_schema
from modeler.diagram.styles import HIGHLIGHT, ON_DELETE_STYLES, STATUS_COLOURS, crows_foot
from modeler.schema.model import Cardinality, Relationship, Schema


def node(graph: Graph, schema: Schema, name: str, namespace: str = "public") -> Node:
    table = schema.table_named(name, namespace)
    assert table is not None
    found = graph.node_of_table(table.uid)
    assert found is not None
    return found


def rel(schema: Schema, name_part: str) -> Relationship:
    return next(r for r in schema.relationships if name_part in r.name)


def test_one_node_per_table_one_port_per_column(schema: Schema) -> None:
    graph = build_graph(schema)
    assert [n.table_uid for n in graph.nodes] == [t.uid for t in schema.tables]
    for t in schema.tables:
        n = node(graph, schema, t.name, t.namespace)
        assert n.id == node_id(t.uid)
        assert [p.column_uid for p in n.ports] == [c.uid for c in t.columns]
        assert [p.id for p in n.ports] == [port_id(c.uid) for c in t.columns]
        assert n.hidden_columns == 0


def test_ids_are_safe_tokens(schema: Schema) -> None:
    graph = build_graph(schema)
    for n in graph.nodes:
        assert n.id.startswith("t_") and n.id[2:].isalnum()
        assert all(p.id.startswith("c_") and p.id[2:].isalnum() for p in n.ports)


def test_markers(schema: Schema) -> None:
    graph = build_graph(schema)
    customer = node(graph, schema, "customer")
    marks = {p.name: p.markers for p in customer.ports}
    assert marks == {"id": ("PK",), "email": ("UQ", "NN"), "name": ("NN",),
                     "referred_by": ("FK",)}
    line = {p.name: p.markers for p in node(graph, schema, "order_line").ports}
    assert line["order_id"] == ("PK", "FK")
    product = {p.name: p.markers for p in node(graph, schema, "product").ports}
    assert product["sku"] == ("UQ", "NN")  # from a unique index


def test_types_show_enum_and_domain_names(schema: Schema) -> None:
    graph = build_graph(schema)
    types = {p.name: p.type for p in node(graph, schema, "order_").ports}
    assert types["status"] == "order_status"
    assert {p.name: p.type for p in node(graph, schema, "customer").ports}["email"] == "email"
    assert {p.name: p.type for p in node(graph, schema, "product").ports}["price"] == \
        "numeric(10,2)"


def test_namespace_shown_only_outside_public(schema: Schema) -> None:
    graph = build_graph(schema)
    assert node(graph, schema, "event", "audit").namespace == "audit"
    assert node(graph, schema, "customer").namespace == ""


def test_detail_keys_keeps_pk_fk_unique_columns(schema: Schema) -> None:
    graph = build_graph(schema, ViewOptions(detail="keys"))
    customer = node(graph, schema, "customer")
    assert [p.name for p in customer.ports] == ["id", "email", "referred_by"]
    assert customer.hidden_columns == 1
    order = node(graph, schema, "order_")
    assert [p.name for p in order.ports] == ["id", "customer_id"]
    assert order.hidden_columns == 2


def test_detail_names_has_no_rows_and_edges_without_ports(schema: Schema) -> None:
    graph = build_graph(schema, ViewOptions(detail="names"))
    assert all(not n.ports and n.hidden_columns == 0 for n in graph.nodes)
    assert len(graph.edges) == len(schema.relationships)
    assert all(e.child_port is None and e.parent_port is None for e in graph.edges)


def test_one_edge_per_relationship_anchored_at_first_columns(schema: Schema) -> None:
    graph = build_graph(schema)
    assert sorted(e.relationship_uid for e in graph.edges) == sorted(
        r.uid for r in schema.relationships)
    for r in schema.relationships:
        edge = graph.edge_of(r.uid)
        assert edge is not None
        assert edge.child == node_id(r.child_table)
        assert edge.parent == node_id(r.parent_table)
        assert edge.child_port == port_id(r.child_columns[0])
        assert edge.parent_port == port_id(r.parent_columns[0])
        assert edge.label == r.name


@pytest.mark.parametrize(("cardinality", "optional", "ends"), [
    ("one-to-many", False, ("crowodot", "teetee")),
    ("one-to-many", True, ("crowodot", "teeodot")),
    ("one-to-one", False, ("teeodot", "teetee")),
    ("one-to-one", True, ("teeodot", "teeodot")),
    ("many-to-many", False, ("crowodot", "crowtee")),
])
def test_crows_foot_from_cardinality_and_nullability(
        schema: Schema, cardinality: Cardinality, optional: bool,
        ends: tuple[str, str]) -> None:
    r = replace(schema.relationships[0], cardinality=cardinality, optional=optional)
    assert crows_foot(r) == ends


def test_optional_from_nullable_fk(schema: Schema) -> None:
    graph = build_graph(schema)
    event = graph.edge_of(rel(schema, "event").uid)
    order = graph.edge_of(rel(schema, "fk_order__customer").uid)
    assert event is not None and order is not None
    assert event.style.parent_end == "teeodot"  # event.customer_id is nullable
    assert order.style.parent_end == "teetee"
    assert event.style.child_end == order.style.child_end == "crowodot"


def test_edge_style_by_on_delete(schema: Schema) -> None:
    graph = build_graph(schema)
    for r in schema.relationships:
        edge = graph.edge_of(r.uid)
        assert edge is not None
        colour, line = ON_DELETE_STYLES[r.on_delete]
        assert (edge.style.colour, edge.style.line) == (colour, line)
    cascade = graph.edge_of(rel(schema, "order_line_order_id").uid)
    assert cascade is not None and cascade.style.colour == "#c62828"


def test_focus_depth(schema: Schema) -> None:
    product = schema.table_named("product")
    assert product is not None
    names = {n.name for n in build_graph(schema, ViewOptions(focus=product.uid, depth=0)).nodes}
    assert names == {"product"}
    names = {n.name for n in build_graph(schema, ViewOptions(focus=product.uid)).nodes}
    assert names == {"product", "order_line"}
    names = {n.name for n in build_graph(schema, ViewOptions(focus=product.uid, depth=2)).nodes}
    assert names == {"product", "order_line", "order_"}
    graph = build_graph(schema, ViewOptions(focus=product.uid, depth=3))
    assert {n.name for n in graph.nodes} == {"product", "order_line", "order_", "customer"}
    # Only relationships between shown tables, including the self-reference.
    assert {e.label for e in graph.edges} == {
        "fk_order_line_order_id_order_", "fk_order_line_product_id_product",
        "fk_order__customer_id_customer", "fk_customer_referrer"}


def test_focus_unknown_table_is_an_error(schema: Schema) -> None:
    with pytest.raises(ValueError, match="focus"):
        build_graph(schema, ViewOptions(focus="nope"))


def test_neighbourhood_follows_both_directions(schema: Schema) -> None:
    order = schema.table_named("order_")
    assert order is not None
    near = neighbourhood(schema, order.uid, 1)
    assert {schema.table(u).name for u in near} == {"order_", "customer", "order_line"}


def test_subject_area_filter_and_clusters(schema: Schema) -> None:
    graph = build_graph(schema)
    assert [(c.label, c.kind) for c in graph.clusters] == [
        ("catalog", "subject_area"), ("sales", "subject_area")]
    sales = graph.clusters[1]
    assert {graph.node(i).name for i in sales.node_ids} == {"customer", "order_", "order_line"}
    assert node(graph, schema, "event", "audit").cluster is None
    only = build_graph(schema, ViewOptions(subject_areas=("catalog",)))
    assert [n.name for n in only.nodes] == ["product"]
    assert only.edges == ()


def test_namespace_clusters_without_subject_areas(schema: Schema) -> None:
    plain = replace(schema, tables=tuple(replace(t, subject_area="") for t in schema.tables))
    graph = build_graph(plain)
    assert [(c.label, c.kind) for c in graph.clusters] == [
        ("audit", "namespace"), ("public", "namespace")]
    one_ns = replace(plain, tables=tuple(t for t in plain.tables if t.namespace == "public"),
                     relationships=tuple(r for r in plain.relationships if "event" not in r.name))
    assert build_graph(one_ns).clusters == ()


def test_status_highlight_badges_comments(schema: Schema) -> None:
    customer = schema.table_named("customer")
    assert customer is not None
    email = customer.column_named("email")
    assert email is not None
    r = rel(schema, "fk_order__customer")
    graph = build_graph(schema, ViewOptions(
        status={customer.uid: "changed", email.uid: "added", r.uid: "removed"},
        highlight=frozenset({email.uid}), badges={customer.uid: "block"},
        comments={customer.uid: 3, email.uid: 1, r.uid: 2}))
    n = node(graph, schema, "customer")
    assert (n.status, n.badge, n.comments) == ("changed", "block", 3)
    assert n.style.border == STATUS_COLOURS["changed"][0]
    row = n.port_for(email.uid)
    assert row is not None
    assert (row.status, row.highlighted, row.comments) == ("added", True, 1)
    assert row.style.fill != ""  # highlighted rows are tinted
    edge = graph.edge_of(r.uid)
    assert edge is not None
    assert (edge.status, edge.comments) == ("removed", 2)
    assert edge.style.colour == STATUS_COLOURS["removed"][0] and edge.style.width == 2
    lit = build_graph(schema, ViewOptions(highlight=frozenset({customer.uid, r.uid})))
    assert node(lit, schema, "customer").style.border == HIGHLIGHT
    lit_edge = lit.edge_of(r.uid)
    assert lit_edge is not None and lit_edge.style.colour == HIGHLIGHT


def test_invalid_options_are_refused() -> None:
    with pytest.raises(ValueError):
        ViewOptions(detail="everything")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        ViewOptions(status={"x": "deleted"})  # type: ignore[dict-item]
    with pytest.raises(ValueError):
        ViewOptions(depth=-1)


def test_invalid_table_colour_is_ignored(schema: Schema) -> None:
    hostile = replace(schema, tables=tuple(
        replace(t, color='red" onload="x') for t in schema.tables))
    assert all(n.style.header_fill.startswith("#") for n in build_graph(hostile).nodes)
    coloured = replace(schema, tables=tuple(replace(t, color="#abcdef") for t in schema.tables))
    assert {n.style.header_fill for n in build_graph(coloured).nodes} == {"#abcdef"}


def test_edge_labels_off_by_default_on_large_views() -> None:
    big = synthetic_schema(EDGE_LABEL_LIMIT + 1, fks_per_table=0.2)
    assert all(e.label == "" for e in build_graph(big).edges)
    assert all(e.label for e in build_graph(big, ViewOptions(edge_labels=True)).edges)


def test_graph_is_deterministic(schema: Schema) -> None:
    assert build_graph(schema) == build_graph(shop_reversed(schema))


def shop_reversed(schema: Schema) -> Schema:
    """The same design with every collection in reverse order (not normalised)."""
    return replace(schema, tables=schema.tables[::-1],
                   relationships=schema.relationships[::-1])
