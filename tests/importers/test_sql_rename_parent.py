"""ALTER TABLE ... RENAME TO of an inheritance parent: its children still inherit from it,
so a column added to it later reaches them (PostgreSQL adds it to every child). The rename
left the children naming the old name, and the column stopped at the parent (SET SCHEMA
already followed; the rename and the move now share what follows a table)."""

from __future__ import annotations

from modeler.importers import import_sql

DDL = """
CREATE TABLE p (id int PRIMARY KEY);
CREATE TABLE c (extra text) INHERITS (p);
ALTER TABLE p RENAME TO p2;
ALTER TABLE p2 ADD COLUMN x int;
"""


def test_a_renamed_parent_still_hands_its_new_columns_down() -> None:
    schema = import_sql([("s.sql", DDL)]).schema
    columns = {t.name: [c.name for c in t.columns] for t in schema.tables}
    assert columns == {"p2": ["id", "x"], "c": ["id", "extra", "x"]}
