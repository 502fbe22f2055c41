"""Run a psql script statement by statement into a draft.

The pre-passed text is split into statements with PostgreSQL's own scanner (pglast), data
statements (INSERT, COPY...) are skipped without being parsed, and every other statement is
parsed by PostgreSQL's parser and handed to its handler. A statement that does not parse
stops the import with :class:`~modeler.importers.result.SchemaImportError` naming the file,
line and statement; a statement that parses but is not modelled becomes a warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from pglast import enums, parser

from modeler.importers import bounds
from modeler.importers.result import SchemaImportError
from modeler.importers.sql import alter, misc, objects, rawstmts, setschema, tables
from modeler.importers.sql.arraycast import keep_array_coercions
from modeler.importers.sql.context import Context, LineIndex, Statement
from modeler.importers.sql.deparse import expr_sql, quote_ident, strip_leading
from modeler.importers.sql.prepass import detect_dialect, prepass, refusal_message

Handler = Callable[[Context, Any], None]
_SKIP_UNPARSED = re.compile(r"(INSERT|COPY|UPDATE|DELETE|TRUNCATE|GRANT|REVOKE|VACUUM|ANALYZE)"
                            r"\b", re.IGNORECASE)
_NOISE = re.compile(r"--[^\n]*|/\*.*?\*/|;", re.DOTALL)
_LEAD = re.compile(r"(?:\s+|--[^\n]*|/\*.*?\*/|;)*", re.DOTALL)
_BEGIN_ATOMIC = re.compile(r"\bBEGIN\s+ATOMIC\b", re.IGNORECASE)
_DATA = frozenset({"InsertStmt", "UpdateStmt", "DeleteStmt", "CopyStmt", "TruncateStmt",
                   "MergeStmt"})
_IGNORED = frozenset({
    "TransactionStmt", "CreatedbStmt", "DropdbStmt", "AlterDatabaseStmt",
    "AlterDatabaseRefreshCollStmt", "CreateRoleStmt", "AlterRoleStmt",
    "AlterRoleSetStmt", "DropRoleStmt", "GrantStmt", "GrantRoleStmt", "AlterOwnerStmt",
    "AlterDefaultPrivilegesStmt", "CreateTableSpaceStmt", "DropTableSpaceStmt",
    "ReassignOwnedStmt", "DropOwnedStmt", "VacuumStmt", "RefreshMatViewStmt",
    "ReindexStmt", "LockStmt", "NotifyStmt", "ListenStmt", "UnlistenStmt", "CheckPointStmt",
    "DiscardStmt", "LoadStmt", "VariableShowStmt", "ExplainStmt", "AlterExtensionStmt",
    "AlterExtensionContentsStmt", "AlterSystemStmt", "ConstraintsSetStmt",
    "AlterObjectDependsStmt", "DeallocateStmt", "ClosePortalStmt", "FetchStmt",
    "DeclareCursorStmt", "AlterTableSpaceOptionsStmt",
})
_UNSUPPORTED = {
    "CallStmt": "CALL not evaluated (objects it would create are missing)",
    "ExecuteStmt": "EXECUTE not evaluated", "PrepareStmt": "PREPARE not evaluated",
    "ImportForeignSchemaStmt": "IMPORT FOREIGN SCHEMA not evaluated",
    "SecLabelStmt": "SECURITY LABEL is not kept (security labels are not modelled)",
}


def _create_schema(ctx: Context, node: Any) -> None:
    """CREATE SCHEMA, and the objects it creates (``CREATE SCHEMA s CREATE VIEW v ...``):
    each element is handled as a statement of its own, schema-qualified, so that an element
    kept as SQL (a view) replays alone in the schema the export creates."""
    ctx.count("schemas")
    if node.schemaname:
        ctx.schemas_made.add(node.schemaname)
    if node.schemaElts:
        saved, stmt, setting = ctx.search_path, ctx.stmt, ctx.path_setting
        schema = node.schemaname or ctx.default_ns
        ctx.search_path = [schema]
        # PostgreSQL puts the new schema in front of search_path for the elements
        ctx.path_setting = ", ".join(filter(None, (quote_ident(schema), setting)))
        try:
            for elt in node.schemaElts:
                for attr in ("view", "relation", "sequence"):
                    rv = getattr(elt, attr, None)
                    if rv is not None and not rv.schemaname:
                        rv.schemaname = schema
                sql = expr_sql(elt)  # PostgreSQL's deparser, casts as x::t
                ctx.stmt = Statement(stmt.file, stmt.line, sql, stmt.src)  # AST locations
                handle(ctx, elt)
        finally:
            ctx.search_path, ctx.stmt, ctx.path_setting = saved, stmt, setting


HANDLERS: dict[str, Handler] = {
    "CreateStmt": tables.create_table, "CreateSchemaStmt": _create_schema,
    "CreateEnumStmt": objects.create_enum, "AlterEnumStmt": objects.alter_enum,
    "CreateDomainStmt": objects.create_domain, "AlterDomainStmt": objects.alter_domain,
    "CreateSeqStmt": objects.create_sequence, "AlterSeqStmt": objects.alter_sequence,
    "CreateExtensionStmt": objects.create_extension, "IndexStmt": objects.create_index,
    "AlterTableStmt": alter.alter_table, "CommentStmt": misc.comment, "DropStmt": misc.drop,
    "RenameStmt": misc.rename, "ViewStmt": rawstmts.view,
    "AlterObjectSchemaStmt": setschema.set_schema,
    "CreateTableAsStmt": rawstmts.create_table_as, "CreateFunctionStmt": rawstmts.function,
    "CreateTrigStmt": rawstmts.trigger, "RuleStmt": rawstmts.rule,
    "CreatePolicyStmt": rawstmts.policy, "DefineStmt": rawstmts.define,
    "CompositeTypeStmt": rawstmts.composite_type,
    "CreateForeignTableStmt": rawstmts.foreign_table,
    "VariableSetStmt": rawstmts.set_variable, "SelectStmt": rawstmts.select,
    "AlterDatabaseSetStmt": rawstmts.alter_database_set,
    "DoStmt": rawstmts.do_block,
    "AlterStatsStmt": rawstmts.statistics_target, "ClusterStmt": rawstmts.cluster,
    **dict.fromkeys(rawstmts.OTHER_KINDS, rawstmts.other),
    "CreateStatsStmt": rawstmts.statistics,
}


def handle(ctx: Context, node: Any) -> None:
    """Dispatch one parsed statement; unexpected shapes become warnings, never crashes."""
    name = type(node).__name__
    if name in _DATA:
        ctx.count("data_statements")
        return
    if name in _IGNORED:
        ctx.count("ignored_statements")
        if name == "TransactionStmt":
            _transaction(ctx, node)
        return
    handler = HANDLERS.get(name)
    if handler is None:
        ctx.warn("unsupported", _UNSUPPORTED.get(name) or f"{name} is not modelled; skipped")
        return
    try:
        with bounds.room():
            handler(ctx, node)
    except bounds.NestedTooDeeply as exc:
        ctx.warn("error", f"statement not (fully) imported: {exc}")
    except Exception as exc:  # a statement shape we did not foresee must not abort
        ctx.warn("error", f"statement could not be imported ({type(exc).__name__}: {exc})")


def _slices(text: str, file: str, lines: LineIndex) -> list[slice]:
    """Statement slices from the scanner, plus any text between them that is not blank or
    a comment (the scanner silently drops some non-SQL text; the parser must see it)."""
    nul = text.find("\x00")
    if nul >= 0:
        raise SchemaImportError("the file contains NUL bytes: not a SQL script",
                                file, lines.line(nul))
    try:
        found: Any = parser.split(text, with_parser=False, only_slices=True)
    except parser.ParseError as exc:
        loc = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else 0
        raise SchemaImportError(f"cannot read the script: {exc.args[0]}", file,
                                lines.line(loc), text[max(0, loc - 200): loc + 200]) from None
    out: list[slice] = []
    pos = 0
    for sl in [*found, slice(len(text), len(text))]:
        gap = text[pos:sl.start]
        if _NOISE.sub("", gap).strip():
            lead = _LEAD.match(gap)
            out.append(slice(pos + (lead.end() if lead else 0), sl.start))
        if sl.start < sl.stop:
            out.append(sl)
        pos = max(pos, sl.stop)
    return out


def _syntax_error(exc: Exception, file: str, text: str, start: int, stmt: str,
                  lines: LineIndex) -> SchemaImportError:
    loc = exc.args[1] if len(exc.args) > 1 and isinstance(exc.args[1], int) else 0
    message = f"syntax error: {bounds.parse_message(str(exc.args[0]))}"
    dialect = detect_dialect(stmt) or detect_dialect(text)
    if dialect:
        message = f"{message}; {dialect}"
    elif 'near ":"' in str(exc.args[0]):
        message += " (a psql variable that is not set? pass it in variables=, like psql -v)"
    body, cut = strip_leading(stmt)
    line = lines.line(start + max(loc, cut))
    return SchemaImportError(message, file, line, body[:2000])


def _transaction(ctx: Context, node: Any) -> None:
    """BEGIN ... COMMIT is followed only to say where what the import keeps is not what psql
    leaves: a ROLLBACK undoes the statements since BEGIN, and so does the end of a file that
    never commits (MediaWiki's tables.sql BEGINs and never COMMITs: its installer commits)."""
    kind = enums.TransactionStmtKind
    if node.kind in (kind.TRANS_STMT_BEGIN, kind.TRANS_STMT_START):
        if ctx.open_transaction is None:
            ctx.open_transaction = (ctx.stmt.file, ctx.stmt.line or 0)
    elif node.kind in (kind.TRANS_STMT_COMMIT, kind.TRANS_STMT_PREPARE):
        ctx.open_transaction = None
    elif node.kind == kind.TRANS_STMT_ROLLBACK:
        if ctx.open_transaction is not None:
            ctx.warn("approximation", "ROLLBACK undoes what the statements since BEGIN at "
                     f"line {ctx.open_transaction[1]} did; the import keeps their objects")
        ctx.open_transaction = None


def _unended_transaction(ctx: Context, file: str) -> None:
    if ctx.open_transaction is not None and ctx.open_transaction[0] == file:
        ctx.draft.warn(file, ctx.open_transaction[1], "approximation", "this BEGIN is never "
                       "committed: psql rolls the statements after it back when the file ends; "
                       "the import keeps their objects (as an installer that commits would)")
    ctx.open_transaction = None


def run_file(ctx: Context, file: str, text: str, variables: dict[str, str], *,
             progress: Callable[[int, int], None] | None = None) -> None:
    """Import one file of a script into ``ctx`` (statements run in file order).
    ``progress(position, length)`` hears where each statement starts in the pre-passed
    text (of ``length`` characters)."""
    pre = prepass(bounds.checked_text(file, text), variables)
    if pre.refused is not None:
        lineno, cmd = pre.refused
        raw_lines = text.split("\n")
        raise SchemaImportError(refusal_message(cmd), file, lineno,
                                raw_lines[lineno - 1].strip() if lineno <= len(raw_lines)
                                else None)
    text = pre.text
    lines = LineIndex(text)
    for lineno, note in pre.notes:
        ctx.draft.warn(file, lineno, "ignored", note)
    ctx.draft.counts["data_statements"] += pre.data_blocks
    slices = _slices(text, file, lines)
    i = 0
    while i < len(slices):
        sl = slices[i]
        i += 1
        if progress is not None:
            progress(sl.start, len(text))
        src = text[sl]
        body = strip_leading(src)[0]
        if not body:
            continue
        if _SKIP_UNPARSED.match(body):
            ctx.count("data_statements" if body[0] in "ICUDTicudt" else "ignored_statements")
            continue
        try:
            parsed = bounds.parse_sql(src)
        except bounds.NestedTooDeeply as exc:
            raise SchemaImportError(str(exc), file, lines.line(sl.start),
                                    strip_leading(src)[0][:2000]) from None
        except parser.ParseError as exc:
            merged = _merge_atomic(text, slices, i - 1) if _BEGIN_ATOMIC.search(src) else None
            if merged is None:
                raise _syntax_error(exc, file, text, sl.start, src, lines) from None
            (src, parsed), i = merged[0], merged[1]
        for raw in parsed:
            _run_one(ctx, file, src, sl.start, raw, lines)
    _unended_transaction(ctx, file)


def _run_one(ctx: Context, file: str, src: str, base: int, raw: Any, lines: LineIndex) -> None:
    loc = raw.stmt_location or 0
    end = loc + raw.stmt_len if raw.stmt_len else len(src)
    body, cut = strip_leading(src[loc:end])
    if not body:
        return
    ctx.stmt = Statement(file, lines.line(base + loc + cut), body, src)
    ctx.count("statements")
    handle(ctx, raw.stmt)


def _merge_atomic(text: str, slices: list[slice], i: int) -> tuple[tuple[str, Any], int] | None:
    """Re-join statements split inside a ``BEGIN ATOMIC ... END`` body (SQL functions)."""
    for j in range(i + 1, min(len(slices), i + 200)):
        src = text[slices[i].start: slices[j].stop]
        try:
            return (src, bounds.parse_sql(src)), j + 1
        except parser.ParseError:
            continue
        except bounds.NestedTooDeeply:  # too long: joining more makes it longer still
            return None
    return None


def run_statement(ctx: Context, file: str, sql: str, shown: str | None = None) -> None:
    """Parse and handle one generated statement (the live importer's path; no line numbers).
    ``shown``: the statement as warnings and kept SQL show it, when ``sql`` is a shorter
    form of it (the live importer's CREATE TABLE without its columns)."""
    try:
        parsed = bounds.parse_sql(sql)
    except (parser.ParseError, bounds.NestedTooDeeply) as exc:
        ctx.stmt = Statement(file, None, shown or sql, sql)
        ctx.warn("error", f"generated statement did not parse: {exc.args[0]}")
        return
    for raw in parsed:
        ctx.stmt = Statement(file, None, strip_leading(shown or sql)[0], sql)
        ctx.count("statements")
        keep_array_coercions(raw.stmt, sql)  # catalog text: see arraycast
        handle(ctx, raw.stmt)
