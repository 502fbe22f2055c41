"""The ``updated_at`` trigger of a partitioned table. From PostgreSQL 13 a row trigger on a
partitioned table is cloned to every partition (and to those attached later, and taken off
those detached); PostgreSQL 12 refuses it (partitioned tables cannot have BEFORE / FOR EACH
ROW triggers). The export put it on the parent and on every partition too, so on 13+ it ran
twice per row, and a design targeting 12 failed to load. Now: on the parent alone when the
project's target version (``Settings.pg_version``) is 13 or later, on each leaf partition
below, the same in ``schema.sql``, ``create_all``, the Drizzle DDL and the Alembic revisions
(a partition attached or detached between versions, both directions), and the live import
of such a database gives the same triggers back."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from modeler.codegen.bundle import VersionInput, build_bundle
from modeler.codegen.ddl import schema_sql
from modeler.codegen.drizzle.ddl import create_all as drizzle_create_all
from modeler.codegen.metadata import metadata_from_schema
from modeler.codegen.plan import build_plan
from modeler.codegen.version_table import version_table_name
from modeler.importers import import_sql
from modeler.importers.live import import_live
from modeler.schema.model import Schema, Settings
from tests.codegen.helpers import sa_url, write_bundle
from tests.fidelity import roundtrip as rt
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

COLS = ("id int NOT NULL, at date NOT NULL, note text, "
        "created_at timestamptz NOT NULL DEFAULT now(), "
        "updated_at timestamptz NOT NULL DEFAULT now(), PRIMARY KEY (id, at)")
V1 = f"""
CREATE TABLE ev ({COLS}) PARTITION BY RANGE (at);
CREATE TABLE ev_2024 PARTITION OF ev FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE ev_2025 PARTITION OF ev FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')
    PARTITION BY RANGE (id);
