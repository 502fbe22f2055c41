"""Objects kept as SQL replay under the search_path they were written under: in the baseline
migration (``set_config(..., true)`` before, the revision's path after) and in schema.sql;
DO blocks and SELECTs of the script's functions replay in their place, and what they create
(a text search configuration, a table and its index) ends up in the upgraded database."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from modeler.codegen.ddl import schema_sql
from modeler.codegen.migration import render_revision
from modeler.importers import import_sql
from modeler.schema import model as m
from tests.catalog import compare, read_catalog
from tests.fidelity import roundtrip as rt
from tests.pgtemp import PgServer

# An Evergreen in small: the database's search_path set in a DO block, a file that sets
# another path for its session, a DO block creating a text search configuration, a function
# of the schema called unqualified by a CHECK, and an audit function whose SELECT creates a
# history table that the next statement indexes.
FILES = [
    ("000.sql", """CREATE SCHEMA eg;
DO $$
BEGIN
    EXECUTE FORMAT('ALTER DATABASE %I SET search_path = eg, public, pg_catalog',
                   current_database());
    SET search_path = eg, public, pg_catalog;
END $$;
CREATE FUNCTION is_json(text) RETURNS bool AS $f$ SELECT $1::json IS NOT NULL $f$
    LANGUAGE sql IMMUTABLE;
-- pg_catalog comes last: this one hides pg_catalog.lower for the code written here
CREATE FUNCTION lower(text) RETURNS text AS $f$ SELECT upper($1) $f$ LANGUAGE sql IMMUTABLE;
CREATE VIEW shouting AS SELECT lower('abc') AS word;
"""),
    ("001.sql", """SET search_path = public, pg_catalog;
DO $$
DECLARE cfg text;
BEGIN
    FOR cfg IN SELECT unnest(ARRAY['plain']) LOOP
        EXECUTE 'CREATE TEXT SEARCH CONFIGURATION ' || cfg || '_nostop (COPY = simple)';
    END LOOP;
END $$;
CREATE TEXT SEARCH CONFIGURATION title (COPY = plain_nostop);
"""),
    ("002.sql", """CREATE SCHEMA auditor;
CREATE TABLE setting (id int PRIMARY KEY, value text CHECK (is_json(value)));
CREATE FUNCTION auditor.create_auditor(sch text, tbl text) RETURNS bool AS $f$
BEGIN
    EXECUTE format('CREATE TABLE auditor.%I (LIKE %I.%I)', sch || '_' || tbl || '_history',
                   sch, tbl);
    RETURN true;
