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

from modeler.importers import bounds
from modeler.importers.draft import DraftRaw
from modeler.importers.sql import collations, doblock
from modeler.importers.sql.context import Context
from modeler.importers.sql.deparse import names_of, quote_ident
from modeler.schema import updated_at
from modeler.schema.runtime_objects import ON_TABLES, describe, runtime_creation
from modeler.wording import counted, plural

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
    "AlterOpFamilyStmt": "operator family",  # ADD/DROP of members (pg_dump's loose ones)
}
_TRIGGER_BEFORE, _TRIGGER_UPDATE = 2, 16
# ALTER STATISTICS s SET STATISTICS n, as statistics_target keeps it
STATISTICS_TARGET = re.compile(r"ALTER STATISTICS (\S+) SET STATISTICS \d+;\Z")


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
        language = next((getattr(o.arg, "sval", "") for o in node.options or ()
                         if o.defname == "language"), "sql").lower()
        inputs = [p for p in node.parameters or () if p.mode not in (
            enums.FunctionParameterMode.FUNC_PARAM_OUT,
            enums.FunctionParameterMode.FUNC_PARAM_TABLE)]
        if not inputs and language in ("sql", "plpgsql"):
            ctx.no_arg_functions[(ns, name)] = (language, body)
        else:
            ctx.no_arg_functions.pop((ns, name), None)
    ctx.keep_raw("procedure" if node.is_procedure else "function", ns, name)


def trigger(ctx: Context, node: Any) -> None:
    """CREATE TRIGGER: updated_at maintenance is recognised and dropped, others kept."""
    rv = node.relation
    table = ctx.find_table(rv)
    ns = table.namespace if table else ctx.create_ns(rv.schemaname)
    if table is not None and _maintains_updated_at(ctx, node, table.columns):
        ctx.count("updated_at_triggers")
        return
    ctx.keep_raw_on(table.qname if table else (ns, rv.relname), "trigger", ns, node.trigname,
                    f"trigger {node.trigname} on {rv.relname} is not modelled; kept as SQL")


def _maintains_updated_at(ctx: Context, node: Any, columns: dict[str, Any]) -> bool:
    """Whether the trigger does just what the export's own does (see
    :mod:`modeler.schema.updated_at`): before every UPDATE of a row (no column list, no
    WHEN), a function that only sets ``NEW.updated_at`` to the time. One that does more is
    kept as SQL, and the export adds none of its own to that table."""
    if node.isconstraint or not node.row or "updated_at" not in columns:
        return False
    if not (node.timing & _TRIGGER_BEFORE) or node.events != _TRIGGER_UPDATE \
            or node.columns or node.whenClause is not None:
        return False
    fn_ns, fn_name = _qname(ctx, names_of(node.funcname))
    body = ctx.functions.get((fn_ns, fn_name))
    if body is None:
        body = next((b for (_, n), b in ctx.functions.items() if n == fn_name), None)
    return body is not None and updated_at.plain_body(body)


def rule(ctx: Context, node: Any) -> None:
    """CREATE RULE: kept as SQL."""
    on = ctx.table_qname(node.relation)
    ctx.keep_raw_on(on, "rule", on[0], node.rulename)


def policy(ctx: Context, node: Any) -> None:
    """CREATE POLICY: kept as SQL."""
    on = ctx.table_qname(node.table)
    ctx.keep_raw_on(on, "policy", on[0], node.policy_name)


def define(ctx: Context, node: Any) -> None:
    """CREATE COLLATION (modelled); AGGREGATE/OPERATOR/TEXT SEARCH...: kept as SQL."""
    if node.kind == O.OBJECT_COLLATION:
        collations.create_collation(ctx, node)
        return
    kind = _DEFINE_KINDS.get(node.kind, "other")
    ns, name = _qname(ctx, names_of(node.defnames))
    ctx.keep_raw(kind, ns, name)


