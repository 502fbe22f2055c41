"""FK graph helpers: cycles (Tarjan) and parents-before-children order (Kahn)."""

from __future__ import annotations

from modeler.schema import model as m
from modeler.schema.builder import SchemaBuilder
from modeler.schema.graph import cyclic_components, tables_in_fk_order


def test_cyclic_components() -> None:
    edges = {"a": ["b"], "b": ["c", "a"], "c": ["a"], "d": ["d"], "e": ["a"], "f": ["e"]}
    # a-b-c is a cycle, d references itself; e and f only point into the cycle
    assert cyclic_components(edges) == (("a", "b", "c"), ("d",))
    assert cyclic_components({"x": ["y"], "y": []}) == ()
    assert cyclic_components({}) == ()


def _schema() -> m.Schema:
    b = SchemaBuilder(name="graph")
    for name in ("beta", "alpha", "order_line", "customer", "zeta"):
        b.table(name).column("id", "bigint", pk=True).column("ref_id", "bigint", nullable=True)
    b.relationship("order_line", ["ref_id"], "customer")
    b.relationship("customer", ["ref_id"], "customer")  # self-reference: no ordering constraint
    b.relationship("alpha", ["ref_id"], "beta")  # alpha <-> beta: a cycle
    b.relationship("beta", ["ref_id"], "alpha")
    b.relationship("zeta", ["ref_id"], "beta")
    return b.build()


def test_tables_in_fk_order_breaks_cycle_at_first_table_by_name() -> None:
    s = _schema()
    names = [t.name for t in tables_in_fk_order(s.tables, s.relationships)]
    # customer is ready at once; the alpha/beta cycle is broken at alpha (first by name)
    assert names == ["customer", "order_line", "alpha", "beta", "zeta"]
    assert [t.name for t in tables_in_fk_order(s.tables, ())] == [t.name for t in s.tables]
    uid = {t.name: t.uid for t in s.tables}
    edges: dict[str, set[str]] = {}
    for r in s.relationships:
        edges.setdefault(r.child_table, set()).add(r.parent_table)
    assert cyclic_components(edges) == tuple(sorted(
        [tuple(sorted((uid["alpha"], uid["beta"]))), (uid["customer"],)]))
