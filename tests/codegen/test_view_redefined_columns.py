"""A kept view a later statement makes again with CREATE OR REPLACE is given its previous
definition back on the way down (4c04f99), with CREATE OR REPLACE. PostgreSQL refuses that
when the redefinition changed the view's columns (``cannot drop columns from view``,
``cannot change name of view column``, ``cannot change data type of view column``): the
downgrade failed. The previous definition is then made again with DROP VIEW and CREATE VIEW,
the kept objects standing on the view dropped before and made again after."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from tests.codegen.test_retype_under_views import _two_versions
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

V1 = """
CREATE TABLE person (id int PRIMARY KEY, name text NOT NULL, note text);
CREATE VIEW people AS SELECT id, name FROM person;
CREATE VIEW people_ids AS SELECT id FROM people;
COMMENT ON VIEW people_ids IS 'ids';
"""
ROWS = "INSERT INTO person VALUES (1, 'Ann', 'n');"


def _columns(view: str, names: list[str]) -> Callable[[str], None]:
    def check(url: str) -> None:
        with psycopg.connect(url) as conn:
            cur = conn.execute(f"SELECT * FROM {view}")  # type: ignore[arg-type]
            assert [d.name for d in cur.description or ()] == names
            assert cur.fetchall()
    return check


LATER = "CREATE VIEW people_names AS SELECT name FROM people;\n"
REDEFINED = "CREATE OR REPLACE VIEW people AS SELECT id, name, note FROM person;\n"


@pytest.mark.parametrize("v1, v2", [(V1, V1 + REDEFINED), (V1 + LATER, V1 + REDEFINED + LATER)],
                         ids=["last", "a view over it after"])
def test_a_view_redefined_with_a_column_more_comes_back_down(
        pg_server: PgServer, tmp_path: Path, v1: str, v2: str) -> None:
    """The only change of columns CREATE OR REPLACE VIEW takes is columns added at the end;
    its undoing removes them, which it does not take. A view over the view (made before the
    redefinition, or after it and kept by the revision) is made again."""
    _two_versions(pg_server, tmp_path, v1, v2, ROWS,
                  up=_columns("people", ["id", "name", "note"]),
                  down=_columns("people", ["id", "name"]))


CALLS = """CREATE SCHEMA aud;
CREATE FUNCTION aud.mk(n text) RETURNS void LANGUAGE plpgsql
    AS $$BEGIN EXECUTE 'CREATE TABLE aud.' || n || '_h (id int)'; END$$;
SELECT aud.mk('item');
CREATE VIEW aud.v AS SELECT id FROM aud.item_h;
CREATE OR REPLACE VIEW aud.v AS {redefined};
SELECT aud.mk('other');
"""


@pytest.mark.parametrize("redefined", ["SELECT id, 1 AS x FROM aud.item_h",
                                       "SELECT id, 1 AS x FROM public.item"],
                         ids=["view gone", "what it read gone"])
def test_a_view_redefined_after_what_it_read_went_on_the_way_down(
        pg_server: PgServer, tmp_path: Path, redefined: str) -> None:
    """A kept call's undoing drops, with CASCADE, the tables it made at run time in its
    namespace, and those an earlier call made there too, before the redefined view's
    undoing: its previous definition read such a table (relation "aud.item_h" does not
    exist). The view went with it, or goes then."""
    v1 = "CREATE TABLE item (id int PRIMARY KEY);\n"
    _two_versions(pg_server, tmp_path, v1, v1 + CALLS.format(redefined=redefined),
                  "INSERT INTO item VALUES (1);")
