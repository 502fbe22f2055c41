"""Migrations (MG): lossy steps between the last saved version and the design.

MG-01..04 are verified on generated migrations (see ``ruledocs.NOT_SCHEMA_CHECKED``); MG-05
and MG-09 are decidable on two snapshots: :func:`destructive_changes` and
:func:`unfilled_rows` compare them by uid.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from modeler.rules.analysis import analyze
from modeler.rules.core import (
    Config,
    Finding,
    Level,
    Rule,
    Target,
    TargetKind,
    column_target,
    register,
)
from modeler.rules.edits import AlterColumn, Edit
from modeler.schema.model import Column, ColumnType, Relationship, Schema, Table

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


# --- MG-09: rows that exist when a column becomes mandatory ------------------------------------

FillKind = Literal["add_not_null", "set_not_null", "mandatory_fk"]


@dataclass(frozen=True, slots=True)
class UnfilledRows:
    """A column of a table that existed in the previous version which its existing rows
    cannot satisfy unless the migration fills them (``relationship``: the new mandatory FK
    on it, when there is one)."""

    kind: FillKind
    table: Table
    column: Column
    relationship: Relationship | None = None


def _filled_by_database(c: Column, schema: Schema) -> bool:
    """Does ``ADD COLUMN`` give every existing row a value by itself (a default, also a
    domain's; an identity; a generation expression)?"""
    if c.identity is not None or c.generated is not None or c.default is not None:
        return True
    ctype = c.type
    dom = schema.type_object(ctype.ref) if ctype.kind == "domain" and ctype.ref else None
    return getattr(dom, "default", None) is not None


def unfilled_rows(old: Schema, new: Schema) -> tuple[UnfilledRows, ...]:
    """Columns without a backfill that the existing rows of ``old``'s tables cannot hold as
    they are in ``new``: a NOT NULL column added without a default, a column that becomes NOT
    NULL, the new column of a new mandatory FK. Attached partitions follow their parent."""
    old_tables = {t.uid: t for t in old.tables}
    old_rels = {r.uid for r in old.relationships}
    fk_of: dict[str, Relationship] = {}
    for r in new.relationships:
        if r.uid not in old_rels and not r.optional and r.child_table in old_tables:
            for uid in r.child_columns:
                fk_of.setdefault(uid, r)
    out: list[UnfilledRows] = []
    for t in new.tables:
        ot = old_tables.get(t.uid)
        if ot is None or (t.partition_of is not None and ot.partition_of is not None):
            continue  # created in this version (empty), or filled through its parent
        before = {c.uid: c for c in ot.columns}
        for c in t.columns:
            if c.nullable or c.backfill is not None or c.identity is not None \
                    or c.generated is not None:
                continue
            oc = before.get(c.uid)
            rel = fk_of.get(c.uid)
            if oc is None and rel is not None:
                out.append(UnfilledRows("mandatory_fk", t, c, rel))
            elif oc is None and not _filled_by_database(c, new):
                out.append(UnfilledRows("add_not_null", t, c))
            elif oc is not None and oc.nullable:
                out.append(UnfilledRows("set_not_null", t, c, rel))
    return tuple(out)


_NUMBERS = frozenset({"smallint", "integer", "bigint", "numeric", "real", "double precision",
                      "money"})


def obvious_backfill(schema: Schema, c: Column, fk: bool) -> str | None:
    """A constant that is obviously right for the existing rows, if one is: the column's
    default; ``false`` for a boolean, ``0`` for a number (never for an FK column: 0 is no
    parent's key)."""
    if c.default is not None:
        return c.default
    if fk:
        return None
    ctype = analyze(schema).base_type(c.type)
    if ctype.kind != "builtin" or ctype.array_dims:
        return None
    if ctype.name == "boolean":
        return "false"
    return "0" if ctype.name in _NUMBERS else None


_FILL_MESSAGES = {
    "add_not_null": "New NOT NULL column {col} has no backfill for existing rows",
    "set_not_null": "{col} becomes NOT NULL with no backfill for rows holding NULL",
    "mandatory_fk": "New mandatory FK on {col} has no backfill for existing rows",
}


@register
class ExistingRowsBackfilled(Rule):
    """A change that makes existing rows invalid has a backfill.

    Adding a NOT NULL column without a default to a table that holds rows, making a column
    NOT NULL, or adding a mandatory foreign key to such a table fails on the first row that
    has no value (or holds NULL), or fills it with a placeholder that no parent row has.
    The column's backfill is the SQL value those rows get (it may read the row's other
    columns); the migration adds the column nullable, runs ``UPDATE ... SET col =
    <backfill>``, then sets NOT NULL and validates the FK. A table created in the same
    version is empty and needs none.

    Bad:
        -- v2 adds order.customer_id bigint NOT NULL REFERENCES customer, no backfill
        ALTER TABLE "order" ADD COLUMN customer_id bigint NOT NULL;  -- fails on its rows

    Good:
        -- backfill of order.customer_id: 1 (the legacy customer)
        ALTER TABLE "order" ADD COLUMN customer_id bigint;
        UPDATE "order" SET customer_id = 1;
        -- then SET NOT NULL, and the FK added NOT VALID and validated
    """

    id = "MG-09"
    name = "Existing rows are backfilled"
    level = Level.BLOCK
    fixable = True

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        if config.previous is None:
            return
        for item in unfilled_rows(config.previous, schema):
            c, fk = item.column, item.relationship
            target = column_target(item.table, c, (fk.uid,) if fk is not None else ())
            const = obvious_backfill(schema, c, fk is not None)
            hint = (f"Backfill the existing rows with {const}" if const is not None else
                    "Fill 'Backfill for existing rows' on the column with their value")
            yield self.finding(target, _FILL_MESSAGES[item.kind].format(col=c.name), hint,
                               fixable=const is not None)

    def fix(self, schema: Schema, finding: Finding) -> tuple[Edit, ...]:
        target = finding.target
        if target.uid is None or target.table_uid is None:
            return ()
        c = schema.column(target.uid)
        const = obvious_backfill(schema, c, bool(target.related))
        if const is None:
            return ()
        return (AlterColumn(target.table_uid, c.uid, (("backfill", const),)),)
