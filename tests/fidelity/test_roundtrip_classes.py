"""Failure classes found on schemas nobody tuned for (issue 13), each on a small script.

Every test imports an inline psql script and runs the exported bundle through the loop the
corpus tests run (:func:`tests.fidelity.roundtrip.run_loop`): ``alembic upgrade head``, the
catalog equal to the script loaded by psql, ``alembic check`` clean, ``alembic downgrade
base`` leaving nothing but ``alembic_version``, ``alembic upgrade head`` again, equal again.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from modeler.codegen.migration_types import drop_raw_object
from modeler.codegen.sqlwriter import raw_drop_sql
from modeler.codegen.version_table import version_table_name
from modeler.importers import SchemaImportError, import_sql
from modeler.importers.live import import_live
from modeler.schema.model import RawObject
from tests.catalog import CATEGORIES, OBJECTS, compare, read_catalog
from tests.fidelity import roundtrip as rt
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres


def _loop(server: PgServer, tmp_path: Path, sql: str, *, objects: bool = False,
          live: bool = False) -> None:
    """psql's database vs import → export → upgrade, then check, down to empty, up again.
    ``objects``: the kept objects compared too (tests.catalog.OBJECTS: sequences, views,
    routines, triggers, policies, rules, table options); ``live``: the database imported,
    not the script."""
    with rt.database(server) as original:
        assert rt.psql_run(server, original, sql) == []
        expected = read_catalog(original)
        result = import_live(original) if live else import_sql([("script.sql", sql)])
    assert [str(w) for w in result.warnings if w.kind == "error"] == []
    bundle = rt.export_bundle(result.schema, tmp_path / "bundle", "bundle")
    clock = rt._Clock()
    categories = (*CATEGORIES, *OBJECTS) if objects else CATEGORIES
    with rt.database(server) as url:
        rt.alembic_upgrade(bundle, url)
        version_table = version_table_name([result.schema])
        report = compare(expected, rt.without_version_table(read_catalog(url), version_table),
                         categories=categories)
        assert report.ok, report.text()
        loop = rt.run_loop(bundle, url, expected, (), clock, version_table, objects=objects)
    assert loop.check_clean, loop.output
    assert loop.down_ok, loop.output
    assert loop.leftovers == [], loop.leftovers
    assert loop.again_ok, loop.output
    assert loop.again is not None
    assert loop.again.ok, loop.again.text()


# --- downgrade: overloads, operators, casts, aggregates -----------------------------------

OVERLOADS = """
CREATE TABLE item (id int PRIMARY KEY, label text);
CREATE FUNCTION describe(i int) RETURNS text LANGUAGE sql AS $$ SELECT 'int' $$;
CREATE FUNCTION describe(t text) RETURNS text LANGUAGE sql AS $$ SELECT 'text' $$;
CREATE FUNCTION describe(a int[], OUT n int, OUT m int) LANGUAGE sql AS $$ SELECT 1, 2 $$;
CREATE PROCEDURE touch(i int) LANGUAGE sql AS $$ SELECT 1 $$;
CREATE PROCEDURE touch(t text) LANGUAGE sql AS $$ SELECT 1 $$;
CREATE FUNCTION add_up(s int, v int) RETURNS int LANGUAGE sql AS $$ SELECT s + v $$;
CREATE FUNCTION add_up(s bigint, v bigint) RETURNS bigint LANGUAGE sql AS $$ SELECT s + v $$;
CREATE AGGREGATE total(int) (SFUNC = add_up, STYPE = int);
CREATE AGGREGATE total(bigint) (SFUNC = add_up, STYPE = bigint);
"""


def test_overloaded_functions_procedures_and_aggregates_go_down(pg_server: PgServer,
                                                                 tmp_path: Path) -> None:
    """Was: ``DROP FUNCTION IF EXISTS describe`` (function name is not unique)."""
    _loop(pg_server, tmp_path, OVERLOADS)


OPERATOR_AND_CAST = """
CREATE TYPE pair AS (a int, b int);
CREATE FUNCTION pair_eq(x pair, y pair) RETURNS boolean LANGUAGE sql IMMUTABLE
    AS $$ SELECT x.a = y.a AND x.b = y.b $$;
CREATE OPERATOR === (LEFTARG = pair, RIGHTARG = pair, FUNCTION = pair_eq);
CREATE FUNCTION negate(x pair) RETURNS pair LANGUAGE sql IMMUTABLE
    AS $$ SELECT (-x.a, -x.b)::pair $$;
