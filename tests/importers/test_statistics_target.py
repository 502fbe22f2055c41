"""``ALTER STATISTICS s SET STATISTICS n``: an extended statistics object's target is not
modelled, and the imports say so. The SQL import counted the statement as ignored and the
live import did not read pg_statistic_ext.stxstattarget, so the target was lost without a
word (tests/catalog.py's ``statistics`` compares it since ebf3409)."""

from __future__ import annotations

import psycopg
import pytest

from modeler.importers import import_live, import_sql
from tests.fidelity import roundtrip as rt
from tests.pgtemp import PgServer

SCRIPT = """CREATE TABLE item (id int PRIMARY KEY, kind text, code text);
CREATE STATISTICS item_kind_code (dependencies) ON kind, code FROM item;
ALTER STATISTICS item_kind_code SET STATISTICS 300;
"""


def _said(warnings: list[object]) -> list[str]:
    return [str(w) for w in warnings if "item_kind_code" in str(w) and "300" in str(w)]


def test_the_sql_import_says_the_target_is_lost() -> None:
    result = import_sql([("s.sql", SCRIPT)])
    assert [r.name for r in result.schema.raw_objects if r.kind == "statistics"] == [
        "item_kind_code"]
    assert len(_said(result.warnings)) == 1, [str(w) for w in result.warnings]


@pytest.mark.postgres
def test_the_live_import_says_the_target_is_lost(pg_server: PgServer) -> None:
    with rt.database(pg_server) as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(SCRIPT)
        result = import_live(url)
    assert len(_said(result.warnings)) == 1, [str(w) for w in result.warnings]
