"""The expression layer: every SQL expression and type name the product accepts passes here.

A CHECK, a column or domain DEFAULT, a generated column, an index key expression or partial
predicate, a domain CHECK and a custom type name are each parsed by PostgreSQL's own parser
(pglast) as *exactly one* expression (or one type name): a second statement, a trailing
clause, an alias or anything else is refused with the place the parse stopped. What is stored
and rendered is the canonical text printed back from the parse tree
(:mod:`modeler.schema.sqlprint`), checked to parse to the same tree again, so no byte of the
user's text (a comment, a ``;``, an unbalanced quote or parenthesis) ever reaches a
generated file: only the printer's output does, and it is one expression by construction.

On top of the grammar, :func:`problem` applies what PostgreSQL refuses where the expression
is used (subqueries, aggregates, window and set-returning functions in CHECKs, defaults and
index expressions; column references in defaults; functions that are not immutable in index
expressions and generated columns) and resolves column references against the table.
Everything is cached by text: a design's expressions are checked on every edit.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal

import pglast
from pglast import ast, enums
from pglast.parser import ParseError, scan

from modeler.schema.sqlprint import SqlStream, walk

Kind = Literal["check", "default", "generated", "index", "predicate", "domain_check",
               "domain_default", "backfill"]

_PREFIX = "SELECT "
_TYPE_PREFIX = "SELECT NULL::"
_MAX_LENGTH = 10_000
_RECURSION = 6_000

# PostgreSQL's words for each use, as its own errors name them
_USE = {
    "check": "check constraints", "default": "DEFAULT expressions",
    "generated": "generation expressions", "index": "index expressions",
    "predicate": "index predicates", "domain_check": "check constraints",
    "domain_default": "DEFAULT expressions",
    # a column's one-off value for existing rows (UPDATE t SET c = <backfill>): it may read
    # the row's other columns, like a CHECK
    "backfill": "backfill expressions",
}
_IMMUTABLE_ONLY = frozenset({"generated", "index", "predicate"})
_NO_COLUMNS = frozenset({"default", "domain_default"})

AGGREGATES = frozenset({
    "count", "sum", "avg", "min", "max", "array_agg", "string_agg", "bool_and", "bool_or",
    "every", "bit_and", "bit_or", "bit_xor", "json_agg", "jsonb_agg", "json_object_agg",
    "jsonb_object_agg", "json_agg_strict", "jsonb_agg_strict", "json_object_agg_strict",
    "jsonb_object_agg_strict", "json_object_agg_unique", "jsonb_object_agg_unique",
    "xmlagg", "stddev", "stddev_pop", "stddev_samp", "variance", "var_pop", "var_samp",
    "corr", "covar_pop", "covar_samp", "regr_avgx", "regr_avgy", "regr_count",
    "regr_intercept", "regr_r2", "regr_slope", "regr_sxx", "regr_sxy", "regr_syy", "mode",
    "percentile_cont", "percentile_disc", "any_value", "range_agg", "range_intersect_agg",
    "rank", "dense_rank", "percent_rank", "cume_dist", "row_number", "ntile", "lag", "lead",
    "first_value", "last_value", "nth_value",
})
SET_RETURNING = frozenset({
    "generate_series", "generate_subscripts", "unnest", "regexp_matches",
    "regexp_split_to_table", "string_to_table", "json_each", "json_each_text", "jsonb_each",
    "jsonb_each_text", "json_array_elements", "json_array_elements_text",
    "jsonb_array_elements", "jsonb_array_elements_text", "json_object_keys",
    "jsonb_object_keys", "json_populate_recordset", "jsonb_populate_recordset",
    "json_to_recordset", "jsonb_to_recordset", "jsonb_path_query", "ts_stat", "ts_debug",
    "ts_parse", "ts_token_type", "pg_get_keywords", "pg_options_to_table", "pg_ls_dir",
    "pg_listening_channels", "txid_snapshot_xip", "pg_snapshot_xip",
})
NOT_IMMUTABLE = frozenset({
    "now", "random", "random_normal", "clock_timestamp", "statement_timestamp",
    "transaction_timestamp", "timeofday", "nextval", "currval", "lastval", "setval",
    "gen_random_uuid", "uuidv4", "uuidv7", "uuid_generate_v1", "uuid_generate_v1mc",
    "uuid_generate_v4", "txid_current", "pg_backend_pid", "current_setting",
    "current_database", "current_schema", "inet_client_addr", "pg_current_xact_id",
})


class ExpressionError(ValueError):
    """User SQL that is not exactly one acceptable expression; the message says why."""


@dataclass(frozen=True, slots=True)
class Parsed:
    """One parsed expression: its tree and its canonical text."""

    node: Any
    canonical: str


def _position(exc: ParseError, text: str, prefix: str) -> str:
    """Where the parse stopped, in the user's own text."""
    loc = exc.args[1] if len(exc.args) > 1 else None
    if not isinstance(loc, int) or loc <= len(prefix):
        return "at the end" if loc is None else "at the start"
    at = min(loc - len(prefix), len(text))
    near = text[at:at + 20].replace("\n", " ")
    return f"at character {at + 1} (near {near!r})"


