"""CREATE TABLE and column definitions (also used by ALTER TABLE ... ADD COLUMN).

``serial`` columns expand to what the catalog holds afterwards: an integer column, NOT NULL,
``DEFAULT nextval('<table>_<col>_seq'::regclass)`` and a sequence owned by the column.
Partitions (``PARTITION OF``) are tables with their parent's columns and keys (see
:mod:`~modeler.importers.sql.partitions`); typed tables are kept as SQL; inherited columns
(INHERITS) and ``LIKE`` columns are copied in, as the catalog has them.
"""

from __future__ import annotations

import copy
import re
from dataclasses import replace
from typing import Any

from pglast import ast, enums

from modeler.importers.build import type_uid
from modeler.importers.draft import (
    Draft,
    DraftCheck,
    DraftColumn,
    DraftSequence,
    DraftTable,
    choose_relation_name,
)
from modeler.importers.pgnames import choose_name, index_column_names, name_addition
from modeler.importers.sql import partitions, storage
from modeler.importers.sql.collations import collation_ref
from modeler.importers.sql.constraints import add_constraint, choose_rel, merge_attributes
from modeler.importers.sql.context import Context
from modeler.importers.sql.deparse import default_sql, expr_sql, names_of, quote_ident
from modeler.importers.sql.types import SERIALS, column_type
from modeler.schema import model as m
from modeler.schema.types import type_info

C = enums.ConstrType
_LIKE_COMMENTS, _LIKE_CONSTRAINTS, _LIKE_DEFAULTS, _LIKE_IDENTITY, _LIKE_INDEXES = \
    1, 4, 8, 32, 64
_LIKE_COMPRESSION, _LIKE_GENERATED = 2, 16

Deferred = list[tuple[Any, str | None]]


def create_table(ctx: Context, node: Any) -> None:
    """CREATE TABLE (typed tables and partitions of unknown tables are kept as SQL)."""
    rv = node.relation
    ns, name = ctx.create_ns(rv.schemaname), rv.relname
    if rv.relpersistence == "t":
        ctx.warn("unsupported", f"temporary table {name} skipped")
        return
    if node.partbound is not None and not (node.inhRelations
                                           and ctx.find_table(node.inhRelations[0])):
        ctx.raw_relations[(ns, name)] = "partition"
        parent = node.inhRelations[0].relname if node.inhRelations else "?"
        ctx.keep_raw("partition", ns, name, f"partition {name} of {parent}: partitions are "
                     "not modelled; kept as SQL")
        return
    if node.ofTypename is not None:
        ctx.raw_relations[(ns, name)] = "table"
        ctx.keep_raw("table", ns, name, f"typed table {name} (OF type) is not modelled")
        return
    if (ns, name) in ctx.draft.tables:
        if node.if_not_exists:
            return
        ctx.warn("approximation", f"table {ns}.{name} defined twice; the last one wins")
        ctx.draft.drop_table((ns, name))
    table = ctx.draft.add_table(DraftTable(ns, name, sql=ctx.stmt.sql + ";",
                                           file=ctx.stmt.file, line=ctx.stmt.line))
    for clause, value in (("USING", node.accessMethod), ("TABLESPACE", node.tablespacename)):
        if value and value not in ("heap", "pg_default"):  # the table's storage, place
            ctx.warn("unsupported", f"table {name}: {clause} {value} is not kept")
    if node.partbound is not None:
        partitions.create_partition(ctx, node, table)
    else:
        for parent in node.inhRelations or ():
            _inherit(ctx, table, parent)
    deferred: Deferred = []
    for elt in node.tableElts or ():
        if isinstance(elt, ast.ColumnDef):
            add_column(ctx, table, elt, deferred)
        elif isinstance(elt, ast.Constraint):
            deferred.append((elt, None))
        elif isinstance(elt, ast.TableLikeClause):
            _like(ctx, table, elt)
    for con in node.constraints or ():
        deferred.append((con, None))
    if node.partspec is not None:  # before the constraints: what PostgreSQL allows depends on it
        table.partition_by = partitions.spec_sql(ctx, node.partspec, name)
    for con, column in deferred:
        add_constraint(ctx, table, con, column)
    if node.partbound is not None:
        partitions.finish_partition(ctx, table)
    storage.create_columns(ctx, table, node)  # STORAGE s, its parents': kept as SQL
    storage.create_table(ctx, table, node)  # UNLOGGED, WITH (...): kept as SQL


