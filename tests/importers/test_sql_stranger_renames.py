"""ALTER TABLE ... RENAME COLUMN on a table with partitions or inheritance children renames
theirs too, as PostgreSQL does (without ONLY), and the expressions that name the column
follow it. Found probing stranger-schema classes (hand-written upgrade scripts): the
partition kept the old name and ATTACH PARTITION failed in the upgrade; a CHECK, a generated
column, an index expression and predicate kept naming the old column, and were lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.importers.roundtrips import assert_round_trips
from tests.pgtemp import PgServer

RENAMES = """
CREATE TABLE p (id int, at date, v int, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE p1 PARTITION OF p FOR VALUES FROM ('2020-01-01') TO ('2021-01-01')
    PARTITION BY HASH (id);
CREATE TABLE p1_0 PARTITION OF p1 FOR VALUES WITH (MODULUS 1, REMAINDER 0);
ALTER TABLE p RENAME COLUMN v TO w;
CREATE TABLE parent (id int, x int);
CREATE TABLE child (z int) INHERITS (parent);
ALTER TABLE parent RENAME COLUMN x TO y;
CREATE TABLE t (id int PRIMARY KEY, qty int CHECK (qty > 0 AND t.qty < 100),
    dbl int GENERATED ALWAYS AS (qty * 2) STORED, "Note" text);
CREATE INDEX t_expr ON t ((qty + 1), lower("Note")) WHERE qty > 5;
ALTER TABLE t RENAME COLUMN qty TO amount;
ALTER TABLE t RENAME COLUMN "Note" TO "Remark";
"""


@pytest.mark.postgres
def test_a_renamed_column_is_renamed_below(pg_server: PgServer, tmp_path: Path) -> None:
    assert_round_trips(pg_server, RENAMES, tmp_path, "renames")
