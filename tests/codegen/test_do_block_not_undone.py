"""A kept DO block (or call) that makes objects in a schema named at run time (``EXECUTE
format('CREATE SCHEMA %I', s)``): what it made cannot be found by name on the way down, and
the downgrade dropped nothing of it with only a comment in the revision file to say so.
The downgrade still succeeds, and now says at run time, as a Python warning on the
command's output, what it does not undo."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from tests.codegen.helpers import script_versions, versions_bundle
from tests.fidelity import roundtrip as rt
from tests.pgtemp import PgServer

V1 = "CREATE TABLE item (id int PRIMARY KEY, name text);\n"
DYNAMIC = ("DO $$DECLARE s text := 'dyn'; BEGIN EXECUTE format('CREATE SCHEMA %I', s); "
           "EXECUTE format('CREATE TABLE %I.t (id int)', s); END$$;\n")


@pytest.mark.postgres
def test_the_downgrade_says_what_it_leaves(pg_server: PgServer, tmp_path: Path) -> None:
    bundle, first = versions_bundle(script_versions(V1, V1 + DYNAMIC),
                                    tmp_path / "bundle", "two")
    with rt.database(pg_server) as url:
        up = rt.alembic(bundle, url, "upgrade", "head")
        assert up.returncode == 0, up.stderr[-2000:]
        down = rt.alembic(bundle, url, "downgrade", first)
        assert down.returncode == 0, down.stderr[-2000:]
        said = [line for line in down.stderr.splitlines() if "Warning" in line]
        assert any("do block" in line.lower() and "schema named at run time" in line
                   and "not dropped" in line for line in said), down.stderr[-2000:]
        with psycopg.connect(url) as conn:  # left, as said
            assert conn.execute("SELECT to_regclass('dyn.t') IS NOT NULL").fetchone() == (
                True,)
        base = rt.alembic(bundle, url, "downgrade", "base")
        assert base.returncode == 0, base.stderr[-2000:]


LOOP_INDEX = ("DO $$DECLARE c text; BEGIN FOR c IN SELECT unnest(ARRAY['name']) LOOP "
              "EXECUTE format('CREATE INDEX %I ON item (%I)', 'ix_' || c, c); END LOOP; END$$;\n"
              "CREATE INDEX item_id_name ON item (id, name);\n")


@pytest.mark.postgres
def test_an_index_a_do_block_made_on_a_design_table_goes(pg_server: PgServer,
                                                          tmp_path: Path) -> None:
    """An index a kept DO block makes at run time on a table of the design (its name built
    by format()) stood after the downgrade; it goes now, as a kept call's rules and triggers
    on the design's tables do. The design's own indexes and its keys' stay."""
    bundle, first = versions_bundle(script_versions(V1, V1 + LOOP_INDEX),
                                    tmp_path / "bundle", "two")
    indexes = "SELECT indexname FROM pg_indexes WHERE tablename = 'item' ORDER BY 1"
    with rt.database(pg_server) as url:
        up = rt.alembic(bundle, url, "upgrade", "head")
        assert up.returncode == 0, up.stderr[-2000:]
        with psycopg.connect(url) as conn:
            assert conn.execute(indexes).fetchall() == [("item_id_name",), ("item_pkey",),
                                                        ("ix_name",)]
        down = rt.alembic(bundle, url, "downgrade", first)
        assert down.returncode == 0, down.stderr[-2000:]
        with psycopg.connect(url) as conn:
            assert conn.execute(indexes).fetchall() == [("item_pkey",)]
        again = rt.alembic(bundle, url, "upgrade", "head")
        assert again.returncode == 0, again.stderr[-2000:]
