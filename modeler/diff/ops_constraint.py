"""Ops on keys, constraints and indexes: primary keys, foreign keys (relationships), unique
and check constraints, indexes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from modeler.diff.base import (
    Op,
    SummaryEntry,
    added_named,
    edit_named,
    edit_table,
    find,
    set_field,
    without,
)
from modeler.schema.model import (
    CheckConstraint,
    Index,
    Relationship,
    Schema,
    Table,
    UniqueConstraint,
)

PkColumns = tuple[tuple[str, int], ...]  # (column uid, pk_order)


def _set_pk(table: Table, columns: PkColumns, present: bool) -> Table:
    """Put ``columns`` in (``present``) or out of the primary key."""
    orders = dict(columns)
    for uid in orders:
        table.column(uid)  # KeyError when missing
    if present and any(c.pk_order is not None for c in table.columns):
        raise ValueError(f"{table.name} already has a primary key")
    cols = tuple(replace(c, pk_order=orders[c.uid] if present else None)
                 if c.uid in orders else c for c in table.columns)
    return replace(table, columns=cols)


@dataclass(frozen=True, slots=True)
class AddPrimaryKey(Op):
    """Make ``columns`` (uid, pk_order) the primary key; the name is the table's ``pk_name``."""

    table_uid: str
    table_name: str
    name: str
    columns: PkColumns
    column_names: tuple[str, ...] = ()
    kind = "add_primary_key"

    def reverse(self) -> Op:
        return DropPrimaryKey(self.table_uid, self.table_name, self.name, self.columns,
                              self.column_names)

    def apply(self, schema: Schema) -> Schema:
        return edit_table(schema, self.table_uid, lambda t: _set_pk(t, self.columns, True))

    def describe(self) -> str:
        return f"add primary key {self.name} on {self.table_name} ({', '.join(self.column_names)})"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("constraints", "added", f"{self.table_uid}:pk", self.name,
                            self.table_uid, detail="primary key")


@dataclass(frozen=True, slots=True)
class DropPrimaryKey(Op):
    table_uid: str
    table_name: str
    name: str
    columns: PkColumns
    column_names: tuple[str, ...] = ()
    kind = "drop_primary_key"

    def reverse(self) -> Op:
        return AddPrimaryKey(self.table_uid, self.table_name, self.name, self.columns,
                             self.column_names)

    def apply(self, schema: Schema) -> Schema:
        def on_table(t: Table) -> Table:
            current = tuple((c.uid, c.pk_order) for c in t.columns if c.pk_order is not None)
            if sorted(current) != sorted(self.columns):
                raise ValueError(f"primary key of {self.table_name} differs from the op's")
            return _set_pk(t, self.columns, False)
        return edit_table(schema, self.table_uid, on_table)

    def describe(self) -> str:
        return f"drop primary key {self.name} of {self.table_name}"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("constraints", "removed", f"{self.table_uid}:pk", self.name,
                            self.table_uid, detail="primary key")


@dataclass(frozen=True, slots=True)
class RenamePrimaryKey(Op):
    """Change ``Table.pk_name`` (None = the naming convention's ``pk_<table>``)."""

    table_uid: str
    table_name: str
    old_name: str | None
    new_name: str | None
    kind = "rename_primary_key"

    def reverse(self) -> Op:
        return RenamePrimaryKey(self.table_uid, self.table_name, self.new_name, self.old_name)

    def apply(self, schema: Schema) -> Schema:
        return edit_table(schema, self.table_uid, lambda t: replace(t, pk_name=self.new_name))

    def describe(self) -> str:
        return (f"rename primary key of {self.table_name} from {self.old_name or 'default'} "
                f"to {self.new_name or 'default'}")

    def summary(self) -> SummaryEntry:
        return SummaryEntry("constraints", "renamed", f"{self.table_uid}:pk",
                            self.new_name or "", self.table_uid,
                            detail=self.old_name or "")


Element = Index | UniqueConstraint | CheckConstraint
Collection = Literal["indexes", "uniques", "checks"]
_WORD = {"indexes": "index", "uniques": "unique constraint", "checks": "check constraint"}


