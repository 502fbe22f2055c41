"""Rendering of schema-level ops (namespaces, extensions, enums, domains, sequences, raw
objects) and of comment ops, as ``op.execute`` of quoted SQL."""

from __future__ import annotations

import dataclasses
import functools
import re
from collections.abc import Callable, Sequence

from modeler.codegen.migration_code import (
    Call,
    Lit,
    Stmt,
    code,
    comment,
    execute,
    ident,
    lit,
    move_sql,
    qname,
    sql_str,
    type_sql,
)
from modeler.codegen.migration_ctx import RenderCtx, comment_sql, schema_kw, tq
from modeler.codegen.migration_keys import (
    add_check,
    add_foreign_key,
    add_index,
    drop_constraint,
    drop_index,
)
from modeler.codegen.sqlwriter import (
    create_domain_sql,
    create_enum_sql,
    create_sequence_sql,
    default_sql,
    domain_check_sql,
    raw_drop_sql,
    sequence_owner_sql,
    sequence_past_rows_sql,
)
from modeler.diff import (
    AddEnumValue,
    AlterDomain,
    AlterSequence,
    RemoveEnumValue,
    SetComment,
)
from modeler.diff.base import find
from modeler.schema import naming
from modeler.schema.model import Column, Domain, EnumType, RawObject, Schema
from modeler.schema.model import Sequence as SequenceObj


def enum_q(enum: EnumType) -> str:
    return qname(enum.namespace, enum.name)


def create_enum(enum: EnumType) -> list[Stmt]:
    out = [execute(create_enum_sql(enum))]
    if enum.comment:
        out.append(execute(comment_sql(f"TYPE {enum_q(enum)}", enum.comment)))
    return out


def _tmp(name: str, uid: str) -> str:
    return naming.truncate(f"{name}_mv_{uid[:8]}")


def rename_enum(before: EnumType, after: EnumType) -> list[Stmt]:
    return [execute(sql) for sql in move_sql("TYPE", before.namespace, before.name,
                                             after.namespace, after.name,
                                             _tmp(after.name, after.uid))]


def add_enum_value(op: AddEnumValue, ctx: RenderCtx) -> list[Stmt]:
    """``ADD VALUE`` cannot share a transaction with its first use: autocommit, so it is
    committed even when a later statement of the revision fails; ``IF NOT EXISTS`` lets the
    revision run again then (:func:`~modeler.codegen.migration.first_values` puts them first:
    nothing else is committed)."""
    enum = find(ctx.after.enums, op.enum_uid)
    values, at = enum.values, op.position
    where = ""
    if at + 1 < len(values):
        where = f" BEFORE {sql_str(values[at + 1].label)}"
    elif at > 0:
        where = f" AFTER {sql_str(values[at - 1].label)}"
    return [execute(f"ALTER TYPE {enum_q(enum)} ADD VALUE IF NOT EXISTS "
                    f"{sql_str(op.value.label)}{where}", auto=True)]


def _enum_columns(schema: Schema, enum_uid: str
                  ) -> list[tuple[str, str, int, str | None, bool]]:
    """(table sql, column, array dims, default, partition) of every column of the enum type;
    ``partition``: its table is attached to a partitioned one, whose ALTER COLUMN ... TYPE
    retypes it (PostgreSQL refuses it on the partition: cannot alter inherited column)."""
    return [(tq(t), c.name, c.type.array_dims, c.default, t.partition_of is not None)
            for t in schema.tables
            for c in t.columns if c.type.kind == "enum" and c.type.ref == enum_uid]


def remove_enum_value(op: RemoveEnumValue, ctx: RenderCtx) -> list[Stmt]:
    """PostgreSQL cannot drop an enum value: the type is recreated. Rows holding the removed
    value would stop it with PostgreSQL's ``invalid input value for enum``: a check ahead
    says which columns hold it, in how many rows, and what to do."""
    enum = find(ctx.after.enums, op.enum_uid)
    return [*value_in_use_check(enum, op.value.label, ctx),
            *recreate_enum(enum, ctx, f"enum {enum.qualified_name} loses {op.value.label!r}")]


