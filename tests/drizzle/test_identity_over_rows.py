"""tests/codegen/test_identity_over_rows.py's two versions in a Drizzle bundle: drizzle-kit
migrate of the first, rows (some holding NULL in the column made an identity), migrate of the
second, a new row, scripts/rollback.mjs back to the first."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from modeler.codegen.bundle import VersionInput
from modeler.importers import import_sql
from tests.catalog import compare
from tests.codegen.test_identity_over_rows import ROWS, V1, V2, _after_downgrade, _after_upgrade
from tests.drizzle import helpers as h
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres


def test_an_identity_made_over_null_rows_drizzle(pg_server: PgServer, tmp_path: Path,
                                                 node_modules: Path) -> None:
    one = import_sql([("v1.sql", V1)]).schema
    two = replace(import_sql([("v2.sql", V2)]).schema, settings=one.settings)
    versions = [VersionInput(1, "first", "t", "2026-01-01", one, baseline=True),
                VersionInput(2, "identity", "t", "2026-01-02", two)]
    expected = h.alembic_catalogs(pg_server, versions, tmp_path / "alembic", "ident")
    bundle = h.write_drizzle(versions, tmp_path / "drizzle", "ident", node_modules)
    url = pg_server.create_database("d")
    try:
        h.migrate_over_rows(bundle, url, ROWS)
        report = compare(expected[-1], h.drizzle_catalog(url))
        assert report.ok, report.text()
        _after_upgrade(url)
        h.node_run(["node", "scripts/rollback.mjs"], bundle, url)
        report = compare(expected[0], h.drizzle_catalog(url))
        assert report.ok, report.text()
        _after_downgrade(url)
    finally:
        pg_server.drop_database(url)