CREATE OPERATOR public.~~~ (RIGHTARG = pair, FUNCTION = negate);
CREATE FUNCTION to_pair(i int) RETURNS pair LANGUAGE sql IMMUTABLE AS $$ SELECT (i, i)::pair $$;
CREATE CAST (int AS pair) WITH FUNCTION to_pair(int);
CREATE TABLE t (id int PRIMARY KEY, p pair);
"""


def test_operators_and_casts_go_down_before_their_functions(pg_server: PgServer,
                                                            tmp_path: Path) -> None:
    """Was: the operator and cast were left ("drop it by hand"), so dropping the function
    they use failed."""
    _loop(pg_server, tmp_path, OPERATOR_AND_CAST)


def test_drops_name_the_signature() -> None:
    assert raw_drop_sql("function", "app", "f", "CREATE FUNCTION f(a int, b text[], OUT c "
                        "int) AS 'x' LANGUAGE sql") == \
        "DROP FUNCTION IF EXISTS app.f(integer, text[])"
    assert raw_drop_sql("procedure", "public", "p", "CREATE PROCEDURE p(INOUT a varchar(9)) "
                        "AS 'x' LANGUAGE sql") == "DROP PROCEDURE IF EXISTS p(varchar(9))"
    assert raw_drop_sql("aggregate", "public", "pct", "CREATE AGGREGATE pct(float8 ORDER BY "
                        "float8) (SFUNC = f, STYPE = int)") == \
        "DROP ROUTINE IF EXISTS pct(float8, float8)"
    assert raw_drop_sql("aggregate", "public", "cnt", "CREATE AGGREGATE cnt(*) (SFUNC = f, "
                        "STYPE = int)") == "DROP ROUTINE IF EXISTS cnt()"
    assert raw_drop_sql("operator", "public", "===", "CREATE OPERATOR === (LEFTARG = int, "
                        "RIGHTARG = int, FUNCTION = f)") == \
        "DROP OPERATOR IF EXISTS === (integer, integer)"
    assert raw_drop_sql("operator", "app", "!", "CREATE OPERATOR app.! (RIGHTARG = int, "
                        "FUNCTION = f)") == "DROP OPERATOR IF EXISTS app.! (NONE, integer)"
    assert raw_drop_sql("cast", "public", "f", "CREATE CAST (int AS pair) WITH FUNCTION "
                        "f(int)") == "DROP CAST IF EXISTS (integer AS pair)"
    # ALTER FUNCTION kept as SQL: the function's own drop takes it along
    assert raw_drop_sql("function", "public", "f", "ALTER FUNCTION f(int) OWNER TO x") == ""
    # the signature's types are named as the CREATE named them: under its search_path
    obj = RawObject(uid="00000000-0000-4000-8000-00000000000a", kind="function", name="f",
                    namespace="app", sql="CREATE FUNCTION f(a t) RETURNS int AS 'x' "
                                         "LANGUAGE sql", search_path="app")
    texts = [repr(s) for s in drop_raw_object(obj, "public")]
    assert "set_config('search_path', 'app, public', true)" in texts[0]
    assert "DROP FUNCTION IF EXISTS app.f(t)" in texts[1]
    assert "SET search_path = public" in texts[2]


# --- creation order -----------------------------------------------------------------------

FUNCTION_IN_DOMAIN_AND_CHECK = """
CREATE TABLE account (id int PRIMARY KEY, balance int);
CREATE FUNCTION is_even(i int) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT i % 2 = 0 $$;
CREATE FUNCTION is_even(t text) RETURNS boolean LANGUAGE sql IMMUTABLE
    AS $$ SELECT length(t) % 2 = 0 $$;