def value_in_use_check(enum: EnumType, label: str, ctx: RenderCtx) -> list[Stmt]:
    """A DO block raising a clear error when rows of a column of ``enum`` (an array's
    elements too) hold ``label``, before anything of the type is changed (the revision runs
    in a transaction, rolled back by the error)."""
    checks = []
    for table, column, dims, _, partition in _enum_columns(ctx.after, enum.uid):
        if partition:  # its rows are counted through the partitioned table
            continue
        col = ident(column)
        where = (f"{sql_str(label)} = ANY ({col}::text[])" if dims
                 else f"{col}::text = {sql_str(label)}")
        checks.append(
            f"    SELECT count(*) INTO n FROM {table} WHERE {where};\n"  # noqa: S608  # quoted names
            f"    total := total + n;\n"
            f"    IF n > 0 THEN\n        used := used || ', ' || n || CASE WHEN n = 1 THEN "
            f"' row of ' ELSE ' rows of ' END || {sql_str(f'{table}.{col}')};\n    END IF;\n")
    if not checks:
        return []
    message = (f"Cannot remove value {label!r} from enum {enum.qualified_name}: ")
    hint = ("Change or delete those rows first, then run the migration again. Nothing was "
            "changed: the migration stopped before recreating the type and its transaction "
            "is rolled back.")
    body = ("DECLARE\n    n bigint;\n    total bigint := 0;\n    used text := '';\nBEGIN\n"
            + "".join(checks)
            + "    IF used <> '' THEN\n        RAISE EXCEPTION USING ERRCODE = "
            f"'dependent_objects_still_exist',\n            MESSAGE = {sql_str(message)} || "
            "substr(used, 3) || CASE WHEN total = 1 THEN ' still holds it.' ELSE "
            "' still hold it.' END,\n            HINT = "
            f"{sql_str(hint)};\n    END IF;\nEND")
    tag, n = "$in_use$", 0
    while tag in body:  # a quoted name or label holding the tag
        n += 1
        tag = f"$in_use{n}$"
    return [comment(f"enum {enum.qualified_name} loses {label!r}: stop, saying so, when rows "
                    "hold it"), execute(f"DO {tag}\n{body}\n{tag}")]


def recreate_enum(enum: EnumType, ctx: RenderCtx, why: str) -> list[Stmt]:
    """Rename the type away, create it anew with ``enum``'s values, move every column over,
    drop the old type."""
    old_name = naming.truncate(f"{enum.name}__old")
    old_q = qname(enum.namespace, old_name)
    fks = _fks_on(ctx, lambda c: c.type.kind == "enum" and c.type.ref == enum.uid)
    deps = _expressions_on(ctx, enum)
    out = [comment(f"{why}: recreate the type"), *fks[0], *deps[0],
           execute(f"ALTER TYPE {enum_q(enum)} RENAME TO {ident(old_name)}"),
           *create_enum(enum)]
    columns = _enum_columns(ctx.after, enum.uid)
    # the defaults first (a partition's too: its parent's retyping reaches it), then the
    # types (a partition's through its parent), then the defaults back
    for table, column, _, default, _ in columns:
        if default is not None:
            out.append(execute(f"ALTER TABLE {table} ALTER COLUMN {ident(column)} DROP DEFAULT"))
    for table, column, dims, _, partition in columns:
        if not partition:
            target = enum_q(enum) + "[]" * dims
            out.append(retype_unless_inherited(
                table, column, f"{target} USING {ident(column)}::text{'[]' * dims}::{target}"))
    for table, column, _, default, _ in columns:
        if default is not None:
            out.append(execute(f"ALTER TABLE {table} ALTER COLUMN {ident(column)} SET DEFAULT "
                               f"{default}"))
    out.append(execute(f"DROP TYPE {old_q}"))
    return out + deps[1] + fks[1]


def _expressions_on(ctx: RenderCtx, enum: EnumType) -> tuple[list[Stmt], list[Stmt]]:
    """Drop and re-add statements for the partial or expression indexes and the CHECKs that
    may compare a column of the enum with a value of the type: PostgreSQL keeps those values
    typed as the renamed old type and cannot rebuild them for the new one (``operator does
    not exist: t <> t__old``). The table is rewritten anyway: plain (locking) forms."""
    plain = RenderCtx(before=ctx.after, after=ctx.after, existing=frozenset(), safe=False,
                      imports=ctx.imports)
    drop: list[Stmt] = []
    add: list[Stmt] = []
    for t in ctx.after.tables:
        cols = [c.name for c in t.columns if c.type.kind == "enum" and c.type.ref == enum.uid]
        if not cols:
            continue
        words = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in (*cols, enum.name))
                           + r")\b")
        for ix in t.indexes:
            texts = [ix.where or "", *(p.expression or "" for p in ix.parts)]
            if any(words.search(x) for x in texts):
                drop += drop_index(t, ix, plain)
                add += add_index(t, ix, plain)
        for k in t.checks:
            if words.search(k.expression):
                drop += drop_constraint(t, k.name, "check", plain)
                add += add_check(t, k, plain)
    return drop, add


