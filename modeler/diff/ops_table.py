"""Ops on tables and columns, plus the comment and metadata ops shared by all elements."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from modeler.diff.base import (
    Change,
    Op,
    SummaryEntry,
    added_ns_named,
    apply_changes,
    by_name,
    describe_changes,
    edit_column,
    edit_named,
    edit_table,
    find,
    insert_at,
    position_of,
    set_field,
    without,
)
from modeler.diff.narrowing import is_narrowing
from modeler.schema import sqlexpr
from modeler.schema.model import Column, Schema, Table, qualified_name

# Fields of a column that live in the database (AlterColumn) ...
COLUMN_DB_FIELDS = ("type", "collation", "nullable", "default", "identity", "generated",
                    "comment", "compression", "identity_options")
# ... and those that only the design knows (SetMetadata).
# ``backfill`` rides on the AlterColumn that makes the column NOT NULL (its migration fills
# the rows with it; see modeler.diff.compare_tables.alter_columns), else it is metadata.
COLUMN_META_FIELDS = ("null_meaning", "searchable", "frequently_queried", "denormalized",
                      "backfill")
TABLE_META_FIELDS = ("kind", "delete_strategy", "subject_area", "color", "position",
                     "query_patterns", "expected_rows")
RELATIONSHIP_META_FIELDS = ("cardinality", "optional")
SCHEMA_META_FIELDS = ("settings", "name")


@dataclass(frozen=True, slots=True)
class CreateTable(Op):
    """Create a table with its columns, primary key, uniques, checks and indexes (its foreign
    keys are separate :class:`AddForeignKey` ops)."""

    table: Table
    kind = "create_table"

    def reverse(self) -> Op:
        return DropTable(self.table)

    def apply(self, schema: Schema) -> Schema:
        return replace(schema, tables=added_ns_named(schema.tables, self.table))

    def describe(self) -> str:
        return f"create table {self.table.qualified_name} ({len(self.table.columns)} columns)"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("tables", "added", self.table.uid, self.table.qualified_name)


@dataclass(frozen=True, slots=True)
class DropTable(Op):
    table: Table
    kind = "drop_table"

    @property
    def destructive(self) -> bool:
        return True

    def reverse(self) -> Op:
        return CreateTable(self.table)

    def apply(self, schema: Schema) -> Schema:
        find(schema.tables, self.table.uid)
        return replace(schema, tables=without(schema.tables, self.table.uid))

    def describe(self) -> str:
        return f"drop table {self.table.qualified_name}"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("tables", "removed", self.table.uid, self.table.qualified_name)


@dataclass(frozen=True, slots=True)
class RenameTable(Op):
    """Rename and/or move a table to another namespace (``ALTER TABLE ... SET SCHEMA``)."""

    uid: str
    old_name: str
    new_name: str
    old_namespace: str = "public"
    new_namespace: str = "public"
    kind = "rename_table"

    def reverse(self) -> Op:
        return RenameTable(self.uid, self.new_name, self.old_name, self.new_namespace,
                           self.old_namespace)

    def apply(self, schema: Schema) -> Schema:
        return edit_table(schema, self.uid, lambda t: replace(
            t, name=self.new_name, namespace=self.new_namespace))

    def describe(self) -> str:
        return (f"rename table {qualified_name(self.old_namespace, self.old_name)} to "
                f"{qualified_name(self.new_namespace, self.new_name)}")

    def summary(self) -> SummaryEntry:
        return SummaryEntry("tables", "renamed", self.uid,
                            qualified_name(self.new_namespace, self.new_name),
                            detail=qualified_name(self.old_namespace, self.old_name))


@dataclass(frozen=True, slots=True)
class AddColumn(Op):
    """Add ``column`` at index ``position`` (the differ appends, as PostgreSQL does)."""

    table_uid: str
    table_name: str
    column: Column
    position: int
    kind = "add_column"

    def reverse(self) -> Op:
        return DropColumn(self.table_uid, self.table_name, self.column, self.position)

    def apply(self, schema: Schema) -> Schema:
        return edit_table(schema, self.table_uid, lambda t: replace(
            t, columns=insert_at(t.columns, self.position, self.column)))

    def describe(self) -> str:
        null = "" if self.column.nullable else " NOT NULL"
        return (f"add column {self.table_name}.{self.column.name} "
                f"{self.column.type.short()}{null}")

    def summary(self) -> SummaryEntry:
        return SummaryEntry("columns", "added", self.column.uid,
                            f"{self.table_name}.{self.column.name}", self.table_uid)


@dataclass(frozen=True, slots=True)
class DropColumn(Op):
    table_uid: str
    table_name: str
    column: Column
    position: int
    kind = "drop_column"

    @property
    def destructive(self) -> bool:
        return True

    def reverse(self) -> Op:
        return AddColumn(self.table_uid, self.table_name, self.column, self.position)

    def apply(self, schema: Schema) -> Schema:
        def on_table(t: Table) -> Table:
            if position_of(t.columns, self.column.uid) != self.position:
                raise ValueError(f"column {self.column.uid} is not at {self.position}")
            return replace(t, columns=without(t.columns, self.column.uid))
        return edit_table(schema, self.table_uid, on_table)

    def describe(self) -> str:
        return f"drop column {self.table_name}.{self.column.name}"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("columns", "removed", self.column.uid,
                            f"{self.table_name}.{self.column.name}", self.table_uid)


@dataclass(frozen=True, slots=True)
class RenameColumn(Op):
    table_uid: str
    table_name: str
    uid: str
    old_name: str
    new_name: str
    kind = "rename_column"

    def reverse(self) -> Op:
        return RenameColumn(self.table_uid, self.table_name, self.uid, self.new_name,
                            self.old_name)

    def apply(self, schema: Schema) -> Schema:
        """The column's new name; the table's expressions that mention it follow, as
        PostgreSQL rewrites them on ``RENAME COLUMN``."""
        renamed = edit_column(schema, self.table_uid, self.uid,
                              lambda c: replace(c, name=self.new_name))
        return edit_table(renamed, self.table_uid, lambda t: sqlexpr.rename_in_table(
            t, {self.old_name: self.new_name}))

    def describe(self) -> str:
        return f"rename column {self.table_name}.{self.old_name} to {self.new_name}"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("columns", "renamed", self.uid,
                            f"{self.table_name}.{self.new_name}", self.table_uid,
                            detail=self.old_name)


@dataclass(frozen=True, slots=True)
class AlterColumn(Op):
    """Type, collation, nullability, default, identity, generated expression and/or comment of
    a column; ``changes`` hold the old and new value of each changed field."""

    table_uid: str
    table_name: str
    uid: str
    name: str
    changes: tuple[Change, ...]
    kind = "alter_column"

    @property
    def destructive(self) -> bool:
        return bool(self.lossy_changes)

    @property
    def lossy_changes(self) -> tuple[Change, ...]:
        """The changes that can lose data: a narrowing type (:mod:`.narrowing`), a new
        generated expression (the column is dropped and added again)."""
        return tuple(c for c in self.changes
                     if (c.field == "type" and is_narrowing(c.old, c.new))
                     or (c.field == "generated" and c.new is not None))

    def reverse(self) -> Op:
        return AlterColumn(self.table_uid, self.table_name, self.uid, self.name,
                           tuple(c.reversed() for c in self.changes))

    def apply(self, schema: Schema) -> Schema:
        return edit_column(schema, self.table_uid, self.uid,
                           lambda c: apply_changes(c, self.changes))

    def change(self, field: str) -> Change | None:
        """The change of ``field``, if it changes."""
        for c in self.changes:
            if c.field == field:
                return c
        return None

    def describe(self) -> str:
        return f"alter column {self.table_name}.{self.name}: {describe_changes(self.changes)}"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("columns", "changed", self.uid, f"{self.table_name}.{self.name}",
                            self.table_uid, detail=", ".join(c.field for c in self.changes))


@dataclass(frozen=True, slots=True)
class ReorderColumns(Op):
    """Metadata only: the design's column order (PostgreSQL appends new columns)."""

    table_uid: str
    table_name: str
    old_order: tuple[str, ...]
    new_order: tuple[str, ...]
    kind = "reorder_columns"

    @property
    def touches_db(self) -> bool:
        return False

    def reverse(self) -> Op:
        return ReorderColumns(self.table_uid, self.table_name, self.new_order, self.old_order)

    def apply(self, schema: Schema) -> Schema:
        def on_table(t: Table) -> Table:
            if tuple(c.uid for c in t.columns) != self.old_order:
                raise ValueError(f"columns of {self.table_name} are not in the expected order")
            return replace(t, columns=tuple(t.column(uid) for uid in self.new_order))
        return edit_table(schema, self.table_uid, on_table)

    def describe(self) -> str:
        return f"reorder columns of {self.table_name} (design only)"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("tables", "changed", self.table_uid, self.table_name,
                            detail="column order")


