"""Ops on enum types and their values (values are matched by uid, so a relabel is a rename)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from modeler.diff.base import (
    Op,
    SummaryEntry,
    added_ns_named,
    edit_ns_named,
    find,
    insert_at,
    position_of,
    without,
)
from modeler.schema import enumlabels
from modeler.schema.model import EnumType, EnumValue, Schema, qualified_name


@dataclass(frozen=True, slots=True)
class CreateEnum(Op):
    enum: EnumType
    kind = "create_enum"

    def reverse(self) -> Op:
        return DropEnum(self.enum)

    def apply(self, schema: Schema) -> Schema:
        return replace(schema, enums=added_ns_named(schema.enums, self.enum))

    def describe(self) -> str:
        return f"create enum {self.enum.qualified_name} ({', '.join(self.enum.labels)})"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("enums", "added", self.enum.uid, self.enum.qualified_name)


@dataclass(frozen=True, slots=True)
class DropEnum(Op):
    enum: EnumType
    kind = "drop_enum"

    @property
    def destructive(self) -> bool:
        return True

    def reverse(self) -> Op:
        return CreateEnum(self.enum)

    def apply(self, schema: Schema) -> Schema:
        find(schema.enums, self.enum.uid)
        return replace(schema, enums=without(schema.enums, self.enum.uid))

    def describe(self) -> str:
        return f"drop enum {self.enum.qualified_name}"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("enums", "removed", self.enum.uid, self.enum.qualified_name)


@dataclass(frozen=True, slots=True)
class RenameEnum(Op):
    uid: str
    old_name: str
    new_name: str
    old_namespace: str = "public"
    new_namespace: str = "public"
    kind = "rename_enum"

    def reverse(self) -> Op:
        return RenameEnum(self.uid, self.new_name, self.old_name, self.new_namespace,
                          self.old_namespace)

    def apply(self, schema: Schema) -> Schema:
        """The enum's new name; the casts to it follow, as PostgreSQL shows them (it stores
        the type's OID)."""
        renamed = replace(schema, enums=edit_ns_named(
            schema.enums, self.uid,
            lambda e: replace(e, name=self.new_name, namespace=self.new_namespace)))
        return enumlabels.follow_type(renamed, (self.old_namespace, self.old_name),
                                      (self.new_namespace, self.new_name))

    def describe(self) -> str:
        return (f"rename enum {qualified_name(self.old_namespace, self.old_name)} to "
                f"{qualified_name(self.new_namespace, self.new_name)}")

    def summary(self) -> SummaryEntry:
        return SummaryEntry("enums", "renamed", self.uid,
                            qualified_name(self.new_namespace, self.new_name),
                            detail=qualified_name(self.old_namespace, self.old_name))


def _edit_enum_values(schema: Schema, enum_uid: str,
                      values: tuple[EnumValue, ...]) -> Schema:
    return replace(schema, enums=tuple(replace(e, values=values) if e.uid == enum_uid else e
                                       for e in schema.enums))


@dataclass(frozen=True, slots=True)
class AddEnumValue(Op):
    """``ALTER TYPE ... ADD VALUE``; ``position`` is the value's index afterwards."""

    enum_uid: str
    enum_name: str
    value: EnumValue
    position: int
    kind = "add_enum_value"

    def reverse(self) -> Op:
        return RemoveEnumValue(self.enum_uid, self.enum_name, self.value, self.position)

    def apply(self, schema: Schema) -> Schema:
        enum = find(schema.enums, self.enum_uid)
        return _edit_enum_values(schema, self.enum_uid,
                                 insert_at(enum.values, self.position, self.value))

    def describe(self) -> str:
        return f"add value {self.value.label!r} to enum {self.enum_name}"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("enum_values", "added", self.value.uid, self.value.label,
                            detail=self.enum_uid)


@dataclass(frozen=True, slots=True)
class RemoveEnumValue(Op):
    """PostgreSQL cannot drop an enum value: the renderer recreates the type."""

    enum_uid: str
    enum_name: str
    value: EnumValue
    position: int
    kind = "remove_enum_value"

    @property
    def destructive(self) -> bool:
        return True

    def reverse(self) -> Op:
        return AddEnumValue(self.enum_uid, self.enum_name, self.value, self.position)

    def apply(self, schema: Schema) -> Schema:
        enum = find(schema.enums, self.enum_uid)
        if position_of(enum.values, self.value.uid) != self.position:
            raise ValueError(f"enum value {self.value.uid} is not at {self.position}")
        return _edit_enum_values(schema, self.enum_uid, without(enum.values, self.value.uid))

    def describe(self) -> str:
        return f"remove value {self.value.label!r} from enum {self.enum_name}"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("enum_values", "removed", self.value.uid, self.value.label,
                            detail=self.enum_uid)


@dataclass(frozen=True, slots=True)
class RenameEnumValue(Op):
    enum_uid: str
    enum_name: str
    value_uid: str
    old_label: str
    new_label: str
    kind = "rename_enum_value"

    def reverse(self) -> Op:
        return RenameEnumValue(self.enum_uid, self.enum_name, self.value_uid, self.new_label,
                               self.old_label)

    def apply(self, schema: Schema) -> Schema:
        """The value's new label; the expressions spelling the old one follow, as PostgreSQL
        shows them (it stores the enum's value)."""
        enum = find(schema.enums, self.enum_uid)
        find(enum.values, self.value_uid)
        relabelled = _edit_enum_values(schema, self.enum_uid, tuple(
            replace(v, label=self.new_label) if v.uid == self.value_uid else v
            for v in enum.values))
        return enumlabels.follow_labels(relabelled, self.enum_uid,
                                        {self.old_label: self.new_label})

    def describe(self) -> str:
        return (f"rename value {self.old_label!r} of enum {self.enum_name} "
                f"to {self.new_label!r}")

    def summary(self) -> SummaryEntry:
        return SummaryEntry("enum_values", "renamed", self.value_uid, self.new_label,
                            detail=self.old_label)


@dataclass(frozen=True, slots=True)
class ReorderEnumValues(Op):
    """Put an enum's values in a new order (PostgreSQL: the renderer recreates the type)."""

    enum_uid: str
    enum_name: str
    old_order: tuple[str, ...]
    new_order: tuple[str, ...]
    kind = "reorder_enum_values"

    def reverse(self) -> Op:
        return ReorderEnumValues(self.enum_uid, self.enum_name, self.new_order,
                                 self.old_order)

    def apply(self, schema: Schema) -> Schema:
        enum = find(schema.enums, self.enum_uid)
        if tuple(v.uid for v in enum.values) != self.old_order:
            raise ValueError(f"values of enum {self.enum_name} are not in the expected order")
        return _edit_enum_values(schema, self.enum_uid,
                                 tuple(find(enum.values, uid) for uid in self.new_order))

    def describe(self) -> str:
        return f"reorder values of enum {self.enum_name}"

    def summary(self) -> SummaryEntry:
        return SummaryEntry("enums", "changed", self.enum_uid, self.enum_name,
                            detail="value order")
