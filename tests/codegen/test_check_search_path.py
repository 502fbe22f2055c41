"""``alembic check`` on a database whose search_path names a namespace of the design beyond
the default one: SQLAlchemy reflects the default schema as every table search_path makes
visible (``pg_table_is_visible``), so that namespace's tables were seen twice, once where
they are and once as the default schema's, and the check reported them removed
(``remove_table``) though the database was exactly the design's. Found by PostGIS topology's
script (bench/stranger_schemas.py: postgis-topology), which ends with ``SELECT
topology.AddToSearchPath('topology')`` (ALTER DATABASE ... SET search_path); a DBA setting the
database's or a role's search_path does the same."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from modeler.importers import import_sql
from tests.fidelity import roundtrip as rt
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

# the shape of postgis_topology's script: a function that appends its namespace to the
# database's search_path, called by the script itself (kept, replayed by the upgrade)
ADDS_ITSELF = """
CREATE SCHEMA geo;
CREATE TABLE geo.topology (id serial PRIMARY KEY, name varchar NOT NULL UNIQUE);
CREATE TABLE geo.layer (topology_id integer NOT NULL REFERENCES geo.topology (id),
    layer_id integer NOT NULL, PRIMARY KEY (topology_id, layer_id));
CREATE TABLE item (id integer PRIMARY KEY, layer integer);
CREATE FUNCTION geo.add_to_search_path(a_schema varchar) RETURNS text AS $$
BEGIN
    EXECUTE 'ALTER DATABASE ' || quote_ident(current_database())
        || ' SET search_path = "$user", public, ' || quote_ident(a_schema);
    RETURN a_schema;
END $$ LANGUAGE plpgsql;
SELECT geo.add_to_search_path('geo');
"""

PLAIN = """
CREATE SCHEMA geo;
CREATE TABLE geo.layer (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE geo.face (id integer PRIMARY KEY, layer_id integer REFERENCES geo.layer (id));
CREATE TABLE item (id integer PRIMARY KEY);
"""


def _checked(server: PgServer, sql: str, root: Path, before: str = "") -> None:
    """``sql`` imported, exported, upgraded into a new database (``before`` run on it
    first); the database's search_path names ``geo``, and ``alembic check`` is clean."""
    result = import_sql([("script.sql", sql)])
    bundle = rt.export_bundle(result.schema, root, "searchpath")
    with rt.database(server) as url:
        if before:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(before.replace("DB", conn.info.dbname))
        rt.alembic_upgrade(bundle, url)
        with psycopg.connect(url) as conn:  # a new session: the database's setting
            path = conn.execute("SHOW search_path").fetchone()
        assert path is not None and "geo" in path[0]
        proc = rt.alembic(bundle, url, "check")
        assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]


def test_a_kept_call_that_appends_a_namespace_to_the_database_search_path(
        pg_server: PgServer, tmp_path: Path) -> None:
    _checked(pg_server, ADDS_ITSELF, tmp_path)


@pytest.mark.parametrize("before", [
    'ALTER DATABASE "DB" SET search_path = "$user", public, geo',
    "ALTER ROLE CURRENT_USER IN DATABASE \"DB\" SET search_path = public, geo",
])
def test_a_search_path_set_outside_the_design(pg_server: PgServer, tmp_path: Path,
                                              before: str) -> None:
    _checked(pg_server, PLAIN, tmp_path, before)
