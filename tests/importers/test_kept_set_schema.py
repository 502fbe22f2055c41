"""A kept view, materialized view or routine moved by the script (ALTER TABLE / VIEW /
MATERIALIZED VIEW / FUNCTION / PROCEDURE ... SET SCHEMA) was left where it was made, with a
warning (ALTER ... SET SCHEMA not applied): the export made it in its first schema, and
what names it there (a view over the view, a trigger calling the function) kept naming it
so, where PostgreSQL follows it. It moves now, and the kept SQL naming it follows."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from modeler.importers import import_sql
from tests.fidelity import roundtrip as rt
from tests.pgtemp import PgServer

SCRIPT = """
CREATE SCHEMA a;
CREATE SCHEMA b;
CREATE TABLE a.t (id int PRIMARY KEY);
CREATE VIEW a.v AS SELECT id FROM a.t;
CREATE VIEW a.w AS SELECT id FROM a.v;
CREATE MATERIALIZED VIEW a.m AS SELECT id FROM a.t;
CREATE FUNCTION a.f() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER tr BEFORE INSERT ON a.t FOR EACH ROW EXECUTE FUNCTION a.f();
CREATE FUNCTION a.g(n int) RETURNS int LANGUAGE sql IMMUTABLE AS 'SELECT n';
CREATE VIEW a.gv AS SELECT a.g(id) AS n FROM a.t;
CREATE PROCEDURE a.p() LANGUAGE sql AS 'SELECT 1';
CREATE TABLE a.u (n int CHECK (a.g(n) > 0), m int DEFAULT a.g(1),
    k int GENERATED ALWAYS AS (a.g(n)) STORED);
CREATE INDEX u_g ON a.u (a.g(n)) WHERE a.g(m) > 0;
ALTER TABLE a.t SET SCHEMA b;
ALTER VIEW a.v SET SCHEMA b;
ALTER TABLE a.w SET SCHEMA b;
ALTER MATERIALIZED VIEW a.m SET SCHEMA b;
ALTER FUNCTION a.f() SET SCHEMA b;
ALTER FUNCTION a.g SET SCHEMA b;
ALTER PROCEDURE a.p() SET SCHEMA b;
"""


def test_the_kept_objects_move() -> None:
    """And the design's expressions calling a moved routine (a CHECK, a default, a
    generated column, an index's expression and predicate) call it where it went."""
    result = import_sql([("s.sql", SCRIPT)])
    u = next(t for t in result.schema.tables if t.name == "u")
    texts = [*(c.expression for c in u.checks), *(c.default or "" for c in u.columns),
             *(c.generated or "" for c in u.columns),
             *(p.expression or "" for ix in u.indexes for p in ix.parts),
             *(ix.where or "" for ix in u.indexes)]
    assert [t for t in texts if "a.g" in t] == []
    assert len([t for t in texts if "b.g" in t]) == 5
    assert not [w for w in result.warnings if "SET SCHEMA" in str(w)]
    where = {o.name: o.namespace for o in result.schema.raw_objects if o.name}
    assert {k: where[k] for k in ("v", "w", "m", "f", "g", "p")} == dict.fromkeys(
        ("v", "w", "m", "f", "g", "p"), "b")


WHERE = """
SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n
    ON n.oid = c.relnamespace WHERE c.relkind IN ('v', 'm') AND n.nspname IN ('a', 'b')
UNION ALL
SELECT n.nspname || '.' || p.proname FROM pg_proc p JOIN pg_namespace n
    ON n.oid = p.pronamespace WHERE n.nspname IN ('a', 'b') ORDER BY 1
"""


@pytest.mark.postgres
def test_the_moved_objects_round_trip(pg_server: PgServer, tmp_path: Path) -> None:
    from tests.fidelity.test_roundtrip_classes import _loop

    result = import_sql([("s.sql", SCRIPT)])
    bundle = rt.export_bundle(result.schema, tmp_path / "b1", "bundle")
    with rt.database(pg_server) as original, rt.database(pg_server) as url:
        assert rt.psql_run(pg_server, original, SCRIPT) == []
        rt.alembic_upgrade(bundle, url)
        with psycopg.connect(original) as one, psycopg.connect(url) as two:
            assert two.execute(WHERE).fetchall() == one.execute(WHERE).fetchall()
    _loop(pg_server, tmp_path, SCRIPT)
