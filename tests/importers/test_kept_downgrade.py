"""Objects kept as SQL in a schema of their own come back, and come down with ``alembic
downgrade base``.

The SQL importer named some kept kinds without their schema (a conversion, a range type,
extended statistics, operator classes and families; an operator class or family was even
named after its access method), so the downgrade dropped ``myconv`` from ``public``, found
nothing (IF EXISTS) and then failed on ``DROP SCHEMA docs``; it skipped ALTER OPERATOR
FAMILY ... ADD (how pg_dump writes a family's loose members). The live import read no
operator class or family at all: an index using one made a migration that failed (found
probing kinds a dump may hold). Here every such kind, schema-qualified, imported from SQL
and from the live database, is upgraded (operator classes and families as the original
holds them), downgraded to nothing, and upgraded again.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from modeler.codegen.version_table import version_table_name
from modeler.importers import import_sql
from modeler.schema.model import Schema
from tests.fidelity import roundtrip as rt
from tests.importers.roundtrips import import_loaded, load
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

DDL = """
CREATE SCHEMA docs;
CREATE TEXT SEARCH DICTIONARY docs.short_words (TEMPLATE = simple, STOPWORDS = english);
CREATE TEXT SEARCH CONFIGURATION docs.plain (PARSER = default);
ALTER TEXT SEARCH CONFIGURATION docs.plain ADD MAPPING FOR asciiword WITH docs.short_words;
CREATE CONVERSION docs.myconv FOR 'LATIN1' TO 'UTF8' FROM iso8859_1_to_utf8;
CREATE OPERATOR FAMILY docs.fam USING btree;
CREATE FUNCTION docs.len_cmp(text, text) RETURNS int LANGUAGE sql IMMUTABLE
    AS $$ SELECT length($1) - length($2) $$;
CREATE OPERATOR CLASS docs.len_ops FOR TYPE text USING btree FAMILY docs.fam
    AS FUNCTION 1 docs.len_cmp(text, text);
CREATE OPERATOR CLASS docs.own_ops FOR TYPE text USING hash
    AS FUNCTION 1 hashtext(text);
ALTER OPERATOR FAMILY docs.fam USING btree ADD
    OPERATOR 1 < (name, text), FUNCTION 1 (name, text) btnametextcmp(name, text);
COMMENT ON OPERATOR FAMILY docs.fam USING btree IS 'by length';
CREATE OPERATOR CLASS docs.int_ops FOR TYPE int4 USING btree
    AS OPERATOR 1 <, OPERATOR 3 =, FUNCTION 1 btint4cmp(int4, int4);
CREATE TYPE docs.span AS RANGE (subtype = int4);
CREATE TYPE docs.pair AS (x int, y int);
CREATE FUNCTION docs.pair_text(docs.pair) RETURNS text LANGUAGE sql IMMUTABLE
    AS $$ SELECT $1.x || ',' || $1.y $$;
CREATE CAST (docs.pair AS text) WITH FUNCTION docs.pair_text(docs.pair);
CREATE TABLE docs.page (
    id int PRIMARY KEY,
    body text NOT NULL,
    during docs.span,
    words tsvector GENERATED ALWAYS AS (to_tsvector('docs.plain', body)) STORED
);
CREATE INDEX page_len ON docs.page (body docs.len_ops);
CREATE STATISTICS docs.page_stats ON id, body FROM docs.page;
CREATE FOREIGN DATA WRAPPER nowhere;
CREATE SERVER elsewhere FOREIGN DATA WRAPPER nowhere;
CREATE FOREIGN TABLE docs.remote (id int) SERVER elsewhere;
"""


# the operator classes and families: what each holds, as the catalog says
MEMBERS = """
SELECT 'class', c.opcname, c.opcdefault::text, format_type(c.opcintype, NULL),
       f.opfname, '', ''
  FROM pg_opclass c JOIN pg_opfamily f ON f.oid = c.opcfamily
 WHERE c.opcnamespace = 'docs'::regnamespace