def _parse_one(text: str, prefix: str, what: str) -> Any:
    """The single target of ``prefix + text`` parsed as one plain SELECT list entry."""
    if not text.strip():
        raise ExpressionError(f"the {what} is empty")
    if len(text) > _MAX_LENGTH:
        raise ExpressionError(f"the {what} is longer than {_MAX_LENGTH:,} characters")
    if "\x00" in text:
        raise ExpressionError(f"the {what} contains a NUL character")
    try:
        stmts = pglast.parse_sql(prefix + text)
    except ParseError as exc:
        raise ExpressionError(f"not a valid {what}: {exc.args[0]} "
                              f"{_position(exc, text, prefix)}") from None
    if len(stmts) != 1:
        raise ExpressionError(f"the {what} must be one expression: a ';' ends it and "
                              "starts another statement")
    if any(t.name == "ASCII_59" for t in scan(text)):
        raise ExpressionError(f"the {what} must be one expression: a ';' ends it")
    sel = stmts[0].stmt
    extra = [word for attr, word in (
        ("fromClause", "FROM"), ("whereClause", "WHERE"), ("groupClause", "GROUP BY"),
        ("havingClause", "HAVING"), ("windowClause", "WINDOW"), ("sortClause", "ORDER BY"),
        ("limitCount", "LIMIT"), ("limitOffset", "OFFSET"), ("lockingClause", "FOR UPDATE"),
        ("withClause", "WITH"), ("intoClause", "INTO"), ("distinctClause", "DISTINCT"),
        ("valuesLists", "VALUES")) if getattr(sel, attr, None)]
    if not isinstance(sel, ast.SelectStmt) or sel.op != enums.SetOperation.SETOP_NONE:
        extra.append("a set operation (UNION, INTERSECT, EXCEPT)")
    targets: tuple[Any, ...] = tuple(sel.targetList or ()) if isinstance(sel, ast.SelectStmt) \
        else ()
    if not extra and not targets:
        raise ExpressionError(f"the {what} is empty")
    if extra or len(targets) != 1:
        found = ", ".join(extra) if extra else "a list of several expressions"
        raise ExpressionError(f"the {what} must be exactly one expression (found {found})")
    target = targets[0]
    if target.name is not None:
        raise ExpressionError(f"the {what} must be one expression without an alias "
                              f"(AS {target.name})")
    return target.val


def _printed(node: Any) -> str:
    stream: Any = SqlStream()
    return str(stream(node)).strip()


@contextmanager
def _deep() -> Iterator[None]:
    """Room for long operator chains (``a + b + ... + z``: PostgreSQL takes thousands of
    terms; parsing and printing them recurses once per term)."""
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, _RECURSION))
    try:
        yield
    except RecursionError:
        raise ExpressionError("the expression is nested too deeply to be stored; split it "
                              "(or use a function)") from None
    finally:
        sys.setrecursionlimit(limit)


def _printed_back(node: Any, text: str | None = None) -> str:
    """The canonical text of ``node``, checked to parse to ``node`` again (unless it is
    ``text``, the text ``node`` was parsed from: canonical text, as stored expressions are,
    is not parsed twice)."""
    out = _printed(node)
    if out == text:
        return out
    try:
        again = _parse_one(out, _PREFIX, "expression")
    except ExpressionError:
        again = None
    if again != node:
        raise ExpressionError("the expression cannot be printed back exactly (a printer "
                              "limit, not your SQL): write it in another form, e.g. with "
                              "more parentheses")
    return out


