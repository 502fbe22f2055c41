"""A table renamed (or moved to another schema), or a column renamed, in the design is
renamed in the SQL the design keeps that names it as a relation: views, materialized
views, rules, policies, triggers, indexes, extended statistics, row level security switches
and ALTER TABLE statements kept from an import.

PostgreSQL does the same for these objects (it keeps them parsed, so a renamed table is
renamed in them), and the migration's ``ALTER TABLE ... RENAME`` leaves them right; but the
design's text kept naming the old table, so every place that builds from the text alone
(``schema.sql``, ``create_all``, DESIGN.md, a new project from the export) made a view of a
table that no longer exists. Function bodies are left as written, as PostgreSQL leaves them.
A statement naming a common table expression of the renamed name, or that the parser cannot
read or print back, is left as it is. A column is renamed where the statement names it
without doubt: qualified by the table or its alias (``NEW``/``OLD`` in a trigger or rule), or
unqualified where the statement reads only tables of the design and one of them has a
column of that name; a view keeps its column's name (``SELECT full_name AS name``), as
PostgreSQL keeps it. A statement joining USING the renamed column, or reading a CTE, is left
as it is."""

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
_KEPT_RELATIONS = frozenset({"view", "materialized view", "foreign table"})


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
    # what an unqualified name may be: a table, or a kept relation earlier on the search
    # path (api.orders, a view, before the table public.orders)
    tables = {(t.namespace, t.name) for t in old.tables}
    tables |= {(o.namespace or "public", o.name) for o in old.raw_objects
               if o.kind in _KEPT_RELATIONS and o.name}
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


def path_of(search_path: str | None) -> list[str]:
    """The schemas an unqualified name is looked up in under ``search_path`` (a kept
    statement's), in order (``"$user"`` left out)."""
    return _path(search_path)


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
        # the view's own name is no relation it reads (api.todos over private.todos)
        own = _own_names(raw.stmt)
        followed: dict[str, str] = {}  # a renamed relation's name -> its new one
        other: set[str] = set()  # names a column may be qualified by that stay as they are
        for node in nodes:
            if isinstance(node, ast.RangeVar) and id(node) not in own:
                was = node.relname
                renamed = _rename(node, renames, path or ["public"], tables)
                hit |= renamed
                if node.alias is not None:
                    other.add(node.alias.aliasname)
                elif renamed and followed.get(was, node.relname) == node.relname:
                    followed[was] = node.relname
                else:
                    other.add(was)
        if not _follow_qualifiers(nodes, renames, followed, other):
            return None
    if not hit:
        return None
    return _printed_back(sql, statements)


def _own_names(stmt: Any) -> set[int]:
    """Ids of the RangeVars that name what ``stmt`` creates (a view, a materialized
    view), not a relation it reads."""
    if isinstance(stmt, ast.ViewStmt):
        return {id(stmt.view)}
    if isinstance(stmt, ast.CreateTableAsStmt) and stmt.into is not None:
        return {id(stmt.into.rel)}
    return set()


def _follow_qualifiers(nodes: list[Any], renames: Renames, followed: dict[str, str],
                       other: set[str]) -> bool:
    """Rename the relation a column is qualified by (``orders.id``,
    ``public.orders.id``) where it is a renamed one read under its own name; False when
    such a qualifier may also be another relation's (an alias, a table of that name not
    renamed): the statement is then left as written."""
    for n in nodes:
        if not isinstance(n, ast.ColumnRef):
            continue
        fields = list(n.fields)
        qualifier = fields[:-1]
        if not qualifier or not all(isinstance(f, ast.String) for f in qualifier):
            continue
        names = [f.sval for f in qualifier]
        if len(names) >= 2 and (names[-2], names[-1]) in renames:
            namespace, name = renames[(names[-2], names[-1])]
            fields[-3:-1] = [_string(namespace), _string(name)]
        elif len(names) == 1 and names[0] in followed:
            if names[0] in other:
                return False
            fields[-2] = _string(followed[names[0]])
        else:
            continue
        n.fields = tuple(fields)
    return True


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


def follow_renames(old: m.Schema, new: m.Schema) -> m.Schema:
    """:func:`follow_table_renames`, then :func:`follow_column_renames`."""
    return follow_column_renames(old, follow_table_renames(old, new))


