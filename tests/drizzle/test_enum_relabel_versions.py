"""tests/codegen/test_enum_relabel_versions.py's versions in a Drizzle bundle (a relabel;
a relabel saved with a new value; the enum renamed and moved, casts following): drizzle-kit
migrate of the first, rows holding the label, migrate of the second (the value renamed, the
CHECK, predicate, defaults and view following), which must equal a fresh build of its
schema.sql; scripts/rollback.mjs back to the first, equal to the first's."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.catalog import compare
from tests.codegen.test_enum_relabel_versions import (
    MOVED_ROWS,
    ROWS,
    fresh,
    moved_versions,
    relabel_and_add_versions,
    rows_relabelled,
    versions,
)
from tests.drizzle import helpers as h
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("which", ["relabel", "moved", "relabel_and_add"])
def test_migrates_and_rolls_back_with_rows(which: str, pg_server: PgServer, tmp_path: Path,
                                           node_modules: Path) -> None:
    vs = {"relabel": versions, "moved": moved_versions,
          "relabel_and_add": relabel_and_add_versions}[which]()
    expected = [fresh(pg_server, v.schema) for v in vs]
    bundle = h.write_drizzle(vs, tmp_path / "drizzle", "relabel", node_modules)
    url = pg_server.create_database("d")
    try:
        h.migrate_over_rows(bundle, url, MOVED_ROWS if which == "moved" else ROWS)
        report = compare(expected[1], h.drizzle_catalog(url))
        assert report.ok, report.text()
        if which != "moved":
            rows_relabelled(url)
        h.node_run(["node", "scripts/rollback.mjs"], bundle, url)
        report = compare(expected[0], h.drizzle_catalog(url))
        assert report.ok, report.text()
    finally:
        pg_server.drop_database(url)
