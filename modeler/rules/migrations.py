"""Migrations (MG): lossy steps between the last saved version and the design.

MG-01..04 are verified on generated migrations (see ``ruledocs.NOT_SCHEMA_CHECKED``); MG-05
is decidable on two snapshots: :func:`destructive_changes` compares them by uid.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from modeler.rules.core import Config, Finding, Level, Rule, Target, TargetKind, register
from modeler.schema.model import ColumnType, Schema

ChangeKind = Literal["drop_table", "drop_column", "narrow_type", "drop_enum",
                     "remove_enum_value"]

_INT_RANK = {"smallint": 0, "integer": 1, "bigint": 2}
_INT_DIGITS = {"smallint": 5, "integer": 10, "bigint": 19}
_STRINGS = ("varchar", "char", "text", "citext")


@dataclass(frozen=True, slots=True)
class DestructiveChange:
    """A step that can lose data. ``uid`` is the dropped/changed element's uid."""

    kind: ChangeKind
    path: str
    uid: str
    table_uid: str | None
    detail: str


def _labels(schema: Schema, ref: str | None) -> frozenset[str] | None:
    obj = schema.type_object(ref) if ref else None
    labels = getattr(obj, "labels", None)
    return frozenset(labels) if labels is not None else None


def is_widening(old: ColumnType, new: ColumnType, old_schema: Schema,
                new_schema: Schema) -> bool:
    """Whether every value of ``old`` survives conversion to ``new`` unchanged."""
    if old == new:
        return True
    if old.array_dims != new.array_dims:
        return False
    if old.kind == "enum":
        if new.kind == "enum":
            before, after = _labels(old_schema, old.ref), _labels(new_schema, new.ref)
            return before is not None and after is not None and before <= after
        return new.kind == "builtin" and (new.name in ("text", "citext") or (
            new.name == "varchar" and new.length is None))
    if old.kind != "builtin" or new.kind != "builtin":
        return False
    return _builtin_widening(old, new)


def _builtin_widening(old: ColumnType, new: ColumnType) -> bool:
    o, n = old.name, new.name
    if o in _INT_RANK and n in _INT_RANK:
        return _INT_RANK[n] >= _INT_RANK[o]
    if o in _INT_RANK and n == "numeric":
        return new.precision is None or new.precision - (new.scale or 0) >= _INT_DIGITS[o]
    if o == "numeric" and n == "numeric":
        if new.precision is None:
            return True
        if old.precision is None:
            return False
        return (new.scale or 0) >= (old.scale or 0) and \
            new.precision - (new.scale or 0) >= old.precision - (old.scale or 0)
    if o in _STRINGS and n in _STRINGS:
        if n in ("text", "citext") or (n == "varchar" and new.length is None):
            return True
        if o in ("text", "citext") or old.length is None:
            return False
        return new.length is not None and new.length >= old.length and not (
            o == "varchar" and n == "char")
    if (o, n) in (("real", "double precision"), ("timestamp", "timestamptz"),
                  ("date", "timestamp"), ("date", "timestamptz")):
        return True
    if o == n and o in ("timestamp", "timestamptz", "time", "timetz", "interval"):
        return new.precision is None or (old.precision is not None
                                         and new.precision >= old.precision)
    return False


def destructive_changes(old: Schema, new: Schema) -> tuple[DestructiveChange, ...]:
    """Drops, narrowing type changes and enum value removals from ``old`` to ``new``."""
    out: list[DestructiveChange] = []
    new_tables = {t.uid: t for t in new.tables}
    for t in old.tables:
        nt = new_tables.get(t.uid)
        if nt is None:
            out.append(DestructiveChange("drop_table", t.qualified_name, t.uid, t.uid,
                                         f"table {t.name} dropped"))
            continue
        new_cols = {c.uid: c for c in nt.columns}
        for c in t.columns:
            nc = new_cols.get(c.uid)
            path = f"{nt.qualified_name}.{c.name}"
            if nc is None:
                out.append(DestructiveChange("drop_column", path, c.uid, t.uid,
                                             f"column {c.name} dropped"))
            elif not is_widening(c.type, nc.type, old, new):
                out.append(DestructiveChange(
                    "narrow_type", f"{nt.qualified_name}.{nc.name}", c.uid, t.uid,
                    f"{c.type.short(old)} → {nc.type.short(new)}"))
    new_enums = {e.uid: e for e in new.enums}
    for e in old.enums:
        ne = new_enums.get(e.uid)
        if ne is None:
            out.append(DestructiveChange("drop_enum", e.qualified_name, e.uid, None,
                                         f"enum {e.name} dropped"))
            continue
        kept = {v.uid for v in ne.values}
        for v in e.values:
            if v.uid not in kept:
                out.append(DestructiveChange("remove_enum_value",
                                             f"{ne.qualified_name}.{v.label}", v.uid, None,
                                             f"value {v.label!r} removed"))
    return tuple(out)


_KIND_TARGET: dict[str, TargetKind] = {
    "drop_table": "table", "drop_column": "column", "narrow_type": "column", "drop_enum": "enum",
    "remove_enum_value": "enum"}


@register
class LossySteps(Rule):
    """Lossy steps are declared, with a backup or pre-check plan.

    Dropping a table or column, narrowing a type (``bigint`` → ``integer``, ``varchar(50)``
    → ``varchar(20)``) or removing an enum value destroys or rejects existing data. Each such
    step is waived with how the data is saved or checked first.

    Bad:
        -- version drops customer.fax with no note

    Good:
        -- waiver: "fax unused since 2021 (checked: 0 non-null rows); dump kept 90 days"
    """

    id = "MG-05"
    name = "Lossy steps declared"
    level = Level.JUSTIFY

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        if config.previous is None:
            return
        for ch in destructive_changes(config.previous, schema):
            kind = _KIND_TARGET[ch.kind]
            target = Target(kind, ch.path, ch.uid, ch.table_uid)
            yield self.finding(target, f"Lossy step: {ch.detail}",
                               "Waive with the backup or pre-check plan")