CREATE DOMAIN even AS int CHECK (is_even(VALUE));
CREATE FUNCTION positive(i int) RETURNS boolean LANGUAGE sql IMMUTABLE AS $$ SELECT i > 0 $$;
CREATE FUNCTION start_value() RETURNS int LANGUAGE sql IMMUTABLE AS $$ SELECT 2 $$;
ALTER TABLE account ADD COLUMN step even;
ALTER TABLE account ADD CONSTRAINT account_positive CHECK (positive(balance));
ALTER TABLE account ALTER COLUMN balance SET DEFAULT start_value();
"""


def test_functions_a_domain_or_check_calls_exist_before_it(pg_server: PgServer,
                                                          tmp_path: Path) -> None:
    """A schema built by ALTERs: functions defined after the table, called by a domain's
    CHECK, a table CHECK and a default. Was: ``function is_even(integer) does not exist``
    on CREATE DOMAIN (domains came before every kept function)."""
    _loop(pg_server, tmp_path, FUNCTION_IN_DOMAIN_AND_CHECK)


# --- import: drops of what was kept as SQL --------------------------------------------------

def test_drop_function_with_arguments_drops_that_overload_only() -> None:
    r = import_sql([("s.sql", """
        CREATE FUNCTION f(i int) RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;
        CREATE FUNCTION f(t text) RETURNS int LANGUAGE sql AS $$ SELECT 2 $$;
        CREATE FUNCTION f(a integer[]) RETURNS int LANGUAGE sql AS $$ SELECT 3 $$;
        DROP FUNCTION f(integer);
    """)])
    assert [o.sql.split("(")[1].split(")")[0] for o in r.schema.raw_objects] == \
        ["t text", "a integer[]"]


def test_dropped_and_recreated_composite_type_is_kept_once() -> None:
    """crates.io creates semver_triple, drops it, creates it again: was created twice."""
    r = import_sql([("s.sql", """
        CREATE TYPE semver AS (major int, minor int);
        DROP TYPE semver;
        CREATE TYPE semver AS (major numeric, minor numeric);
    """)])
    assert [o.sql for o in r.schema.raw_objects] == \
        ["CREATE TYPE semver AS (major numeric, minor numeric);"]


# --- alembic check: what Alembic cannot compare by itself ----------------------------------

DEFAULTS_AND_INDEXES = """
CREATE TABLE doc (
    id serial PRIMARY KEY,
    title varchar(200) DEFAULT NULL NULL,
    flag boolean DEFAULT '1',
    meta json DEFAULT '{"a": 1}',
    tags jsonb DEFAULT '[]'::jsonb,
    ident uuid DEFAULT gen_random_uuid(),
    handle name,
    public boolean
);
CREATE UNIQUE INDEX doc_lower_title ON doc (lower(title));
CREATE UNIQUE INDEX doc_case ON doc (id, (CASE WHEN public THEN true ELSE NULL END));
CREATE INDEX doc_meta ON doc USING gin (tags jsonb_path_ops);
CREATE INDEX doc_partial ON doc (title) WHERE title !~ '^[0-9 ]*$';
"""


def test_check_is_clean_on_defaults_and_indexes_alembic_cannot_compare(
        pg_server: PgServer, tmp_path: Path) -> None:
    """Was: ``modify_default`` for DEFAULT NULL (``NULL = NULL`` is not true), a volatile
    default, a json default (no ``=`` for json: an error), ``modify_type`` for a column
    of type ``name``, and expression indexes removed and added again."""
    _loop(pg_server, tmp_path, DEFAULTS_AND_INDEXES)


def test_explicit_default_null_is_kept_as_postgresql_stores_it() -> None:
    r = import_sql([("s.sql", "CREATE TABLE t (a varchar(10) DEFAULT NULL, b int);")])
    t = r.schema.table_named("t")
    assert t is not None
    assert t.columns[0].default is not None and "NULL" in t.columns[0].default.upper()
    assert t.columns[1].default is None


# --- psql meta-commands --------------------------------------------------------------------

@pytest.mark.parametrize(("script", "command", "line"), [
    ("CREATE TABLE a (x int);\nSELECT 'CREATE TABLE b (y int)'\n\\gexec\n", "gexec", 3),
    ("SELECT 'CREATE DATABASE x' WHERE NOT EXISTS (SELECT 1)\\gexec\n"
     "CREATE TABLE a (x int);\n", "gexec", 1),
    ("\\if :{?flag}\nCREATE TABLE a (x int);\n\\endif\n", "if", 1),
    ("CREATE TABLE a (x int);\n\n  \\elif true\n", "elif", 3),
])
def test_conditional_and_gexec_meta_commands_are_refused(script: str, command: str,
                                                          line: int) -> None:
    """Was: ``syntax error at or near "CREATE"`` (\\gexec glued to the next statement) or
    every branch of an \\if imported."""
    with pytest.raises(SchemaImportError) as caught:
        import_sql([("deploy.sql", script)])
    err = caught.value
    assert err.line == line and err.file == "deploy.sql"
    assert f"\\{command}" in err.message and "live database" in err.message
    assert "syntax error" not in err.message


def test_other_meta_commands_are_skipped_with_their_line() -> None:
    script = ("\\connect app\n\\set ON_ERROR_STOP on\n\\echo creating\n\\pset pager off\n"
              "\\timing on\nCREATE TABLE a (x int);\nSELECT 1 \\g\nCREATE TABLE b (y int);\n"
              "\\restrict abc\n")
    r = import_sql([("deploy.sql", script)])
    assert sorted(t.name for t in r.schema.tables) == ["a", "b"]
    skipped = {(w.line, w.message.split()[2]) for w in r.warnings
               if w.message.startswith("psql meta-command")}
    assert skipped == {(1, "\\connect"), (3, "\\echo"), (4, "\\pset"), (5, "\\timing"),
                       (7, "\\g")}
    # \set is followed (its variable is substituted), pg_dump's \restrict says nothing
    assert not any(w.line in (2, 9) for w in r.warnings)


def test_backslashes_in_strings_are_no_meta_commands() -> None:
    r = import_sql([("s.sql", "CREATE TABLE t (a text DEFAULT E'\\\\gexec', "
                              "b text CHECK (b ~ '\\if'));\n")])
    assert r.schema.table_named("t") is not None


# --- migration histories: DO blocks, ALTER replays, kept indexes (issue 13, part 2) -------

GUARDED_DO_BLOCKS = """
CREATE SCHEMA auth;
CREATE TABLE auth.users (id uuid NOT NULL UNIQUE, confirmed_at timestamptz,
    phone varchar(15) DEFAULT '', email text, CONSTRAINT users_pkey PRIMARY KEY (id));
