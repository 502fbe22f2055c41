"""Identity sequence options through the Drizzle bundle (tests/codegen/test_identity_options.py
has the Alembic side): drizzle-kit migrate builds both versions' catalogs with the same
identity sequences, generate and check find schema.ts and the snapshots agreeing, and the
rollbacks come back down."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from modeler.codegen.bundle import VersionInput
from modeler.importers import import_sql
from tests.codegen.test_identity_options import SCRIPT, V1, V2, identities, identities_of
from tests.drizzle import helpers as h
from tests.drizzle.test_migrate import round_trip
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres
BOTH = SCRIPT.replace("TABLE later", "TABLE late")  # V1 and V2 have their own "later"


def test_identity_options_round_trip_with_drizzle(pg_server: PgServer, tmp_path: Path,
                                                  node_modules: Path) -> None:
    one = import_sql([("v1.sql", V1 + BOTH)]).schema
    two = replace(import_sql([("v2.sql", V2 + BOTH)]).schema, settings=one.settings)
    versions = [VersionInput(1, "first", "t", "2026-01-01", one, baseline=True),
                VersionInput(2, "other identity options", "t", "2026-01-02", two)]
    round_trip(pg_server, versions, tmp_path, "ids", node_modules)
    bundle = h.write_drizzle(versions, tmp_path / "again", "ids", node_modules)
    url = pg_server.create_database("d")
    try:
        h.kit(bundle, url, "migrate")
        assert identities(url) == identities_of(pg_server, V2 + BOTH)
    finally:
        pg_server.drop_database(url)
