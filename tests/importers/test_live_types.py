"""Live import of the types a database defines besides enums and domains: composite and range
types (found by the stranger schemas pg-partman and davical: a function returning a
composite type, whose type the live import left out, so ``alembic upgrade`` failed)."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from modeler.importers import import_sql
from tests.importers.roundtrips import import_loaded, kept, rebuilt
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

DDL = """
CREATE SCHEMA jobs;
CREATE TYPE jobs.mood AS ENUM ('calm', 'busy');
CREATE TYPE jobs.pair AS (label text COLLATE "C", weight bigint, mood jobs.mood);
COMMENT ON TYPE jobs.pair IS 'a label and its weight';
CREATE TYPE jobs.pairs AS (first jobs.pair, rest jobs.pair[]);
CREATE TYPE jobs.span AS RANGE (subtype = float8);
CREATE TABLE jobs.task (id int PRIMARY KEY, best jobs.pair, window_ jobs.span);
CREATE FUNCTION jobs.heaviest() RETURNS SETOF jobs.pair LANGUAGE sql STABLE AS
$$ SELECT best FROM jobs.task ORDER BY (best).weight DESC $$;
CREATE TABLE plain (id int PRIMARY KEY);
"""


def test_composite_and_range_types_come_back_from_a_live_database(
        pg_server: PgServer, pg_url: str, tmp_path: Path) -> None:
    result = import_loaded(pg_url, DDL)
    live = set(kept(result.schema))
    assert {("type", "pair"), ("type", "pairs"), ("type", "span")} <= live
    assert live == set(kept(import_sql([("t.sql", DDL)]).schema))
    # the design builds the same database: the types before the tables and the function
    with rebuilt(pg_server, result.schema, tmp_path / "bundle", "types", like=pg_url) as target:
        assert _types(target) == _types(pg_url)


_TYPES = """
SELECT t.typname, t.typtype, obj_description(t.oid, 'pg_type'),
       (SELECT array_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || ' '
                         || a.attcollation::regcollation::text ORDER BY a.attnum)
          FROM pg_attribute a WHERE a.attrelid = t.typrelid AND a.attnum > 0),
       (SELECT format_type(r.rngsubtype, NULL) FROM pg_range r WHERE r.rngtypid = t.oid)
FROM pg_type t WHERE t.typnamespace = 'jobs'::regnamespace AND t.typtype IN ('c', 'r', 'e')
  AND (t.typrelid = 0 OR (SELECT relkind FROM pg_class WHERE oid = t.typrelid) = 'c')
ORDER BY 1
"""


def _types(url: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return [tuple(r) for r in conn.execute(_TYPES).fetchall()]
