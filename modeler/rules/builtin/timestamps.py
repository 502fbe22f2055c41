"""Timestamps and deletes (TS): created_at, updated_at and its maintenance, soft-delete shape."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from modeler.rules.analysis import Analysis, analyze, is_now_default
from modeler.rules.core import (
    Config,
    Finding,
    Level,
    Rule,
    SchemaChange,
    column_target,
    register,
    table_target,
)
from modeler.schema import edit
from modeler.schema.builder import stable_uid
from modeler.schema.model import Column, ColumnType, Schema, Table

TIMESTAMPTZ = ColumnType(name="timestamptz")
_TIME_TYPES = ("timestamptz", "timestamp")


def audit_problems(schema: Schema, c: Column) -> list[str]:
    """What keeps ``c`` from being ``timestamptz NOT NULL DEFAULT now()`` (``timestamp`` is
    left to TY-01)."""
    ctype = analyze(schema).base_type(c.type)
    problems = []
    if ctype.kind != "builtin" or ctype.name not in _TIME_TYPES or ctype.array_dims:
        problems.append("not timestamptz")
    if c.nullable:
        problems.append("nullable")
    if c.identity is not None or c.generated is not None:
        problems.append("identity/generated")
    elif not is_now_default(c.default):
        problems.append("no DEFAULT now()")
    return problems


def _audit_fix(schema: Schema, finding: Finding, name: str,
               purpose: str) -> SchemaChange | None:
    target = finding.target
    if target.kind == "table" and target.uid is not None:
        t = schema.table(target.uid)
        after = None
        if name == "updated_at":
            created = t.column_named("created_at")
            after = created.uid if created is not None else None
        column = Column(uid=stable_uid(t.uid, purpose, name), name=name, type=TIMESTAMPTZ,
                        default="now()", comment="")
        return partial(edit.add_column, table_uid=t.uid, column=column, after=after)
    if target.kind == "column" and target.uid is not None and target.table_uid is not None:
        c = schema.column(target.uid)
        want: dict[str, object] = {"nullable": False, "default": "now()", "identity": None,
                                   "identity_options": None, "generated": None}
        ctype = analyze(schema).base_type(c.type)
        if not (ctype.kind == "builtin" and ctype.name in _TIME_TYPES and not ctype.array_dims):
            want["type"] = TIMESTAMPTZ
        changes = {k: v for k, v in want.items() if getattr(c, k) != v}
        return (lambda s: edit.alter(s, c.uid, **changes)) if changes else None
    return None


class _AuditColumn(Rule):
    column: str = ""

    def _findings(self, schema: Schema, level_for: dict[str, Level]) -> Iterator[Finding]:
        for t in schema.tables:
            level = level_for.get(t.kind, self.level)
            c = t.column_named(self.column)
            if c is None:
                yield self.finding(table_target(t), f"{self.column} is missing",
                                   f"Add {self.column} timestamptz NOT NULL DEFAULT now()",
                                   level)
                continue
            problems = audit_problems(schema, c)
            if problems:
                yield self.finding(column_target(t, c),
                                   f"{self.column} is {', '.join(problems)}",
                                   "Make it timestamptz NOT NULL DEFAULT now()", level)

    def fix(self, schema: Schema, finding: Finding) -> SchemaChange | None:
        return _audit_fix(schema, finding, self.column, self.id)

    def is_safe_fix(self, schema: Schema, finding: Finding) -> bool:
        # Adding the column is safe (the default fills existing rows); tightening an
        # existing column (NOT NULL, retype) is reviewed.
        return finding.target.kind == "table"


@register
class CreatedAt(_AuditColumn):
    """Every table has ``created_at timestamptz NOT NULL DEFAULT now()``.

    When a row appeared is the first question of every support case and data repair. A
    server default stamps rows from every writer (ORM, raw SQL, imports) alike.

    Bad:
        CREATE TABLE payment (id bigint PRIMARY KEY, amount numeric(12,2) NOT NULL);

    Good:
        CREATE TABLE payment (id bigint PRIMARY KEY, amount numeric(12,2) NOT NULL,
                              created_at timestamptz NOT NULL DEFAULT now());
    """

    id = "TS-01"
    name = "created_at timestamptz NOT NULL DEFAULT now()"
    level = Level.BLOCK
    fixable = True
    fix_safe = True
    column = "created_at"

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        return self._findings(schema, {})


@register
class UpdatedAt(_AuditColumn):
    """Every table has ``updated_at timestamptz NOT NULL DEFAULT now()``.

    When a row last changed drives caching, syncing and debugging. Junction and append-only
    tables rarely update rows, so there a missing ``updated_at`` only needs a reason.

    Bad:
        CREATE TABLE customer (..., created_at timestamptz NOT NULL DEFAULT now());

    Good:
        CREATE TABLE customer (..., created_at timestamptz NOT NULL DEFAULT now(),
                               updated_at timestamptz NOT NULL DEFAULT now());
    """

    id = "TS-02"
    name = "updated_at timestamptz NOT NULL DEFAULT now()"
    level = Level.BLOCK
    levels_note = "BLOCK; JUSTIFY for junction and append-only tables"
    fixable = True
    fix_safe = True
    column = "updated_at"

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        return self._findings(schema, {"junction": Level.JUSTIFY, "append_only": Level.JUSTIFY})


@register
class UpdatedAtMaintained(Rule):
    """``updated_at`` can be maintained on every update.

    The exporter maintains ``updated_at`` by the project setting: a trigger emitted in the
    migration (covers raw SQL too) or the ORM's ``onupdate``. Either sets ``now()`` on
    UPDATE, so the column must be a timestamp that may be assigned (not generated, not
    identity), and rows must be born with a value: a nullable ``updated_at`` without a
    default starts as NULL and stays NULL until the first update.

    Bad:
        updated_at timestamptz NULL  -- no default

    Good:
        updated_at timestamptz NOT NULL DEFAULT now()  -- plus the exported trigger
    """

    id = "TS-03"
    name = "updated_at is maintained"
    level = Level.BLOCK

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        a = analyze(schema)
        how = "trigger" if schema.settings.updated_at_mode == "trigger" else "ORM onupdate"
        for t in schema.tables:
            c = t.column_named("updated_at")
            if c is None:
                continue
            ctype = a.base_type(c.type)
            if c.generated is not None or c.identity is not None:
                msg = "updated_at is generated and cannot be maintained"
            elif ctype.kind != "builtin" or ctype.name not in _TIME_TYPES or ctype.array_dims:
                msg = f"updated_at is {c.type.short(schema)}; the {how} sets now()"
            elif c.nullable and c.default is None:
                msg = "updated_at is NULL until the first update"
            else:
                continue
            yield self.finding(column_target(t, c), msg,
                               f"Make it timestamptz NOT NULL DEFAULT now(); the {how} keeps it")


_SOFT_NAMES = frozenset({"deleted_at", "is_deleted", "deleted", "deleted_on", "removed_at"})


@register
class SoftDeleteShape(Rule):
    """Soft-delete tables mark deletion with ``deleted_at timestamptz NULL``.

    A soft-delete table keeps deleted rows and needs one agreed marker: NULL = live, a time =
    deleted at that moment (partial indexes and unique keys use ``WHERE deleted_at IS
    NULL``). A hard-delete table with a ``deleted_at``/``is_deleted`` column is a soft delete
    nobody declared: queries forget to filter it.

    Bad:
        -- table declared soft-delete
        CREATE TABLE customer (..., is_deleted boolean NOT NULL DEFAULT false);

    Good:
        CREATE TABLE customer (..., deleted_at timestamptz NULL);
    """

    id = "TS-04"
    name = "Soft-delete shape"
    level = Level.BLOCK
    levels_note = "BLOCK for soft-delete tables; JUSTIFY for soft-delete columns elsewhere"
    fixable = True
    fix_safe = True

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        a = analyze(schema)
        for t in schema.tables:
            if t.delete_strategy == "soft":
                yield from self._soft(t, a)
                continue
            for c in t.columns:
                if c.name in _SOFT_NAMES:
                    yield self.finding(column_target(t, c),
                                       "Soft-delete column on a hard-delete table",
                                       "Declare the table soft-delete, or drop the column",
                                       Level.JUSTIFY, fixable=False)

    def _soft(self, t: Table, a: Analysis) -> Iterator[Finding]:
        c = t.column_named("deleted_at")
        if c is None:
            yield self.finding(table_target(t), "Soft-delete table lacks deleted_at",
                               "Add deleted_at timestamptz NULL")
            return
        ctype = a.base_type(c.type)
        if ctype.kind != "builtin" or ctype.name not in _TIME_TYPES or ctype.array_dims:
            msg = "deleted_at is not a timestamptz"
        elif not c.nullable:
            msg = "deleted_at is NOT NULL"
        elif c.default is not None and c.default.strip().lower() != "null":
            msg = "deleted_at has a default"
        else:
            return
        yield self.finding(column_target(t, c), msg, "Make it timestamptz NULL, no default",
                           fixable=False)

    def fix(self, schema: Schema, finding: Finding) -> SchemaChange | None:
        target = finding.target
        if target.kind != "table" or target.uid is None:
            return None
        column = Column(uid=stable_uid(target.uid, self.id, "deleted_at"), name="deleted_at",
                        type=TIMESTAMPTZ, nullable=True, null_meaning="not deleted")
        return partial(edit.add_column, table_uid=target.uid, column=column)

    def is_safe_fix(self, schema: Schema, finding: Finding) -> bool:
        return finding.target.kind == "table"