CREATE TABLE auth.tokens (id bigserial PRIMARY KEY, token varchar(255), parent varchar(255));
DO $$
BEGIN
  IF NOT EXISTS (SELECT * FROM information_schema.columns WHERE table_schema = 'auth'
                 AND table_name = 'users' AND column_name = 'email_confirmed_at') THEN
    ALTER TABLE auth.users RENAME COLUMN confirmed_at TO email_confirmed_at;
  END IF;
END $$;
ALTER TABLE auth.users ADD COLUMN IF NOT EXISTS confirmed_at timestamptz
    GENERATED ALWAYS AS (LEAST(email_confirmed_at, email_confirmed_at)) STORED;
DO $$
BEGIN
  IF NOT EXISTS (SELECT * FROM information_schema.constraint_column_usage
                 WHERE table_schema = 'auth' AND table_name = 'tokens'
                 AND constraint_name = 'tokens_token_unique') THEN
    ALTER TABLE auth.tokens ADD CONSTRAINT tokens_token_unique UNIQUE (token);
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'tokens_parent_fkey') THEN
    ALTER TABLE auth.tokens ADD CONSTRAINT tokens_parent_fkey FOREIGN KEY (parent)
        REFERENCES auth.tokens (token);
  END IF;
  CREATE INDEX IF NOT EXISTS tokens_parent_idx ON auth.tokens (parent);
END $$;
do $$ begin
    create type auth.factor_type as enum ('totp', 'webauthn');
exception when duplicate_object then null;
end $$;
do $$ begin
  alter table auth.users alter column phone type text;
exception when SQLSTATE '0A000' then raise notice 'phone is used by a view';
end $$;
do $$ begin update auth.users set email = lower(email); end $$;
CREATE UNIQUE INDEX old_name ON auth.tokens (parent, token);
DO $$
BEGIN
  IF (SELECT count(*) = 1 FROM pg_indexes WHERE indexname IN ('old_name', 'new_name')) THEN
    EXECUTE 'ALTER INDEX auth.old_name RENAME TO new_name';
  END IF;
END $$;
"""


def test_guarded_ddl_in_do_blocks_is_followed(pg_server: PgServer, tmp_path: Path) -> None:
    """Supabase's class: DDL guarded by catalog lookups or exception handlers in DO blocks.
    Was: every block kept verbatim and replayed after the final tables, where the guard saw
    the final columns (the rename never happened, ADD COLUMN IF NOT EXISTS skipped the
    generated column), the phone default lost its old type, and a UNIQUE on the primary
    key's column made ``alembic check`` report it (SQLAlchemy does not reflect it)."""
    _loop(pg_server, tmp_path, GUARDED_DO_BLOCKS)
    r = import_sql([("s.sql", GUARDED_DO_BLOCKS)])
    assert not [o for o in r.schema.raw_objects if o.kind == "do block"]


SCHEMA_GUARDED_DO_BLOCKS = """
CREATE TABLE item (id int PRIMARY KEY);
CREATE SCHEMA loader;
DO $$
BEGIN
  IF NOT EXISTS (SELECT * FROM information_schema.schemata WHERE schema_name = 'tiger_data') THEN
       CREATE SCHEMA tiger_data;
  END IF;
END
$$ LANGUAGE 'plpgsql';
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_namespace WHERE nspname = 'loader') THEN
    CREATE TABLE public.not_made (id int);
  END IF;
  IF EXISTS (SELECT 1 FROM pg_namespace WHERE nspname IN ('tiger_data', 'nowhere')) THEN
    CREATE TABLE tiger_data.state (statefp char(2) PRIMARY KEY);
  END IF;
END $$;
"""


def test_do_blocks_guarded_by_a_schema_lookup_are_followed(pg_server: PgServer,
                                                           tmp_path: Path) -> None:
    """PostGIS tiger geocoder's ``IF NOT EXISTS (SELECT * FROM information_schema.schemata
    WHERE schema_name = 'tiger_data') THEN CREATE SCHEMA tiger_data``: the lookup was no
    condition the import could decide, so the block was kept and replayed, and the schema it
    made was left after ``downgrade base``. Decided now on the schemas the script made
    (CREATE SCHEMA, in a block followed or not) and those of the design's objects."""
    _loop(pg_server, tmp_path, SCHEMA_GUARDED_DO_BLOCKS)
    r = import_sql([("s.sql", SCHEMA_GUARDED_DO_BLOCKS)])
    assert not [o for o in r.schema.raw_objects if o.kind == "do block"]
    assert sorted((t.namespace, t.name) for t in r.schema.tables) == [
        ("public", "item"), ("tiger_data", "state")]