@lru_cache(maxsize=65_536)
def _parse_cached(text: str) -> Parsed | str:
    try:
        with _deep():
            node = _parse_one(text, _PREFIX, "expression")
            if isinstance(node, ast.ColumnRef) and any(isinstance(f, ast.A_Star)
                                                       for f in node.fields or ()):
                raise ExpressionError("the expression must be one expression, not a * list")
            out = _printed_back(node, text)
    except ExpressionError as exc:
        return str(exc)
    return Parsed(node, out)


def parse(text: str) -> Parsed:
    """``text`` as exactly one SQL expression, or :class:`ExpressionError`."""
    found = _parse_cached(text)
    if isinstance(found, str):
        raise ExpressionError(found)
    return found


def canonical(text: str) -> str:
    """The canonical spelling of expression ``text`` (raises :class:`ExpressionError`)."""
    return parse(text).canonical


@lru_cache(maxsize=16_384)
def _type_cached(text: str) -> str:
    try:
        node = _parse_one(text, _TYPE_PREFIX, "type name")
        if not (isinstance(node, ast.TypeCast) and isinstance(node.arg, ast.A_Const)
                and node.arg.isnull):
            raise ExpressionError("not a type name: it must be exactly one type name "
                                  "(like geometry(Point,4326) or public.citext)")
        tn = node.typeName
        if tn.setof or tn.pct_type or len(tn.names or ()) > 2:
            raise ExpressionError("not a column type: a type name is [schema.]name with "
                                  "optional modifiers and [] (no SETOF, %TYPE or "
                                  "database.schema.name)")
        stream: Any = SqlStream()
        out = str(stream(node.typeName)).strip()
        again = _parse_one(out, _TYPE_PREFIX, "type name")
        if again != node:
            raise ExpressionError("the type name cannot be printed back exactly")
    except ExpressionError as exc:
        return "!" + str(exc)
    return out


def type_name(text: str) -> str:
    """The canonical spelling of type name ``text`` (raises :class:`ExpressionError`)."""
    out = _type_cached(text)
    if out.startswith("!"):
        raise ExpressionError(out[1:])
    return out


def type_problem(text: str) -> str | None:
    """Why ``text`` is not exactly one type name (None when it is)."""
    out = _type_cached(text)
    return out[1:] if out.startswith("!") else None


def function_name(call: Any) -> tuple[str | None, str]:
    """(namespace, name) of a FuncCall."""
    names: list[str] = [str(n.sval) for n in call.funcname or () if isinstance(n, ast.String)]
    if not names:
        return None, ""
    return (names[-2] if len(names) > 1 else None), names[-1]


@lru_cache(maxsize=16_384)
def functions(text: str) -> tuple[tuple[str | None, str], ...]:
    """The functions expression ``text`` calls, as (namespace, name), in order."""
    found: list[tuple[str | None, str]] = []
    for n in walk(parse(text).node):
        if isinstance(n, ast.FuncCall):
            ref = function_name(n)
            if ref not in found:
                found.append(ref)
    return tuple(found)


@lru_cache(maxsize=16_384)
def column_refs(text: str) -> tuple[tuple[str, ...], ...]:
    """Every column reference of expression ``text``, as its name parts."""
    out: list[tuple[str, ...]] = []
    for n in walk(parse(text).node):
        if isinstance(n, ast.ColumnRef):
            parts = tuple(str(f.sval) if isinstance(f, ast.String) else "*"
                          for f in n.fields or ())
            if parts not in out:
                out.append(parts)
    return tuple(out)


def _context_problem(node: Any, kind: Kind) -> str | None:
    use = _USE[kind]
    for n in walk(node):
        if isinstance(n, ast.SubLink):
            return f"cannot use subquery in {use}"
        if isinstance(n, ast.ParamRef):
            return f"there is no parameter ${n.number} in {use}"
        if isinstance(n, ast.SetToDefault):
            return f"DEFAULT is not allowed in {use}"
        if isinstance(n, ast.FuncCall):
            _, name = function_name(n)
            if n.over is not None:
                return f"window functions are not allowed in {use}"
            if (n.agg_star or n.agg_distinct or n.agg_order or n.agg_filter
                    or n.agg_within_group or name in AGGREGATES):
                return f"aggregate functions are not allowed in {use} ({name})"
            if name in SET_RETURNING:
                return f"set-returning functions are not allowed in {use} ({name})"
            if kind in _IMMUTABLE_ONLY and name in NOT_IMMUTABLE:
                return f"functions in {use} must be marked IMMUTABLE ({name}() is not)"
        if kind in _IMMUTABLE_ONLY and isinstance(n, ast.SQLValueFunction):
            return f"functions in {use} must be marked IMMUTABLE (CURRENT_... values are not)"
    return None


