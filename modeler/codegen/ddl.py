"""``schema.sql``: the whole design as PostgreSQL DDL, in dependency order.

Tables, constraints, indexes and comments are compiled by SQLAlchemy's PostgreSQL dialect from
:func:`~modeler.codegen.metadata.metadata_from_schema` (the same path ``create_all`` takes);
the statements of :mod:`modeler.codegen.extras` come before and after; FKs that close a cycle
are added with ``ALTER TABLE`` once every table exists; raw objects from imports that the
tables may call (functions, types) come before the tables, the others last.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.schema import (
    AddConstraint,
    CreateIndex,
    CreateTable,
    SetColumnComment,
    SetTableComment,
)
from sqlalchemy.sql.ddl import sort_tables_and_constraints

from modeler.codegen import extras
from modeler.codegen.metadata import metadata_from_schema
from modeler.codegen.migration import search_path
from modeler.codegen.migration_code import sql_str
from modeler.codegen.plan import ModelPlan
from modeler.codegen.sqlwriter import ident, pg_dialect
from modeler.diff.compare_types import early_raw_objects
from modeler.schema.model import Schema

# schema.sql is read by psql, not a driver: a dialect with named parameters writes ``%`` as
# it is (the default pyformat one doubles it for psycopg)
_DIALECT = pg_dialect(paramstyle="named")
_Sorted = list[tuple[sa.Table | None, list[sa.ForeignKeyConstraint]]]
_sort = cast(Callable[[list[sa.Table]], _Sorted], sort_tables_and_constraints)


def _compile(element: Any, *, verbatim: bool = False) -> str:
    """The statement's SQL. SQLAlchemy's CREATE TABLE leaves spaces at line ends: they are
    cut, on the statement's own lines ("\n" only: CR, NEL, U+2028... are text). A
    ``verbatim`` statement (a COMMENT, whose literal may hold any of them and trailing
    spaces) is kept as SQLAlchemy writes it."""
    text = str(element.compile(dialect=_DIALECT)).strip()
    if verbatim:
        return text
    return "\n".join(line.rstrip() for line in text.split("\n"))


def _table_statements(table: sa.Table, fkcs: Any) -> list[str]:
    out = [_compile(CreateTable(table, include_foreign_key_constraints=fkcs))]
    out += [_compile(CreateIndex(i)) for i in sorted(table.indexes, key=lambda i: i.name or "")]
    if table.comment:
        out.append(_compile(SetTableComment(table), verbatim=True))
    out += [_compile(SetColumnComment(c), verbatim=True) for c in table.columns if c.comment]
    return out


def _section(title: str, statements: list[str]) -> str:
    if not statements:
        return ""
    body = "".join(f"{s};\n\n" for s in statements)
    return f"-- {title}\n\n{body}"


def _raw_statements(objects: list[Any], base: str | None) -> list[str]:
    """Kept raw objects' SQL, each under the search_path it was written under (``base``
    after: the script's); function bodies are not checked against tables that do not exist
    yet (as pg_dump)."""
    if not objects:
        return []
    raw = ["SET check_function_bodies = false"]
    back = f"SET search_path = {base};" if base else "RESET search_path;"
    path = ""  # how search_path was set for the raw objects so far ("": the script's)
    for r in objects:
        if r.search_path is not None:  # the one it was written under (SQL imports)
            wanted = (f"SELECT pg_catalog.set_config('search_path', {sql_str(r.search_path)}, "
                      "false);")
        elif r.namespace not in ("", "public"):
            wanted = f"SET search_path = {ident(r.namespace)}, public;"
        else:
            wanted = ""
        change = f"{wanted or back}\n" if wanted != path else ""
        raw.append(f"-- {r.kind} {r.namespace}.{r.name} (kept from the import)\n{change}"
                   + r.sql.strip().rstrip(";"))
        path = wanted
    if path:
        raw.append(back.rstrip(";"))
    raw.append("RESET check_function_bodies")
    return raw


def schema_sql(schema: Schema, *, plan: ModelPlan | None = None, title: str = "") -> str:
    """The complete DDL script for ``schema`` (deterministic text)."""
    md = metadata_from_schema(schema, plan=plan, ddl_events=False)
    tables = sorted(md.tables.values(), key=lambda t: (t.schema or "", t.name))
    table_stmts: list[str] = []
    alter_stmts: list[str] = []
    for table, fkcs in _sort(tables):
        if table is not None:
            table_stmts += _table_statements(table, fkcs)
        else:
            alter_stmts += [_compile(AddConstraint(fk))
                            for fk in sorted(fkcs, key=lambda f: str(f.name))]
    # kept SQL a CHECK, default or index expression may call (functions, types) goes before
    # the tables, the rest after them, as the Alembic revision (the differ) orders them
    early = early_raw_objects(schema)
    # what the expressions and kept SQL name unqualified resolves as in the migrations
    base = search_path(schema, schema)
    first = _raw_statements([r for r in schema.raw_objects if r.uid in early], base)
    last = _raw_statements([r for r in schema.raw_objects if r.uid not in early], base)
    head = f"-- {title}\n" if title else ""
    parts = [
        f"{head}-- Generated by the ER modeler from the design; do not edit.\n"
        "-- Apply with the Alembic migrations (alembic upgrade head); this file is for review.\n\n",
        _section("The namespaces unqualified names are found in, as in the migrations",
                 [f"SET search_path = {base}"] if base else []),
        _section("Namespaces, extensions, types, sequences",
                 [f"CREATE SCHEMA IF NOT EXISTS {ident(ns)}"
                  for ns in extras.raw_namespaces(schema)] + extras.pre_create(schema)),
        _section("Objects kept from the import that the tables may call (not modelled)",
                 first),
        _section("Tables, indexes and comments", table_stmts),
        _section("Foreign keys closing a cycle", alter_stmts),
        _section("Triggers, ownership and comments on other objects",
                 extras.post_create(schema)),
        _section("Objects kept from the import (not modelled)", last),
    ]
    if base:
        parts.append(_section("Back to the session's search_path", ["RESET search_path"]))
    return "".join(parts).rstrip() + "\n"
