"""ALTER TABLE: constraints added later (pg_dump style), defaults, identity, column changes."""

from __future__ import annotations

import copy
import re
from typing import Any

from pglast import ast, enums, parser

from modeler.importers import bounds
from modeler.importers.draft import DraftCheck, DraftTable
from modeler.importers.sql import partitions, storage
from modeler.importers.sql.collations import collation_ref
from modeler.importers.sql.constraints import add_constraint, check, merge_attributes
from modeler.importers.sql.context import Context
from modeler.importers.sql.deparse import names_of
from modeler.importers.sql.tables import (
    Deferred,
    add_column,
    column_default,
    identity_options,
    set_compression,
    set_identity,
)
from modeler.importers.sql.types import column_type
from modeler.schema import model as m
from modeler.schema.identity import effective

A = enums.AlterTableType
O = enums.ObjectType  # noqa: E741
_PHYSICAL = frozenset({
    A.AT_ChangeOwner, A.AT_ClusterOn, A.AT_DropCluster, A.AT_SetStatistics, A.AT_SetStorage,
    A.AT_SetOptions, A.AT_ResetOptions, A.AT_SetRelOptions,
    A.AT_ResetRelOptions, A.AT_ReplaceRelOptions, A.AT_EnableTrig,
    A.AT_EnableTrigAll, A.AT_DisableTrigAll, A.AT_EnableTrigUser, A.AT_DisableTrigUser,
    A.AT_EnableRule, A.AT_ValidateConstraint,
    A.AT_SetTableSpace, A.AT_SetLogged, A.AT_SetUnLogged, A.AT_SetAccessMethod,
    A.AT_GenericOptions, A.AT_DropOids,
})
# a trigger or rule of the table switched off, or on for replicas: what fires changes, so
# the statement is kept as SQL (after the trigger or rule it names, which is kept too)
_STATE = {A.AT_DisableTrig: "trigger", A.AT_EnableAlwaysTrig: "trigger",
          A.AT_EnableReplicaTrig: "trigger", A.AT_DisableRule: "rule",
          A.AT_EnableAlwaysRule: "rule", A.AT_EnableReplicaRule: "rule"}
_ROW_SECURITY = frozenset({A.AT_EnableRowSecurity, A.AT_DisableRowSecurity,
                           A.AT_ForceRowSecurity, A.AT_NoForceRowSecurity})
# a trigger or rule switched on again (or all of the table's): kept after a kept state of
# the table (the state the script leaves is the last), else nothing to keep
_ENABLE = {A.AT_EnableTrig: "trigger", A.AT_EnableRule: "rule", A.AT_EnableTrigAll: "trigger",
           A.AT_EnableTrigUser: "trigger"}
# physical settings the design does not keep, said rather than dropped silently
_LOST = {A.AT_DisableTrigAll: "DISABLE TRIGGER ALL (every trigger of the table off, the "
                              "foreign keys' own too)",
         A.AT_DisableTrigUser: "DISABLE TRIGGER USER (every trigger of the table off)",
         A.AT_ClusterOn: "CLUSTER ON {name} (the index CLUSTER orders the table by)",
         A.AT_SetAccessMethod: "SET ACCESS METHOD {name} (the table's storage)",
         A.AT_SetTableSpace: "SET TABLESPACE {name}"}
_DEFAULT_PLACES = frozenset({"heap", "pg_default", ""})
_STATE_SQL = re.compile(r"\b(?:EN|DIS)ABLE\s+(?:REPLICA\s+|ALWAYS\s+)?(?:TRIGGER|RULE)\b",
                        re.IGNORECASE)


