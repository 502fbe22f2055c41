"""The Drizzle bundles of tests/codegen/test_partition_updated_at.py (the ``updated_at``
trigger on a partitioned table, a partition attached and one detached) and of
tests/codegen/test_regenerate_dependents.py (a generated column added again under an FK
and a kept index): drizzle-kit migrate builds both versions' catalogs, the rollbacks come
down to nothing. The triggers themselves are checked after migrating and rolling back."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from modeler.codegen.bundle import VersionInput
from modeler.importers import import_sql
from tests.codegen import test_partition_updated_at as trg
from tests.codegen import test_regenerate_dependents as regen
from tests.drizzle import helpers as h
from tests.drizzle.test_migrate import round_trip
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("pg", [16, 12])
def test_the_partition_trigger_round_trips_with_drizzle(
        pg_server: PgServer, tmp_path: Path, node_modules: Path, pg: int) -> None:
    one, two = trg._schemas(pg)
    versions = [VersionInput(1, "first", "t", "2026-01-01", one),
                VersionInput(2, "attach and detach", "t", "2026-01-02", two)]
    round_trip(pg_server, versions, tmp_path, "trg", node_modules)
    bundle = h.write_drizzle(versions, tmp_path / "again", "trg", node_modules)
    url = pg_server.create_database("d")
    try:
        h.kit(bundle, url, "migrate")
        assert trg._triggers(url) == trg.EXPECTED[pg][1]
        h.node_run(["node", "scripts/rollback.mjs"], bundle, url)
        assert trg._triggers(url) == trg.EXPECTED[pg][0]
    finally:
        pg_server.drop_database(url)


def test_a_regenerated_column_under_an_fk_round_trips_with_drizzle(
        pg_server: PgServer, tmp_path: Path, node_modules: Path) -> None:
    one = import_sql([("v1.sql", regen.V1)]).schema
    two = replace(import_sql([("v2.sql", regen.V1.replace("n int", "n bigint"))]).schema,
                  settings=one.settings)
    versions = [VersionInput(1, "first", "t", "2026-01-01", one, baseline=True),
                VersionInput(2, "wider numbers", "t", "2026-01-02", two)]
    round_trip(pg_server, versions, tmp_path, "regen", node_modules)
