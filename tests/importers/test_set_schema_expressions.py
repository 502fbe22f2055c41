"""A kept routine moved by ``ALTER FUNCTION ... SET SCHEMA`` (c090b8a): the design's table
expressions calling it by its qualified name followed it, but not a domain's CHECK (or
default), nor a call written unqualified where the script's search_path found the routine in
its old namespace. PostgreSQL keeps them parsed (by the routine's oid), so they call it where
it went; the export called it by its old name (an upgrade error: function a.g(integer) does
not exist) or, unqualified, whichever routine of that name the revision's search_path finds
first (public's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeler.importers import import_sql
from tests.pgtemp import PgServer

SCRIPT = """
CREATE SCHEMA a;
CREATE SCHEMA b;
CREATE FUNCTION public.g(n int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT -n';
CREATE FUNCTION a.g(n int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT n';
CREATE DOMAIN a.positive AS int DEFAULT a.g(1) CHECK (a.g(VALUE) > 0);
SET search_path = a, public;
CREATE DOMAIN a.small AS int DEFAULT g(2) CHECK (g(VALUE) < 100);
CREATE TABLE a.t (id int PRIMARY KEY, n int CHECK (g(n) > 0), m int DEFAULT g(1),
    p a.positive, s a.small);
CREATE INDEX t_g ON a.t (g(n)) WHERE g(m) > 0;
ALTER FUNCTION g(int) SET SCHEMA b;
RESET search_path;
"""


def test_domain_checks_and_unqualified_calls_follow() -> None:
    result = import_sql([("s.sql", SCRIPT)])
    domains = {d.name: d for d in result.schema.domains}
    texts = [*(c.expression for d in domains.values() for c in d.checks),
             *(d.default or "" for d in domains.values())]
    t = next(t for t in result.schema.tables if t.name == "t")
    texts += [*(c.expression for c in t.checks), *(c.default or "" for c in t.columns),
              *(p.expression or "" for ix in t.indexes for p in ix.parts),
              *(ix.where or "" for ix in t.indexes)]
    texts = [x for x in texts if x]
    assert len(texts) == 8
    assert [x for x in texts if "b.g(" not in x] == []


@pytest.mark.postgres
@pytest.mark.parametrize("live", [False, True], ids=["sql", "live"])
def test_the_moved_routine_round_trips(pg_server: PgServer, tmp_path: Path,
                                       live: bool) -> None:
    """Script and database (whose pg_type.typdefault is the default's text as made: a.g(1)
    after the move; the live import reads pg_get_expr of typdefaultbin)."""
    from tests.fidelity.test_roundtrip_classes import _loop

    _loop(pg_server, tmp_path, SCRIPT, live=live)