def alter_table(ctx: Context, node: Any) -> None:
    """ALTER TABLE: each sub-command on a modelled table; kept as SQL on views/partitions."""
    cmds = list(node.cmds or ())
    if node.objtype == O.OBJECT_TABLE and any(c.subtype in storage.STORAGE for c in cmds) \
            and (on := ctx.find_table(node.relation)) is not None:
        storage.alter_table(ctx, on, cmds)  # SET UNLOGGED, SET (...): kept as SQL
    if node.objtype == O.OBJECT_TABLE and any(c.subtype in storage.COLUMN
                                              or c.subtype == A.AT_AlterColumnType for c in cmds) \
            and (on := ctx.find_table(node.relation)) is not None:
        below = [t for t in ctx.draft.tables.values() if t is not on and node.relation.inh
                 and (t in _inheritors(ctx, on) or t in partitions.partitions_deep(ctx, on))]
        for cmd in cmds:  # a new type first (as PostgreSQL): its own storage again
            for t in [on, *below] if cmd.subtype == A.AT_AlterColumnType else ():
                storage.column_retyped(ctx, t, cmd.name)
        # a column's SET (n_distinct ...), SET STATISTICS, SET STORAGE
        storage.alter_columns(ctx, [on, *below], cmds)
    if node.objtype == O.OBJECT_INDEX and any(c.subtype in storage.STORAGE for c in cmds):
        ctx.warn("unsupported", f"ALTER INDEX {node.relation.relname}: storage parameters "
                 "set or reset after CREATE INDEX are not kept (write them in its WITH (...))")
    if node.objtype != O.OBJECT_INDEX and ctx.find_table(node.relation) is None \
            and (raw := ctx.raw_relation(node.relation)) is not None \
            and any(c.subtype in _PHYSICAL and c.subtype != A.AT_ChangeOwner for c in cmds):
        # a view's or materialized view's options, CLUSTER ON, a column's statistics...
        ctx.keep_raw(raw[0], raw[1], raw[2], f"ALTER on {raw[0]} {raw[2]} kept as SQL")
        return
    if node.objtype == O.OBJECT_INDEX and any(c.subtype == A.AT_SetStatistics for c in cmds):
        ctx.warn("unsupported", f"ALTER INDEX {node.relation.relname}: the statistics target "
                 "of an expression column (ALTER COLUMN n SET STATISTICS) is not kept")
    for cmd in cmds:
        if node.objtype == O.OBJECT_SEQUENCE and cmd.subtype == A.AT_SetUnLogged:
            ctx.warn("unsupported", f"ALTER SEQUENCE {node.relation.relname}: UNLOGGED is not "
                     "kept (the export's is logged)")
        if cmd.subtype == A.AT_ValidateConstraint and node.objtype == O.OBJECT_TABLE \
                and (on := ctx.find_table(node.relation)) is not None:
            validated(ctx, on, str(cmd.name))
        if cmd.subtype in _LOST and not (cmd.subtype in (A.AT_SetAccessMethod,
                                                         A.AT_SetTableSpace)
                                         and str(cmd.name or "") in _DEFAULT_PLACES):
            what = "INDEX" if node.objtype == O.OBJECT_INDEX else "TABLE"
            ctx.warn("unsupported", f"ALTER {what} {node.relation.relname}: "
                     f"{_LOST[cmd.subtype].format(name=cmd.name)} is not kept")
    states = [c for c in cmds if c.subtype in _STATE
              or (c.subtype in _ENABLE and _has_states(ctx, node.relation))]
    if all(c.subtype in _PHYSICAL for c in cmds) and not states:
        ctx.count("ignored_statements")
        return
    if all(c.subtype in _PHYSICAL or c in states for c in cmds):
        _keep_state(ctx, node, states)
        return
    rv = node.relation
    replica = [c for c in cmds if c.subtype == A.AT_ReplicaIdentity]
    if (replica and node.objtype == O.OBJECT_TABLE and ctx.find_table(rv) is not None
            and all(c.subtype in _PHYSICAL or c.subtype == A.AT_ReplicaIdentity for c in cmds)):
        _keep_replica_identity(ctx, node, replica[-1].def_)
        return
    if node.objtype == O.OBJECT_INDEX:
        attaches = [c for c in cmds if c.subtype == A.AT_AttachPartition]
        for cmd in attaches:
            partitions.attach_index(ctx, rv, cmd.def_.name)
        if len(attaches) != len(cmds):
            ctx.warn("unsupported", f"ALTER INDEX {rv.relname} not modelled")
        return
    table = ctx.find_table(rv)
    if table is None:
        raw = ctx.raw_relation(rv)
        if raw is not None:
            if any(c.subtype == A.AT_AttachPartition for c in cmds):
                ctx.keep_raw("partition", raw[1], raw[2], f"partition of {raw[2]} kept as SQL")
            else:
                ctx.keep_raw(raw[0], raw[1], raw[2], f"ALTER on {raw[0]} {raw[2]} kept as SQL")
        elif ctx.replayed_at is not None:
            ctx.keep_raw("alter table", ctx.create_ns(rv.schemaname), rv.relname,
                         f"ALTER TABLE on {rv.relname}, a table the script does not create "
                         f"itself (the statement kept as SQL at {ctx.replayed_at} may): kept "
                         "as SQL, replayed after it")
        elif not node.missing_ok:
            ctx.warn("unresolved", f"ALTER TABLE on unknown table {rv.relname}")
        return
    for cmd in cmds:
        _command(ctx, table, cmd)
        if rv.inh and cmd.subtype not in _PHYSICAL:
            _recurse(ctx, table, cmd)


