"""Expressions printed back from the AST: functions written in SQL syntax keep that syntax.

PostgreSQL records how a call was written (``NORMALIZE(x, NFKC)`` vs ``normalize(x, 'NFKC')``)
and prints it back that way, so an index or CHECK re-created from our text must use the same
form to be the same fact (openstreetmap's ``lower(NORMALIZE(display_name, NFKC))`` index,
evergreen's ``SUBSTRING(value FROM 1 FOR 1024)`` ones).
"""

from __future__ import annotations

import psycopg
import pytest
from pglast import parse_sql

from modeler.importers import import_sql
from modeler.importers.sql.deparse import expr_sql

# (written, printed by expr_sql)
SQL_SYNTAX = [
    ("NORMALIZE(a)", "normalize(a)"),
    ("lower(NORMALIZE(a, NFKC))", "lower(normalize(a, NFKC))"),
    ("SUBSTRING(a FROM 2)", "substring(a FROM 2)"),
    ("SUBSTRING(a FROM 1 FOR 1024)", "substring(a FROM 1 FOR 1024)"),
    ("substring(a for 3)", "substring(a FROM 1 FOR 3::integer)"),
    ("trim(a)", "trim(BOTH FROM a)"),
    ("trim(leading 'x' from a)", "trim(LEADING 'x' FROM a)"),
    ("trim(trailing from a)", "trim(TRAILING FROM a)"),
    ("overlay(a placing b from 2 for 3)", "overlay(a PLACING b FROM 2 FOR 3)"),
    ("ts at time zone 'UTC'", "ts AT TIME ZONE 'UTC'"),
    ("(ts, ts) overlaps (ts, ts)", "(ts, ts) OVERLAPS (ts, ts)"),
    ("collation for (a)", "COLLATION FOR (a)"),
    ("xmlexists('//x' passing by ref x)", "xmlexists('//x' PASSING BY REF x)"),
    ("EXTRACT(year FROM ts)", "EXTRACT(YEAR FROM ts)"),
    ("position(a in b)", "position(a IN b)"),
]
# written as plain calls: stay plain calls
PLAIN = [
    ("substring(a, 1, 2)", "substring(a, 1, 2)"),
    ("pg_catalog.btrim(a)", "pg_catalog.btrim(a)"),
    ("normalize(a)", "normalize(a)"),
]


def _printed(expression: str) -> str:
    return expr_sql(parse_sql(f"SELECT {expression}")[0].stmt.targetList[0].val)


@pytest.mark.parametrize(("written", "printed"), SQL_SYNTAX + PLAIN)
def test_sql_syntax_calls_keep_their_syntax(written: str, printed: str) -> None:
    assert _printed(written) == printed


def test_three_argument_overlay_stays_a_call() -> None:
    """pglast's OVERLAY printer needs FOR; without it the call form is kept (same function,
    PostgreSQL only prints it differently)."""
    assert _printed("overlay(a placing b from 2)") == "pg_catalog.overlay(a, b, 2)"


def test_imported_index_keeps_normalize_syntax() -> None:
    result = import_sql([("t.sql", """
        CREATE TABLE public.users (id bigint PRIMARY KEY, display_name varchar NOT NULL);
        CREATE INDEX users_display_name_canonical_idx ON public.users
            USING btree (lower(NORMALIZE(display_name, NFKC)));""")])
    table = result.schema.table_named("users", "public")
    assert table is not None
    index = next(i for i in table.indexes if i.name == "users_display_name_canonical_idx")
    assert index.parts[0].expression == "lower(normalize(display_name, NFKC))"


@pytest.mark.postgres
def test_postgresql_stores_the_printed_form_as_the_written_one(pg_url: str) -> None:
    """Each printed expression, in a CHECK, reads back from the catalog exactly as the
    written one does."""
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE t (a text, b text, ts timestamptz, x xml)")
        for i, (written, _) in enumerate(SQL_SYNTAX + PLAIN):
            printed = _printed(written)
            conn.execute(f"ALTER TABLE t ADD CONSTRAINT w{i} CHECK (({written}) IS NOT NULL),"
                         f" ADD CONSTRAINT p{i} CHECK (({printed}) IS NOT NULL)")
        rows = conn.execute("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                            "WHERE conrelid = 't'::regclass").fetchall()
    defs: dict[str, str] = dict(rows)
    for i, (written, _) in enumerate(SQL_SYNTAX + PLAIN):
        assert defs[f"p{i}"] == defs[f"w{i}"], written