CommentTarget = Literal["table", "index", "unique", "check", "relationship", "enum"]
_COLLECTIONS = {"index": "indexes", "unique": "uniques", "check": "checks"}


@dataclass(frozen=True, slots=True)
class SetComment(Op):
    """``COMMENT ON`` a table, index, constraint or enum (column comments: AlterColumn)."""

    target: CommentTarget
    table_uid: str | None
    uid: str
    name: str
    old: str
    new: str
    kind = "set_comment"

    def reverse(self) -> Op:
        return SetComment(self.target, self.table_uid, self.uid, self.name, self.new, self.old)

    def apply(self, schema: Schema) -> Schema:
        if self.target == "table":
            return edit_table(schema, self.uid, lambda t: replace(t, comment=self.new))
        if self.target == "relationship":
            return replace(schema, relationships=edit_named(
                schema.relationships, self.uid, lambda r: replace(r, comment=self.new)))
        if self.target == "enum":
            find(schema.enums, self.uid)
            return replace(schema, enums=tuple(replace(e, comment=self.new)
                                               if e.uid == self.uid else e
                                               for e in schema.enums))
        coll = _COLLECTIONS[self.target]
        assert self.table_uid is not None
        return edit_table(schema, self.table_uid, lambda t: set_field(t, coll, tuple(
            replace(i, comment=self.new) if i.uid == self.uid else i
            for i in getattr(t, coll))))

    def describe(self) -> str:
        verb = "remove comment on" if not self.new else "comment on"
        return f"{verb} {self.target} {self.name}"

    def summary(self) -> SummaryEntry:
        category = {"table": "tables", "index": "indexes", "enum": "enums"}.get(
            self.target, "constraints")
        return SummaryEntry(category, "changed", self.uid, self.name,  # type: ignore[arg-type]  # category: one of SummaryEntry's by the map above
                            self.table_uid if self.target != "table" else None,
                            detail="comment")


