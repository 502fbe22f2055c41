"""Shared machinery of the model edits: the base class, errors, the working state."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from modeler.schema import naming
from modeler.schema.model import (
    Column,
    ColumnType,
    Extension,
    Relationship,
    Schema,
    Sequence,
    Table,
)

COLUMN_FIELDS = frozenset(f.name for f in fields(Column)) - {"uid", "name"}
REL_FIELDS = frozenset(f.name for f in fields(Relationship)) - {
    "uid", "name", "child_table", "parent_table"}


class EditError(ValueError):
    """An edit that cannot be applied to the schema it was given."""


@dataclass
class State:
    """Working copy used while applying a list of edits."""

    schema: Schema
    tables: dict[str, Table] = field(default_factory=dict)
    rels: dict[str, Relationship] = field(default_factory=dict)
    sequences: dict[str, Sequence] = field(default_factory=dict)
    extensions: dict[str, Extension] = field(default_factory=dict)
    _names: dict[str, dict[str, str]] = field(default_factory=dict)

    def table(self, uid: str) -> Table:
        try:
            return self.tables[uid]
        except KeyError:
            raise EditError(f"no table {uid}") from None

    def _relation_names(self, namespace: str) -> dict[str, str]:
        """Name -> owner key in PostgreSQL's relation namespace (tables, indexes, PK/UNIQUE
        indexes, sequences); built once per namespace and kept current by the edits."""
        names = self._names.get(namespace)
        if names is None:
            names = self._names[namespace] = {}
            for t in self.tables.values():
                if t.namespace != namespace:
                    continue
                names[t.name] = t.uid
                if t.primary_key:
                    names[t.pk_name or naming.pk_name(t.name)] = t.uid + ":pk"
                names.update({i.name: i.uid for i in t.indexes})
                names.update({u.name: u.uid for u in t.uniques})
            names.update({s.name: s.uid for s in self.sequences.values()
                          if s.namespace == namespace})
        return names

    def taken(self, namespace: str, name: str, owner: str = "") -> bool:
        holder = self._relation_names(namespace).get(name)
        return holder is not None and holder != owner

    def rename(self, namespace: str, old: str | None, new: str | None, owner: str) -> None:
        names = self._relation_names(namespace)
        if old is not None and names.get(old) == owner:
            del names[old]
        if new is not None:
            names[new] = owner

    def forget_names(self) -> None:
        self._names.clear()


def col_label(schema: Schema, table_uid: str, column_uid: str) -> str:
    try:
        t = schema.table(table_uid)
        return f"{t.qualified_name}.{t.column(column_uid).name}"
    except KeyError:
        return column_uid


def table_label(schema: Schema, table_uid: str) -> str:
    try:
        return schema.table(table_uid).qualified_name
    except KeyError:
        return table_uid


def show(value: object, schema: Schema) -> str:
    if isinstance(value, ColumnType):
        return value.short(schema)
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def replace_in(items: tuple[object, ...], uid: str, new: object | None) -> tuple[object, ...]:
    out: list[object] = []
    found = False
    for item in items:
        if getattr(item, "uid", None) == uid:
            found = True
            if new is not None:
                out.append(new)
        else:
            out.append(item)
    if not found:
        raise EditError(f"no element {uid}")
    return tuple(out)


class Edit:
    """Base of all edits."""

    def apply(self, state: State) -> None:
        raise NotImplementedError

    def describe(self, schema: Schema) -> str:
        raise NotImplementedError

    def claims(self, schema: Schema) -> frozenset[str]:
        """Keys of what this edit touches or takes: ``el:<uid>`` for a changed element,
        ``col:``/``rel:``/``con:`` keys for names it introduces."""
        return frozenset()




def element_name(schema: Schema, table_uid: str, uid: str) -> str:
    try:
        t = schema.table(table_uid)
    except KeyError:
        return uid
    for group in (t.indexes, t.uniques, t.checks):
        for item in group:
            if item.uid == uid:
                return f"{t.qualified_name}.{item.name}"
    return uid