def statistics(ctx: Context, node: Any) -> None:
    """CREATE STATISTICS: kept as SQL, on its table when that is modelled (a DROP TABLE
    takes it along, a DROP COLUMN of a column it reads too: storage.statistics_dropped)."""
    other(ctx, node)
    rel = node.relations[0] if node.relations else None
    table = ctx.find_table(rel) if isinstance(rel, ast.RangeVar) else None
    if table is not None:
        ctx.kept_on.append((ctx.draft.raws[-1], table.qname))


def statistics_target(ctx: Context, node: Any) -> None:
    """ALTER STATISTICS s SET STATISTICS n: kept as SQL after the statistics object it sets
    (kept as SQL itself), one per object, going with it; -1 (or DEFAULT) keeps none. An
    object not kept (not made by the script) is said to lose it."""
    target = getattr(node.stxstattarget, "ival", None)
    names = names_of(node.defnames)
    kept = [r for r in ctx.draft.raws if r.kind == "statistics" and r.name == names[-1]]
    ns = next((n for n in ctx.namespaces(names[-2] if len(names) > 1 else None)
               if any(r.namespace == n for r in kept)), None)
    made = [r for r in kept if r.namespace == ns]
    if not made:
        if isinstance(target, int) and target >= 0:
            ctx.warn("unsupported", f"ALTER STATISTICS {'.'.join(names)} SET STATISTICS "
                     f"{target}: no such statistics object is kept, its target is not")
        return
    gone = {id(r) for r in made if STATISTICS_TARGET.match(r.sql)}
    ctx.draft.raws = [r for r in ctx.draft.raws if id(r) not in gone]
    ctx.kept_on = [(raw, rel) for raw, rel in ctx.kept_on if id(raw) not in gone]
    if not isinstance(target, int) or target < 0:
        return
    on = next((rel for raw, rel in ctx.kept_on if raw is made[0]), None)
    sql = f"ALTER STATISTICS {quote_ident(ns or '')}.{quote_ident(names[-1])} " \
          f"SET STATISTICS {target};"
    ctx.draft.add_raw("statistics", ns or "", names[-1], sql, ctx.path_setting)
    if on is not None:
        ctx.kept_on.append((ctx.draft.raws[-1], on))
    ctx.warn("raw-object", f"the statistics target of statistics {ns}.{names[-1]} is not "
             "modelled; kept as SQL")


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
    name, ns = "", ctx.default_ns
    # the object's own name first: an operator class or family also names its access
    # method (amname), which is CREATE ACCESS METHOD's own name
    for attr in ("opclassname", "opfamilyname", "conversion_name", "trigname", "plname",
                 "amname", "servername", "fdwname", "pubname", "subname", "cfgname",
                 "dictname", "collname", "typeName", "func", "defnames"):
        value = getattr(node, attr, None)
        if isinstance(value, str):
            name = str(value)
            break
        if isinstance(value, list | tuple) and value and all(isinstance(v, ast.String)
                                                              for v in value):
            # a qualified name (schema.name): its schema, as the drop must name it
            ns, name = _qname(ctx, [str(v.sval) for v in value])
            break
        if isinstance(value, ast.ObjectWithArgs):
            name = names_of(value.objname)[-1]
            break
    ctx.keep_raw(kind, ns, name)


def _main_block(body: str) -> str | None:
    """The statements of a PL/pgSQL block's main path (between its BEGIN and its
    EXCEPTION or END), or None when the body is not one plain block."""
    try:
        tokens = parser.scan(body)
    except (parser.ParseError, bounds.NestedTooDeeply):
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


# A DO block's EXECUTE of a constant (``EXECUTE 'sql'``), or of FORMAT with the current
# database as its one argument (Evergreen: ``EXECUTE FORMAT('ALTER DATABASE %I SET
# search_path = ...', current_database())``): the statement is read as if written out.
_EXECUTE_CONST = re.compile(
    r"EXECUTE\s+(?:(FORMAT)\s*\(\s*)?'((?:[^']|'')*)'(?(1)\s*,\s*(?:pg_catalog\s*\.\s*)?"
    r"current_database\s*\(\s*\)\s*\))\s*;?", re.IGNORECASE)


