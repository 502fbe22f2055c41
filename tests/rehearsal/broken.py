"""Designs whose rehearsal must fail one named check (and a healthy one that passes with
query patterns and skewed columns)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from modeler.codegen.versions import VersionInput
from modeler.schema.builder import SchemaBuilder, stable_uid
from modeler.schema.model import Column, ColumnType, Schema, normalized


def _v(number: int, schema: Schema, message: str) -> VersionInput:
    return VersionInput(number=number, message=message, author="tester",
                        created=f"2026-02-{number:02d}", schema=schema)


def ledger(*, pattern_index: bool = True, skew: bool = True) -> Schema:
    """Accounts and entries; entries are queried by account and date."""
    b = SchemaBuilder(name="Ledger")
    b.enum("entry_kind", ["debit", "credit"])
    a = b.table("account")
    a.column("id", "bigint", identity="always", pk=True)
    a.column("code", "varchar", length=12)
    a.column("opened_on", "date")
    a.unique("code")
    e = b.table("entry")
    e.column("id", "bigint", identity="always", pk=True)
    e.column("account_id", "bigint", frequently_queried=skew)
    e.column("kind", enum="entry_kind")
    e.column("amount", "numeric", precision=12, scale=2)
    e.column("booked_at", "timestamptz")
    e.column("memo", "text", nullable=True)
    e.check("ck_entry_amount_positive", "amount > (0)::numeric")
    if pattern_index:
        e.index("account_id", "booked_at")
    else:
        e.index("booked_at")
    e.query_pattern("by_account_recent", equality=("account_id",), range_="booked_at")
    b.relationship("entry", ["account_id"], "account", on_delete="RESTRICT",
                   on_update="NO ACTION")
    return b.build()


def _add_column(s: Schema, table: str, column: Column) -> Schema:
    t = s.table_named(table)
    assert t is not None
    t2 = replace(t, columns=(*t.columns, column))
    return normalized(replace(s, tables=tuple(t2 if x.uid == t.uid else x for x in s.tables)))


def healthy() -> list[VersionInput]:
    v1 = ledger()
    v2 = _add_column(v1, "entry", Column(uid=stable_uid("column", "entry", "note"),
                                         name="note", type=ColumnType(name="text"),
                                         nullable=True))
    return [_v(1, v1, "Ledger"), _v(2, v2, "Add a note")]


def missing_index() -> list[VersionInput]:
    """A query pattern no index serves."""
    v1 = ledger()
    return [_v(1, v1, "Ledger"), _v(2, ledger(pattern_index=False), "Drop the account index")]


def not_null_without_backfill() -> list[VersionInput]:
    """v2 adds a NOT NULL column without a default to a table with rows (of a type the
    migration has no placeholder constant for, so it adds it nullable and sets NOT NULL:
    the rows have no value)."""
    v1 = ledger()
    v2 = _add_column(v1, "entry", Column(uid=stable_uid("column", "entry", "position"),
                                         name="position",
                                         type=ColumnType(kind="custom", name="pg_lsn")))
    return [_v(1, v1, "Ledger"), _v(2, v2, "Add position")]


def check_violated() -> list[VersionInput]:
    """v2 adds a CHECK the existing rows break (amounts are above 1)."""
    v1 = ledger()
    b_entry = v1.table_named("entry")
    assert b_entry is not None
    from modeler.schema.model import CheckConstraint
    check = CheckConstraint(uid=stable_uid("check", "entry", "ck_entry_small"),
                            name="ck_entry_small", expression="amount < (1)::numeric")
    t2 = replace(b_entry, checks=(*b_entry.checks, check))
    v2 = normalized(replace(v1, tables=tuple(t2 if t.uid == t2.uid else t for t in v1.tables)))
    return [_v(1, v1, "Ledger"), _v(2, v2, "Amounts below one")]


def rewrite() -> list[VersionInput]:
    """v2 changes entry.amount from numeric(12,2) to double precision: a table rewrite under
    ACCESS EXCLUSIVE (rehearse it with a large expected volume)."""
    v1 = ledger()
    entry = v1.table_named("entry")
    assert entry is not None
    cols = tuple(replace(c, type=ColumnType(name="double precision"))
                 if c.name == "amount" else c for c in entry.columns)
    t2 = replace(entry, columns=cols, checks=())
    v2 = normalized(replace(v1, tables=tuple(t2 if t.uid == t2.uid else t for t in v1.tables)))
    return [_v(1, v1, "Ledger"), _v(2, v2, "Amounts as floats")]


BROKEN: dict[str, tuple[Callable[[], list[VersionInput]], str]] = {
    "missing-index": (missing_index, "query-plans"),
    "not-null-without-backfill": (not_null_without_backfill, "migration"),
    "check-violated": (check_violated, "migration"),
    "rewrite": (rewrite, "locks"),
}