ColumnRenames = dict[tuple[str, str], dict[str, str]]


def follow_column_renames(old: m.Schema, new: m.Schema) -> m.Schema:
    """``new`` with its kept SQL naming the columns renamed since ``old`` (same uids) by
    their new names where it names them without doubt (see the module's text)."""
    before = {t.uid: {c.uid: c.name for c in t.columns} for t in old.tables}
    renames: ColumnRenames = {}
    for t in new.tables:
        was = before.get(t.uid, {})
        cols = {was[c.uid]: c.name for c in t.columns if c.uid in was and was[c.uid] != c.name}
        if cols:
            renames[(t.namespace, t.name)] = cols
    if not renames or not new.raw_objects:
        return new
    # each table's columns as the kept SQL names them: by their names before the renames
    columns = {(t.namespace, t.name): {before.get(t.uid, {}).get(c.uid, c.name)
                                       for c in t.columns} for t in new.tables}
    olds = {name.lower() for cols in renames.values() for name in cols}
    changed = False
    objects = []
    for obj in new.raw_objects:
        if obj.kind in FOLLOWING_KINDS and any(n in obj.sql.lower() for n in olds):
            sql = _columns_renamed(obj.sql, renames, columns, _path(obj.search_path))
            if sql is not None and sql != obj.sql:
                obj = replace(obj, sql=sql)
                changed = True
        objects.append(obj)
    return replace(new, raw_objects=tuple(objects)) if changed else new


def columns_renamed(sql: str, renames: ColumnRenames,
                    columns: dict[tuple[str, str], set[str]], path: list[str]) -> str | None:
    """``sql`` with the columns of ``renames`` ((namespace, table) -> {old: new}) renamed
    where it names them without doubt, printed back; None when it names none or must be
    left as written. ``columns``: each table's columns by their names before the renames."""
    return _columns_renamed(sql, renames, columns, path)


def _columns_renamed(sql: str, renames: ColumnRenames,
                     columns: dict[tuple[str, str], set[str]], path: list[str]) -> str | None:
    try:
        statements = parse_sql(sql)
    except ParseError:
        return None
    hit = False
    for raw in statements:
        done = _statement_columns(raw.stmt, renames, columns, path)
        if done is None:
            return None
        hit |= done
    if not hit:
        return None
    return _printed_back(sql, statements)


def _printed_back(sql: str, statements: Any) -> str | None:
    """``statements`` (parsed from ``sql``, changed in place) printed back, with ``sql``'s
    final semicolon; None when pglast cannot print one (left as written)."""
    try:
        printed = [str(SqlStream()(raw.stmt)) for raw in statements]
    except Exception:  # a statement pglast cannot print: left as written
        return None
    end = ";" if sql.rstrip().endswith(";") else ""
    return ";\n".join(printed) + end


def _string(value: str) -> Any:
    return ast.String(sval=value)  # type: ignore[no-untyped-call]  # pglast is untyped


def _resolve(rv: Any, path: list[str], tables: Any) -> tuple[str, str] | None:
    if rv.schemaname is not None:
        key = (rv.schemaname, rv.relname)
        return key if key in tables else None
    return next(((ns, rv.relname) for ns in path if (ns, rv.relname) in tables), None)


