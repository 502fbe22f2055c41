"""Operators applied to operands of the wrong kind are refused, with PostgreSQL as the oracle:
for each CHECK below, what the design's validation refuses PostgreSQL refuses too (the check
works on type categories, so it never refuses what PostgreSQL takes), and the mistakes of
CAUGHT are refused. What it lets through and PostgreSQL refuses (a bad literal such as
``ip = 'x'``, an operator PostgreSQL has for other types of the same category such as
``numeric # integer``) fails at ``alembic upgrade``, as it did before."""

from __future__ import annotations

import psycopg
import pytest

from modeler.schema import validate
from modeler.schema.builder import SchemaBuilder

COLUMNS = ("id bigint PRIMARY KEY, price numeric(10,2), name text, flag boolean, tags text[], "
           "at timestamptz, data jsonb, ip inet, span interval, code varchar(10)")

CHECKS = [
    "price >>= 0", "name = 5", "flag = 1", "price ~~ '%1'", "price > 0", "name ~ 'x'",
    "price + 1 > 0", "-price < 0", "tags && ARRAY['a']", "at > now() - interval '1 day'",
    "data ? 'k'", "price::text ~ 'x'", "name || price = 'x'", "ip << '10.0.0.0/8'::inet",
    "tags = '{}'", "ROW(price, name) = ROW(1, 'x')", "at::date = CURRENT_DATE",
    "price = ANY(ARRAY[1, 2])", "name IN ('a', 'b')", "price BETWEEN 0 AND 10", "flag IS TRUE",
    "data @> '{}'::jsonb", "at >= '2020-01-01'", "price::int = 3", "length(name) > 0",
    "NOT flag", "@ price > 1", "|/ price > 1", "tags || 'x' = tags", "data -> 'a' = data",
    "span > interval '1 hour'", "span > 0", "code = name", "code > 5", "at > 5",
    "ip = 'x'", "ip > 1", "id % 2 = 0", "data = 1", "tags = 'x'", "flag AND price > 0",
    "name ILIKE 'a%'", "price # 1 = 0", "at - at > span",
]


def _design(check: str) -> list[str]:
    b = SchemaBuilder()
    t = b.table("t", comment="operators")
    t.column("id", "bigint", pk=True)
    t.column("price", "numeric", precision=10, scale=2)
    t.column("name", "text")
    t.column("flag", "boolean")
    t.column("tags", "text", array_dims=1)
    t.column("at", "timestamptz")
    t.column("data", "jsonb")
    t.column("ip", "inet")
    t.column("span", "interval")
    t.column("code", "varchar", length=10)
    t.check("ck_t", check)
    return validate.expression_problems(b.build())


def _postgres_refuses(url: str, check: str) -> bool:
    with psycopg.connect(url, autocommit=True) as conn:
        try:
            conn.execute(f"CREATE TEMP TABLE t ({COLUMNS}, CHECK ({check}))")  # test input
        except psycopg.Error:
            return True
        conn.execute("DROP TABLE t")
        return False


CAUGHT = {"price >>= 0", "name = 5", "flag = 1", "price ~~ '%1'", "span > 0", "code > 5",
          "at > 5", "ip > 1"}


@pytest.mark.parametrize("check", CHECKS)
def test_refused_only_when_postgresql_refuses(pg_url: str, check: str) -> None:
    ours = _design(check)
    refused = _postgres_refuses(pg_url, check)
    if ours:
        assert refused, f"PostgreSQL takes {check!r}, the validation refuses it: {ours}"
        assert "operator does not exist" in ours[0]
    assert bool(ours) == (check in CAUGHT)
