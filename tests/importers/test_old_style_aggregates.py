"""Overloaded aggregates declared in the old syntax (``CREATE AGGREGATE name (BASETYPE =
type, ...)``), each after a ``DROP AGGREGATE IF EXISTS name(type)``. Found by
bench/stranger_schemas.py (postgresql-comparator's XOR over bit, int2, int4 and int8): the old
syntax names its input type in BASETYPE, not in parentheses, so a kept aggregate's input types
read as unknown and each DROP of one overload took every overload kept before it; only the
last was exported."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeler.importers import import_sql
from tests.importers.roundtrips import assert_round_trips
from tests.pgtemp import PgServer

SCRIPT = """
CREATE FUNCTION int_or(integer, integer) RETURNS integer LANGUAGE sql IMMUTABLE
    AS 'SELECT $1 | $2';
CREATE FUNCTION count_any(bigint) RETURNS bigint LANGUAGE sql IMMUTABLE AS 'SELECT $1 + 1';
DROP AGGREGATE IF EXISTS bits(bit);
CREATE AGGREGATE bits (BASETYPE = bit, SFUNC = bitor, STYPE = bit);
DROP AGGREGATE IF EXISTS bits(int2);
CREATE AGGREGATE bits (BASETYPE = int2, SFUNC = int2or, STYPE = int2);
DROP AGGREGATE IF EXISTS bits(integer);
CREATE AGGREGATE bits (basetype = int4, sfunc = int_or, stype = int4);
DROP AGGREGATE IF EXISTS bits(smallint);
CREATE AGGREGATE bits (BASETYPE = smallint, SFUNC = int2or, STYPE = smallint);
DROP AGGREGATE IF EXISTS rows_seen(*);
CREATE AGGREGATE rows_seen (BASETYPE = "any", SFUNC = count_any, STYPE = bigint,
                            INITCOND = '0');
CREATE AGGREGATE bits (int8) (SFUNC = int8or, STYPE = int8);
CREATE TABLE t (id int PRIMARY KEY);
"""


def test_each_overload_is_kept() -> None:
    kept = [r.sql for r in import_sql([("s.sql", SCRIPT)]).schema.raw_objects
            if r.kind == "aggregate"]
    # bit, int4, int2 (made twice: smallint is int2, the second replaces the first), the
    # new-syntax int8, and rows_seen(*)
    assert len(kept) == 5, kept
    assert sum("int2" in sql.lower() or "smallint" in sql.lower() for sql in kept) == 1


@pytest.mark.postgres
def test_old_style_overloads_round_trip(pg_server: PgServer, tmp_path: Path) -> None:
    assert_round_trips(pg_server, SCRIPT, tmp_path, "oldagg", live=False)