MetadataTarget = Literal["schema", "table", "column", "relationship"]


@dataclass(frozen=True, slots=True)
class SetMetadata(Op):
    """Design-only fields (no SQL): table kind, subject area, colour, diagram position, query
    patterns; column notes; relationship cardinality; project settings and name."""

    target: MetadataTarget
    table_uid: str | None
    uid: str
    name: str
    changes: tuple[Change, ...]
    kind = "set_metadata"

    @property
    def touches_db(self) -> bool:
        return False

    def reverse(self) -> Op:
        return SetMetadata(self.target, self.table_uid, self.uid, self.name,
                           tuple(c.reversed() for c in self.changes))

    def apply(self, schema: Schema) -> Schema:
        if self.target == "schema":
            return apply_changes(schema, self.changes)  # type: ignore[no-any-return]  # apply_changes takes and returns Any (any element kind)
        if self.target == "table":
            return edit_table(schema, self.uid, lambda t: apply_changes(t, self.changes))
        if self.target == "relationship":
            return replace(schema, relationships=by_name(
                apply_changes(r, self.changes) if r.uid == self.uid else r
                for r in schema.relationships))
        assert self.table_uid is not None
        return edit_column(schema, self.table_uid, self.uid,
                           lambda c: apply_changes(c, self.changes))

    def describe(self) -> str:
        return f"update {self.target} {self.name} (design only): " + ", ".join(
            c.field for c in self.changes)

    def summary(self) -> SummaryEntry | None:
        category = {"table": "tables", "column": "columns",
                    "relationship": "constraints"}.get(self.target)
        if category is None:
            return None
        return SummaryEntry(category, "changed", self.uid, self.name,  # type: ignore[arg-type]  # category: one of SummaryEntry's by the map above
                            self.table_uid, detail=", ".join(c.field for c in self.changes))