def _fks_on(ctx: RenderCtx,
            retyped: Callable[[Column], bool]) -> tuple[list[Stmt], list[Stmt]]:
    """Drop and re-add statements for the FKs joining columns that get a new type:
    PostgreSQL refuses to retype one end of an FK at a time."""
    cols = {c.uid for t in ctx.after.tables for c in t.columns if retyped(c)}
    drop: list[Stmt] = []
    add: list[Stmt] = []
    for rel in ctx.after.relationships:
        if cols & {*rel.child_columns, *rel.parent_columns}:
            drop += drop_constraint(ctx.after.table(rel.child_table), rel.name, "foreignkey",
                                    ctx)
            add += add_foreign_key(rel, ctx)
    return drop, add


def create_domain(d: Domain, schema: Schema) -> list[Stmt]:
    out = [execute(create_domain_sql(d, schema))]
    if d.comment:
        out.append(execute(comment_sql(f"DOMAIN {qname(d.namespace, d.name)}", d.comment)))
    return out


def alter_domain(op: AlterDomain, ctx: RenderCtx) -> list[Stmt]:
    before = find(ctx.before.domains, op.uid)
    after = find(ctx.after.domains, op.uid)
    fields = {c.field for c in op.changes}
    out: list[Stmt] = []
    if fields & {"name", "namespace"}:
        out += [execute(sql) for sql in move_sql("DOMAIN", before.namespace, before.name,
                                                 after.namespace, after.name,
                                                 _tmp(after.name, after.uid))]
    q = qname(after.namespace, after.name)
    if "base" in fields:
        return out + _recreate_domain(after, ctx)
    detour: tuple[list[Stmt], list[Stmt]] = ([], [])
    if (after.not_null and not before.not_null) or any(c not in before.checks
                                                       for c in after.checks):
        detour = _arrays_off_domain(after, ctx)
    out += detour[0]
    if "not_null" in fields:
        out.append(execute(f"ALTER DOMAIN {q} {'SET' if after.not_null else 'DROP'} NOT NULL"))
    if "default" in fields:
        out.append(execute(f"ALTER DOMAIN {q} SET DEFAULT {default_sql(after.default)}"
                           if after.default is not None else f"ALTER DOMAIN {q} DROP DEFAULT"))
    if "checks" in fields:
        for check in before.checks:
            if check not in after.checks:
                out.append(execute(f"ALTER DOMAIN {q} DROP CONSTRAINT {ident(check.name)}"))
        for check in after.checks:
            if check not in before.checks:
                out.append(execute(f"ALTER DOMAIN {q} ADD {domain_check_sql(check)}"))
    out += detour[1]
    if "comment" in fields:
        out.append(execute(comment_sql(f"DOMAIN {q}", after.comment)))
    return out


def _retype(cols: list[tuple[str, Column]], target: str) -> list[Stmt]:
    out = []
    for table, c in cols:
        to = target + "[]" * c.type.array_dims
        out.append(retype_unless_inherited(table, c.name, f"{to} USING {ident(c.name)}::{to}"))
    return out


def retype_unless_inherited(table: str, column: str, type_using: str) -> Stmt:
    """``ALTER TABLE table ALTER COLUMN column TYPE type_using``, skipped where the column is
    inherited (INHERITS): the design does not model classic inheritance, but a baseline
    imported from a deployed database is stamped on a database that has it, and PostgreSQL
    refuses the statement on a child's inherited column (cannot alter inherited column);
    the parent's, run too, reaches it. (Partitions are left out before: they are known.)"""
    alter = f"ALTER TABLE {table} ALTER COLUMN {ident(column)} TYPE {type_using}"
    check = (f"SELECT a.attinhcount FROM pg_catalog.pg_attribute a WHERE a.attrelid = "  # noqa: S608  # quoted by sql_str
             f"{sql_str(table)}::regclass AND a.attname = {sql_str(column)}")
    body = f"BEGIN\n    IF ({check}) = 0 THEN\n        {alter};\n    END IF;\nEND"
    tag, n = "$retype$", 0
    while tag in body:  # a quoted name holding the tag
        n += 1
        tag = f"$retype{n}$"
    return execute(f"DO {tag}\n{body}\n{tag}")


