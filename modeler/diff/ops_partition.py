"""Ops on collations and on declarative partitioning (attach, detach, partition key)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from modeler.diff.base import (
    Change,
    Op,
    SummaryEntry,
    added_ns_named,
    apply_changes,
    describe_changes,
    edit_ns_named,
    edit_table,
    find,
    without,
)
from modeler.schema.collations import canonical
from modeler.schema.model import Collation, Schema, Table

# Fields of a collation that CREATE COLLATION fixes (a change recreates it).
COLLATION_DEF = ("provider", "locale", "lc_collate", "lc_ctype", "deterministic", "rules")


# --- collations -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CreateCollation(Op):
    collation: Collation
    kind = "create_collation"

    def reverse(self) -> Op:
        return DropCollation(self.collation)

    def apply(self, schema: Schema) -> Schema:
        return replace(schema, collations=added_ns_named(schema.collations, self.collation))

    def describe(self) -> str:
        c = self.collation
        return f"create collation {c.qualified_name} ({c.provider}, {c.locale or c.lc_collate})"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("types", "added", self.collation.uid, self.collation.qualified_name)


@dataclass(frozen=True, slots=True)
class DropCollation(Op):
    collation: Collation
    kind = "drop_collation"

    @property
    def destructive(self) -> bool:
        return True

    def reverse(self) -> Op:
        return CreateCollation(self.collation)

    def apply(self, schema: Schema) -> Schema:
        find(schema.collations, self.collation.uid)
        return replace(schema, collations=without(schema.collations, self.collation.uid))

    def describe(self) -> str:
        return f"drop collation {self.collation.qualified_name}"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("types", "removed", self.collation.uid,
                            self.collation.qualified_name)


@dataclass(frozen=True, slots=True)
class AlterCollation(Op):
    """Rename, move, comment, or a new definition (provider, locale, ...: the collation is
    created again and the columns using it move over)."""

    uid: str
    name: str
    changes: tuple[Change, ...]
    kind = "alter_collation"

    @property
    def redefines(self) -> bool:
        return any(c.field in COLLATION_DEF for c in self.changes)

    def reverse(self) -> Op:
        return AlterCollation(self.uid, self.name, tuple(c.reversed() for c in self.changes))

    def apply(self, schema: Schema) -> Schema:
        """The collation changes; a rename or move also changes the COLLATE of the columns
        and index keys using it (PostgreSQL keeps them on the same collation)."""
        before = find(schema.collations, self.uid)
        out = replace(schema, collations=edit_ns_named(
            schema.collations, self.uid, lambda c: apply_changes(c, self.changes)))
        after = find(out.collations, self.uid)
        if before.ref == after.ref:
            return out
        return replace(out, tables=tuple(_recollated(t, canonical(before.ref), after.ref)
                                         for t in out.tables))

    def describe(self) -> str:
        return f"alter collation {self.name}: {describe_changes(self.changes)}"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("types", "changed", self.uid, self.name)


def _recollated(table: Table, old: str, new: str) -> Table:
    """``table`` with COLLATE ``old`` (columns, index keys) spelled ``new``."""
    def ref(value: str | None) -> str | None:
        return new if value is not None and canonical(value) == old else value

    columns = tuple(c if ref(c.collation) == c.collation else replace(c, collation=ref(c.collation))
                    for c in table.columns)
    indexes = tuple(i if all(ref(p.collation) == p.collation for p in i.parts) else replace(
        i, parts=tuple(replace(p, collation=ref(p.collation)) for p in i.parts))
        for i in table.indexes)
    if columns == table.columns and indexes == table.indexes:
        return table
    return replace(table, columns=columns, indexes=indexes)


# --- partitions -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class AttachPartition(Op):
    """``ALTER TABLE parent ATTACH PARTITION table <bound>``: PostgreSQL pairs the table's
    keys, indexes and FKs with the parent's (the design holds both copies)."""

    table_uid: str
    table_name: str
    parent_uid: str
    parent_name: str
    bound: str
    kind = "attach_partition"

    def reverse(self) -> Op:
        return DetachPartition(self.table_uid, self.table_name, self.parent_uid,
                               self.parent_name, self.bound)

    def apply(self, schema: Schema) -> Schema:
        def on_table(t: Table) -> Table:
            if t.partition_of is not None:
                raise ValueError(f"{self.table_name} is already a partition")
            return replace(t, partition_of=self.parent_uid, partition_bound=self.bound)
        schema.table(self.parent_uid)
        return edit_table(schema, self.table_uid, on_table)

    def describe(self) -> str:
        return f"attach {self.table_name} as a partition of {self.parent_name} {self.bound}"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("tables", "changed", self.table_uid, self.table_name,
                            detail="partition of " + self.parent_name)


@dataclass(frozen=True, slots=True)
class DetachPartition(Op):
    """``ALTER TABLE parent DETACH PARTITION table``: it stays, as a plain table with its own
    keys, indexes and FKs."""

    table_uid: str
    table_name: str
    parent_uid: str
    parent_name: str
    bound: str
    kind = "detach_partition"

    def reverse(self) -> Op:
        return AttachPartition(self.table_uid, self.table_name, self.parent_uid,
                               self.parent_name, self.bound)

    def apply(self, schema: Schema) -> Schema:
        def on_table(t: Table) -> Table:
            if (t.partition_of, t.partition_bound) != (self.parent_uid, self.bound):
                raise ValueError(f"{self.table_name} is not that partition")
            return replace(t, partition_of=None, partition_bound="")
        return edit_table(schema, self.table_uid, on_table)

    def describe(self) -> str:
        return f"detach partition {self.table_name} from {self.parent_name}"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("tables", "changed", self.table_uid, self.table_name,
                            detail="no longer a partition of " + self.parent_name)


@dataclass(frozen=True, slots=True)
class AlterPartitionKey(Op):
    """A new ``PARTITION BY`` for an existing table. PostgreSQL cannot change it in place: the
    table must be rebuilt and its rows moved, which the generated migration refuses to guess
    (it stops with an explanation)."""

    table_uid: str
    table_name: str
    old: str | None
    new: str | None
    kind = "alter_partition_key"

    @property
    def destructive(self) -> bool:
        return True

    def reverse(self) -> Op:
        return AlterPartitionKey(self.table_uid, self.table_name, self.new, self.old)

    def apply(self, schema: Schema) -> Schema:
        return edit_table(schema, self.table_uid, lambda t: replace(t, partition_by=self.new))

    def describe(self) -> str:
        return (f"change the partitioning of {self.table_name}: "
                f"{self.old or 'not partitioned'} → {self.new or 'not partitioned'}")

    def summary(self) -> SummaryEntry:
        return SummaryEntry("tables", "changed", self.table_uid, self.table_name,
                            detail="partition key")
