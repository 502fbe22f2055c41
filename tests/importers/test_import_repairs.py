"""Imports repair what PostgreSQL would refuse, with a warning at the table's line, and the
result is a design the store accepts (no traceback, nothing left that fails at upgrade).
PostgreSQL is the oracle: each script below is refused by it as written."""

from __future__ import annotations

import psycopg
import pytest

from modeler.importers import import_dbml, import_sql
from modeler.schema import validate

CASES = [
    ("unique hash index",
     "CREATE TABLE t (a int, b int);\nCREATE UNIQUE INDEX ix ON t USING hash (a);",
     "hash has no unique indexes"),
    ("multicolumn hash index",
     "CREATE TABLE t (a int, b int);\nCREATE INDEX ix ON t USING hash (a, b);",
     "hash has no multicolumn indexes"),
    ("INCLUDE on a GIN index",
     "CREATE TABLE t (a int[], b int);\nCREATE INDEX ix ON t USING gin (a) INCLUDE (b);",
     "take no INCLUDE columns"),
    ("identity on text",
     "CREATE TABLE t (\n  a text GENERATED ALWAYS AS IDENTITY\n);",
     "identity column type must be smallint, integer, or bigint"),
    ("foreign key to a column that is no key",
     "CREATE TABLE p (a int PRIMARY KEY, b int);\nCREATE TABLE c (x int REFERENCES p (b));",
     "no unique constraint matching"),
    ("an index name used twice in a namespace",
     "CREATE TABLE t (a int);\nCREATE TABLE u (b int);\nCREATE INDEX ix ON t (a);\n"
     "CREATE INDEX ix ON u (b);",
     "imported as ix_2"),
    ("an index named like a table",
     "CREATE TABLE t (a int);\nCREATE TABLE u (b int);\nCREATE INDEX u ON t (a);",
     "imported as u_2"),
]


@pytest.mark.parametrize(("sql", "warning"), [(s, w) for _, s, w in CASES],
                         ids=[n for n, _, _ in CASES])
def test_sql_import_repairs_what_postgresql_refuses(pg_url: str, sql: str,
                                                   warning: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn, pytest.raises(psycopg.Error):
        conn.execute(sql)  # the oracle: PostgreSQL refuses the script as written
    result = import_sql([("s.sql", sql)])
    assert any(warning in str(w) and str(w).startswith("s.sql:") for w in result.warnings), \
        [str(w) for w in result.warnings]
    assert validate.problems(result.schema) == []


def test_repaired_designs_load_into_postgresql(pg_url: str) -> None:
    """Every repaired design's schema.sql loads (the export no longer fails at upgrade)."""
    from modeler.codegen.ddl import schema_sql

    for name, sql, _ in CASES:
        ddl = schema_sql(import_sql([("s.sql", sql)]).schema)
        with psycopg.connect(pg_url) as conn:
            conn.execute(ddl)  # raises on a refusal
            conn.rollback()
        assert ddl, name


def test_dbml_hash_unique_and_bad_reference_are_repaired() -> None:
    dbml = """
Table p {
  a int [pk]
  b int
}
Table c {
  x int
  y int
  indexes {
    (x, y) [type: hash, unique, name: 'ix_c_xy']
  }
}
Ref: c.x > p.b
"""
    result = import_dbml([("s.dbml", dbml)])
    text = [str(w) for w in result.warnings]
    assert any("ix_c_xy" in w and "btree" in w for w in text), text
    assert validate.problems(result.schema) == []


def test_a_script_of_types_only_is_a_design() -> None:
    result = import_sql([("t.sql", "CREATE TYPE mood AS ENUM ('sad', 'ok');\n"
                                   "CREATE TYPE span AS RANGE (subtype = int4);")])
    assert not result.empty and [e.name for e in result.schema.enums] == ["mood"]
    assert import_sql([("e.sql", "-- nothing\n")]).empty


def test_identity_with_a_default_keeps_the_identity() -> None:
    result = import_dbml([("s.dbml", "Table t {\n  id int [pk, increment, default: 1]\n}\n")])
    t = result.schema.tables[0]
    assert validate.problems(result.schema) == []
    assert t.columns[0].identity is not None or t.columns[0].default is not None
