"""Enums, domains, sequences, extensions and CREATE INDEX."""

from __future__ import annotations

import re
from typing import Any

from pglast import ast, enums

from modeler.importers.draft import (
    DraftDomain,
    DraftEnum,
    DraftIndex,
    DraftIndexPart,
    DraftSequence,
    DraftTable,
)
from modeler.importers.pgnames import index_column_names, name_addition
from modeler.importers.sql import partitions
from modeler.importers.sql.collations import collation_ref
from modeler.importers.sql.constraints import choose_con, choose_rel
from modeler.importers.sql.context import Context, Statement
from modeler.importers.sql.deparse import (
    default_sql,
    expr_sql,
    index_column_label,
    names_of,
    quote_ident,
)
from modeler.importers.sql.enumrename import labels_follow
from modeler.importers.sql.types import column_type, type_text
from modeler.schema.model import INDEX_METHODS

C = enums.ConstrType


def _split(ctx: Context, names: list[str]) -> tuple[str, str]:
    return (names[-2] if len(names) > 1 else ctx.default_ns), names[-1]


def create_enum(ctx: Context, node: Any) -> None:
    """CREATE TYPE ... AS ENUM."""
    ns, name = _split(ctx, names_of(node.typeName))
    ctx.draft.enums[(ns, name)] = DraftEnum(ns, name, [v.sval for v in node.vals or ()])


def alter_enum(ctx: Context, node: Any) -> None:
    """ALTER TYPE ... ADD/RENAME VALUE."""
    e = ctx.find_type(names_of(node.typeName))
    if not isinstance(e, DraftEnum):
        ctx.warn("unresolved", f"ALTER TYPE {'.'.join(names_of(node.typeName))}: unknown enum")
        return
    if node.oldVal:
        e.labels = [node.newVal if v == node.oldVal else v for v in e.labels]
        labels_follow(ctx, e, {node.oldVal: node.newVal})
        return
    if node.newVal in e.labels:
        return
    if node.newValNeighbor and node.newValNeighbor in e.labels:
        i = e.labels.index(node.newValNeighbor) + (1 if node.newValIsAfter else 0)
        e.labels.insert(i, node.newVal)
    else:
        e.labels.append(node.newVal)


def _over_kept(ctx: Context, type_name: Any) -> bool:
    """Does a type name name a type kept as SQL (a composite, range or base type, or a domain
    over one) or a relation's row type? A domain over it is kept as SQL in its place: the
    modelled ones are made before any kept SQL, so before their base."""
    names = names_of(type_name.names)
    if len(names) > 2 or (len(names) == 2 and names[0] == "pg_catalog"):
        return False
    kept = {(r.namespace, r.name) for r in ctx.draft.raws if r.kind in ("type", "domain")}
    for ns in ctx.namespaces(names[0] if len(names) == 2 else None):
        if (ns, names[-1]) in kept or (ns, names[-1]) in ctx.draft.tables \
                or (ns, names[-1]) in ctx.raw_relations:
            return True
        if (ns, names[-1]) in ctx.draft.domains or (ns, names[-1]) in ctx.draft.enums:
            return False
    return False


def create_domain(ctx: Context, node: Any) -> None:
    """CREATE DOMAIN (kept as SQL over a type kept as SQL: :func:`_over_kept`)."""
    ns, name = _split(ctx, names_of(node.domainname))
    if _over_kept(ctx, node.typeName):
        ctx.keep_raw("domain", ns, name, f"domain {ns}.{name} over a type kept as SQL is "
                     "not modelled; kept as SQL")
        return
    base = column_type(ctx, node.typeName)[0]
    domain = DraftDomain(ns, name, base)
    ctx.draft.domains[(ns, name)] = domain
    if node.collClause is not None:
        ctx.warn("approximation", f"collation of domain {name} is not modelled")
    for con in node.constraints or ():
        domain_constraint(ctx, domain, con)