END $f$ LANGUAGE plpgsql;
SELECT auditor.create_auditor('eg', 'setting');
CREATE INDEX eg_setting_hist_id_idx ON auditor.eg_setting_history (id);
"""),
]


def test_baseline_sets_each_objects_search_path() -> None:
    schema = import_sql(FILES).schema
    paths = {(o.kind, o.name): o.search_path for o in schema.raw_objects}
    assert paths == {("function", "is_json"): "eg, public, pg_catalog",
                     ("function", "lower"): "eg, public, pg_catalog",
                     ("view", "shouting"): "eg, public, pg_catalog",
                     ("do block", ""): "public, pg_catalog",
                     ("text search configuration", "title"): "public, pg_catalog",
                     ("function", "create_auditor"): "eg, public, pg_catalog",
                     ("function call", "create_auditor"): "eg, public, pg_catalog",
                     ("index", "eg_setting_hist_id_idx"): "eg, public, pg_catalog"}
    code = render_revision(old=m.Schema(), new=schema, revision="r1", down_revision=None,
                           message="baseline", created="2026-01-01")
    at = code.index("CREATE FUNCTION is_json")
    before = code[:at].rsplit("op.execute(", 2)[-2]
    assert "set_config('search_path', 'eg, public, pg_catalog', true)" in before
    after = code[at:].split("op.execute(", 2)[1]
    assert "search_path" in after  # the revision's own path again (RESET or SET)
    # the call and the index on its table come after the table they read
    assert code.index("SELECT auditor.create_auditor") > code.index('"setting"')
    assert code.index("CREATE INDEX eg_setting_hist_id_idx") > \
        code.index("SELECT auditor.create_auditor")
    ddl = schema_sql(schema)
    # where it changes: eg, public, eg before the tables (what they may call), eg after
    assert ddl.count("set_config('search_path'") == 4
    assert ddl.index("CREATE FUNCTION is_json") < ddl.index("-- Tables, indexes") < \
        ddl.index("CREATE VIEW shouting")
    assert ddl.rstrip().endswith("RESET search_path;")
    # a later version without the function: its downgrade creates it again, under its path
    later = m.Schema(raw_objects=tuple(o for o in schema.raw_objects if o.name != "is_json"))
    code = render_revision(old=schema, new=later, revision="r2", down_revision="r1",
                           message="drop is_json", created="2026-01-02")
    upgrade, downgrade = code.split("def downgrade")
    assert "DROP FUNCTION IF EXISTS eg.is_json" in upgrade
    at = downgrade.index("CREATE FUNCTION is_json")
    assert "set_config('search_path', 'eg, public, pg_catalog', true)" in downgrade[:at]


def test_objects_without_a_recorded_path_keep_the_namespace_rule() -> None:
    """Designs from elsewhere (or stored before the path was recorded) replay as before."""
    fn = m.RawObject(uid="00000000-0000-4000-8000-0000000000d1", kind="function", name="f",
                     namespace="app", sql="CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ "
                     "LANGUAGE sql;")
    code = render_revision(old=m.Schema(), new=m.Schema(raw_objects=(fn,)), revision="r1",
                           down_revision=None, message="m", created="2026-01-01")
    assert "set_config" not in code and "SET search_path = app, public" in code


@pytest.mark.postgres
def test_replayed_objects_rebuild_what_the_script_built(pg_server: PgServer,
                                                        tmp_path: Path) -> None:
    """The scripts loaded with psql, one session per file, vs import → bundle → upgrade."""
    with rt.database(pg_server) as url:
        errors: list[str] = []
        for _, text in FILES:
            errors += rt.psql_run(pg_server, url, text)
        assert errors == []
        expected = read_catalog(url)
    schema = import_sql(FILES).schema
    actual = rt.migrated_catalog(pg_server, schema, tmp_path, "replay")
    report = compare(expected, actual)
    assert report.ok, report.text()
    assert ("auditor.eg_setting_history", "eg_setting_hist_id_idx") in {
        (r[0], r[1]) for r in actual.indexes}
    assert [r[1] for r in actual.checks if r[0] == "eg.setting"] == ["setting_value_check"]
    # what the catalog does not compare: the functions' schemas and the DO block's work
    bundle = tmp_path / "replay"
    with rt.database(pg_server) as url:
        rt.alembic_upgrade(bundle, url)
        with psycopg.connect(url) as conn:
            found = conn.execute(
                "SELECT n.nspname || '.' || p.proname FROM pg_proc p JOIN pg_namespace n "
                "ON n.oid = p.pronamespace WHERE p.proname IN ('is_json', 'lower', "
                "'create_auditor') AND n.nspname <> 'pg_catalog' ORDER BY 1").fetchall()
            configs = conn.execute("SELECT cfgname FROM pg_ts_config WHERE cfgnamespace = "
                                   "'public'::regnamespace ORDER BY 1").fetchall()
            # the view calls eg.lower, not pg_catalog.lower (pg_catalog is last on its path)
            word = conn.execute("SELECT word FROM eg.shouting").fetchone()
    assert [r[0] for r in found] == ["auditor.create_auditor", "eg.is_json", "eg.lower"]
    assert [r[0] for r in configs] == ["plain_nostop", "title"]
    assert word == ("ABC",)