def _off_domain(d: Domain, ctx: RenderCtx, *,
                arrays_only: bool) -> tuple[list[Stmt], list[Stmt]]:
    """The statements moving the columns of domain ``d`` (only those holding arrays of it
    when ``arrays_only``) to its base type, and those moving them back. Their FKs and their
    defaults (a default keeps its cast to the domain) go and come back around the move."""
    def uses(c: Column) -> bool:
        return (c.type.kind == "domain" and c.type.ref == d.uid
                and (c.type.array_dims > 0 or not arrays_only))

    cols = [(tq(t), c) for t in ctx.after.tables for c in t.columns if uses(c)]
    if not cols:
        return [], []
    # a partition's column is retyped through its parent's (PostgreSQL refuses it on the
    # partition: cannot alter inherited column); its default goes and comes back itself
    typed = [(tq(t), c) for t in ctx.after.tables if t.partition_of is None
             for c in t.columns if uses(c)]
    fks = _fks_on(ctx, uses)
    defaults = [(t, c) for t, c in cols if c.default is not None]
    return ([*fks[0], *(execute(f"ALTER TABLE {t} ALTER COLUMN {ident(c.name)} DROP DEFAULT")
                        for t, c in defaults),
             *_retype(typed, type_sql(d.base, ctx.after))],
            [*_retype(typed, qname(d.namespace, d.name)),
             *(execute(f"ALTER TABLE {t} ALTER COLUMN {ident(c.name)} SET DEFAULT "
                       f"{default_sql(c.default or '')}") for t, c in defaults), *fks[1]])


def _arrays_off_domain(d: Domain, ctx: RenderCtx) -> tuple[list[Stmt], list[Stmt]]:
    """PostgreSQL refuses a new NOT NULL or check on a domain while a column holds an array
    of it ("cannot alter type ... because column ... uses it"): those columns move to an
    array of the base type around the change, and back."""
    off, back = _off_domain(d, ctx, arrays_only=True)
    if not off:
        return [], []
    return [comment(f"columns holding arrays of domain {d.qualified_name} leave it while it "
                    "gets a new constraint"), *off], back


def _recreate_domain(d: Domain, ctx: RenderCtx) -> list[Stmt]:
    """A new base type: columns move to the base type, the domain is recreated, they move
    back."""
    off, back = _off_domain(d, ctx, arrays_only=False)
    return [comment(f"domain {d.qualified_name} gets a new base type: recreate it"), *off,
            execute(f"DROP DOMAIN {qname(d.namespace, d.name)}"), *create_domain(d, ctx.after),
            *back]


def create_sequence(seq: SequenceObj, schema: Schema) -> list[Stmt]:
    return [execute(create_sequence_sql(seq, schema))]


def alter_sequence(op: AlterSequence, ctx: RenderCtx) -> list[Stmt]:
    after = find(ctx.after.sequences, op.uid)
    return sequence_alteration(op, find(ctx.before.sequences, op.uid), after, ctx.after,
                               rows=after.owned_by_table in ctx.existing)


def sequence_alteration(op: AlterSequence, before: SequenceObj, after: SequenceObj,
                        schema: Schema, *, rows: bool = False) -> list[Stmt]:
    """The statements of ``op`` taking the sequence from ``before`` to ``after``; ``schema``
    names its owner table (any state where that table is as it is right after ``op``).
    ``rows``: the owner table was there when the revision started (it may hold rows: a
    sequence given to it goes on after them)."""
    fields = {c.field for c in op.changes}
    out: list[Stmt] = []
    if fields & {"name", "namespace"}:
        out += [execute(sql) for sql in move_sql("SEQUENCE", before.namespace, before.name,
                                                 after.namespace, after.name,
                                                 _tmp(after.name, after.uid))]
    clauses = []
    if "data_type" in fields:
        clauses.append(f"AS {after.data_type}")
    for name, word, unset in (("increment", "INCREMENT BY", "INCREMENT BY 1"),
                              ("min_value", "MINVALUE", "NO MINVALUE"),
                              ("max_value", "MAXVALUE", "NO MAXVALUE"),
                              ("start", "START WITH", None), ("cache", "CACHE", "CACHE 1")):
        value = getattr(after, name)
        if name in fields:
            clauses.append(f"{word} {int(value)}" if value is not None
                           else unset or f"START WITH {after.min_value or 1}")
    if "cycle" in fields:
        clauses.append("CYCLE" if after.cycle else "NO CYCLE")
    if fields & {"owned_by_table", "owned_by_column"}:
        clauses.append(sequence_owner_sql(after, schema))
    if clauses:
        out.append(execute(f"ALTER SEQUENCE {qname(after.namespace, after.name)} "
                           + " ".join(clauses)))
    if rows and fields & {"owned_by_table", "owned_by_column"}:
        past = sequence_past_rows_sql(after, schema)  # the column's rows are not handed out
        if past is not None:
            out.append(execute(past))
    return out


