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


SEARCH_AND_FOREIGN = """
CREATE SCHEMA docs;
CREATE TEXT SEARCH DICTIONARY docs.short_words (TEMPLATE = simple, STOPWORDS = english);
COMMENT ON TEXT SEARCH DICTIONARY docs.short_words IS 'no stop words';
CREATE TEXT SEARCH CONFIGURATION docs.plain (PARSER = default);
CREATE TEXT SEARCH DICTIONARY docs.later (TEMPLATE = simple);
ALTER TEXT SEARCH CONFIGURATION docs.plain ADD MAPPING FOR asciiword, word WITH docs.later,
    simple;
ALTER TEXT SEARCH CONFIGURATION docs.plain ADD MAPPING FOR int WITH docs.short_words;
CREATE TEXT SEARCH CONFIGURATION docs.copied (COPY = english);
COMMENT ON TEXT SEARCH CONFIGURATION docs.copied IS 'english, ours';
CREATE TABLE docs.page (
    id int PRIMARY KEY,
    body text NOT NULL,
    words tsvector GENERATED ALWAYS AS (to_tsvector('docs.plain', body)) STORED
);
CREATE INDEX page_words ON docs.page USING gin (words);
CREATE EXTENSION file_fdw;
CREATE SERVER files FOREIGN DATA WRAPPER file_fdw;
CREATE FOREIGN DATA WRAPPER nowhere OPTIONS (debug 'true');
CREATE SERVER elsewhere TYPE 'remote' VERSION '1.0' FOREIGN DATA WRAPPER nowhere
    OPTIONS (host 'db.example.org', port '5432');
COMMENT ON SERVER elsewhere IS 'a server';
CREATE FOREIGN TABLE docs.remote_page (
    id int OPTIONS (column_name 'page_id') NOT NULL,
    title text COLLATE "C" DEFAULT 'untitled'
) SERVER elsewhere OPTIONS (table_name 'pages');
COMMENT ON FOREIGN TABLE docs.remote_page IS 'pages over there';
COMMENT ON COLUMN docs.remote_page.title IS 'its title';
CREATE FOREIGN TABLE docs.log (line text) SERVER files OPTIONS (filename '/dev/null');
"""

_SEARCH_AND_FOREIGN = """
SELECT 'config', c.oid::regconfig::text, m.maptokentype::text || ' '
       || string_agg(m.mapdict::regdictionary::text, ',' ORDER BY m.mapseqno)
  FROM pg_ts_config c JOIN pg_ts_config_map m ON m.mapcfg = c.oid WHERE c.oid >= 16384
 GROUP BY c.oid, m.maptokentype
UNION ALL
SELECT 'dictionary', d.oid::regdictionary::text, d.dicttemplate::text
       || coalesce(d.dictinitoption, '') FROM pg_ts_dict d WHERE d.oid >= 16384
UNION ALL
SELECT 'wrapper', w.fdwname, coalesce(w.fdwoptions::text, '') FROM pg_foreign_data_wrapper w
UNION ALL
SELECT 'server', s.srvname, w.fdwname || coalesce(s.srvtype, '') || coalesce(s.srvversion, '')
       || coalesce(s.srvoptions::text, '')
  FROM pg_foreign_server s JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw
UNION ALL
SELECT 'foreign table', t.ftrelid::regclass::text, s.srvname || t.ftoptions::text
  FROM pg_foreign_table t JOIN pg_foreign_server s ON s.oid = t.ftserver
UNION ALL
SELECT 'foreign column', a.attrelid::regclass::text || '.' || a.attname,
       format_type(a.atttypid, a.atttypmod) || a.attnotnull::text
       || coalesce(a.attfdwoptions::text, '') || a.attcollation::regcollation::text
       || coalesce(pg_get_expr(d.adbin, d.adrelid), '')
  FROM pg_attribute a JOIN pg_foreign_table t ON t.ftrelid = a.attrelid
  LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum WHERE a.attnum > 0
UNION ALL
SELECT 'comment', pg_describe_object(classoid, objoid, objsubid), description
  FROM pg_description WHERE objoid >= 16384
UNION ALL
SELECT 'column', attname, pg_get_expr(d.adbin, d.adrelid)
  FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum
 WHERE d.adrelid = 'docs.page'::regclass
ORDER BY 1, 2, 3
"""


def test_text_search_and_foreign_objects_come_back_from_a_live_database(
        pg_server: PgServer, pg_url: str, tmp_path: Path) -> None:
    """A live database's own text search dictionaries and configurations (a generated column
    may use one: its migration failed without it), foreign-data wrappers, servers and
    foreign tables: kept as SQL, as the SQL importer keeps them, and rebuilt the same. A
    user mapping is left out with a warning: it holds credentials."""
    mapping = "CREATE USER MAPPING FOR CURRENT_USER SERVER elsewhere OPTIONS (password 's3')"
    result = import_loaded(pg_url, SEARCH_AND_FOREIGN + mapping + ";\n")
    # the same objects (a configuration's mappings are read as one ADD MAPPING per list of
    # dictionaries, not as the script wrote them: COPY is not in the catalog)
    assert set(kept(result.schema)) == set(kept(import_sql([("t.sql",
                                                            SEARCH_AND_FOREIGN)]).schema))
    assert any("user mapping for" in w.message and "left out: it holds credentials"
               in w.message for w in result.warnings), result.warnings
    assert not any("s3" in o.sql for o in result.schema.raw_objects)
    with rebuilt(pg_server, result.schema, tmp_path / "bundle", "search") as target, \
            psycopg.connect(pg_url) as a, psycopg.connect(target) as b:
        assert b.execute(_SEARCH_AND_FOREIGN).fetchall() == a.execute(
            _SEARCH_AND_FOREIGN).fetchall()
        assert not b.execute("SELECT 1 FROM pg_user_mappings").fetchall()