# Column changes a partitioned table hands down to its partitions (unless ONLY); new columns,
# keys, CHECKs and FKs are copied by partitions.propagate.
_RECURSED = frozenset({A.AT_ColumnDefault, A.AT_SetNotNull, A.AT_DropNotNull,
                       A.AT_AlterColumnType, A.AT_DropColumn, A.AT_SetCompression})


def _inheritors(ctx: Context, table: DraftTable) -> list[DraftTable]:
    """The tables that INHERIT ``table``, directly or not, parents first."""
    out: list[DraftTable] = []
    for child in ctx.draft.tables.values():
        if table.qname in child.inherits and child not in out:
            out += [child, *(t for t in _inheritors(ctx, child) if t not in out)]
    return out


def _recurse_inheritance(ctx: Context, table: DraftTable, cmd: Any) -> None:
    """What an ALTER TABLE (without ONLY) on an inheritance parent does to its children:
    new columns and CHECKs (not NO INHERIT) are theirs too, column changes reach them."""
    children = _inheritors(ctx, table)
    if not children:
        return
    if cmd.subtype == A.AT_AddColumn:
        col = table.columns.get(cmd.def_.colname)
        for child in children:
            if col is not None and col.name not in child.columns:
                new = copy.copy(col)
                new.comment, new.inherited, new.identity = "", True, None
                child.columns[col.name] = new
    if cmd.subtype in (A.AT_AddColumn, A.AT_AddConstraint):
        kept = {raw.name: raw for raw, on in ctx.kept_on if on == table.qname
                and raw.kind == "constraint" and "NO INHERIT" not in raw.sql
                and any(r is raw for r in ctx.draft.raws)}
        for child in children:
            for ck in table.checks:
                if child.check_named(ck.name) is None:
                    child.checks.append(DraftCheck(ck.name, ck.expression))
        con = cmd.def_ if cmd.subtype == A.AT_AddConstraint else None
        if con is not None and con.conname in kept:  # a NOT VALID CHECK kept as SQL
            for child in children:
                check(ctx, child, con)
    elif cmd.subtype in _RECURSED:
        for child in children:
            _command(ctx, child, cmd)


def _recurse(ctx: Context, table: DraftTable, cmd: Any) -> None:
    _recurse_inheritance(ctx, table, cmd)
    if not ctx.draft.partitions(table.qname):
        return
    if cmd.subtype in (A.AT_AddColumn, A.AT_AddConstraint):
        partitions.propagate(ctx, table, partitions.ALL)
    elif cmd.subtype in _RECURSED:
        for part in partitions.partitions_deep(ctx, table):
            _command(ctx, part, cmd)


def _column(ctx: Context, table: DraftTable, name: str | None) -> Any:
    col = table.columns.get(name or "")
    if col is None:
        ctx.warn("unresolved", f"{table.name}: no column {name}")
    return col


_NOT_VALID = re.compile(r"\s+NOT\s+VALID(?=\s*;?\s*\Z)", re.IGNORECASE)


