"""Neutral descriptions of a table's constraints and indexes.

Both the in-memory metadata builder (objects) and the models renderer (source text) consume
these, so the two cannot disagree about an index's parts or an FK's options. Columns are
given by *key* through a callback: plain tables key columns by name, declarative classes by
attribute name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from modeler.codegen.sqlwriter import default_sql, index_key_sql, index_part_sql
from modeler.codegen.sqlwriter import ident as q
from modeler.schema.collations import canonical
from modeler.schema.model import Column, Index, IndexPart, Relationship, Schema, Table
from modeler.schema.naming import pk_name
from modeler.schema.sqlexpr import canonical as canonical_expr
from modeler.schema.types import INTEGER_TYPES

Key = Callable[[str], str]  # column uid -> column key


@dataclass(frozen=True)
class SqlText:
    """A SQL fragment (``sa.text()``)."""

    sql: str


Element = str | SqlText
KwValue = str | bool | SqlText | tuple[str, ...] | tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class IndexSpec:
    name: str
    elements: tuple[Element, ...]
    unique: bool
    kwargs: tuple[tuple[str, KwValue], ...]  # postgresql_* options, in a fixed order


@dataclass(frozen=True)
class FkSpec:
    name: str
    columns: tuple[str, ...]  # keys
    ref_namespace: str
    ref_table: str
    ref_columns: tuple[str, ...]  # database names
    ondelete: str | None
    onupdate: str | None
    deferrable: bool
    initially_deferred: bool
    use_alter: bool
    match: str | None = None  # "FULL"; None for MATCH SIMPLE, PostgreSQL's default


_PARENS_AROUND_NAME = re.compile(r'(?<![\w"$])\(\s*([A-Za-z_][\w$]*)\s*\)')


# quoted text: string literals and quoted identifiers are left as they are
_QUOTED = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"")


def simplify_expression(expr: str) -> str:
    """Drop parentheses around a lone column name (``lower((email)::text)`` →
    ``lower(email::text)``), as PostgreSQL's pretty printer does: Alembic compares index
    expressions textually against that form. String literals are left as they are."""
    out, at = [], 0
    for found in _QUOTED.finditer(expr):
        out += [_unwrap(expr[at:found.start()]), found.group(0)]
        at = found.end()
    return "".join([*out, _unwrap(expr[at:])])


def _unwrap(code: str) -> str:
    prev = None
    while prev != code:
        prev, code = code, _PARENS_AROUND_NAME.sub(r"\1", code)
    return code


def expression_sql(expr: str) -> str:
    """An index expression as PostgreSQL requires it: a bare function call, else in parens."""
    return simplify_expression(index_key_sql(expr))


def _part_sql(schema: Schema, part: IndexPart) -> str:
    return index_part_sql(q(schema.column(part.column).name) if part.column is not None
                          else expression_sql(part.expression or ""), part)


def index_spec(schema: Schema, index: Index, key: Key) -> IndexSpec:
    """Plain column parts stay column keys, with ``postgresql_ops`` for an operator class and
    a collation (``COLLATE "C" text_pattern_ops``: SQLAlchemy writes it after the column, and
    reflection, which drops a key's collation, still sees the column, so ``alembic check``
    finds nothing to change); anything else (expression, DESC, NULLS) becomes a SQL
    fragment."""
    elements: list[Element] = []
    ops: list[tuple[str, str]] = []
    seen: set[str] = set()
    for part in index.parts:
        plain = (part.column is not None and not (part.descending or part.nulls)
                 and key(part.column) not in seen)
        if plain and part.column is not None:
            elements.append(key(part.column))
            seen.add(key(part.column))
            words = ([f"COLLATE {canonical(part.collation)}"] if part.collation else []) + (
                [part.opclass] if part.opclass else [])
            if words:
                ops.append((key(part.column), " ".join(words)))
        else:
            elements.append(SqlText(_part_sql(schema, part)))
    kwargs: list[tuple[str, KwValue]] = []
    if index.method != "btree":
        kwargs.append(("postgresql_using", index.method))
    if index.where:
        kwargs.append(("postgresql_where", SqlText(canonical_expr(index.where))))
    if index.include:
        kwargs.append(("postgresql_include", tuple(key(c) for c in index.include)))
    if ops:
        kwargs.append(("postgresql_ops", tuple(ops)))
    if index.nulls_not_distinct:
        kwargs.append(("postgresql_nulls_not_distinct", True))
    return IndexSpec(index.name, tuple(elements), index.unique, tuple(kwargs))


def _action(value: str) -> str | None:
    return None if value == "UNSPECIFIED" else value


def fk_spec(schema: Schema, rel: Relationship, key: Key, *, use_alter: bool) -> FkSpec:
    parent = schema.table(rel.parent_table)
    return FkSpec(
        name=rel.name, columns=tuple(key(c) for c in rel.child_columns),
        ref_namespace=parent.namespace, ref_table=parent.name,
        ref_columns=tuple(schema.column(c).name for c in rel.parent_columns),
        ondelete=_action(rel.on_delete), onupdate=_action(rel.on_update),
        deferrable=rel.deferrable, initially_deferred=rel.initially_deferred,
        use_alter=use_alter, match=None if rel.match == "SIMPLE" else rel.match)


_NEXTVAL = re.compile(r"nextval\(('(?:[^']|'')+')(?:::regclass)?\)")


def server_default_sql(default: str) -> str:
    """A column default as the models state it: ``nextval('s'::regclass)`` loses the cast
    and a ``public.`` qualifier (PostgreSQL stores the same sequence either way and shows
    it so under the default search_path; Alembic compares ``nextval`` defaults textually
    against that form, and else evaluates both, which advances the sequences and never
    finds them equal)."""
    return _NEXTVAL.sub(_nextval, default_sql(default))


def _nextval(found: re.Match[str]) -> str:
    literal = found.group(1)
    for prefix in ("'public.", "'\"public\"."):
        if literal.startswith(prefix):
            literal = "'" + literal[len(prefix):]
            break
    return f"nextval({literal})"


def needs_autoincrement_off(table: Table, column: Column) -> bool:
    """SQLAlchemy turns a lone integer primary key without identity into SERIAL; the design
    means a plain integer there (rule TY-04: identity, not serial)."""
    pk = table.primary_key
    return (len(pk) == 1 and pk[0].uid == column.uid and column.identity is None
            and column.type.kind == "builtin" and column.type.array_dims == 0
            and column.type.name in INTEGER_TYPES)


def primary_key_name(table: Table) -> str:
    return table.pk_name or pk_name(table.name)


def identity_kwargs(column: Column) -> tuple[tuple[str, int | bool], ...]:
    """``sa.Identity``'s keyword arguments for the column's sequence options that are not
    PostgreSQL's defaults (the others are left to it, as the design leaves them)."""
    o = column.identity_options
    if o is None:
        return ()
    pairs = (("start", o.start), ("increment", o.increment), ("minvalue", o.min_value),
             ("maxvalue", o.max_value), ("cache", o.cache))
    out: list[tuple[str, int | bool]] = [(k, int(v)) for k, v in pairs if v is not None]
    if o.cycle:
        out.append(("cycle", True))
    return tuple(out)
