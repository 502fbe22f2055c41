"""Live import of ``IN (...)`` lists on varchar columns (bench/stranger_schemas.py found it).

Django's ``choices`` constraints (wagtail, django-allauth) and SQLAlchemy's non-native
``Enum`` (mlflow) store ``s IN ('a', 'b')`` on a varchar column, which the catalog prints as
``(s)::text = ANY ((ARRAY['a'::character varying, ...])::text[])``. Read back as it is, the
parser pushes the ``::text[]`` into the elements: the live import → export → upgrade built
another expression than the database it came from. A file import keeps psql's reading of the
same text (what its yardstick, the file loaded with psql, holds).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg
import pytest
from pglast import parse_sql

from modeler.codegen.version_table import version_table_name
from modeler.importers import import_live, import_sql
from modeler.importers.sql.arraycast import keep_array_coercions
from modeler.schema.sqlprint import expr_sql
from tests.catalog import compare, read_catalog
from tests.fidelity import roundtrip as rt
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

DDL = """
CREATE TABLE run (
    id integer PRIMARY KEY,
    status varchar(20) NOT NULL CONSTRAINT run_status_check
        CHECK (status IN ('RUNNING', 'FAILED', 'FINISHED')),
    stage varchar(10),
    kind char(1) CHECK (kind IN ('a', 'b')),
    n bigint CHECK (n::numeric IN (1, 2.5, 3000000000))
);
CREATE UNIQUE INDEX run_active ON run (id, stage) WHERE stage IN ('active', 'deleted');
"""


def _one_expr(sql: str) -> str:
    stmt = parse_sql(sql)[0].stmt
    keep_array_coercions(stmt, sql)
    return str(expr_sql(stmt.targetList[0].val))


def test_a_parenthesised_array_cast_keeps_its_coercion() -> None:
    assert _one_expr("SELECT (ARRAY['a'::character varying, 'b'::character varying])::text[]"
                     ) == "ARRAY['a'::varchar, 'b'::varchar]::varchar[]::text[]"
    assert _one_expr("SELECT (ARRAY[1, 3000000000])::numeric[]").startswith(
        "ARRAY[1, 3000000000]::bigint[]::")
    # not a coercion in the catalog's text: left as written
    assert _one_expr("SELECT ARRAY['a'::varchar]::text[]") == "ARRAY['a'::varchar]::text[]"
    # elements of mixed types: no type to name, left as written
    assert _one_expr("SELECT (ARRAY['a'::varchar, 'b'::text])::text[]") == (
        "ARRAY['a'::varchar, 'b'::text]::text[]")


def test_live_import_rebuilds_in_lists_exactly(pg_server: PgServer, pg_url: str,
                                              tmp_path: Path) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(DDL)  # type: ignore[arg-type]
    expected = read_catalog(pg_url)
    schema = import_live(pg_url).schema
    bundle = rt.export_bundle(schema, tmp_path / "b", "b")
    with rt.database(pg_server) as target:
        rt.alembic_upgrade(bundle, target)
        actual = rt.without_version_table(read_catalog(target), version_table_name([schema]))
        report = compare(expected, actual)
        assert report.ok, report.text()
        loop = rt.run_loop(bundle, target, expected, (), rt._Clock(),
                           version_table_name([schema]))
        assert loop.ok, loop.output or (loop.again.text() if loop.again else loop.leftovers)


def test_file_import_keeps_what_psql_makes_of_the_text(pg_server: PgServer,
                                                       tmp_path: Path) -> None:
    """The same catalog text in a file (pg_dump's output) gives what psql loads from it."""
    with pg_server.scratch_connection("h6") as conn:
        conn.execute(DDL)  # type: ignore[arg-type]
        info = conn.info
        source = f"postgresql://{info.user}@{info.host}:{info.port}/{info.dbname}"
        dump = subprocess.run([pg_server.tool("pg_dump"), "--schema-only", "--no-owner",
                               source], capture_output=True, text=True, check=True).stdout
    assert "(ARRAY['RUNNING'::character varying" in dump
    schema = import_sql([("dump.sql", dump)]).schema
    with rt.database(pg_server) as a:
        rt.psql_run(pg_server, a, dump)
        expected = read_catalog(a)
    actual = rt.migrated_catalog(pg_server, schema, tmp_path, "f")
    report = compare(expected, actual)
    assert report.ok, report.text()
