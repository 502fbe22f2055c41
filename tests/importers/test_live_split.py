"""The live import in two halves (issue 17): :func:`read_catalog` (the queries; the module
loads no SQL importer for it, so import_schema's thread starts them at once while the main
thread imports the rest) and :func:`import_catalog` (the design), which together are
:func:`import_live`."""

from __future__ import annotations

import subprocess
import sys

import psycopg
import pytest

import modeler.importers.live as live
from modeler.importers.result import SchemaImportError

DDL = """
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE TABLE a (id integer PRIMARY KEY, m mood DEFAULT 'ok', n numeric(8, 2) CHECK (n > 0));
CREATE TABLE b (id serial PRIMARY KEY, a_id integer REFERENCES a, note text);
CREATE INDEX ix_b_note ON b (lower(note));
CREATE VIEW v AS SELECT id FROM a;
"""


def test_the_module_loads_no_sql_importer() -> None:
    code = ("import sys, modeler.importers.live\n"
            "print(sorted(m for m in ('pglast', 'modeler.importers.sql', "
            "'modeler.importers.build') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)
    assert done.stdout.strip() == "[]"
    live.preload()
    assert {"pglast", "modeler.importers.sql.script", "modeler.importers.build"} <= \
        set(sys.modules)


@pytest.mark.postgres
def test_both_halves_are_the_whole_import(pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(DDL.encode())
    whole = live.import_live(pg_url)
    data = live.read_catalog(pg_url)
    assert not data["tables_only"] and [t["relname"] for t in data["tables"]] == ["a", "b"]
    halves = live.import_catalog(data)
    assert halves == whole
    assert [t.name for t in halves.schema.tables] == ["a", "b"]
    assert len(halves.schema.relationships) == 1 and halves.schema.raw_objects
    # a table selection: no views (said in a warning), as import_live says
    picked = live.import_catalog(live.read_catalog(pg_url, tables=["b"]))
    assert picked == live.import_live(pg_url, tables=["b"])
    assert [t.name for t in picked.schema.tables] == ["b"] and not picked.schema.raw_objects
    assert any("views and functions were not imported" in w.message for w in picked.warnings)


def test_a_bad_url_fails_in_the_read() -> None:
    with pytest.raises(SchemaImportError, match="not a PostgreSQL URL"):
        live.read_catalog("mysql://u@h/db")
