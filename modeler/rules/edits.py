"""Model edits as data: what a rule's fix proposes, previewed by people, applied by a service.

Every edit is a frozen dataclass naming its targets by uid. :func:`apply_edits` is pure: it
returns a new normalized :class:`~modeler.schema.model.Schema` and raises :class:`EditError`
when an edit does not fit (unknown uid, name already taken). ``describe(schema)`` renders one
line for the preview; ``claims(schema)`` lists what an edit touches so that independent fixes
can be combined without stepping on each other (see :func:`modeler.rules.fixes.safe_fixes`).
"""


from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from modeler.rules.edit_base import (
    COLUMN_FIELDS,
    Edit,
    EditError,
    State,
    col_label,
    replace_in,
    show,
    table_label,
)
from modeler.rules.edits_index import (
    AddExtension,
    AddIndex,
    AlterRelationship,
    DropIndex,
    DropSequence,
    RenameConstraint,
    RenameIndex,
    RenameRelationship,
)
from modeler.schema import naming
from modeler.schema.model import Column, Schema, normalized


@dataclass(frozen=True, slots=True)
class AddColumn(Edit):
    table_uid: str
    column: Column
    after: str | None = None  # column uid; None = append

    def apply(self, state: State) -> None:
        t = state.table(self.table_uid)
        if t.column_named(self.column.name) is not None:
            raise EditError(f"{t.name}.{self.column.name} exists")
        cols = list(t.columns)
        pos = len(cols)
        if self.after is not None:
            pos = 1 + next((i for i, c in enumerate(cols) if c.uid == self.after), len(cols) - 1)
        cols.insert(pos, self.column)
        state.tables[t.uid] = replace(t, columns=tuple(cols))

    def describe(self, schema: Schema) -> str:
        c = self.column
        bits = [c.type.short(schema), "NULL" if c.nullable else "NOT NULL"]
        if c.default is not None:
            bits.append(f"DEFAULT {c.default}")
        return f"Add column {table_label(schema, self.table_uid)}.{c.name} {' '.join(bits)}"

    def claims(self, schema: Schema) -> frozenset[str]:
        return frozenset({f"col:{self.table_uid}:{self.column.name}", f"el:{self.column.uid}"})


@dataclass(frozen=True, slots=True)
class AlterColumn(Edit):
    """Set fields of a column, e.g. ``changes=(("type", ColumnType(...)), ("nullable", False))``.
    """

    table_uid: str
    column_uid: str
    changes: tuple[tuple[str, object], ...]

    def apply(self, state: State) -> None:
        bad = [k for k, _ in self.changes if k not in COLUMN_FIELDS]
        if bad:
            raise EditError(f"cannot alter column field(s) {bad}")
        t = state.table(self.table_uid)
        try:
            col = t.column(self.column_uid)
        except KeyError:
            raise EditError(f"no column {self.column_uid}") from None
        changes: dict[str, Any] = dict(self.changes)
        new = replace(col, **changes)
        state.tables[t.uid] = replace(t, columns=replace_in(t.columns, col.uid, new))  # type: ignore[arg-type]

    def describe(self, schema: Schema) -> str:
        label = col_label(schema, self.table_uid, self.column_uid)
        try:
            old: Column | None = schema.column(self.column_uid)
        except KeyError:
            old = None
        parts = []
        for key, value in self.changes:
            before = f"{show(getattr(old, key), schema)} → " if old is not None else ""
            parts.append(f"{key} {before}{show(value, schema)}")
        return f"Change {label}: {', '.join(parts)}"

    def claims(self, schema: Schema) -> frozenset[str]:
        return frozenset({f"el:{self.column_uid}"})