def test_a_schema_named_in_a_table_lookup_is_no_schema_lookup() -> None:
    """``information_schema.tables WHERE table_schema = 'x'`` asks whether x has a table,
    not whether x exists: still undecidable."""
    r = import_sql([("s.sql", "CREATE SCHEMA x;\nDO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM "
                     "information_schema.tables WHERE table_schema = 'x') THEN CREATE TABLE "
                     "x.t (a int); END IF; END $$;\n")])
    assert [o.kind for o in r.schema.raw_objects] == ["do block"]


def test_undecidable_do_block_is_kept_saying_why() -> None:
    r = import_sql([("s.sql", "CREATE TABLE t (a int);\nDO $$ BEGIN IF (SELECT count(*) "
                     "FROM t) > 0 THEN CREATE INDEX t_a ON t (a); END IF; END $$;\n")])
    kept = [w for w in r.warnings if w.message.startswith("DO block kept as SQL")]
    assert len(kept) == 1 and kept[0].line == 2
    assert "IF condition is no catalog lookup" in kept[0].message
    assert "(SELECT count(*) FROM t) > 0" in kept[0].message


DATA_DO_BLOCK_ON_A_DROPPED_TABLE = """
CREATE TABLE replication_target (id int PRIMARY KEY, name text);
DO $$
BEGIN
    WHILE EXISTS (SELECT count(*) FROM replication_target GROUP BY name HAVING count(*) > 1)
    LOOP
        UPDATE replication_target SET name = name || '_' || id;
    END LOOP;
END $$;
ALTER TABLE replication_target ADD CONSTRAINT unique_target_name UNIQUE (name);
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM replication_target WHERE name = 'x') THEN
        DELETE FROM replication_target WHERE name = 'x';
    END IF;
END $$;
DROP TABLE replication_target;
CREATE TABLE registry (id int PRIMARY KEY, url text);
"""


def test_data_only_do_block_is_data(pg_server: PgServer, tmp_path: Path) -> None:
    """Harbor's class: a DO block that only fixes rows, on a table the history drops later.
    Was: kept and replayed after the final tables (relation does not exist)."""
    _loop(pg_server, tmp_path, DATA_DO_BLOCK_ON_A_DROPPED_TABLE)


EXECUTE_IN_DO_BLOCK = """
CREATE TABLE rpminfo (id int PRIMARY KEY, name text, version text);
DO $$
   DECLARE version integer;
   BEGIN
       SELECT current_setting('server_version_num')::integer INTO version;
       IF version >= 110000 THEN
           EXECUTE 'CREATE INDEX rpminfo_filename ON rpminfo((name || ''-'' || version)) '
                   'INCLUDE (id);';
       ELSE
           EXECUTE 'CREATE INDEX rpminfo_filename ON rpminfo((name || ''-'' || version));';
       END IF;
   END
$$;
"""


def test_do_block_kept_waits_for_the_tables_its_strings_name(pg_server: PgServer,
                                                             tmp_path: Path) -> None:
    """Koji's class: a DO block decided by the server version (kept as SQL) creates an
    index through EXECUTE. Was: replayed before the tables (the string hid the table), and
    the index it creates was reported removed by ``alembic check``."""
    _loop(pg_server, tmp_path, EXECUTE_IN_DO_BLOCK)


PRISMA_ENUM_RECREATION = """
CREATE TYPE "AlertType" AS ENUM ('RUN', 'DEPLOY', 'TEST');
CREATE TABLE "Alert" (id text PRIMARY KEY, "type" "AlertType" NOT NULL,
    "types" "AlertType"[], label varchar(40) DEFAULT 'none', lo int, hi int);
CREATE TYPE "AlertType_new" AS ENUM ('RUN', 'DEPLOY');
ALTER TABLE "Alert" ALTER COLUMN "type" TYPE "AlertType_new"
    USING ("type"::text::"AlertType_new"),
    ALTER COLUMN "types" TYPE "AlertType_new"[] USING ("types"::text::"AlertType_new"[]);
ALTER TYPE "AlertType" RENAME TO "AlertType_old";
ALTER TYPE "AlertType_new" RENAME TO "AlertType";
DROP TYPE "AlertType_old";
ALTER TYPE "AlertType" ADD VALUE 'ERROR';
ALTER TABLE "Alert" ALTER COLUMN label TYPE text;
ALTER TABLE "Alert" ADD CONSTRAINT "Alert_window" CHECK (lo IS NULL OR hi IS NULL) NOT VALID;
CREATE INDEX "Alert_lo_idx" ON "Alert" (lo DESC) INCLUDE (id) WITH (fillfactor = 90);
ALTER TABLE "Alert" ADD CONSTRAINT "Alert_gone" CHECK (lo > 0) NOT VALID;
ALTER TABLE "Alert" DROP CONSTRAINT "Alert_gone";
"""


