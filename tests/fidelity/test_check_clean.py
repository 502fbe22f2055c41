"""``alembic check`` after ``alembic upgrade head`` reports nothing, also where the database's
session differs from the one the design assumed: a design namespace first on the database's
search_path, and indexes a kept DO block makes at run time."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from modeler.importers import import_sql
from tests.fidelity import roundtrip as rt
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

APP_FIRST = """CREATE SCHEMA app;
CREATE TABLE app.item (id int PRIMARY KEY, label text NOT NULL);
CREATE TABLE app.part (id int PRIMARY KEY, item_id int REFERENCES app.item);
CREATE TABLE public.note (id int PRIMARY KEY, item_id int REFERENCES app.item);
"""


def _check(server: PgServer, tmp_path: Path, sql: str, *setup: str,
           before: bool = False) -> str:
    """``alembic check``'s output after ``alembic upgrade head`` of ``sql``'s export on a
    new database where ``setup`` ran after the upgrade (``before``: before it), or '' when
    clean."""
    result = import_sql([("script.sql", sql)])
    assert [str(w) for w in result.warnings if w.kind == "error"] == []
    bundle = rt.export_bundle(result.schema, tmp_path / "bundle", "bundle")
    with rt.database(server) as url:
        if not before:
            rt.alembic_upgrade(bundle, url)
        with psycopg.connect(url, autocommit=True) as conn:
            for statement in setup:
                conn.execute(statement.replace("$DB", conn.info.dbname))
        if before:
            rt.alembic_upgrade(bundle, url)
        proc = rt.alembic(bundle, url, "check")
    return "" if proc.returncode == 0 else proc.stdout + proc.stderr


@pytest.mark.parametrize("setup", [
    'ALTER DATABASE "$DB" SET search_path = app, public',
    'ALTER ROLE CURRENT_USER IN DATABASE "$DB" SET search_path = app, public'])
def test_a_design_namespace_first_on_the_search_path(pg_server: PgServer, tmp_path: Path,
                                                     setup: str) -> None:
    """The design's tables in ``app``, first on the database's (or the role's) search_path:
    the connection's default schema is ``app``, not ``public``."""
    assert _check(pg_server, tmp_path, APP_FIRST, setup) == ""


def test_the_version_table_made_in_a_design_namespace_first_on_the_path(
        pg_server: PgServer, tmp_path: Path) -> None:
    """``app`` made by hand and first on the search_path before the first upgrade, where an
    earlier export's env.py made Alembic's table (under that search_path): the revisions
    record themselves there, and the comparison does not report it removed."""
    assert _check(pg_server, tmp_path, APP_FIRST, "CREATE SCHEMA app",
                  "CREATE TABLE app.alembic_version (version_num varchar(32) PRIMARY KEY)",
                  'ALTER DATABASE "$DB" SET search_path = app, public', before=True) == ""


RUNTIME_INDEXES = """CREATE SCHEMA app;
CREATE TABLE item (id int PRIMARY KEY, name text, code text);
CREATE TABLE app.part (id int PRIMARY KEY, label text);
CREATE INDEX item_id_name ON item (id, name);
DO $$DECLARE c text; BEGIN FOR c IN SELECT unnest(ARRAY['name', 'code']) LOOP
  EXECUTE format('CREATE INDEX %I ON item (%I)', 'ix_' || c, c); END LOOP; END$$;
CREATE FUNCTION app.index_on(t regclass, c text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN EXECUTE format('CREATE UNIQUE INDEX %I ON %s (%I)', c || '_runtime', t, c); END $$;
SELECT app.index_on('app.part', 'label');
"""


def test_indexes_a_kept_call_makes_at_run_time(pg_server: PgServer, tmp_path: Path) -> None:
    """A DO block's and a kept function's ``EXECUTE format('CREATE INDEX %I ON ...')``: the
    design knows that indexes are made when they run, not their names."""
    assert _check(pg_server, tmp_path, RUNTIME_INDEXES) == ""