def _block_statements(main: str) -> list[tuple[str, Any]] | None:
    """The statements of a block's main path that the import follows: plain CREATE FUNCTION,
    SET search_path and ALTER DATABASE ... SET search_path (written out, or run by an
    EXECUTE of a constant); None when there is anything else (PERFORM, loops, dynamic SQL,
    other statements): the block is then kept whole."""
    out: list[tuple[str, Any]] = []
    for part in parser.split(main, with_parser=False):
        piece = str(part)
        executed = _EXECUTE_CONST.fullmatch(piece.strip())
        text = piece
        if executed is not None:
            text = executed.group(2).replace("''", "'")
            if executed.group(1):  # FORMAT: %I is the database, %% a percent sign
                if "%" in text.replace("%I", "").replace("%%", ""):
                    return None
                text = text.replace("%I", "current_database").replace("%%", "%")
        try:
            parsed = bounds.parse_sql(text)
        except (parser.ParseError, bounds.NestedTooDeeply):
            return None
        for raw in parsed:
            stmt = raw.stmt
            written = executed is None and (
                isinstance(stmt, ast.CreateFunctionStmt)
                or (isinstance(stmt, ast.VariableSetStmt) and stmt.name == "search_path"))
            if not written and not (isinstance(stmt, ast.AlterDatabaseSetStmt)
                                    and stmt.setstmt is not None
                                    and stmt.setstmt.name == "search_path"):
                return None
            out.append((piece, stmt))
    return out


def do_block(ctx: Context, node: Any) -> None:
    """DO: a PL/pgSQL block whose main path only creates functions with plain CREATE
    FUNCTION statements (MusicBrainz creates one that way, with a fallback in its EXCEPTION
    clause) and sets search_path (Evergreen sets the session's and, through EXECUTE, the
    database's) is followed statement by statement, as if they had been written outside the
    block. Any other block (loops, dynamic SQL, PERFORM...) is kept as SQL and replayed
    verbatim in its place by the export (what it creates is not modelled)."""
    opts = {o.defname: o.arg for o in node.args or ()}
    language = getattr(opts.get("language"), "sval", "plpgsql")
    body = getattr(opts.get("as"), "sval", None)
    main = _main_block(body) if body is not None and language == "plpgsql" else None
    followed = _block_statements(main) if main else None
    if not followed:
        _follow_or_keep(ctx, body if language == "plpgsql" else None)
        return
    found, paths = 0, []
    stmt = ctx.stmt
    for piece, parsed in followed:
        ctx.stmt = type(stmt)(stmt.file, stmt.line, piece.strip().rstrip(";"), piece)
        if isinstance(parsed, ast.CreateFunctionStmt):
            function(ctx, parsed)
            found += 1
        elif isinstance(parsed, ast.AlterDatabaseSetStmt):
            alter_database_set(ctx, parsed)
            paths.append("the database's")
        else:
            set_variable(ctx, parsed)
            paths.append("the session's")
    ctx.stmt = stmt
    done = [f"the {counted(found, 'function')} its main path creates "
            f"{plural(found, 'is', 'are')} kept as SQL"] if found else []
    if paths:
        done.append(f"it sets {' and '.join(dict.fromkeys(paths))} search_path, which the "
                    "import follows")
    ctx.warn("approximation", "DO block not replayed: " + "; ".join(done))


def _follow_or_keep(ctx: Context, body: str | None) -> None:
    """Follow a PL/pgSQL block (:mod:`~modeler.importers.sql.doblock`), skip it when it only
    changes data, else keep it as SQL, replayed verbatim in its place, saying why."""
    from modeler.importers.sql.script import handle  # script imports this module

    why = "it is not PL/pgSQL"
    if body is not None:
        try:
            ddl, data = doblock.follow(ctx, body, handle)
        except doblock.NotFollowed as exc:
            why = str(exc)
        else:
            if ddl:
                ctx.warn("approximation", "DO block followed: its "
                         f"{counted(ddl, 'DDL statement')} {plural(ddl, 'was', 'were')} "
                         "applied as if written outside it (IF conditions on the "
                         "catalog decided on the design so far, exception handlers not "
                         f"taken), {counted(data, 'data statement')} skipped")
            else:
                ctx.count("data_statements")
            return
    ctx.keep_raw("do block", ctx.default_ns, "", "DO block kept as SQL: the export replays "
                 "it verbatim in its place, under this search_path (what it creates is not "
                 f"modelled); the import cannot follow it: {why}")
    ctx.replayed_at = f"{ctx.stmt.file}:{ctx.stmt.line}"