def test_enum_recreated_and_renamed_keeps_its_columns(pg_server: PgServer,
                                                      tmp_path: Path) -> None:
    """Trigger.dev's class (Prisma's enum recreation): columns moved to x_new, x renamed and
    dropped, x_new renamed x. Was: the columns kept the type x_new (ALTER TYPE RENAME not
    applied), a CHECK lost NOT VALID, an index its fillfactor, a varchar default its type."""
    _loop(pg_server, tmp_path, PRISMA_ENUM_RECREATION)


KEPT_INDEXES = """
CREATE TABLE events (id int PRIMARY KEY, item int, doc tsvector) ;
CREATE TABLE events_1 (CHECK (item < 10)) INHERITS (events);
CREATE TABLE events_2 (CHECK (item >= 10)) INHERITS (events);
CREATE INDEX events_1_idx01 ON events_1 (item);
DO $$
BEGIN
IF EXISTS (SELECT 1 FROM pg_class c INNER JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE c.relname = 'events_2') THEN
  DROP INDEX IF EXISTS events_2_idx01;
  CREATE INDEX events_2_idx01 ON events_2 (item);
END IF;
IF EXISTS (SELECT 1 FROM pg_class WHERE relname = 'events_3') THEN
  CREATE INDEX events_3_idx01 ON events_3 (item);
END IF;
END $$;
CREATE INDEX events_item_ff ON events (item) WITH (fillfactor = 70);
CREATE INDEX events_doc ON events USING gist (doc tsvector_ops (siglen = 100));
CREATE INDEX events_doc_ff ON events USING gist (doc tsvector_ops (siglen = '24'))
    WITH (fillfactor = '90');
"""


def test_indexes_kept_as_sql_pass_alembic_check(pg_server: PgServer, tmp_path: Path) -> None:
    """MIMIC-III's and manifold's class: indexes created in a DO block on a catalog
    condition, with storage parameters, with operator class options. Was: the DO block kept
    (its indexes unknown to models.py: ``alembic check`` reported them removed), storage
    parameters and ``siglen`` left out of the model."""
    _loop(pg_server, tmp_path, KEPT_INDEXES)
    r = import_sql([("s.sql", KEPT_INDEXES)])
    events = r.schema.table_named("events")
    assert events is not None
    assert [p.opclass for i in events.indexes for p in i.parts if p.opclass] == \
        ["tsvector_ops(siglen=100)"]
    assert sorted(o.name for o in r.schema.raw_objects) == ["events_doc_ff", "events_item_ff"]


MATERIALIZED_VIEW_REDEFINED = """
CREATE TABLE crates (id int PRIMARY KEY, downloads int);
CREATE MATERIALIZED VIEW recent (crate_id, downloads) AS SELECT id, downloads FROM crates;
CREATE UNIQUE INDEX recent_crate_id ON recent (crate_id);
CREATE INDEX recent_downloads ON recent (downloads);
DROP MATERIALIZED VIEW recent;
CREATE MATERIALIZED VIEW recent (crate_id, downloads) AS SELECT id, downloads * 2 FROM crates;
CREATE UNIQUE INDEX recent_crate_id ON recent (crate_id);
"""


def test_dropping_a_view_drops_its_kept_indexes(pg_server: PgServer, tmp_path: Path) -> None:
    """crates.io's class: a materialized view dropped and created again, with its index.
    Was: the first index stayed kept, replayed before the view created again."""
    _loop(pg_server, tmp_path, MATERIALIZED_VIEW_REDEFINED)


COLUMN_DROPPED_WITH_ITS_KEYS = """
CREATE TABLE crate_owners (id serial PRIMARY KEY, crate_id int, owner_id int, kind int,
    lo int CHECK (lo > 0), hi int, CHECK (lo < hi), UNIQUE (owner_id, id));
ALTER TABLE crate_owners DROP COLUMN id;
ALTER TABLE crate_owners ADD PRIMARY KEY (crate_id, owner_id, kind);
ALTER TABLE crate_owners DROP COLUMN hi;
"""


def test_dropped_column_frees_the_names_of_its_keys(pg_server: PgServer,
                                                    tmp_path: Path) -> None:
    """crates.io's class: the serial key column dropped, a composite primary key added.
    Was: ``crate_owners_pkey1`` (the dropped key's name stayed taken), and a CHECK on a
    dropped column stayed."""
    _loop(pg_server, tmp_path, COLUMN_DROPPED_WITH_ITS_KEYS)


