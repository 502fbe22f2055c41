"""A generated column dropped and added again (a new expression below PostgreSQL 17, or its
expression given back after the retyping of a column it reads, bf48463) takes with it what
depends on it: an FK of another table referencing it made the DROP COLUMN fail (cannot drop
column ... because other objects depend on it), and a kept index (user SQL the model does
not represent) on it was silently lost. Both are now dropped before and made again after,
in both directions."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from tests.codegen.test_retype_under_views import _two_versions
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

V1 = """
CREATE TABLE item (id int PRIMARY KEY, n int NOT NULL,
    code text GENERATED ALWAYS AS ('I-' || n::text) STORED,
    CONSTRAINT item_code_key UNIQUE (code));
CREATE INDEX item_code_ff ON item (code) WITH (fillfactor = 70);
CREATE INDEX item_id_ff ON item (id) WITH (fillfactor = 80);
CREATE TABLE item_note (id int PRIMARY KEY, item_code text NOT NULL,
    note text, CONSTRAINT fk_item_note_item_code_item FOREIGN KEY (item_code)
    REFERENCES item (code) ON DELETE CASCADE ON UPDATE CASCADE);
CREATE INDEX item_note_code ON item_note (item_code);
"""
ROWS = ("INSERT INTO item (id, n) VALUES (1, 5), (2, 6);"
        "INSERT INTO item_note (id, item_code, note) VALUES (1, 'I-5', 'five');")


def _rows(url: str) -> None:
    with psycopg.connect(url) as conn:
        got = conn.execute("SELECT i.code, n.note FROM item_note n JOIN item i "
                           "ON i.code = n.item_code").fetchall()
        assert got == [("I-5", "five")]


def test_a_regenerated_column_referenced_by_an_fk_and_under_a_kept_index(
        pg_server: PgServer, tmp_path: Path) -> None:
    """n int -> bigint: code's expression goes, n is retyped, code is added again; the FK
    pointing at it and the kept index on it go before and come back after (and the kept
    index on another column is left alone), up and down."""
    _two_versions(pg_server, tmp_path, V1, V1.replace("n int", "n bigint"), ROWS,
                  up=_rows, down=_rows)


def test_a_new_expression_below_17_with_an_fk_and_a_kept_index(
        pg_server: PgServer, tmp_path: Path) -> None:
    """The expression itself changes (below PostgreSQL 17: dropped and added again)."""
    v2 = V1.replace("'I-' || n::text", "'I-' || (n * 1)::text")
    _two_versions(pg_server, tmp_path, V1, v2, ROWS, up=_rows, down=_rows)
