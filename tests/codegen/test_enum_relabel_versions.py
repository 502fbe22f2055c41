"""A version relabels an enum value in the editor (a label typed over another in its place):
the value is renamed (``ALTER TYPE ... RENAME VALUE``, the rows holding it keep it), and the
design's expressions spelling the old label follow: a CHECK, a partial index's predicate, a
default, an array default, a kept view. Before, a relabel was a new value: the revision
recreated the type and failed on the rows holding the old label (and on the CHECK, the
predicate and the view naming it). The upgraded database, with rows, must equal a fresh
build of the new version's schema.sql; the way down the old one's. Alembic here, Drizzle in
tests/drizzle/test_enum_relabel_versions.py."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from modeler.codegen.bundle import VersionInput, build_bundle
from modeler.codegen.ddl import schema_sql
from modeler.codegen.version_table import version_table_name
from modeler.diff import RenameEnumValue, diff
from modeler.importers import import_sql
from modeler.schema import actions
from modeler.schema import model as m
from tests.catalog import Catalog, compare, read_catalog
from tests.codegen.helpers import write_bundle
from tests.fidelity import roundtrip as rt
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

V1 = """
CREATE TYPE mood AS ENUM ('ok', 'old', 'x');
CREATE TABLE t (id int PRIMARY KEY, m mood NOT NULL DEFAULT 'old',
    ms mood[] DEFAULT '{old,ok}'::mood[],
    CONSTRAINT t_known CHECK (m IN ('ok', 'old')));
CREATE INDEX t_old ON t (id) WHERE m = 'old'::mood;
CREATE VIEW olds AS SELECT id FROM t WHERE m = 'old' OR ms @> '{old}';
"""
ROWS = ("INSERT INTO t VALUES (1, 'old', '{old}'), (2, 'ok', '{ok,old}');"
        "INSERT INTO t (id) VALUES (3);")


def versions() -> list[VersionInput]:
    one = import_sql([("v1.sql", V1)]).schema
    mood = one.enums[0]
    two = actions.save_enum(one, uid=mood.uid, name="mood", namespace="public",
                            labels=["ok", "gone", "x"], comment="", existing=True)
    return [VersionInput(1, "first", "t", "2026-01-01", one, baseline=True),
            VersionInput(2, "relabel", "t", "2026-01-02", two)]


def fresh(server: PgServer, schema: m.Schema) -> Catalog:
    with rt.database(server) as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(schema_sql(schema).encode())
        return read_catalog(url)


def rows_relabelled(url: str) -> None:
    with psycopg.connect(url) as conn:
        got = conn.execute("SELECT id, m::text, ms::text FROM t ORDER BY id").fetchall()
        olds = conn.execute("SELECT id FROM olds ORDER BY id").fetchall()
    assert got == [(1, "gone", "{gone}"), (2, "ok", "{ok,gone}"), (3, "gone", "{gone,ok}")]
    assert olds == [(1,), (2,), (3,)]


def test_the_design_follows_the_relabel() -> None:
    one, two = (v.schema for v in versions())
    assert [type(op) for op in diff(one, two) if "enum" in op.kind] == [RenameEnumValue]
    t = two.tables[0]
    assert [c.default for c in t.columns] == [None, "'gone'", "'{gone,ok}'::mood[]"]
    assert [k.expression for k in t.checks] == ["m IN ('ok', 'gone')"]
    assert t.indexes[0].where == "m = 'gone'::mood"
    assert "m = 'gone' OR ms @> '{gone}'" in two.raw_objects[0].sql


def test_a_relabel_upgrades_and_downgrades_with_rows(pg_server: PgServer,
                                                     tmp_path: Path) -> None:
    vs = versions()
    expected = [fresh(pg_server, v.schema) for v in vs]
    bundle = write_bundle(build_bundle(vs, slug="relabel"), tmp_path / "bundle")
    first = sorted((bundle / "migrations" / "versions").glob("0001_*.py"))[0].stem
    table = version_table_name([v.schema for v in vs])

    def alembic(url: str, *args: str) -> None:
        done = rt.alembic(bundle, url, *args)
        assert done.returncode == 0, (args, (done.stdout + done.stderr)[-2000:])

    def same(url: str, n: int) -> None:
        report = compare(expected[n], rt.without_version_table(read_catalog(url), table))
        assert report.ok, report.text()

    with rt.database(pg_server) as url:
        alembic(url, "upgrade", first)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(ROWS)  # type: ignore[arg-type]
        alembic(url, "upgrade", "head")
        same(url, 1)
        rows_relabelled(url)
        alembic(url, "downgrade", first)
        same(url, 0)
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT count(*) FROM t WHERE m = 'old'").fetchone() == (2,)