TRIGGER_ON_A_DROPPED_TABLE = """
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.seen := now(); RETURN NEW; END $$;
CREATE TABLE img_scan_overview (id int PRIMARY KEY, seen timestamptz);
CREATE TRIGGER img_scan_overview_touch BEFORE UPDATE ON img_scan_overview
    FOR EACH ROW EXECUTE PROCEDURE touch();
CREATE RULE img_scan_overview_keep AS ON DELETE TO img_scan_overview DO INSTEAD NOTHING;
DROP TABLE img_scan_overview;
CREATE TABLE scan_report (id int PRIMARY KEY, seen timestamptz);
"""


def test_dropping_a_table_drops_its_kept_triggers(pg_server: PgServer,
                                                  tmp_path: Path) -> None:
    """Harbor's class: a trigger (and a rule) kept as SQL on a table the history drops.
    Was: replayed after the final tables, on a table that no longer exists."""
    _loop(pg_server, tmp_path, TRIGGER_ON_A_DROPPED_TABLE)


@pytest.mark.postgres
def test_a_public_routine_named_like_another_is_dropped_itself(pg_server: PgServer,
                                                                tmp_path: Path) -> None:
    """Evergreen's ``public.lowercase(text)``, written under ``search_path = evergreen,
    public`` where ``evergreen.lowercase(text)`` exists too: its drop names it unqualified,
    which that search_path resolved to evergreen's (dropped twice, public's left behind)."""
    _loop(pg_server, tmp_path, """\
CREATE SCHEMA eg;
SET search_path = eg, public;
CREATE TABLE eg.t (id integer PRIMARY KEY);
CREATE FUNCTION eg.lower2(text) RETURNS text AS $$ SELECT lower($1) $$ LANGUAGE sql;
CREATE FUNCTION public.lower2(text) RETURNS text AS $$ SELECT lower($1) $$ LANGUAGE sql;
""")


# --- updated_at kept up to date by the design's own triggers -----------------------------

OWN_UPDATED_AT = """
CREATE TABLE t (id int PRIMARY KEY, n int, updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE u (id int PRIMARY KEY, n int, updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE v (id int PRIMARY KEY, n int, updated_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE w (id int PRIMARY KEY, n int, updated_at timestamptz NOT NULL DEFAULT now());
-- Diesel's: only when the UPDATE did not set it
CREATE FUNCTION diesel_set_updated_at() RETURNS trigger AS $$
BEGIN
    IF (NEW IS DISTINCT FROM OLD AND NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at) THEN
        NEW.updated_at := current_timestamp;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER set_updated_at BEFORE UPDATE ON t
    FOR EACH ROW EXECUTE PROCEDURE diesel_set_updated_at();
-- plain, but only on some columns (crates-io's versions: BEFORE UPDATE OF yanked)
CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE TRIGGER stamp_n BEFORE UPDATE OF n ON u FOR EACH ROW EXECUTE FUNCTION stamp();
-- plain: left to the export's own trigger
CREATE TRIGGER stamp_all BEFORE UPDATE ON v FOR EACH ROW EXECUTE FUNCTION stamp();
"""


def test_own_updated_at_triggers_are_kept_and_get_no_second_one(pg_server: PgServer,
                                                                 tmp_path: Path) -> None:
    """A trigger that does more than stamp every UPDATE (Diesel's: not when the UPDATE set
    updated_at; one on some columns only) is kept as SQL, and the export adds none of its
    own to that table: a second one would stamp the row anyway. A plain one is the
    export's (trg_<table>_updated_at); a table with none gets the export's."""
    result = import_sql([("script.sql", OWN_UPDATED_AT)])
    kept = {(o.kind, o.name) for o in result.schema.raw_objects}
    assert {("trigger", "set_updated_at"), ("trigger", "stamp_n")} <= kept
    assert ("trigger", "stamp_all") not in kept
    assert result.counts["updated_at_triggers"] == 1
    bundle = rt.export_bundle(result.schema, tmp_path / "bundle", "bundle")
    with rt.database(pg_server) as url:
        rt.alembic_upgrade(bundle, url)
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            triggers = conn.execute(
                "SELECT c.relname, array_agg(t.tgname::text ORDER BY t.tgname) FROM pg_trigger t"
                " JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal"
                " GROUP BY c.relname ORDER BY 1").fetchall()
            assert triggers == [("t", ["set_updated_at"]), ("u", ["stamp_n"]),
                                ("v", ["trg_v_updated_at"]), ("w", ["trg_w_updated_at"])]
            conn.execute("INSERT INTO t VALUES (1, 0, '2001-01-01'), (2, 0, '2001-01-01')")
            conn.execute("INSERT INTO u VALUES (1, 0, '2001-01-01')")
            conn.execute("UPDATE t SET n = 1, updated_at = '2002-02-02' WHERE id = 1")
            conn.execute("UPDATE t SET n = 1 WHERE id = 2")
            conn.execute("UPDATE u SET id = 1")  # not n: no stamp
            rows = conn.execute("SELECT id, updated_at::date::text FROM t ORDER BY id"
                                ).fetchall()
            assert rows[0] == (1, "2002-02-02") and rows[1][1] > "2001-01-01"
            assert conn.execute("SELECT updated_at::date::text FROM u").fetchone() == (
                "2001-01-01",)


