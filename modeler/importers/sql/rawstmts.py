"""Statements kept as SQL (views, functions, triggers...) and session statements.

The model does not represent views, functions, triggers, rules, policies, aggregates,
text search configurations, composite types...: each becomes a RawObject in file
order (so a baseline migration can replay them) plus a warning with its line. Triggers that
only maintain an ``updated_at`` column are recognised and dropped: the export regenerates them
(Settings.updated_at_mode).
"""

from __future__ import annotations

import re
from typing import Any

from pglast import ast, enums, parser

from modeler.importers.sql import collations
from modeler.importers.sql.context import Context
from modeler.importers.sql.deparse import names_of

O = enums.ObjectType  # noqa: E741
_DEFINE_KINDS = {
    O.OBJECT_AGGREGATE: "aggregate", O.OBJECT_OPERATOR: "operator", O.OBJECT_TYPE: "type",
    O.OBJECT_COLLATION: "collation", O.OBJECT_TSCONFIGURATION: "text search configuration",
    O.OBJECT_TSDICTIONARY: "text search dictionary", O.OBJECT_TSPARSER: "text search parser",
    O.OBJECT_TSTEMPLATE: "text search template",
}
# node class -> raw kind, for statements whose name is easy to find generically
OTHER_KINDS = {
    "CreateCastStmt": "cast", "CreateOpClassStmt": "operator class",
    "CreateOpFamilyStmt": "operator family", "CreateConversionStmt": "conversion",
    "CreatePLangStmt": "language", "CreateEventTrigStmt": "event trigger",
    "CreateStatsStmt": "statistics", "CreateFdwStmt": "foreign data wrapper",
    "CreateForeignServerStmt": "foreign server", "CreateUserMappingStmt": "user mapping",
    "CreatePublicationStmt": "publication", "CreateSubscriptionStmt": "subscription",
    "CreateTransformStmt": "transform", "CreateAmStmt": "access method",
    "AlterTSConfigurationStmt": "text search configuration", "AlterFunctionStmt": "function",
    "CreateRangeStmt": "type", "AlterOperatorStmt": "operator", "AlterTypeStmt": "type",
    "AlterEventTrigStmt": "event trigger", "AlterPolicyStmt": "policy",
    "AlterCollationStmt": "collation", "AlterTSDictionaryStmt": "text search dictionary",
}
_TRIGGER_BEFORE, _TRIGGER_UPDATE = 2, 16
_SETS_UPDATED_AT = re.compile(r"\bnew\s*\.\s*\"?updated_at\"?\s*:?=", re.IGNORECASE)


def _qname(ctx: Context, names: list[str]) -> tuple[str, str]:
    return (names[-2] if len(names) > 1 else ctx.default_ns), (names[-1] if names else "")


def view(ctx: Context, node: Any) -> None:
    """CREATE VIEW: kept as SQL."""
    rv = node.view
    ns = ctx.create_ns(rv.schemaname)
    ctx.raw_relations[(ns, rv.relname)] = "view"
    ctx.keep_raw("view", ns, rv.relname)


def create_table_as(ctx: Context, node: Any) -> None:
    """CREATE TABLE AS / MATERIALIZED VIEW: kept as SQL."""
    rv = node.into.rel
    ns = ctx.create_ns(rv.schemaname)
    if node.objtype == O.OBJECT_MATVIEW:
        ctx.raw_relations[(ns, rv.relname)] = "materialized view"
        ctx.keep_raw("materialized view", ns, rv.relname)
    else:
        ctx.raw_relations[(ns, rv.relname)] = "table"
        ctx.keep_raw("table", ns, rv.relname, f"table {rv.relname} is created from a query "
                     "(CREATE TABLE AS / SELECT INTO); kept as SQL")


def function(ctx: Context, node: Any) -> None:
    """CREATE FUNCTION/PROCEDURE: kept as SQL; the body is remembered for trigger checks."""
    ns, name = _qname(ctx, names_of(node.funcname))
    body = next((names_of(o.arg)[0] for o in node.options or ()
                 if o.defname == "as" and o.arg), None)
    if body is not None:
        ctx.functions[(ns, name)] = body
    ctx.keep_raw("procedure" if node.is_procedure else "function", ns, name)


