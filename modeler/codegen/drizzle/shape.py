"""Decisions ``schema.ts`` and the drizzle-kit snapshot share: how a default, an index key,
an FK action or a table's namespace is expressed in Drizzle. Both writers read these, so the
snapshot is what drizzle-kit itself serialises from ``schema.ts``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from modeler.codegen import specs
from modeler.codegen.sqlwriter import expr as canonical_expr
from modeler.codegen.sqlwriter import ident, index_key_sql, index_part_sql
from modeler.schema.model import Column, Index, IndexPart, Schema

DefaultKind = Literal["now", "random", "sql"]

FK_ACTIONS = {"CASCADE": "cascade", "RESTRICT": "restrict", "NO ACTION": "no action",
              "SET NULL": "set null", "SET DEFAULT": "set default"}


def column_default(c: Column) -> tuple[DefaultKind, str] | None:
    """``('now', 'now()')`` → ``.defaultNow()``, ``('random', 'gen_random_uuid()')`` →
    ``.defaultRandom()`` (uuid), else ``('sql', text)`` → ``.default(sql`text`)``; the text
    is the default as the SQLAlchemy models state it (and the snapshot's ``default``)."""
    if c.default is None:
        return None
    text = specs.server_default_sql(c.default)
    base = c.type.name if c.type.kind == "builtin" and not c.type.array_dims else ""
    if text == "now()" and base in ("timestamp", "timestamptz", "date", "time", "timetz"):
        return "now", text
    if text == "gen_random_uuid()" and base == "uuid":
        return "random", text
    return "sql", text


def not_null(c: Column) -> bool:
    return not c.nullable or c.in_pk


@dataclass(frozen=True)
class IndexKey:
    """One key of an index as Drizzle writes it: a column (with ``.desc()``,
    ``.nullsFirst()``, ``.op()``) or an SQL expression (modifiers inside the text)."""

    column: str | None  # column uid
    expression: str | None  # SQL text
    asc: bool = True
    nulls: Literal["first", "last"] = "last"
    opclass: str | None = None


def _expression_key(expression: str) -> str:
    """An expression key as PostgreSQL requires it (a bare function call, else in
    parentheses), in the SQLAlchemy bundle's spelling: that one drops parentheses around a
    lone name, which leaves a constant (``(TRUE)``, repmgr's one-row index) bare, and a syntax
    error where no SQLAlchemy puts them back."""
    text = specs.expression_sql(expression)
    if index_key_sql(expression).startswith("(") and not text.startswith("("):
        text = f"({text})"
    return text


def part_sql(schema: Schema, part: IndexPart) -> str:
    return index_part_sql(ident(schema.column(part.column).name) if part.column is not None
                          else _expression_key(part.expression or ""), part)


def index_keys(schema: Schema, ix: Index) -> list[IndexKey]:
    """A plain column key (no collation) stays a column, with its order, NULLS placement
    stated as PostgreSQL means it (DESC puts NULLs first) and its operator class; anything
    else is an SQL expression with its modifiers written in."""
    out: list[IndexKey] = []
    for part in ix.parts:
        if part.column is not None and not part.collation:
            nulls = part.nulls or ("first" if part.descending else "last")
            out.append(IndexKey(part.column, None, not part.descending, nulls, part.opclass))
        else:
            out.append(IndexKey(None, part_sql(schema, part)))
    return out


def index_where(ix: Index) -> str | None:
    return canonical_expr(ix.where) if ix.where else None
