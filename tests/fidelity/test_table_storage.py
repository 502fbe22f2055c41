"""A table's persistence (``CREATE UNLOGGED TABLE``, ``ALTER TABLE ... SET UNLOGGED``) and
storage parameters (``WITH (fillfactor = 70, autovacuum_enabled = false)``, ``ALTER TABLE
... SET (...) / RESET (...)``), and an index's (``CREATE INDEX ... WITH (fillfactor = 50)``).
The imports warned and the export lost the table's (oban's UNLOGGED tables, production
dumps' autovacuum settings), and the round trips did not compare them. They are kept as SQL
on the table (``ALTER TABLE t SET UNLOGGED``, ``ALTER TABLE t SET (...)``), undone on the
way down (``SET LOGGED``, ``RESET (...)``); tests/catalog.py's ``table_options`` compares
them (roundtrip.objects_report no longer leaves them out)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from modeler.codegen.bundle import VersionInput, build_bundle
from modeler.importers import import_sql
from modeler.schema.model import Schema
from tests.codegen.helpers import write_bundle
from tests.fidelity import roundtrip as rt
from tests.fidelity.test_roundtrip_classes import _loop
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

STORAGE = """CREATE SCHEMA app;
CREATE TABLE account (id int PRIMARY KEY, name text);
CREATE UNLOGGED TABLE job (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  account_id int REFERENCES account (id), state text);
CREATE UNLOGGED TABLE job_step (id serial PRIMARY KEY, job_id bigint REFERENCES job (id));
CREATE TABLE app.hot (id int PRIMARY KEY, n int)
  WITH (fillfactor = 70, autovacuum_enabled = false);
