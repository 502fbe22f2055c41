"""A routine's overloads dropped one by one: the comment on the dropped overload goes with it.
Found by bench/stranger_schemas.py (an extension's upgrade script drops ``f(name, text)`` to
create ``f(text, text)``, while ``f(text)`` stays): the comment on the dropped overload was
kept, and its replay failed the upgrade (function does not exist)."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeler.importers import import_sql
from tests.importers.roundtrips import assert_round_trips
from tests.pgtemp import PgServer

SCRIPT = """
CREATE SCHEMA jobs;
CREATE FUNCTION jobs.plan(text) RETURNS int LANGUAGE sql AS 'SELECT 1';
COMMENT ON FUNCTION jobs.plan(text) IS 'plan a job';
CREATE FUNCTION jobs.plan(name, text) RETURNS int LANGUAGE sql AS 'SELECT 2';
COMMENT ON FUNCTION jobs.plan(name, text) IS 'plan a named job';
DROP FUNCTION jobs.plan(name, text);
CREATE FUNCTION jobs.plan(text, text) RETURNS int LANGUAGE sql AS 'SELECT 3';
COMMENT ON FUNCTION jobs.plan(text, text) IS 'plan a named job';
CREATE TABLE jobs.job (id int PRIMARY KEY);
"""


def test_the_dropped_overloads_comment_goes() -> None:
    kept = [r.sql for r in import_sql([("s.sql", SCRIPT)]).schema.raw_objects
            if r.kind == "comment"]
    assert len(kept) == 2
    assert not any("(name" in sql.replace(" ", "") for sql in kept)


@pytest.mark.postgres
@pytest.mark.parametrize("how", ["sql", "live"])
def test_overloads_dropped_one_by_one_round_trip(how: str, pg_server: PgServer,
                                                 tmp_path: Path) -> None:
    assert_round_trips(pg_server, SCRIPT, tmp_path, "overloads", live=how == "live")


DO_BLOCK = """
CREATE TABLE dep (id int PRIMARY KEY, cutoff bigint);
CREATE VIEW dep_all AS SELECT id, cutoff FROM dep;
DO $BODY$
DECLARE
    v_rec record;
    v_sql text;
BEGIN
FOR v_rec IN SELECT format('UPDATE dep SET cutoff = %s WHERE id = %s', cutoff, id) AS sql
             FROM dep_all WHERE cutoff IS NOT NULL
LOOP
    v_sql = v_rec.sql;
    EXECUTE v_sql;
END LOOP;
END$BODY$;
DROP VIEW dep_all;
CREATE VIEW dep_all AS SELECT id, cutoff, cutoff > 0 AS started FROM dep;
"""


def test_a_kept_do_block_reading_a_view_dropped_later_is_not_replayed() -> None:
    """An upgrade script's one-off data step (a loop running dynamic UPDATEs over a view's
    rows) kept as SQL, then the view dropped and made anew: replayed in its place, the block
    ran before the new view existed (the upgrade failed). It goes, with a warning, as the
    SELECTs of a function the script drops do."""
    r = import_sql([("s.sql", DO_BLOCK)])
    assert [o.kind for o in r.schema.raw_objects] == ["view"]
    assert any("DO block" in str(w) and "dep_all" in str(w) for w in r.warnings)


@pytest.mark.postgres
def test_a_do_block_reading_a_view_dropped_later_round_trips(pg_server: PgServer,
                                                              tmp_path: Path) -> None:
    assert_round_trips(pg_server, DO_BLOCK, tmp_path, "doblock")


MADE_AT_RUN_TIME = """
DO $$
DECLARE t text := 'made';
BEGIN
    EXECUTE format('CREATE TABLE %I (id int PRIMARY KEY, data jsonb)', t);
END $$;
"""
CONCURRENT_INDEX = """
-- CREATE INDEX CONCURRENTLY cannot run inside a transaction block
CREATE INDEX CONCURRENTLY IF NOT EXISTS made_scope_idx
    ON made USING gin ((data -> 'scope') jsonb_path_ops)
"""


def test_a_concurrent_index_on_a_table_made_by_kept_sql_is_kept_without_concurrently() -> None:
    """CREATE INDEX CONCURRENTLY on a table that a statement kept as SQL made (a DO block):
    the index was kept verbatim, and its replay failed in the migration's transaction
    (found on a Prisma migration history: its tables renamed in a DO block)."""
    r = import_sql([("s.sql", MADE_AT_RUN_TIME + ";" + CONCURRENT_INDEX + ";")])
    index = [o.sql for o in r.schema.raw_objects if o.kind == "index"]
    assert len(index) == 1 and "CONCURRENTLY" not in index[0].upper()
    assert "jsonb_path_ops" in index[0]


@pytest.mark.postgres
def test_a_concurrent_index_on_a_table_made_by_kept_sql_round_trips(
        pg_server: PgServer, tmp_path: Path) -> None:
    from tests.catalog import compare, read_catalog
    from tests.fidelity import roundtrip as rt
    from tests.importers.roundtrips import load

    with rt.database(pg_server) as original:
        load(original, MADE_AT_RUN_TIME)
        load(original, CONCURRENT_INDEX)  # alone: CONCURRENTLY refuses a transaction
        expected = read_catalog(original)
    schema = import_sql([("s.sql", MADE_AT_RUN_TIME + ";" + CONCURRENT_INDEX + ";")]).schema
    report = compare(expected, rt.migrated_catalog(pg_server, schema, tmp_path, "made"))
    assert report.ok, report.text()


RENAMED_IN_A_BLOCK = """
CREATE TABLE "Engine" ("id" TEXT NOT NULL PRIMARY KEY);
CREATE TABLE "EngineRun" ("id" TEXT NOT NULL PRIMARY KEY, "engine_id" TEXT NOT NULL,
                          "data" JSONB NOT NULL);
