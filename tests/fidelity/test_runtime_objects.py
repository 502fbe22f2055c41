"""Kept statements that create objects at run time (issue #13, Evergreen's
``SELECT auditor.create_auditor('actor', 'usr')``): the import keeps the call and says, at its
line, what it creates that the design does not model; the export replays it, ``alembic check``
is clean, the downgrade removes what the call made (and nothing of the design's), and the
upgrade again gives the original catalog."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeler.importers import import_sql
from modeler.schema.model import RawObject
from modeler.schema.runtime_objects import runtime_creations, runtime_table_namespaces
from tests.fidelity import roundtrip as rt
from tests.fidelity.test_roundtrip_classes import _loop
from tests.pgtemp import PgServer

# A small audit trail built the way Evergreen builds its own: one call per audited table
# makes a sequence, a history table, a trigger function, its trigger and a view, all named at
# run time. The audit schema also holds a table of the design, which must survive.
AUDITOR = """\
CREATE SCHEMA audit;
CREATE SCHEMA app;
CREATE TABLE app.person (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE app.pet (id integer PRIMARY KEY, owner integer REFERENCES app.person);
CREATE TABLE audit.setting (id integer PRIMARY KEY, enabled boolean NOT NULL DEFAULT true);
CREATE FUNCTION audit.create_seq(sch text, tbl text) RETURNS boolean AS $f$
BEGIN
  EXECUTE 'CREATE SEQUENCE audit.' || quote_ident(sch || '_' || tbl || '_seq');
  RETURN true;
END $f$ LANGUAGE plpgsql;
CREATE FUNCTION audit.create_history(sch text, tbl text) RETURNS boolean AS $f$
BEGIN
  PERFORM audit.create_seq(sch, tbl);
  EXECUTE 'CREATE TABLE audit.' || quote_ident(sch || '_' || tbl || '_history')
    || ' (audit_id bigint PRIMARY KEY, audit_time timestamptz NOT NULL, LIKE '
    || quote_ident(sch) || '.' || quote_ident(tbl) || ')';
  EXECUTE 'CREATE FUNCTION audit.' || quote_ident('audit_' || sch || '_' || tbl)
    || '() RETURNS trigger LANGUAGE plpgsql AS $b$ BEGIN INSERT INTO audit.'
    || quote_ident(sch || '_' || tbl || '_history') || ' SELECT nextval('
    || quote_literal('audit.' || sch || '_' || tbl || '_seq') || '), now(), OLD.*; '
    || 'RETURN NULL; END $b$';
  EXECUTE 'CREATE TRIGGER audit_trigger AFTER UPDATE OR DELETE ON ' || quote_ident(sch)
    || '.' || quote_ident(tbl) || ' FOR EACH ROW EXECUTE FUNCTION audit.'
    || quote_ident('audit_' || sch || '_' || tbl) || '()';
  EXECUTE 'CREATE VIEW audit.' || quote_ident(sch || '_' || tbl || '_lifecycle')
    || ' AS SELECT id FROM ' || quote_ident(sch) || '.' || quote_ident(tbl)
    || ' UNION ALL SELECT id FROM audit.' || quote_ident(sch || '_' || tbl || '_history');
  RETURN true;
END $f$ LANGUAGE plpgsql;
SELECT audit.create_history('app', 'person');
SELECT audit.create_history('app', 'pet');
CREATE INDEX app_person_history_name ON audit.app_person_history (name);
"""


def test_the_import_says_what_each_call_creates_at_its_line() -> None:
    result = import_sql([("audit.sql", AUDITOR)])
    assert [str(w) for w in result.warnings if w.kind == "error"] == []
    lines = {n + 1 for n, text in enumerate(AUDITOR.splitlines())
             if text.startswith("SELECT audit.create_history")}
    said = [w for w in result.warnings if "when it runs" in w.message]
    assert {w.line for w in said} == lines
    assert all(". It creates functions, sequences, tables, triggers, views in schema audit "
               "when it runs, which the design does not model; alembic check leaves the "
               "tables of audit that the models do not declare alone" in w.message
               for w in said)
    assert runtime_table_namespaces([result.schema]) == {"audit"}


def test_a_schema_named_at_run_time_is_not_guessed() -> None:
    function = RawObject("f", "function", "make", "CREATE FUNCTION public.make(s text) RETURNS "
                         "void AS $$BEGIN EXECUTE 'CREATE TABLE ' || quote_ident(s) || '.t (a "
                         "int)'; END$$ LANGUAGE plpgsql;")
    call = RawObject("c", "function call", "make", "SELECT public.make('x');")
    temp = RawObject("g", "function", "scratch", "CREATE FUNCTION public.scratch() RETURNS void "
                     "AS $$BEGIN CREATE TEMP TABLE t (a int); END$$ LANGUAGE plpgsql;")
    found = runtime_creations([function, call, temp,
                               RawObject("d", "function call", "scratch", "SELECT scratch();")])
    assert [(f.call.uid, f.namespaces, f.kinds, f.readable) for f in found] == [
        ("c", (), ("table",), False)]


@pytest.mark.postgres
def test_calls_that_create_objects_round_trip(pg_server: PgServer, tmp_path: Path) -> None:
    """Identical after upgrade, check clean, down to empty, identical again."""
    _loop(pg_server, tmp_path, AUDITOR)


@pytest.mark.postgres
def test_tables_kept_as_sql_are_no_drift(pg_server: PgServer, tmp_path: Path) -> None:
    """``CREATE TABLE ... AS`` is kept as SQL (the models do not declare the table): alembic
    check must not ask to drop it (Evergreen's reporter.materialized_simple_record)."""
    _loop(pg_server, tmp_path, """\
CREATE SCHEMA report;
CREATE TABLE person (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE report.run (id integer PRIMARY KEY);
CREATE TABLE person_copy AS SELECT id FROM person WITH NO DATA;
CREATE TABLE report.person_copy AS SELECT id, name FROM person WITH NO DATA;
ALTER TABLE report.person_copy ADD PRIMARY KEY (id);
""")


@pytest.mark.postgres
def test_rules_a_call_creates_go_before_the_tables(pg_server: PgServer, tmp_path: Path) -> None:
    """Evergreen's ``evergreen.setup_delete_protect_rule('biblio', 'monograph_part', 'DELETE
    FROM asset.copy_part_map ...')``: a rule named at run time on a table of the design, which
    depends on another table; the downgrade drops it before either table."""
    sql = """\
CREATE TABLE part (id integer PRIMARY KEY, deleted boolean NOT NULL DEFAULT false);
CREATE TABLE part_map (id integer PRIMARY KEY, part integer REFERENCES part ON DELETE CASCADE);
CREATE FUNCTION protect(t_table text, t_additional text) RETURNS void AS $$
BEGIN
  EXECUTE 'CREATE RULE protect_' || t_table || '_delete AS ON DELETE TO ' || t_table
    || ' DO INSTEAD (UPDATE ' || t_table || ' SET deleted = TRUE WHERE OLD.id = '
    || t_table || '.id; ' || t_additional || ')';
END $$ LANGUAGE plpgsql;
SELECT protect('part', 'DELETE FROM part_map WHERE part = OLD.id');
"""
    said = [w.message for w in import_sql([("rule.sql", sql)]).warnings
            if "when it runs" in w.message]
    assert len(said) == 1 and said[0].endswith(
        ". It creates rules when it runs, which the design does not model; it drops the rules, "
        "triggers and indexes on the design's tables that the design does not declare")
    _loop(pg_server, tmp_path, sql)


@pytest.mark.postgres
def test_check_compares_what_alembic_reflects_wrongly(pg_server: PgServer,
                                                      tmp_path: Path) -> None:
    """Two false drifts of Evergreen's: an INHERITS child's id defaults to the parent's
    sequence (Alembic takes it for the child's SERIAL and drops it), and an index on a
    function of a namespace that holds no table (the probe must see it on its search_path)."""
    _loop(pg_server, tmp_path, """\
CREATE SCHEMA util;
CREATE FUNCTION util.as_bytes(text) RETURNS bytea AS $$ SELECT convert_to($1, 'UTF8') $$
  LANGUAGE sql IMMUTABLE STRICT;
CREATE SCHEMA money;
CREATE TABLE money.xact (id bigserial PRIMARY KEY, label text NOT NULL);
CREATE TABLE money.grocery (note text) INHERITS (money.xact);
ALTER TABLE money.grocery ADD PRIMARY KEY (id);
SET search_path = util, public;
CREATE INDEX xact_label_bytes ON money.xact (as_bytes(label), id);
""")


@pytest.mark.postgres
def test_a_do_block_that_creates_objects_goes_down(pg_server: PgServer, tmp_path: Path) -> None:
    """Evergreen's DO block: ``EXECUTE 'CREATE TEXT SEARCH DICTIONARY ' || lang || '_nostop
    ...'`` in a loop, unqualified names (they go to the search_path's first schema), and a
    configuration of the design copied from one of them."""
    _loop(pg_server, tmp_path, """\
CREATE TABLE doc (id integer PRIMARY KEY, body text NOT NULL);
SET search_path = public, pg_catalog;
DO $$
DECLARE lang text;
BEGIN
FOR lang IN SELECT unnest(ARRAY['english', 'french']) LOOP
EXECUTE 'CREATE TEXT SEARCH DICTIONARY ' || lang || '_nostop (TEMPLATE = pg_catalog.snowball,
  language = ' || lang || ');
CREATE TEXT SEARCH CONFIGURATION ' || lang || '_nostop (COPY = pg_catalog.' || lang || ');
ALTER TEXT SEARCH CONFIGURATION ' || lang || '_nostop ALTER MAPPING FOR asciiword WITH '
  || lang || '_nostop;';
END LOOP;
END;
$$;
CREATE TEXT SEARCH CONFIGURATION title (COPY = english_nostop);
""")


@pytest.mark.postgres
def test_extensions_created_by_cascade_go_down(pg_server: PgServer, tmp_path: Path) -> None:
    """``CREATE EXTENSION earthdistance CASCADE`` installs cube, which the design does not
    list: the downgrade drops it with earthdistance (nothing else needs it)."""
    if not {"cube", "earthdistance"} <= rt.available_extensions(pg_server):
        pytest.skip("the server lacks cube / earthdistance (PostgreSQL contrib)")
    _loop(pg_server, tmp_path, """\
CREATE EXTENSION earthdistance CASCADE;
CREATE TABLE place (id integer PRIMARY KEY, lat float8 NOT NULL, lon float8 NOT NULL);
CREATE INDEX place_near ON place USING gist (ll_to_earth(lat, lon));
""")


# A queue made by a call the way pgq makes one: the names of its sequence and tables are
# whole values (``'CREATE TABLE ' || q.fq(pfx)``, qualified inside the value), the tables
# inherit from a table of the design, which cannot be dropped while they stand.
QUEUE = """\
CREATE SCHEMA q;
CREATE TABLE q.template (ev_id bigint, body text);
CREATE TABLE q.queue (id serial PRIMARY KEY, name text NOT NULL UNIQUE);
CREATE FUNCTION q.fq(name text) RETURNS text LANGUAGE sql IMMUTABLE AS
$$ SELECT quote_ident(split_part(name, '.', 1)) || '.' || quote_ident(split_part(name, '.', 2)) $$;
CREATE FUNCTION q.make(qname text) RETURNS integer AS $f$
DECLARE qid integer; pfx text;
BEGIN
  INSERT INTO q.queue (name) VALUES (qname) RETURNING id INTO qid;
  pfx := 'q.data_' || qid::text;
  EXECUTE 'CREATE SEQUENCE ' || q.fq(pfx || '_seq');
  EXECUTE 'CREATE TABLE ' || q.fq(pfx) || ' () INHERITS (q.template)';
  EXECUTE 'CREATE TABLE ' || q.fq(pfx || '_0') || ' () INHERITS (' || q.fq(pfx) || ')';
  RETURN qid;
END $f$ LANGUAGE plpgsql;
SELECT q.make('jobs');
"""


def test_a_name_that_is_a_value_goes_to_the_routines_schema() -> None:
    """``'CREATE TABLE ' || expr``: the whole name is a value, which may be qualified; it is
    looked for in the routine's own schema and the search_path's first (a schema that is a
    value, ``quote_ident(s) || '.t'``, is still not guessed)."""
    found = runtime_creations(import_sql([("queue.sql", QUEUE)]).schema.raw_objects)
    assert [(f.call.name, f.namespaces, f.kinds, f.readable) for f in found] == [
        ("make", ("public", "q"), ("sequence", "table"), True)]


@pytest.mark.postgres
def test_tables_a_call_names_by_value_go_down(pg_server: PgServer, tmp_path: Path) -> None:
    """The downgrade dropped nothing in q (it swept public only), so the drop of q.template
    failed on the tables inheriting from it; alembic check reported them too."""
    _loop(pg_server, tmp_path, QUEUE)