def _statement_columns(stmt: Any, renames: ColumnRenames,
                       columns: dict[tuple[str, str], set[str]], path: list[str]
                       ) -> bool | None:
    """Rename ``stmt``'s references to renamed columns in place: True when it renamed one,
    False when there was none, None when the statement must be left as written."""
    own = {id(stmt.view)} if isinstance(stmt, ast.ViewStmt) else set()
    if isinstance(stmt, ast.CreateTableAsStmt) and stmt.into is not None:
        own.add(id(stmt.into.rel))
    nodes = list(walk(stmt))
    if any(isinstance(n, ast.CommonTableExpr) for n in nodes):
        return None
    aliases: dict[str, tuple[str, str]] = {}
    twice: set[str] = set()
    read: set[tuple[str, str]] = set()
    unknown = any(isinstance(n, ast.RangeSubselect | ast.RangeFunction | ast.RangeTableFunc)
                  for n in nodes)
    for n in nodes:
        if isinstance(n, ast.RangeVar) and id(n) not in own:
            key = _resolve(n, path, columns)
            if key is None:
                unknown = True
                continue
            read.add(key)
            alias = n.alias.aliasname if n.alias is not None else n.relname
            if aliases.get(alias, key) != key:
                twice.add(alias)  # one name for two tables (a subquery's own o)
            aliases[alias] = key
    if not read & set(renames):
        return False
    relation = getattr(stmt, "relation", None) or getattr(stmt, "table", None)
    if isinstance(stmt, ast.CreateTrigStmt | ast.RuleStmt) and relation is not None:
        key = _resolve(relation, path, columns)
        if key is not None:
            aliases.update(new=key, old=key)
    renamed_names = {name for key in read for name in renames.get(key, {})}
    for n in nodes:
        if isinstance(n, ast.JoinExpr) and any(getattr(u, "sval", None) in renamed_names
                                               for u in n.usingClause or ()):
            return None  # both sides would have to be renamed alike
    hit = False
    renamed_refs: dict[int, str] = {}
    for n in nodes:
        if not isinstance(n, ast.ColumnRef):
            continue
        fields = list(n.fields)
        if not fields or not all(isinstance(f, ast.String) for f in fields):
            continue  # a star, or nothing to rename
        names = [f.sval for f in fields]
        if len(names) == 1:
            owners = {k for k in read if names[0] in columns[k]}
            key = next(iter(owners)) if len(owners) == 1 and not unknown else None
        elif len(names) == 2:
            if names[0] in twice and names[1] in renamed_names:
                return None  # which table's it is depends on the scope: left as written
            key = aliases.get(names[0])
        else:
            key = (names[-3], names[-2]) if (names[-3], names[-2]) in columns else None
        new_name = renames.get(key, {}).get(names[-1]) if key is not None else None
        if new_name is not None:
            renamed_refs[id(n)] = names[-1]
            n.fields = (*fields[:-1], _string(new_name))
            hit = True
    # a rule's (or a DO block's) INSERT INTO t (col) and UPDATE t SET col: names of t's columns
    for n in nodes:
        if not isinstance(n, ast.InsertStmt | ast.UpdateStmt):
            continue
        key = _resolve(n.relation, path, columns)
        cols = renames.get(key, {}) if key is not None else {}
        targets = list(n.cols or ()) if isinstance(n, ast.InsertStmt) else list(
            n.targetList or ())
        if isinstance(n, ast.InsertStmt) and n.onConflictClause is not None:
            targets += list(n.onConflictClause.targetList or ())
        for target in targets:
            if isinstance(target, ast.ResTarget) and target.name in cols:
                target.name = cols[target.name]
                hit = True
    # the view keeps its column names: an unnamed output column renamed gets its old name
    query = getattr(stmt, "query", None)
    while isinstance(query, ast.SelectStmt) and query.larg is not None:
        query = query.larg
    if isinstance(stmt, ast.ViewStmt | ast.CreateTableAsStmt) and isinstance(
            query, ast.SelectStmt):
        for target in query.targetList or ():
            if target.name is None and id(target.val) in renamed_refs:
                target.name = renamed_refs[id(target.val)]
    # names that are plain strings: statistics' and indexes' columns, a trigger's UPDATE OF
    if relation is not None or isinstance(stmt, ast.CreateStatsStmt):
        rels = [relation] if relation is not None else list(stmt.relations or ())
        keys = {_resolve(r, path, columns) for r in rels if isinstance(r, ast.RangeVar)}
        key = next(iter(keys)) if len(keys) == 1 else None
        cols = renames.get(key, {}) if key is not None else {}
        for n in nodes:
            if isinstance(n, ast.StatsElem | ast.IndexElem) and n.name in cols:
                n.name = cols[n.name]
                hit = True
        if isinstance(stmt, ast.CreateTrigStmt) and stmt.columns and any(
                c.sval in cols for c in stmt.columns):
            stmt.columns = tuple(_string(cols.get(c.sval, c.sval)) for c in stmt.columns)
            hit = True
    return hit
