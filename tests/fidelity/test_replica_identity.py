"""``ALTER TABLE ... REPLICA IDENTITY FULL | NOTHING | USING INDEX``: what logical replication
sends of an updated or deleted row (pgl-ddl-deploy's tables are FULL). The import lost it
(the SQL import took it for a physical setting; the live import did not read
``pg_class.relreplident``), so the export's tables sent the key only. It is kept as SQL on
its table, as a trigger's enabled state is (15848f8); the revision that adds it sets it back
to DEFAULT on the way down, and the differ carries a change between versions."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from modeler.codegen.bundle import VersionInput, build_bundle
from modeler.importers import import_sql
from modeler.schema.model import Schema
from tests.codegen.helpers import write_bundle
from tests.fidelity import roundtrip as rt
from tests.fidelity.test_roundtrip_classes import _loop
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

REPLICA = """CREATE SCHEMA app;
CREATE TABLE full_row (id int PRIMARY KEY, body text);
ALTER TABLE full_row REPLICA IDENTITY FULL;
CREATE TABLE app.no_row (id int PRIMARY KEY);
ALTER TABLE ONLY app.no_row REPLICA IDENTITY NOTHING;
CREATE TABLE by_code (id int PRIMARY KEY, code text NOT NULL);
CREATE UNIQUE INDEX by_code_code ON by_code (code);
ALTER TABLE by_code REPLICA IDENTITY USING INDEX by_code_code;
CREATE TABLE by_key (id int, code text NOT NULL, CONSTRAINT by_key_code UNIQUE (code));
ALTER TABLE by_key REPLICA IDENTITY USING INDEX by_key_code;
CREATE TABLE back_again (id int PRIMARY KEY);
ALTER TABLE back_again REPLICA IDENTITY FULL;
ALTER TABLE back_again REPLICA IDENTITY DEFAULT;
CREATE TABLE changed (id int PRIMARY KEY);
ALTER TABLE changed REPLICA IDENTITY FULL;
ALTER TABLE changed REPLICA IDENTITY NOTHING;
"""


@pytest.mark.parametrize("live", [False, True], ids=["sql", "live"])
def test_replica_identity_round_trips(pg_server: PgServer, tmp_path: Path,
                                      live: bool) -> None:
    _loop(pg_server, tmp_path, REPLICA, objects=True, live=live)


def _identities(url: str) -> dict[str, str]:
    with psycopg.connect(url) as conn:
        return {r[0]: r[1] for r in conn.execute(
            "SELECT c.relname, c.relreplident::text FROM pg_class c JOIN pg_namespace n "
            "ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind = 'r' "
            "AND c.relname <> 'alembic_version'")}


def _schema(sql: str, settings: Schema | None = None) -> Schema:
    schema = import_sql([("v.sql", sql)]).schema
    return replace(schema, settings=settings.settings) if settings is not None else schema


def test_replica_identity_changes_between_versions(pg_server: PgServer,
                                                   tmp_path: Path) -> None:
    """v1 without, v2 FULL, v3 NOTHING: each revision sets it, and back on the way down."""
    base = "CREATE TABLE item (id int PRIMARY KEY, code text NOT NULL UNIQUE);\n"
    one = _schema(base)
    two = _schema(base + "ALTER TABLE item REPLICA IDENTITY FULL;\n", one)
    three = _schema(base + "ALTER TABLE item REPLICA IDENTITY USING INDEX item_code_key;\n",
                    one)
    versions = [VersionInput(1, "first", "t", "2026-01-01", one, baseline=True),
                VersionInput(2, "full", "t", "2026-01-02", two),
                VersionInput(3, "by code", "t", "2026-01-03", three)]
    bundle = write_bundle(build_bundle(versions, slug="ri"), tmp_path / "bundle")
    revisions = sorted(p.stem for p in (bundle / "migrations" / "versions").glob("000*.py"))
    with rt.database(pg_server) as url:
        for revision, identity in zip(revisions, "dfi", strict=True):
            up = rt.alembic(bundle, url, "upgrade", revision)
            assert up.returncode == 0, up.stderr[-2000:]
            assert _identities(url) == {"item": identity}, revision
        check = rt.alembic(bundle, url, "check")
        assert check.returncode == 0, check.stdout + check.stderr[-2000:]
        for revision, identity in zip(reversed(revisions[:-1]), "fd", strict=True):
            down = rt.alembic(bundle, url, "downgrade", revision)
            assert down.returncode == 0, down.stderr[-2000:]
            assert _identities(url) == {"item": identity}, revision


def test_the_drizzle_migrations_carry_it() -> None:
    """The Drizzle bundle's migrations set it, and their down files set the one before."""
    base = "CREATE TABLE item (id int PRIMARY KEY, code text NOT NULL UNIQUE);\n"
    one = _schema(base)
    versions = [VersionInput(1, "first", "t", "2026-01-01", one, baseline=True),
                VersionInput(2, "full", "t", "2026-01-02",
                             _schema(base + "ALTER TABLE item REPLICA IDENTITY FULL;\n", one))]
    files = build_bundle(versions, slug="ri", target="drizzle")
    up = files["drizzle/0001_v2_full.sql"].decode()
    down = files["drizzle/0001_v2_full.down.sql"].decode()
    assert "ALTER TABLE item REPLICA IDENTITY FULL;" in up
    assert "ALTER TABLE IF EXISTS item REPLICA IDENTITY DEFAULT;" in down


INDEX_RENAMED = """CREATE TABLE by_code (id int PRIMARY KEY, code text NOT NULL);
CREATE UNIQUE INDEX by_code_code ON by_code (code);
ALTER TABLE by_code REPLICA IDENTITY USING INDEX by_code_code;
ALTER INDEX by_code_code RENAME TO by_code_renamed;
CREATE TABLE gone (id int PRIMARY KEY, code text NOT NULL);
CREATE UNIQUE INDEX gone_code ON gone (code);
ALTER TABLE gone REPLICA IDENTITY USING INDEX gone_code;
DROP INDEX gone_code;
"""


def test_the_kept_statement_follows_its_index() -> None:
    """Renamed, the index is named anew; dropped, the table has no replica identity left
    (PostgreSQL keeps relreplident 'i' without an index: as NOTHING)."""
    kept = {o.name: o.sql for o in import_sql([("s.sql", INDEX_RENAMED)]).schema.raw_objects}
    assert "USING INDEX by_code_renamed" in kept["by_code"]
    assert "REPLICA IDENTITY NOTHING" in kept["gone"]


def test_a_renamed_index_round_trips(pg_server: PgServer, tmp_path: Path) -> None:
    _loop(pg_server, tmp_path, INDEX_RENAMED.split("CREATE TABLE gone")[0], objects=True)
