"""A table's persistence (``UNLOGGED``) and storage parameters (``WITH (fillfactor = 70)``),
kept as SQL on the table: ``ALTER TABLE t SET UNLOGGED`` and ``ALTER TABLE t SET (...)``,
one statement of each at most per table, the state the script leaves (``CREATE UNLOGGED
TABLE``, ``WITH (...)``, ``ALTER TABLE ... SET LOGGED | UNLOGGED | (...) | RESET (...)``).
The export replays them after the tables; their undoing (``SET LOGGED``, ``RESET (...)``:
modeler.codegen.migration_types) takes them back on the way down and between versions.

A column's planner settings (``ALTER TABLE t ALTER COLUMN c SET (n_distinct = -1)``, ``RESET
(...)``, ``SET STATISTICS n``) and its storage (``SET STORAGE PLAIN | EXTERNAL | EXTENDED |
MAIN``, or ``STORAGE ...`` in CREATE TABLE) are kept the same way, as ``ALTER TABLE ONLY t
ALTER COLUMN c ...``: one statement of each kind per column (the state the script leaves; a
statement without ONLY sets the table's inheritors too, as PostgreSQL does), following the
column's rename (:func:`column_renamed`) and going with its drop (:func:`column_dropped`);
undone by ``RESET (...)``, ``SET STATISTICS -1`` and the storage of the column's type. As in
PostgreSQL, a table made with INHERITS or PARTITION OF (or LIKE ... INCLUDING STORAGE) takes
the storage of its parents' columns, ``SET STORAGE DEFAULT`` and a new type
(``ALTER COLUMN c TYPE ...``: :func:`column_retyped`) give the column its type's again.

PostgreSQL refuses ``SET UNLOGGED`` on a table a permanent one references: the statements
are put in an order where a table referencing another is made unlogged first
(:func:`order_unlogged`, at the end of the import)."""

from __future__ import annotations

import re
from typing import Any

from pglast import ast, enums, parser

from modeler.importers.draft import Draft, DraftTable
from modeler.importers.sql.context import Context
from modeler.importers.sql.deparse import quote_ident

A = enums.AlterTableType
UNLOGGED = re.compile(r"ALTER TABLE \S+ SET UNLOGGED;\Z")
OPTIONS = re.compile(r"ALTER TABLE \S+ SET \(.*\);\Z", re.DOTALL)
STORAGE = frozenset({A.AT_SetLogged, A.AT_SetUnLogged, A.AT_SetRelOptions,
                     A.AT_ResetRelOptions})
COLUMN = frozenset({A.AT_SetOptions, A.AT_ResetOptions, A.AT_SetStatistics, A.AT_SetStorage})
# ALTER COLUMN c SET STORAGE ... (DEFAULT, PostgreSQL 16+: the type's own)
STORAGES = frozenset({"plain", "external", "extended", "main"})
_LIKE_STORAGE = int(enums.TableLikeOption.CREATE_TABLE_LIKE_STORAGE)
_WHATS = ("options", "statistics", "storage")


def _name(table: DraftTable) -> str:
    return f"{quote_ident(table.namespace)}.{quote_ident(table.name)}"


def _value(arg: Any) -> str:
    if arg is None:
        return ""
    if isinstance(arg, ast.Integer):
        return f" = {arg.ival}"
    if isinstance(arg, ast.Float):
        return f" = {arg.fval}"
    if isinstance(arg, ast.Boolean):
        return f" = '{'true' if arg.boolval else 'false'}'"
    text = str(getattr(arg, "sval", ""))
    if isinstance(arg, ast.TypeName):  # a bare word read as a type name
        text = ".".join(str(getattr(n, "sval", "")) for n in arg.names or ())
    return " = '" + text.replace("'", "''") + "'"


def _options(elems: Any) -> dict[str, str]:
    """``name`` (``toast.name``) → its SQL in ``SET (...)``, in the order given."""
    out: dict[str, str] = {}
    for e in elems or ():
        key = f"{e.defnamespace}.{e.defname}" if e.defnamespace else str(e.defname)
        out[key] = f"{quote_ident(e.defnamespace) + '.' if e.defnamespace else ''}" \
                   f"{quote_ident(e.defname)}{_value(e.arg)}"
    return out


