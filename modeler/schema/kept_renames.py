"""A table renamed (or moved to another schema) in the design is renamed in the SQL the
design keeps that names it as a relation: views, materialized views, rules, policies,
triggers, indexes, extended statistics, row level security switches and ALTER TABLE
statements kept from an import.

PostgreSQL does the same for these objects (it keeps them parsed, so a renamed table is
renamed in them), and the migration's ``ALTER TABLE ... RENAME`` leaves them right; but the
design's text kept naming the old table, so every place that builds from the text alone
(``schema.sql``, ``create_all``, DESIGN.md, a new project from the export) made a view of a
table that no longer exists. Function bodies are left as written, as PostgreSQL leaves them.
A statement naming a common table expression of the renamed name, or that the parser cannot
read or print back, is left as it is."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from pglast import ast, parse_sql
from pglast.parser import ParseError

from modeler.schema import model as m
from modeler.schema.sqlprint import SqlStream, walk

FOLLOWING_KINDS = frozenset({"view", "materialized view", "rule", "policy", "trigger",
                             "index", "statistics", "alter table", "row security"})
# kinds an import names after the table they alter: renamed with it
_NAMED_AFTER_THE_TABLE = frozenset({"alter table", "row security"})
Renames = dict[tuple[str, str], tuple[str, str]]


def table_renames(old: m.Schema, new: m.Schema) -> Renames:
    """(namespace, name) before -> after of each table of both schemas (same uid) whose
    name or namespace changed."""
    before = {t.uid: (t.namespace, t.name) for t in old.tables}
    return {before[t.uid]: (t.namespace, t.name) for t in new.tables
            if t.uid in before and before[t.uid] != (t.namespace, t.name)}


def follow_table_renames(old: m.Schema, new: m.Schema) -> m.Schema:
    """``new`` with its kept SQL naming the tables renamed since ``old`` by their new
    names (see the module's text); ``new`` itself when nothing changes."""
    renames = table_renames(old, new)
    if not renames or not new.raw_objects:
        return new
    tables = {(t.namespace, t.name) for t in old.tables}
    changed = False
    objects = []
    for obj in new.raw_objects:
        if obj.kind in FOLLOWING_KINDS:
            sql = renamed_sql(obj.sql, renames, _path(obj.search_path), tables)
            if sql is not None and sql != obj.sql:
                target = renames.get((obj.namespace or "public", obj.name))
                if obj.kind in _NAMED_AFTER_THE_TABLE and target is not None:
                    obj = replace(obj, namespace=target[0], name=target[1])
                obj = replace(obj, sql=sql)
                changed = True
        objects.append(obj)
    return replace(new, raw_objects=tuple(objects)) if changed else new


def _path(search_path: str | None) -> list[str]:
    """The schemas an unqualified name is looked up in, in order (``"$user"`` left out)."""
    if not search_path:
        return ["public"]
    parts = [p.strip().strip('"') for p in search_path.split(",")]
    return [p for p in parts if p and p != "$user"] or ["public"]


def renamed_sql(sql: str, renames: Renames, path: list[str] | None = None,
                tables: set[tuple[str, str]] | None = None) -> str | None:
    """``sql`` with the relations of ``renames`` renamed, printed back by the parser; None
    when it names none of them (or cannot be read, or names a CTE like one). An unqualified
    name is the table of the first schema of ``path`` that has one of that name among
    ``tables`` (the design's before the renames), as PostgreSQL looks it up."""
    lowered = sql.lower()
    if not any(name.lower() in lowered for _, name in renames):
        return None  # the quick way out: most kept statements name no renamed table
    try:
        statements = parse_sql(sql)
    except ParseError:
        return None
    hit = False
    names = {name for _, name in renames}
    for raw in statements:
        nodes = list(walk(raw.stmt))
        if any(isinstance(n, ast.CommonTableExpr) and n.ctename in names for n in nodes):
            return None  # a CTE of that name: the unqualified references may be the CTE's
        for node in nodes:
            if isinstance(node, ast.RangeVar):
                hit |= _rename(node, renames, path or ["public"], tables)
    if not hit:
        return None
    try:
        printed = [str(SqlStream()(raw.stmt)) for raw in statements]
    except Exception:  # a statement pglast cannot print: left as written
        return None
    end = ";" if sql.rstrip().endswith(";") else ""
    return ";\n".join(printed) + end


def _rename(rv: Any, renames: Renames, path: list[str],
            tables: set[tuple[str, str]] | None) -> bool:
    if rv.schemaname is not None:
        key = (rv.schemaname, rv.relname)
    else:
        found = [ns for ns in path if tables is None or (ns, rv.relname) in tables]
        key = (found[0] if found else path[0], rv.relname)
    if key not in renames:
        return False
    namespace, name = renames[key]
    rv.relname = name
    if rv.schemaname is not None or namespace != key[0]:
        rv.schemaname = namespace
    return True
