"""A column's storage: ``ALTER TABLE t ALTER COLUMN c SET STORAGE PLAIN | EXTERNAL | EXTENDED |
MAIN`` (and ``STORAGE s`` in CREATE TABLE, PostgreSQL 16+). The SQL import dropped the
statement silently as a physical setting, the live import did not read pg_attribute.attstorage
and tests/catalog.py did not compare it, so round trips called such schemas identical. It is
kept as SQL on the table (``ALTER TABLE ONLY t ALTER COLUMN c SET STORAGE s``, one per column,
the state the script leaves), as the column's planner settings are
(tests/fidelity/test_column_options.py): without ONLY it reaches the inheritors and
partitions, a table made with INHERITS or PARTITION OF (or LIKE ... INCLUDING STORAGE) takes
its parents' storage, a new type (ALTER COLUMN c TYPE) and SET STORAGE DEFAULT give the
column its type's again, as PostgreSQL does; it follows a rename and goes with a drop; a
version's storage is undone on the way down."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeler.importers import import_sql
from tests.codegen.helpers import script_versions, states, versions_bundle
from tests.fidelity import roundtrip as rt
from tests.fidelity.test_roundtrip_classes import _loop
from tests.pgtemp import PgServer

SCRIPT = """CREATE SCHEMA app;
CREATE TABLE app.doc (id bigint PRIMARY KEY, kind text, body text, blob bytea, "Note" text,
  old_name text, retyped text, gone text) PARTITION BY RANGE (id);
ALTER TABLE app.doc ALTER COLUMN body SET STORAGE EXTERNAL, ALTER blob SET STORAGE MAIN;
CREATE TABLE app.doc_1 PARTITION OF app.doc FOR VALUES FROM (0) TO (100);
ALTER TABLE ONLY app.doc ALTER COLUMN "Note" SET STORAGE PLAIN;
ALTER TABLE app.doc ALTER COLUMN old_name SET STORAGE MAIN;
ALTER TABLE app.doc RENAME COLUMN old_name TO "Label";
ALTER TABLE app.doc ALTER COLUMN retyped SET STORAGE EXTERNAL;
ALTER TABLE app.doc ALTER COLUMN retyped TYPE varchar(200);
ALTER TABLE app.doc ALTER COLUMN gone SET STORAGE MAIN;
ALTER TABLE app.doc DROP COLUMN gone;
CREATE TABLE app.base (id int, note text, extra text);
ALTER TABLE app.base ALTER note SET STORAGE EXTERNAL;
ALTER TABLE app.base ALTER extra SET STORAGE MAIN;
ALTER TABLE app.base ALTER extra SET STORAGE EXTENDED;
CREATE TABLE app.copy (LIKE app.base INCLUDING STORAGE);
"""
# inheritance is not modelled (the import says so): its children's storage, not compared
INHERITS = """CREATE TABLE base (id int, note text);
ALTER TABLE base ALTER note SET STORAGE EXTERNAL;
CREATE TABLE child (extra text) INHERITS (base);
ALTER TABLE base ALTER note SET STORAGE MAIN;
ALTER TABLE ONLY child ALTER extra SET STORAGE EXTERNAL;
"""


def test_the_sql_import_keeps_it() -> None:
    result = import_sql([("s.sql", SCRIPT)])
    kept = sorted(r.sql for r in result.schema.raw_objects if r.kind == "alter table")
    assert kept == [
        "ALTER TABLE ONLY app.base ALTER COLUMN note SET STORAGE EXTERNAL;",
        "ALTER TABLE ONLY app.copy ALTER COLUMN note SET STORAGE EXTERNAL;",
        'ALTER TABLE ONLY app.doc ALTER COLUMN "Label" SET STORAGE MAIN;',
        'ALTER TABLE ONLY app.doc ALTER COLUMN "Note" SET STORAGE PLAIN;',
        "ALTER TABLE ONLY app.doc ALTER COLUMN blob SET STORAGE MAIN;",
        "ALTER TABLE ONLY app.doc ALTER COLUMN body SET STORAGE EXTERNAL;",
        'ALTER TABLE ONLY app.doc_1 ALTER COLUMN "Label" SET STORAGE MAIN;',
        "ALTER TABLE ONLY app.doc_1 ALTER COLUMN blob SET STORAGE MAIN;",
        "ALTER TABLE ONLY app.doc_1 ALTER COLUMN body SET STORAGE EXTERNAL;"]
    said = [str(w) for w in result.warnings if "SET STORAGE" in str(w)]
    assert any("doc: the storage of column body" in w for w in said), said
    inherited = import_sql([("i.sql", INHERITS)]).schema.raw_objects
    assert sorted(r.sql for r in inherited) == [
        "ALTER TABLE ONLY public.base ALTER COLUMN note SET STORAGE MAIN;",
        "ALTER TABLE ONLY public.child ALTER COLUMN extra SET STORAGE EXTERNAL;",
        "ALTER TABLE ONLY public.child ALTER COLUMN note SET STORAGE MAIN;"]


def test_storage_in_create_table_and_default() -> None:
    """``STORAGE s`` in a column's definition (PostgreSQL 16+), ``SET STORAGE DEFAULT``."""
    result = import_sql([("s.sql", "CREATE TABLE t (a text STORAGE MAIN, b text STORAGE "
                          "external, c text STORAGE DEFAULT);\n"
                          "ALTER TABLE t ALTER b SET STORAGE DEFAULT;")])
    assert [r.sql for r in result.schema.raw_objects] == [
        "ALTER TABLE ONLY public.t ALTER COLUMN a SET STORAGE MAIN;"]


@pytest.mark.postgres
@pytest.mark.parametrize("live", [False, True], ids=["sql", "live"])
def test_column_storage_round_trip(pg_server: PgServer, tmp_path: Path, live: bool) -> None:
    _loop(pg_server, tmp_path, SCRIPT, objects=True, live=live)


BASE = 'CREATE TABLE item (id int PRIMARY KEY, code text, "Label" text, n numeric);\n'
TUNED = ("ALTER TABLE item ALTER COLUMN code SET STORAGE PLAIN;\n"
         'ALTER TABLE item ALTER COLUMN "Label" SET STORAGE EXTERNAL, '
         "ALTER n SET STORAGE EXTENDED;\n")


@pytest.mark.postgres
def test_a_versions_storage_goes_back_on_the_way_down(pg_server: PgServer,
                                                      tmp_path: Path) -> None:
    """A version that sets it on a table the version before had: the type's storage again
    on the way down, not left behind."""
    bundle, first = versions_bundle(script_versions(BASE, BASE + TUNED),
                                    tmp_path / "bundle", "stored")
    state = ("SELECT attname, attstorage FROM pg_attribute WHERE attrelid = "
             "'public.item'::regclass AND attname IN ('code', 'Label', 'n') ORDER BY 1")
    with rt.database(pg_server) as url:
        assert states(bundle, url, state, "upgrade head", f"downgrade {first}") == [
            [("Label", "e"), ("code", "p"), ("n", "x")],
            [("Label", "x"), ("code", "x"), ("n", "m")]]
        states(bundle, url, None, "upgrade head", "downgrade base")