@lru_cache(maxsize=16_384)
def _text_problem(text: str, kind: Kind) -> str | None:
    """Why ``text`` is not one expression that ``kind`` allows, whatever its columns (the
    part of :func:`problem` that depends on the text alone: an import asks it of each
    expression twice, when the model is built and when it is validated)."""
    try:
        parsed = parse(text)
    except ExpressionError as exc:
        return str(exc)
    return _context_problem(parsed.node, kind)


def problem(text: str, kind: Kind, *, columns: Collection[str] | None = None,
            table: str | None = None, namespace: str = "public") -> str | None:
    """Why ``text`` cannot be used as a ``kind`` expression (None when it can).

    ``columns``: the names a column reference may resolve to (the table's columns; for a
    domain, ``value``); ``table``: the table's name, accepted as a qualifier."""
    found = _text_problem(text, kind)
    if found is not None:
        return found
    refs = column_refs(text)
    if kind in _NO_COLUMNS and refs:
        return (f"cannot use column reference in {_USE[kind]} ({'.'.join(refs[0])}); "
                "a string is written in single quotes")
    if columns is None:
        return None
    known = set(columns)
    for parts in refs:
        if "*" in parts:
            return f"a whole-row reference ({'.'.join(parts)}) is not supported here"
        if len(parts) > 3 or (len(parts) == 3 and parts[0] != namespace):
            return (f"{'.'.join(parts)}: write the column as column or table.column "
                    "(an expression sees only its own table)")
        if len(parts) > 1 and (table is None or parts[-2] != table):
            return f"{'.'.join(parts)} names another table's column"
        if parts[-1] not in known:
            where = "the domain's VALUE" if kind == "domain_check" else "the table"
            return f"column {parts[-1]!r} does not exist in {where}"
    return None


def normalize(text: str, kind: Kind, *, columns: Collection[str] | None = None,
              table: str | None = None, namespace: str = "public") -> str:
    """The canonical form of ``text`` once :func:`problem` finds nothing wrong with it."""
    found = problem(text, kind, columns=columns, table=table, namespace=namespace)
    if found is not None:
        raise ExpressionError(found)
    return canonical(text)


def _statement(sql: str, what: str) -> Any:
    """The one statement ``sql`` holds (the caller checks its shape)."""
    if "\x00" in sql or len(sql) > _MAX_LENGTH:
        raise ExpressionError(f"the {what} is too long or contains a NUL character")
    try:
        stmts = pglast.parse_sql(sql)
    except ParseError as exc:
        raise ExpressionError(f"not a valid {what}: {exc.args[0]}") from None
    if len(stmts) != 1 or not isinstance(stmts[0].stmt, ast.CreateStmt):
        raise ExpressionError(f"the {what} must be exactly one {what}")
    return stmts[0].stmt


@lru_cache(maxsize=4_096)
def _bound_cached(text: str) -> str:
    try:
        stmt = _statement(f"CREATE TABLE x PARTITION OF y {text}", "partition bound")
        if stmt.partbound is None or stmt.tableElts or stmt.options or stmt.partspec \
                or stmt.tablespacename or stmt.accessMethod or stmt.oncommit not in (
                    None, enums.OnCommitAction.ONCOMMIT_NOOP):
            raise ExpressionError("the partition bound must be FOR VALUES ... or DEFAULT, "
                                  "and nothing else")
        stream: Any = SqlStream()
        return str(stream(stmt.partbound)).strip()
    except ExpressionError as exc:
        return "!" + str(exc)


def partition_bound(text: str) -> str:
    """A partition bound (``FOR VALUES ...``, ``DEFAULT``) in canonical form."""
    out = _bound_cached(text)
    if out.startswith("!"):
        raise ExpressionError(out[1:])
    return out


