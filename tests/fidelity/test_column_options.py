"""A column's planner settings: ``ALTER TABLE t ALTER COLUMN c SET (n_distinct = -1)`` (and
``RESET (...)``) and ``ALTER COLUMN c SET STATISTICS n``. Found by bench/stranger_schemas.py
(Backstage's catalog migrations set n_distinct on search.entity_id; the corpus's Synapse
dump has one too): the SQL import dropped them silently as physical settings, the live import
did not read pg_attribute.attoptions / attstattarget, and tests/catalog.py compared neither,
so the round trips called such schemas identical. They are kept as SQL on the table, one
statement of each kind per column (the state the script leaves), following a column's rename
and going with its drop; tests/catalog.py's ``column_options`` compares them (and
``statistics`` the extended statistics objects, kept already)."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeler.importers import import_sql
from tests.codegen.helpers import script_versions, states, versions_bundle
from tests.fidelity import roundtrip as rt
from tests.fidelity.test_roundtrip_classes import _loop
from tests.pgtemp import PgServer

SCRIPT = """CREATE SCHEMA app;
CREATE TABLE app.event (id bigint PRIMARY KEY, kind text, entity_id text, payload jsonb,
  old_name text);
ALTER TABLE app.event ALTER COLUMN entity_id SET (n_distinct = -1);
ALTER TABLE app.event ALTER COLUMN kind SET STATISTICS 1000;
ALTER TABLE ONLY app.event ALTER COLUMN kind SET (n_distinct = 12, n_distinct_inherited = 20),
  ADD COLUMN note text;
ALTER TABLE app.event ALTER COLUMN kind RESET (n_distinct_inherited);
ALTER TABLE app.event ALTER COLUMN old_name SET (n_distinct = 5);
ALTER TABLE app.event ALTER old_name SET STATISTICS 50;
ALTER TABLE app.event RENAME COLUMN old_name TO "Label";
ALTER TABLE app.event ADD COLUMN gone int;
ALTER TABLE app.event ALTER COLUMN gone SET STATISTICS 10;
ALTER TABLE app.event DROP COLUMN gone;
ALTER TABLE app.event ALTER COLUMN payload SET STATISTICS 20;
ALTER TABLE app.event ALTER COLUMN payload SET STATISTICS -1;
CREATE STATISTICS app.event_kind_entity (ndistinct, dependencies) ON kind, entity_id
  FROM app.event;
"""


def test_the_sql_import_keeps_them() -> None:
    result = import_sql([("s.sql", SCRIPT)])
    kept = sorted(r.sql for r in result.schema.raw_objects if r.kind == "alter table")
    assert kept == [
        'ALTER TABLE ONLY app.event ALTER COLUMN "Label" SET (n_distinct = 5);',
        'ALTER TABLE ONLY app.event ALTER COLUMN "Label" SET STATISTICS 50;',
        "ALTER TABLE ONLY app.event ALTER COLUMN entity_id SET (n_distinct = -1);",
        "ALTER TABLE ONLY app.event ALTER COLUMN kind SET (n_distinct = 12);",
        "ALTER TABLE ONLY app.event ALTER COLUMN kind SET STATISTICS 1000;"]
    assert "note" in result.schema.tables[0].columns[-1].name


@pytest.mark.postgres
@pytest.mark.parametrize("live", [False, True], ids=["sql", "live"])
def test_column_options_round_trip(pg_server: PgServer, tmp_path: Path, live: bool) -> None:
    _loop(pg_server, tmp_path, SCRIPT, objects=True, live=live)


BASE = "CREATE TABLE item (id int PRIMARY KEY, code text, label text);\n"
TUNED = ("ALTER TABLE item ALTER COLUMN code SET (n_distinct = -1, n_distinct_inherited = -0.5);\n"
         "ALTER TABLE item ALTER COLUMN label SET STATISTICS 400;\n")


@pytest.mark.postgres
def test_a_versions_settings_go_back_on_the_way_down(pg_server: PgServer,
                                                     tmp_path: Path) -> None:
    """A version that sets them on a table the version before had: undone on the way down
    (RESET (...), SET STATISTICS -1), not left behind."""
    bundle, first = versions_bundle(script_versions(BASE, BASE + TUNED),
                                    tmp_path / "bundle", "tuned")
    state = ("SELECT attname, ARRAY(SELECT o FROM unnest(attoptions) o WHERE o ~ '^n_distinct' "
             "ORDER BY o), NULLIF(COALESCE(attstattarget, -1), -1) FROM pg_attribute "
             "WHERE attrelid = 'public.item'::regclass AND attname IN ('code', 'label') "
             "ORDER BY 1")
    with rt.database(pg_server) as url:
        assert states(bundle, url, state, "upgrade head", f"downgrade {first}") == [
            [("code", ["n_distinct=-1", "n_distinct_inherited=-0.5"], None),
             ("label", [], 400)],
            [("code", [], None), ("label", [], None)]]
        states(bundle, url, None, "upgrade head", "downgrade base")
