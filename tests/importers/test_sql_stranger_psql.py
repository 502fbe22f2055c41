"""Classes found on Debian packages' hand-written DDL (bench/stranger_schemas.py), each on a
small self-written script: a COPY ... FROM STDIN statement written over several lines
(bucardo), a procedural language's extension, which lives in pg_catalog (bucardo's plperlu).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from modeler.importers import ImportResult, import_sql
from tests.pgtemp import PgServer


def imp(text: str) -> ImportResult:
    return import_sql([("script.sql", text)])


COPY_OVER_LINES = """CREATE TABLE config (name text PRIMARY KEY, setting text, about text);
COPY config(name, setting, about)
FROM STDIN
WITH DELIMITER '|';
sleep|0.2|How long; does it sleep?
retries|3|CREATE TABLE not_a_table (id int);
\\.
COPY config (name, setting) FROM stdin
  WITH (FORMAT text);
x|y
\\.
COPY config TO stdout;
CREATE TABLE after_copy (id int PRIMARY KEY);
"""


def test_a_copy_statement_over_several_lines_skips_its_data() -> None:
    """Bucardo's ``COPY t(...)\\nFROM STDIN\\nWITH DELIMITER '|';``: its data lines were
    parsed as SQL (a syntax error stopped the import)."""
    r = imp(COPY_OVER_LINES)
    assert sorted(t.name for t in r.schema.tables) == ["after_copy", "config"]
    assert [str(w) for w in r.warnings if w.kind in ("error", "unsupported")] == []


LANGUAGE_EXTENSION = """CREATE LANGUAGE plperl;
CREATE EXTENSION IF NOT EXISTS plpgsql SCHEMA pg_catalog;
CREATE TABLE t (id int PRIMARY KEY);
CREATE FUNCTION perl_one() RETURNS int LANGUAGE plperl AS $$ return 1; $$;
"""


def test_an_extension_of_pg_catalog_is_not_a_schema_to_create() -> None:
    """CREATE LANGUAGE plperl creates extension plperl in pg_catalog, as the live import
    reads it (bucardo's plperlu): the bundle ran CREATE SCHEMA IF NOT EXISTS pg_catalog,
    which PostgreSQL refuses (the prefix pg_ is reserved)."""
    r = import_sql([("s.sql", "CREATE EXTENSION plperl WITH SCHEMA pg_catalog;")])
    assert [(e.name, e.namespace) for e in r.schema.extensions] == [("plperl", None)]


@pytest.mark.postgres
def test_a_language_extension_round_trips_live(pg_server: PgServer, tmp_path: Path) -> None:
    from modeler.codegen.version_table import version_table_name
    from modeler.importers import import_live
    from tests.catalog import compare, read_catalog
    from tests.fidelity import roundtrip as rt

    if "plperl" not in rt.available_extensions(pg_server):
        pytest.skip("plperl is not installed on this PostgreSQL")
    with rt.database(pg_server) as original:
        assert rt.psql_run(pg_server, original, LANGUAGE_EXTENSION) == []
        expected = read_catalog(original)
        result = import_live(original)
    assert [(e.name, e.namespace) for e in result.schema.extensions] == [("plperl", None)]
    bundle = rt.export_bundle(result.schema, tmp_path / "bundle", "bundle")
    with rt.database(pg_server) as url:
        rt.alembic_upgrade(bundle, url)
        version_table = version_table_name([result.schema])
        report = compare(expected, rt.without_version_table(read_catalog(url), version_table))
        assert report.ok, report.text()
        loop = rt.run_loop(bundle, url, expected, (), rt._Clock(), version_table)
    assert loop.ok, loop.output


def test_plpgsql_is_no_extension_of_the_design() -> None:
    """plpgsql is in every database (the live import leaves it out): kept from bucardo's
    ``CREATE LANGUAGE plpgsql``, the downgrade dropped it, then failed on its next DO block
    (language "plpgsql" does not exist)."""
    r = import_sql([("s.sql", "CREATE LANGUAGE plpgsql;\nCREATE OR REPLACE PROCEDURAL "
                              "LANGUAGE plpgsql;\nCREATE EXTENSION IF NOT EXISTS plpgsql;\n"
                              "CREATE LANGUAGE plperl;\nCREATE EXTENSION citext;")])
    assert sorted(e.name for e in r.schema.extensions) == ["citext", "plperl"]


NEXTVAL_UNDER_PATH = """CREATE SCHEMA app;
SET search_path TO app, public;
CREATE SEQUENCE counter_seq;
CREATE SEQUENCE "Mixed_seq";
CREATE SEQUENCE public.shared_seq;
CREATE TABLE public.uses_shared (id integer DEFAULT nextval('shared_seq'));
CREATE TABLE counter (
  id integer NOT NULL DEFAULT nextval('counter_seq'),
  other integer DEFAULT nextval('"Mixed_seq"'::regclass),
  later integer
);
ALTER TABLE counter ALTER COLUMN later SET DEFAULT nextval('COUNTER_SEQ');
"""


def test_nextval_of_an_unqualified_sequence_names_the_one_search_path_finds() -> None:
    """PostgreSQL stores the oid of the sequence that search_path finds: the default is
    written qualified outside public (bucardo: the model's nextval('counter_seq') made
    alembic check cast 'counter_seq' to regclass on a connection that cannot see app)."""
    r = import_sql([("s.sql", NEXTVAL_UNDER_PATH)])
    defaults = {t.name: [c.default for c in t.columns] for t in r.schema.tables}
    assert defaults == {
        "uses_shared": ["nextval('shared_seq')"],  # found in public: unchanged
        "counter": ["nextval('app.counter_seq'::regclass)",
                    "nextval('app.\"Mixed_seq\"'::regclass)",
                    "nextval('app.counter_seq'::regclass)"]}


@pytest.mark.postgres
def test_nextval_under_a_search_path_round_trips(pg_server: PgServer, tmp_path: Path) -> None:
    """Identical after upgrade, check clean (it failed: relation "counter_seq" does not
    exist), down to empty, up again."""
    from tests.fidelity.test_roundtrip_classes import _loop

    _loop(pg_server, tmp_path, NEXTVAL_UNDER_PATH)


def test_transactions_psql_does_not_commit_are_warned() -> None:
    """MediaWiki's tables.sql BEGINs and never COMMITs (its installer commits; psql rolls
    back at the end of the file): the import keeps the objects and says so, at the BEGIN; a
    ROLLBACK is said at its line. Each file is a session of its own."""
    r = import_sql([
        ("a.sql", "BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\nBEGIN;\nCREATE TABLE b (id int);"
                  "\nROLLBACK;\nSTART TRANSACTION;\nCREATE TABLE c (id int);\n"),
        ("b.sql", "CREATE TABLE d (id int);\nBEGIN;\nCREATE TABLE e (id int);\nEND;\n")])
    assert sorted(t.name for t in r.schema.tables) == ["a", "b", "c", "d", "e"]
    said = [(w.file, w.line, w.kind, w.message.split(":")[0]) for w in r.warnings]
    assert said == [
        ("a.sql", 6, "approximation", "ROLLBACK undoes what the statements since BEGIN at "
                                      "line 4 did; the import keeps their objects"),
        ("a.sql", 7, "approximation", "this BEGIN is never committed")]
