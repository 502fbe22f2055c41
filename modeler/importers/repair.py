"""Repair what PostgreSQL would refuse in an imported design, with a warning for each.

An input written for another database, or a hand-written script nobody ran, can describe
things PostgreSQL refuses (:mod:`modeler.schema.validate_pg`). The import keeps the design and
makes it loadable: a unique or multicolumn index on a method without that support becomes a
btree, INCLUDE is dropped where the method has none, identity is dropped from a column that
is no integer, a default of a type the column cannot take or too large for its numeric(p, s)
is left out, a key of a partitioned table without all the partition key's columns and a
foreign key to columns that are no key are left out, and a relation name
used twice in a namespace gets a suffix. Each repair is a warning naming the element, so
the export never fails at ``alembic upgrade`` without the import having said why.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace

from modeler.schema import model as m
from modeler.schema import naming
from modeler.schema.validate_pg import (
    INCLUDE_METHODS,
    MULTICOLUMN_METHODS,
    UNIQUE_METHODS,
    default_problem,
    foreign_key_problem,
    identity_problem,
    partitioned_keys,
    relation_names,
    type_modifier_fix,
)

Warn = Callable[[str, str, str, int | None], None]  # kind, message, file, line
Lines = Mapping[str, tuple[str, int | None]]  # element uid -> (file, line)


def _index(t: m.Table, ix: m.Index, warn: Warn) -> m.Index:
    where = f"{t.qualified_name}: index {ix.name}"
    # the warnings of a table's elements point at the table's statement (see repair())
    if (ix.unique and ix.method not in UNIQUE_METHODS) or (
            len(ix.parts) > 1 and ix.method not in MULTICOLUMN_METHODS):
        what = "unique" if ix.unique and ix.method not in UNIQUE_METHODS else "multicolumn"
        warn("repaired", f"{where}: PostgreSQL's {ix.method} has no {what} indexes; "
             "imported as a btree index", "", None)
        ix = replace(ix, method="btree")
    if ix.include and ix.method not in INCLUDE_METHODS:
        warn("repaired", f"{where}: {ix.method} indexes take no INCLUDE columns; left out",
             "", None)
        ix = replace(ix, include=())
    return ix


def _columns(schema: m.Schema, t: m.Table, warn: Warn) -> tuple[m.Column, ...]:
    out = []
    for c in t.columns:
        fix = type_modifier_fix(c.type)
        if fix is not None:
            warn("repaired", f"{t.qualified_name}.{c.name}: {fix[1]}; imported as "
                 f"{fix[0].sql(schema)}", "", None)
            c = replace(c, type=fix[0])
        found = identity_problem(schema, c)
        if found is not None and (c.default is not None or c.generated is not None) \
                and identity_problem(schema, replace(c, default=None, generated=None)) is None:
            warn("repaired", f"{t.qualified_name}.{c.name}: {found}; the identity is kept, "
                 "the default left out", "", None)
            c = replace(c, default=None, generated=None)
        elif found is not None and c.identity_options is not None \
                and identity_problem(schema, replace(c, identity_options=None)) is None:
            warn("repaired", f"{t.qualified_name}.{c.name}: {found}; the identity's "
                 "sequence options left out", "", None)
            c = replace(c, identity_options=None)
        elif found is not None:
            warn("repaired", f"{t.qualified_name}.{c.name}: {found}; imported without "
                 "identity", "", None)
            c = replace(c, identity=None, identity_options=None)
        wrong = default_problem(schema, c)
        if wrong is not None:
            warn("repaired", f"{t.qualified_name}.{c.name}: {wrong}; the default left out",
                 "", None)
            c = replace(c, default=None)
        out.append(c)
    return tuple(out)


def _partitioned(t: m.Table, warn: Warn) -> m.Table:
    """A partitioned table without the keys PostgreSQL refuses on it (those that lack a
    partition key column): left out, each reported (a foreign key to one goes too)."""
    found = partitioned_keys(t)
    if not found:
        return t
    for _, _, problem in found:
        warn("repaired", f"{t.qualified_name}: {problem}; left out", "", None)
    gone = {uid for kind, uid, _ in found if kind != "pk"}
    columns = t.columns
    if any(kind == "pk" for kind, _, _ in found):
        columns = tuple(replace(c, pk_order=None) for c in t.columns)
    return replace(t, columns=columns, pk_name=None if columns is not t.columns else t.pk_name,
                   uniques=tuple(u for u in t.uniques if u.uid not in gone),
                   indexes=tuple(ix for ix in t.indexes if ix.uid not in gone))


def _unique_names(schema: m.Schema, warn: Warn, lines: Lines) -> m.Schema:
    """Indexes whose name another relation of the namespace already has get a suffix."""
    taken: set[tuple[str, str]] = set()
    for ns, name, what in relation_names(schema):
        if not what.startswith("index "):
            taken.add((ns, name))
    tables = []
    for t in schema.tables:
        indexes = []
        for ix in t.indexes:
            name, n = ix.name, 1
            while (t.namespace, name) in taken:
                n += 1
                name = naming.truncate(f"{ix.name}_{n}")
            if name != ix.name:
                here = _at(warn, *lines.get(t.uid, ("", None)))
                here("repaired", f"{t.qualified_name}: index {ix.name}: the name is taken in "
                     f"{t.namespace} (PostgreSQL keeps one relation per name); imported as "
                     f"{name}", "", None)
            taken.add((t.namespace, name))
            indexes.append(replace(ix, name=name) if name != ix.name else ix)
        tables.append(replace(t, indexes=tuple(indexes)))
    return replace(schema, tables=tuple(tables))


def _at(warn: Warn, file: str, line: int | None) -> Warn:
    """``warn`` with the place filled in where the caller has none."""
    return lambda kind, message, f, n: warn(kind, message, f or file, n or line)


def repair(schema: m.Schema, warn: Warn, lines: Lines | None = None) -> m.Schema:
    """``schema`` with what PostgreSQL would refuse repaired; ``lines`` gives the
    (file, line) of a table or relationship by uid for its warnings."""
    lines = lines or {}
    domains = []
    for d in schema.domains:
        fix = type_modifier_fix(d.base)
        if fix is not None:
            file, line = lines.get(d.uid, ("", None))
            warn("repaired", f"domain {d.qualified_name}: {fix[1]}; imported as "
                 f"{fix[0].sql(schema)}", file, line)
            d = replace(d, base=fix[0])
        domains.append(d)
    schema = replace(schema, domains=tuple(domains))
    tables = []
    for t in schema.tables:
        here = _at(warn, *lines.get(t.uid, ("", None)))
        t = _partitioned(t, here)
        tables.append(replace(t, columns=_columns(schema, t, here),
                              indexes=tuple(_index(t, ix, here) for ix in t.indexes)))
    schema = replace(schema, tables=tuple(tables))
    kept = []
    for r in schema.relationships:
        found = foreign_key_problem(schema, r)
        if found is None:
            kept.append(r)
            continue
        file, line = lines.get(r.uid, ("", None))
        warn("unresolved", f"foreign key {r.name}: {found}; left out", file, line)
    schema = replace(schema, relationships=tuple(kept))
    return m.normalized(_unique_names(schema, warn, lines))