def _path_names(node: Any) -> list[str] | None:
    """The schemas a SET search_path statement names, exactly; None for RESET/DEFAULT."""
    if node.kind != enums.VariableSetKind.VAR_SET_VALUE:
        return None
    return [getattr(getattr(a, "val", None), "sval", None) or "" for a in node.args or ()]


_PLACES = frozenset({"default_tablespace", "default_table_access_method"})


def cluster(ctx: Context, node: Any) -> None:
    """CLUSTER t USING i marks the index the table is clustered on: not kept, said (CLUSTER
    alone only orders the rows again)."""
    if node.indexname:
        ctx.warn("unsupported", f"CLUSTER {node.relation.relname} USING {node.indexname}: "
                 "the index the table is clustered on is not kept")
    else:
        ctx.count("ignored_statements")


def set_variable(ctx: Context, node: Any) -> None:
    """SET: search_path is followed (each value is one schema, as PostgreSQL reads it), the
    rest ignored."""
    if node.name in _PLACES:  # where and how the tables that follow are stored
        value = next((str(getattr(a.val, "sval", "")) for a in node.args or ()
                      if isinstance(a, ast.A_Const)), "")
        if value not in ("", "pg_default", "heap"):
            ctx.warn("unsupported", f"SET {node.name} = {value}: not kept (the tables and "
                     "indexes made after it are not placed or stored so by the export)")
    if node.name != "search_path":
        ctx.count("ignored_statements")
        return
    names = _path_names(node)
    if names is None:
        ctx.reset_path()
    else:
        ctx.set_path(names)


def alter_database_set(ctx: Context, node: Any) -> None:
    """ALTER DATABASE ... SET search_path: the path new sessions start with (see
    :meth:`Context.new_session`); other settings are ignored."""
    setstmt = node.setstmt
    if setstmt is None or setstmt.name != "search_path":
        ctx.count("ignored_statements")
        return
    names = _path_names(setstmt)
    if names is None:
        ctx.database_path = None
        return
    session = (ctx.path_setting, ctx.search_path)
    ctx.set_path(names)
    ctx.database_path = (ctx.path_setting, ctx.search_path,
                         f"{ctx.stmt.file}:{ctx.stmt.line}")
    ctx.path_setting, ctx.search_path = session


def set_search_path(ctx: Context, value: str) -> None:
    """A search_path value as set_config takes it (``"$user", public``): a comma-separated
    list of names, unquoted ones folded to lower case."""
    path = []
    for item in value.split(","):
        name = item.strip()
        if name.startswith('"') and name.endswith('"') and len(name) > 1:
            name = name[1:-1].replace('""', '"')
        else:
            name = name.lower()
        if name:
            path.append(name)
    ctx.set_path(path)


def select(ctx: Context, node: Any) -> None:
    """SELECT: set_config('search_path') is followed, setval skipped; a SELECT of function
    calls alone (no FROM, WHERE...) calling a function the script defines is kept as SQL and
    replayed in its place (Evergreen's ``SELECT auditor.create_auditor('actor', 'usr')``
    creates a history table, its trigger and view); others are warned."""
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
        defined = next(filter(None, (_script_function(ctx, c) for c in calls)), None)
        if defined is not None and _calls_only(node) and len(calls) == 1 and _follow_call(
                ctx, defined, calls[0]):
            return
        if defined is not None and _calls_only(node):
            ns, name = defined
            ctx.keep_raw("function call", ns, name, f"SELECT {ns}.{name}(...) calls a "
                         "function of the script (it may create objects): kept as SQL, the "
                         "export replays it verbatim in its place, after the tables"
                         + _runtime_objects(ctx, ns, name))
            ctx.replayed_at = f"{ctx.stmt.file}:{ctx.stmt.line}"
            return
    ctx.warn("unsupported", "SELECT statement not evaluated (if it creates objects, they are "
             "missing)")


