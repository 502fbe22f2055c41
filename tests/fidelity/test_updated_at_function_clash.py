"""A design that keeps a function of its own named ``public.set_updated_at()`` (logto's
schema, npm @logto/schemas, does: its body does more than stamp every UPDATE) while another
table needs the export's ``updated_at`` trigger: the export's function was created with
``CREATE OR REPLACE FUNCTION set_updated_at()``, which overwrote the kept one (its body, and
so the kept trigger calling it), and the downgrade dropped it. The export's function takes
another name then (``set_updated_at_1``), and a version that comes to keep such a function
moves the export's triggers to it (and back on the way down)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from modeler.codegen.bundle import VersionInput, build_bundle
from modeler.codegen.versions import revision_id
from modeler.importers import import_sql
from modeler.schema.model import Schema
from tests.catalog import CATEGORIES, compare, read_catalog
from tests.codegen.helpers import alembic, write_bundle
from tests.fidelity import roundtrip as rt
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

TABLES = """
CREATE TABLE a (id int PRIMARY KEY, n int, updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE b (id int PRIMARY KEY, n int, updated_at timestamptz NOT NULL DEFAULT now());
"""
# the design's own set_updated_at(): stamps a fixed date, and only when n changed
KEPT = """
CREATE FUNCTION public.set_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.n IS DISTINCT FROM OLD.n THEN NEW.updated_at := '2030-01-01'; END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER a_stamp BEFORE UPDATE ON a FOR EACH ROW EXECUTE FUNCTION public.set_updated_at();
"""
SCRIPT = TABLES + KEPT

_BODY = ("SELECT p.prosrc FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
         "WHERE n.nspname = 'public' AND p.proname = 'set_updated_at'")
_TRIGGERS = ("SELECT c.relname, t.tgname::text, p.proname::text FROM pg_trigger t "
             "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
             "WHERE NOT t.tgisinternal ORDER BY 1, 2")


def _kept_body() -> str:
    return KEPT.split("$$")[1]


def _schemas() -> tuple[Schema, Schema]:
    """The design without the kept function, and with it (the same tables)."""
    plain = import_sql([("v1.sql", TABLES)]).schema
    kept = import_sql([("v2.sql", SCRIPT)]).schema
    return plain, replace(kept, tables=plain.tables)


def _state(url: str) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    with psycopg.connect(url, autocommit=True) as conn:
        bodies = [tuple(r) for r in conn.execute(_BODY).fetchall()]
        triggers = [tuple(r) for r in conn.execute(_TRIGGERS).fetchall()]
    return bodies, triggers


def _behaves_as_kept(url: str) -> None:
    """a: the kept function's stamp (only when n changes); b: the export's (every UPDATE)."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DELETE FROM a; DELETE FROM b")
        conn.execute("INSERT INTO a VALUES (1, 0, '2001-01-01'), (2, 0, '2001-01-01')")
        conn.execute("INSERT INTO b VALUES (1, 0, '2001-01-01')")
        conn.execute("UPDATE a SET n = 1 WHERE id = 1")
        conn.execute("UPDATE a SET id = 2 WHERE id = 2")  # n unchanged: no stamp
        conn.execute("UPDATE b SET id = 1")
        rows = conn.execute("SELECT id, updated_at::date::text FROM a ORDER BY id").fetchall()
        assert rows == [(1, "2030-01-01"), (2, "2001-01-01")]
        stamped = conn.execute("SELECT updated_at::date::text FROM b").fetchone()
        assert stamped is not None and "2001-01-01" < stamped[0] < "2030-01-01"


