"""A value added to an enum and used by the same revision (a default, a CHECK, a partial
index): ``ALTER TYPE ... ADD VALUE`` cannot share a transaction with the value's first use,
and drizzle's migrator runs every pending migration in one transaction. The Alembic bundle
runs it in an autocommit block; the Drizzle migration commits around it the same way, so
``drizzle-kit migrate`` of both versions at once builds the Alembic catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeler.codegen.bundle import VersionInput
from modeler.importers import import_sql
from tests.drizzle.test_migrate import round_trip
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

V1 = """
CREATE TYPE mood AS ENUM ('a', 'b');
CREATE TABLE t1 (id integer PRIMARY KEY, m mood DEFAULT 'a');
"""
V2 = """
CREATE TYPE mood AS ENUM ('a', 'c', 'b');
CREATE TABLE t1 (id integer PRIMARY KEY, m mood DEFAULT 'c', CONSTRAINT t1_not_c CHECK (m <> 'c'));
CREATE INDEX t1_c ON t1 (id) WHERE m = 'c';
"""


def test_a_new_enum_value_used_in_its_revision(pg_server: PgServer, tmp_path: Path,
                                                node_modules: Path) -> None:
    versions = [VersionInput(n, f"v{n}", "t", f"2026-01-0{n}", import_sql([("s.sql", ddl)]).schema)
                for n, ddl in ((1, V1), (2, V2))]
    round_trip(pg_server, versions, tmp_path, "enum", node_modules)
