"""``ALTER TABLE ... DROP COLUMN c CASCADE`` takes along the generated columns computed from
``c`` (PostgreSQL drops them; without CASCADE it refuses), and any drop of ``c`` the indexes
whose key expression or predicate reads it. The SQL import kept such a generated column (found
by bench/differential.py --versions: the design had a column the database had not) and such
an index. Each version imported from the script and from the database; the Alembic
revisions and the Drizzle migrations must build each version's catalog, and roll back."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeler.importers import import_sql
from tests.drizzle import differential as dd
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

V1 = """CREATE TABLE amount (
  id bigint PRIMARY KEY,
  note double precision NOT NULL,
  other int,
  note_x2 numeric GENERATED ALWAYS AS (note * 2) STORED,
  note_x4 numeric GENERATED ALWAYS AS (note * 4) STORED
);
CREATE INDEX amount_expr ON amount ((note + 1));
CREATE INDEX amount_where ON amount (id) WHERE note > 0;
CREATE INDEX amount_other ON amount (other);
"""
CHANGE = "ALTER TABLE amount DROP COLUMN note CASCADE;"


def test_the_import_drops_what_postgresql_drops() -> None:
    t = import_sql([("a.sql", V1 + CHANGE)]).schema.tables[0]
    assert [c.name for c in t.columns] == ["id", "other"]
    assert [i.name for i in t.indexes] == ["amount_other"]


def test_versions_build_each_catalog_and_roll_back(pg_server: PgServer, node_modules: Path,
                                                   tmp_path: Path) -> None:
    bundles = dd.Bundles(tmp_path)
    outcome = dd.versions_round_trip(pg_server, V1, [CHANGE], node_modules, bundles, "cascade")
    assert outcome.failures == [], "\n\n".join(outcome.failures)


VIEWS = """
CREATE VIEW reads_note AS SELECT id, note FROM amount;
CREATE VIEW reads_all AS SELECT * FROM amount;
CREATE VIEW over_view AS SELECT id FROM reads_note;
CREATE MATERIALIZED VIEW totals AS SELECT sum(a.note) AS total FROM amount a;
CREATE VIEW reads_other AS SELECT id, other FROM amount;
"""


def test_the_views_reading_the_column_go_with_it() -> None:
    result = import_sql([("a.sql", V1 + VIEWS + CHANGE)])
    assert [r.name for r in result.schema.raw_objects] == ["reads_other"]
    assert any("reads_note" in w.message and "CASCADE" in w.message for w in result.warnings)


def test_views_versions_build_each_catalog_and_roll_back(
        pg_server: PgServer, node_modules: Path, tmp_path: Path) -> None:
    bundles = dd.Bundles(tmp_path)
    outcome = dd.versions_round_trip(pg_server, V1 + VIEWS, [CHANGE], node_modules, bundles,
                                     "views")
    assert outcome.failures == [], "\n\n".join(outcome.failures)
