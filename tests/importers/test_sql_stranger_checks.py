"""CHECK constraints whose options reach other tables: NO INHERIT (not given to inheritance
children) and NOT VALID on a partitioned table (given to every partition). Found by probing
what a stranger's schema holds (bench/stranger_schemas.py's classes): NO INHERIT was
dropped, so the children got the check; a partitioned table's NOT VALID check was kept as
``ALTER TABLE ONLY``, which PostgreSQL refuses there (the upgrade failed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeler.importers import import_sql
from tests.importers.roundtrips import assert_round_trips
from tests.pgtemp import PgServer

SCRIPT = """
CREATE TABLE parent (id int PRIMARY KEY, qty int CHECK (qty > 0) NO INHERIT);
CREATE TABLE child (note text) INHERITS (parent);
ALTER TABLE parent ADD CONSTRAINT parent_own CHECK (id <> 0) NO INHERIT;
CREATE TABLE part (id int, at date) PARTITION BY RANGE (at);
CREATE TABLE part_1 PARTITION OF part FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
ALTER TABLE part ADD CONSTRAINT part_id CHECK (id > 0) NOT VALID;
"""


def test_no_inherit_is_kept() -> None:
    r = import_sql([("s.sql", SCRIPT)])
    kept = " ".join(o.sql for o in r.schema.raw_objects)
    assert kept.count("NO INHERIT") == 2
    assert "ALTER TABLE public.part ADD CONSTRAINT part_id CHECK (id > 0) NOT VALID" in kept
    parent = r.schema.table_named("parent")
    assert parent is not None and parent.checks == ()


@pytest.mark.postgres
@pytest.mark.parametrize("how", ["sql", "live"])
def test_checks_reaching_children_round_trip(how: str, pg_server: PgServer,
                                             tmp_path: Path) -> None:
    assert_round_trips(pg_server, SCRIPT, tmp_path, "checks", live=how == "live")


INHERITANCE = """
CREATE TABLE parent (id int PRIMARY KEY, qty int);
CREATE TABLE child (note text) INHERITS (parent);
CREATE TABLE grandchild () INHERITS (child);
ALTER TABLE parent ADD COLUMN added int DEFAULT 3 NOT NULL CHECK (added > 0);
ALTER TABLE parent ADD CONSTRAINT qty_pos CHECK (qty > 0);
ALTER TABLE parent ADD CONSTRAINT qty_small CHECK (qty < 1000) NOT VALID;
ALTER TABLE parent ALTER COLUMN qty SET NOT NULL, ALTER COLUMN qty SET DEFAULT 1;
ALTER TABLE parent ALTER COLUMN qty TYPE bigint;
ALTER TABLE ONLY parent ALTER COLUMN id SET DEFAULT 7;
"""


@pytest.mark.postgres
def test_alter_table_on_an_inheritance_parent_reaches_its_children(
        pg_server: PgServer, tmp_path: Path) -> None:
    """Hand-written upgrade scripts ALTER a parent table after its children exist: the new
    columns, CHECKs and column changes were the parent's only (inheritance is not modelled:
    the children are tables of their own, with the columns and checks they inherit)."""
    assert_round_trips(pg_server, INHERITANCE, tmp_path, "inheritance")