def add_column(ctx: Context, table: DraftTable, coldef: Any, deferred: Deferred) -> None:
    """Add one ColumnDef; its key/check/FK constraints are appended to ``deferred``.
    Without a type (``PARTITION OF t (col WITH OPTIONS ...)``) it changes an inherited
    column."""
    existing = table.columns.get(coldef.colname)
    if coldef.typeName is None:
        if existing is None:
            ctx.warn("unresolved", f"{table.name}: no column {coldef.colname} to set options on")
            return
        ctype, serial = existing.type, None
    else:
        ctype, serial = column_type(ctx, coldef.typeName)
    if existing is not None and not existing.inherited:
        ctx.warn("unsupported", f"column {table.name}.{coldef.colname} defined twice")
        return
    col = existing or DraftColumn(coldef.colname, ctype)
    col.type = ctype
    table.columns[col.name] = col
    if coldef.is_not_null:
        col.nullable = False
    if coldef.collClause is not None:
        col.collation = collation_ref(ctx, names_of(coldef.collClause.collname),
                                      f"{table.name}.{col.name}")
    if coldef.compression:
        set_compression(ctx, col, coldef.compression, table.name)
    if coldef.raw_default is not None:
        col.default = column_default(coldef.raw_default, col.type, ctx)
    for con in merge_attributes(coldef.constraints):
        ct = con.contype
        if ct == C.CONSTR_NULL:
            col.nullable = True
        elif ct == C.CONSTR_NOTNULL:
            col.nullable = False
        elif ct == C.CONSTR_DEFAULT:
            col.default = column_default(con.raw_expr, col.type, ctx)
        elif ct == C.CONSTR_IDENTITY:
            set_identity(ctx, table, col, con)
        elif ct == C.CONSTR_GENERATED:
            col.generated = expr_sql(con.raw_expr)
        else:
            deferred.append((con, col.name))
    if serial is not None:
        expand_serial(ctx.draft, table, col, SERIALS[serial])


_COMPRESSIONS: dict[str, m.Compression | None] = {"default": None, "pglz": "pglz", "lz4": "lz4"}


def set_compression(ctx: Context, col: DraftColumn, method: str, table: str) -> None:
    """COMPRESSION pglz | lz4 | default (any other method is not modelled: warned)."""
    if method in _COMPRESSIONS:
        col.compression = _COMPRESSIONS[method]
    else:
        ctx.warn("unsupported", f"{table}.{col.name}: compression {method} not modelled")


# How pg_get_expr prints a NULL default coerced to a type with a modifier (varchar(20)...).
_NULL_COERCED = {"varchar": "character varying", "char": "bpchar", "numeric": "numeric",
                 "bit": '"bit"', "varbit": "bit varying",
                 "timestamp": "timestamp without time zone",
                 "timestamptz": "timestamp with time zone", "time": "time without time zone",
                 "timetz": "time with time zone"}


# nextval('name') or nextval('name'::regclass) with a name not qualified by its schema
_NEXTVAL_UNQUALIFIED = re.compile(
    r"""nextval\('((?:[^'".]|'')+|"(?:[^"']|"")+")'(?:::regclass)?\)""")


def column_default(node: Any, ctype: m.ColumnType, ctx: Context | None = None) -> str | None:
    """A column default as PostgreSQL stores it: ``DEFAULT NULL`` is no default, except on a
    type with a modifier, where the length coercion makes it an expression PostgreSQL keeps
    (``NULL::character varying`` on a ``varchar(64)`` column). ``nextval('seq')`` names the
    sequence search_path finds when the statement runs (PostgreSQL stores its oid): one
    found outside public is written qualified (bucardo's ``SET search_path TO bucardo``, then
    ``DEFAULT nextval('bucardo_custom_trigger_id_seq')``: alembic check, on a connection whose
    search_path is another, could not find the sequence)."""
    sql = default_sql(node)
    if sql is not None and ctx is not None:
        sql = _qualified_nextval(ctx, sql)
    if sql is None and ctype.kind == "domain" and not ctype.array_dims and ctx is not None:
        return _domain_null(ctx, ctype)
    if sql is not None or ctype.kind != "builtin" or ctype.name not in _NULL_COERCED:
        return sql
    if ctype.length is None and ctype.precision is None:
        return None
    return f"NULL::{_NULL_COERCED[ctype.name]}" + "[]" * ctype.array_dims


