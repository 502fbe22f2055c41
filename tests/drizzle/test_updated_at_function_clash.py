"""The Drizzle bundle of tests/fidelity/test_updated_at_function_clash.py: a design keeping
a ``public.set_updated_at()`` of its own, the export's function named otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeler.codegen.bundle import VersionInput
from tests.drizzle import helpers as h
from tests.drizzle.test_migrate import round_trip
from tests.fidelity.test_updated_at_function_clash import (
    EXPECTED_TRIGGERS,
    PLAIN_TRIGGERS,
    _behaves_as_kept,
    _behaves_plain,
    _kept_body,
    _schemas,
    _state,
    _versions,
)
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres


def test_the_drizzle_bundle_keeps_the_kept_set_updated_at(
        pg_server: PgServer, tmp_path: Path, node_modules: Path) -> None:
    """The Drizzle migrations: version by version as the Alembic revisions build it, down
    to nothing and up again (round_trip); the kept body and the triggers at the head and
    after rolling back to version 1."""
    versions = _versions()
    round_trip(pg_server, versions, tmp_path, "clash", node_modules)
    _, kept = _schemas()
    baseline = [VersionInput(1, "imported", "t", "2026-01-01", kept, baseline=True)]
    round_trip(pg_server, baseline, tmp_path / "baseline", "clash1", node_modules)
    for vs, name in ((versions, "two"), (baseline, "one")):
        bundle = h.write_drizzle(vs, tmp_path / name, "clash", node_modules)
        url = pg_server.create_database("d")
        try:
            h.kit(bundle, url, "migrate")
            assert _state(url) == ([(_kept_body(),)], EXPECTED_TRIGGERS)
            _behaves_as_kept(url)
            if len(vs) == 2:
                h.node_run(["node", "scripts/rollback.mjs"], bundle, url)
                assert _state(url)[1] == PLAIN_TRIGGERS
                _behaves_plain(url)
        finally:
            pg_server.drop_database(url)
