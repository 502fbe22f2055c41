"""A table without columns (``CREATE TABLE marker ()``: PostgreSQL allows it, and a dump
writes it so for a table whose columns were all dropped). models.py made a class of it
that SQLAlchemy cannot map (no primary key column), so importing the models failed and
with them every migration of the design. Now it is a Core table of the metadata; the
Alembic and the Drizzle bundles build it, check clean and come down."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from modeler.codegen.bundle import VersionInput
from modeler.codegen.models import render_models
from modeler.codegen.version_table import version_table_name
from modeler.importers import import_sql
from modeler.schema.model import Schema
from tests.drizzle.test_migrate import round_trip
from tests.fidelity import roundtrip as rt
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

DDL = """
CREATE SCHEMA marks;
CREATE TABLE marks.marker ();
COMMENT ON TABLE marks.marker IS 'Its columns were all dropped long ago.';
CREATE TABLE bare ();
CREATE TABLE item (id int PRIMARY KEY, label text NOT NULL,
                   created_at timestamptz NOT NULL DEFAULT now(),
                   updated_at timestamptz NOT NULL DEFAULT now());
"""


def _schema() -> Schema:
    return import_sql([("marks.sql", DDL)]).schema


def test_the_models_of_a_columnless_table_import(tmp_path: Path) -> None:
    path = tmp_path / "columnless_models.py"
    path.write_text(render_models(_schema()))
    spec = importlib.util.spec_from_file_location("columnless_models", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # SQLAlchemy reads the annotations in the module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    metadata = module.Base.metadata
    assert {"marks.marker", "bare", "item"} <= set(metadata.tables)
    assert list(metadata.tables["bare"].columns) == []
    assert metadata.tables["marks.marker"].comment == "Its columns were all dropped long ago."


def test_a_columnless_table_round_trips_with_alembic(pg_server: PgServer,
                                                     tmp_path: Path) -> None:
    schema = _schema()
    bundle = rt.export_bundle(schema, tmp_path, "marks")
    table = version_table_name([schema])
    with rt.database(pg_server) as url:
        rt.alembic_upgrade(bundle, url)
        for args in (("check",), ("downgrade", "base")):
            done = rt.alembic(bundle, url, *args)
            assert done.returncode == 0, (done.stdout + done.stderr)[-1500:]
        assert rt.leftovers(url, table) == []
        rt.alembic_upgrade(bundle, url)


def test_a_columnless_table_round_trips_with_drizzle(pg_server: PgServer, tmp_path: Path,
                                                     node_modules: Path) -> None:
    versions = [VersionInput(1, "Imported baseline", "t", "2026-01-01", _schema(),
                             baseline=True)]
    round_trip(pg_server, versions, tmp_path, "marks", node_modules)
