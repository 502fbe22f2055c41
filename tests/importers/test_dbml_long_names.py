"""DBML names longer than PostgreSQL's 63 bytes (NAMEDATALEN - 1) are cut as PostgreSQL cuts
them (``truncate_identifier``: the first 63 bytes, on a UTF-8 character boundary), with a
warning at the line that declares them; a name used elsewhere (a reference, an index
column, an enum type) is cut the same way, so it still names what it named; two names that
become one in the same namespace are refused, as PostgreSQL would refuse the second."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from modeler.importers import SchemaImportError, import_dbml, import_sql
from modeler.schema import model as m
from tests.pgtemp import PgServer

LONG = "a" * 70
E_ACUTE = "é" * 40  # 80 bytes: PostgreSQL keeps 31 characters (62 bytes), not half of one


def _dbml() -> str:
    return f"""Enum "{E_ACUTE}_e" {{
  x
}}
Table "{LONG}" {{
  id int [pk]
  "{E_ACUTE}" "{E_ACUTE}_e"
  indexes {{
    "{E_ACUTE}" [name: '{"i" * 80}']
  }}
}}
Table b {{
  id int [pk]
  parent int [ref: > "{LONG}".id]
}}
"""


def _table(schema: m.Schema, name: str) -> m.Table:
    (table,) = [t for t in schema.tables if t.name == name]
    return table


def test_long_names_are_cut_to_63_bytes_with_a_warning_at_their_line() -> None:
    result = import_dbml([("long.dbml", _dbml())])
    cut = "a" * 63
    table = _table(result.schema, cut)
    assert [c.name for c in table.columns] == ["id", "é" * 31]
    assert [i.name for i in table.indexes] == ["i" * 63]
    assert [e.name for e in result.schema.enums] == ["é" * 31]
    assert table.columns[1].type.kind == "enum"  # the enum type still names the enum
    warned = {(w.line, w.kind) for w in result.warnings}
    assert {(1, "long name"), (4, "long name"), (6, "long name"), (8, "long name")} <= warned
    (message,) = [w.message for w in result.warnings if w.line == 4]
    assert f"'{LONG}' is 70 bytes" in message and f"cut to '{cut}'" in message
    # the reference names the table by its long name: it is the same table
    (rel,) = result.schema.relationships
    assert (rel.child_table, rel.parent_table) == (_table(result.schema, "b").uid, table.uid)


def test_the_sql_import_of_the_same_names_agrees() -> None:
    sql = (f'CREATE TYPE "{E_ACUTE}_e" AS ENUM (\'x\');\n'
           f'CREATE TABLE "{LONG}" (id int PRIMARY KEY, "{E_ACUTE}" "{E_ACUTE}_e");\n'
           f'CREATE INDEX "{"i" * 80}" ON "{LONG}" ("{E_ACUTE}");\n')
    by_sql = import_sql([("long.sql", sql)]).schema
    by_dbml = import_dbml([("long.dbml", _dbml())]).schema
    for t in by_sql.tables:
        dbml = _table(by_dbml, t.name)
        assert [c.name for c in dbml.columns] == [c.name for c in t.columns]
        assert [i.name for i in dbml.indexes] == [i.name for i in t.indexes]
    assert [e.name for e in by_dbml.enums] == [e.name for e in by_sql.enums]


@pytest.mark.parametrize(("dbml", "says"), [
    (f"Table {'t' * 63}x {{\n  id int\n}}\nTable {'t' * 63}y {{\n  id int\n}}\n",
     "the table names"),
    (f"Table t {{\n  {'c' * 63}x int\n  {'c' * 63}y int\n}}\n", "the column names"),
    (f"Table t {{\n  a int\n  indexes {{\n    a [name: '{'i' * 64}x']\n"
     f"    a [name: '{'i' * 64}y']\n  }}\n}}\n", "the index names"),
    (f"Enum {'e' * 63}x {{\n  a\n}}\nEnum {'e' * 63}y {{\n  a\n}}\n", "the enum names"),
])
def test_names_that_become_one_are_refused(dbml: str, says: str) -> None:
    with pytest.raises(SchemaImportError) as caught:
        import_dbml([("same.dbml", dbml)])
    message = str(caught.value)
    assert says in message and "same name" in message and "63 bytes" in message
    assert caught.value.line is not None and caught.value.line > 1


def test_a_name_of_63_bytes_is_kept_as_it_is() -> None:
    name = "é" * 31 + "a"  # 63 bytes
    result = import_dbml([("ok.dbml", f'Table "{name}" {{\n  id int\n}}\n')])
    assert [t.name for t in result.schema.tables] == [name]
    assert result.warnings == ()


@pytest.fixture(scope="module")
def conn(pg_server: PgServer) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    with pg_server.scratch_connection("longnames") as c:
        yield c


_NAMES = st.text(st.sampled_from("abcxyz_09éß€😀"), min_size=1, max_size=80)


@pytest.mark.postgres
@settings(max_examples=40, deadline=None)
@given(name=_NAMES)
@example(name="a" * 64)
@example(name="a" * 62 + "é")  # 64 bytes: the é does not fit, PostgreSQL keeps 62
@example(name="😀" * 16)  # 64 bytes: 15 emoji (60 bytes)
def test_a_dbml_table_is_named_what_postgresql_names_it(
        conn: psycopg.Connection[tuple[object, ...]], name: str) -> None:
    quoted = '"' + name + '"'
    result = import_dbml([("n.dbml", f"Table {quoted} {{\n  {quoted} int\n}}\n")])
    (table,) = result.schema.tables
    with conn.transaction(force_rollback=True):
        conn.execute(f"CREATE TABLE {quoted} ({quoted} int)".encode())
        row = conn.execute("SELECT c.relname, a.attname FROM pg_class c JOIN pg_attribute a "
                           "ON a.attrelid = c.oid AND a.attnum = 1 "
                           "WHERE c.relnamespace = 'public'::regnamespace").fetchone()
    assert row == (table.name, table.columns[0].name)
    assert bool(result.warnings) == (len(name.encode()) > 63)