@dataclass(frozen=True, slots=True)
class RenameColumn(Edit):
    table_uid: str
    column_uid: str
    new_name: str

    def apply(self, state: State) -> None:
        t = state.table(self.table_uid)
        other = t.column_named(self.new_name)
        if other is not None and other.uid != self.column_uid:
            raise EditError(f"{t.name}.{self.new_name} exists")
        try:
            col = t.column(self.column_uid)
        except KeyError:
            raise EditError(f"no column {self.column_uid}") from None
        new = replace(col, name=self.new_name)
        state.tables[t.uid] = replace(t, columns=replace_in(t.columns, col.uid, new))  # type: ignore[arg-type]

    def describe(self, schema: Schema) -> str:
        label = col_label(schema, self.table_uid, self.column_uid)
        return f"Rename column {label} to {self.new_name}"

    def claims(self, schema: Schema) -> frozenset[str]:
        return frozenset({f"el:{self.column_uid}", f"col:{self.table_uid}:{self.new_name}"})


@dataclass(frozen=True, slots=True)
class RenameTable(Edit):
    table_uid: str
    new_name: str

    def apply(self, state: State) -> None:
        t = state.table(self.table_uid)
        if state.taken(t.namespace, self.new_name, t.uid):
            raise EditError(f"name {self.new_name} is taken")
        state.tables[t.uid] = replace(t, name=self.new_name)
        state.forget_names()  # the convention's PK name follows the table name

    def describe(self, schema: Schema) -> str:
        return f"Rename table {table_label(schema, self.table_uid)} to {self.new_name}"

    def claims(self, schema: Schema) -> frozenset[str]:
        ns = schema.table(self.table_uid).namespace
        return frozenset({f"el:{self.table_uid}", f"rel:{ns}:{self.new_name}"})


@dataclass(frozen=True, slots=True)
class RenamePrimaryKey(Edit):
    """Name the primary key constraint; ``None`` = the convention's ``pk_<table>``."""

    table_uid: str
    new_name: str | None

    def apply(self, state: State) -> None:
        t = state.table(self.table_uid)
        name = self.new_name or naming.pk_name(t.name)
        if state.taken(t.namespace, name, t.uid + ":pk"):
            raise EditError(f"name {name} is taken")
        state.tables[t.uid] = replace(t, pk_name=self.new_name)
        state.forget_names()

    def describe(self, schema: Schema) -> str:
        label = table_label(schema, self.table_uid)
        try:
            name = self.new_name or naming.pk_name(schema.table(self.table_uid).name)
        except KeyError:
            name = self.new_name or "the convention's name"
        return f"Rename the primary key of {label} to {name}"

    def claims(self, schema: Schema) -> frozenset[str]:
        t = schema.table(self.table_uid)
        name = self.new_name or naming.pk_name(t.name)
        return frozenset({f"el:{t.uid}:pk", f"rel:{t.namespace}:{name}", f"con:{t.uid}:{name}"})


def apply_edits(schema: Schema, edits: Iterable[Edit]) -> Schema:
    """The schema with ``edits`` applied in order, normalized. Raises :class:`EditError`."""
    state = State(schema, {t.uid: t for t in schema.tables},
                   {r.uid: r for r in schema.relationships},
                   {s.uid: s for s in schema.sequences},
                   extensions={e.uid: e for e in schema.extensions})
    for edit in edits:
        edit.apply(state)
    return normalized(replace(schema, tables=tuple(state.tables.values()),
                              relationships=tuple(state.rels.values()),
                              sequences=tuple(state.sequences.values()),
                              extensions=tuple(state.extensions.values())))


def describe_edits(schema: Schema, edits: Iterable[Edit]) -> tuple[str, ...]:
    """One line per edit, for the preview (names as in ``schema``, before the edits)."""
    return tuple(e.describe(schema) for e in edits)


__all__ = [
    "AddColumn", "AddExtension", "AddIndex", "AlterColumn", "AlterRelationship", "DropIndex",
    "DropSequence", "Edit", "EditError", "RenameColumn", "RenameConstraint", "RenameIndex",
    "RenamePrimaryKey", "RenameRelationship", "RenameTable", "apply_edits", "describe_edits",
]