def _collection(element: Element) -> Collection:
    if isinstance(element, Index):
        return "indexes"
    return "uniques" if isinstance(element, UniqueConstraint) else "checks"


def _add(schema: Schema, table_uid: str, element: Element) -> Schema:
    coll = _collection(element)
    return edit_table(schema, table_uid, lambda t: set_field(
        t, coll, added_named(getattr(t, coll), element)))


def _drop(schema: Schema, table_uid: str, element: Element) -> Schema:
    coll = _collection(element)

    def on_table(t: Table) -> Table:
        items: tuple[Any, ...] = getattr(t, coll)
        find(items, element.uid)
        return set_field(t, coll, without(items, element.uid))
    return edit_table(schema, table_uid, on_table)


def _category(element: Element) -> Literal["indexes", "constraints"]:
    return "indexes" if isinstance(element, Index) else "constraints"


@dataclass(frozen=True, slots=True)
class AddIndex(Op):
    table_uid: str
    table_name: str
    index: Index
    kind = "add_index"

    def reverse(self) -> Op:
        return DropIndex(self.table_uid, self.table_name, self.index)

    def apply(self, schema: Schema) -> Schema:
        return _add(schema, self.table_uid, self.index)

    def describe(self) -> str:
        unique = "unique " if self.index.unique else ""
        return f"create {unique}index {self.index.name} on {self.table_name}"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("indexes", "added", self.index.uid, self.index.name,
                            self.table_uid)


@dataclass(frozen=True, slots=True)
class DropIndex(Op):
    table_uid: str
    table_name: str
    index: Index
    kind = "drop_index"

    def reverse(self) -> Op:
        return AddIndex(self.table_uid, self.table_name, self.index)

    def apply(self, schema: Schema) -> Schema:
        return _drop(schema, self.table_uid, self.index)

    def describe(self) -> str:
        return f"drop index {self.index.name} on {self.table_name}"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("indexes", "removed", self.index.uid, self.index.name,
                            self.table_uid)


@dataclass(frozen=True, slots=True)
class AddUnique(Op):
    table_uid: str
    table_name: str
    constraint: UniqueConstraint
    kind = "add_unique"

    def reverse(self) -> Op:
        return DropUnique(self.table_uid, self.table_name, self.constraint)

    def apply(self, schema: Schema) -> Schema:
        return _add(schema, self.table_uid, self.constraint)

    def describe(self) -> str:
        return f"add unique constraint {self.constraint.name} on {self.table_name}"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("constraints", "added", self.constraint.uid,
                            self.constraint.name, self.table_uid, detail="unique")


@dataclass(frozen=True, slots=True)
class DropUnique(Op):
    table_uid: str
    table_name: str
    constraint: UniqueConstraint
    kind = "drop_unique"

    def reverse(self) -> Op:
        return AddUnique(self.table_uid, self.table_name, self.constraint)

    def apply(self, schema: Schema) -> Schema:
        return _drop(schema, self.table_uid, self.constraint)

    def describe(self) -> str:
        return f"drop unique constraint {self.constraint.name} on {self.table_name}"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("constraints", "removed", self.constraint.uid,
                            self.constraint.name, self.table_uid, detail="unique")


@dataclass(frozen=True, slots=True)
class AddCheck(Op):
    table_uid: str
    table_name: str
    constraint: CheckConstraint
    kind = "add_check"

    def reverse(self) -> Op:
        return DropCheck(self.table_uid, self.table_name, self.constraint)

    def apply(self, schema: Schema) -> Schema:
        return _add(schema, self.table_uid, self.constraint)

    def describe(self) -> str:
        return (f"add check constraint {self.constraint.name} on {self.table_name}: "
                f"{self.constraint.expression}")

    def summary(self) -> SummaryEntry:
        return SummaryEntry("constraints", "added", self.constraint.uid,
                            self.constraint.name, self.table_uid, detail="check")


