"""A DBML string default on a range, geometric or oid column is kept only when PostgreSQL reads
it as a value of the column's type.

A drawn DBML file (tests/importers/test_dbml_grammar_fuzz.py) had ``int4range [default:
'say "hi"']``: the import kept it and the export failed at ``alembic upgrade`` ("malformed range
literal"). Each string below is read by a real PostgreSQL (``SELECT 'text'::type``) and the
import's judgement (modeler.importers.dbml.defaults) must agree with it both ways: a string
it keeps is one the server takes, and it keeps what the server takes.
"""

from __future__ import annotations

import psycopg
import pytest

from modeler.importers import import_dbml
from tests.pgtemp import PgServer

STRINGS = {
    "int4range": ['say "hi"', "[1,5)", "(1,5]", "empty", "EMPTY", "(,10]", "[3,)", "(,)",
                  "[a,b)", "[1.5,2)", "[1,5", "1,5", '["1","5")', "[ 1 , 5 )", "[5,1)",
                  "[1,2,3)", ""],
    "int8range": ["[1,9000000000)", "[x,)", "empty"],
    "numrange": ["[1.5,2)", "[-1e3,.5]", "[nan,1)", "(,)", "[1,two)"],
    "daterange": ['["2020-01-01",)', "[2020-01-01,2020-02-01)", "[today,)", "[x,)"],
    "tsrange": ['["2020-01-01 10:00",)', "[2020-01-01 10:00,2020-01-02 00:00)", "[oops,)"],
    "tstzrange": ['["2020-01-01 10:00+02",)', "(,infinity)", "[what,)"],
    "point": ["(1,2)", "1,2", " ( 1.5 , -2e3 ) ", "say", "(1,2,3)", "(1)", ""],
    "box": ["((0,0),(1,1))", "(0,0),(1,1)", "0,0,1,1", "(0,0)", "box"],
    "lseg": ["[(0,0),(1,1)]", "((0,0),(1,1))", "(0,0)", "x"],
    "path": ["[(0,0),(1,1)]", "((0,0),(1,1),(2,0))", "(0,0),(1,1)", "[]", "p"],
    "polygon": ["((0,0),(1,1),(2,0))", "(0,0),(1,1)", "(0,0)", "poly"],
    "line": ["{1,2,3}", "[(0,0),(1,1)]", "{1,2}", "line"],
    "circle": ["<(0,0),1>", "((0,0),1)", "(0,0),1", "0,0,1", "<(0,0)>", "c"],
    "oid": ["12", "0", "4294967295", "4294967296", "-1", "x"],
}


def _kept(column_type: str, value: str) -> bool:
    literal = value.replace("'", "\\'")
    result = import_dbml([("d.dbml", f"Table t {{\n  id int [pk]\n  c {column_type} "
                                     f"[default: '{literal}']\n}}\n")])
    return result.schema.tables[0].columns[1].default is not None


def _taken(conn: psycopg.Connection[tuple[object, ...]], column_type: str, value: str) -> bool:
    try:
        with conn.transaction():
            conn.execute(f"SELECT %s::{column_type}", (value,))
    except psycopg.errors.DataError:
        return False
    return True


@pytest.mark.postgres
def test_string_defaults_are_kept_as_postgresql_reads_them(pg_server: PgServer) -> None:
    wrong: list[str] = []
    with pg_server.scratch_connection() as conn:
        for column_type, values in STRINGS.items():
            for value in values:
                ours, theirs = _kept(column_type, value), _taken(conn, column_type, value)
                if ours != theirs:
                    wrong.append(f"{value!r} on {column_type}: kept {ours}, PostgreSQL "
                                 f"reads it {theirs}")
    assert wrong == [], "\n".join(wrong)
