"""The bundle's ``schema.sql`` of every SQL corpus schema loads with psql into an empty
database, as one transaction that stops at the first error, and builds every table of the
design. It is meant for review (the migrations build the database), but people run it: it
ran namespaces only kept SQL lives in (adventureworks' views in hr) and kept functions that
defaults, CHECKs and index expressions call (crates-io, koji, graphile-starter) after the
statements that need them."""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg
import pytest

from modeler.codegen.ddl import schema_sql
from tests.fidelity.roundtrip import SQL_SCHEMAS, available_extensions, import_spec
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"


@pytest.mark.parametrize("name", sorted(SQL_SCHEMAS))
def test_schema_sql_loads_into_an_empty_database(name: str, pg_server: PgServer) -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"the corpus is not at {CORPUS}")
    schema = import_spec(SQL_SCHEMAS[name]).schema
    missing = {e.name for e in schema.extensions} - available_extensions(pg_server)
    if missing:
        pytest.skip(f"this PostgreSQL lacks the extensions {sorted(missing)}")
    url = pg_server.create_database()
    try:
        done = subprocess.run(
            [pg_server.tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-1", url],
            input=schema_sql(schema), capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, done.stderr[-2000:]
        with psycopg.connect(url) as conn:
            tables = {(r[0], r[1]) for r in conn.execute(
                "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON "
                "n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p')")}
        assert {(t.namespace, t.name) for t in schema.tables} <= tables
    finally:
        pg_server.drop_database(url)
