"""Taking back an enum value that rows hold (the downgrade of the revision that added it, or
a version that removes it): PostgreSQL cannot drop a value, the type is recreated, and the
rows used to stop it with ``invalid input value for enum mood: "c"``. A check ahead says
which columns hold it, in how many rows, what to do, and that nothing changed."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from alembic import command

from modeler.importers import import_sql
from tests.codegen.test_migration_render import _alembic, revisions

pytestmark = pytest.mark.postgres

V1 = """CREATE TYPE mood AS ENUM ('a', 'b');
CREATE TABLE t1 (id integer PRIMARY KEY, m mood);
CREATE TABLE "T 2" (id integer PRIMARY KEY, ms mood[]);"""
V2 = """CREATE TYPE mood AS ENUM ('a', 'b', 'c');
CREATE TABLE t1 (id integer PRIMARY KEY, m mood);
CREATE TABLE "T 2" (id integer PRIMARY KEY, ms mood[]);
CREATE TABLE t0 (id integer PRIMARY KEY);"""


def test_a_value_rows_hold_is_not_taken_back(pg_url: str, tmp_path: Path) -> None:
    a, b = (import_sql([(f"v{n}.sql", sql)]).schema for n, sql in ((1, V1), (2, V2)))
    cfg = _alembic(tmp_path / "m", pg_url, revisions(a, b, safe=False))
    command.upgrade(cfg, "0002")
    with psycopg.connect(pg_url) as conn:
        conn.execute("INSERT INTO t1 VALUES (1, 'c'), (2, 'a'), (3, 'c')")
        conn.execute("""INSERT INTO "T 2" VALUES (1, '{a,c}'), (2, '{b}')""")
    with pytest.raises(Exception) as failed:
        command.downgrade(cfg, "0001")
    error = failed.value.orig if hasattr(failed.value, "orig") else failed.value
    assert isinstance(error, psycopg.errors.DependentObjectsStillExist)
    assert str(error).splitlines()[0] == (
        "Cannot remove value 'c' from enum mood: 1 row of \"T 2\".ms, 2 rows of t1.m still "
        "hold it.")
    assert error.diag.message_hint is not None and "Nothing was changed" in \
        error.diag.message_hint
    with psycopg.connect(pg_url) as conn:  # nothing changed
        assert conn.execute("SELECT to_regclass('t0') IS NOT NULL, enum_range(NULL::mood)::text,"
                            " version_num FROM alembic_version").fetchone() == (
            True, "{a,b,c}", "0002")
        conn.execute("UPDATE t1 SET m = 'b' WHERE m = 'c'")
        conn.execute("""UPDATE "T 2" SET ms = '{a}' WHERE id = 1""")
    command.downgrade(cfg, "0001")  # the rows changed: the value goes
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT enum_range(NULL::mood)::text").fetchone() == ("{a,b}",)
