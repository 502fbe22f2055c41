"""Pure edits on snapshots: put (insert or replace by uid) and drop elements, and the checked
changes rules' fixes are made of (add, alter, rename: they refuse a taken name).

Every editor action and every rule fix is ``new = edit(old, ...)``; what it did is
``modeler.diff.diff(old, new)``. The web layer then gates ``new`` with the rules and writes
only what changed. Dropping an element drops what cannot live without it (:func:`dependents`
lists those first, for the confirmation dialog).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

from modeler.schema import model as m
from modeler.schema import naming, sqlexpr
from modeler.schema.builder import stable_uid
from modeler.schema.validate_pg import relation_names
from modeler.wording import counted

_T = TypeVar("_T")


def _put(items: tuple[_T, ...], item: _T, uid: str) -> tuple[_T, ...]:
    out = [item if getattr(x, "uid", None) == uid else x for x in items]
    if not any(getattr(x, "uid", None) == uid for x in items):
        out.append(item)
    return tuple(out)


def _without(items: tuple[_T, ...], uid: str) -> tuple[_T, ...]:
    return tuple(x for x in items if getattr(x, "uid", None) != uid)


def _map_table(schema: m.Schema, table_uid: str,
               fn: Callable[[m.Table], m.Table]) -> m.Schema:
    tables = tuple(fn(t) if t.uid == table_uid else t for t in schema.tables)
    return m.normalized(replace(schema, tables=tables))


def put_table(schema: m.Schema, table: m.Table) -> m.Schema:
    return m.normalized(replace(schema, tables=_put(schema.tables, table, table.uid)))


def put_column(schema: m.Schema, table_uid: str, column: m.Column,
               position: int | None = None) -> m.Schema:
    """Insert or replace a column; ``position`` moves it (0-based). A rename rewrites the
    table's expressions that mention the column, as PostgreSQL does."""
    def fn(t: m.Table) -> m.Table:
        cols = list(t.columns)
        idx = next((i for i, c in enumerate(cols) if c.uid == column.uid), None)
        old_name = None if idx is None else cols[idx].name
        if idx is None:
            cols.insert(len(cols) if position is None else position, column)
        else:
            cols[idx] = column
            if position is not None and position != idx:
                cols.insert(position, cols.pop(idx))
        out = replace(t, columns=tuple(cols))
        if old_name is not None and old_name != column.name:
            out = sqlexpr.rename_in_table(out, {old_name: column.name})
        return out
    return _map_table(schema, table_uid, fn)


def put_index(schema: m.Schema, table_uid: str, index: m.Index) -> m.Schema:
    return _map_table(schema, table_uid,
                      lambda t: replace(t, indexes=_put(t.indexes, index, index.uid)))


def put_unique(schema: m.Schema, table_uid: str, unique: m.UniqueConstraint) -> m.Schema:
    return _map_table(schema, table_uid,
                      lambda t: replace(t, uniques=_put(t.uniques, unique, unique.uid)))


def put_check(schema: m.Schema, table_uid: str, check: m.CheckConstraint) -> m.Schema:
    return _map_table(schema, table_uid,
                      lambda t: replace(t, checks=_put(t.checks, check, check.uid)))


def put_query_pattern(schema: m.Schema, table_uid: str, qp: m.QueryPattern) -> m.Schema:
    return _map_table(schema, table_uid, lambda t: replace(
        t, query_patterns=_put(t.query_patterns, qp, qp.uid)))


def put_relationship(schema: m.Schema, rel: m.Relationship) -> m.Schema:
    return m.normalized(replace(schema, relationships=_put(schema.relationships, rel, rel.uid)))


def put_enum(schema: m.Schema, enum: m.EnumType) -> m.Schema:
    return m.normalized(replace(schema, enums=_put(schema.enums, enum, enum.uid)))


def put_domain(schema: m.Schema, domain: m.Domain) -> m.Schema:
    return m.normalized(replace(schema, domains=_put(schema.domains, domain, domain.uid)))


def put_extension(schema: m.Schema, ext: m.Extension) -> m.Schema:
    return m.normalized(replace(schema, extensions=_put(schema.extensions, ext, ext.uid)))


# ----------------------------------------------------------------- checked changes
# What a rule's fix is built from: each refuses (ValueError) a name that is taken and
# (KeyError) an element that does not exist, so a fix never produces an invalid design.

def _relation_taken(schema: m.Schema, namespace: str, name: str) -> bool:
    """Is ``name`` taken in PostgreSQL's relation namespace (tables, indexes, PK and UNIQUE
    indexes, sequences) of ``namespace``?"""
    return any(ns == namespace and n == name for ns, n, _what in relation_names(schema))


def _constraint_names(schema: m.Schema, t: m.Table) -> set[str]:
    names = {u.name for u in t.uniques} | {c.name for c in t.checks}
    names |= {r.name for r in schema.relationships if r.child_table == t.uid}
    if t.primary_key:
        names.add(t.pk_name or naming.pk_name(t.name))
    return names