_ON_TABLE = {"trigger": "TRIGGER", "rule": "RULE", "policy": "POLICY"}
# ALTER TABLE [IF EXISTS] [ONLY] t REPLICA IDENTITY ... (what the SQL and live imports keep)
_REPLICA_IDENTITY = re.compile(r"\s*ALTER\s+TABLE\s+[^;]*?\bREPLICA\s+IDENTITY\s+"
                               r"(?:FULL|NOTHING|USING\s+INDEX)\b", re.IGNORECASE)
# ALTER TABLE ... ENABLE | FORCE ROW LEVEL SECURITY alone (a kept "row security" statement)
_ROW_SECURITY = re.compile(r"\s*ALTER\s+TABLE\s+[^;,]*?\b(ENABLE|FORCE)\s+ROW\s+LEVEL\s+"
                           r"SECURITY\s*;?\s*", re.IGNORECASE)


# ALTER TABLE t SET UNLOGGED; / ALTER TABLE t SET (a = 1, toast.b = 'x'); as the SQL and live
# imports keep them (modeler.importers.sql.storage)
_SET_UNLOGGED = re.compile(r"ALTER TABLE (\S+) SET UNLOGGED;\Z")
_SET_OPTIONS = re.compile(r"ALTER TABLE (\S+) SET \((.*)\);\Z", re.DOTALL)
# ALTER TABLE ONLY t ALTER COLUMN c SET (n_distinct = -1); / SET STATISTICS 400; / SET
# STORAGE MAIN; (a column's planner settings and storage, as the imports keep them)
_COLUMN_SETTING = re.compile(r"ALTER TABLE ONLY (\S+) ALTER COLUMN (\S+|\"(?:[^\"]|\"\")*\") "
                             r"SET (STATISTICS -?\d+|STORAGE [A-Z]+|\(.*\));\Z", re.DOTALL)


# ALTER STATISTICS s SET STATISTICS n; (an extended statistics object's target, as the
# imports keep it)
_STATISTICS_TARGET = re.compile(r"ALTER STATISTICS (\S+) SET STATISTICS \d+;\Z")


def _storage_back(table: str, column: str) -> str:
    """A DO block giving the column its type's storage again (``SET STORAGE DEFAULT`` is
    PostgreSQL 16+), when the table and column are still there."""
    name = column[1:-1].replace('""', '"') if column.startswith('"') else column
    return ("DO $$DECLARE s text; BEGIN SELECT CASE ty.typstorage WHEN 'p' THEN 'PLAIN' "  # noqa: S608
            "WHEN 'e' THEN 'EXTERNAL' WHEN 'm' THEN 'MAIN' ELSE 'EXTENDED' END INTO s "
            "FROM pg_attribute a JOIN pg_type ty ON ty.oid = a.atttypid "
            f"WHERE a.attrelid = to_regclass({sql_str(table)}) "
            f"AND a.attname = {sql_str(name)} AND NOT a.attisdropped; "
            "IF s IS NOT NULL THEN EXECUTE "
            + sql_str(f"ALTER TABLE ONLY {table} ALTER COLUMN {column} SET STORAGE ")
            + " || s; END IF; END$$")


