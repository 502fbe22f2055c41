"""``ALTER STATISTICS s SET STATISTICS n``: an extended statistics object's target is kept
as SQL after the object (kept as SQL itself), one per object, the state the script leaves
(-1 keeps none), going with the object (DROP STATISTICS, DROP TABLE, DROP COLUMN of a
column it reads), undone on the way down. It was only said to be lost (6c16c36), and before
that lost without a word; tests/catalog.py's ``statistics`` compares it. DROP STATISTICS
was not applied to the kept object, nor DROP TABLE / DROP COLUMN (PostgreSQL drops the
statistics reading them): the export made it again, or failed."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from modeler.importers import import_live, import_sql
from tests.codegen.helpers import script_versions, states, versions_bundle
from tests.fidelity import roundtrip as rt
from tests.fidelity.test_roundtrip_classes import _loop
from tests.pgtemp import PgServer

SCRIPT = """CREATE SCHEMA app;
CREATE TABLE app.item (id int PRIMARY KEY, kind text, code text, gone int, note text);
CREATE STATISTICS app.item_kind_code (dependencies) ON kind, code FROM app.item;
ALTER STATISTICS app.item_kind_code SET STATISTICS 300;
SET search_path = app;
ALTER STATISTICS item_kind_code SET STATISTICS 400;
CREATE STATISTICS item_expr (ndistinct) ON kind, (lower(note)) FROM item;
ALTER STATISTICS item_expr SET STATISTICS 50;
ALTER STATISTICS item_expr SET STATISTICS -1;
CREATE STATISTICS item_gone ON kind, (gone + 1) FROM item;
ALTER STATISTICS item_gone SET STATISTICS 20;
ALTER TABLE item DROP COLUMN gone;
CREATE STATISTICS item_dropped ON kind, code FROM item;
DROP STATISTICS item_dropped;
CREATE TABLE scratch (a int, b int);
CREATE STATISTICS scratch_ab ON a, b FROM scratch;
DROP TABLE scratch;
RESET search_path;
"""


def test_the_sql_import_keeps_the_target() -> None:
    result = import_sql([("s.sql", SCRIPT)])
    assert [(r.name, r.sql) for r in result.schema.raw_objects if r.kind == "statistics"] == [
        ("item_kind_code",
         "CREATE STATISTICS app.item_kind_code (dependencies) ON kind, code FROM app.item;"),
        ("item_kind_code", "ALTER STATISTICS app.item_kind_code SET STATISTICS 400;"),
        ("item_expr", "CREATE STATISTICS item_expr (ndistinct) ON kind, (lower(note)) FROM item;")]


def test_a_target_of_no_kept_object_is_said_lost() -> None:
    result = import_sql([("s.sql", "ALTER STATISTICS elsewhere SET STATISTICS 7;")])
    assert [w.kind for w in result.warnings if "elsewhere" in str(w)] == ["unsupported"]


@pytest.mark.postgres
@pytest.mark.parametrize("live", [False, True], ids=["sql", "live"])
def test_statistics_round_trip(pg_server: PgServer, tmp_path: Path, live: bool) -> None:
    _loop(pg_server, tmp_path, SCRIPT, objects=True, live=live)


@pytest.mark.postgres
def test_the_live_import_keeps_the_target(pg_server: PgServer) -> None:
    with rt.database(pg_server) as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(SCRIPT)
        result = import_live(url)
    assert [r.sql for r in result.schema.raw_objects if r.kind == "statistics"
            and r.sql.startswith("ALTER")] == [
        "ALTER STATISTICS app.item_kind_code SET STATISTICS 400;"]


BASE = "CREATE TABLE item (id int PRIMARY KEY, kind text, code text);\n" \
       "CREATE STATISTICS item_kc ON kind, code FROM item;\n"


@pytest.mark.postgres
def test_a_versions_target_goes_back_on_the_way_down(pg_server: PgServer,
                                                     tmp_path: Path) -> None:
    target = BASE + "ALTER STATISTICS item_kc SET STATISTICS 250;"
    bundle, first = versions_bundle(script_versions(BASE, target), tmp_path / "bundle",
                                    "target")
    state = "SELECT NULLIF(COALESCE(stxstattarget, -1), -1) FROM pg_statistic_ext"
    with rt.database(pg_server) as url:
        assert states(bundle, url, state, "upgrade head", f"downgrade {first}",
                      "downgrade base") == [[(250,)], [(None,)], []]