CREATE INDEX hot_n ON app.hot (n) WITH (fillfactor = 50);
CREATE TABLE tuned (id int PRIMARY KEY);
ALTER TABLE tuned SET (autovacuum_vacuum_scale_factor = 0.05, fillfactor = 90);
ALTER TABLE tuned RESET (fillfactor);
CREATE TABLE made_unlogged (id int PRIMARY KEY);
ALTER TABLE made_unlogged SET UNLOGGED;
CREATE UNLOGGED TABLE logged_again (id int PRIMARY KEY);
ALTER TABLE logged_again SET LOGGED;
"""


def test_the_sql_import_keeps_them() -> None:
    result = import_sql([("s.sql", STORAGE)])
    kept = sorted(r.sql for r in result.schema.raw_objects if r.kind == "alter table")
    assert kept == [
        "ALTER TABLE app.hot SET (fillfactor = 70, autovacuum_enabled = 'false');",
        "ALTER TABLE public.job SET UNLOGGED;",
        "ALTER TABLE public.job_step SET UNLOGGED;",
        "ALTER TABLE public.made_unlogged SET UNLOGGED;",
        "ALTER TABLE public.tuned SET (autovacuum_vacuum_scale_factor = 0.05);"]
    # the referencing table is made unlogged before the one it references
    order = [r.name for r in result.schema.raw_objects if r.sql.endswith("UNLOGGED;")]
    assert order.index("job_step") < order.index("job")


def test_an_index_altered_says_what_is_lost() -> None:
    """ALTER INDEX ... SET (...) is not kept (CREATE INDEX ... WITH (...) is): said, not
    silently dropped."""
    result = import_sql([("s.sql", "CREATE TABLE c (id int);\nCREATE INDEX ci ON c (id);\n"
                                   "ALTER INDEX ci SET (fillfactor = 50);\n")])
    assert [w.message for w in result.warnings if w.kind == "unsupported"] == [
        "ALTER INDEX ci: storage parameters set or reset after CREATE INDEX are not kept "
        "(write them in its WITH (...))"]


@pytest.mark.parametrize("live", [False, True], ids=["sql", "live"])
def test_storage_round_trips(pg_server: PgServer, tmp_path: Path, live: bool) -> None:
    _loop(pg_server, tmp_path, STORAGE, objects=True, live=live)


def _options(url: str) -> dict[str, tuple[str, tuple[str, ...]]]:
    with psycopg.connect(url) as conn:
        return {r[0]: (r[1], tuple(r[2] or ())) for r in conn.execute(
            "SELECT c.relname, c.relpersistence::text, c.reloptions FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' "
            "AND c.relkind IN ('r', 'i') AND c.relname IN ('item', 'log', 'item_code')")}


def _rows(url: str) -> list[tuple[int, int]]:
    with psycopg.connect(url) as conn:
        return [(r[0], r[1]) for r in conn.execute(
            "SELECT (SELECT count(*) FROM item)::int, (SELECT count(*) FROM log)::int")]


def _schema(sql: str, settings: Schema | None = None) -> Schema:
    schema = import_sql([("v.sql", sql)]).schema
    return replace(schema, settings=settings.settings) if settings is not None else schema


BASE = ("CREATE TABLE item (id int PRIMARY KEY, code text);\n"
        "CREATE TABLE log (id int PRIMARY KEY, item_id int REFERENCES item (id));\n"
        "CREATE INDEX item_code ON item (code);\n")
# v2: both unlogged (log references item), item's fillfactor; v3: item logged again (log
# still unlogged), autovacuum instead of fillfactor
V2 = BASE + ("ALTER TABLE log SET UNLOGGED;\nALTER TABLE item SET UNLOGGED;\n"
             "ALTER TABLE item SET (fillfactor = 70);\n")
V3 = BASE + ("ALTER TABLE log SET UNLOGGED;\n"
             "ALTER TABLE item SET (autovacuum_enabled = false);\n")
STATES = [
    {"item": ("p", ()), "log": ("p", ()), "item_code": ("p", ())},
    {"item": ("u", ("fillfactor=70",)), "log": ("u", ()), "item_code": ("u", ())},
    {"item": ("p", ("autovacuum_enabled=false",)), "log": ("u", ()),
     "item_code": ("p", ())},
]


def _versions() -> list[VersionInput]:
    one = _schema(BASE)
    return [VersionInput(1, "first", "t", "2026-01-01", one, baseline=True),
            VersionInput(2, "unlogged", "t", "2026-01-02", _schema(V2, one)),
            VersionInput(3, "tuned", "t", "2026-01-03", _schema(V3, one))]


def test_storage_changes_between_versions(pg_server: PgServer, tmp_path: Path) -> None:
    """Each revision sets them (with rows in the tables), and back on the way down."""
    bundle = write_bundle(build_bundle(_versions(), slug="st"), tmp_path / "bundle")
    revisions = sorted(p.stem for p in (bundle / "migrations" / "versions").glob("000*.py"))
    with rt.database(pg_server) as url:
        for n, (revision, state) in enumerate(zip(revisions, STATES, strict=True)):
            up = rt.alembic(bundle, url, "upgrade", revision)
            assert up.returncode == 0, up.stderr[-2000:]
            assert _options(url) == state, revision
            with psycopg.connect(url) as conn:
                conn.execute(f"INSERT INTO item VALUES ({n}, 'c{n}')")
                conn.execute(f"INSERT INTO log VALUES ({n}, {n})")
        check = rt.alembic(bundle, url, "check")
        assert check.returncode == 0, check.stdout + check.stderr[-2000:]
        for revision, state in zip(reversed(revisions[:-1]), reversed(STATES[:-1]),
                                   strict=True):
            down = rt.alembic(bundle, url, "downgrade", revision)
            assert down.returncode == 0, down.stderr[-2000:]
            assert _options(url) == state, revision
            assert _rows(url) == [(3, 3)]
        down = rt.alembic(bundle, url, "downgrade", "base")
        assert down.returncode == 0, down.stderr[-2000:]
        assert rt.leftovers(url) == []


PARTS = """CREATE TABLE event (id int, at date NOT NULL, PRIMARY KEY (id, at))
  PARTITION BY RANGE (at);
CREATE UNLOGGED TABLE event_2026 PARTITION OF event
  FOR VALUES FROM ('2026-01-01') TO ('2027-01-01') WITH (fillfactor = 80);
CREATE TABLE event_2027 PARTITION OF event FOR VALUES FROM ('2027-01-01') TO ('2028-01-01');
ALTER TABLE event_2027 SET (autovacuum_enabled = off, toast.autovacuum_enabled = off);
CREATE TABLE doc (id int PRIMARY KEY, body text) WITH (toast.autovacuum_enabled = false);
"""


@pytest.mark.parametrize("live", [False, True], ids=["sql", "live"])
def test_partitions_and_toast_round_trip(pg_server: PgServer, tmp_path: Path,
                                         live: bool) -> None:
    """A partition may be UNLOGGED and have its own storage parameters (its partitioned
    table may not); the TOAST table's (toast.name) are kept with the table's."""
    _loop(pg_server, tmp_path, PARTS, objects=True, live=live)