def validated(ctx: Context, table: DraftTable, name: str) -> None:
    """VALIDATE CONSTRAINT: a NOT VALID CHECK kept as SQL is made valid, and so is a NOT
    VALID foreign key (a valid one has nothing to change)."""
    for raw, rel in ctx.kept_on:
        if rel == table.qname and raw.kind == "constraint" and raw.name == name:
            raw.sql = _NOT_VALID.sub("", raw.sql)
    for fk in ctx.draft.fks:
        if fk.child == table.qname and fk.name == name:
            fk.not_valid = False


def _has_states(ctx: Context, rv: Any) -> bool:
    """Whether a trigger's or rule's state is kept for the table (DISABLE TRIGGER ...)."""
    if ctx.find_table(rv) is None:
        return False
    on = ctx.table_qname(rv)
    return any(rel == on and raw.kind == "alter table" and _STATE_SQL.search(raw.sql)
               for raw, rel in ctx.kept_on)


def _keep_state(ctx: Context, node: Any, cmds: list[Any]) -> None:
    """ALTER TABLE ... DISABLE TRIGGER / ENABLE REPLICA RULE ...: kept as SQL when every
    trigger or rule it names is kept; else (one left to the export, as a recognised
    updated_at trigger is) it could not run: a warning says what is lost."""
    rv = node.relation
    on = ctx.table_qname(rv)
    ns = on[0]
    kept = {(r.kind, r.namespace, r.name) for r in ctx.draft.raws}
    missing = [c.name for c in cmds if c.name  # ENABLE TRIGGER ALL names none
               and ({**_STATE, **_ENABLE}[c.subtype], ns, c.name) not in kept]
    if missing:
        ctx.warn("ignored", f"ALTER TABLE {rv.relname}: the state of {', '.join(missing)} "
                 "(enabled for replicas or disabled) is not kept: no such trigger or rule "
                 "is kept as SQL")
        return
    ctx.keep_raw_on(on, "alter table", ns, rv.relname,
                    f"ALTER TABLE {rv.relname}: a trigger or rule disabled or enabled for "
                    "replicas; kept as SQL")


# a kept REPLICA IDENTITY statement (the last one of a table holds)
_REPLICA = re.compile(r"\bREPLICA\s+IDENTITY\b", re.IGNORECASE)


def _keep_replica_identity(ctx: Context, node: Any, identity: Any) -> None:
    """ALTER TABLE ... REPLICA IDENTITY FULL | NOTHING | USING INDEX: what logical replication
    sends of an updated or deleted row. Kept as SQL on its table (as a trigger's enabled state
    is), in place of the table's earlier one; DEFAULT keeps nothing (what a table has)."""
    on = ctx.table_qname(node.relation)
    gone = {id(raw) for raw, rel in ctx.kept_on
            if rel == on and raw.kind == "alter table" and _REPLICA.search(raw.sql)}
    if gone:
        ctx.draft.raws = [r for r in ctx.draft.raws if id(r) not in gone]
        ctx.kept_on = [(raw, rel) for raw, rel in ctx.kept_on if id(raw) not in gone]
    if identity.identity_type == "d":
        return
    ctx.keep_raw_on(on, "alter table", on[0], node.relation.relname,
                    f"ALTER TABLE {node.relation.relname}: REPLICA IDENTITY (what logical "
                    "replication sends of a changed row) is not modelled; kept as SQL")


def replica_index_follows(ctx: Context, table: tuple[str, str], old: str,
                          new: str | None) -> None:
    """The index ``old`` of ``table`` renamed ``new`` (None: dropped): a kept REPLICA
    IDENTITY USING INDEX names it anew, or becomes NOTHING (PostgreSQL leaves the table's
    replica identity at 'i' without an index, which sends what NOTHING sends)."""
    from modeler.schema.kept_renames import _printed_back

    for raw, rel in ctx.kept_on:
        if rel != table or raw.kind != "alter table" or not _REPLICA.search(raw.sql):
            continue
        try:
            statements = parser.parse_sql(raw.sql)
        except parser.ParseError:
            continue
        hit = False
        for cmd in statements[0].stmt.cmds or ():
            identity = cmd.def_ if cmd.subtype == A.AT_ReplicaIdentity else None
            if identity is not None and identity.identity_type == "i" and identity.name == old:
                identity.identity_type, identity.name = ("i", new) if new else ("n", None)
                hit = True
        printed = _printed_back(raw.sql, statements) if hit else None
        if printed is not None:
            raw.sql = printed


