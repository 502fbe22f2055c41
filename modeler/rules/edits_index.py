"""Edits of indexes, constraints, relationships, sequences and extensions."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from modeler.rules.edit_base import (
    REL_FIELDS,
    Edit,
    EditError,
    State,
    element_name,
    replace_in,
    show,
)
from modeler.schema.builder import stable_uid
from modeler.schema.model import Extension, Index, Schema, Table


@dataclass(frozen=True, slots=True)
class AddIndex(Edit):
    table_uid: str
    index: Index

    def apply(self, state: State) -> None:
        t = state.table(self.table_uid)
        if state.taken(t.namespace, self.index.name):
            raise EditError(f"name {self.index.name} is taken")
        state.tables[t.uid] = replace(t, indexes=(*t.indexes, self.index))
        state.rename(t.namespace, None, self.index.name, self.index.uid)

    def describe(self, schema: Schema) -> str:
        try:
            t: Table | None = schema.table(self.table_uid)
        except KeyError:
            t = None
        keys = []
        for p in self.index.parts:
            if p.column is None:
                keys.append(p.expression or "")
                continue
            name = p.column
            if t is not None:
                col = next((c for c in t.columns if c.uid == p.column), None)
                name = col.name if col is not None else name
            keys.append(name + (" DESC" if p.descending else ""))
        kind = "unique index" if self.index.unique else "index"
        using = "" if self.index.method == "btree" else f" USING {self.index.method}"
        label = t.qualified_name if t is not None else self.table_uid
        return f"Add {kind} {self.index.name} on {label}{using} ({', '.join(keys)})"

    def claims(self, schema: Schema) -> frozenset[str]:
        ns = schema.table(self.table_uid).namespace
        cols = ",".join(sorted(p.column or f"expr:{p.expression}" for p in self.index.parts))
        return frozenset({f"rel:{ns}:{self.index.name}", f"el:{self.index.uid}",
                          f"ixcols:{self.table_uid}:{self.index.method}:{cols}"})


@dataclass(frozen=True, slots=True)
class DropIndex(Edit):
    table_uid: str
    index_uid: str

    def apply(self, state: State) -> None:
        t = state.table(self.table_uid)
        old = next((i for i in t.indexes if i.uid == self.index_uid), None)
        if old is None:
            raise EditError(f"no index {self.index_uid}")
        state.tables[t.uid] = replace(t, indexes=tuple(i for i in t.indexes if i is not old))
        state.rename(t.namespace, old.name, None, old.uid)

    def describe(self, schema: Schema) -> str:
        try:
            t = schema.table(self.table_uid)
            name = next(i.name for i in t.indexes if i.uid == self.index_uid)
            return f"Drop index {name} on {t.qualified_name}"
        except (KeyError, StopIteration):
            return f"Drop index {self.index_uid}"

    def claims(self, schema: Schema) -> frozenset[str]:
        return frozenset({f"el:{self.index_uid}"})


@dataclass(frozen=True, slots=True)
class RenameIndex(Edit):
    table_uid: str
    index_uid: str
    new_name: str

    def apply(self, state: State) -> None:
        t = state.table(self.table_uid)
        if state.taken(t.namespace, self.new_name, self.index_uid):
            raise EditError(f"name {self.new_name} is taken")
        old = next((i for i in t.indexes if i.uid == self.index_uid), None)
        if old is None:
            raise EditError(f"no index {self.index_uid}")
        new = replace(old, name=self.new_name)
        state.tables[t.uid] = replace(t, indexes=replace_in(t.indexes, old.uid, new))  # type: ignore[arg-type]
        state.rename(t.namespace, old.name, new.name, old.uid)

    def describe(self, schema: Schema) -> str:
        old = element_name(schema, self.table_uid, self.index_uid)
        return f"Rename index {old} to {self.new_name}"

    def claims(self, schema: Schema) -> frozenset[str]:
        ns = schema.table(self.table_uid).namespace
        return frozenset({f"el:{self.index_uid}", f"rel:{ns}:{self.new_name}"})


@dataclass(frozen=True, slots=True)
class RenameConstraint(Edit):
    """Rename a UNIQUE or CHECK constraint of a table."""

    table_uid: str
    constraint_uid: str
    new_name: str

    def apply(self, state: State) -> None:
        t = state.table(self.table_uid)
        taken = {c.name for c in t.checks if c.uid != self.constraint_uid}
        taken |= {u.name for u in t.uniques if u.uid != self.constraint_uid}
        if self.new_name in taken:
            raise EditError(f"constraint {self.new_name} exists")
        if any(u.uid == self.constraint_uid for u in t.uniques):
            if state.taken(t.namespace, self.new_name, self.constraint_uid):
                raise EditError(f"name {self.new_name} is taken")
            u = next(u for u in t.uniques if u.uid == self.constraint_uid)
            state.tables[t.uid] = replace(t, uniques=replace_in(  # type: ignore[arg-type]
                t.uniques, u.uid, replace(u, name=self.new_name)))
            state.rename(t.namespace, u.name, self.new_name, u.uid)
            return
        ck = next((c for c in t.checks if c.uid == self.constraint_uid), None)
        if ck is None:
            raise EditError(f"no constraint {self.constraint_uid}")
        state.tables[t.uid] = replace(t, checks=replace_in(  # type: ignore[arg-type]
            t.checks, ck.uid, replace(ck, name=self.new_name)))

    def describe(self, schema: Schema) -> str:
        old = element_name(schema, self.table_uid, self.constraint_uid)
        return f"Rename constraint {old} to {self.new_name}"

    def claims(self, schema: Schema) -> frozenset[str]:
        ns = schema.table(self.table_uid).namespace
        return frozenset({f"el:{self.constraint_uid}", f"con:{self.table_uid}:{self.new_name}",
                          f"rel:{ns}:{self.new_name}"})


@dataclass(frozen=True, slots=True)
class RenameRelationship(Edit):
    relationship_uid: str
    new_name: str

    def apply(self, state: State) -> None:
        rel = state.rels.get(self.relationship_uid)
        if rel is None:
            raise EditError(f"no relationship {self.relationship_uid}")
        if any(r.name == self.new_name and r.child_table == rel.child_table
               and r.uid != rel.uid for r in state.rels.values()):
            raise EditError(f"constraint {self.new_name} exists")
        state.rels[rel.uid] = replace(rel, name=self.new_name)

    def describe(self, schema: Schema) -> str:
        old = next((r.name for r in schema.relationships if r.uid == self.relationship_uid),
                   self.relationship_uid)
        return f"Rename foreign key {old} to {self.new_name}"

    def claims(self, schema: Schema) -> frozenset[str]:
        rel = next(r for r in schema.relationships if r.uid == self.relationship_uid)
        return frozenset({f"el:{rel.uid}", f"con:{rel.child_table}:{self.new_name}"})


@dataclass(frozen=True, slots=True)
class AlterRelationship(Edit):
    """Set fields of a relationship (``on_delete``, ``on_update``, ``deferrable``...)."""

    relationship_uid: str
    changes: tuple[tuple[str, object], ...]

    def apply(self, state: State) -> None:
        bad = [k for k, _ in self.changes if k not in REL_FIELDS]
        if bad:
            raise EditError(f"cannot alter relationship field(s) {bad}")
        rel = state.rels.get(self.relationship_uid)
        if rel is None:
            raise EditError(f"no relationship {self.relationship_uid}")
        changes: dict[str, Any] = dict(self.changes)
        state.rels[rel.uid] = replace(rel, **changes)

    def describe(self, schema: Schema) -> str:
        old = next((r for r in schema.relationships if r.uid == self.relationship_uid), None)
        name = old.name if old is not None else self.relationship_uid
        parts = [f"{k} {show(getattr(old, k), schema)} → {show(v, schema)}" if old else
                 f"{k} {show(v, schema)}" for k, v in self.changes]
        return f"Change foreign key {name}: {', '.join(parts)}"

    def claims(self, schema: Schema) -> frozenset[str]:
        return frozenset({f"el:{self.relationship_uid}"})


@dataclass(frozen=True, slots=True)
class DropSequence(Edit):
    sequence_uid: str

    def apply(self, state: State) -> None:
        if state.sequences.pop(self.sequence_uid, None) is None:
            raise EditError(f"no sequence {self.sequence_uid}")

    def describe(self, schema: Schema) -> str:
        name = next((s.qualified_name for s in schema.sequences if s.uid == self.sequence_uid),
                    self.sequence_uid)
        return f"Drop sequence {name}"

    def claims(self, schema: Schema) -> frozenset[str]:
        return frozenset({f"el:{self.sequence_uid}"})




@dataclass(frozen=True, slots=True)
class AddExtension(Edit):
    """``CREATE EXTENSION`` ``name`` (its uid derives from the name: adding it twice is one
    extension)."""

    name: str

    def apply(self, state: State) -> None:
        if any(e.name == self.name for e in state.extensions.values()):
            return
        uid = stable_uid("extension", self.name)
        state.extensions[uid] = Extension(uid=uid, name=self.name)

    def describe(self, schema: Schema) -> str:
        return f"Add extension {self.name}"

    def claims(self, schema: Schema) -> frozenset[str]:
        return frozenset({f"ext:{self.name}"})
