"""An event trigger whose function reads a table of the design, on a small self-written
script (periods' ``periods_rename_following`` and ``periods_drop_protection``, on
``periods.periods``; found by bench/stranger_schemas.py). The export created the event
trigger with the functions, before the tables: the migration's own ``CREATE TABLE`` then
fired it, its function found no table, and ``alembic upgrade`` failed. Event triggers now
come after the tables (with the other SQL kept for after them, in the script's order)."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from modeler.diff.compare_types import early_raw_objects
from modeler.importers import import_live, import_sql
from tests.catalog import compare, read_catalog
from tests.fidelity import roundtrip as rt
from tests.pgtemp import PgServer

SCRIPT = """
CREATE SCHEMA audit;
CREATE TABLE audit.watched (id serial PRIMARY KEY, tag text NOT NULL);
CREATE FUNCTION audit.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM audit.watched;  -- fails while the table does not exist
END $$;
CREATE EVENT TRIGGER audit_on_ddl ON ddl_command_end EXECUTE FUNCTION audit.on_ddl();
COMMENT ON EVENT TRIGGER audit_on_ddl IS 'reads audit.watched';
CREATE FUNCTION audit.on_drop() RETURNS event_trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM audit.watched;
END $$;
CREATE EVENT TRIGGER audit_on_drop ON sql_drop EXECUTE FUNCTION audit.on_drop();
ALTER EVENT TRIGGER audit_on_drop DISABLE;
CREATE TABLE audit.later (id int PRIMARY KEY, w int REFERENCES audit.watched);
"""


def test_event_triggers_are_not_early() -> None:
    schema = import_sql([("s.sql", SCRIPT)]).schema
    early = early_raw_objects(schema)
    kinds = {o.kind for o in schema.raw_objects if o.uid in early}
    assert kinds == {"function"}, kinds


@pytest.mark.postgres
@pytest.mark.parametrize("how", ["sql", "live"])
def test_event_trigger_on_a_table_of_the_design_round_trips(
        how: str, pg_server: PgServer, tmp_path: Path) -> None:
    with rt.database(pg_server) as original:
        with psycopg.connect(original, autocommit=True) as conn:
            conn.execute(SCRIPT)  # type: ignore[arg-type]
        expected = read_catalog(original)
        schema = (import_sql([("s.sql", SCRIPT)]) if how == "sql"
                  else import_live(original)).schema
    actual = rt.migrated_catalog(pg_server, schema, tmp_path, "events")
    report = compare(expected, actual)
    assert report.ok, report.text()


@pytest.mark.postgres
def test_event_trigger_loop(pg_server: PgServer, tmp_path: Path) -> None:
    """Check clean, down to empty (the event triggers dropped first), up again identical."""
    from tests.fidelity.test_roundtrip_classes import _loop

    _loop(pg_server, tmp_path, SCRIPT)
