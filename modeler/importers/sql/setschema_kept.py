"""ALTER TABLE / VIEW / MATERIALIZED VIEW / FUNCTION / PROCEDURE ... SET SCHEMA of an object
kept as SQL: it moves, as PostgreSQL moves it, and the kept SQL naming it follows (a view
over the view, a trigger calling the function: PostgreSQL keeps them parsed, by the
object's oid). Function bodies are left as written, as PostgreSQL leaves them."""

from __future__ import annotations

from typing import Any

from pglast import ast, enums, parser

from modeler.importers import bounds
from modeler.importers.draft import DraftRaw
from modeler.importers.sql.context import Context
from modeler.importers.sql.deparse import names_of
from modeler.schema import kept_renames, sqlexpr
from modeler.schema.sqlprint import walk

O = enums.ObjectType  # noqa: E741
_PREFIX = "SELECT "
_RELATIONS = {O.OBJECT_VIEW: ("view",), O.OBJECT_MATVIEW: ("materialized view",),
              O.OBJECT_TABLE: ("view",)}  # ALTER TABLE takes a view too
_ROUTINE_KINDS = ("function", "procedure", "aggregate")
_ROUTINES = {O.OBJECT_FUNCTION: ("function",), O.OBJECT_PROCEDURE: ("procedure",),
             O.OBJECT_ROUTINE: ("function", "procedure")}


def move_kept(ctx: Context, node: Any, new: str) -> bool:
    """Move the kept view or routine ``node`` (an AlterObjectSchemaStmt) names to ``new``;
    False when it names none."""
    ot = node.objectType
    if ot in _RELATIONS and node.relation is not None:
        return _move_relation(ctx, _RELATIONS[ot], node.relation, new)
    if ot in _ROUTINES and node.object is not None:
        return _move_routine(ctx, _ROUTINES[ot], node.object, new)
    return False


def _move_relation(ctx: Context, kinds: tuple[str, ...], rv: Any, new: str) -> bool:
    d = ctx.draft
    name = rv.relname
    ns = next((n for n in ctx.namespaces(rv.schemaname)
               if any(r.kind in kinds and (r.namespace, r.name) == (n, name) for r in d.raws)),
              None)
    if ns is None:
        return False
    old = (ns, name)
    if ns == new:
        return True
    mine = [r for r in d.raws if r.kind in kinds and (r.namespace, r.name) == old]
    for raw in mine:
        _own_name(raw, new)
    kind = ctx.raw_relations.pop(old, None)
    if kind is not None:
        ctx.raw_relations[(new, name)] = kind
    d.release_rel(ns, name)
    d.claim_rel(new, name)
    ctx.kept_on = [(raw, (new, name) if rel == old else rel) for raw, rel in ctx.kept_on]
    from modeler.importers.sql.setschema import kept_sql_follows  # it imports this module

    kept_sql_follows(ctx, old, (new, name))
    for raw in mine:  # kept_sql_follows reads the moved statements too: their own place
        raw.namespace = new
    return True


def _move_routine(ctx: Context, kinds: tuple[str, ...], obj: Any, new: str) -> bool:
    d = ctx.draft
    names = names_of(obj.objname)
    name = names[-1]
    wanted = None if obj.args_unspecified or obj.objargs is None else \
        tuple(_type_key(a) for a in obj.objargs)
    ns = next((n for n in ctx.namespaces(names[-2] if len(names) > 1 else None)
               if any(r.kind in kinds and (r.namespace, r.name) == (n, name) for r in d.raws)),
              None)
    if ns is None:
        return False
    mine = [r for r in d.raws if r.kind in kinds and (r.namespace, r.name) == (ns, name)
            and (wanted is None or _input_types(r.sql) in (None, wanted))]
    if not mine:
        return False
    if ns == new:
        return True
    # an unqualified call found it: the script's search_path has its namespace first of
    # those holding a kept routine of its name (as it had, presumably, where it was written)
    found = next((n for n in ctx.search_path or ["public"]
                  if any(r.kind in _ROUTINE_KINDS and (r.namespace, r.name) == (n, name)
                         for r in d.raws)), None)
    for raw in mine:
        _own_name(raw, new)
        raw.namespace = new
    overloads = any(r.kind in kinds and (r.namespace, r.name) == (ns, name) for r in d.raws)
    if not overloads:  # calls name it anew (with an overload left there, they may be its)
        for raw in d.raws:
            if raw.kind in kept_renames.FOLLOWING_KINDS:
                _calls_follow(raw, (ns, name), new)
        _expressions_follow(ctx, (ns, name), new, unqualified=found == ns)
    return True