def add_column(schema: m.Schema, table_uid: str, column: m.Column,
               after: str | None = None) -> m.Schema:
    """Add ``column`` after the column ``after`` (a uid; None: at the end)."""
    t = schema.table(table_uid)
    if t.column_named(column.name) is not None:
        raise ValueError(f"{t.name}.{column.name} exists")
    pos = len(t.columns)
    if after is not None:
        pos = 1 + next((i for i, c in enumerate(t.columns) if c.uid == after), pos - 1)
    return put_column(schema, table_uid, column, position=pos)


def add_index(schema: m.Schema, table_uid: str, index: m.Index) -> m.Schema:
    """Add ``index``; its name must be free in the table's relation namespace."""
    t = schema.table(table_uid)
    if _relation_taken(schema, t.namespace, index.name):
        raise ValueError(f"name {index.name} is taken")
    return put_index(schema, table_uid, index)


def add_extension(schema: m.Schema, name: str) -> m.Schema:
    """``CREATE EXTENSION name`` (its uid derives from the name; present already: as is)."""
    if any(e.name == name for e in schema.extensions):
        return schema
    return put_extension(schema, m.Extension(uid=stable_uid("extension", name), name=name))


def _put_element(schema: m.Schema, table_uid: str, element: Any) -> m.Schema:
    """Replace ``element`` (by uid) of table ``table_uid``, or the table or FK itself."""
    match element:
        case m.Table():
            return put_table(schema, element)
        case m.Column():
            return put_column(schema, table_uid, element)
        case m.Index():
            return put_index(schema, table_uid, element)
        case m.UniqueConstraint():
            return put_unique(schema, table_uid, element)
        case m.CheckConstraint():
            return put_check(schema, table_uid, element)
        case m.Relationship():
            return put_relationship(schema, element)
    raise ValueError(f"cannot change a {type(element).__name__} here")


def alter(schema: m.Schema, uid: str, **changes: Any) -> m.Schema:
    """Set fields of the column or foreign key ``uid`` (names change through
    :func:`rename`, which checks them)."""
    if "uid" in changes or "name" in changes:
        raise ValueError("alter() changes neither uid nor name: use rename()")
    found = schema.locate(uid)
    if found is None or found.table is None or found.kind not in ("column", "relationship"):
        raise KeyError(f"no column or foreign key {uid}")
    element: Any = found.element
    return _put_element(schema, found.table.uid, replace(element, **changes))


def rename(schema: m.Schema, uid: str, new_name: str) -> m.Schema:
    """Rename a table, column, index, unique or check constraint or foreign key; the name
    must be free where PostgreSQL keeps it (the element's own name is not in the way)."""
    found = schema.locate(uid)
    if found is None or found.table is None:
        raise KeyError(f"no element {uid}")
    element: Any = found.element
    t, kind = found.table, found.kind
    if element.name == new_name:
        return schema
    if kind == "column" and t.column_named(new_name) is not None:
        raise ValueError(f"{t.name}.{new_name} exists")
    if kind in ("unique", "check", "relationship") and new_name in _constraint_names(schema, t):
        raise ValueError(f"constraint {new_name} exists")
    if kind in ("table", "index", "unique") and _relation_taken(schema, t.namespace, new_name):
        raise ValueError(f"name {new_name} is taken")
    return _put_element(schema, t.uid, replace(element, name=new_name))


def rename_primary_key(schema: m.Schema, table_uid: str, new_name: str | None) -> m.Schema:
    """Name the primary key constraint of a table (None: the convention's ``pk_<table>``)."""
    t = schema.table(table_uid)
    old, name = t.pk_name or naming.pk_name(t.name), new_name or naming.pk_name(t.name)
    if name != old and (_relation_taken(schema, t.namespace, name)
                        or name in _constraint_names(schema, t)):
        raise ValueError(f"name {name} is taken")
    return put_table(schema, replace(t, pk_name=new_name))


# ----------------------------------------------------------------------------- drops

