"""What a live database holds around the objects the design keeps as SQL: their comments, a
materialized view's indexes, row level security switched on, extended statistics. The SQL
importer keeps all of them; the live import read none of them (found by the stranger
graphile-worker, whose tables ENABLE ROW LEVEL SECURITY, and by probing the kept kinds)."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from modeler.importers import import_sql
from tests.importers.roundtrips import import_loaded, kept, rebuilt
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

DDL = """
CREATE SCHEMA app;
CREATE TABLE app.t (id int PRIMARY KEY, a int, b int, doc text);
CREATE VIEW app.v AS SELECT id, doc FROM app.t;
COMMENT ON VIEW app.v IS 'a view';
COMMENT ON COLUMN app.v.doc IS 'the view''s column';
CREATE MATERIALIZED VIEW app.mv AS SELECT id, a FROM app.t;
COMMENT ON MATERIALIZED VIEW app.mv IS 'a matview';
CREATE UNIQUE INDEX mv_id ON app.mv (id);
CREATE INDEX mv_a ON app.mv (a) WHERE a > 0;
COMMENT ON INDEX app.mv_a IS 'positive a';
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
COMMENT ON FUNCTION app.touch() IS 'a trigger function';
CREATE FUNCTION app.twice(x int, y text DEFAULT 'z') RETURNS int LANGUAGE sql AS $$ SELECT 2 * x $$;
COMMENT ON FUNCTION app.twice(int, text) IS 'overloaded';
CREATE FUNCTION app.twice(x bigint) RETURNS bigint LANGUAGE sql AS $$ SELECT 2 * x $$;
CREATE PROCEDURE app.noop() LANGUAGE sql AS $$ SELECT 1 $$;
COMMENT ON PROCEDURE app.noop() IS 'a procedure';
CREATE TRIGGER t_touch BEFORE UPDATE ON app.t FOR EACH ROW EXECUTE FUNCTION app.touch();
COMMENT ON TRIGGER t_touch ON app.t IS 'a trigger';
CREATE RULE t_keep AS ON DELETE TO app.t DO INSTEAD NOTHING;
COMMENT ON RULE t_keep ON app.t IS 'a rule';
CREATE POLICY t_positive ON app.t USING (id > 0);
COMMENT ON POLICY t_positive ON app.t IS 'a policy';
ALTER TABLE app.t ENABLE ROW LEVEL SECURITY;
CREATE TABLE app.locked (id int PRIMARY KEY);
ALTER TABLE app.locked ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.locked FORCE ROW LEVEL SECURITY;
CREATE STATISTICS app.t_ab (dependencies, ndistinct) ON a, b FROM app.t;
COMMENT ON STATISTICS app.t_ab IS 'a and b go together';
"""

_EXTRAS = """
SELECT 'comment', pg_describe_object(classoid, objoid, objsubid), description
  FROM pg_description WHERE objoid >= 16384
UNION ALL
SELECT 'rls', c.relname, c.relrowsecurity::text || c.relforcerowsecurity::text
  FROM pg_class c WHERE c.relnamespace = 'app'::regnamespace AND c.relkind = 'r'
UNION ALL
SELECT 'index', c.relname, pg_get_indexdef(i.indexrelid)
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
 WHERE c.relnamespace = 'app'::regnamespace
UNION ALL
SELECT 'statistics', s.stxname, pg_get_statisticsobjdef(s.oid) FROM pg_statistic_ext s
ORDER BY 1, 2, 3
"""


def _extras(url: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return [tuple(r) for r in conn.execute(_EXTRAS).fetchall()]


def test_what_surrounds_kept_objects_comes_back_from_a_live_database(
        pg_server: PgServer, pg_url: str, tmp_path: Path) -> None:
    result = import_loaded(pg_url, DDL)
    assert kept(result.schema) == kept(import_sql([("t.sql", DDL)]).schema)
    with rebuilt(pg_server, result.schema, tmp_path / "bundle", "kept", like=pg_url) as target:
        assert _extras(target) == _extras(pg_url)


DATABASE_WIDE = """
CREATE SCHEMA ops;
CREATE TABLE ops.t (id int PRIMARY KEY, a int, b text);
CREATE FUNCTION ops.same_mod3(int, int) RETURNS boolean LANGUAGE sql IMMUTABLE
    AS $$ SELECT $1 % 3 = $2 % 3 $$;
CREATE OPERATOR ops.=== (LEFTARG = int, RIGHTARG = int, FUNCTION = ops.same_mod3,
                         COMMUTATOR = OPERATOR(ops.===));
COMMENT ON OPERATOR ops.=== (int, int) IS 'same remainder';
CREATE TYPE ops.pair AS (x int, y int);
CREATE FUNCTION ops.pair_text(ops.pair) RETURNS text LANGUAGE sql IMMUTABLE
    AS $$ SELECT $1.x || ',' || $1.y $$;
CREATE CAST (ops.pair AS text) WITH FUNCTION ops.pair_text(ops.pair) AS ASSIGNMENT;
CREATE CAST (ops.pair AS varchar) WITH INOUT;
CREATE FUNCTION ops.on_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN END $$;
CREATE EVENT TRIGGER ops_ddl ON ddl_command_end WHEN TAG IN ('CREATE TABLE', 'ALTER TABLE')
    EXECUTE FUNCTION ops.on_ddl();
ALTER EVENT TRIGGER ops_ddl DISABLE;
CREATE PUBLICATION ops_pub FOR TABLE ops.t (id, a) WHERE (a > 0) WITH (publish = 'insert');
CREATE PUBLICATION ops_all FOR TABLES IN SCHEMA ops;
"""

_DATABASE_WIDE = """
SELECT 'operator', o.oid::regoperator::text, o.oprcode::text || ' ' || o.oprcom::regoperator::text
  FROM pg_operator o WHERE o.oid >= 16384
UNION ALL
SELECT 'cast', format_type(c.castsource, NULL) || '->' || format_type(c.casttarget, NULL),
       c.castfunc::regprocedure::text || c.castcontext::text || c.castmethod::text
  FROM pg_cast c WHERE c.oid >= 16384
UNION ALL
SELECT 'event trigger', e.evtname, e.evtevent || e.evtfoid::regproc::text || e.evtenabled::text
       || coalesce(array_to_string(e.evttags, ','), '') FROM pg_event_trigger e
UNION ALL
SELECT 'publication', p.pubname, p.pubinsert::text || p.pubupdate::text || p.pubdelete::text
       || p.pubtruncate::text || p.puballtables::text FROM pg_publication p
UNION ALL
SELECT 'published', pubname, schemaname || '.' || tablename || coalesce(attnames::text, '')
       || coalesce(rowfilter, '') FROM pg_publication_tables
UNION ALL
SELECT 'comment', pg_describe_object(classoid, objoid, objsubid), description
  FROM pg_description WHERE objoid >= 16384
ORDER BY 1, 2, 3
"""


def test_database_wide_objects_come_back_from_a_live_database(
        pg_server: PgServer, pg_url: str, tmp_path: Path) -> None:
    result = import_loaded(pg_url, DATABASE_WIDE)
    assert kept(result.schema) == kept(import_sql([("t.sql", DATABASE_WIDE)]).schema)
    with rebuilt(pg_server, result.schema, tmp_path / "bundle", "wide") as target, \
            psycopg.connect(pg_url) as a, psycopg.connect(target) as b:
        assert b.execute(_DATABASE_WIDE).fetchall() == a.execute(_DATABASE_WIDE).fetchall()