def _kept(ctx: Context, table: DraftTable, pattern: re.Pattern[str]) -> list[Any]:
    return [raw for raw, rel in ctx.kept_on if rel == table.qname
            and raw.kind == "alter table" and pattern.match(raw.sql)]


def _replace(ctx: Context, table: DraftTable, pattern: re.Pattern[str], sql: str | None,
             why: str) -> None:
    """The table's kept statement of ``pattern`` replaced by ``sql`` (None: none)."""
    gone = {id(raw) for raw in _kept(ctx, table, pattern)}
    if gone:
        ctx.draft.raws = [r for r in ctx.draft.raws if id(r) not in gone]
        ctx.kept_on = [(raw, rel) for raw, rel in ctx.kept_on if id(raw) not in gone]
    if sql is None:
        return
    ctx.draft.add_raw("alter table", table.namespace, table.name, sql, ctx.path_setting)
    ctx.kept_on.append((ctx.draft.raws[-1], table.qname))
    ctx.warn("raw-object", f"{table.name}: {why} is not modelled; kept as SQL")


def _current(ctx: Context, table: DraftTable) -> dict[str, str]:
    for raw in _kept(ctx, table, OPTIONS):
        stmt = parser.parse_sql(raw.sql)[0].stmt
        return _options(stmt.cmds[0].def_)
    return {}


def _set_options(ctx: Context, table: DraftTable, options: dict[str, str]) -> None:
    sql = (f"ALTER TABLE {_name(table)} SET ({', '.join(options.values())});"
           if options else None)
    _replace(ctx, table, OPTIONS, sql, "storage parameters (WITH (...))")


def _set_unlogged(ctx: Context, table: DraftTable, unlogged: bool) -> None:
    if unlogged and table.partition_by:
        ctx.warn("unsupported", f"{table.name}: a partitioned table cannot be UNLOGGED")
        return
    _replace(ctx, table, UNLOGGED,
             f"ALTER TABLE {_name(table)} SET UNLOGGED;" if unlogged else None,
             "UNLOGGED (not written to the WAL, emptied after a crash)")


def create_table(ctx: Context, table: DraftTable, node: Any) -> None:
    """``CREATE [UNLOGGED] TABLE ... WITH (...)``."""
    if node.relation.relpersistence == "u":
        _set_unlogged(ctx, table, True)
    options = {k: v for k, v in _options(node.options).items() if k != "oids"}
    if options:
        _set_options(ctx, table, options)


def alter_table(ctx: Context, table: DraftTable, cmds: list[Any]) -> None:
    """``ALTER TABLE ... SET LOGGED | UNLOGGED | (...) | RESET (...)`` (in order)."""
    for cmd in cmds:
        if cmd.subtype in (A.AT_SetLogged, A.AT_SetUnLogged):
            _set_unlogged(ctx, table, cmd.subtype == A.AT_SetUnLogged)
        elif cmd.subtype == A.AT_SetRelOptions:
            _set_options(ctx, table, {**_current(ctx, table), **_options(cmd.def_)})
        elif cmd.subtype == A.AT_ResetRelOptions:
            gone = set(_options(cmd.def_))
            _set_options(ctx, table, {k: v for k, v in _current(ctx, table).items()
                                      if k not in gone})


def order_unlogged(draft: Draft) -> None:
    """The kept ``SET UNLOGGED`` statements in an order PostgreSQL takes: a table that
    references another unlogged one before it (in their places among the kept statements;
    a cycle keeps the script's order). For the SQL and the live import, at their end."""
    kept = {(raw.namespace, raw.name): raw for raw in draft.raws
            if raw.kind == "alter table" and UNLOGGED.match(raw.sql)}
    if len(kept) < 2:
        return
    refs = {rel: {fk.parent for fk in draft.fks if fk.child == rel and fk.parent != rel
                  and fk.parent in kept} for rel in kept}
    slots = [i for i, r in enumerate(draft.raws) if any(r is k for k in kept.values())]
    order = [rel for raw in (draft.raws[i] for i in slots)
             for rel, k in kept.items() if k is raw]
    done: list[Any] = []
    while order:
        # the first one no other waiting table references
        free = next((rel for rel in order if not any(rel in refs[o] for o in order
                                                     if o != rel)), order[0])
        order.remove(free)
        done.append(kept[free])
    for i, raw in zip(slots, done, strict=True):
        draft.raws[i] = raw


