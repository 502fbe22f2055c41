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


def test_the_marker_next_to_a_new_enum_value_in_use(pg_server: PgServer, tmp_path: Path,
                                                     node_modules: Path) -> None:
    """The commit around ALTER TYPE ... ADD VALUE holds in a migration that also holds the
    marker: its statements are still run one by one (a file run whole is one query string,
    where the value's first use shares the transaction it was added in)."""
    v1 = "CREATE TYPE mood AS ENUM ('a', 'b');\n" \
         "CREATE TABLE t1 (id integer PRIMARY KEY, m mood DEFAULT 'a');"
    v2 = "CREATE TYPE mood AS ENUM ('a', 'b', 'c');\n" \
         "CREATE TABLE t1 (id integer PRIMARY KEY, m mood DEFAULT 'c');\n" \
         f"COMMENT ON TABLE t1 IS 'x {BREAKPOINT} y';"
    versions = [VersionInput(n, f"v{n}", "t", f"2026-01-0{n}",
                             import_sql([("s.sql", ddl)]).schema)
                for n, ddl in ((1, v1), (2, v2))]
    round_trip(pg_server, versions, tmp_path, "marker", node_modules)
