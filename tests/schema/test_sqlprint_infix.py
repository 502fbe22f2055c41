"""Calls PostgreSQL writes in an infix SQL syntax (``x AT TIME ZONE z``, ``x AT LOCAL``,
``(a, b) OVERLAPS (c, d)``) keep their meaning when printed: as the operand of a cast, an
operator, an IS test, COLLATE or a unary minus they are parenthesised, and so are their own
operands. pglast printed ``(created_at AT TIME ZONE 'UTC')::date`` (a common index key) as
``created_at AT TIME ZONE 'UTC'::date``, which the expression layer then refused as "a
printer limit", so importers left such indexes and checks out.

PostgreSQL itself says whether the canonical spelling means the same: both spellings go
into a view and ``pg_get_viewdef`` must print the same."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from modeler.schema import sqlexpr
from tests.pgtemp import PgServer

INFIX = [
    ("(c AT TIME ZONE 'UTC')::date", "(c AT TIME ZONE 'UTC')::date"),
    ("((c AT TIME ZONE 'UTC')::date)", "(c AT TIME ZONE 'UTC')::date"),
    ("(a + interval '1 hour') AT TIME ZONE 'UTC'", "(a + '1 hour'::interval) AT TIME ZONE 'UTC'"),
    ("(c AT TIME ZONE 'UTC') IS NULL", "(c AT TIME ZONE 'UTC') IS NULL"),
    ("(c AT TIME ZONE 'UTC')::text COLLATE \"C\"", None),
    ("-(extract(epoch FROM c AT TIME ZONE 'UTC'))", None),
    ("c AT TIME ZONE 'UTC' + interval '1 day'", None),
    ("c AT TIME ZONE 'UTC'", "c AT TIME ZONE 'UTC'"),
    ("c AT TIME ZONE (z || '')", "c AT TIME ZONE (z || '')"),
    ("c at time zone 'UTC' at time zone 'Europe/Paris'",
     "(c AT TIME ZONE 'UTC') AT TIME ZONE 'Europe/Paris'"),
    ("date_trunc('day', c AT TIME ZONE 'UTC')", "date_trunc('day', c AT TIME ZONE 'UTC')"),
    ("(c::timestamp AT TIME ZONE 'UTC')::date", "(c::timestamp AT TIME ZONE 'UTC')::date"),
    ("(c AT LOCAL)::date", "(c AT LOCAL)::date"),
    ("((a, a + interval '1 day') OVERLAPS (b, b))::int", None),
    ("((a, b) OVERLAPS (a, b)) IS TRUE", "((a, b) OVERLAPS (a, b)) IS TRUE"),
    ("(a, b) OVERLAPS (a, b)", "(a, b) OVERLAPS (a, b)"),
    ("NOT ((a, b) OVERLAPS (a, b)) AND z <> ''", None),
    ("extract(hour FROM c AT TIME ZONE 'UTC') > 3", None),
    ("coalesce(c AT TIME ZONE 'UTC', a) < now()", None),
]


@pytest.mark.parametrize(("text", "canonical"), INFIX)
def test_infix_calls_print_back(text: str, canonical: str | None) -> None:
    printed = sqlexpr.canonical(text)
    if canonical is not None:
        assert printed == canonical
    assert sqlexpr.canonical(printed) == printed  # stable
    assert sqlexpr.problem(text, "check", columns=("a", "b", "c", "z"), table="t") is None


@pytest.fixture(scope="module")
def conn(pg_server: PgServer) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    with pg_server.scratch_connection("sqlprint_infix") as c:
        yield c


@pytest.mark.postgres
@pytest.mark.parametrize(("text", "canonical"), INFIX)
def test_infix_calls_mean_the_same_to_postgresql(
        conn: psycopg.Connection[tuple[object, ...]], text: str, canonical: str | None) -> None:
    if "AT LOCAL" in text and conn.info.server_version < 170000:
        pytest.skip("AT LOCAL is PostgreSQL 17's")
    printed = sqlexpr.canonical(text)
    with conn.transaction(force_rollback=True):
        conn.execute(b"CREATE TABLE t (a timestamp, b timestamp, c timestamptz, z text)")
        conn.execute(f"CREATE VIEW v1 AS SELECT {text}\n AS x FROM t".encode())
        conn.execute(f"CREATE VIEW v2 AS SELECT {printed}\n AS x FROM t".encode())
        row = conn.execute(b"SELECT pg_get_viewdef('v1'::regclass), "
                           b"pg_get_viewdef('v2'::regclass)").fetchone()
    assert row is not None and row[0] == row[1]


@pytest.mark.postgres
def test_an_index_on_the_utc_date_exports_as_written(
        conn: psycopg.Connection[tuple[object, ...]]) -> None:
    """The common index key ``((created_at AT TIME ZONE 'UTC')::date)`` goes through the
    SQL importer and back out as DDL PostgreSQL builds the same index from."""
    from modeler.codegen.ddl import schema_sql
    from modeler.importers import import_sql

    source = ("CREATE TABLE ev (id bigint PRIMARY KEY, created_at timestamptz NOT NULL);\n"
              "CREATE INDEX ev_day ON ev (((created_at AT TIME ZONE 'UTC')::date));\n")
    result = import_sql([("ev.sql", source)])
    (table,) = result.schema.tables
    assert [i.name for i in table.indexes] == ["ev_day"], result.warnings
    defs = []
    for ddl in (source, schema_sql(result.schema)):
        with conn.transaction(force_rollback=True):
            conn.execute(ddl.encode())
            row = conn.execute(b"SELECT pg_get_indexdef('ev_day'::regclass)").fetchone()
            assert row is not None
            defs.append(row[0])
    assert defs[0] == defs[1]
