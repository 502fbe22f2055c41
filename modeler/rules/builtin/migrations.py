"""Migrations (MG): lossy steps between the last saved version and the design.

MG-01..04 are verified on generated migrations (see ``ruledocs.NOT_SCHEMA_CHECKED``); MG-05
and MG-09 are decidable on two snapshots: :func:`destructive_changes` takes the ops of
``modeler.diff.diff`` marked destructive (the judgment the migration and the review use, see
:mod:`modeler.diff.narrowing`), :func:`unfilled_rows` compares them by uid.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial
from typing import Literal

from modeler.diff import (
    AlterColumn,
    AlterDomain,
    AlterPartitionKey,
    DropCollation,
    DropColumn,
    DropDomain,
    DropEnum,
    DropExtension,
    DropSequence,
    DropTable,
    Op,
    RemoveEnumValue,
    diff,
)
from modeler.rules.analysis import analyze
from modeler.rules.core import (
    Config,
    Finding,
    Level,
    Rule,
    SchemaChange,
    Target,
    column_target,
    enum_target,
    register,
    table_target,
)
from modeler.schema import edit
from modeler.schema.model import Column, Relationship, Schema, Table


@dataclass(frozen=True, slots=True)
class DestructiveChange:
    """A step that can lose data: one op of ``diff(old, new)`` marked destructive. ``kind`` is
    the op's kind (``drop_table``, ``alter_column``, ``drop_sequence``...), ``uid`` the dropped
    or changed element's uid; ``target`` is what MG-05 reports it on."""

    kind: str
    target: Target
    detail: str
    op: Op

    @property
    def path(self) -> str:
        return self.target.path

    @property
    def uid(self) -> str | None:
        return self.target.uid

    @property
    def table_uid(self) -> str | None:
        return self.target.table_uid


def _table_path(new: Schema, old: Schema, uid: str) -> str:
    """The table's name in ``new`` (``old`` when it was dropped)."""
    for schema in (new, old):
        try:
            return schema.table(uid).qualified_name
        except KeyError:
            continue
    return "?"


def _alter_detail(op: AlterColumn, old: Schema, new: Schema) -> str:
    parts = []
    for ch in op.lossy_changes:
        if ch.field == "type":
            parts.append(f"{ch.old.short(old)} → {ch.new.short(new)}")
        else:
            parts.append("new generated expression rewrites the column")
    return "; ".join(parts)


def _describe(op: Op, old: Schema, new: Schema) -> tuple[Target, str]:
    """Where MG-05 reports a destructive op, and what it says."""
    match op:
        case DropTable(table=t):
            return table_target(t), f"table {t.name} dropped"
        case DropColumn(table_uid=tuid, column=c):
            return (Target("column", f"{_table_path(new, old, tuid)}.{c.name}", c.uid, tuid),
                    f"column {c.name} dropped")
        case AlterColumn(table_uid=tuid, uid=uid, name=name):
            return (Target("column", f"{_table_path(new, old, tuid)}.{name}", uid, tuid),
                    _alter_detail(op, old, new))
        case DropEnum(enum=e):
            return enum_target(e), f"enum {e.name} dropped"
        case RemoveEnumValue(enum_uid=euid, value=v):
            enum = next((e for e in new.enums if e.uid == euid), None)
            path = enum.qualified_name if enum is not None else euid
            return Target("enum", f"{path}.{v.label}", v.uid), f"value {v.label!r} removed"
        case DropDomain(domain=d):
            return (Target("domain", d.qualified_name, d.uid), f"domain {d.name} dropped")
        case AlterDomain(uid=uid, name=name):
            return Target("domain", name, uid), f"domain {name} gets another base type"
        case DropSequence(sequence=sq):
            return (Target("sequence", sq.qualified_name, sq.uid),
                    f"sequence {sq.name} dropped (its position is lost)")
        case DropExtension(extension=x):
            return (Target("extension", x.name, x.uid),
                    f"extension {x.name} dropped (with its types and data)")
        case DropCollation(collation=co):
            return (Target("collation", co.qualified_name, co.uid),
                    f"collation {co.name} dropped")
        case AlterPartitionKey(table_uid=tuid):
            return (Target("table", _table_path(new, old, tuid), tuid, tuid),
                    "partition key changes: the table is rebuilt")
    return Target("schema", op.describe()), op.describe()  # pragma: no cover - a new op kind


def destructive_changes(old: Schema, new: Schema) -> tuple[DestructiveChange, ...]:
    """The ops of ``diff(old, new)`` marked destructive (drops, narrowing type changes, enum
    value removals...): the one judgment of loss the migration and the review also use.

    One lint run asks twice (MG-05 and DC-03's rollout notes) and a diff of 1,000 tables
    takes about 0.2 s, so the last answer is kept for the same two snapshot objects."""
    global _last
    last = _last
    if last is not None and last[0]() is old and last[1]() is new:
        return last[2]
    out = []
    for op in diff(old, new):
        if op.destructive:
            target, detail = _describe(op, old, new)
            out.append(DestructiveChange(op.kind, target, detail, op))
    answer = tuple(out)
    _last = (weakref.ref(old), weakref.ref(new), answer)
    return answer


_last: tuple[weakref.ref[Schema], weakref.ref[Schema], tuple[DestructiveChange, ...]] | None = None


@register
class LossySteps(Rule):
    """Lossy steps are declared, with a backup or pre-check plan.

    Dropping a table, column, enum, domain, sequence or extension, narrowing a type
    (``bigint`` → ``integer``, ``varchar(50)`` → ``varchar(20)``, ``json`` → ``jsonb``) or
    removing an enum value destroys or rejects existing data. These are the steps the
    migration marks destructive. Each such step is waived with how the data is saved or
    checked first.

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
            yield self.finding(ch.target, f"Lossy step: {ch.detail}",
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

    def fix(self, schema: Schema, finding: Finding) -> SchemaChange | None:
        target = finding.target
        if target.uid is None or target.table_uid is None:
            return None
        c = schema.column(target.uid)
        const = obvious_backfill(schema, c, bool(target.related))
        if const is None:
            return None
        return partial(edit.alter, uid=c.uid, backfill=const)


# --- MG-10: what a rehearsal saw the migration lock -------------------------------------

@register
class LongLockRehearsed(Rule):
    """The rehearsed migration holds no long exclusive lock on a big table.

    A rehearsal applies the migration to sample data and watches its locks. A statement that
    rewrites or scans a table under ACCESS EXCLUSIVE stops every read and write of it; at
    the table's expected rows that can last seconds or minutes. Use the expand/contract
    form (a new column filled in batches, a constraint added NOT VALID then validated), or
    say when the table may be locked.

    Bad:
        -- entry holds 5,000,000 rows: rewritten under ACCESS EXCLUSIVE (about 40 s)
        ALTER TABLE entry ALTER COLUMN amount TYPE double precision;

    Good:
        ALTER TABLE entry ADD COLUMN amount_f double precision;  -- then batches of UPDATE
    """

    id = "MG-10"
    name = "No long exclusive lock in the rehearsal"
    level = Level.JUSTIFY

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        facts = config.rehearsal
        if facts is None or not facts.locks:
            return
        for t in schema.tables:
            for fact in facts.locks_for(t)[:1]:
                yield self.finding(
                    table_target(t),
                    f"Migration {fact.what} {t.name} under ACCESS EXCLUSIVE, "
                    f"~{fact.seconds:.0f} s at {fact.rows:,} rows",
                    fact.statement or "Expand/contract, or waive with the maintenance window")
