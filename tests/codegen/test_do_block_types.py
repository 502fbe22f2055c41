"""Types a kept DO block makes at run time: an enum (made only if missing, then given a value
``AFTER`` another, as job queues' install scripts do), a domain and a range type. The import
keeps the blocks and the export replays them, but the downgrade that drops the blocks swept
only relations, text search objects and routines of their schema: the types stood after the
way down (``left after downgrade: type ...``), and the next upgrade's block skipped making
its enum (and the enum's added value failed). They go now; the design's own enum stays
for its own drop."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from modeler.codegen.bundle import VersionInput, build_bundle
from modeler.importers import import_sql
from tests.codegen.helpers import write_bundle
from tests.fidelity import roundtrip as rt
from tests.pgtemp import PgServer

V1 = ("CREATE TYPE mood AS ENUM ('sad', 'ok');\n"
      "CREATE TABLE item (id int PRIMARY KEY, feel mood);\n")
TYPES = """\
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'job_st' || 'ate') THEN
    CREATE TYPE job_state AS ENUM ('available', 'done');
  END IF;
END
$$;
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_enum WHERE enumlabel = 'run' || 'ning') THEN
    ALTER TYPE job_state ADD VALUE 'running' AFTER 'available';
  END IF;
END
$$;
DO $$ BEGIN EXECUTE 'CREATE DOMAIN positive_int AS int CHECK (VALUE > 0)'; END $$;
DO $$ BEGIN EXECUTE 'CREATE TYPE floatrange AS RANGE (subtype = float8)'; END $$;
CREATE TABLE job (id bigint PRIMARY KEY, state job_state NOT NULL DEFAULT 'available',
                  tries positive_int, window_ floatrange);
"""
MADE = ("SELECT t.typname::text FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace "
        "WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'r', 'm') ORDER BY 1")


@pytest.mark.postgres
def test_types_a_do_block_made_go_on_the_way_down(pg_server: PgServer,
                                                   tmp_path: Path) -> None:
    schema = import_sql([("v1.sql", V1 + TYPES)]).schema
    assert [r.kind for r in schema.raw_objects].count("do block") == 2  # kept, not modelled
    versions = [VersionInput(1, "first", "t", "2026-01-01", schema, baseline=True)]
    bundle = write_bundle(build_bundle(versions, slug="one"), tmp_path / "bundle")
    made = [("floatmultirange",), ("floatrange",), ("job_state",), ("mood",),
            ("positive_int",)]
    labels = ("SELECT array_agg(enumlabel::text ORDER BY enumsortorder) FROM pg_enum "
              "WHERE enumtypid = 'job_state'::regtype")
    with rt.database(pg_server) as url:
        up = rt.alembic(bundle, url, "upgrade", "head")
        assert up.returncode == 0, up.stderr[-2000:]
        with psycopg.connect(url) as conn:
            assert conn.execute(MADE).fetchall() == made
        # the design's own enum (mood) is dropped by its own drop, after the blocks': a
        # sweep taking it along would make that drop fail
        down = rt.alembic(bundle, url, "downgrade", "base")
        assert down.returncode == 0, down.stderr[-2000:]
        with psycopg.connect(url) as conn:
            assert conn.execute(MADE).fetchall() == []
        again = rt.alembic(bundle, url, "upgrade", "head")
        assert again.returncode == 0, again.stderr[-2000:]
        with psycopg.connect(url) as conn:
            assert conn.execute(MADE).fetchall() == made
            assert conn.execute(labels).fetchone() == (["available", "running", "done"],)
