"""The differ on collations and partitions: which ops, in which order, and that each pair of
snapshots goes there and back (``apply_all`` of the ops and of their reverse)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from modeler.diff import (
    AlterCollation,
    AlterColumn,
    AlterPartitionKey,
    AttachPartition,
    CreateCollation,
    CreateTable,
    DetachPartition,
    DropCollation,
    DropTable,
    Op,
    apply_all,
    diff,
    reverse_all,
)
from modeler.diff.ops_constraint import AddForeignKey, AddIndex, DropIndex
from modeler.importers import import_sql
from modeler.schema import model as m

BASE = """
CREATE COLLATION nat (provider = icu, locale = 'und-u-kn-true');
CREATE TABLE account (id int PRIMARY KEY, name text COLLATE nat);
CREATE TABLE event (id int NOT NULL, account_id int NOT NULL REFERENCES account (id),
    day date NOT NULL, PRIMARY KEY (id, day)) PARTITION BY RANGE (day);
CREATE TABLE event_2025 PARTITION OF event FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
"""


def design(sql: str) -> m.Schema:
    return import_sql([("d.sql", sql)]).schema


def round_trip(a: m.Schema, b: m.Schema) -> tuple[Op, ...]:
    ops = diff(a, b)
    assert apply_all(ops, m.normalized(a)) == m.normalized(b)
    assert apply_all(reverse_all(ops), m.normalized(b)) == m.normalized(a)
    return ops


def kinds(ops: tuple[Op, ...]) -> list[str]:
    return [type(op).__name__ for op in ops]


def test_a_new_partition_is_created_plain_and_attached_last() -> None:
    a = design(BASE)
    b = design(BASE + "CREATE TABLE event_2026 PARTITION OF event "
                      "FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');")
    ops = round_trip(a, b)
    assert kinds(ops) == ["CreateTable", "AddForeignKey", "AttachPartition"]
    create = ops[0]
    assert isinstance(create, CreateTable) and create.table.partition_of is None
    attach = ops[-1]
    assert isinstance(attach, AttachPartition)
    assert attach.bound == "FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')"
    assert attach.describe() == ("attach event_2026 as a partition of event FOR VALUES FROM "
                                 "('2026-01-01') TO ('2027-01-01')")
    assert isinstance(attach.reverse(), DetachPartition)
    # going back: detached first, then its FK and the table go
    assert kinds(reverse_all(ops)) == ["DetachPartition", "DropForeignKey", "DropTable"]


def test_a_partition_that_goes_or_moves_is_detached_first() -> None:
    a = design(BASE)
    gone = replace(a, tables=tuple(t for t in a.tables if t.name != "event_2025"),
                   relationships=tuple(r for r in a.relationships
                                       if r.child_table != a.table_named("event_2025").uid))  # type: ignore[union-attr]
    ops = round_trip(a, gone)
    assert kinds(ops) == ["DetachPartition", "DropForeignKey", "DropTable"]
    moved = design(BASE.replace("FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')", "DEFAULT"))
    ops = round_trip(a, moved)
    assert kinds(ops) == ["DetachPartition", "AttachPartition"]
    assert isinstance(ops[1], AttachPartition) and ops[1].bound == "DEFAULT"


def test_a_new_partition_key_is_one_destructive_op() -> None:
    a = design(BASE)
    b = design(BASE.replace("PARTITION BY RANGE (day)", "PARTITION BY RANGE (day, id)"))
    ops = round_trip(a, b)
    assert kinds(ops) == ["AlterPartitionKey"]
    op = ops[0]
    assert isinstance(op, AlterPartitionKey) and op.destructive
    assert op.describe() == ("change the partitioning of event: RANGE (day) → "
                             "RANGE (day, id)")


def test_elements_of_attached_partitions_come_before_their_parents_and_go_after() -> None:
    a = design(BASE)
    b = design(BASE + "CREATE INDEX event_day ON event (day);")
    ops = round_trip(a, b)
    assert [(type(op).__name__, getattr(op, "table_name", "")) for op in ops] == [
        ("AddIndex", "event_2025"), ("AddIndex", "event")]
    assert all(isinstance(op, AddIndex) for op in ops)
    back = reverse_all(ops)
    assert [(type(op).__name__, getattr(op, "table_name", "")) for op in back] == [
        ("DropIndex", "event"), ("DropIndex", "event_2025")]
    assert all(isinstance(op, DropIndex) for op in back)


def test_fks_of_partitions_come_before_their_parents() -> None:
    sql = BASE.replace(" REFERENCES account (id)", "")
    a = design(sql)
    b = design(sql + "ALTER TABLE event ADD CONSTRAINT event_account FOREIGN KEY "
                     "(account_id) REFERENCES account (id);")
    ops = round_trip(a, b)
    assert [(type(op).__name__, op.child_name) for op in ops
            if isinstance(op, AddForeignKey)] == [("AddForeignKey", "event_2025"),
                                                  ("AddForeignKey", "event")]


def test_collations_come_first_and_go_last() -> None:
    a = design(BASE)
    b = design(BASE.replace("name text COLLATE nat", "name text COLLATE ci")
               .replace("CREATE COLLATION nat", "CREATE COLLATION ci"))
    ops = round_trip(a, b)
    # a collation renamed in the SQL is another collation (uids come from names)
    assert kinds(ops) == ["CreateCollation", "AlterColumn", "DropCollation"]
    alter = ops[1]
    assert isinstance(alter, AlterColumn)
    assert alter.change("collation") is not None
    assert alter.describe() == ("alter column account.name: collation 'public.nat' → "
                                "'public.ci'")
    assert isinstance(ops[0], CreateCollation) and isinstance(ops[2], DropCollation)
    assert ops[2].destructive and not ops[0].destructive


@pytest.mark.parametrize(("field", "value", "redefines"), [
    ("name", "natural_v2", False), ("namespace", "app", False), ("comment", "hi", False),
    ("locale", "de", True), ("deterministic", False, True),
])
def test_a_collation_changes_in_place(field: str, value: object, redefines: bool) -> None:
    a = design(BASE)
    coll = a.collations[0]
    changed = replace(coll, **{field: value})
    b = replace(a, collations=(changed,), tables=tuple(replace(t, columns=tuple(
        replace(c, collation=changed.ref) if c.collation == coll.ref else c
        for c in t.columns)) for t in a.tables))
    ops = [op for op in round_trip(a, b) if not isinstance(op, AlterColumn)]
    names = kinds(tuple(ops))
    assert "AlterCollation" in names and "DropCollation" not in names
    alter = next(op for op in ops if isinstance(op, AlterCollation))
    assert alter.redefines is redefines
    assert isinstance(alter.reverse(), AlterCollation)


def test_dropping_a_partitioned_parent_keeps_its_partitions() -> None:
    from modeler.schema.edit import drop

    a = design(BASE)
    parent = a.table_named("event")
    assert parent is not None
    b = drop(a, parent.uid)
    part = b.table_named("event_2025")
    assert part is not None and part.partition_of is None and part.partition_bound == ""
    ops = round_trip(a, b)
    assert kinds(ops)[0] == "DetachPartition"
    assert isinstance(ops[-1], DropTable) or "DropTable" in kinds(ops)
