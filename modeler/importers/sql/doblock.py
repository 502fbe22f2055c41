"""DO blocks of migration histories, followed statement by statement.

Migration histories guard their DDL in DO blocks: ``IF NOT EXISTS (SELECT ... FROM
information_schema.columns WHERE ...) THEN ALTER TABLE ... RENAME COLUMN ... END IF``,
``BEGIN CREATE TYPE ...; EXCEPTION WHEN duplicate_object THEN NULL; END``, or data
backfills (``UPDATE``, ``INSERT ... SELECT``, loops over rows). Replayed verbatim after the
final tables, such a block sees another database than the one it was written for (the
renamed column is there already, a table it reads is gone), so the import follows it
instead, as PostgreSQL ran it at its place in the script:

* DDL of the main path (written out, or run by ``EXECUTE`` of a constant string or of
  ``format()`` with constant arguments) is handled as if written outside the block;
* data statements (and loops, assignments, RAISE...) without DDL are skipped like any data;
* an ``IF`` is decided on the design as imported so far when its condition asks the catalog
  whether something exists (``[NOT] EXISTS (SELECT ... FROM information_schema.columns /
  pg_constraint / pg_type / pg_class / pg_indexes ... WHERE name = '...')``, a table also
  named by ``attrelid = to_regclass('...')`` or ``'...'::regclass``, ``count(*)`` compared
  with a number);
* exception handlers are not taken: on the database the script builds, the main path runs.

A block with anything else (a condition on data or settings, DDL in a loop, dynamic SQL
built from variables, PERFORM) is not followed: :func:`follow` says why, and the caller keeps
it as SQL. A block of data statements only is skipped as data.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pglast import ast, enums, parser

from modeler.importers import bounds
from modeler.importers.sql.context import Context, Statement
from modeler.importers.sql.deparse import quote_ident

Handle = Callable[[Context, Any], None]
_DATA = (ast.InsertStmt, ast.UpdateStmt, ast.DeleteStmt, ast.MergeStmt, ast.TruncateStmt,
         ast.CopyStmt)
_NOOP = frozenset({"assign", "raise", "return", "getdiag", "exit", "assert", "commit",
                   "rollback", "close", "fetch", "open", "call_noop"})
_LOOPS = frozenset({"loop", "while", "fori", "fors", "forc", "foreach_a", "dynfors"})
# Catalog columns a condition may compare with constants, by what they name.
_ROLES = {
    "table_schema": "schema", "schemaname": "schema", "nspname": "schema",
    "constraint_schema": "schema", "schema_name": "schema", "table_name": "table",
    "tablename": "table", "relname": "table", "column_name": "column", "attname": "column",
    "constraint_name": "constraint", "conname": "constraint", "indexname": "index",
    "typname": "type", "udt_name": "type", "proname": "function",
    "routine_name": "function", "extname": "extension",
}
# Compared with a constant, these narrow the search without changing what is looked for
_IGNORED_COLUMNS = frozenset({"table_catalog", "constraint_catalog", "constraint_type",
                              "relkind", "contype", "typtype", "table_type"})


class NotFollowed(Exception):
    """The block cannot be followed; the message says why (for the import warning)."""


@dataclass
class _Plan:
    """What following a block does: its statements in order (None: skipped as data)."""

    steps: list[Any] = field(default_factory=list)
    ddl: int = 0
    data: int = 0


def _body_tree(body: str) -> dict[str, Any]:
    tag = "$__do_block$"
    if tag in body:
        raise NotFollowed("its body holds the quoting the import needs")
    try:
        parsed = bounds.parse_plpgsql(f"CREATE FUNCTION __do_block() RETURNS void "
                                      f"LANGUAGE plpgsql AS {tag}{body}{tag}")
    except Exception as exc:  # pglast raises its own error types
        raise NotFollowed(f"its body does not parse as PL/pgSQL ({exc})") from None
    return dict(parsed[0]["PLpgSQL_function"]["action"])


def _kind(node: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    (key, value), = node.items()
    return key.removeprefix("PLpgSQL_stmt_"), value


def _query(expr: dict[str, Any] | None) -> str:
    return str((expr or {}).get("PLpgSQL_expr", {}).get("query", ""))


def _parse(sql: str) -> list[Any]:
    try:
        return [raw.stmt for raw in bounds.parse_sql(sql)]
    except (parser.ParseError, bounds.NestedTooDeeply) as exc:
        raise NotFollowed(f"a statement does not parse ({exc.args[0]}): {sql[:80]}") from None


def _expression(text: str) -> Any:
    stmts = _parse(f"SELECT {text}")
    return stmts[0].targetList[0].val


def _constant_sql(text: str) -> str:
    """The SQL an ``EXECUTE`` runs: a string constant, or ``format()`` of constants."""
    expr = _expression(text)
    if isinstance(expr, ast.A_Const) and isinstance(expr.val, ast.String):
        return str(expr.val.sval)
    if isinstance(expr, ast.FuncCall) and [n.sval for n in expr.funcname][-1] == "format":
        args = list(expr.args or ())
        values = [a.val.sval if isinstance(a, ast.A_Const) and isinstance(a.val, ast.String)
                  else None for a in args]
        if args and None not in values:
            return _format(*[str(v) for v in values])
    raise NotFollowed(f"EXECUTE of SQL built at run time: {text[:80]}")


def _format(fmt: str, *args: str) -> str:
    out, i, n = [], 0, 0
    while i < len(fmt):
        ch = fmt[i]
        if ch != "%":
            out.append(ch)
            i += 1
            continue
        spec = fmt[i + 1:i + 2]
        if spec == "%":
            out.append("%")
        elif spec in ("I", "s", "L") and n < len(args):
            value = args[n]
            n += 1
            out.append(quote_ident(value) if spec == "I" else
                       "'" + value.replace("'", "''") + "'" if spec == "L" else value)
        else:
            raise NotFollowed(f"format() with {fmt[i:i + 2]!r}")
        i += 2
    return "".join(out)


# -- the static pass: can the block be followed, and is it data only? ---------------------

def _plan(stmts: list[dict[str, Any]], plan: _Plan, in_loop: bool = False) -> None:
    for node in stmts:
        kind, value = _kind(node)
        if kind == "block":
            _plan(list(value.get("body") or ()), plan, in_loop)
        elif kind in ("execsql", "dynexecute"):
            query = _query(value.get("sqlstmt") or value.get("query"))
            if kind == "dynexecute" and value.get("params"):
                raise NotFollowed("EXECUTE ... USING")
            sql = _constant_sql(query) if kind == "dynexecute" else query
            _statements(sql, value, plan, in_loop)
        elif kind == "if":
            branches = _plan_if(value, in_loop)
            plan.data += branches.data
            if branches.ddl:  # decided on the design: the condition must be decidable
                plan.ddl += branches.ddl
                for cond, _ in _branches(value):
                    if cond is not None:
                        _condition(cond)
        elif kind in _LOOPS:
            before = plan.ddl
            _plan(list(value.get("body") or ()), plan, in_loop=True)
            if plan.ddl != before:
                raise NotFollowed("a loop runs DDL")
        elif kind == "case":
            before = plan.ddl
            for when in value.get("case_when_list") or ():
                _plan(list(when["PLpgSQL_case_when"].get("stmts") or ()), plan, True)
            _plan(list(value.get("else_stmts") or ()), plan, True)
            if plan.ddl != before:
                raise NotFollowed("a CASE statement chooses the DDL to run")
        elif kind == "perform":
            raise NotFollowed(f"PERFORM runs a function ({_query(value.get('expr'))[:60]})")
        elif kind not in _NOOP:
            raise NotFollowed(f"its {kind.upper()} statement")


def _plan_if(value: dict[str, Any], in_loop: bool) -> _Plan:
    """The plan of an IF's branches together: without DDL, its condition does not matter
    (it may read rows: the IF only changes data)."""
    plan = _Plan()
    for _, body in _branches(value):
        _plan(body, plan, in_loop)
    return plan


def _statements(sql: str, value: dict[str, Any], plan: _Plan, in_loop: bool) -> None:
    for stmt in _parse(sql):
        if _is_data(stmt, value):
            plan.data += 1
            continue
        if isinstance(stmt, ast.DoStmt):
            raise NotFollowed("a DO inside a DO")
        if isinstance(stmt, ast.AlterDatabaseSetStmt | ast.AlterDatabaseStmt):
            raise NotFollowed("ALTER DATABASE (of which database?)")
        plan.ddl += 1
        if in_loop:
            return


def _is_data(stmt: Any, value: dict[str, Any]) -> bool:
    """A statement that reads or changes rows only (``SELECT ... INTO`` a variable too)."""
    if isinstance(stmt, _DATA):
        return True
    if not isinstance(stmt, ast.SelectStmt):
        return False
    return bool(value.get("into")) or (stmt.intoClause is None and not _calls_only(stmt))


def _calls_only(stmt: Any) -> bool:
    """A SELECT of function calls alone (which may create objects)."""
    return stmt.fromClause is None and bool(stmt.targetList) and all(
        isinstance(t.val, ast.FuncCall) for t in stmt.targetList)


def _branches(value: dict[str, Any]) -> Iterator[tuple[str | None, list[dict[str, Any]]]]:
    yield _query(value.get("cond")), list(value.get("then_body") or ())
    for elsif in value.get("elsif_list") or ():
        e = elsif["PLpgSQL_if_elsif"]
        yield _query(e.get("cond")), list(e.get("stmts") or ())
    yield None, list(value.get("else_body") or ())


# -- conditions: what the catalog says, asked of the design so far ------------------------

def _condition(text: str) -> Callable[[Context], bool]:
    """A decider for an IF condition, or NotFollowed when it is not a catalog question."""
    return _decider(_expression(text), text)


def _decider(expr: Any, text: str) -> Callable[[Context], bool]:
    if isinstance(expr, ast.BoolExpr):
        parts = [_decider(a, text) for a in expr.args]
        if expr.boolop == enums.BoolExprType.NOT_EXPR:
            return lambda ctx: not parts[0](ctx)
        if expr.boolop == enums.BoolExprType.AND_EXPR:
            return lambda ctx: all(p(ctx) for p in parts)
        return lambda ctx: any(p(ctx) for p in parts)
    if isinstance(expr, ast.SubLink):
        if expr.subLinkType == enums.SubLinkType.EXISTS_SUBLINK:
            count = _counter(expr.subselect, text)
            return lambda ctx: count(ctx) > 0
        return _counted(expr.subselect, text)
    if isinstance(expr, ast.A_Expr) and expr.kind == enums.A_Expr_Kind.AEXPR_OP:
        side = expr.lexpr if isinstance(expr.lexpr, ast.SubLink) else expr.rexpr
        const = _int(expr.rexpr if side is expr.lexpr else expr.lexpr)
        if isinstance(side, ast.SubLink) and const is not None:
            count = _count_of(side.subselect, text)
            op = expr.name[-1].sval if side is expr.lexpr else _flip(expr.name[-1].sval)
            return lambda ctx: _compare(count(ctx), op, const)
    raise NotFollowed(f"its IF condition is no catalog lookup the import can decide: "
                      f"{' '.join(text.split())[:120]}")


def _flip(op: str) -> str:
    return {"<": ">", ">": "<", "<=": ">=", ">=": "<="}.get(op, op)


def _compare(n: int, op: str, const: int) -> bool:
    table = {"=": n == const, "<>": n != const, "!=": n != const, ">": n > const,
             "<": n < const, ">=": n >= const, "<=": n <= const}
    if op not in table:
        raise NotFollowed(f"comparison {op}")
    return table[op]


def _int(node: Any) -> int | None:
    if isinstance(node, ast.A_Const) and isinstance(node.val, ast.Integer):
        return int(node.val.ival or 0)
    return None


def _counted(select: Any, text: str) -> Callable[[Context], bool]:
    """``(SELECT count(*) = 2 FROM pg_indexes WHERE ...)``."""
    target = select.targetList[0].val if select.targetList else None
    if isinstance(target, ast.A_Expr) and _is_count(target.lexpr) and _int(target.rexpr) \
            is not None:
        count = _counter(select, text)
        op, const = target.name[-1].sval, _int(target.rexpr)
        assert const is not None
        return lambda ctx: _compare(count(ctx), op, const)
    raise NotFollowed(f"its IF condition is no catalog lookup the import can decide: "
                      f"{' '.join(text.split())[:120]}")


def _count_of(select: Any, text: str) -> Callable[[Context], int]:
    target = select.targetList[0].val if select.targetList else None
    if not _is_count(target):
        raise NotFollowed(f"its IF condition compares a query that is no count(*): "
                          f"{' '.join(text.split())[:120]}")
    return _counter(select, text)


def _is_count(node: Any) -> bool:
    return isinstance(node, ast.FuncCall) and [n.sval for n in node.funcname][-1] == "count"


def _relations(node: Any) -> Iterator[Any]:
    if isinstance(node, ast.RangeVar):
        yield node
    elif isinstance(node, ast.JoinExpr):
        yield from _relations(node.larg)
        yield from _relations(node.rarg)
    else:
        raise NotFollowed("its IF condition reads a subquery or function")


def _terms(node: Any) -> Iterator[Any]:
    if isinstance(node, ast.BoolExpr) and node.boolop == enums.BoolExprType.AND_EXPR:
        for a in node.args:
            yield from _terms(a)
    elif node is not None:
        yield node


def _strings(node: Any) -> list[str] | None:
    nodes = node if isinstance(node, list | tuple) else [node]
    out = [str(n.val.sval) for n in nodes
           if isinstance(n, ast.A_Const) and isinstance(n.val, ast.String)]
    return out if len(out) == len(nodes) else None


def _counter(select: Any, text: str) -> Callable[[Context], int]:
    """How many catalog rows a ``SELECT ... FROM <catalog> WHERE col = 'x' AND ...`` finds."""
    undecidable = NotFollowed(f"its IF condition is no catalog lookup the import can "
                              f"decide: {' '.join(text.split())[:120]}")
    rels = [r for f in select.fromClause or () for r in _relations(f)]
    if not rels or not all(r.schemaname in ("information_schema", "pg_catalog")
                           or (r.schemaname is None and r.relname.startswith("pg_"))
                           for r in rels):
        raise undecidable
    wanted: dict[str, list[str]] = {}
    by_oid: set[str] = set()
    for term in _terms(select.whereClause):
        if _never_dropped(term):
            continue
        if not isinstance(term, ast.A_Expr):
            raise undecidable
        col, values = None, None
        for a, b in ((term.lexpr, term.rexpr), (term.rexpr, term.lexpr)):
            if isinstance(a, ast.ColumnRef) and isinstance(a.fields[-1], ast.String):
                col, values = a.fields[-1].sval, _strings(b)
                named = _regclass(b) if col in _OID_OF_TABLE else None
                if named is not None:  # attrelid = to_regclass('s."T"'): table (and schema)
                    by_oid.add(str(col))
                    col, values = "relname", [named[-1]]
                    if len(named) == 2 and "schema" not in wanted:
                        wanted["schema"] = [named[0]]
                break
        is_eq = term.kind == enums.A_Expr_Kind.AEXPR_OP and term.name[-1].sval == "="
        if col is None or not (is_eq or term.kind == enums.A_Expr_Kind.AEXPR_IN):
            raise undecidable
        if values is None:
            if isinstance(term.rexpr, ast.ColumnRef) and isinstance(term.lexpr, ast.ColumnRef):
                continue  # a join condition
            raise undecidable
        if col in _IGNORED_COLUMNS:
            continue
        role = _ROLES.get(col)
        if role is None or role in wanted:
            raise undecidable
        wanted[role] = values
    role = next((r for r in _LOOKUP_ORDER if r in wanted), "")
    lookup = _LOOKUPS.get(role)
    if lookup is None or ("conrelid" in by_oid and "constraint" not in wanted):
        raise undecidable
    if role == "schema" and any(r.relname not in _SCHEMA_CATALOGS for r in rels):
        raise undecidable  # information_schema.tables WHERE table_schema = 'x': any table
    schemas = wanted.get("schema")
    return lambda ctx: lookup(ctx, wanted, schemas)


# Where a schema alone is looked up (its name only: does it exist)
_SCHEMA_CATALOGS = frozenset({"schemata", "pg_namespace"})

# Columns naming a table by its oid: pg_attribute's, and pg_constraint's with a constraint
# name (asked alone, conrelid means "has the table any constraint", which no lookup here
# answers; so does pg_index's indrelid, left out)
_OID_OF_TABLE = frozenset({"attrelid", "conrelid"})


def _never_dropped(term: Any) -> bool:
    """``NOT attisdropped``: the design has no dropped columns, so always true."""
    return (isinstance(term, ast.BoolExpr) and term.boolop == enums.BoolExprType.NOT_EXPR
            and isinstance(term.args[0], ast.ColumnRef)
            and getattr(term.args[0].fields[-1], "sval", None) == "attisdropped")


def _regclass(node: Any) -> list[str] | None:
    """The name parts of ``to_regclass('s."T"')`` or ``'s."T"'::regclass`` (None: neither)."""
    if isinstance(node, ast.FuncCall) and [n.sval for n in node.funcname][-1] == "to_regclass":
        arg = _strings(list(node.args or ()))
    elif isinstance(node, ast.TypeCast) and node.typeName.names[-1].sval == "regclass":
        arg = _strings(node.arg)
    else:
        return None
    if not arg or len(arg) != 1:
        return None
    parts = [quoted.replace('""', '"') if quoted else plain.strip().lower()
             for quoted, plain in re.findall(r'"((?:[^"]|"")*)"|([^."]+)', arg[0])]
    return parts if 1 <= len(parts) <= 2 else None


def _in(ns: str, schemas: list[str] | None) -> bool:
    return schemas is None or ns in schemas


def _columns(ctx: Context, wanted: dict[str, list[str]], schemas: list[str] | None) -> int:
    tables = wanted.get("table")
    return sum(1 for t in ctx.draft.tables.values()
               if _in(t.namespace, schemas) and (tables is None or t.name in tables)
               for c in t.columns if c in wanted["column"])


def _constraints(ctx: Context, wanted: dict[str, list[str]], schemas: list[str] | None) -> int:
    d, tables = ctx.draft, wanted.get("table")
    names: list[tuple[str, str]] = []
    for t in d.tables.values():
        if tables is None or t.name in tables:
            names += [(t.namespace, n) for n in [t.pk_name, *(u.name for u in t.uniques),
                                                *(c.name for c in t.checks)] if n]
    names += [(f.child[0], f.name) for f in d.fks if tables is None or f.child[1] in tables]
    names += [(r.namespace, r.name) for r in d.raws if r.kind == "constraint"]
    return sum(1 for ns, n in names if n in wanted["constraint"] and _in(ns, schemas))


def _indexes(ctx: Context, wanted: dict[str, list[str]], schemas: list[str] | None) -> int:
    d = ctx.draft
    names: list[tuple[str, str]] = []
    for t in d.tables.values():
        names += [(t.namespace, n) for n in [t.pk_name, *(u.name for u in t.uniques),
                                            *(i.name for i in t.indexes)] if n]
    names += [(r.namespace, r.name) for r in d.raws if r.kind == "index"]
    return sum(1 for ns, n in set(names) if n in wanted["index"] and _in(ns, schemas))


def _types(ctx: Context, wanted: dict[str, list[str]], schemas: list[str] | None) -> int:
    d = ctx.draft
    names = [*d.enums, *d.domains, *d.tables,
             *((r.namespace, r.name) for r in d.raws if r.kind == "type")]
    return sum(1 for ns, n in set(names) if n in wanted["type"] and _in(ns, schemas))


def _relations_named(ctx: Context, wanted: dict[str, list[str]],
                     schemas: list[str] | None) -> int:
    return sum(1 for ns, names in ctx.draft.relnames.items() if _in(ns, schemas)
               for n in names if n in wanted["table"])


def _functions(ctx: Context, wanted: dict[str, list[str]], schemas: list[str] | None) -> int:
    return len({(r.namespace, r.name) for r in ctx.draft.raws
                if r.kind in ("function", "procedure") and r.name in wanted["function"]
                and _in(r.namespace, schemas)})


def _extensions(ctx: Context, wanted: dict[str, list[str]], schemas: list[str] | None) -> int:
    return sum(1 for e in ctx.draft.extensions if e in wanted["extension"])


def _schemas(ctx: Context, wanted: dict[str, list[str]], schemas: list[str] | None) -> int:
    """A schema asked alone (information_schema.schemata, pg_namespace): one CREATE SCHEMA
    made, or that holds an object of the design (public is always there)."""
    d = ctx.draft
    known = {"public", *ctx.schemas_made, *(ns for ns, _ in d.tables),
             *(ns for ns, _ in (*d.enums, *d.domains, *d.sequences)),
             *(r.namespace for r in d.raws)}
    return sum(1 for n in set(wanted["schema"]) if n in known)


_LOOKUP_ORDER = ("column", "index", "constraint", "type", "function", "extension", "table",
                 "schema")
_LOOKUPS: dict[str, Callable[[Context, dict[str, list[str]], list[str] | None], int]] = {
    "column": _columns, "index": _indexes, "constraint": _constraints, "type": _types,
    "function": _functions, "extension": _extensions, "table": _relations_named,
    "schema": _schemas,
}


# -- following ------------------------------------------------------------------------------

def follow(ctx: Context, body: str, handle: Handle) -> tuple[int, int]:
    """Follow a DO block's body (see the module docstring): (DDL statements handled, data
    statements skipped). Raises :class:`NotFollowed` (nothing applied) when it cannot."""
    tree = _body_tree(body)
    plan = _Plan()
    _plan([tree], plan)
    if plan.ddl == 0:
        return 0, plan.data
    stmt = ctx.stmt
    try:
        ran = _run(ctx, [tree], handle, stmt)
    finally:
        ctx.stmt = stmt
    return ran, plan.data


def _run(ctx: Context, stmts: list[dict[str, Any]], handle: Handle, at: Statement) -> int:
    ran = 0
    for node in stmts:
        kind, value = _kind(node)
        if kind == "block":
            ran += _run(ctx, list(value.get("body") or ()), handle, at)
        elif kind in ("execsql", "dynexecute"):
            query = _query(value.get("sqlstmt") or value.get("query"))
            sql = _constant_sql(query) if kind == "dynexecute" else query
            ran += _execute(ctx, sql, value, handle, at)
        elif kind == "if" and _plan_if(value, False).ddl:
            for cond, body in _branches(value):
                if cond is None or _condition(cond)(ctx):
                    ran += _run(ctx, body, handle, at)
                    break
    return ran


def _execute(ctx: Context, sql: str, value: dict[str, Any], handle: Handle,
             at: Statement) -> int:
    ran = 0
    line = (at.line or 1) + max(int(value.get("lineno") or 1) - 1, 0) if at.line else None
    for raw in bounds.parse_sql(sql):
        stmt = raw.stmt
        if _is_data(stmt, value):
            continue
        loc = raw.stmt_location or 0
        text = sql[loc:loc + raw.stmt_len if raw.stmt_len else len(sql)].strip().rstrip(";")
        ctx.stmt = Statement(at.file, line, text, sql)
        ctx.count("statements")
        handle(ctx, stmt)
        ran += 1
    return ran
