"""An index whose key is a constant (``CREATE UNIQUE INDEX ... ((TRUE))``: at most one row,
as repmgr's voting_term): the key is written in parentheses in the migration SQL, schema.ts
and the snapshot (bare, ``(true)`` is a syntax error), and the bundle round-trips."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeler.codegen.bundle import VersionInput
from modeler.importers import import_sql
from tests.drizzle.test_migrate import round_trip
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

DDL = """
CREATE TABLE singleton (term integer NOT NULL);
CREATE UNIQUE INDEX singleton_one_row ON singleton ((TRUE));
CREATE INDEX singleton_both ON singleton (term, (false));
"""


def test_a_constant_index_key(pg_server: PgServer, tmp_path: Path,
                              node_modules: Path) -> None:
    versions = [VersionInput(1, "Imported baseline", "t", "2026-01-01",
                             import_sql([("s.sql", DDL)]).schema, baseline=True)]
    round_trip(pg_server, versions, tmp_path, "const", node_modules)
