"""Structural validity of a snapshot: every reference resolves, names are unique.

This is not the design-rule engine (``modeler.rules``): a snapshot that fails here cannot be
stored or exported at all, whatever the rule levels.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from modeler.identity_memo import IdentityMemo
from modeler.schema import model as m
from modeler.schema import sqlexpr, sqloperators
from modeler.schema.collations import is_builtin, parse_ref
from modeler.schema.validate_pg import (
    foreign_key_problem,
    relation_name_problems,
    relation_names,
    type_modifier_problem,
)
from modeler.schema.validate_pg import table_problems as table_postgres_problems


class InvalidSchema(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _dupes(names: list[str]) -> list[str]:
    return sorted(n for n, k in Counter(names).items() if k > 1)


def _check_uid(uid: str, what: str, out: list[str]) -> None:
    try:
        uuid.UUID(uid)
    except (ValueError, AttributeError, TypeError):
        out.append(f"{what}: uid {uid!r} is not a UUID")


def collation_problem(schema: m.Schema, ref: str) -> str | None:
    """Why collation reference ``ref`` does not resolve (None when it does): it must name a
    collation of the design or look like one of the server's own (``"C"``, ``"POSIX"``,
    ``"default"``, ``"und-x-icu"``, ``"en_US.utf8"``...)."""
    try:
        ns, name = parse_ref(ref)
    except ValueError as exc:
        return str(exc)
    defined = {(c.namespace, c.name) for c in schema.collations}
    if (ns or "public", name) in defined or is_builtin(ns, name):
        return None
    if ns is None:
        return (f"collation {ref} is neither defined in the design nor a built-in one "
                "(custom collations are written schema-qualified, like public.my_collation)")
    return f"collation {ref} is not defined in the design (add it under Collations)"


_COLLATABLE = frozenset({"text", "varchar", "char", "citext", "name"})


def collatable(ctype: m.ColumnType, schema: m.Schema) -> bool:
    """Can a column of this type have a collation? (String types, domains over them,
    arrays of them; an extension's type is taken on trust.)"""
    if ctype.kind == "domain":
        dom = schema.type_object(ctype.ref or "")
        return isinstance(dom, m.Domain) and collatable(dom.base, schema)
    if ctype.kind == "enum":
        return False
    if ctype.kind == "custom":
        return True
    return ctype.name in _COLLATABLE


def _collation_problems(schema: m.Schema) -> list[str]:
    out: list[str] = []
    for c in schema.collations:
        _check_uid(c.uid, f"collation {c.name}", out)
        if c.provider not in m.COLLATION_PROVIDERS:
            out.append(f"collation {c.qualified_name}: unknown provider {c.provider!r}")
        if c.locale is None and (c.lc_collate is None or c.lc_ctype is None):
            out.append(f"collation {c.qualified_name}: needs a locale (or both LC_COLLATE "
                       "and LC_CTYPE)")
    for name in _dupes([f"{c.namespace}.{c.name}" for c in schema.collations]):
        out.append(f"two collations named {name}")
    return out


def _table_collation_problems(schema: m.Schema, t: m.Table) -> list[str]:
    out: list[str] = []
    refs = [(f"column {t.name}.{c.name}", c.collation) for c in t.columns]
    refs += [(f"index {i.name}", p.collation) for i in t.indexes for p in i.parts]
    for what, ref in refs:
        problem = collation_problem(schema, ref) if ref is not None else None
        if problem is not None:
            out.append(f"{what}: {problem}")
    out += [f"column {t.name}.{c.name}: type {c.type.short(schema)} takes no collation"
            for c in t.columns if c.collation is not None
            and not collatable(c.type, schema)]
    return out


def _partition_problems(schema: m.Schema) -> list[str]:
    out: list[str] = []
    by_uid = {t.uid: t for t in schema.tables}
    for t in schema.tables:
        found = sqlexpr.partition_problem(t.partition_by, t.partition_bound)
        if found is not None:
            out.append(f"table {t.qualified_name}: {found}")
        if t.partition_by is not None:
            method = t.partition_by.strip().split(" ", 1)[0].split("(", 1)[0].upper()
            if method not in m.PARTITION_METHODS or "(" not in t.partition_by:
                out.append(f"table {t.qualified_name}: partition key {t.partition_by!r} is not "
                           "RANGE|LIST|HASH (columns or expressions)")
        if t.partition_of is None:
            if t.partition_bound:
                out.append(f"table {t.qualified_name}: a partition bound without a parent")
            continue
        parent = by_uid.get(t.partition_of)
        if parent is None:
            out.append(f"table {t.qualified_name}: it is a partition of a table that does not "
                       "exist")
        elif parent.partition_by is None:
            out.append(f"table {t.qualified_name}: it is a partition of {parent.qualified_name}, "
                       "which is not partitioned (no PARTITION BY)")
        if not t.partition_bound.strip():
            out.append(f"table {t.qualified_name}: a partition needs its bound (FOR VALUES ... "
                       "or DEFAULT)")
        seen = {t.uid}
        up = parent
        while up is not None and up.partition_of is not None:
            if up.uid in seen:
                out.append(f"table {t.qualified_name}: partitions form a cycle")
                break
            seen.add(up.uid)
            up = by_uid.get(up.partition_of)
    return out


_NAME = r'(?:[A-Za-z_][\w$]*|"(?:[^"]|"")+")'
# an operator class, schema-qualified or not, with optional parameters (gist_trgm_ops(siglen=32))
_OPCLASS = re.compile(rf"^(?:{_NAME}\.)?{_NAME}(?:\(\s*\w+\s*=\s*[\w.]+\s*"
                      rf"(?:,\s*\w+\s*=\s*[\w.]+\s*)*\))?$")


_SEQUENCE_TYPES = frozenset({"smallint", "integer", "bigint"})


def _table_expressions(t: m.Table) -> list[tuple[str, str, sqlexpr.Kind]]:
    """(where, text, kind) of every expression of table ``t``."""
    found: list[tuple[str, str, sqlexpr.Kind]] = [
        (f"check {k.name}", k.expression, "check") for k in t.checks]
    for c in t.columns:
        if c.default is not None:
            found.append((f"column {c.name}: default", c.default, "default"))
        if c.generated is not None:
            found.append((f"column {c.name}: generated", c.generated, "generated"))
        if c.backfill is not None:
            found.append((f"column {c.name}: backfill", c.backfill, "backfill"))
    for i in t.indexes:
        found += [(f"index {i.name}", p.expression, "index") for p in i.parts
                  if p.expression is not None]
        if i.where is not None:
            found.append((f"index {i.name}: WHERE", i.where, "predicate"))
    return found


def _type_problems(ctype: m.ColumnType, what: str) -> list[str]:
    if ctype.kind != "custom":
        wrong = type_modifier_problem(ctype)
        return [] if wrong is None else [f"{what}: {wrong}"]
    found = sqlexpr.type_problem(ctype.name)
    return [] if found is None else [f"{what}: {found}"]


def _category(schema: m.Schema, ctype: m.ColumnType) -> str | None:
    """PostgreSQL's type category of a column type (None when not known)."""
    if ctype.array_dims:
        return "A"
    if ctype.kind == "builtin":
        return sqloperators.type_category(ctype.name)
    obj = schema.type_object(ctype.ref or "")
    if isinstance(obj, m.Domain):
        return _category(schema, obj.base)
    return "E" if isinstance(obj, m.EnumType) else None


@lru_cache(maxsize=65_536)
def _expression_problem(text: str, kind: sqlexpr.Kind, columns: tuple[str, ...],
                        table: str | None, namespace: str,
                        categories: tuple[tuple[str, str | None], ...],
                        extensions: frozenset[str], own_operators: bool) -> str | None:
    """What is wrong with one expression in its place (None: nothing); cached, as a design's
    expressions are checked again on every edit and mostly did not change."""
    found = sqlexpr.problem(text, kind, columns=columns, table=table, namespace=namespace)
    if found is not None:
        return found
    by_name = dict(categories)
    return sqloperators.operator_problem(
        sqlexpr.parse(text).node, lambda parts: by_name.get(parts[-1]),
        extensions=extensions, own_operators=own_operators)


def expression_problems(schema: m.Schema) -> list[str]:
    """Every SQL expression and custom type name of the design that is not exactly one valid
    expression (or type) for its place, names a column its table does not have, or applies
    an operator PostgreSQL has for no operands of those types."""
    extensions = frozenset(e.name for e in schema.extensions)
    own = bool(schema.raw_objects)
    out: list[str] = []
    for t in schema.tables:
        out += _table_expression_problems(schema, t, extensions, own)
    return out + _type_object_expression_problems(schema, extensions, own)


def _table_expression_problems(schema: m.Schema, t: m.Table, extensions: frozenset[str],
                               own: bool) -> list[str]:
    out: list[str] = []
    columns = tuple(c.name for c in t.columns)
    categories = tuple((c.name, _category(schema, c.type)) for c in t.columns)
    for where, text, kind in _table_expressions(t):
        found = _expression_problem(text, kind, columns, t.name, t.namespace, categories,
                                    extensions, own)
        if found is not None:
            out.append(f"table {t.qualified_name}, {where}: {found}")
    for c in t.columns:
        out += _type_problems(c.type, f"column {t.qualified_name}.{c.name}")
    out += [f"table {t.qualified_name}, index {i.name}: operator class {p.opclass!r} is "
            "not a (schema-qualified) name"
            for i in t.indexes for p in i.parts
            if p.opclass is not None and not _OPCLASS.match(p.opclass)]
    return out


def _type_object_expression_problems(schema: m.Schema, extensions: frozenset[str],
                                     own: bool) -> list[str]:
    """:func:`expression_problems` of the sequences and domains."""
    out = [f"sequence {s.qualified_name}: type {s.data_type!r} is not smallint, integer or "
           "bigint" for s in schema.sequences if s.data_type not in _SEQUENCE_TYPES]
    for d in schema.domains:
        what = f"domain {d.qualified_name}"
        out += _type_problems(d.base, what)
        if d.default is not None:
            found = sqlexpr.problem(d.default, "domain_default")
            if found is not None:
                out.append(f"{what}, default: {found}")
        for k in d.checks:
            found = _expression_problem(k.expression, "domain_check", ("value",), None,
                                        d.namespace, (("value", _category(schema, d.base)),),
                                        extensions, own)
            if found is not None:
                out.append(f"{what}, check {k.name}: {found}")
    return out


@dataclass(frozen=True, slots=True)
class _TableProblems:
    """What :func:`problems` finds in one table on its own, in its order, given the parts of
    the design a table's checks read (its :func:`_context`)."""

    collations: list[str]
    expressions: list[str]
    postgres: list[str]
    structure: list[str]
    uids: list[str]  # the table's and its elements', in problems' order
    relations: list[tuple[str, str, str]]  # validate_pg.relation_names of the table
    column_uids: frozenset[str]


# The checks of a table read the table and these parts of the design only: the collations
# (references), the enums and domains (type references, categories, collatable and identity
# base types), the extensions' names and whether there are raw objects (operators).
_Context = tuple[tuple[m.Collation, ...], tuple[m.EnumType, ...], tuple[m.Domain, ...],
                 frozenset[str], bool]

# Per table object, its problems and the context they were found in: an edit's snapshot
# shares every table it left alone with the snapshot before, which was validated already.
_TABLES: IdentityMemo[m.Table, tuple[_Context, _TableProblems]] = IdentityMemo(65_536)
# Per relationship object, the child and parent table objects it was checked against and
# what validate_pg.foreign_key_problem and problems' own checks found.
_RELATIONSHIPS: IdentityMemo[m.Relationship, tuple[m.Table | None, m.Table | None,
                                                   str | None, list[str]]] = \
    IdentityMemo(262_144)


def _context(schema: m.Schema) -> _Context:
    return (schema.collations, schema.enums, schema.domains,
            frozenset(e.name for e in schema.extensions), bool(schema.raw_objects))


def _table_problems(schema: m.Schema, t: m.Table, context: _Context) -> _TableProblems:
    """:class:`_TableProblems` of ``t``, from the memo when ``t`` was checked in an equal
    context (the same objects, or equal ones)."""
    hit = _TABLES.get(t)
    if hit is not None and (hit[0] is context or hit[0] == context):
        return hit[1]
    type_uids = {e.uid for e in schema.enums} | {d.uid for d in schema.domains}
    out: list[str] = []
    uids = [t.uid]
    _check_uid(t.uid, f"table {t.name}", out)
    col_uids = frozenset(c.uid for c in t.columns)
    for name in _dupes([c.name for c in t.columns]):
        out.append(f"table {t.qualified_name}: two columns named {name}")
    for c in t.columns:
        uids.append(c.uid)
        _check_uid(c.uid, f"column {t.name}.{c.name}", out)
        if c.type.kind in ("enum", "domain") and c.type.ref not in type_uids:
            out.append(f"column {t.name}.{c.name}: its {c.type.kind} type does not exist")
    for name in _dupes([i.name for i in t.indexes]
                       + [u.name for u in t.uniques] + [k.name for k in t.checks]):
        out.append(f"table {t.qualified_name}: two constraints or indexes named {name}")
    for name in _dupes([q.name for q in t.query_patterns]):
        out.append(f"table {t.qualified_name}: two query patterns named {name}")
    refs: list[tuple[str, str | None]] = []
    for i in t.indexes:
        uids.append(i.uid)
        refs += [(f"index {i.name}", p.column) for p in i.parts if p.column is not None]
        refs += [(f"index {i.name}", u) for u in i.include]
    for u in t.uniques:
        uids.append(u.uid)
        refs += [(f"unique {u.name}", c) for c in u.columns]
    uids += [k.uid for k in t.checks]
    for q in t.query_patterns:
        uids.append(q.uid)
        refs += [(f"query pattern {q.name}", c) for c in
                 (*q.equality, q.range, *(o.column for o in q.order_by)) if c is not None]
    out += [f"table {t.qualified_name}: {what} names a column of another table"
            for what, ref in refs if ref not in col_uids]
    parts = _TableProblems(
        collations=_table_collation_problems(schema, t),
        expressions=_table_expression_problems(schema, t, context[3], context[4]),
        postgres=table_postgres_problems(schema, t), structure=out, uids=uids,
        relations=relation_names(m.Schema(tables=(t,))), column_uids=col_uids)
    _TABLES.put(t, (context, parts))
    return parts


def _relationship_problems(
        r: m.Relationship, tables: dict[str, m.Table], schema: m.Schema,
        found: dict[str, _TableProblems]) -> tuple[str | None, list[str]]:
    """validate_pg.foreign_key_problem of ``r`` and what :func:`problems` finds in it on
    its own; from the memo when its child and parent are the table objects it was checked
    against (both depend on those tables only)."""
    child, parent = tables.get(r.child_table), tables.get(r.parent_table)
    hit = _RELATIONSHIPS.get(r)
    if hit is not None and hit[0] is child and hit[1] is parent:
        return hit[2], hit[3]
    out: list[str] = []
    for side, table, cols in (("child", child, r.child_columns),
                              ("parent", parent, r.parent_columns)):
        if table is None:
            out.append(f"relationship {r.name}: its {side} table does not exist")
        elif not cols or any(c not in found[table.uid].column_uids for c in cols):
            out.append(f"relationship {r.name}: a {side} column is missing")
    if len(r.child_columns) != len(r.parent_columns):
        out.append(f"relationship {r.name}: child and parent column counts differ")
    fk = foreign_key_problem(schema, r)
    _RELATIONSHIPS.put(r, (child, parent, fk, out))
    return fk, out


def problems(schema: m.Schema) -> list[str]:
    """Everything structurally wrong with ``schema`` (empty when valid). What depends on one
    table (or relationship) only is found once per table object, in the same order as a
    check of the whole design would find it."""
    context = _context(schema)
    tables = {t.uid: t for t in schema.tables}
    found = {t.uid: _table_problems(schema, t, context) for t in tables.values()}
    per_table = [found[t.uid] if tables[t.uid] is t else _table_problems(schema, t, context)
                 for t in schema.tables]
    out: list[str] = _collation_problems(schema)
    for p in per_table:
        out += p.collations
    out += _partition_problems(schema)
    for p in per_table:
        out += p.expressions
    out += _type_object_expression_problems(schema, context[3], context[4])
    # validate_pg.postgres_problems, table by table
    for p in per_table:
        out += p.postgres
    rels = [_relationship_problems(r, tables, schema, found) for r in schema.relationships]
    out += [f"relationship {r.name}: {fk}"
            for r, (fk, _) in zip(schema.relationships, rels, strict=True) if fk is not None]
    names = [n for p in per_table for n in p.relations]
    names += [(s.namespace, s.name, f"sequence {s.name}") for s in schema.sequences]
    out += relation_name_problems(names)
    uids: list[str] = [c.uid for c in schema.collations]
    for p in per_table:
        out += p.structure
        uids += p.uids
    for name in _dupes([f"{t.namespace}.{t.name}" for t in schema.tables]):
        out.append(f"two tables named {name}")
    for r, (_, own) in zip(schema.relationships, rels, strict=True):
        uids.append(r.uid)
        out += own
    # constraint names are unique per table (a partition's FKs share its parent's names)
    for name in _dupes([f"{r.child_table}\x00{r.name}" for r in schema.relationships]):
        out.append(f"two relationships of one table named {name.split(chr(0))[1]}")
    for kind, objs in (("enum", schema.enums), ("domain", schema.domains),
                       ("sequence", schema.sequences)):
        for name in _dupes([f"{o.namespace}.{o.name}" for o in objs]):
            out.append(f"two {kind}s named {name}")
        uids += [o.uid for o in objs]
    for name in _dupes([e.name for e in schema.extensions]):
        out.append(f"two extensions named {name}")
    # PostgreSQL keeps enums, domains and tables' row types in one pg_type per namespace
    typed: list[m.EnumType | m.Domain] = [*schema.enums, *schema.domains]
    for name in _dupes([f"{o.namespace}.{o.name}" for o in typed]):
        out.append(f"two types named {name} (an enum and a domain)")
    type_names = {(o.namespace, o.name) for o in typed}
    out += [f"table {t.qualified_name} has the name of a type of its namespace (its row type "
            "would clash)" for t in schema.tables if (t.namespace, t.name) in type_names]
    for e in schema.enums:
        for label in _dupes([v.label for v in e.values]):
            out.append(f"enum {e.name}: value {label!r} twice")
    uids += [e.uid for e in schema.extensions] + [r.uid for r in schema.raw_objects]
    for uid in _dupes(uids):
        out.append(f"uid {uid} is used twice")
    return out


def check(schema: m.Schema) -> m.Schema:
    """``schema`` itself, or InvalidSchema listing every problem."""
    found = problems(schema)
    if found:
        raise InvalidSchema(found)
    return schema