def _column_pattern(table: DraftTable, column: str, what: str) -> re.Pattern[str]:
    head = f"ALTER TABLE ONLY {_name(table)} ALTER COLUMN {quote_ident(column)} "
    tail = {"options": r"SET \(.*\);\Z", "statistics": r"SET STATISTICS -?\d+;\Z",
            "storage": r"SET STORAGE [A-Z]+;\Z"}[what]
    return re.compile(re.escape(head) + tail, re.DOTALL)


def _column_options(ctx: Context, table: DraftTable, column: str) -> dict[str, str]:
    for raw in _kept(ctx, table, _column_pattern(table, column, "options")):
        return _options(parser.parse_sql(raw.sql)[0].stmt.cmds[0].def_)
    return {}


def alter_columns(ctx: Context, tables: list[DraftTable], cmds: list[Any]) -> None:
    """``ALTER COLUMN c SET (...) | RESET (...) | SET STATISTICS n | SET STORAGE s`` (in
    order) on each of
    ``tables`` (the table, and its inheritors without ONLY) that has the column."""
    for cmd in cmds:
        if cmd.subtype not in COLUMN or not isinstance(cmd.name, str):
            continue
        for table in tables:
            if cmd.name not in table.columns:
                continue
            head = f"ALTER TABLE ONLY {_name(table)} ALTER COLUMN {quote_ident(cmd.name)}"
            if cmd.subtype == A.AT_SetStorage:
                set_storage(ctx, table, cmd.name, str(getattr(cmd.def_, "sval", "")))
                continue
            if cmd.subtype == A.AT_SetStatistics:
                target = getattr(cmd.def_, "ival", None)
                _replace(ctx, table, _column_pattern(table, cmd.name, "statistics"),
                         f"{head} SET STATISTICS {int(target)};"
                         if isinstance(target, int) and target >= 0 else None,
                         f"the statistics target of column {cmd.name}")
                continue
            options = _column_options(ctx, table, cmd.name)
            if cmd.subtype == A.AT_SetOptions:
                options.update(_options(cmd.def_))
            else:
                for gone in _options(cmd.def_):
                    options.pop(gone, None)
            _replace(ctx, table, _column_pattern(table, cmd.name, "options"),
                     f"{head} SET ({', '.join(options.values())});" if options else None,
                     f"the planner options of column {cmd.name} (SET (n_distinct ...))")


def column_renamed(ctx: Context, table: DraftTable, old: str, new: str) -> None:
    """The column's kept settings name it ``new``."""
    head = f"ALTER TABLE ONLY {_name(table)} ALTER COLUMN "
    for what in _WHATS:
        for raw in _kept(ctx, table, _column_pattern(table, old, what)):
            raw.sql = head + quote_ident(new) + raw.sql[len(head) + len(quote_ident(old)):]


def column_dropped(ctx: Context, table: DraftTable, name: str) -> None:
    """The column's kept settings go with it, and the extended statistics reading it."""
    for what in _WHATS:
        _replace(ctx, table, _column_pattern(table, name, what), None, "")
    objects = {(raw.namespace, raw.name) for raw, rel in ctx.kept_on if rel == table.qname
               and raw.kind == "statistics" and name in _statistics_columns(raw.sql)}
    gone = {id(raw) for raw in ctx.draft.raws  # its target too (ALTER STATISTICS)
            if raw.kind == "statistics" and (raw.namespace, raw.name) in objects}
    if gone:
        ctx.draft.raws = [r for r in ctx.draft.raws if id(r) not in gone]
        ctx.kept_on = [(raw, rel) for raw, rel in ctx.kept_on if id(raw) not in gone]


