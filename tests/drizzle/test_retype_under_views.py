"""The Drizzle bundle of a version that retypes columns under kept views, a view over a
view and a policy (tests/codegen/test_retype_under_views.py): drizzle-kit migrate builds
both versions' catalogs, generate/check are clean, the rollbacks come down to nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeler.codegen.bundle import VersionInput
from tests.codegen.test_retype_under_views import _schemas
from tests.drizzle.test_migrate import round_trip
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres


def test_retyping_under_views_round_trips_with_drizzle(pg_server: PgServer, tmp_path: Path,
                                                      node_modules: Path) -> None:
    one, two = _schemas()
    versions = [VersionInput(1, "first", "t", "2026-01-01", one, baseline=True),
                VersionInput(2, "retype the person", "t", "2026-01-02", two)]
    round_trip(pg_server, versions, tmp_path, "retype", node_modules)


def test_retyping_under_a_generated_column_round_trips_with_drizzle(
        pg_server: PgServer, tmp_path: Path, node_modules: Path) -> None:
    from dataclasses import replace

    from modeler.importers import import_sql
    from tests.codegen.test_retype_under_views import GENERATED_V1, GENERATED_V2

    one = import_sql([("v1.sql", GENERATED_V1)]).schema
    two = replace(import_sql([("v2.sql", GENERATED_V2)]).schema, settings=one.settings)
    versions = [VersionInput(1, "first", "t", "2026-01-01", one, baseline=True),
                VersionInput(2, "wider numbers", "t", "2026-01-02", two)]
    round_trip(pg_server, versions, tmp_path, "gen", node_modules)