def domain_constraint(ctx: Context, domain: DraftDomain, con: Any) -> None:
    """One NOT NULL/DEFAULT/CHECK of a domain; unnamed checks → ``<domain>_check``."""
    if con.contype == C.CONSTR_NOTNULL:
        domain.not_null = True
    elif con.contype == C.CONSTR_NULL:
        domain.not_null = False
    elif con.contype == C.CONSTR_DEFAULT:
        domain.default = default_sql(con.raw_expr)
    elif con.contype == C.CONSTR_CHECK:
        cname = con.conname or choose_con(ctx, domain.namespace, domain.name, None, "check")
        ctx.draft.claim_con(domain.namespace, cname)
        if con.skip_validation:  # NOT VALID is not modelled: kept as SQL, as a table's is
            con.conname = cname
            name = f"{quote_ident(domain.namespace)}.{quote_ident(domain.name)}"
            ctx.draft.add_raw("domain", domain.namespace, domain.name,
                              f"ALTER DOMAIN {name} ADD {expr_sql(con)};", ctx.path_setting)
            ctx.warn("raw-object", f"CHECK {cname} on domain {domain.name} is NOT VALID, "
                     "which is not modelled; kept as SQL")
            return
        domain.checks.append((cname, expr_sql(con.raw_expr)))
    else:
        ctx.warn("unsupported", f"constraint on domain {domain.name} ignored")


def alter_domain(ctx: Context, node: Any) -> None:
    """ALTER DOMAIN: constraints, default, NOT NULL."""
    domain = ctx.find_type(names_of(node.typeName))
    if not isinstance(domain, DraftDomain):
        names = names_of(node.typeName)
        kept = {(r.namespace, r.name) for r in ctx.draft.raws if r.kind == "domain"}
        found = next((n for n in ctx.namespaces(names[-2] if len(names) > 1 else None)
                      if (n, names[-1]) in kept), None)
        if found is not None:  # one kept as SQL: its ALTERs too, in their place
            ctx.keep_raw("domain", found, names[-1])
            return
        ctx.warn("unresolved", "ALTER DOMAIN on an unknown domain")
        return
    sub = node.subtype
    if sub == "C":
        domain_constraint(ctx, domain, node.def_)
    elif sub == "X":
        domain.checks = [c for c in domain.checks if c[0] != node.name]
        ctx.draft.raws = [r for r in ctx.draft.raws if not (  # a NOT VALID one kept as SQL
            r.kind == "domain" and (r.namespace, r.name) == (domain.namespace, domain.name)
            and f"CONSTRAINT {quote_ident(node.name)} " in r.sql)]
    elif sub == "T":
        domain.default = default_sql(node.def_) if node.def_ is not None else None
    elif sub in ("N", "O"):
        domain.not_null = sub == "O"
    elif sub == "V":  # VALIDATE CONSTRAINT: a NOT VALID one kept as SQL is valid now
        for r in ctx.draft.raws:
            if r.kind == "domain" and (r.namespace, r.name) == (domain.namespace, domain.name) \
                    and f"CONSTRAINT {quote_ident(node.name)} " in r.sql:
                r.sql = re.sub(r"\s+NOT\s+VALID(?=\s*;?\s*\Z)", "", r.sql, flags=re.I)
    else:
        ctx.warn("unsupported", "ALTER DOMAIN variant not modelled")


def _int(arg: Any) -> int | None:
    if isinstance(arg, ast.Integer):
        return int(arg.ival or 0)
    if isinstance(arg, ast.Float):
        return int(str(arg.fval))
    return None


def sequence_options(ctx: Context, seq: DraftSequence, options: Any) -> None:
    """Apply CREATE/ALTER SEQUENCE options (AS, START, ..., OWNED BY)."""
    for opt in options or ():
        key, arg = opt.defname, opt.arg
        if key == "as":
            seq.data_type = type_text(ctx, arg)
        elif key in ("start", "increment", "cache"):
            setattr(seq, key, _int(arg))
        elif key == "minvalue":
            seq.min_value = _int(arg)
        elif key == "maxvalue":
            seq.max_value = _int(arg)
        elif key == "cycle":
            seq.cycle = bool(getattr(arg, "boolval", True)) if arg is not None else True
        elif key == "owned_by":
            names = names_of(arg)
            if names == ["none"]:
                seq.owned_by = None
            elif len(names) >= 2:
                schema = names[-3] if len(names) > 2 else None
                table = ctx.find_table_named(schema, names[-2])
                seq.owned_by = (table.namespace if table else ctx.create_ns(schema),
                                names[-2], names[-1])


