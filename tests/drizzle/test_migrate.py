"""The Drizzle bundle's migrations rebuild the Alembic bundle's database, version by version.

For each test design: ``drizzle-kit migrate`` on an empty database gives the catalog the
Alembic revisions give (tests/catalog.py); ``drizzle-kit generate`` then finds no schema
change (our snapshots are what drizzle-kit serialises from schema.ts) and ``drizzle-kit
check`` passes; ``scripts/rollback.mjs`` (the ``.down.sql`` files) returns to the previous
version's catalog at every step, then to an empty database; and ``migrate`` goes up again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from modeler.codegen.bundle import VersionInput
from tests.catalog import Catalog, compare
from tests.codegen.designs import DESIGNS
from tests.codegen.test_match_full import V1_MATCHES, V2_MATCHES, v1, v2
from tests.drizzle import helpers as h
from tests.fidelity.roundtrip import leftovers
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres


def _same(expected: Catalog, actual: Catalog, what: str) -> None:
    report = compare(expected, actual)
    assert report.ok, f"{what}:\n{report.text()}"


def round_trip(server: PgServer, versions: list[VersionInput], tmp: Path, slug: str,
               node_modules: Path, *, down: bool = True) -> None:
    expected = h.alembic_catalogs(server, versions, tmp / "alembic", slug)
    bundle = h.write_drizzle(versions, tmp / "drizzle", slug, node_modules)
    url = server.create_database("d")
    try:
        h.kit(bundle, url, "migrate")
        _same(expected[-1], h.drizzle_catalog(url), "after drizzle-kit migrate")
        generated = h.kit(bundle, url, "generate")
        assert "No schema changes" in generated.stdout, generated.stdout[-3000:]
        checked = h.kit(bundle, url, "check")
        assert "Everything's fine" in checked.stdout, checked.stdout[-3000:]
        if not down:
            return
        for n in range(len(versions) - 1, 0, -1):
            h.node_run(["node", "scripts/rollback.mjs"], bundle, url)
            _same(expected[n - 1], h.drizzle_catalog(url), f"after rolling back to {n}")
        h.node_run(["node", "scripts/rollback.mjs"], bundle, url)
        assert h.applied(url) == 0
        left = [x for x in leftovers(url) if "drizzle" not in x]
        assert left == [], left
        h.kit(bundle, url, "migrate")
        _same(expected[-1], h.drizzle_catalog(url), "after migrating up again")
    finally:
        server.drop_database(url)


@pytest.mark.parametrize("slug", sorted(DESIGNS))
def test_designs_round_trip(slug: str, pg_server: PgServer, tmp_path: Path,
                            node_modules: Path) -> None:
    make: Callable[[], list[VersionInput]] = DESIGNS[slug]
    round_trip(pg_server, make(), tmp_path, slug, node_modules)


def test_match_full_round_trip(pg_server: PgServer, tmp_path: Path,
                               node_modules: Path) -> None:
    """MATCH FULL (which drizzle-orm's foreignKey() cannot say) comes from the migrations'
    SQL: created in the first migration, changed both ways in the second (drop and add
    again), rolled back; drizzle-kit generate sees no change (its snapshot has no match)."""
    a = v1()
    versions = [VersionInput(number=1, message="v1", author="t", created="2026-01-01",
                             schema=a),
                VersionInput(number=2, message="v2", author="t", created="2026-01-02",
                             schema=v2(a))]
    expected = h.alembic_catalogs(pg_server, versions, tmp_path / "alembic", "match")
    for catalog, matches in zip(expected, (V1_MATCHES, V2_MATCHES), strict=True):
        assert {r[1]: r[-3] for r in catalog.category("foreign_keys")} == {
            name: "f" if match == "FULL" else "s" for name, match in matches.items()}
    round_trip(pg_server, versions, tmp_path / "rt", "match", node_modules)