def _command(ctx: Context, table: DraftTable, cmd: Any) -> None:
    sub = cmd.subtype
    if sub in _PHYSICAL:
        return
    if sub == A.AT_ReplicaIdentity:
        ctx.warn("unsupported", f"ALTER TABLE {table.name}: REPLICA IDENTITY is not kept (the "
                 "statement does more: write it as a statement of its own)")
        return
    if sub in _STATE:
        ctx.warn("unsupported", f"ALTER TABLE {table.name}: {sub.name[3:]} {cmd.name} is not "
                 "kept (the statement does more: write it as a statement of its own)")
        return
    if sub == A.AT_AddColumn:
        if cmd.def_.colname in table.columns and cmd.missing_ok:
            return
        deferred: Deferred = []
        add_column(ctx, table, cmd.def_, deferred)
        for con, column in deferred:
            add_constraint(ctx, table, con, column)
    elif sub == A.AT_AddConstraint:
        for con in merge_attributes([cmd.def_]):
            add_constraint(ctx, table, con)
    elif sub == A.AT_ColumnDefault:
        col = _column(ctx, table, cmd.name)
        if col is not None:
            col.default = column_default(cmd.def_, col.type, ctx) if cmd.def_ is not None else None
    elif sub in (A.AT_SetNotNull, A.AT_DropNotNull):
        col = _column(ctx, table, cmd.name)
        if col is not None:
            col.nullable = sub == A.AT_DropNotNull
    elif sub == A.AT_AddIdentity:
        col = _column(ctx, table, cmd.name)
        if col is not None:
            set_identity(ctx, table, col, cmd.def_)
    elif sub == A.AT_SetIdentity:
        col = _column(ctx, table, cmd.name)
        for opt in cmd.def_ or ():
            if col is not None and opt.defname == "generated":
                col.identity = "always" if opt.arg.ival == ord("a") else "by default"
        if col is not None and col.identity is not None:
            # an option not named keeps its value (its default is not derived again)
            col.identity_options = identity_options(
                ctx, table, col, cmd.def_, effective(col.identity_options, col.type))
    elif sub == A.AT_DropIdentity:
        col = _column(ctx, table, cmd.name)
        if col is not None:
            col.identity, col.identity_options = None, None
    elif sub == A.AT_AlterColumnType:
        col = _column(ctx, table, cmd.name)
        if col is not None:
            before, col.type = col.type, column_type(ctx, cmd.def_.typeName)[0]
            if col.default is not None and before != col.type:
                col.default = retyped_default(col.default, before)
            col.compression = None  # PostgreSQL gives a new type the default compression
            clause = cmd.def_.collClause  # a new type without COLLATE takes its default
            col.collation = collation_ref(ctx, names_of(clause.collname), f"{table.name}."
                                          f"{col.name}") if clause is not None else None
    elif sub == A.AT_SetCompression:
        col = _column(ctx, table, cmd.name)
        if col is not None:
            set_compression(ctx, col, cmd.def_.sval, table.name)
    elif sub == A.AT_DropColumn:
        drop_column(ctx, table, cmd.name, cascade=cmd.behavior == enums.DropBehavior.DROP_CASCADE)
    elif sub == A.AT_DropConstraint:
        drop_constraint(ctx, table, cmd.name, bool(cmd.missing_ok))
    elif sub == A.AT_AlterConstraint:
        _alter_constraint(ctx, table, cmd.def_)
    elif sub in _ROW_SECURITY:
        ctx.keep_raw("row security", table.namespace, table.name,
                     f"row level security on {table.name} is not modelled; kept as SQL")
    elif sub == A.AT_AttachPartition:
        partitions.attach(ctx, table, cmd.def_)
    elif sub in (A.AT_DetachPartition, A.AT_DetachPartitionFinalize):
        partitions.detach(ctx, table, cmd.def_)
    elif sub in (A.AT_AddInherit, A.AT_DropInherit):
        ctx.warn("approximation", f"table inheritance of {table.name} is not modelled")
    else:
        ctx.warn("unsupported", f"ALTER TABLE {table.name}: {sub.name[3:]} not modelled")


