"""A revision that adds an enum value runs ``ALTER TYPE ... ADD VALUE`` in an autocommit
block, which commits what ran before it. The new values come first in the revision (and
``IF NOT EXISTS``): when a later statement fails, nothing but the values stays behind and
the revision runs again once the cause is fixed; the Drizzle migration commits around them
at its start the same way."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from alembic import command

from modeler.codegen.drizzle.migrations import revision_sql
from modeler.codegen.versions import Revision, VersionInput
from modeler.importers import import_sql
from modeler.schema import model as m
from tests.codegen.test_migration_render import _alembic, revisions

V1 = """CREATE TYPE mood AS ENUM ('a', 'b');
CREATE TABLE t1 (id integer PRIMARY KEY, m mood, n text, gone text);"""
# the column goes (dropped before the values were added), 'c' is new and the unique index
# fails on duplicate rows
V2 = """CREATE TYPE mood AS ENUM ('a', 'b', 'c');
CREATE TABLE t1 (id integer PRIMARY KEY, m mood DEFAULT 'c', n text);
CREATE UNIQUE INDEX t1_n ON t1 (n);"""


def _designs() -> tuple[m.Schema, m.Schema]:
    return (import_sql([("v1.sql", V1)]).schema, import_sql([("v2.sql", V2)]).schema)


def test_the_new_value_is_the_first_statement() -> None:
    a, b = _designs()
    text = revisions(a, b, safe=False)[1][1]
    upgrade = text[text.index("def upgrade"):text.index("def downgrade")].splitlines()
    assert upgrade[1:3] == ["    with op.get_context().autocommit_block():",
                            '        op.execute("ALTER TYPE mood ADD VALUE IF NOT EXISTS \'c\' '
                            'AFTER \'b\'")']
    v2 = VersionInput(2, "v2", "t", "2026-01-02", b)
    up, _ = revision_sql(Revision(v2, "0002_v2", "0001_v1", a))
    assert up[:3] == ["COMMIT", "ALTER TYPE mood ADD VALUE IF NOT EXISTS 'c' AFTER 'b'",
                      "BEGIN"]


@pytest.mark.postgres
def test_a_failed_revision_leaves_only_the_value_and_runs_again(pg_url: str,
                                                                 tmp_path: Path) -> None:
    a, b = _designs()
    cfg = _alembic(tmp_path / "m", pg_url, revisions(a, b, safe=False))
    command.upgrade(cfg, "0001")
    with psycopg.connect(pg_url) as conn:
        conn.execute("INSERT INTO t1 VALUES (1, 'a', 'x', 'kept'), (2, 'b', 'x', 'kept')")
    with pytest.raises(Exception, match="could not create unique index"):
        command.upgrade(cfg, "0002")
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT gone FROM t1 ORDER BY id").fetchall() == [("kept",)] * 2
        assert conn.execute("SELECT enum_range(NULL::mood)::text, version_num "
                            "FROM alembic_version").fetchone() == ("{a,b,c}", "0001")
        conn.execute("UPDATE t1 SET n = id::text")
    command.upgrade(cfg, "0002")
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == ("0002",)