CREATE INDEX "EngineRun_engine_id_idx" ON "EngineRun"("engine_id");
DO $$
BEGIN
    ALTER TABLE IF EXISTS "Engine" RENAME TO "Lens";
    ALTER TABLE IF EXISTS "EngineRun" RENAME TO "LensRun";
    IF EXISTS (
        SELECT 1 FROM pg_attribute
        WHERE attrelid = to_regclass('"LensRun"')
          AND attname = 'engine_id' AND NOT attisdropped
    ) THEN
        ALTER TABLE "LensRun" RENAME COLUMN "engine_id" TO "lens_id";
    END IF;
    IF EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = 'public."Lens"'::regclass
               AND attname = 'engine_id') THEN
        ALTER TABLE "Lens" RENAME COLUMN "engine_id" TO "lens_id";
    END IF;
    ALTER INDEX IF EXISTS "EngineRun_engine_id_idx" RENAME TO "LensRun_lens_id_idx";
END $$;
CREATE INDEX "LensRun_data_idx" ON "LensRun" USING GIN ("data" jsonb_path_ops);
"""


def test_a_block_asking_pg_attribute_by_regclass_is_followed() -> None:
    """``attrelid = to_regclass('"T"')`` (or ``'T'::regclass``) names the table a
    pg_attribute lookup asks about (a Prisma migration renames tables and a column in one DO
    block): the block was kept as SQL, so its renames ran on the exported tables at the
    upgrade (``alembic check`` not clean, the downgrade failed)."""
    r = import_sql([("s.sql", RENAMED_IN_A_BLOCK)])
    assert r.schema.raw_objects == ()
    run = r.schema.table_named("LensRun")
    assert run is not None and "lens_id" in [c.name for c in run.columns]


@pytest.mark.postgres
def test_a_block_asking_pg_attribute_by_regclass_round_trips(pg_server: PgServer,
                                                             tmp_path: Path) -> None:
    """Upgrade, then ``alembic check``, downgrade to empty and upgrade again."""
    from modeler.codegen.version_table import version_table_name
    from tests.catalog import read_catalog
    from tests.fidelity import roundtrip as rt

    with rt.database(pg_server) as original:
        assert rt.psql_run(pg_server, original, RENAMED_IN_A_BLOCK) == []
        expected = read_catalog(original)
    schema = import_sql([("s.sql", RENAMED_IN_A_BLOCK)]).schema
    bundle = rt.export_bundle(schema, tmp_path / "bundle", "renamed")
    with rt.database(pg_server) as url:
        rt.alembic_upgrade(bundle, url)
        loop = rt.run_loop(bundle, url, expected, (), rt._Clock(), version_table_name([schema]))
    assert loop.ok, loop.output


FK_REMADE_IN_BLOCKS = """
CREATE TABLE "Lens" ("id" TEXT NOT NULL PRIMARY KEY);
CREATE TABLE "LensReview" (
    "lens_id" TEXT NOT NULL REFERENCES "Lens"("id") ON DELETE CASCADE,
    "k" TEXT NOT NULL,
    PRIMARY KEY ("lens_id", "k"));
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'LensReview_lens_id_fkey'
               AND conrelid = '"LensReview"'::regclass) THEN
        ALTER TABLE "LensReview" DROP CONSTRAINT "LensReview_lens_id_fkey";
    END IF;
END $$;
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'LensReview_lens_id_fkey'
                   AND conrelid = '"LensReview"'::regclass) THEN
        ALTER TABLE "LensReview" ADD CONSTRAINT "LensReview_lens_id_fkey" FOREIGN KEY
            ("lens_id") REFERENCES "Lens"("id") ON DELETE CASCADE ON UPDATE CASCADE;
    END IF;
END $$;
"""


def test_a_block_asking_pg_constraint_by_name_and_regclass_is_followed() -> None:
    """``conname = '...' AND conrelid = '"T"'::regclass`` (Prisma's foreign key made anew):
    kept as SQL, the blocks dropped and re-added the exported key at the upgrade, with
    another ON UPDATE than the design's (``alembic check`` not clean). A conrelid alone (has
    the table any constraint?) is still no lookup the import decides."""
    r = import_sql([("s.sql", FK_REMADE_IN_BLOCKS)])
    assert r.schema.raw_objects == ()
    alone = FK_REMADE_IN_BLOCKS.replace("conname = 'LensReview_lens_id_fkey'\n"
                                        "                   AND ", "", 1)
    kept = import_sql([("s.sql", alone)]).schema.raw_objects
    assert [o.kind for o in kept] == ["do block"]


@pytest.mark.postgres
def test_a_foreign_key_remade_in_blocks_round_trips(pg_server: PgServer,
                                                    tmp_path: Path) -> None:
    _full_loop(pg_server, tmp_path, FK_REMADE_IN_BLOCKS, "remade")


def _full_loop(server: PgServer, tmp_path: Path, script: str, slug: str) -> None:
    """Upgrade, then ``alembic check``, downgrade to empty and upgrade again."""
    from modeler.codegen.version_table import version_table_name
    from tests.catalog import read_catalog
    from tests.fidelity import roundtrip as rt

    with rt.database(server) as original:
        assert rt.psql_run(server, original, script) == []
        expected = read_catalog(original)
    schema = import_sql([("s.sql", script)]).schema
    bundle = rt.export_bundle(schema, tmp_path / "bundle", slug)
    with rt.database(server) as url:
        rt.alembic_upgrade(bundle, url)
        loop = rt.run_loop(bundle, url, expected, (), rt._Clock(), version_table_name([schema]))
    assert loop.ok, loop.output