def drop_column(ctx: Context, table: DraftTable, name: str, *, cascade: bool = False
                ) -> None:
    """Drop a column and the keys, indexes (a key column, an INCLUDE column, or read by a
    key expression or the predicate), CHECKs and FKs that use it, and the sequences it owns
    (a serial's: OWNED BY); their names are free again (a primary key added later is
    ``<table>_pkey`` again). ``cascade`` (``DROP COLUMN ... CASCADE``): the generated
    columns computed from it go too, as PostgreSQL drops them (without CASCADE it refuses
    the drop)."""
    if table.columns.pop(name, None) is None:
        return
    if cascade:
        for other in [c.name for c in table.columns.values()
                      if c.generated and name in _referenced(c.generated)]:
            drop_column(ctx, table, other, cascade=True)
        _drop_views_reading(ctx, table, name)
    storage.column_dropped(ctx, table, name)
    d, ns = ctx.draft, table.namespace
    for key in [k for k, seq in d.sequences.items() if seq.owned_by == (*table.qname, name)]:
        d.drop_sequence(key)
    if name in table.pk_columns:
        if table.pk_name:
            d.release_rel(ns, table.pk_name)
            d.release_con(ns, table.pk_name)
        table.pk_columns, table.pk_name = [], None
    for ix in [i for i in table.indexes
               if name in {p.column for p in i.parts} or name in i.include
               or any(p.expression and name in _referenced(p.expression) for p in i.parts)
               or (i.where and name in _referenced(i.where))]:
        table.indexes.remove(ix)
        d.release_rel(ns, ix.name)
    for uq in [u for u in table.uniques if name in u.columns]:
        table.uniques.remove(uq)
        d.release_rel(ns, uq.name)
        d.release_con(ns, uq.name)
    for ck in [c for c in table.checks if name in _referenced(c.expression)]:
        table.checks.remove(ck)
        d.release_con(ns, ck.name)
    for fk in [f for f in d.fks if (f.child == table.qname and name in f.child_columns)
               or (f.parent == table.qname and name in (f.parent_columns or ()))]:
        d.fks.remove(fk)
        d.release_con(fk.child[0], fk.name)


def _drop_views_reading(ctx: Context, table: DraftTable, column: str) -> None:
    """The kept views and materialized views that read ``column`` of ``table`` (the table
    in their FROM, the column's name or ``*`` in their text), and those reading them: ``DROP
    COLUMN ... CASCADE`` drops them in PostgreSQL. Said, as the match is by name."""
    d = ctx.draft
    gone: list[Any] = []
    reads: set[tuple[str | None, str]] = {(None, table.name), (table.namespace, table.name)}
    wanted: set[str] | None = {column, "*"}
    while True:
        found = [r for r in d.raws if r.kind in ("view", "materialized view")
                 and all(r is not g for g in gone) and _reads(r.sql, reads, wanted)]
        if not found:
            break
        gone += found
        # then the views reading a dropped view, whatever they read of it
        reads = {(x, r.name) for r in found for x in (None, r.namespace)}
        wanted = None
    if gone:
        ids = {id(r) for r in gone}
        d.raws = [r for r in d.raws if id(r) not in ids]
        ctx.kept_on = [(r, rel) for r, rel in ctx.kept_on if id(r) not in ids]
        ctx.warn("approximation", f"DROP COLUMN {table.name}.{column} CASCADE: "
                 + ", ".join(f"{r.kind} {r.name}" for r in gone) + " dropped with it, as "
                 "PostgreSQL drops what reads the column (matched by name)")