def _behaves_plain(url: str) -> None:
    """Both tables stamped by the export's function on every UPDATE."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DELETE FROM a; DELETE FROM b")
        conn.execute("INSERT INTO a VALUES (1, 0, '2001-01-01')")
        conn.execute("INSERT INTO b VALUES (1, 0, '2001-01-01')")
        conn.execute("UPDATE a SET id = 1")
        conn.execute("UPDATE b SET id = 1")
        for table in ("a", "b"):
            row = conn.execute(f"SELECT updated_at::date::text FROM {table}").fetchone()
            assert row is not None and "2001-01-01" < row[0] < "2030-01-01", table


EXPECTED_TRIGGERS = [("a", "a_stamp", "set_updated_at"),
                     ("b", "trg_b_updated_at", "set_updated_at_1")]
PLAIN_TRIGGERS = [("a", "trg_a_updated_at", "set_updated_at"),
                  ("b", "trg_b_updated_at", "set_updated_at")]


def test_a_kept_set_updated_at_keeps_its_body_through_alembic(pg_server: PgServer,
                                                                tmp_path: Path) -> None:
    with rt.database(pg_server) as original:
        assert rt.psql_run(pg_server, original, SCRIPT) == []
        expected = read_catalog(original)
        original_state = _state(original)
    assert original_state[0] == [(_kept_body(),)]
    result = import_sql([("script.sql", SCRIPT)])
    assert [str(w) for w in result.warnings if w.kind == "error"] == []
    bundle = rt.export_bundle(result.schema, tmp_path / "bundle", "bundle")
    with rt.database(pg_server) as url:
        rt.alembic_upgrade(bundle, url)
        assert _state(url) == (original_state[0], EXPECTED_TRIGGERS)
        _behaves_as_kept(url)
        actual = rt.without_version_table(read_catalog(url))
        report = compare(expected, actual, categories=CATEGORIES)
        assert report.ok, report.text()
        objects = rt.objects_report(expected, actual)
        assert objects.ok, objects.text()
        loop = rt.run_loop(bundle, url, expected, (), rt._Clock(), objects=True)
        assert loop.check_clean, loop.output
        assert loop.down_ok, loop.output
        assert loop.leftovers == [], loop.leftovers
        assert loop.again_ok, loop.output
        assert loop.again is not None and loop.again.ok, loop.again.text()
        assert loop.again_objects is not None and loop.again_objects.ok, \
            loop.again_objects.text()
        assert _state(url) == (original_state[0], EXPECTED_TRIGGERS)
        _behaves_as_kept(url)


def _versions() -> list[VersionInput]:
    plain, kept = _schemas()
    return [VersionInput(1, "plain", "t", "2026-01-01", plain),
            VersionInput(2, "own set_updated_at", "t", "2026-01-02", kept)]


def test_a_version_that_comes_to_keep_set_updated_at_moves_the_export_s(
        pg_server: PgServer, tmp_path: Path) -> None:
    """Version 2 keeps a set_updated_at() of its own: the export's triggers move to
    set_updated_at_1 on the way up and back on the way down, with rows in the tables."""
    versions = _versions()
    bundle = write_bundle(build_bundle(versions, slug="clash"), tmp_path / "bundle")
    one, two = (revision_id(v) for v in versions)
    url = pg_server.create_database("c")
    try:
        assert alembic(bundle, url, "upgrade", one).returncode == 0
        assert _state(url)[1] == PLAIN_TRIGGERS
        _behaves_plain(url)
        assert alembic(bundle, url, "upgrade", two).returncode == 0
        assert _state(url) == ([(_kept_body(),)], EXPECTED_TRIGGERS)
        _behaves_as_kept(url)
        assert alembic(bundle, url, "check").returncode == 0
        assert alembic(bundle, url, "downgrade", one).returncode == 0
        bodies, triggers = _state(url)
        assert triggers == PLAIN_TRIGGERS and len(bodies) == 1 and bodies[0] != (_kept_body(),)
        _behaves_plain(url)
        assert alembic(bundle, url, "downgrade", "base").returncode == 0
        assert rt.leftovers(url) == []
        assert alembic(bundle, url, "upgrade", "head").returncode == 0
        assert _state(url) == ([(_kept_body(),)], EXPECTED_TRIGGERS)
        _behaves_as_kept(url)
    finally:
        pg_server.drop_database(url)


def test_versions_keeping_each_other_s_name_go_through_a_third(pg_server: PgServer,
                                                                tmp_path: Path) -> None:
    """Version 1 keeps set_updated_at() (the export's is set_updated_at_1), version 2 keeps
    set_updated_at_1() instead (the export's is set_updated_at again): each name is kept on
    one side, so the revision renames the export's to set_updated_at_2 before its ops and
    to its end's name after them, both ways, with rows in the tables."""
    plain, one = _schemas()
    renamed = SCRIPT.replace("set_updated_at()", "set_updated_at_1()")
    two = replace(import_sql([("v2.sql", TABLES + renamed)]).schema, tables=plain.tables)
    versions = [VersionInput(1, "own", "t", "2026-01-01", one),
                VersionInput(2, "own renamed", "t", "2026-01-02", two)]
    bundle = write_bundle(build_bundle(versions, slug="swap"), tmp_path / "bundle")
    first = revision_id(versions[0])
    two_triggers = [("a", "a_stamp", "set_updated_at_1"),
                    ("b", "trg_b_updated_at", "set_updated_at")]
    url = pg_server.create_database("s")
    try:
        assert alembic(bundle, url, "upgrade", first).returncode == 0
        assert _state(url) == ([(_kept_body(),)], EXPECTED_TRIGGERS)
        _behaves_as_kept(url)
        assert alembic(bundle, url, "upgrade", "head").returncode == 0
        bodies, triggers = _state(url)
        assert triggers == two_triggers and bodies[0] != (_kept_body(),)
        _behaves_as_kept(url)
        assert alembic(bundle, url, "check").returncode == 0
        assert alembic(bundle, url, "downgrade", first).returncode == 0
        assert _state(url) == ([(_kept_body(),)], EXPECTED_TRIGGERS)
        _behaves_as_kept(url)
        assert alembic(bundle, url, "downgrade", "base").returncode == 0
        assert rt.leftovers(url) == []
    finally:
        pg_server.drop_database(url)
