"""A column default of a type the column cannot take is refused as PostgreSQL refuses it.

``modeler.schema.validate_pg.default_type_problem`` judges constants and constants cast to a
type (``'{}'::jsonb``, ``NULL::interval``, ``0``, ``true``) against the assignment casts of
``modeler/schema/data/pg_casts.json``. Every pair of catalog types is tried on a real
PostgreSQL (``CREATE TABLE ... DEFAULT NULL::<type>``: no value to parse, only the types): the
check must refuse exactly what the server refuses. The importers leave such a default out
with a warning (a DBML file drawn by tests/importers/test_dbml_grammar_fuzz.py had
``point [default: `'{}'::jsonb`]``, and its export failed at ``alembic upgrade``).
"""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from modeler.importers import import_dbml, import_sql
from modeler.schema import model as m
from modeler.schema.types import CATALOG
from modeler.schema.validate_pg import default_type_problem
from tests.pgtemp import PgServer

_DATA = Path(__file__).resolve().parents[2] / "modeler" / "schema" / "data" / "pg_casts.json"
# the core types of the catalog (citext is an extension's; int2vector takes no NULL::cast
# default worth judging)
TYPES = sorted(k for k in CATALOG if k not in ("citext",))
CONSTANTS = ["0", "-1", "1.5", "3000000000", "99999999999999999999", "true", "false", "'x'",
             "NULL"]


def _refuses(conn: psycopg.Connection[tuple[object, ...]], column: str, default: str) -> bool:
    try:
        with conn.transaction():
            conn.execute(f"CREATE TEMP TABLE t (c {CATALOG[column].pg_name} "
                         f"DEFAULT {default}) ON COMMIT DROP")
    except psycopg.errors.DatatypeMismatch:
        return True
    except (psycopg.errors.DataError, psycopg.errors.UndefinedObject,
            psycopg.errors.UndefinedTable):  # 'x' on an integer or a regclass: values
        return False
    return False


@pytest.mark.postgres
def test_the_check_refuses_what_postgresql_refuses(pg_server: PgServer) -> None:
    wrong: list[str] = []
    with pg_server.scratch_connection() as conn:
        for column in TYPES:
            ctype = m.ColumnType(kind="builtin", name=column)
            defaults = [f"NULL::{CATALOG[t].pg_name}" for t in TYPES] + CONSTANTS
            for default in defaults:
                ours = default_type_problem(default, ctype) is not None
                theirs = _refuses(conn, column, default)
                if ours != theirs:
                    wrong.append(f"{default} on {column}: ours {ours}, PostgreSQL {theirs}")
    assert wrong == []


@pytest.mark.postgres
def test_the_cast_data_is_the_servers(pg_server: PgServer) -> None:
    from scripts.pg_function_catalog import assignment_casts

    data = json.loads(_DATA.read_text(encoding="utf-8"))
    with psycopg.connect(pg_server.url, autocommit=True) as conn:
        version = int(str(conn.execute("SHOW server_version_num").fetchone()[0])) // 10000  # type: ignore[index]
        if version != data["source_version"]:
            pytest.skip(f"pg_casts.json was read from PostgreSQL {data['source_version']}, "
                        f"the test server is {version}")
        assert assignment_casts(conn) == data["assignment_casts"]  # type: ignore[arg-type]


@pytest.mark.parametrize("default", ["'{}'::jsonb", "NULL::text", "0", "true",
                                     "'1 day'::interval", "('x'::character varying)"])
def test_forms_judged_on_a_point(default: str) -> None:
    assert default_type_problem(default, m.ColumnType(kind="builtin", name="point")) \
        is not None


@pytest.mark.parametrize(("default", "column"), [
    ("'{}'::jsonb", "json"), ("'{}'::json", "jsonb"), ("0", "numeric"), ("1.5", "integer"),
    ("'2020-01-01'::date", "timestamptz"), ("5", "text"), ("'x'::text", "varchar"),
    ("now()", "point"), ("'a'::text || 'b'", "point"), ("'x'::text::jsonb", "point"),
    ("'x'::citext", "point"), ("'x'::my_type", "point"), ("'(1,2)'", "point"),
    ("'0'::numeric(5, 2)", "real"), ("'10:00'::time(3) without time zone", "interval"),
])
def test_what_it_lets_through(default: str, column: str) -> None:
    """Taken by PostgreSQL, or not judged here (calls, operators, casts of casts, types
    outside the catalog, untyped strings)."""
    assert default_type_problem(default, m.ColumnType(kind="builtin", name=column)) is None


def test_a_constant_of_thousands_of_digits() -> None:
    """int() refuses 4,300 digits (a 500 in text mode, tests/web/test_deep_input.py)."""
    digits = "9" * 5000
    found = default_type_problem(digits, m.ColumnType(kind="builtin", name="boolean"))
    assert found is not None and "numeric" in found and len(found) < 300
    assert default_type_problem(digits, m.ColumnType(kind="builtin", name="numeric")) is None
    dbml = import_dbml([("x.dbml", f"Table t {{\n  id int [pk]\n  o oid [default: '{digits}']\n"
                                   f"  n int [default: {digits}]\n}}\n")])
    assert [c.default for c in dbml.schema.tables[0].columns] == [None, None, None]


def test_the_importers_leave_it_out_with_a_warning() -> None:
    sql = import_sql([("t.sql", "CREATE TABLE t (id int PRIMARY KEY, "
                                "p point DEFAULT '{}'::jsonb, b boolean DEFAULT 0, "
                                "j json DEFAULT '{}'::jsonb);")])
    cols = {c.name: c.default for c in sql.schema.tables[0].columns}
    assert cols == {"id": None, "p": None, "b": None, "j": "'{}'::jsonb"}
    assert sum("the default left out" in str(w) for w in sql.warnings) == 2
    dbml = import_dbml([("x.dbml", "Table t {\n  id int [pk]\n"
                                   "  p point [default: `'{}'::jsonb`]\n}\n")])
    assert dbml.schema.tables[0].columns[1].default is None
    assert any("is of type jsonb but the column is point" in str(w) for w in dbml.warnings)