def _storage_undone(sql: str) -> str | None:
    """The undoing of a kept ``SET UNLOGGED`` (``SET LOGGED``) or ``SET (...)`` (``RESET``
    of those names), a column's ``SET (...)`` (``RESET``), ``SET STATISTICS n`` (``SET
    STATISTICS -1``) or ``SET STORAGE s`` (its type's), or None for another statement."""
    if m := _SET_UNLOGGED.match(sql):
        return f"ALTER TABLE IF EXISTS {m.group(1)} SET LOGGED"
    column = _COLUMN_SETTING.match(sql)
    if (m := column or _SET_OPTIONS.match(sql)) is None:
        return None
    if column and column.group(3).startswith("STORAGE"):
        return _storage_back(column.group(1), column.group(2))
    if column and column.group(3).startswith("STATISTICS"):
        return f"ALTER TABLE IF EXISTS ONLY {m.group(1)} ALTER COLUMN {m.group(2)} " \
               "SET STATISTICS -1"
    from modeler.schema.sqlexpr import one_statement  # pglast: not before
    tree = one_statement(sql)
    cmds = tree[1].get("cmds") if tree is not None else None
    if not cmds:
        return None
    names = [f"{d['defnamespace']}.{d['defname']}" if d.get("defnamespace")
             else str(d["defname"]) for d in cmds[0]["AlterTableCmd"]["def"]["List"]["items"]
             for d in [d["DefElem"]]]
    if column:
        return f"ALTER TABLE IF EXISTS ONLY {m.group(1)} ALTER COLUMN {m.group(2)} " \
               f"RESET ({', '.join(names)})"
    return f"ALTER TABLE IF EXISTS {m.group(1)} RESET ({', '.join(names)})"


def drop_raw_object(obj: RawObject, search_path: str | None = None,
                    earlier: Sequence[RawObject] = (),
                    later: Sequence[RawObject] = (), *,
                    namesakes: Sequence[RawObject] | None = None) -> list[Stmt]:
    """The statement dropping an object kept as SQL (see :func:`raw_drop_sql`: routines by
    their full signature, operators and casts by their types), run under the search_path
    its CREATE ran under (the types of a signature are named as there), then the revision's
    ``search_path`` again. When ``obj`` makes again an object one of ``earlier`` (the kept
    statements before it) made (see :func:`redefines`), nothing is dropped: a view or routine
    gets its previous definition back (CREATE OR REPLACE), as the way back of a CREATE OR
    REPLACE is; the first statement's undoing drops it. ``later``: the kept statements after
    ``obj`` still standing at its undoing (a view over the view, kept by the revision).
    ``namesakes``: those of ``earlier`` of ``obj``'s kind, namespace and name, in their order,
    when the caller has them (:class:`~modeler.codegen.migration_ctx.Namesakes`): ``earlier``
    and ``later`` are then read only for a view made again."""
    previous = redefines(obj, earlier if namesakes is None else namesakes)
    if previous is not None:
        back = _made_again(previous)
        note = comment(f"{obj.kind} {obj.name}: made again here (OR REPLACE); "
                       + ("its previous definition back, " if back else "")
                       + "dropped where it was first made")
        if back is None:
            return [note]
        if obj.kind == "view":
            return [note, *_view_back(obj, previous, back, search_path, earlier, later)]
        # a routine's body is not checked (as pg_dump makes them): what it reads may be gone
        # by now on the way down (the tables go before the routines kept ahead of them)
        return [note, execute("SELECT set_config('check_function_bodies', 'off', true)"),
                *create_raw_object(back, search_path), execute("RESET check_function_bodies")]
    if (obj.kind == "alter table" and _REPLICA_IDENTITY.match(obj.sql)
            and (table := _raw_target(obj)) is not None):
        # a table's REPLICA IDENTITY kept as SQL: back to a table's own (IF EXISTS: the
        # table may have gone before)
        return [execute(f"ALTER TABLE IF EXISTS {table} REPLICA IDENTITY DEFAULT")]
    if obj.kind == "alter table" and (undo := _storage_undone(obj.sql)) is not None:
        # a table's UNLOGGED or storage parameters kept as SQL (modeler.importers.sql.storage):
        # back to a table's own (IF EXISTS: the table may have gone before)
        return [execute(undo)]
    if obj.kind == "alter table" and (states := _states_undone(obj)) is not None:
        # a trigger or rule disabled, or enabled for replicas or always: as made again (the
        # trigger or rule, kept before it, goes after it on the way down)
        return [execute(states)]
    if (obj.kind == "row security" and (on := _ROW_SECURITY.fullmatch(obj.sql))
            and (table := _raw_target(obj)) is not None):
        # row level security enabled or forced on a table that may stay: off again
        undo = "DISABLE" if on.group(1).upper() == "ENABLE" else "NO FORCE"
        return [execute(f"ALTER TABLE IF EXISTS {table} {undo} ROW LEVEL SECURITY")]
    if obj.kind == "statistics" and (target := _STATISTICS_TARGET.match(obj.sql)):
        # an extended statistics object's target kept as SQL: the default again
        return [execute(f"ALTER STATISTICS IF EXISTS {target.group(1)} SET STATISTICS -1")]
    if obj.kind in _ON_TABLE and (table := _raw_target(obj)) is not None:
        # before the function it may call goes (the tables, which would take it along, go
        # later); IF EXISTS: a table already gone only gets a notice
        return [execute(f"DROP {_ON_TABLE[obj.kind]} IF EXISTS {ident(obj.name)} ON {table}")]
    sql = raw_drop_sql(obj.kind, obj.namespace, obj.name, obj.sql)
    if sql is None:
        return [comment(f"{obj.kind} {obj.name} is not dropped automatically: drop it by hand")]
    if not sql:
        return []
    if obj.search_path is None:
        return [execute(sql)]
    path = obj.search_path
    if "public" not in [p.strip().strip('"') for p in path.split(",")]:
        path = ", ".join(filter(None, (path, "public")))  # where unqualified names are kept
    after = f"SET search_path = {search_path}" if search_path else "RESET search_path"
    return [execute(f"SELECT set_config('search_path', {sql_str(path)}, true)"),
            execute(sql), execute(after)]


