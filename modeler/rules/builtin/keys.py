"""Keys and relationships (KR), part 1: primary keys, real FKs, referential actions.

Part 2 (FK types and targets, implied references, cycles, junctions) is
:mod:`modeler.rules.builtin.relationships`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from modeler.rules.analysis import analyze
from modeler.rules.core import (
    Config,
    Finding,
    Level,
    Rule,
    SchemaChange,
    pk_target,
    register,
    relationship_target,
    table_target,
)
from modeler.schema import edit
from modeler.schema.model import Column, ColumnType, Relationship, Schema


def columns_of(schema: Schema, uids: tuple[str, ...]) -> list[Column] | None:
    try:
        return [schema.column(u) for u in uids]
    except KeyError:
        return None


@register
class PrimaryKeyRequired(Rule):
    """Every table has a primary key.

    Without a primary key a row cannot be addressed: the ORM cannot map the table, updates
    cannot be replicated logically, and duplicate rows creep in unnoticed.

    Bad:
        CREATE TABLE note (body text NOT NULL);

    Good:
        CREATE TABLE note (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            body text NOT NULL
        );
    """

    id = "KR-01"
    name = "Primary key required"
    level = Level.BLOCK

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        for t in schema.tables:
            if not any(c.pk_order is not None for c in t.columns):
                yield self.finding(table_target(t), "Table has no primary key",
                                   "Add a key column per the project's key policy")


@register
class PrimaryKeyPolicy(Rule):
    """Primary keys follow the project's key policy.

    Entity and lookup tables get one surrogate key column: ``bigint`` identity (policy
    *identity*, simple and compact) or ``uuid`` with a server default (policy *uuid*, for
    distributed systems and ids made outside the database). ``integer`` keys overflow, and
    natural keys (text codes) change. Composite keys belong to junction tables only.

    Bad:
        CREATE TABLE country (code text PRIMARY KEY, name text NOT NULL);

    Good:
        CREATE TABLE country (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            code text NOT NULL UNIQUE,
            name text NOT NULL
        );
    """

    id = "KR-02"
    name = "PK type follows project policy"
    level = Level.JUSTIFY

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        a = analyze(schema)
        policy = schema.settings.pk_policy
        for t in schema.tables:
            pk = t.primary_key
            if not pk:
                continue
            if len(pk) > 1:
                if t.kind != "junction":
                    kind = t.kind.replace("_", "-")
                    article = "an" if kind[0] in "aeiou" else "a"
                    yield self.finding(pk_target(t),
                                       f"Composite primary key on {article} {kind} table",
                                       "Use one surrogate key; keep the natural key UNIQUE")
                continue
            col = pk[0]
            ctype = a.base_type(col.type)
            if policy == "identity":
                ok = ctype.kind == "builtin" and ctype.name == "bigint" and not ctype.array_dims \
                    and col.identity is not None
                want = "bigint identity"
            else:
                ok = ctype.kind == "builtin" and ctype.name == "uuid" and not ctype.array_dims \
                    and col.default is not None
                want = "uuid with a server default"
            if not ok:
                yield self.finding(pk_target(t), f"PK {col.name} is {_describe(col, ctype)}",
                                   f"Project key policy: {want}")


def _describe(col: Column, ctype: ColumnType) -> str:
    text = ctype.short()
    if col.identity is not None:
        text += " identity"
    elif col.default is not None and ctype.name == "uuid":
        text += " with default"
    return text


@register
class RealForeignKey(Rule):
    """Every relationship is a real foreign key constraint.

    A relationship the database does not enforce is a comment: orphans appear the first time
    a script deletes a parent. A many-to-many relationship cannot be one foreign key; it
    needs a junction table with two.

    Bad:
        -- "students take courses" drawn as a many-to-many line, no table behind it

    Good:
        CREATE TABLE enrollment (
            student_id bigint NOT NULL REFERENCES student,
            course_id bigint NOT NULL REFERENCES course,
            PRIMARY KEY (student_id, course_id)
        );
    """

    id = "KR-03"
    name = "Every relationship is a real FK"
    level = Level.BLOCK

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        for r in schema.relationships:
            target = relationship_target(schema, r)
            if r.cardinality == "many-to-many":
                yield self.finding(target, "Many-to-many relationship is not a junction table",
                                   "Model it as a junction table with two FKs")
            elif not r.child_columns or len(r.child_columns) != len(r.parent_columns):
                yield self.finding(target, "FK column lists are empty or of unequal length",
                                   "Pick one child column per referenced column")
            elif not _belongs(schema, r):
                yield self.finding(target, "FK refers to columns outside its tables",
                                   "Pick columns of the child and the parent table")


def _belongs(schema: Schema, r: Relationship) -> bool:
    try:
        return all(schema.table_of_column(c).uid == r.child_table for c in r.child_columns) \
            and all(schema.table_of_column(c).uid == r.parent_table for c in r.parent_columns)
    except KeyError:
        return False


def suggested_actions(schema: Schema, r: Relationship) -> tuple[str, str]:
    """(on_delete, on_update) suggested for ``r``: CASCADE for identifying children, SET NULL
    for optional ones, RESTRICT otherwise; NO ACTION on update (surrogate keys never change)."""
    cols = columns_of(schema, r.child_columns) or []
    try:
        child = schema.table(r.child_table)
    except KeyError:
        return ("RESTRICT", "NO ACTION")
    if child.kind == "junction" or any(c.in_pk for c in cols):
        return ("CASCADE", "NO ACTION")
    if r.optional or any(c.nullable for c in cols):
        return ("SET NULL", "NO ACTION")
    return ("RESTRICT", "NO ACTION")


@register
class ExplicitActions(Rule):
    """Foreign keys state ON DELETE and ON UPDATE.

    The default, NO ACTION, is rarely a decision: it is what you get when nobody thought
    about deleting a parent. Spelling the action out documents the lifecycle: CASCADE for
    dependent children, SET NULL for optional links, RESTRICT otherwise.

    Bad:
        customer_id bigint NOT NULL REFERENCES customer

    Good:
        customer_id bigint NOT NULL REFERENCES customer
            ON DELETE RESTRICT ON UPDATE NO ACTION
    """

    id = "KR-04"
    name = "Explicit referential actions"
    level = Level.BLOCK
    fixable = True
    fix_safe = False  # a lifecycle decision: previewed, never applied in bulk

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        for r in schema.relationships:
            missing = [w for w, v in (("ON DELETE", r.on_delete), ("ON UPDATE", r.on_update))
                       if v == "UNSPECIFIED"]
            if missing:
                d, u = suggested_actions(schema, r)
                yield self.finding(relationship_target(schema, r),
                                   f"{' and '.join(missing)} not specified",
                                   f"Suggested: ON DELETE {d} ON UPDATE {u}")

    def fix(self, schema: Schema, finding: Finding) -> SchemaChange | None:
        r = analyze(schema).relationships.get(finding.target.uid or "")
        if r is None:
            return None
        d, u = suggested_actions(schema, r)
        changes: dict[str, object] = {}
        if r.on_delete == "UNSPECIFIED":
            changes["on_delete"] = d
        if r.on_update == "UNSPECIFIED":
            changes["on_update"] = u
        return (lambda s: edit.alter(s, r.uid, **changes)) if changes else None


@register
class ActionConsistency(Rule):
    """Referential actions fit the columns and the lifecycles they connect.

    SET NULL on a NOT NULL column and SET DEFAULT on a column without a default fail at the
    first delete. CASCADE between a soft-deleted and a hard-deleted table mixes lifecycles:
    soft-deleting the parent cascades nothing, hard-deleting it destroys kept history.

    Bad:
        customer_id bigint NOT NULL REFERENCES customer ON DELETE SET NULL

    Good:
        customer_id bigint NULL REFERENCES customer ON DELETE SET NULL
    """

    id = "KR-05"
    name = "Action consistency"
    level = Level.BLOCK
    levels_note = "BLOCK for impossible actions; JUSTIFY for CASCADE across delete strategies"
    fixable = True  # SET NULL on a NOT NULL column only: the suggested action instead
    fix_safe = False  # a lifecycle decision: previewed, never applied in bulk

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        for r in schema.relationships:
            cols = columns_of(schema, r.child_columns)
            if cols is None:
                continue
            target = relationship_target(schema, r)
            actions = {r.on_delete, r.on_update}
            if "SET NULL" in actions and any(not c.nullable for c in cols):
                yield self.finding(target, "SET NULL on a NOT NULL FK column",
                                   "Make the column nullable or choose RESTRICT/CASCADE")
            if "SET DEFAULT" in actions and any(c.default is None for c in cols):
                yield self.finding(target, "SET DEFAULT on an FK column without a default",
                                   "Give the column a default or choose another action",
                                   fixable=False)
            if r.on_delete == "CASCADE":
                try:
                    child, parent = schema.table(r.child_table), schema.table(r.parent_table)
                except KeyError:
                    continue
                if child.delete_strategy != parent.delete_strategy:
                    yield self.finding(target, "CASCADE crosses soft- and hard-delete tables",
                                       "Align the delete strategies or use RESTRICT",
                                       Level.JUSTIFY, fixable=False)

    def fix(self, schema: Schema, finding: Finding) -> SchemaChange | None:
        """SET NULL on a NOT NULL FK column: the action the column's lifecycle suggests
        (:func:`suggested_actions` less SET NULL: CASCADE for junctions and key columns,
        RESTRICT otherwise); ON UPDATE SET NULL becomes NO ACTION."""
        r = analyze(schema).relationships.get(finding.target.uid or "")
        cols = columns_of(schema, r.child_columns) if r is not None else None
        if r is None or cols is None or all(c.nullable for c in cols):
            return None
        suggested, _ = suggested_actions(schema, replace(r, optional=False))
        if suggested == "SET NULL":  # a nullable column among several: keep the child
            suggested = "RESTRICT"
        changes: dict[str, object] = {}
        if r.on_delete == "SET NULL":
            changes["on_delete"] = suggested
        if r.on_update == "SET NULL":
            changes["on_update"] = "NO ACTION"
        return (lambda s: edit.alter(s, r.uid, **changes)) if changes else None