def _statistics_columns(sql: str) -> set[str]:
    """The columns a CREATE STATISTICS reads (by name or in an expression)."""
    try:
        stmt = parser.parse_sql(sql)[0].stmt
    except parser.ParseError:
        return set()
    out: set[str] = set()

    def visit(node: Any) -> None:
        if isinstance(node, ast.ColumnRef):
            out.add(str(getattr(node.fields[-1], "sval", "")))
        elif isinstance(node, ast.Node):
            for attr in node:
                visit(getattr(node, attr))
        elif isinstance(node, tuple | list):
            for item in node:
                visit(item)
    for elem in getattr(stmt, "exprs", None) or ():
        if getattr(elem, "name", None):
            out.add(str(elem.name))
        visit(getattr(elem, "expr", None))
    return out


# the storage of the common variable-length built-in types (pg_type.typstorage), for a SET
# STORAGE naming its type's own to keep nothing (as the catalog, and the live import, have it)
_TYPE_STORAGE = {**dict.fromkeys(("text", "varchar", "character varying", "char", "character",
                                  "bpchar", "bytea", "json", "jsonb", "xml", "tsvector",
                                  "tsquery", "bit varying", "varbit"), "extended"),
                 **dict.fromkeys(("numeric", "decimal", "inet", "cidr"), "main")}


def _type_storage(column: Any) -> str | None:
    ctype = getattr(column, "type", None)
    if ctype is None or ctype.kind != "builtin":
        return None
    return "extended" if ctype.array_dims else _TYPE_STORAGE.get(ctype.name)


def set_storage(ctx: Context, table: DraftTable, column: str, storage: str) -> None:
    """``ALTER COLUMN c SET STORAGE s`` (``DEFAULT``: none kept, the type's own)."""
    storage = storage.lower()
    if storage not in STORAGES | {"default"}:
        ctx.warn("unsupported", f"{table.name}.{column}: storage {storage} is not kept")
        return
    head = f"ALTER TABLE ONLY {_name(table)} ALTER COLUMN {quote_ident(column)}"
    if storage == _type_storage(table.columns.get(column)):
        storage = "default"  # the type's own: as none
    _replace(ctx, table, _column_pattern(table, column, "storage"),
             f"{head} SET STORAGE {storage.upper()};" if storage in STORAGES else None,
             f"the storage of column {column} (SET STORAGE {storage.upper()})")


def _storage_of(ctx: Context, table: DraftTable, column: str) -> str | None:
    for raw in _kept(ctx, table, _column_pattern(table, column, "storage")):
        return str(raw.sql).rstrip(";").rsplit(" ", 1)[1]
    return None


def column_retyped(ctx: Context, table: DraftTable, column: str) -> None:
    """``ALTER COLUMN c TYPE ...``: the column has its new type's storage (PostgreSQL sets
    it again)."""
    _replace(ctx, table, _column_pattern(table, column, "storage"), None, "")


def create_columns(ctx: Context, table: DraftTable, node: Any) -> None:
    """The storage of the columns of a new table: its parents' (INHERITS, PARTITION OF),
    a LIKE ... INCLUDING STORAGE source's, then its own ``STORAGE s`` clauses."""
    sources = [ctx.find_table(rv) for rv in node.inhRelations or ()]
    sources += [ctx.find_table(elt.relation) for elt in node.tableElts or ()
                if isinstance(elt, ast.TableLikeClause)
                and int(elt.options or 0) & _LIKE_STORAGE]
    for source in sources:
        for column in table.columns:
            if source is not None and source is not table \
                    and (kept := _storage_of(ctx, source, column)):
                set_storage(ctx, table, column, kept)
    for elt in node.tableElts or ():
        if isinstance(elt, ast.ColumnDef) and elt.storage_name and elt.colname in table.columns:
            set_storage(ctx, table, elt.colname, str(elt.storage_name))