@dataclass(frozen=True, slots=True)
class DropCheck(Op):
    table_uid: str
    table_name: str
    constraint: CheckConstraint
    kind = "drop_check"

    def reverse(self) -> Op:
        return AddCheck(self.table_uid, self.table_name, self.constraint)

    def apply(self, schema: Schema) -> Schema:
        return _drop(schema, self.table_uid, self.constraint)

    def describe(self) -> str:
        return f"drop check constraint {self.constraint.name} on {self.table_name}"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("constraints", "removed", self.constraint.uid,
                            self.constraint.name, self.table_uid, detail="check")


@dataclass(frozen=True, slots=True)
class RenameTableElement(Op):
    """Rename an index, unique constraint or check constraint (same definition, same uid)."""

    collection: Collection
    table_uid: str
    table_name: str
    uid: str
    old_name: str
    new_name: str
    kind = "rename_table_element"

    def reverse(self) -> Op:
        return RenameTableElement(self.collection, self.table_uid, self.table_name, self.uid,
                                  self.new_name, self.old_name)

    def apply(self, schema: Schema) -> Schema:
        return edit_table(schema, self.table_uid, lambda t: set_field(
            t, self.collection, edit_named(getattr(t, self.collection), self.uid,
                                           lambda i: replace(i, name=self.new_name))))

    def describe(self) -> str:
        return (f"rename {_WORD[self.collection]} {self.old_name} to {self.new_name} "
                f"on {self.table_name}")

    def summary(self) -> SummaryEntry:
        category = "indexes" if self.collection == "indexes" else "constraints"
        return SummaryEntry(category, "renamed", self.uid, self.new_name,  # type: ignore[arg-type]  # category: indexes or constraints
                            self.table_uid, detail=self.old_name)


def _fk_label(rel: Relationship, child: str, parent: str) -> str:
    return f"{rel.name} ({child} → {parent})"


@dataclass(frozen=True, slots=True)
class AddForeignKey(Op):
    relationship: Relationship
    child_name: str = ""
    parent_name: str = ""
    kind = "add_foreign_key"

    def reverse(self) -> Op:
        return DropForeignKey(self.relationship, self.child_name, self.parent_name)

    def apply(self, schema: Schema) -> Schema:
        return replace(schema, relationships=added_named(schema.relationships,
                                                          self.relationship))

    def describe(self) -> str:
        label = _fk_label(self.relationship, self.child_name, self.parent_name)
        return f"add foreign key {label}"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("constraints", "added", self.relationship.uid,
                            self.relationship.name, self.relationship.child_table,
                            detail="foreign key")


@dataclass(frozen=True, slots=True)
class DropForeignKey(Op):
    relationship: Relationship
    child_name: str = ""
    parent_name: str = ""
    kind = "drop_foreign_key"

    def reverse(self) -> Op:
        return AddForeignKey(self.relationship, self.child_name, self.parent_name)

    def apply(self, schema: Schema) -> Schema:
        find(schema.relationships, self.relationship.uid)
        return replace(schema, relationships=without(schema.relationships,
                                                     self.relationship.uid))

    def describe(self) -> str:
        label = _fk_label(self.relationship, self.child_name, self.parent_name)
        return f"drop foreign key {label}"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("constraints", "removed", self.relationship.uid,
                            self.relationship.name, self.relationship.child_table,
                            detail="foreign key")


@dataclass(frozen=True, slots=True)
class RenameForeignKey(Op):
    uid: str
    table_uid: str
    table_name: str
    old_name: str
    new_name: str
    kind = "rename_foreign_key"

    def reverse(self) -> Op:
        return RenameForeignKey(self.uid, self.table_uid, self.table_name, self.new_name,
                                self.old_name)

    def apply(self, schema: Schema) -> Schema:
        return replace(schema, relationships=edit_named(
            schema.relationships, self.uid, lambda r: replace(r, name=self.new_name)))

    def describe(self) -> str:
        return f"rename foreign key {self.old_name} to {self.new_name} on {self.table_name}"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("constraints", "renamed", self.uid, self.new_name,
                            self.table_uid, detail=self.old_name)