def _domain_null(ctx: Context, ctype: m.ColumnType) -> str | None:
    """``DEFAULT NULL`` on a column of a domain: PostgreSQL keeps the coercion to the domain,
    printed as a NULL of its base type (``NULL::bytea``; icingadb's ``bytea20``/``biguint``
    columns lost it); None when the base is no catalog type."""
    by_uid = {type_uid("domain", d.namespace, d.name): d for d in ctx.draft.domains.values()}
    domain = by_uid.get(ctype.ref or "")
    seen = 0
    while domain is not None and domain.base.kind == "domain" and seen < len(by_uid):
        domain, seen = by_uid.get(domain.base.ref or ""), seen + 1
    if domain is None or domain.base.kind != "builtin":
        return None
    base = domain.base
    name = _NULL_COERCED.get(base.name) or type_info(base.name).pg_name
    return f"NULL::{name}" + "[]" * base.array_dims


def _qualified_nextval(ctx: Context, sql: str) -> str:
    found = _NEXTVAL_UNQUALIFIED.fullmatch(sql)
    if found is None:
        return sql
    name = found.group(1).replace("''", "'")
    name = name[1:-1].replace('""', '"') if name.startswith('"') else name.lower()
    for ns in ctx.namespaces(None):
        if (ns, name) in ctx.draft.sequences:
            return sql if ns == "public" else regclass_default(ns, name)
    return sql


def set_identity(ctx: Context, table: DraftTable, col: DraftColumn, con: Any) -> None:
    """GENERATED ... AS IDENTITY [(options)] on a column (NOT NULL implied)."""
    col.identity = "always" if con.generated_when == "a" else "by default"
    col.nullable = False
    col.identity_options = identity_options(ctx, table, col, con.options, m.IdentityOptions())


def identity_options(ctx: Context, table: DraftTable, col: DraftColumn, options: Any,
                     base: m.IdentityOptions) -> m.IdentityOptions:
    """``base`` with the sequence options of ``GENERATED ... AS IDENTITY (...)`` or of
    ``ALTER COLUMN ... SET ...`` (NO MINVALUE/MAXVALUE: the default). The options are kept as
    given; the snapshot keeps those that are not defaults (modeler.schema.identity.kept)."""
    values: dict[str, Any] = {}
    for opt in options or ():
        key, arg = opt.defname, opt.arg
        if key in ("start", "increment", "cache"):
            values[key] = _int(arg)
        elif key in ("minvalue", "maxvalue"):
            values[key[:3] + "_value"] = _int(arg) if arg is not None else None
        elif key == "cycle":
            values["cycle"] = bool(getattr(arg, "boolval", True)) if arg is not None else True
        elif key == "sequence_name":
            _sequence_name(ctx, table, col, names_of(arg)[-1])
    return replace(base, **values)


def _int(arg: Any) -> int | None:
    if isinstance(arg, ast.Integer):
        return int(arg.ival or 0)
    if isinstance(arg, ast.Float):  # beyond 32 bits
        return int(str(arg.fval))
    return None


def _sequence_name(ctx: Context, table: DraftTable, col: DraftColumn, name: str) -> None:
    """The export names an identity's sequence as PostgreSQL does by default: another name
    (pg_dump writes it always) is warned of."""
    default = choose_name(table.name, col.name, "seq",
                          lambda n: ctx.draft.rel_taken(table.namespace, n))
    if name != default:
        ctx.warn("approximation", f"identity sequence name {name} of {table.name}.{col.name} "
                 f"is not modelled (exported as {default})")


