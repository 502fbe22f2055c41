"""The export's Alembic version table never clashes with the design (issue #13, Harbor): a
design that holds a relation named ``alembic_version`` gets ``alembic_version_1`` for Alembic's
bookkeeping, and its own ``alembic_version`` table round-trips like any table."""

from __future__ import annotations

import os
import subprocess
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from modeler.codegen.bundle import build_bundle
from modeler.codegen.version_table import version_table_name
from modeler.codegen.versions import VersionInput
from modeler.importers import import_sql
from modeler.schema import model as m
from tests.codegen import helpers as h
from tests.pgtemp import PgServer

# Harbor's own history table (it once used Alembic): no key, the same column as Alembic's.
HARBOR_LIKE = """
CREATE TABLE alembic_version (version_num varchar(32) NOT NULL);
CREATE TABLE item (id integer PRIMARY KEY, title text NOT NULL);
"""


def _schema(sql: str) -> m.Schema:
    result = import_sql([("script.sql", sql)])
    assert [str(w) for w in result.warnings if w.kind == "error"] == []
    return result.schema


def test_the_default_name_when_the_design_does_not_use_it() -> None:
    assert version_table_name([_schema("CREATE TABLE item (id integer PRIMARY KEY);")]) \
        == "alembic_version"
    assert version_table_name([]) == "alembic_version"


@pytest.mark.parametrize("sql", [
    HARBOR_LIKE,
    "CREATE SCHEMA app; CREATE TABLE app.alembic_version (v text);",  # any namespace
    "CREATE VIEW alembic_version AS SELECT 1 AS one;",  # a kept view
    "CREATE SEQUENCE alembic_version;",
    "CREATE TYPE alembic_version AS ENUM ('a');",  # a table's row type would clash
    "CREATE TABLE t (id integer, CONSTRAINT alembic_version_pkc UNIQUE (id));",  # its key
    # a kept DO block that creates it at run time
    "DO $$BEGIN EXECUTE 'CREATE TABLE IF NOT EXISTS alembic_version (v text)'; END$$;",
])
def test_a_name_the_design_uses_is_skipped(sql: str) -> None:
    assert version_table_name([_schema(sql)]) == "alembic_version_1"


def test_the_first_free_name_over_every_version() -> None:
    first = _schema(HARBOR_LIKE)
    second = _schema("CREATE TABLE alembic_version_1 (id integer PRIMARY KEY);")
    # the name must hold for the whole history: one version's names are enough to skip it
    assert version_table_name([first, second]) == "alembic_version_2"
    assert version_table_name([second]) == "alembic_version"


def _versions(*schemas: m.Schema) -> list[VersionInput]:
    return [VersionInput(number=n, message=f"Version {n}", author="tester",
                         created=f"2026-01-0{n}", schema=s)
            for n, s in enumerate(schemas, start=1)]


def test_env_and_bundle_tests_name_the_chosen_table() -> None:
    files = build_bundle(_versions(_schema(HARBOR_LIKE)), slug="harbor")
    env = files["migrations/env.py"].decode()
    assert 'VERSION_TABLE = "alembic_version_1"' in env
    assert '"version_table": VERSION_TABLE' in env
    assert 'VERSION_TABLE = "alembic_version_1"' in files["tests/test_migrations.py"].decode()
    plain = build_bundle(_versions(_schema("CREATE TABLE item (id integer PRIMARY KEY);")),
                         slug="plain")
    assert 'VERSION_TABLE = "alembic_version"' in plain["migrations/env.py"].decode()


def _tables(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [r[0] for r in conn.execute(
            "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = "
            "'public'::regnamespace ORDER BY 1")]


@pytest.mark.postgres
def test_the_designs_alembic_version_round_trips(tmp_path: Path, pg_server: PgServer) -> None:
    """Upgrade, check, the design's table holds rows like any table, down to base, up again,
    and the bundle's own tests (rows at every revision, leftovers after base) pass."""
    first = _schema(HARBOR_LIKE)
    item = first.table_named("item")
    assert item is not None
    second = m.normalized(replace(first, tables=tuple(
        replace(t, columns=(*t.columns, m.Column(uid="c-note", name="note",
                                                 type=m.ColumnType(name="text"),
                                                 nullable=True)))
        if t.uid == item.uid else t for t in first.tables)))
    bundle = h.write_bundle(build_bundle(_versions(first, second), slug="harbor"),
                            tmp_path / "bundle")
    url, scratch = pg_server.create_database(), pg_server.create_database()
    try:
        h.alembic(bundle, url, "upgrade", "head")
        assert _tables(url) == ["alembic_version", "alembic_version_1", "item"]
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT version_num FROM alembic_version_1").fetchall() == [
                ("0002_version_2",)]
            assert conn.execute("SELECT count(*) FROM alembic_version").fetchone() == (0,)
            conn.execute("INSERT INTO alembic_version VALUES ('1.6.0')")  # Harbor's own row
        h.alembic(bundle, url, "check")
        h.alembic(bundle, url, "downgrade", "base")
        assert _tables(url) == ["alembic_version_1"]
        assert h.leftovers(url) == []
        h.alembic(bundle, url, "upgrade", "head")
        assert _tables(url) == ["alembic_version", "alembic_version_1", "item"]

        env = {k: v for k, v in os.environ.items()
               if k not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")}
        proc = subprocess.run(
            [str(h.VENV_BIN / "python"), "-m", "pytest", "-q", "-rs", "-p", "no:django", "-p",
             "no:cacheprovider"], cwd=bundle, env={**env, "DATABASE_URL": scratch},
            capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0 and " failed" not in proc.stdout, proc.stdout[-3000:]
    finally:
        pg_server.drop_database(url)
        pg_server.drop_database(scratch)
