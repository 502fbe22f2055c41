"""Type modifiers outside PostgreSQL's ranges (found by a probe of the DBML grammar fuzz's
types: ``varchar(10485761)``, ``numeric(1001)``, ``timestamp(9)`` were imported as they were
written, validation accepted them and the export failed at upgrade, or PostgreSQL cut the
precision to 6 and the catalog no longer matched the design). The store refuses them
(validate.problems) and the imports repair them with a warning: a modifier above the limit
becomes the limit (PostgreSQL itself cuts time precisions so), one below it is left out."""

from __future__ import annotations

import re

import psycopg
import pytest

from modeler.codegen.ddl import schema_sql
from modeler.importers import import_dbml, import_sql
from modeler.schema import model as m
from modeler.schema import validate
from modeler.schema.builder import SchemaBuilder

# written type -> the type the import gives (format_type of what PostgreSQL then stores)
CASES = {
    "varchar(10485761)": "character varying(10485760)",
    "varchar(0)": "character varying",
    "char(20000000)": "character(10485760)",
    "bit(83886081)": "bit(83886080)",
    "varbit(0)": "bit varying",
    "numeric(1001)": "numeric(1000,0)",
    "numeric(0)": "numeric",
    "numeric(5,1001)": "numeric(5,1000)",
    "timestamp(9)": "timestamp(6) without time zone",
    "timestamptz(7)": "timestamp(6) with time zone",
    "time(8)": "time(6) without time zone",
    "interval(7)": "interval(6)",
}
IN_RANGE = {"varchar(10485760)": "character varying(10485760)",
            "numeric(10,-3)": "numeric(10,-3)", "numeric(10,20)": "numeric(10,20)",
            "timestamp(0)": "timestamp(0) without time zone"}


def _stored(pg_url: str, schema: m.Schema) -> list[str]:
    with psycopg.connect(pg_url) as conn:
        conn.execute(schema_sql(schema))  # raises on a refusal
        rows = conn.execute(
            "SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = "
            "'t'::regclass AND attnum > 0 ORDER BY attnum").fetchall()
        conn.rollback()
    return [r[0] for r in rows]


@pytest.mark.parametrize("how", ["sql", "dbml"])
def test_out_of_range_modifiers_are_repaired_with_a_warning(pg_url: str, how: str) -> None:
    types = {**CASES, **IN_RANGE}
    if how == "sql":
        body = ",\n".join(f"  c{i} {t}" for i, t in enumerate(types))
        result = import_sql([("s.sql", f"CREATE TABLE t (\n{body}\n);")])
    else:
        body = "\n".join(f"  c{i} {t}" for i, t in enumerate(types))
        result = import_dbml([("s.dbml", f"Table t {{\n{body}\n}}\n")])
    assert validate.problems(result.schema) == []
    warned = [str(w) for w in result.warnings]
    for i, written in enumerate(types):
        said = [w for w in warned if f"t.c{i}:" in w]
        assert bool(said) == (written in CASES), (written, said)
    columns = result.schema.tables[0].columns
    stored = _stored(pg_url, result.schema)
    assert stored == list(types.values())
    # the design's types are the catalog's (PostgreSQL prints numeric(p) as numeric(p,0))
    assert [re.sub(r"^numeric\((\d+)\)$", r"numeric(\1,0)", c.type.sql(result.schema))
            for c in columns] == stored


def test_the_store_refuses_out_of_range_modifiers() -> None:
    b = SchemaBuilder()
    t = b.table("t")
    t.column("a", "varchar", length=10485761)
    t.column("b", "numeric", precision=1001, scale=2)
    t.column("c", "timestamptz", precision=7)
    t.column("d", "bit", length=0)
    found = validate.problems(b.build())
    for name in "abcd":
        assert any(f"t.{name}:" in p for p in found), (name, found)