def regclass_default(ns: str, seq: str) -> str:
    """``nextval('<seq>'::regclass)`` as pg_get_expr prints it (qualified outside public)."""
    name = quote_ident(seq) if ns == "public" else f"{quote_ident(ns)}.{quote_ident(seq)}"
    return "nextval('" + name.replace("'", "''") + "'::regclass)"


def expand_serial(draft: Draft, table: DraftTable, col: DraftColumn, data_type: str) -> None:
    """A serial column as the catalog has it: NOT NULL, nextval default, owned sequence."""
    ns = table.namespace
    seq = choose_relation_name(draft, ns, table.name, col.name, "seq")
    draft.add_sequence(DraftSequence(ns, seq, data_type=data_type,
                                     owned_by=(ns, table.name, col.name)))
    col.nullable = False
    col.default = regclass_default(ns, seq)


def _copy_columns(ctx: Context, table: DraftTable, source: DraftTable, *, defaults: bool,
                  identity: bool, comments: bool, compression: bool = True,
                  generated: bool = True) -> None:
    for c in source.columns.values():
        if c.name in table.columns:
            continue
        new = copy.copy(c)
        new.compression = c.compression if compression else None
        new.generated = c.generated if generated else None
        new.default = c.default if defaults else None
        new.identity = c.identity if identity else None
        new.identity_options = c.identity_options if identity else None
        new.comment = c.comment if comments else ""
        new.nullable = c.nullable and c.name not in source.pk_columns
        table.columns[c.name] = new


def _inherit(ctx: Context, table: DraftTable, parent_rv: Any) -> None:
    parent = ctx.find_table(parent_rv)
    if parent is None:
        ctx.warn("unresolved", f"{table.name} inherits from unknown table {parent_rv.relname}")
        return
    _copy_columns(ctx, table, parent, defaults=True, identity=False, comments=False)
    table.inherits.append(parent.qname)
    for c in table.columns.values():
        c.inherited = True
    for ck in parent.checks:
        table.checks.append(DraftCheck(ck.name, ck.expression))
    ctx.warn("approximation", f"{table.name} INHERITS {parent.name}: inheritance is not "
             "modelled; the inherited columns and checks are copied")


def _like(ctx: Context, table: DraftTable, clause: Any) -> None:
    source = ctx.find_table(clause.relation)
    if source is None:
        ctx.warn("unresolved", f"LIKE {clause.relation.relname}: unknown table")
        return
    opts = int(clause.options or 0)
    _copy_columns(ctx, table, source, defaults=bool(opts & _LIKE_DEFAULTS),
                  identity=bool(opts & _LIKE_IDENTITY), comments=bool(opts & _LIKE_COMMENTS),
                  compression=bool(opts & _LIKE_COMPRESSION),
                  generated=bool(opts & _LIKE_GENERATED))
    if opts & _LIKE_CONSTRAINTS:
        table.checks.extend(DraftCheck(c.name, c.expression) for c in source.checks)
    if opts & _LIKE_INDEXES:
        _like_indexes(ctx, table, source)


def _like_indexes(ctx: Context, table: DraftTable, source: DraftTable) -> None:
    """LIKE ... INCLUDING INDEXES: keys and indexes are cloned under names PostgreSQL picks."""
    ns, name = table.namespace, table.name
    if source.pk_columns and not table.pk_columns:
        table.pk_columns = list(source.pk_columns)
        table.pk_name = choose_rel(ctx, ns, name, None, "pkey")
        ctx.draft.claim_con(ns, table.pk_name)
    for uq in source.uniques:
        clone = copy.deepcopy(uq)
        clone.name = choose_rel(ctx, ns, name, name_addition(uq.columns), "key")
        ctx.draft.claim_con(ns, clone.name)
        table.uniques.append(clone)
    for ix in source.indexes:
        index = copy.deepcopy(ix)
        labels = [p.column or "expr" for p in ix.parts] + list(ix.include)
        index.name = choose_rel(ctx, ns, name, name_addition(index_column_names(labels)),
                                "idx")
        index.comment = ""
        table.indexes.append(index)
