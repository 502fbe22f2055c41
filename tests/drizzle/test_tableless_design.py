"""A design without a table, an enum or a sequence (an extension's functions, aggregates and
event triggers: pgaudit, first_last_agg): schema.ts declared nothing, so it was no module
for TypeScript and index.ts, relations.ts and the bundle's tests, importing it, failed to
compile (TS2306: not a module). It now exports an empty object; the bundle compiles
strictly and migrates like the Alembic one."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeler.codegen.bundle import VersionInput
from modeler.importers import import_sql
from tests.drizzle import helpers as h
from tests.drizzle.test_migrate import round_trip
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

DDL = """
CREATE FUNCTION keep_first(anyelement, anyelement) RETURNS anyelement
    LANGUAGE sql IMMUTABLE STRICT AS 'SELECT $1';
CREATE AGGREGATE first(anyelement) (SFUNC = keep_first, STYPE = anyelement);
CREATE FUNCTION on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS 'BEGIN END';
CREATE EVENT TRIGGER watch_ddl ON ddl_command_end EXECUTE FUNCTION on_ddl();
"""


def test_a_design_with_no_table(pg_server: PgServer, tmp_path: Path,
                                node_modules: Path) -> None:
    schema = import_sql([("s.sql", DDL)]).schema
    assert not schema.tables
    versions = [VersionInput(1, "Imported baseline", "kept", "2026-01-01", schema,
                             baseline=True)]
    bundle = h.write_drizzle(versions, tmp_path / "tsc", "kept", node_modules)
    errors = h.ts_errors(h.tsc(bundle).stdout)
    assert errors == [], "\n".join(errors[:30])
    round_trip(pg_server, versions, tmp_path / "migrate", "kept", node_modules)