def create_sequence(ctx: Context, node: Any) -> None:
    """CREATE SEQUENCE."""
    rv = node.sequence
    ns = ctx.create_ns(rv.schemaname)
    if (ns, rv.relname) in ctx.draft.sequences and node.if_not_exists:
        return
    seq = ctx.draft.add_sequence(DraftSequence(ns, rv.relname))
    sequence_options(ctx, seq, node.options)
    if rv.relpersistence == "u":
        ctx.warn("unsupported", f"sequence {rv.relname}: UNLOGGED is not kept (the export's "
                 "is logged)")


def alter_sequence(ctx: Context, node: Any) -> None:
    """ALTER SEQUENCE (OWNED BY, options)."""
    rv = node.sequence
    for ns in ctx.namespaces(rv.schemaname):
        seq = ctx.draft.sequences.get((ns, rv.relname))
        if seq is not None:
            sequence_options(ctx, seq, node.options)
            return
    if not node.missing_ok:
        ctx.warn("unresolved", f"ALTER SEQUENCE {rv.relname}: unknown sequence")


def create_extension(ctx: Context, node: Any) -> None:
    """CREATE EXTENSION [WITH SCHEMA]."""
    schema = next((o.arg.sval for o in node.options or () if o.defname == "schema"), None)
    ctx.draft.extensions[node.extname] = schema


def create_index(ctx: Context, node: Any) -> None:
    """CREATE INDEX; unnamed → ``<table>_<cols>_idx``; other methods kept as SQL."""
    rv = node.relation
    table = ctx.find_table(rv)
    if table is None:
        raw = ctx.raw_relation(rv)
        if raw is not None:
            _keep_index(ctx, node, (raw[1], raw[2]), raw[1], node.idxname or raw[2],
                        f"index on {raw[0]} {raw[2]} kept as SQL")
        elif ctx.replayed_at is not None:
            _keep_index(ctx, node, None, ctx.create_ns(rv.schemaname),
                        node.idxname or rv.relname,
                        f"index on {rv.relname}, a table the script does not create itself "
                        f"(the statement kept as SQL at {ctx.replayed_at} may): kept as SQL, "
                        "replayed after it")
        else:
            ctx.warn("unresolved", f"CREATE INDEX on unknown table {rv.relname}")
        return
    if node.tableSpace and node.tableSpace != "pg_default":
        ctx.warn("unsupported", f"index {node.idxname or 'on ' + rv.relname}: TABLESPACE "
                 f"{node.tableSpace} is not kept")
    method = (node.accessMethod or "btree").lower()
    if method not in INDEX_METHODS:
        _keep_index(ctx, node, table.qname, table.namespace, node.idxname or "",
                    f"index method {method} is not modelled; index kept as SQL")
        return
    if node.idxname and node.if_not_exists and (table.index_named(node.idxname) or any(
            r.kind == "index" and (r.namespace, r.name) == (table.namespace, node.idxname)
            for r in ctx.draft.raws)):
        return
    odd = not all(_PLAIN_VALUE.match(_option(o.arg)) for e in node.indexParams or ()
                  for o in e.opclassopts or ())
    if node.options or odd:  # WITH (fillfactor = 90, ...)
        name = node.idxname or _index_name(ctx, table, node)
        ctx.draft.claim_rel(table.namespace, name)
        what = "storage parameters (WITH ...)" if node.options else "operator class options"
        _keep_index(ctx, node, table.qname, table.namespace, name,
                    f"{what} of index {name} are not modelled; index kept as SQL")
        return
    parts = [_part(ctx, elem, node.idxname or table.name) for elem in node.indexParams or ()]
    include = [e.name for e in node.indexIncludingParams or ()]
    missing = [c for c in [p.column for p in parts] + include if c and c not in table.columns]
    if missing:
        ctx.warn("unresolved", f"index {node.idxname or ''} on {table.name}: no column "
                 f"{', '.join(missing)}; index left out")
        return
    name = node.idxname or _index_name(ctx, table, node)
    ctx.draft.claim_rel(table.namespace, name)
    table.indexes.append(DraftIndex(
        name=name, parts=parts, unique=bool(node.unique), method=method,  # type: ignore[arg-type]  # method is in INDEX_METHODS (checked above)
        where=expr_sql(node.whereClause) if node.whereClause is not None else None,
        include=include, nulls_not_distinct=bool(node.nulls_not_distinct)))
    if rv.inh:  # not ON ONLY: the partitions get it too
        partitions.propagate(ctx, table, frozenset({"indexes"}))