CREATE TABLE ev_2025_low PARTITION OF ev_2025 FOR VALUES FROM (0) TO (1000);
CREATE TABLE ev_2026 ({COLS});
CREATE TABLE plain (id int PRIMARY KEY, updated_at timestamptz NOT NULL DEFAULT now());
"""
# ev_2024 detached, ev_2026 attached
V2 = (V1.replace("CREATE TABLE ev_2024 PARTITION OF ev FOR VALUES FROM ('2024-01-01') TO "
                 "('2025-01-01');", f"CREATE TABLE ev_2024 ({COLS});")
      .replace(f"CREATE TABLE ev_2026 ({COLS});", "CREATE TABLE ev_2026 PARTITION OF ev FOR "
               "VALUES FROM ('2026-01-01') TO ('2027-01-01');"))
ROWS = ("INSERT INTO ev (id, at) VALUES (1, '2024-05-01'), (2, '2025-05-01');"
        "INSERT INTO ev_2026 (id, at) VALUES (3, '2026-05-01');")

TRIGGERS_SQL = """
SELECT c.relname, t.tgname, t.tgparentid <> 0 FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal ORDER BY 1, 2
"""
Triggers = list[tuple[str, str, bool]]

# (table, trigger, cloned from its parent's)
ON_PARENT_1: Triggers = [
    ("ev", "trg_ev_updated_at", False), ("ev_2024", "trg_ev_updated_at", True),
    ("ev_2025", "trg_ev_updated_at", True), ("ev_2025_low", "trg_ev_updated_at", True),
    ("ev_2026", "trg_ev_2026_updated_at", False), ("plain", "trg_plain_updated_at", False)]
ON_PARENT_2: Triggers = [
    ("ev", "trg_ev_updated_at", False), ("ev_2024", "trg_ev_2024_updated_at", False),
    ("ev_2025", "trg_ev_updated_at", True), ("ev_2025_low", "trg_ev_updated_at", True),
    ("ev_2026", "trg_ev_updated_at", True), ("plain", "trg_plain_updated_at", False)]
ON_LEAVES_1: Triggers = [
    ("ev_2024", "trg_ev_2024_updated_at", False),
    ("ev_2025_low", "trg_ev_2025_low_updated_at", False),
    ("ev_2026", "trg_ev_2026_updated_at", False), ("plain", "trg_plain_updated_at", False)]
ON_LEAVES_2 = ON_LEAVES_1
EXPECTED = {16: (ON_PARENT_1, ON_PARENT_2), 13: (ON_PARENT_1, ON_PARENT_2),
            12: (ON_LEAVES_1, ON_LEAVES_2)}


def _schemas(pg: int) -> tuple[Schema, Schema]:
    settings = Settings(pg_version=pg)
    one = replace(import_sql([("v1.sql", V1)]).schema, settings=settings)
    two = replace(import_sql([("v2.sql", V2)]).schema, settings=settings)
    return one, two


def _triggers(url: str) -> Triggers:
    with psycopg.connect(url) as conn:
        return [(str(a), str(b), bool(c)) for a, b, c in conn.execute(TRIGGERS_SQL)]


def _loaded(server: PgServer, sql: str) -> Triggers:
    with rt.database(server) as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql)  # type: ignore[arg-type]
        return _triggers(url)


def _created_all(server: PgServer, schema: Schema) -> Triggers:
    with rt.database(server) as url:
        engine = sa.create_engine(sa_url(url), poolclass=sa.pool.NullPool)
        try:
            metadata_from_schema(schema).create_all(engine)
        finally:
            engine.dispose()
        return _triggers(url)


@pytest.mark.parametrize("pg", [16, 13, 12])
def test_schema_sql_create_all_and_drizzle_put_the_trigger_once(pg_server: PgServer,
                                                                pg: int) -> None:
    for schema, expected in zip(_schemas(pg), EXPECTED[pg], strict=True):
        assert _loaded(pg_server, schema_sql(schema)) == expected
        assert _created_all(pg_server, schema) == expected
        drizzle = ";\n".join(drizzle_create_all(schema, build_plan(schema), None))
        assert _loaded(pg_server, drizzle) == expected


@pytest.mark.parametrize("pg", [16, 12])
def test_revisions_attach_and_detach_keep_one_trigger(pg_server: PgServer, tmp_path: Path,
                                                      pg: int) -> None:
    one, two = _schemas(pg)
    first, second = EXPECTED[pg]
    versions = [VersionInput(1, "first", "t", "2026-01-01", one),
                VersionInput(2, "the second", "t", "2026-01-02", two)]
    bundle = write_bundle(build_bundle(versions, slug="trg"), tmp_path / "bundle")
    base = sorted((bundle / "migrations" / "versions").glob("0001_*.py"))[0].stem
    table = version_table_name([one, two])

    def alembic(url: str, *args: str) -> None:
        done = rt.alembic(bundle, url, *args)
        assert done.returncode == 0, (args, (done.stdout + done.stderr)[-2000:])

    with rt.database(pg_server) as url:
        alembic(url, "upgrade", base)
        assert _triggers(url) == first
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(ROWS)  # type: ignore[arg-type]
        alembic(url, "upgrade", "head")
        assert _triggers(url) == second
        alembic(url, "check")
        # the live import reads one trigger per table back, and exports it the same way
        back = import_live(url).schema
        assert {t.name for t in back.tables} >= {t.name for t in two.tables}
        again = replace(back, settings=replace(back.settings, pg_version=pg))
        assert not [o for o in again.raw_objects if o.kind == "trigger"]
        assert _loaded(pg_server, schema_sql(again)) == second
        with psycopg.connect(url) as conn:  # rows keep being stamped
            conn.execute("UPDATE ev SET note = 'x' WHERE id = 3")
            stamped = conn.execute("SELECT updated_at > created_at FROM ev WHERE id = 3")
            assert stamped.fetchone() == (True,)
        alembic(url, "downgrade", base)
        assert _triggers(url) == first
        alembic(url, "downgrade", "base")
        assert rt.leftovers(url, table) == []


def test_a_new_target_version_moves_the_trigger(pg_server: PgServer, tmp_path: Path) -> None:
    """The project's target goes from PostgreSQL 12 to 16 (and a table is added, so that
    the revision only creates: rendered from the end state): the leaves' triggers give way
    to the parent's, and come back on the way down."""
    one = replace(import_sql([("v1.sql", V1)]).schema, settings=Settings(pg_version=12))
    more = V1 + "CREATE TABLE extra (id int PRIMARY KEY);\n"
    two = replace(import_sql([("v2.sql", more)]).schema, settings=Settings(pg_version=16))
    versions = [VersionInput(1, "first", "t", "2026-01-01", one),
                VersionInput(2, "the second", "t", "2026-01-02", two)]
    bundle = write_bundle(build_bundle(versions, slug="trg"), tmp_path / "bundle")
    base = sorted((bundle / "migrations" / "versions").glob("0001_*.py"))[0].stem
    with rt.database(pg_server) as url:
        for args, expected in ((("upgrade", base), ON_LEAVES_1),
                               (("upgrade", "head"), ON_PARENT_1),
                               (("downgrade", base), ON_LEAVES_1)):
            done = rt.alembic(bundle, url, *args)
            assert done.returncode == 0, (args, (done.stdout + done.stderr)[-2000:])
            assert _triggers(url) == expected, args
