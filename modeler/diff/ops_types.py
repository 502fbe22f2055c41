"""Ops on schema-level objects: namespaces, extensions, enums and their values, domains,
sequences and raw SQL objects."""

from __future__ import annotations

from dataclasses import dataclass, replace

from modeler.diff.base import (
    Change,
    Op,
    SummaryEntry,
    added_named,
    added_ns_named,
    apply_changes,
    by_name,
    describe_changes,
    edit_ns_named,
    find,
    insert_at,
    position_of,
    without,
)
from modeler.schema.model import Domain, Extension, RawObject, Schema, qualified_name
from modeler.schema.model import Sequence as SequenceObj

# --- namespaces (derived from the elements; the ops only carry the SQL) -------------------

@dataclass(frozen=True, slots=True)
class CreateNamespace(Op):
    """``CREATE SCHEMA IF NOT EXISTS``: a namespace the new design starts using."""

    name: str
    kind = "create_namespace"

    def reverse(self) -> Op:
        return DropNamespace(self.name)

    def apply(self, schema: Schema) -> Schema:
        return schema

    def describe(self) -> str:
        return f"create schema {self.name}"


@dataclass(frozen=True, slots=True)
class DropNamespace(Op):
    """``DROP SCHEMA``: a namespace no element uses any more."""

    name: str
    kind = "drop_namespace"

    def reverse(self) -> Op:
        return CreateNamespace(self.name)

    def apply(self, schema: Schema) -> Schema:
        return schema

    def describe(self) -> str:
        return f"drop schema {self.name}"


# --- extensions -----------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CreateExtension(Op):
    extension: Extension
    kind = "create_extension"

    def reverse(self) -> Op:
        return DropExtension(self.extension)

    def apply(self, schema: Schema) -> Schema:
        return replace(schema, extensions=added_named(schema.extensions, self.extension))

    def describe(self) -> str:
        return f"create extension {self.extension.name}"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("other", "added", self.extension.uid, self.extension.name)


@dataclass(frozen=True, slots=True)
class DropExtension(Op):
    extension: Extension
    kind = "drop_extension"

    @property
    def destructive(self) -> bool:
        return True

    def reverse(self) -> Op:
        return CreateExtension(self.extension)

    def apply(self, schema: Schema) -> Schema:
        # by value, not uid: an extension renamed under the same uid is another extension,
        # created early and the old one dropped late, so both briefly share the uid
        if self.extension not in schema.extensions:
            raise KeyError(self.extension.uid)
        return replace(schema, extensions=tuple(e for e in schema.extensions
                                                if e != self.extension))

    def describe(self) -> str:
        return f"drop extension {self.extension.name}"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("other", "removed", self.extension.uid, self.extension.name)


@dataclass(frozen=True, slots=True)
class AlterExtension(Op):
    """The same installed extension under a new element: ``ALTER EXTENSION ... SET SCHEMA``
    when the namespace changes; no SQL when only the design's uid changed (the user removed
    and re-added it)."""

    old: Extension
    new: Extension
    kind = "alter_extension"

    @property
    def touches_db(self) -> bool:
        return self.old.namespace != self.new.namespace

    def reverse(self) -> Op:
        return AlterExtension(self.new, self.old)

    def apply(self, schema: Schema) -> Schema:
        if self.old not in schema.extensions:
            raise KeyError(self.old.uid)
        return replace(schema, extensions=by_name(
            (*(e for e in schema.extensions if e != self.old), self.new)))

    def describe(self) -> str:
        if self.old.namespace == self.new.namespace:
            return f"keep extension {self.new.name} (design only)"
        return f"move extension {self.new.name} to schema {self.new.namespace or 'default'}"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("other", "changed", self.new.uid, self.new.name)


# --- domains --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CreateDomain(Op):
    domain: Domain
    kind = "create_domain"

    def reverse(self) -> Op:
        return DropDomain(self.domain)

    def apply(self, schema: Schema) -> Schema:
        return replace(schema, domains=added_ns_named(schema.domains, self.domain))

    def describe(self) -> str:
        return f"create domain {self.domain.qualified_name} as {self.domain.base.short()}"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("types", "added", self.domain.uid, self.domain.qualified_name)