def _follow_call(ctx: Context, defined: tuple[str, str], call: Any) -> bool:
    """A call without arguments of a function of the script that has no parameters
    (ulogd2's ``SELECT ULOG2_ADD_FOREIGN_KEYS()``, whose LANGUAGE sql body adds the foreign
    keys) is followed as a DO block is: the DDL of its body applied in its place, as if written
    there. False (nothing applied) when the function is another kind or cannot be followed:
    the caller then keeps the call as SQL."""
    from modeler.importers.sql.script import handle  # script imports this module

    found = ctx.no_arg_functions.get(defined)
    if found is None or call.args or call.agg_star or call.func_variadic:
        return False
    language, body = found
    if language == "sql":  # its statements, as the main path of a block
        try:
            parts = [str(p).strip().rstrip(";") for p in parser.split(body, with_parser=False)]
            parsed = [raw.stmt for p in parts for raw in bounds.parse_sql(p)]
        except (parser.ParseError, bounds.NestedTooDeeply):
            return False
        if not parsed or any(isinstance(p, ast.SelectStmt) for p in parsed):
            return False  # a SELECT may call anything (and returns the function's value)
        body = "BEGIN\n" + "".join(f"{p};\n" for p in parts if p) + "END"
    try:
        ddl, data = doblock.follow(ctx, body, handle)
    except doblock.NotFollowed:
        return False
    if not ddl:
        return False
    ns, name = defined
    how = "" if language == "sql" else (" (IF conditions on the catalog decided on the "
                                        "design so far, exception handlers not taken)")
    ctx.warn("approximation", f"SELECT {ns}.{name}() followed: the "
             f"{counted(ddl, 'DDL statement')} "
             f"of its body {plural(ddl, 'was', 'were')} applied as if written here{how}, "
             f"{counted(data, 'data statement')} "
             "skipped; the function itself is kept as SQL")
    return True


def _runtime_objects(ctx: Context, ns: str, name: str) -> str:
    """What a kept call of ``ns.name`` creates when it runs (the script's functions ``EXECUTE
    'CREATE TABLE auditor.' || ...``) and what the export does about it, for its warning;
    "" when it creates nothing the design could miss."""
    found = runtime_creation(DraftRaw("function call", ns, name, "", ctx.path_setting),
                             ctx.draft.raws)
    if found is None:
        return ""
    parts = [f". It creates {describe(found)} when it runs, which the design does not model"]
    where = ", ".join(found.namespaces)
    if where and "table" in found.kinds:
        parts.append(f"alembic check leaves the tables of {where} that the models do not "
                     "declare alone")
    if where:
        parts.append(f"the downgrade that drops the call drops (CASCADE) whatever {where} "
                     "then holds beyond the design, objects made there by hand included")
    if set(found.kinds) & ON_TABLES:
        parts.append("it drops the rules, triggers and indexes on the design's tables that "
                     "the design does not declare")
    if not found.readable:
        parts.append("what goes to a schema named at run time is not dropped (by hand)")
    return "; ".join(parts)


def _calls_only(node: Any) -> bool:
    return all(getattr(node, attr, None) is None for attr in (
        "whereClause", "groupClause", "havingClause", "windowClause", "valuesLists",
        "sortClause", "limitCount", "limitOffset", "lockingClause", "withClause",
        "intoClause", "distinctClause", "larg"))


def _script_function(ctx: Context, call: Any) -> tuple[str, str] | None:
    """(namespace, name) of the function kept as SQL that a call names, following
    search_path as PostgreSQL would; None for a function the script does not define."""
    names = names_of(call.funcname)
    defined = {(r.namespace, r.name) for r in ctx.draft.raws
               if r.kind in ("function", "procedure")}
    for ns in ctx.namespaces(names[-2] if len(names) > 1 else None):
        if (ns, names[-1]) in defined:
            return ns, names[-1]
    return None


def _const(call: Any, i: int) -> str | None:
    args = call.args or ()
    if len(args) > i and isinstance(args[i], ast.A_Const):
        return getattr(args[i].val, "sval", None)
    return None