def trigger(ctx: Context, node: Any) -> None:
    """CREATE TRIGGER: updated_at maintenance is recognised and dropped, others kept."""
    rv = node.relation
    table = ctx.find_table(rv)
    ns = table.namespace if table else ctx.create_ns(rv.schemaname)
    if table is not None and _maintains_updated_at(ctx, node, table.columns):
        ctx.count("updated_at_triggers")
        return
    ctx.keep_raw("trigger", ns, node.trigname,
                 f"trigger {node.trigname} on {rv.relname} is not modelled; kept as SQL")


def _maintains_updated_at(ctx: Context, node: Any, columns: dict[str, Any]) -> bool:
    if node.isconstraint or not node.row or "updated_at" not in columns:
        return False
    if not (node.timing & _TRIGGER_BEFORE) or node.events != _TRIGGER_UPDATE:
        return False
    fn_ns, fn_name = _qname(ctx, names_of(node.funcname))
    body = ctx.functions.get((fn_ns, fn_name))
    if body is None:
        body = next((b for (_, n), b in ctx.functions.items() if n == fn_name), None)
    return body is not None and bool(_SETS_UPDATED_AT.search(body))


def rule(ctx: Context, node: Any) -> None:
    """CREATE RULE: kept as SQL."""
    ns = ctx.table_qname(node.relation)[0]
    ctx.keep_raw("rule", ns, node.rulename)


def policy(ctx: Context, node: Any) -> None:
    """CREATE POLICY: kept as SQL."""
    ns = ctx.table_qname(node.table)[0]
    ctx.keep_raw("policy", ns, node.policy_name)


def define(ctx: Context, node: Any) -> None:
    """CREATE COLLATION (modelled); AGGREGATE/OPERATOR/TEXT SEARCH...: kept as SQL."""
    if node.kind == O.OBJECT_COLLATION:
        collations.create_collation(ctx, node)
        return
    kind = _DEFINE_KINDS.get(node.kind, "other")
    ns, name = _qname(ctx, names_of(node.defnames))
    ctx.keep_raw(kind, ns, name)


def composite_type(ctx: Context, node: Any) -> None:
    """CREATE TYPE ... AS (...): kept as SQL."""
    rv = node.typevar
    ctx.keep_raw("type", ctx.create_ns(rv.schemaname), rv.relname,
                 f"composite type {rv.relname} is not modelled; kept as SQL (columns of "
                 "this type are custom types)")


def foreign_table(ctx: Context, node: Any) -> None:
    """CREATE FOREIGN TABLE: kept as SQL."""
    rv = node.base.relation
    ns = ctx.create_ns(rv.schemaname)
    ctx.raw_relations[(ns, rv.relname)] = "foreign table"
    ctx.keep_raw("foreign table", ns, rv.relname)


def other(ctx: Context, node: Any) -> None:
    """Any other definition statement: kept as SQL under a kind named after it."""
    kind = OTHER_KINDS.get(type(node).__name__, "other")
    name = ""
    for attr in ("trigname", "plname", "amname", "servername", "fdwname", "pubname",
                 "subname", "cfgname", "dictname", "collname", "typeName", "func",
                 "defnames", "opclassname", "opfamilyname", "conversion_name"):
        value = getattr(node, attr, None)
        if isinstance(value, str):
            name = str(value)
            break
        if isinstance(value, list | tuple) and value and isinstance(value[-1], ast.String):
            name = str(value[-1].sval)
            break
        if isinstance(value, ast.ObjectWithArgs):
            name = names_of(value.objname)[-1]
            break
    ctx.keep_raw(kind, ctx.default_ns, name)