VIEW_OPTIONS = """
CREATE TABLE item (id int PRIMARY KEY, open boolean NOT NULL);
CREATE VIEW open_item AS SELECT id, open FROM item WHERE open WITH LOCAL CHECK OPTION;
CREATE VIEW guarded WITH (security_barrier = true) AS SELECT id FROM item;
CREATE VIEW cascaded AS SELECT id, open FROM open_item WITH CHECK OPTION;
CREATE MATERIALIZED VIEW packed WITH (fillfactor = 70) AS SELECT id FROM item;
"""


def test_view_options_come_back_from_a_live_database(
        pg_server: PgServer, pg_url: str, tmp_path: Path) -> None:
    """A view's WITH CHECK OPTION and security_barrier, a materialized view's storage
    parameters: pg_get_viewdef leaves them out (they are the view's reloptions), so the
    live import made views that no longer checked what they were written to check."""
    query = ("SELECT c.relname, c.reloptions::text FROM pg_class c WHERE c.relkind IN "
             "('v', 'm') AND c.relnamespace = 'public'::regnamespace ORDER BY 1")
    result = import_loaded(pg_url, VIEW_OPTIONS)
    with rebuilt(pg_server, result.schema, tmp_path / "bundle", "views") as target, \
            psycopg.connect(pg_url) as a, psycopg.connect(target) as b:
        expected = a.execute(query).fetchall()
        assert [r[1] for r in expected].count(None) == 0  # every one has its options
        assert b.execute(query).fetchall() == expected


def test_a_foreign_tables_generated_column_comes_back_generated(
        pg_server: PgServer, pg_url: str, tmp_path: Path) -> None:
    """A foreign table's generated column (PostgreSQL 12+) has its expression in
    pg_attrdef like a default: it was written back as DEFAULT (a plain column whose value
    the foreign side may override), no longer computed."""
    result = import_loaded(pg_url, """
        CREATE FOREIGN DATA WRAPPER plain;
        CREATE SERVER far FOREIGN DATA WRAPPER plain;
        CREATE FOREIGN TABLE remote (a int DEFAULT 1,
                                     b int GENERATED ALWAYS AS (a * 2) STORED) SERVER far;
        """)
    sql = next(o.sql for o in result.schema.raw_objects if o.kind == "foreign table")
    assert "b integer GENERATED ALWAYS AS ((a * 2)) STORED" in sql, sql
    assert "a integer DEFAULT 1" in sql, sql
    query = ("SELECT attname, attgenerated, pg_get_expr(adbin, adrelid) FROM pg_attribute "
             "LEFT JOIN pg_attrdef ON adrelid = attrelid AND adnum = attnum "
             "WHERE attrelid = 'remote'::regclass AND attnum > 0 ORDER BY attnum")
    with rebuilt(pg_server, result.schema, tmp_path / "bundle", "remote") as target, \
            psycopg.connect(pg_url) as a, psycopg.connect(target) as b:
        assert b.execute(query).fetchall() == a.execute(query).fetchall()


def test_a_foreign_partition_and_child_keep_their_parents(
        pg_server: PgServer, pg_url: str, tmp_path: Path) -> None:
    """A foreign table that is a partition (PARTITION OF ... FOR VALUES) or an inheritance
    child (INHERITS): it came back as a lone foreign table with its parent's columns, so
    the partitioned table had no partition for its rows and the child was no child."""
    result = import_loaded(pg_url, """
        CREATE FOREIGN DATA WRAPPER plain;
        CREATE SERVER far FOREIGN DATA WRAPPER plain;
        CREATE TABLE p (id int NOT NULL, v text) PARTITION BY RANGE (id);
        CREATE FOREIGN TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10) SERVER far;
        CREATE TABLE base (id int, note text);
        CREATE FOREIGN TABLE kid (extra int) INHERITS (base) SERVER far;
        """)
    query = ("SELECT c.relname, i.inhparent::regclass::text, "
             "pg_get_expr(c.relpartbound, c.oid), "
             "(SELECT array_agg(a.attname::text || a.attislocal::text ORDER BY a.attnum) "
             "FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0) "
             "FROM pg_class c JOIN pg_inherits i ON i.inhrelid = c.oid "
             "WHERE c.relkind = 'f' ORDER BY 1")
    with rebuilt(pg_server, result.schema, tmp_path / "bundle", "parents") as target, \
            psycopg.connect(pg_url) as a, psycopg.connect(target) as b:
        expected = a.execute(query).fetchall()
        assert len(expected) == 2
        assert b.execute(query).fetchall() == expected