# --- triggers and rules not enabled as made ----------------------------------------------

STATES = """
CREATE TABLE t (id int PRIMARY KEY, n int);
CREATE TABLE log (n int);
CREATE FUNCTION note() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO log VALUES (NEW.n); RETURN NEW; END $$;
CREATE TRIGGER t_note AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION note();
CREATE TRIGGER "t Note2" AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION note();
ALTER TABLE t DISABLE TRIGGER t_note;
ALTER TABLE t ENABLE REPLICA TRIGGER "t Note2";
CREATE RULE t_rule AS ON DELETE TO t DO INSTEAD NOTHING;
ALTER TABLE t DISABLE RULE t_rule;
CREATE TRIGGER gone AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION note();
ALTER TABLE t DISABLE TRIGGER gone;
DROP TRIGGER gone ON t;
CREATE TRIGGER gone AFTER UPDATE ON t FOR EACH ROW EXECUTE FUNCTION note();
"""


@pytest.mark.parametrize("live", [False, True], ids=["script", "database"])
def test_disabled_triggers_and_rules_stay_disabled(pg_server: PgServer, tmp_path: Path,
                                                   live: bool) -> None:
    """ALTER TABLE ... DISABLE TRIGGER / ENABLE REPLICA TRIGGER / DISABLE RULE were taken for
    physical settings and dropped: the export's trigger fired where the original's did not
    (evergreen's actor.usr record_usr_delta). The statement is kept after what it names
    (and goes when that is dropped); the live import writes it from pg_trigger.tgenabled."""
    _loop(pg_server, tmp_path, STATES, objects=True, live=live)


def test_state_of_a_trigger_the_export_makes_is_said_lost() -> None:
    result = import_sql([("s.sql", """
        CREATE TABLE t (id int PRIMARY KEY, updated_at timestamptz);
        CREATE FUNCTION stamp() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
        CREATE TRIGGER stamp BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION stamp();
        ALTER TABLE t DISABLE TRIGGER stamp;""")])
    assert not [o for o in result.schema.raw_objects if o.kind == "alter table"]
    assert any("state of stamp" in w.message for w in result.warnings)


# --- a text search configuration an index needs, mapping token types named like tables ----

TS_CONFIG = """
CREATE TABLE url (id int PRIMARY KEY, name text);
CREATE TEXT SEARCH CONFIGURATION my_simple (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION my_simple ALTER MAPPING FOR url, host, word WITH simple;
CREATE FUNCTION my_tsvector(t text) RETURNS tsvector LANGUAGE sql IMMUTABLE
    AS $$ SELECT to_tsvector('public.my_simple', t) $$;
CREATE INDEX url_name_txt ON url USING gin (my_tsvector(name));
"""


@pytest.mark.parametrize("live", [False, True], ids=["script", "database"])
def test_text_search_configuration_comes_before_the_index_using_it(
        pg_server: PgServer, tmp_path: Path, live: bool) -> None:
    """musicbrainz imported from its database did not upgrade: the index calling
    mb_simple_tsvector() (an SQL function, inlined when the index is built) came before the
    text search configuration it reads, which waited for the tables because its mappings
    name token types (url, host, version...) that are table names there."""
    _loop(pg_server, tmp_path, TS_CONFIG, objects=True, live=live)


VIEW_RULES = """
CREATE TABLE real_rec (id int PRIMARY KEY, v text);
CREATE VIEW rec AS SELECT id, v FROM real_rec;
CREATE RULE rec_insert AS ON INSERT TO rec DO INSTEAD INSERT INTO real_rec VALUES (NEW.id, NEW.v);
CREATE RULE rec_delete AS ON DELETE TO rec DO INSTEAD DELETE FROM real_rec WHERE id = OLD.id;
CREATE VIEW limited AS SELECT id FROM real_rec;
CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN RAISE EXCEPTION 'read only'; END $$;
CREATE TRIGGER limited_refuse INSTEAD OF INSERT OR UPDATE OR DELETE ON limited
    FOR EACH ROW EXECUTE FUNCTION refuse();
"""


@pytest.mark.parametrize("live", [False, True], ids=["script", "database"])
def test_rules_and_triggers_on_views_come_back(pg_server: PgServer, tmp_path: Path,
                                              live: bool) -> None:
    """The live import read the triggers and rules of tables only: a view's (INSTEAD OF
    triggers, DO INSTEAD rules: evergreen's metabib.full_rec) were lost."""
    _loop(pg_server, tmp_path, VIEW_RULES, objects=True, live=live)