UNION ALL
SELECT 'operator', f.opfname, o.amopstrategy::text, o.amopopr::regoperator::text,
       d.deptype::text, '', ''
  FROM pg_amop o JOIN pg_opfamily f ON f.oid = o.amopfamily
  JOIN pg_depend d ON d.classid = 'pg_amop'::regclass AND d.objid = o.oid
 WHERE f.opfnamespace = 'docs'::regnamespace
UNION ALL
SELECT 'function', f.opfname, p.amprocnum::text, p.amproc::regprocedure::text,
       d.deptype::text, format_type(p.amproclefttype, NULL),
       format_type(p.amprocrighttype, NULL)
  FROM pg_amproc p JOIN pg_opfamily f ON f.oid = p.amprocfamily
  JOIN pg_depend d ON d.classid = 'pg_amproc'::regclass AND d.objid = p.oid
 WHERE f.opfnamespace = 'docs'::regnamespace
UNION ALL
SELECT 'comment', pg_describe_object(classoid, objoid, objsubid), description, '', '', '', ''
  FROM pg_description WHERE objoid >= 16384
ORDER BY 1, 2, 3, 4, 5
"""


def _members(url: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return [tuple(r) for r in conn.execute(MEMBERS).fetchall()]


def _down_and_up(server: PgServer, schema: Schema, root: Path, slug: str,
                 like: str | None = None) -> None:
    bundle = rt.export_bundle(schema, root, slug)
    table = version_table_name([schema])
    with rt.database(server) as url:
        rt.alembic_upgrade(bundle, url)
        if like is not None:
            assert _members(url) == _members(like)
        down = rt.alembic(bundle, url, "downgrade", "base")
        assert down.returncode == 0, (down.stdout + down.stderr)[-1500:]
        assert rt.leftovers(url, table) == []
        again = rt.alembic(bundle, url, "upgrade", "head")
        assert again.returncode == 0, (again.stdout + again.stderr)[-1500:]


def test_schema_qualified_kept_objects_come_down_from_sql(
        pg_server: PgServer, pg_url: str, tmp_path: Path) -> None:
    load(pg_url, DDL)
    result = import_sql([("docs.sql", DDL)])
    assert not [w for w in result.warnings if w.kind == "unsupported"], result.warnings
    schema = result.schema
    names = {(o.kind, f"{o.namespace}.{o.name}") for o in schema.raw_objects}
    assert {("conversion", "docs.myconv"), ("operator family", "docs.fam"),
            ("operator class", "docs.len_ops"), ("operator class", "docs.own_ops"),
            ("type", "docs.span"), ("statistics", "docs.page_stats")} <= names, names
    _down_and_up(pg_server, schema, tmp_path, "fromsql", like=pg_url)


def test_schema_qualified_kept_objects_come_down_from_a_live_database(
        pg_server: PgServer, pg_url: str, tmp_path: Path) -> None:
    _down_and_up(pg_server, import_loaded(pg_url, DDL).schema, tmp_path, "fromlive",
                 like=pg_url)


LATE_MEMBER = """
CREATE OPERATOR FAMILY fam48 USING btree;
CREATE FUNCTION later_cmp(int4, int8) RETURNS int LANGUAGE sql IMMUTABLE
    AS 'SELECT btint48cmp($1, $2)';
ALTER OPERATOR FAMILY fam48 USING btree ADD FUNCTION 1 (int4, int8) later_cmp(int4, int8);
CREATE TABLE t (id int PRIMARY KEY);
"""


def test_a_familys_member_made_after_it_comes_back_from_a_live_database(
        pg_server: PgServer, pg_url: str, tmp_path: Path) -> None:
    """A family's loose member that is newer than the family (a function made after it,
    then added): its ALTER OPERATOR FAMILY ... ADD came in the family's place, before the
    function existed, and the upgrade failed (function later_cmp does not exist)."""
    schema = import_loaded(pg_url, LATE_MEMBER).schema
    assert any("ADD FUNCTION 1 (integer, bigint)" in o.sql for o in schema.raw_objects)
    _down_and_up(pg_server, schema, tmp_path, "late")
