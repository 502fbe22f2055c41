"""A column dropped under a kept view that reads it without naming it (``SELECT *``: the
stored query lists every column), a rule or a policy on its table: PostgreSQL refuses the
DROP COLUMN (cannot drop column ... because other objects depend on it), and the kept SQL,
unchanged in text, was left in place, so the version failed at its upgrade. The differ now
drops such objects before the tables change and makes them again after (as for a retyped
column), which also gives the view back its columns on the way down."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from modeler.diff.compare_types import over_retyped_columns
from modeler.importers import import_sql
from tests.codegen.test_retype_under_views import _two_versions
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

V1 = """
CREATE TABLE person (id int PRIMARY KEY, name text NOT NULL, note text);
CREATE TABLE other (id int PRIMARY KEY, label text);
CREATE VIEW everyone AS SELECT * FROM person;
CREATE VIEW other_labels AS SELECT label FROM other;
"""
V2 = V1.replace(", note text", "")
ROWS = "INSERT INTO person VALUES (1, 'Ann', 'n'); INSERT INTO other VALUES (1, 'x');"


def test_only_what_stands_on_a_table_losing_a_column_is_made_again() -> None:
    one = import_sql([("v1.sql", V1)]).schema
    two = import_sql([("v2.sql", V2)]).schema
    over = {o.name for o in one.raw_objects if o.uid in over_retyped_columns(one, two)}
    assert over == {"everyone"}
    assert over_retyped_columns(two, one) == set()  # a column added: nothing stands on it


def test_a_column_dropped_under_a_select_star_view(pg_server: PgServer,
                                                   tmp_path: Path) -> None:
    def columns(names: list[str]) -> Callable[[str], None]:
        def check(url: str) -> None:
            with psycopg.connect(url) as conn:
                cur = conn.execute("SELECT * FROM everyone")
                assert [d.name for d in cur.description or ()] == names
        return check

    _two_versions(pg_server, tmp_path, V1, V2, ROWS, up=columns(["id", "name"]),
                  down=columns(["id", "name", "note"]))