def _keep_index(ctx: Context, node: Any, relation: tuple[str, str] | None, ns: str,
                name: str, why: str) -> None:
    """Keep CREATE INDEX as SQL on ``relation`` (None: a table that statements kept as SQL
    make); without CONCURRENTLY, which cannot run in the migration's transaction (the index
    is built on an empty table anyway)."""
    def keep() -> None:
        if relation is None:
            ctx.keep_raw("index", ns, name, why)
        else:
            ctx.keep_raw_on(relation, "index", ns, name, why)

    if not node.concurrent:
        keep()
        return
    node.concurrent = False
    stmt = ctx.stmt
    ctx.stmt = Statement(stmt.file, stmt.line, expr_sql(node), stmt.src)
    try:
        keep()
    finally:
        ctx.stmt = stmt


def _index_name(ctx: Context, table: DraftTable, node: Any) -> str:
    labels = [e.name or index_column_label(e.expr) for e in node.indexParams or ()]
    labels += [e.name for e in node.indexIncludingParams or ()]
    return choose_rel(ctx, table.namespace, table.name,
                      name_addition(index_column_names(labels)), "idx")


_PLAIN_VALUE = re.compile(r"^[\w.]+$")


def _option(arg: Any) -> str:
    """An operator class parameter's value as written (``32``, ``'32'`` read as 32)."""
    value = getattr(arg, "ival", None)
    if value is None:
        value = getattr(arg, "fval", None) or getattr(arg, "sval", None)
    return str(value)


def _part(ctx: Context, elem: Any, where: str) -> DraftIndexPart:
    part = DraftIndexPart()
    expr = elem.expr
    if elem.name:
        part.column = elem.name
    elif isinstance(expr, ast.ColumnRef) and isinstance(expr.fields[-1], ast.String) \
            and len(expr.fields) == 1:
        part.column = expr.fields[-1].sval
    else:
        part.expression = expr_sql(expr)
    part.descending = elem.ordering == enums.SortByDir.SORTBY_DESC
    if elem.nulls_ordering == enums.SortByNulls.SORTBY_NULLS_FIRST:
        part.nulls = "first"
    elif elem.nulls_ordering == enums.SortByNulls.SORTBY_NULLS_LAST:
        part.nulls = "last"
    if part.nulls == ("first" if part.descending else "last"):
        part.nulls = None  # the default order, as the catalog (pg_get_indexdef) has it
    opclass = names_of(elem.opclass)
    if opclass:
        part.opclass = ".".join(quote_ident(n) for n in opclass if n != "pg_catalog")
        if elem.opclassopts:  # gist_trgm_ops (siglen = 32)
            part.opclass += "(" + ", ".join(f"{quote_ident(o.defname)}={_option(o.arg)}"
                                            for o in elem.opclassopts) + ")"
    coll = names_of(elem.collation)
    if coll:
        part.collation = collation_ref(ctx, coll, f"index {where}")
    return part
