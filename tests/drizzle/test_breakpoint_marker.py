"""drizzle's migrator (drizzle-kit migrate, and migrate() of drizzle-orm) splits every
migration file on ``--> statement-breakpoint``, whatever the journal's ``breakpoints`` says:
a design whose text holds the marker (a comment, a default, a CHECK, a kept function's body)
must still migrate, build the Alembic bundle's catalog, and roll back."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeler.codegen.bundle import VersionInput
from modeler.codegen.drizzle.migrations import BREAKPOINT
from modeler.importers import import_sql
from tests.drizzle.test_migrate import round_trip
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

DDL = f"""
CREATE TABLE note (
  id integer PRIMARY KEY,
  body text DEFAULT 'a {BREAKPOINT} b',
  CONSTRAINT note_body CHECK (body <> '{BREAKPOINT}')
);
COMMENT ON TABLE note IS 'rows {BREAKPOINT} of notes';
CREATE FUNCTION marker() RETURNS text LANGUAGE sql AS $$ SELECT '{BREAKPOINT}'::text $$;
"""


def test_a_design_holding_the_marker_migrates_and_rolls_back(
        pg_server: PgServer, tmp_path: Path, node_modules: Path) -> None:
    schema = import_sql([("s.sql", DDL)]).schema
    v2 = VersionInput(2, "again", "t", "2026-01-02", schema)
    empty = import_sql([("e.sql", "CREATE TABLE other (id integer PRIMARY KEY);")]).schema
    versions = [VersionInput(1, "first", "t", "2026-01-01", empty), v2]
    round_trip(pg_server, versions, tmp_path, "marker", node_modules)
    round_trip(pg_server, [VersionInput(1, "Imported baseline", "t", "2026-01-01", schema,
                                        baseline=True)], tmp_path / "one", "marker",
               node_modules)