def _expressions_follow(ctx: Context, old: tuple[str, str], new: str, *,
                        unqualified: bool = False) -> None:
    """The design's expressions (CHECKs, defaults, generated columns, index expressions and
    predicates; domains' CHECKs and defaults) calling routine ``old`` by its qualified name
    (``unqualified``: or by its name alone, which the search_path found in ``old``'s
    namespace) call it in ``new``, as PostgreSQL, which keeps them parsed, prints them
    then."""
    def moved(text: str | None) -> str | None:
        if text is None or old[1].lower() not in text.lower():
            return text
        try:
            node = bounds.parse_sql(_PREFIX + text)[0].stmt.targetList[0].val
        except (parser.ParseError, bounds.NestedTooDeeply):
            return text
        hit = False
        for n in walk(node):
            called = [f.sval for f in n.funcname or () if isinstance(f, ast.String)] \
                if isinstance(n, ast.FuncCall) else []
            if called == [*old] or (unqualified and called == [old[1]]):
                n.funcname = (_string(new), _string(old[1]))
                hit = True
        return sqlexpr._printed(node) if hit else text

    for domain in ctx.draft.domains.values():
        domain.default = moved(domain.default)
        domain.checks = [(label, moved(text) or text) for label, text in domain.checks]

    for table in ctx.draft.tables.values():
        for check in table.checks:
            check.expression = moved(check.expression) or check.expression
        for column in table.columns.values():
            column.default, column.generated = moved(column.default), moved(column.generated)
        for index in table.indexes:
            index.where = moved(index.where)
            for part in index.parts:
                part.expression = moved(part.expression)


def _parsed(sql: str) -> Any | None:
    try:
        return bounds.parse_sql(sql)
    except (parser.ParseError, bounds.NestedTooDeeply):
        return None


def _printed(raw: DraftRaw, statements: Any) -> None:
    """``statements`` (changed in place) printed back into ``raw`` (left as written when
    pglast cannot print them)."""
    sql = kept_renames._printed_back(raw.sql, statements)
    if sql is not None:
        raw.sql = sql


def _own_name(raw: DraftRaw, new: str) -> None:
    """``raw``'s CREATE names what it makes in ``new``."""
    statements = _parsed(raw.sql)
    if statements is None or len(statements) != 1:
        return
    stmt = statements[0].stmt
    if isinstance(stmt, ast.ViewStmt):
        stmt.view.schemaname = new
    elif isinstance(stmt, ast.CreateTableAsStmt) and stmt.into is not None:
        stmt.into.rel.schemaname = new
    elif isinstance(stmt, ast.CreateFunctionStmt):
        stmt.funcname = (_string(new), stmt.funcname[-1])
    else:
        return
    _printed(raw, statements)


def _calls_follow(raw: DraftRaw, old: tuple[str, str], new: str) -> None:
    """The calls of routine ``old`` in ``raw`` (a view's, a policy's expressions, a
    trigger's EXECUTE FUNCTION) name it in ``new``: those qualified, and those unqualified
    where ``raw``'s search_path finds it first in its old namespace."""
    if old[1].lower() not in raw.sql.lower():
        return
    statements = _parsed(raw.sql)
    if statements is None:
        return
    path = kept_renames.path_of(raw.search_path)
    hit = False
    for s in statements:
        for node in walk(s.stmt):
            if isinstance(node, ast.FuncCall | ast.CreateTrigStmt):
                called = [f.sval for f in node.funcname or () if isinstance(f, ast.String)]
                if called == [*old] or (called == [old[1]] and path[:1] == [old[0]]):
                    node.funcname = (_string(new), _string(old[1]))
                    hit = True
    if hit:
        _printed(raw, statements)


def _type_key(node: Any) -> tuple[str, int]:
    return str(node.names[-1].sval).lower(), len(node.arrayBounds or ())


def _input_types(sql: str) -> tuple[tuple[str, int], ...] | None:
    statements = _parsed(sql)
    node = statements[0].stmt if statements is not None and len(statements) == 1 else None
    if not isinstance(node, ast.CreateFunctionStmt):
        return None
    return tuple(_type_key(p.argType) for p in node.parameters or ()
                 if str(getattr(p.mode, "value", p.mode)) not in ("o", "t"))


def _string(value: str) -> Any:
    return ast.String(sval=value)  # type: ignore[no-untyped-call]  # pglast is untyped
