"""One judgment of loss: rule MG-05 reports exactly the diff ops marked destructive (what the
migration and the review call destructive), with one lossiness table
(:mod:`modeler.diff.narrowing`)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from modeler.diff import AlterColumn, diff
from modeler.diff.narrowing import is_narrowing
from modeler.rules import Config, destructive_changes, lint
from modeler.schema.builder import SchemaBuilder
from modeler.schema.model import ColumnType, Schema, Sequence


def _design(ctype: ColumnType) -> Schema:
    b = SchemaBuilder()
    t = b.table("reading", comment="One meter reading")
    t.column("id", "bigint", identity="always", pk=True)
    t.column("v", "text")
    schema = b.build()
    table = schema.tables[0]
    cols = tuple(replace(c, type=ctype) if c.name == "v" else c for c in table.columns)
    return replace(schema, tables=(replace(table, columns=cols),))


def _mg05(old: Schema, new: Schema) -> list[str]:
    return [f.message for f in lint(new, Config(previous=old), rules=["MG-05"])]


def T(name: str, *, length: int | None = None, precision: int | None = None,
      scale: int | None = None, array_dims: int = 0) -> ColumnType:
    """A builtin type (the capital T reads like the type it builds)."""
    return ColumnType(name=name, length=length, precision=precision, scale=scale,
                      array_dims=array_dims)


# The pairs on which the migration (diff/narrowing.py) and MG-05 (its own is_widening)
# disagreed, with the one answer now given (True = lossy).
DECIDED = [
    (T("json"), T("jsonb"), True),  # duplicate keys, key order, \u0000: lost or refused
    (T("uuid"), T("text"), False),
    (T("integer"), T("text"), False),
    (T("bigint"), T("varchar"), False),
    (T("integer"), T("double precision"), False),  # int4 < 2^31: exact in float8 (2^53)
    (T("smallint"), T("real"), False),  # int2 < 2^15: exact in float4 (2^24)
    (T("date"), T("text"), False),
    (T("inet"), T("text"), False),
    (T("numeric", precision=12, scale=2), T("text"), False),
    (T("char", length=10), T("varchar", length=20), False),
    (T("char", length=10), T("char", length=20), False),
    (T("bit", length=10), T("bit", length=20), True),  # padded: another value
    (T("varbit", length=10), T("varbit", length=20), False),
    # and where both already agreed, still lossy
    (T("bigint"), T("double precision"), True),  # above 2^53
    (T("integer"), T("real"), True),
    (T("char", length=10), T("char"), True),  # a bare character is character(1)
    (T("text"), T("varchar", length=10), True),
    (T("timestamptz"), T("timestamp"), True),
]


@pytest.mark.parametrize(("old", "new", "lossy"), DECIDED,
                         ids=[f"{o.short()}->{n.short()}" for o, n, _ in DECIDED])
def test_one_answer_per_type_pair(old: ColumnType, new: ColumnType, lossy: bool) -> None:
    before, after = _design(old), _design(new)
    ops = [op for op in diff(before, after) if isinstance(op, AlterColumn)]
    assert len(ops) == 1
    assert is_narrowing(old, new) is lossy
    assert ops[0].destructive is lossy  # the migration's and the review's mark
    found = _mg05(before, after)
    assert bool(found) is lossy, found
    if lossy:
        assert found == [f"Lossy step: {old.short()} → {new.short()}"]


def test_enum_and_domain_to_unbounded_text_are_safe_another_enum_is_not() -> None:
    b = SchemaBuilder()
    b.enum("status", ["new", "paid"])
    b.enum("state", ["new", "paid", "void"])
    b.domain("amount", "numeric", precision=12, scale=2)
    base = b.build()
    status, state = (e.uid for e in base.enums)
    amount = base.domains[0].uid

    def with_type(ctype: ColumnType) -> Schema:
        d = _design(ctype)
        return replace(d, enums=base.enums, domains=base.domains)

    enum, domain = (ColumnType(kind="enum", ref=status),
                    ColumnType(kind="domain", ref=amount))
    for old in (enum, domain):
        for new in (T("text"), T("varchar"), T("citext")):
            assert _mg05(with_type(old), with_type(new)) == []
        assert _mg05(with_type(old), with_type(T("varchar", length=10)))
    assert _mg05(with_type(enum), with_type(ColumnType(kind="enum", ref=state)))


def test_dropped_objects_the_ops_call_destructive_are_reported() -> None:
    b = SchemaBuilder()
    b.domain("amount", "numeric", precision=12, scale=2)
    b.extension("pg_trgm")
    t = b.table("reading", comment="One meter reading")
    t.column("id", "bigint", identity="always", pk=True)
    old = b.build()
    old = replace(old, sequences=(Sequence(uid="seq1", name="reading_no_seq"),))
    new = replace(old, domains=(), extensions=(), sequences=())
    found = lint(new, Config(previous=old), rules=["MG-05"])
    assert sorted((f.target.kind, f.target.path) for f in found) == [
        ("domain", "amount"), ("extension", "pg_trgm"), ("sequence", "reading_no_seq")]
    assert all(f.target.uid for f in found)


def test_a_new_generated_expression_is_lossy() -> None:
    before = _design(T("integer"))
    table = before.tables[0]
    cols = tuple(replace(c, generated="id * 2") if c.name == "v" else c
                 for c in table.columns)
    after = replace(before, tables=(replace(table, columns=cols),))
    assert any(op.destructive for op in diff(before, after))
    assert _mg05(before, after) == ["Lossy step: new generated expression rewrites the column"]


GRID = [T("smallint"), T("integer"), T("bigint"), T("numeric"), T("numeric", precision=10,
        scale=2), T("real"), T("double precision"), T("text"), T("citext"), T("varchar"),
        T("varchar", length=10), T("varchar", length=20), T("char", length=10), T("date"),
        T("timestamp"), T("timestamptz"), T("json"), T("jsonb"), T("uuid"), T("inet"),
        T("boolean"), T("integer", array_dims=1), T("text", array_dims=1)]


def test_mg05_reports_exactly_the_destructive_ops_over_a_grid_of_type_changes() -> None:
    for old in GRID:
        for new in GRID:
            before, after = _design(old), _design(new)
            marked = [op for op in diff(before, after) if op.destructive]
            assert len(_mg05(before, after)) == len(marked), (old.short(), new.short())


def test_the_last_answer_is_kept_for_the_same_two_snapshots_only() -> None:
    before, after = _design(T("bigint")), _design(T("integer"))
    first = destructive_changes(before, after)
    assert len(first) == 1 and destructive_changes(before, after) is first
    wider = _design(T("numeric"))
    assert destructive_changes(before, wider) == ()
    assert destructive_changes(before, after) == first