@dataclass(frozen=True, slots=True)
class DropDomain(Op):
    domain: Domain
    kind = "drop_domain"

    @property
    def destructive(self) -> bool:
        return True

    def reverse(self) -> Op:
        return CreateDomain(self.domain)

    def apply(self, schema: Schema) -> Schema:
        find(schema.domains, self.domain.uid)
        return replace(schema, domains=without(schema.domains, self.domain.uid))

    def describe(self) -> str:
        return f"drop domain {self.domain.qualified_name}"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("types", "removed", self.domain.uid, self.domain.qualified_name)


@dataclass(frozen=True, slots=True)
class AlterDomain(Op):
    """Any change to a domain: name/namespace (rename), base type, NOT NULL, default, checks,
    comment."""

    uid: str
    name: str
    changes: tuple[Change, ...]
    kind = "alter_domain"

    @property
    def destructive(self) -> bool:
        return any(c.field == "base" for c in self.changes)

    def reverse(self) -> Op:
        return AlterDomain(self.uid, self.name, tuple(c.reversed() for c in self.changes))

    def apply(self, schema: Schema) -> Schema:
        return replace(schema, domains=edit_ns_named(
            schema.domains, self.uid, lambda d: apply_changes(d, self.changes)))

    def describe(self) -> str:
        return f"alter domain {self.name}: {describe_changes(self.changes)}"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("types", "changed", self.uid, self.name)


# --- sequences ------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class CreateSequence(Op):
    sequence: SequenceObj
    kind = "create_sequence"

    def reverse(self) -> Op:
        return DropSequence(self.sequence)

    def apply(self, schema: Schema) -> Schema:
        return replace(schema, sequences=added_ns_named(schema.sequences, self.sequence))

    def describe(self) -> str:
        return f"create sequence {self.sequence.qualified_name}"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("other", "added", self.sequence.uid, self.sequence.qualified_name)


@dataclass(frozen=True, slots=True)
class DropSequence(Op):
    sequence: SequenceObj
    kind = "drop_sequence"

    @property
    def destructive(self) -> bool:
        return True

    def reverse(self) -> Op:
        return CreateSequence(self.sequence)

    def apply(self, schema: Schema) -> Schema:
        find(schema.sequences, self.sequence.uid)
        return replace(schema, sequences=without(schema.sequences, self.sequence.uid))

    def describe(self) -> str:
        return f"drop sequence {self.sequence.qualified_name}"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("other", "removed", self.sequence.uid,
                            self.sequence.qualified_name)


@dataclass(frozen=True, slots=True)
class AlterSequence(Op):
    """Any change to a sequence, rename and ``OWNED BY`` included."""

    uid: str
    name: str
    changes: tuple[Change, ...]
    kind = "alter_sequence"

    def reverse(self) -> Op:
        return AlterSequence(self.uid, self.name, tuple(c.reversed() for c in self.changes))

    def apply(self, schema: Schema) -> Schema:
        return replace(schema, sequences=edit_ns_named(
            schema.sequences, self.uid, lambda s: apply_changes(s, self.changes)))

    def describe(self) -> str:
        return f"alter sequence {self.name}: {describe_changes(self.changes)}"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("other", "changed", self.uid, self.name)


# --- raw SQL objects (views, functions, ...) --------------------------------------------------

@dataclass(frozen=True, slots=True)
class CreateRawObject(Op):
    """Run the object's SQL; ``position`` is its index in ``Schema.raw_objects`` afterwards."""

    obj: RawObject
    position: int
    kind = "create_raw_object"

    def reverse(self) -> Op:
        return DropRawObject(self.obj, self.position)

    def apply(self, schema: Schema) -> Schema:
        return replace(schema, raw_objects=insert_at(schema.raw_objects, self.position,
                                                     self.obj))

    def describe(self) -> str:
        return f"create {self.obj.kind} {qualified_name(self.obj.namespace, self.obj.name)}"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("other", "added", self.obj.uid, self.obj.name)


@dataclass(frozen=True, slots=True)
class DropRawObject(Op):
    obj: RawObject
    position: int
    kind = "drop_raw_object"

    def reverse(self) -> Op:
        return CreateRawObject(self.obj, self.position)

    def apply(self, schema: Schema) -> Schema:
        if position_of(schema.raw_objects, self.obj.uid) != self.position:
            raise ValueError(f"raw object {self.obj.uid} is not at {self.position}")
        return replace(schema, raw_objects=without(schema.raw_objects, self.obj.uid))

    def describe(self) -> str:
        return f"drop {self.obj.kind} {qualified_name(self.obj.namespace, self.obj.name)}"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("other", "removed", self.obj.uid, self.obj.name)