@lru_cache(maxsize=4_096)
def _key_cached(text: str) -> str:
    try:
        stmt = _statement(f"CREATE TABLE x () PARTITION BY {text}", "partition key")
        if stmt.partspec is None or stmt.partbound or stmt.options or stmt.tablespacename \
                or stmt.accessMethod or stmt.inhRelations:
            raise ExpressionError("the partition key must be RANGE|LIST|HASH (...) and "
                                  "nothing else")
        stream: Any = SqlStream()
        printed = str(stream(stmt.partspec)).strip()
        word, _, rest = printed.partition(" ")
        return f"{word.upper()} {rest}"
    except ExpressionError as exc:
        return "!" + str(exc)


def partition_key(text: str) -> str:
    """A partition key (``RANGE (a, lower(b))``) in canonical form."""
    out = _key_cached(text)
    if out.startswith("!"):
        raise ExpressionError(out[1:])
    return out


@lru_cache(maxsize=4_096)
def partition_key_columns(text: str) -> tuple[str | None, ...] | None:
    """The column of each part of partition key ``text`` (``RANGE (a, lower(b))``: ``("a",
    None)``, None for an expression), or None when it does not read as one."""
    try:
        stmt = _statement(f"CREATE TABLE x () PARTITION BY {text}", "partition key")
    except ExpressionError:
        return None
    if stmt.partspec is None:
        return None
    return tuple(str(p.name) if p.name else None for p in stmt.partspec.partParams or ())


def partition_problem(key: str | None, bound: str) -> str | None:
    """Why a table's partition key or bound cannot be written as SQL (None when both can)."""
    for text, cached in ((key, _key_cached), (bound or None, _bound_cached)):
        if text is not None:
            out = cached(text)
            if out.startswith("!"):
                return out[1:]
    return None


def rename_columns(text: str, names: Mapping[str, str]) -> str:
    """Expression ``text`` with its references to the columns named by the keys of ``names``
    renamed to their values (all at once: swaps work), as PostgreSQL rewrites a table's
    expressions when its columns are renamed; ``text`` itself when it mentions none of them
    or does not parse."""
    try:
        before = parse(text)
    except ExpressionError:
        return text
    if not any(parts[-1] in names for parts in column_refs(text)):
        return text
    node = pglast.parse_sql(_PREFIX + text)[0].stmt.targetList[0].val  # a copy to rewrite
    string: Any = ast.String
    for n in walk(node):
        if isinstance(n, ast.ColumnRef) and n.fields and isinstance(n.fields[-1], ast.String) \
                and n.fields[-1].sval in names:
            n.fields = (*n.fields[:-1], string(sval=names[str(n.fields[-1].sval)]))
    out = _printed(node)
    return out if out != before.canonical else text


def rename_column(text: str, old: str, new: str) -> str:
    """:func:`rename_columns` of one column."""
    return rename_columns(text, {old: new})


def rename_in_table(table: Any, names: Mapping[str, str]) -> Any:
    """``table`` (a :class:`~modeler.schema.model.Table`) with the expressions of its
    defaults, generated columns, CHECKs and indexes following the column renames ``names``
    (old name -> new name)."""
    from dataclasses import replace

    if not names:
        return table

    def ren(text: str | None) -> str | None:
        return None if text is None else rename_columns(text, names)

    return replace(
        table,
        columns=tuple(replace(c, default=ren(c.default), generated=ren(c.generated),
                              backfill=ren(c.backfill))
                      for c in table.columns),
        checks=tuple(replace(k, expression=rename_columns(k.expression, names))
                     for k in table.checks),
        indexes=tuple(replace(ix, where=ren(ix.where), parts=tuple(
            replace(p, expression=ren(p.expression)) for p in ix.parts))
            for ix in table.indexes))


def one_statement(sql: str) -> tuple[str, dict[str, Any]] | None:
    """The node type and parse tree of ``sql`` when it is one statement (None when it is
    not, or does not parse): the tree as JSON, which costs less than pglast's node
    objects."""
    try:
        stmts = json.loads(pglast.parser.parse_sql_json(sql)).get("stmts", [])
    except pglast.parser.ParseError:
        return None
    if len(stmts) != 1 or not isinstance(stmts[0].get("stmt"), dict):
        return None
    kind, node = next(iter(stmts[0]["stmt"].items()), ("", None))
    return (kind, node) if isinstance(node, dict) else None
