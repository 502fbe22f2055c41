"""An enum losing a label or a domain on another base, under a column a classic INHERITS
child inherits. The design does not model inheritance (the import copies the parent's
columns into the child, with a warning), so the exported migrations never make it; but a
baseline imported from a deployed database is stamped on that database, where the child
does inherit, and the next version retyped the child's column itself after its parent's:
PostgreSQL refuses ALTER COLUMN ... TYPE on an inherited column (cannot alter inherited
column), the parent's retyping reaches it. Tested on the deployed shape: v1's own SQL
loaded, the first revision stamped, rows, up to head (v2's own SQL's catalog), down."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from modeler.codegen.version_table import version_table_name
from tests.catalog import compare, read_catalog
from tests.codegen.helpers import script_versions, versions_bundle
from tests.fidelity import roundtrip as rt
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

V1 = """
CREATE DOMAIN code AS varchar(10);
CREATE TYPE status AS ENUM ('new', 'gone', 'old');
CREATE TABLE item (id int PRIMARY KEY, c code, s status NOT NULL DEFAULT 'new');
CREATE TABLE item_archived (archived_on date) INHERITS (item);
CREATE TABLE item_own (id int PRIMARY KEY, c code, s status NOT NULL DEFAULT 'new', x int);
ALTER TABLE item_own INHERIT item;
"""
V2 = V1.replace("varchar(10)", "varchar(20)").replace("'gone', ", "")
ROWS = """
INSERT INTO item VALUES (1, 'a', 'new');
INSERT INTO item_archived VALUES (2, 'b', 'old', '2025-01-01');
INSERT INTO item_own VALUES (3, 'c', 'old', 7);
"""


def _catalog(server: PgServer, ddl: str) -> object:
    with rt.database(server) as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(ddl)  # type: ignore[arg-type]
        return read_catalog(url)


def test_a_retyping_under_inherits_children_of_a_deployed_database(
        pg_server: PgServer, tmp_path: Path) -> None:
    versions = script_versions(V1, V2)
    bundle, first = versions_bundle(versions, tmp_path / "bundle", "inh")
    table = version_table_name([v.schema for v in versions])

    def alembic(url: str, *args: str) -> None:
        done = rt.alembic(bundle, url, *args)
        said = [ln for ln in done.stderr.splitlines() if "Error" in ln or "SQL:" in ln]
        assert done.returncode == 0, (args, said[-3:])

    def same(url: str, ddl: str) -> None:
        report = compare(_catalog(pg_server, ddl),  # type: ignore[arg-type]
                         rt.without_version_table(read_catalog(url), table))
        assert report.ok, report.text()

    def rows(url: str) -> list[tuple[object, ...]]:
        with psycopg.connect(url) as conn:
            return conn.execute("SELECT id, c, s::text FROM item ORDER BY id").fetchall()

    with rt.database(pg_server) as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(V1)  # type: ignore[arg-type]  # the deployed database
            conn.execute(ROWS)  # type: ignore[arg-type]
        alembic(url, "stamp", first)
        alembic(url, "upgrade", "head")
        same(url, V2)
        assert rows(url) == [(1, "a", "new"), (2, "b", "old"), (3, "c", "old")]
        alembic(url, "downgrade", first)
        same(url, V1)
        assert rows(url) == [(1, "a", "new"), (2, "b", "old"), (3, "c", "old")]