def _main_block(body: str) -> str | None:
    """The statements of a PL/pgSQL block's main path (between its BEGIN and its
    EXCEPTION or END), or None when the body is not one plain block."""
    try:
        tokens = parser.scan(body)
    except parser.ParseError:
        return None
    names = [t.name for t in tokens]
    if "BEGIN_P" not in names or names[0] not in ("BEGIN_P", "DECLARE"):
        return None
    start = names.index("BEGIN_P")
    depth = 0
    for i in range(start, len(tokens)):
        word = body[tokens[i].start:tokens[i].end + 1].upper()
        nxt = names[i + 1] if i + 1 < len(names) else ""
        if names[i] == "BEGIN_P":
            depth += 1
        elif names[i] == "END_P" and nxt not in ("IF_P", "LOOP", "CASE"):
            depth -= 1
            if depth == 0:
                return body[tokens[start].end + 1:tokens[i].start]
        elif word == "EXCEPTION" and depth == 1:
            return body[tokens[start].end + 1:tokens[i].start]
    return None


def do_block(ctx: Context, node: Any) -> None:
    """DO: not evaluated; but the functions its main path creates with plain CREATE FUNCTION
    statements (MusicBrainz creates one that way, with a fallback in its EXCEPTION clause)
    are kept as SQL, as if they had been written outside the block."""
    opts = {o.defname: o.arg for o in node.args or ()}
    language = getattr(opts.get("language"), "sval", "plpgsql")
    body = getattr(opts.get("as"), "sval", None)
    main = _main_block(body) if body is not None and language == "plpgsql" else None
    found = 0
    stmt = ctx.stmt
    for part in parser.split(main, with_parser=False) if main else ():
        piece = str(part)
        try:
            parsed = parser.parse_sql(piece)
        except parser.ParseError:
            continue
        for raw in parsed:
            if isinstance(raw.stmt, ast.CreateFunctionStmt):
                ctx.stmt = type(stmt)(stmt.file, stmt.line, piece.strip().rstrip(";"), piece)
                function(ctx, raw.stmt)
                found += 1
    ctx.stmt = stmt
    ctx.warn("unsupported", "DO block not evaluated" + (
        f"; the {found} function(s) its main path creates are kept as SQL" if found
        else " (objects it would create are missing)"))


def set_variable(ctx: Context, node: Any) -> None:
    """SET: search_path is followed, the rest ignored."""
    if node.name != "search_path":
        ctx.count("ignored_statements")
        return
    if node.kind == enums.VariableSetKind.VAR_SET_VALUE:
        values = []
        for a in node.args or ():
            v = getattr(a, "val", None)
            values.append(getattr(v, "sval", None) or "")
        set_search_path(ctx, ",".join(values))
    else:
        ctx.search_path = ["public"]


def set_search_path(ctx: Context, value: str) -> None:
    """Parse a search_path value (``"$user", public``)."""
    path = []
    for item in value.split(","):
        name = item.strip()
        if name.startswith('"') and name.endswith('"') and len(name) > 1:
            name = name[1:-1].replace('""', '"')
        else:
            name = name.lower()
        if name and name not in ("$user", "pg_catalog", "pg_temp"):
            path.append(name)
    ctx.search_path = path


def select(ctx: Context, node: Any) -> None:
    """SELECT: set_config('search_path') is followed, setval skipped, others warned."""
    targets = node.targetList or ()
    if node.fromClause is None and all(isinstance(t.val, ast.A_Const) for t in targets):
        ctx.count("ignored_statements")  # e.g. SELECT 'Copying data...' progress messages
        return
    calls = [t.val for t in targets if isinstance(t.val, ast.FuncCall)]
    if node.fromClause is None and calls and len(calls) == len(targets):
        fnames = [names_of(c.funcname)[-1] for c in calls]
        if fnames == ["set_config"] and _const(calls[0], 0) == "search_path":
            set_search_path(ctx, _const(calls[0], 1) or "")
            return
        if all(f in ("setval", "set_config", "lo_create", "lo_open") for f in fnames):
            ctx.count("data_statements")
            return
    ctx.warn("unsupported", "SELECT statement not evaluated (if it creates objects, they are "
             "missing)")


def _const(call: Any, i: int) -> str | None:
    args = call.args or ()
    if len(args) > i and isinstance(args[i], ast.A_Const):
        return getattr(args[i].val, "sval", None)
    return None
