"""The design's validation refuses what PostgreSQL refuses (the editor shows the message)."""

from __future__ import annotations

from dataclasses import replace

from modeler.schema import model as m
from modeler.schema import validate
from modeler.schema.builder import SchemaBuilder


def _design() -> m.Schema:
    b = SchemaBuilder()
    p = b.table("p", comment="parent")
    p.column("id", "bigint", identity="always", pk=True)
    p.column("code", "text")
    c = b.table("c", comment="child")
    c.column("id", "bigint", identity="always", pk=True)
    c.column("p_id", "bigint")
    c.column("label", "text")
    c.index("p_id")
    b.relationship("c", ["p_id"], "p", on_delete="RESTRICT")
    return b.build()


def _table(s: m.Schema, name: str) -> m.Table:
    t = s.table_named(name)
    assert t is not None
    return t


def _put(s: m.Schema, t: m.Table) -> m.Schema:
    return m.normalized(replace(s, tables=tuple(t if x.uid == t.uid else x for x in s.tables)))


def test_the_design_is_valid() -> None:
    assert validate.problems(_design()) == []


def test_unique_and_multicolumn_support_by_method() -> None:
    s = _design()
    c = _table(s, "c")
    ix = replace(c.indexes[0], unique=True, method="hash")
    found = validate.problems(_put(s, replace(c, indexes=(ix,))))
    assert any("hash does not support unique indexes" in p for p in found)
    two = replace(c.indexes[0], method="hash", parts=(
        m.IndexPart(column=c.columns[1].uid), m.IndexPart(column=c.columns[2].uid)))
    found = validate.problems(_put(s, replace(c, indexes=(two,))))
    assert any("does not support multicolumn indexes" in p for p in found)


def test_identity_needs_an_integer_type() -> None:
    s = _design()
    c = _table(s, "c")
    label = replace(c.columns[2], identity="always")
    found = validate.problems(_put(s, replace(c, columns=(*c.columns[:2], label))))
    assert any("identity column type must be" in p for p in found)


def test_identity_is_refused_on_a_domain_even_over_an_integer() -> None:
    """PostgreSQL checks the column's own type (a domain over bigint is refused: identity
    column type must be smallint, integer, or bigint); the design passed it, and its
    export failed at the upgrade."""
    s = _design()
    dom = m.Domain(uid="d", name="ident", base=m.ColumnType(name="bigint"))
    c = _table(s, "c")
    typed = replace(c.columns[0], type=m.ColumnType(kind="domain", ref="d"))
    found = validate.problems(_put(replace(s, domains=(dom,)),
                                   replace(c, columns=(typed, *c.columns[1:]))))
    assert any("identity column type must be" in p for p in found)


def test_a_foreign_key_references_a_key() -> None:
    s = _design()
    p = _table(s, "p")
    rel = replace(s.relationships[0], parent_columns=(p.columns[1].uid,))
    found = validate.problems(replace(s, relationships=(rel,)))
    assert any("no unique constraint matching" in x for x in found)


def test_relation_names_are_unique_per_namespace() -> None:
    s = _design()
    c = _table(s, "c")
    found = validate.problems(_put(s, replace(c, indexes=(replace(c.indexes[0], name="p"),))))
    assert any("relation public.p is defined 2 times" in x for x in found)


def test_identity_has_no_default() -> None:
    s = _design()
    c = _table(s, "c")
    both = replace(c.columns[0], default="1")
    found = validate.problems(_put(s, replace(c, columns=(both, *c.columns[1:]))))
    assert any("both default and identity" in p for p in found)


def test_names_postgresql_keeps_in_one_place() -> None:
    b = SchemaBuilder()
    b.enum("status", ["a"])
    b.domain("status", "integer")
    t = b.table("status", comment="clash")
    t.column("id", "bigint", identity="always", pk=True)
    found = validate.problems(b.build())
    assert any("two types named public.status" in p for p in found)
    assert any("has the name of a type" in p for p in found)