_STATES = {"AT_DisableTrig": "TRIGGER", "AT_EnableAlwaysTrig": "TRIGGER",
           "AT_EnableReplicaTrig": "TRIGGER", "AT_DisableRule": "RULE",
           "AT_EnableAlwaysRule": "RULE", "AT_EnableReplicaRule": "RULE"}


def _states_undone(obj: RawObject) -> str | None:
    """``ALTER TABLE t ENABLE TRIGGER a, ENABLE RULE b`` undoing the kept ``obj`` when it
    only sets triggers' and rules' states (DISABLE TRIGGER a, ENABLE REPLICA RULE b...)."""
    from modeler.schema.sqlexpr import one_statement  # pglast: not before

    if "ABLE" not in obj.sql.upper():
        return None
    tree = one_statement(obj.sql)
    table = _raw_target(obj)
    if tree is None or tree[0] != "AlterTableStmt" or table is None:
        return None
    cmds = [c.get("AlterTableCmd", {}) for c in tree[1].get("cmds", ())]
    if not cmds or any(c.get("subtype") not in _STATES or not c.get("name") for c in cmds):
        return None
    return f"ALTER TABLE IF EXISTS {table} " + ", ".join(
        f"ENABLE {_STATES[c['subtype']]} {ident(c['name'])}" for c in cmds)


def _view_back(obj: RawObject, previous: RawObject, back: RawObject, search_path: str | None,
               earlier: Sequence[RawObject], later: Sequence[RawObject]) -> list[Stmt]:
    """The view ``obj`` made again gets ``previous``'s definition back (``back``, its CREATE OR
    REPLACE form); where PostgreSQL refuses that for the columns the redefinition added, it
    is dropped and made again with what stands on it (:mod:`migration_redefined`)."""
    from modeler.codegen.migration_redefined import remade_view_sql, standing_on

    between = list(earlier)[list(earlier).index(previous) + 1:]
    standing = standing_on(obj, [*between, *later])
    return [execute(remade_view_sql(
        obj, previous, raw_object_sql(back, search_path), standing,
        lambda o: raw_object_sql(o, search_path), _raw_target))]


def redefines(obj: RawObject, earlier: Sequence[RawObject]) -> RawObject | None:
    """The last of ``earlier`` that made the object ``obj`` makes again (CREATE OR REPLACE
    FUNCTION or VIEW, as a script's later step redefines it), or None. Undone by a DROP in
    its own place, it went before what was made on the object in between (a trigger calling
    the function, a view over the view), which PostgreSQL refuses; dropped where it was
    first made instead, it went after what it was made to read in between (a view
    redefined over a table made later: evergreen's money.billable_xact_summary), which
    PostgreSQL refuses too. So its undoing gives the object its previous definition back
    (:func:`drop_raw_object`), which reads what was there then."""
    same = [e for e in earlier if (e.kind, e.namespace, e.name) == (obj.kind, obj.namespace,
                                                                    obj.name)]
    if not same:
        return None
    if obj.kind in _ON_TABLE:
        target = _raw_target(obj)
        return next((e for e in reversed(same) if target is not None
                     and _raw_target(e) == target), None)
    sql = raw_drop_sql(obj.kind, obj.namespace, obj.name, obj.sql)
    if not sql:
        return None
    return next((e for e in reversed(same)
                 if raw_drop_sql(e.kind, e.namespace, e.name, e.sql) == sql), None)