def _reads(sql: str, relations: set[tuple[str | None, str]],
           columns: set[str] | None) -> bool:
    """Whether the statement ``sql`` reads one of ``relations`` ((schema or None, name))
    and, unless ``columns`` is None, names one of ``columns`` (``*`` for a star)."""
    try:
        stmt = bounds.parse_sql(sql)[0].stmt
    except (parser.ParseError, bounds.NestedTooDeeply, IndexError):
        return False
    # what the statement reads: a view's or materialized view's query (not its own name)
    query = stmt.query if isinstance(stmt, ast.ViewStmt | ast.CreateTableAsStmt) else stmt
    nodes = list(_nodes(query))
    if not any(isinstance(n, ast.RangeVar) and (n.schemaname, n.relname) in relations
               for n in nodes):
        return False
    if columns is None:
        return True
    for n in nodes:
        if isinstance(n, ast.ColumnRef) and n.fields:
            last = n.fields[-1]
            if ("*" in columns and isinstance(last, ast.A_Star)) or (
                    isinstance(last, ast.String) and last.sval in columns):
                return True
    return False


def _referenced(expression: str) -> set[str]:
    """The column names an expression (a CHECK's, an index key's...) uses."""
    try:
        stmt = bounds.parse_sql(f"SELECT {expression}")[0].stmt
    except (parser.ParseError, bounds.NestedTooDeeply):
        return set()
    return {str(f.sval) for node in _nodes(stmt) if isinstance(node, ast.ColumnRef)
            for f in node.fields[-1:] if isinstance(f, ast.String)}


def _nodes(node: Any) -> Any:
    if isinstance(node, ast.Node):
        yield node
        for attr in node:
            yield from _nodes(getattr(node, attr))
    elif isinstance(node, list | tuple):
        for item in node:
            yield from _nodes(item)


def drop_constraint(ctx: Context, table: DraftTable, name: str, missing_ok: bool) -> None:
    """Drop a PK, unique, check or FK by name."""
    d, ns = ctx.draft, table.namespace
    before = (len(table.uniques), len(table.checks), len(d.fks), table.pk_name)
    if table.pk_name == name:
        table.pk_name, table.pk_columns = None, []
    table.uniques = [u for u in table.uniques if u.name != name]
    table.checks = [c for c in table.checks if c.name != name]
    d.fks = [f for f in d.fks if not (f.child == table.qname and f.name == name)]
    d.release_con(ns, name)
    d.release_rel(ns, name)
    kept = [raw for raw, rel in ctx.kept_on if rel == table.qname
            and raw.kind == "constraint" and raw.name == name]
    if kept:  # an EXCLUDE or NOT VALID CHECK kept as SQL
        d.raws = [r for r in d.raws if not any(r is k for k in kept)]
    if before == (len(table.uniques), len(table.checks), len(d.fks), table.pk_name) \
            and not kept and not missing_ok:
        ctx.warn("unresolved", f"DROP CONSTRAINT {name}: no such constraint on {table.name}")


def _alter_constraint(ctx: Context, table: DraftTable, con: Any) -> None:
    for fk in ctx.draft.fks:
        if fk.child == table.qname and fk.name == con.conname:
            fk.deferrable, fk.initially_deferred = bool(con.deferrable), bool(con.initdeferred)
            return
    ctx.warn("unresolved", f"ALTER CONSTRAINT {con.conname}: no such foreign key")


def retyped_default(default: str, before: m.ColumnType) -> str:
    """A column's default after ALTER COLUMN TYPE: PostgreSQL keeps the expression it stored,
    so a bare string literal stays cast to the type it was coerced to then
    (``''::character varying`` after ``varchar(15)`` became ``text``)."""
    try:
        stmt = bounds.parse_sql(f"SELECT {default}")[0].stmt
    except (parser.ParseError, bounds.NestedTooDeeply):
        return default
    value = stmt.targetList[0].val if len(stmt.targetList or ()) == 1 else None
    if before.kind != "builtin" or not (isinstance(value, ast.A_Const)
                                        and isinstance(value.val, ast.String)):
        return default
    bare = m.ColumnType(name=before.name, array_dims=before.array_dims)
    return f"{default}::{bare.sql()}"
