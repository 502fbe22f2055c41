"""An enum without labels (``CREATE TYPE ... AS ENUM ()``, its values added later with ALTER
TYPE ... ADD VALUE): pgEnum's array form wants one label at least (TS2769), so schema.ts
declares it in the object form; the bundle compiles strictly and round-trips."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeler.codegen.bundle import VersionInput
from modeler.importers import import_sql
from tests.drizzle import helpers as h
from tests.drizzle.test_migrate import round_trip
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

DDL = """
CREATE SCHEMA app;
CREATE TYPE pending AS ENUM ();
CREATE TYPE app.later AS ENUM ();
CREATE TABLE job (id integer PRIMARY KEY, state pending, states app.later[]);
"""


def test_an_enum_without_labels(pg_server: PgServer, tmp_path: Path,
                                node_modules: Path) -> None:
    schema = import_sql([("s.sql", DDL)]).schema
    versions = [VersionInput(1, "Imported baseline", "enums", "2026-01-01", schema,
                             baseline=True)]
    round_trip(pg_server, versions, tmp_path, "enums", node_modules)
    errors = h.ts_errors(h.tsc(tmp_path / "drizzle").stdout)
    assert errors == [], "\n".join(errors[:30])