_REPLACEABLE = re.compile(r"\s*CREATE\s+(?:OR\s+REPLACE\s+)?"
                          r"(?=(?:(?:TEMP|TEMPORARY|RECURSIVE)\s+)*"
                          r"(?:VIEW|FUNCTION|PROCEDURE)\b)", re.IGNORECASE)


def _made_again(previous: RawObject) -> RawObject | None:
    """``previous`` (a kept CREATE [OR REPLACE] VIEW, FUNCTION or PROCEDURE) as a CREATE OR
    REPLACE of itself; None for any other statement (a trigger, rule or policy made again:
    nothing to put back)."""
    head = _REPLACEABLE.match(previous.sql)
    if head is None:
        return None
    return dataclasses.replace(previous, sql="CREATE OR REPLACE "
                               + previous.sql[head.end():])


def _raw_target(obj: RawObject) -> str | None:
    """The table a kept CREATE TRIGGER / RULE / POLICY is on, as SQL (None: not found)."""
    return _target_of(obj.sql, obj.namespace)


@functools.lru_cache(maxsize=4096)
def _target_of(sql: str, namespace: str) -> str | None:
    """:func:`_raw_target` of the statement ``sql`` kept in ``namespace``, parsed once (a
    downgrade asks it of a trigger and of each earlier one of its name)."""
    from modeler.schema.sqlexpr import one_statement  # pglast: not before

    tree = one_statement(sql)
    if tree is None:
        return None
    relation = tree[1].get("relation") or tree[1].get("table")
    if not isinstance(relation, dict) or not relation.get("relname"):
        return None
    if relation.get("schemaname"):
        return qname(relation["schemaname"], relation["relname"])
    return ident(relation["relname"]) if namespace in ("", "public") else \
        qname(namespace, relation["relname"])


def create_raw_object(obj: RawObject, search_path: str | None = None) -> list[Stmt]:
    """The object's SQL, run with its namespace first on ``search_path`` (as when it was
    imported: ``CREATE FUNCTION f`` after ``SET search_path = app`` creates ``app.f``), then
    the revision's ``search_path`` again. An object that knows the search_path it was written
    under (SQL imports) runs under exactly that one, set for the transaction."""
    return [execute(sql) for sql in raw_object_sql(obj, search_path)]


def raw_object_sql(obj: RawObject, search_path: str | None = None) -> list[str]:
    """The statements of :func:`create_raw_object`."""
    after = f"SET search_path = {search_path}" if search_path else "RESET search_path"
    if obj.search_path is not None:
        return [f"SELECT set_config('search_path', {sql_str(obj.search_path)}, true)",
                obj.sql, after]
    if obj.namespace in ("", "public"):
        return [obj.sql]
    rest = ", ".join(p for p in (search_path or "public").split(", ")
                     if p != ident(obj.namespace))
    return [f"SET search_path = {ident(obj.namespace)}, {rest}", obj.sql, after]


def set_comment(op: SetComment, ctx: RenderCtx) -> list[Stmt]:
    if op.target == "table":
        table = ctx.after.table(op.uid)
        ctx.is_safe(table.uid)
        kw = schema_kw(table.namespace)
        if op.new:
            return [code(Call("op.create_table_comment", (lit(table.name), Lit(op.new)), kw))]
        return [code(Call("op.drop_table_comment", (lit(table.name),), kw))]
    if op.target == "enum":
        return [execute(comment_sql(f"TYPE {enum_q(find(ctx.after.enums, op.uid))}", op.new))]
    assert op.table_uid is not None
    table = ctx.after.table(op.table_uid)
    if op.target == "index":
        index = find(table.indexes, op.uid)
        return [execute(comment_sql(f"INDEX {qname(table.namespace, index.name)}", op.new))]
    if op.target == "relationship":
        name = find(ctx.after.relationships, op.uid).name
    elif op.target == "unique":
        name = find(table.uniques, op.uid).name
    else:
        name = find(table.checks, op.uid).name
    return [execute(comment_sql(f"CONSTRAINT {ident(name)} ON {tq(table)}", op.new))]
