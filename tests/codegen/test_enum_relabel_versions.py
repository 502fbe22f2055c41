"""A version relabels an enum value in the editor (a label typed over another in its place):
the value is renamed (``ALTER TYPE ... RENAME VALUE``, the rows holding it keep it), and the
design's expressions spelling the old label follow: a CHECK, a partial index's predicate, a
default, an array default, a kept view. Before, a relabel was a new value: the revision
recreated the type and failed on the rows holding the old label (and on the CHECK, the
predicate and the view naming it). The upgraded database, with rows, must equal a fresh
build of the new version's schema.sql; the way down the old one's. Alembic here, Drizzle in
tests/drizzle/test_enum_relabel_versions.py."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
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
    # the rename alone: the CHECK, the index, the defaults and the view follow it, as in
    # PostgreSQL, instead of being dropped and made again
    assert [type(op) for op in diff(one, two)] == [RenameEnumValue]
    t = two.tables[0]
    assert [c.default for c in t.columns] == [None, "'gone'", "'{gone,ok}'::mood[]"]
    assert [k.expression for k in t.checks] == ["m IN ('ok', 'gone')"]
    assert t.indexes[0].where == "m = 'gone'::mood"
    assert "m = 'gone' OR ms @> '{gone}'" in two.raw_objects[0].sql


MOVED_V1 = """
CREATE SCHEMA s2;
CREATE TYPE e AS ENUM ('a', 'b');
CREATE TABLE u (id int PRIMARY KEY, k e DEFAULT 'a'::e, ks e[] DEFAULT '{a}'::public.e[],
    CONSTRAINT u_not_b CHECK (k <> 'b'::e));
CREATE INDEX u_a ON u (id) WHERE k = 'a'::e;
CREATE VIEW u_as AS SELECT id FROM u WHERE k = CAST('a' AS e);
"""
MOVED_ROWS = "INSERT INTO u VALUES (1, 'a', '{a}'); INSERT INTO u (id) VALUES (2);"


def moved_versions() -> list[VersionInput]:
    """The enum renamed and moved to another schema in the editor's form."""
    one = import_sql([("v1.sql", MOVED_V1)]).schema
    e = one.enums[0]
    two = actions.save_enum(one, uid=e.uid, name="e2", namespace="s2", labels=["a", "b"],
                            comment="", existing=True)
    return [VersionInput(1, "first", "t", "2026-01-01", one, baseline=True),
            VersionInput(2, "move", "t", "2026-01-02", two)]


def test_casts_follow_the_enum_moved_in_the_editor() -> None:
    one, two = (v.schema for v in moved_versions())
    assert [op.kind for op in diff(one, two)] == ["create_namespace", "rename_enum"]
    u = two.tables[0]
    assert [c.default for c in u.columns] == [None, "'a'::s2.e2", "'{a}'::s2.e2[]"]
    assert [k.expression for k in u.checks] == ["k <> 'b'::s2.e2"]
    assert u.indexes[0].where == "k = 'a'::s2.e2"
    assert "CAST('a' AS s2.e2)" in two.raw_objects[0].sql


def test_a_moved_enum_upgrades_and_downgrades_with_rows(pg_server: PgServer,
                                                        tmp_path: Path) -> None:
    def rows(url: str) -> None:
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT id FROM u_as ORDER BY id").fetchall() == [(1,), (2,)]
    _up_and_down(pg_server, tmp_path, moved_versions(), MOVED_ROWS, rows)


def test_a_relabel_upgrades_and_downgrades_with_rows(pg_server: PgServer,
                                                     tmp_path: Path) -> None:
    def back(url: str) -> None:
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT count(*) FROM t WHERE m = 'old'").fetchone() == (2,)
    _up_and_down(pg_server, tmp_path, versions(), ROWS, rows_relabelled, back)


def _up_and_down(pg_server: PgServer, tmp_path: Path, vs: list[VersionInput], rows: str,
                 up: Callable[[str], None], down: Callable[[str], None] | None = None
                 ) -> None:
    """Rows in the first version, upgrade: a fresh build of the second's schema.sql, then
    ``up``; downgrade: the first's, then ``down``."""
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
            conn.execute(rows.encode())
        alembic(url, "upgrade", "head")
        same(url, 1)
        up(url)
        alembic(url, "downgrade", first)
        same(url, 0)
        if down is not None:
            down(url)


def relabel_and_add_versions() -> list[VersionInput]:
    """:func:`versions`, but the one save of the enum form renames a value and adds
    another."""
    one, relabelled = versions()
    mood = one.schema.enums[0]
    two = actions.save_enum(one.schema, uid=mood.uid, name="mood", namespace="public",
                            labels=["ok", "gone", "x", "new"], comment="", existing=True)
    return [one, replace(relabelled, schema=two)]


def test_a_relabel_saved_with_a_new_value_upgrades_and_downgrades_with_rows(
        pg_server: PgServer, tmp_path: Path) -> None:
    """The renamed value keeps its identity (before, a list that changed length made every
    typed-over label a new value, and the upgrade failed on the rows holding the old
    one)."""
    one, two = relabel_and_add_versions()
    mood = one.schema.enums[0]
    assert {type(op).__name__ for op in diff(one.schema, two.schema)} >= {
        "RenameEnumValue", "AddEnumValue"}
    assert [v.uid for v in two.schema.enum(mood.uid).values][:3] == [
        v.uid for v in mood.values]
    assert two.schema.tables == versions()[1].schema.tables  # the expressions followed

    def back(url: str) -> None:
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT count(*) FROM t WHERE m = 'old'").fetchone() == (2,)
    _up_and_down(pg_server, tmp_path, [one, two], ROWS, rows_relabelled, back)
