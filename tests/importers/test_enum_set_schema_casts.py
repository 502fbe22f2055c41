"""SQL import: ALTER TYPE ... SET SCHEMA (and RENAME TO) reach the casts to the enum in every
expression: PostgreSQL stores ``'a'::e`` as the type's OID, so after the move its catalog
shows ``'a'::s2.e``. The import left the cast unqualified (a default followed the rename of
the type but not its move; CHECKs, predicates, array defaults and kept views did not
follow at all), so the export's upgrade failed: type "e" does not exist."""

from __future__ import annotations

import pytest

from modeler.importers import import_sql
from tests.fidelity.differential import round_trip
from tests.pgtemp import PgServer

SCRIPT = """CREATE SCHEMA s2; CREATE TYPE e AS ENUM ('a', 'b');
CREATE TABLE t (id int PRIMARY KEY, c e DEFAULT 'a'::e, d e[] DEFAULT '{a}'::e[], k e,
  CONSTRAINT k_not_a CHECK (k <> 'a'::e));
CREATE INDEX t_k ON t (id) WHERE k = 'b'::e;
CREATE VIEW v AS SELECT id FROM t WHERE k = 'b'::e;
ALTER TYPE e SET SCHEMA s2;
CREATE TYPE f AS ENUM ('x');
CREATE TABLE u (id int PRIMARY KEY, g f DEFAULT 'x'::f CHECK (g <> 'x'::public.f));
ALTER TYPE f RENAME TO f2;
"""


def test_the_casts_follow_the_type() -> None:
    s = import_sql([("a.sql", SCRIPT)]).schema
    t, u = (next(x for x in s.tables if x.name == n) for n in ("t", "u"))
    assert [c.default for c in t.columns] == [None, "'a'::s2.e", "'{a}'::s2.e[]", None]
    assert [k.expression for k in t.checks] == ["k <> 'a'::s2.e"]
    assert [i.where for i in t.indexes] == ["k = 'b'::s2.e"]
    assert [c.default for c in u.columns] == [None, "'x'::f2"]
    assert [k.expression for k in u.checks] == ["g <> 'x'::public.f2"]
    assert "k = 'b'::s2.e" in next(r for r in s.raw_objects if r.name == "v").sql


@pytest.mark.postgres
def test_casts_to_a_moved_enum_round_trip(pg_server: PgServer) -> None:
    outcome = round_trip(pg_server, SCRIPT)
    assert outcome.failures == [], "\n\n".join(outcome.failures)
