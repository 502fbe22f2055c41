"""The Drizzle migrations' SQL carries a table's UNLOGGED and storage parameters (kept as
SQL on the table, see tests/fidelity/test_table_storage.py), and scripts/rollback.mjs
undoes them version by version."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from tests.catalog import Catalog, compare
from tests.drizzle import helpers as h
from tests.fidelity.test_table_storage import _versions
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres


def test_storage_drizzle_round_trip(pg_server: PgServer, tmp_path: Path,
                                    node_modules: Path) -> None:
    """The Drizzle migrations' SQL carries them too, and the rollback undoes them."""
    versions = _versions()
    expected = h.alembic_catalogs(pg_server, versions, tmp_path / "alembic", "st")
    assert [{r[0]: r[1] for r in c.table_options} for c in expected] == [
        {"public.item": "p", "public.log": "p"}, {"public.item": "u", "public.log": "u"},
        {"public.item": "p", "public.log": "u"}]
    bundle = h.write_drizzle(versions, tmp_path / "drizzle", "st", node_modules)
    url = pg_server.create_database("d")
    what = ("table_options", "indexes")

    def catalog() -> Catalog:  # without drizzle-kit's own table
        got = h.drizzle_catalog(url)
        return replace(got, table_options=frozenset(
            r for r in got.table_options if not r[0].startswith("drizzle.")))
    try:
        h.kit(bundle, url, "migrate")
        report = compare(expected[-1], catalog(), categories=what)
        assert report.ok, report.text()
        for n in range(len(versions) - 1, 0, -1):
            h.node_run(["node", "scripts/rollback.mjs"], bundle, url)
            report = compare(expected[n - 1], catalog(), categories=what)
            assert report.ok, f"rolled back to {n}:\n{report.text()}"
    finally:
        pg_server.drop_database(url)