def dependents(schema: m.Schema, uid: str) -> list[str]:
    """What goes with the element ``uid`` when it is dropped, as sentences for the user."""
    out: list[str] = []
    found = schema.locate(uid)
    if found is None:
        return out
    if found.kind == "table":
        t = found.element
        assert isinstance(t, m.Table)
        for r in schema.relationships:
            if r.parent_table == uid and r.child_table != uid:
                child = schema.table(r.child_table).name
                out.append(f"foreign key {r.name} from {child} to {t.name}")
            elif r.child_table == uid:
                out.append(f"foreign key {r.name}")
        out += [counted(len(t.columns), "column"),
                counted(len(t.indexes), "index", "indexes")] if t.columns else []
        return out
    if found.kind == "column":
        t, _col = schema.table_of_column(uid), schema.column(uid)
        out += [f"foreign key {r.name}" for r in schema.relationships
                if uid in r.child_columns or uid in r.parent_columns]
        out += [f"index {i.name}" for i in t.indexes
                if uid in i.column_uids or uid in i.include or _index_mentions(i, _col.name)]
        out += [f"unique constraint {u.name}" for u in t.uniques if uid in u.columns]
        out += [f"check {k.name}" for k in t.checks if mentions(k.expression, _col.name)]
        out += [f"query pattern {q.name}" for q in t.query_patterns
                if uid in (*q.equality, q.range, *(o.column for o in q.order_by))]
        out += [f"sequence {s.name} (owned by it)" for s in schema.sequences
                if s.owned_by_column == uid]
        return out
    if found.kind in ("enum", "domain"):
        return [f"column {t.name}.{c.name} uses it" for t in schema.tables for c in t.columns
                if c.type.ref == uid]
    return out


def drop(schema: m.Schema, uid: str) -> m.Schema:
    """Drop the element ``uid`` and what depends on it. KeyError when it does not exist.

    Enums and domains still used by a column are refused (ValueError): change the columns
    first, dropping data types silently would change other tables.
    """
    found = schema.locate(uid)
    kind = found.kind if found is not None else None
    if kind == "table":
        # its partitions stay, as plain tables (DROP TABLE would take them along; the
        # design keeps what the user did not ask to drop)
        tables = tuple(replace(t, partition_of=None, partition_bound="")
                       if t.partition_of == uid else t for t in _without(schema.tables, uid))
        return m.normalized(replace(
            schema, tables=tables,
            relationships=tuple(r for r in schema.relationships
                                if uid not in (r.child_table, r.parent_table)),
            sequences=tuple(s for s in schema.sequences if s.owned_by_table != uid)))
    if kind == "column":
        return _drop_column(schema, uid)
    if kind in ("enum", "domain"):
        users = dependents(schema, uid)
        if users:
            raise ValueError("still in use: " + "; ".join(users))
        return m.normalized(replace(schema, enums=_without(schema.enums, uid),
                                    domains=_without(schema.domains, uid)))
    if kind == "relationship":
        return m.normalized(replace(schema, relationships=_without(schema.relationships, uid)))
    if kind == "extension":
        return m.normalized(replace(schema, extensions=_without(schema.extensions, uid)))
    if kind is None and any(s.uid == uid for s in schema.sequences):
        return m.normalized(replace(schema, sequences=_without(schema.sequences, uid)))
    attr = {"index": "indexes", "unique": "uniques", "check": "checks",
            "query_pattern": "query_patterns"}.get(kind or "")
    if found is not None and found.table is not None and attr is not None:
        def without_it(tt: m.Table) -> m.Table:
            changes: dict[str, Any] = {attr: _without(getattr(tt, attr), uid)}
            return replace(tt, **changes)
        return _map_table(schema, found.table.uid, without_it)
    raise KeyError(uid)


def mentions(text: str | None, column: str) -> bool:
    """Does SQL expression ``text`` refer to column ``column``?"""
    if text is None:
        return False
    try:
        return any(parts[-1] == column for parts in sqlexpr.column_refs(text))
    except sqlexpr.ExpressionError:
        return False


def _index_mentions(ix: m.Index, column: str) -> bool:
    return mentions(ix.where, column) or any(mentions(p.expression, column) for p in ix.parts)


def _drop_column(schema: m.Schema, uid: str) -> m.Schema:
    """Drop a column with what PostgreSQL's DROP COLUMN drops along: indexes, keys and
    CHECKs on it (also through an expression), FKs, owned sequences. A generated column
    computed from it is refused (ValueError): PostgreSQL wants CASCADE for that."""
    table, column = schema.table_of_column(uid), schema.column(uid)
    users = [c.name for c in table.columns if c.uid != uid and mentions(c.generated, column.name)]
    if users:
        raise ValueError(f"column {column.name} is used by generated column "
                         f"{', '.join(users)}: change or drop that first")

    def fn(t: m.Table) -> m.Table:
        return replace(
            t, columns=_without(t.columns, uid),
            indexes=tuple(i for i in t.indexes if uid not in i.column_uids
                          and uid not in i.include and not _index_mentions(i, column.name)),
            checks=tuple(k for k in t.checks if not mentions(k.expression, column.name)),
            uniques=tuple(u for u in t.uniques if uid not in u.columns),
            query_patterns=tuple(q for q in t.query_patterns if uid not in (
                *q.equality, q.range, *(o.column for o in q.order_by))))
    out = _map_table(schema, table.uid, fn)
    return m.normalized(replace(
        out, relationships=tuple(r for r in out.relationships
                                 if uid not in r.child_columns and uid not in r.parent_columns),
        sequences=tuple(s for s in out.sequences if s.owned_by_column != uid)))
