"""SQL import: enums, domains, sequences, extensions, comments, search_path, raw objects."""

from __future__ import annotations

from modeler.importers import ImportResult, import_sql
from modeler.schema import model as m


def imp(sql: str) -> ImportResult:
    return import_sql([("o.sql", sql)])


def test_enums_with_alter_type_and_enum_columns() -> None:
    r = imp("""
        CREATE TYPE public.mood AS ENUM ('sad', 'happy');
        ALTER TYPE mood ADD VALUE 'ok' BEFORE 'happy';
        ALTER TYPE mood ADD VALUE IF NOT EXISTS 'ecstatic' AFTER 'happy';
        ALTER TYPE mood ADD VALUE 'meh';
        ALTER TYPE mood RENAME VALUE 'sad' TO 'blue';
        CREATE SCHEMA s;
        CREATE TYPE s.mood AS ENUM ('x');
        COMMENT ON TYPE public.mood IS 'How one feels';
        CREATE TABLE person (m mood, ms mood[], other s.mood);""")
    enums = {e.qualified_name: e for e in r.schema.enums}
    assert enums["mood"].labels == ("blue", "ok", "happy", "ecstatic", "meh")
    assert enums["mood"].comment == "How one feels"
    t = r.schema.table_named("person")
    assert t is not None
    assert t.columns[0].type == m.ColumnType(kind="enum", name="mood", ref=enums["mood"].uid)
    assert t.columns[1].type.array_dims == 1
    assert t.columns[2].type.ref == enums["s.mood"].uid
    assert t.columns[0].type.sql(r.schema) == "mood"


def test_domains_with_checks_defaults_and_comments() -> None:
    r = imp("""
        CREATE DOMAIN public.year AS integer CONSTRAINT year_check CHECK (VALUE >= 1901);
        CREATE DOMAIN "Name" AS character varying(50) NOT NULL DEFAULT ''
            CHECK (VALUE <> '') CHECK (length(VALUE) < 40);
        ALTER DOMAIN year ADD CONSTRAINT not_future CHECK (VALUE <= 2155);
        COMMENT ON DOMAIN "Name" IS 'A name';
        CREATE TABLE film (y public.year, n "Name", plain name);""")
    d = {x.name: x for x in r.schema.domains}
    assert d["year"].checks == (m.DomainCheck("year_check", "value >= 1901"),
                                m.DomainCheck("not_future", "value <= 2155"))
    assert d["Name"].base == m.ColumnType(name="varchar", length=50)
    assert d["Name"].not_null and d["Name"].default == "''"
    assert [c.name for c in d["Name"].checks] == ["Name_check", "Name_check1"]
    assert d["Name"].comment == "A name"
    film = r.schema.table_named("film")
    assert film is not None
    assert [c.type.kind for c in film.columns] == ["domain", "domain", "builtin"]
    assert film.columns[2].type.name == "name"


def test_sequences_owned_by_and_set_default_like_pg_dump() -> None:
    r = imp("""
        CREATE TABLE public.actor (actor_id integer NOT NULL);
        CREATE SEQUENCE public.actor_actor_id_seq AS integer START WITH 1 INCREMENT BY 1
            NO MINVALUE NO MAXVALUE CACHE 1;
        ALTER SEQUENCE public.actor_actor_id_seq OWNED BY public.actor.actor_id;
        ALTER TABLE ONLY public.actor ALTER COLUMN actor_id
            SET DEFAULT nextval('public.actor_actor_id_seq'::regclass);
        CREATE SEQUENCE free MAXVALUE 9223372036854775807 CYCLE;""")
    seqs = {s.name: s for s in r.schema.sequences}
    s = seqs["actor_actor_id_seq"]
    assert (s.data_type, s.start, s.increment, s.min_value, s.max_value, s.cache) == \
        ("integer", 1, 1, None, None, 1)
    actor = r.schema.table_named("actor")
    assert actor is not None
    assert s.owned_by_column == actor.columns[0].uid
    assert actor.columns[0].default == "nextval('public.actor_actor_id_seq'::regclass)"
    assert seqs["free"].max_value == 9223372036854775807 and seqs["free"].cycle


def test_extensions() -> None:
    r = imp("""CREATE EXTENSION IF NOT EXISTS citext WITH SCHEMA public;
               CREATE EXTENSION "uuid-ossp";""")
    assert {(e.name, e.namespace) for e in r.schema.extensions} == \
        {("citext", "public"), ("uuid-ossp", None)}


def test_comments_on_tables_columns_constraints_indexes() -> None:
    r = imp("""
        CREATE TABLE t (id int PRIMARY KEY, a int CONSTRAINT a_pos CHECK (a > 0));
        CREATE INDEX t_a ON t (a);
        COMMENT ON TABLE public.t IS 'The table';
        COMMENT ON COLUMN t.a IS 'It''s a';
        COMMENT ON CONSTRAINT a_pos ON t IS 'positive';
        COMMENT ON INDEX t_a IS 'lookup';
        COMMENT ON SCHEMA public IS 'standard public schema';
        COMMENT ON EXTENSION plpgsql IS 'PL/pgSQL';""")
    t = r.schema.table_named("t")
    assert t is not None
    assert t.comment == "The table"
    assert t.columns[1].comment == "It's a"
    assert t.checks[0].comment == "positive"
    assert t.indexes[0].comment == "lookup"
    assert not r.warnings


def test_search_path_decides_the_namespace() -> None:
    r = imp("""
        CREATE SCHEMA mb;
        SET search_path = mb, public;
        CREATE TABLE artist (id serial PRIMARY KEY);
        CREATE TYPE kind AS ENUM ('a');
        CREATE TABLE credit (artist int REFERENCES artist, k kind);
        SELECT pg_catalog.set_config('search_path', '', false);
        CREATE TABLE public.plain (x int);""")
    assert {(t.namespace, t.name) for t in r.schema.tables} == \
        {("mb", "artist"), ("mb", "credit"), ("public", "plain")}
    credit = r.schema.table_named("credit", "mb")
    assert credit is not None and credit.columns[1].type.kind == "enum"
    artist = r.schema.table_named("artist", "mb")
    assert artist is not None
    assert artist.columns[0].default == "nextval('mb.artist_id_seq'::regclass)"
    assert r.schema.relationships[0].parent_table == artist.uid


def test_unmodelled_objects_become_raw_objects_in_file_order_with_lines() -> None:
    sql = """CREATE TABLE film (id int PRIMARY KEY, title text, updated_at timestamptz);

CREATE VIEW film_list AS SELECT id, title FROM film;

CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.updated_at := now(); RETURN NEW; END $$;

CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;

CREATE TRIGGER film_touch BEFORE UPDATE ON film FOR EACH ROW EXECUTE FUNCTION touch();
CREATE TRIGGER film_audit AFTER INSERT ON film FOR EACH ROW EXECUTE FUNCTION audit();
CREATE MATERIALIZED VIEW counts AS SELECT count(*) FROM film;
CREATE INDEX counts_idx ON counts (count);
CREATE RULE no_delete AS ON DELETE TO film DO INSTEAD NOTHING;
CREATE AGGREGATE group_concat(text) (SFUNC = textcat, STYPE = text);
CREATE TYPE pair AS (a int, b int);
CREATE COLLATION german (provider = icu, locale = 'de');
"""
    r = imp(sql)
    raws = [(o.kind, o.name) for o in r.schema.raw_objects]
    assert raws == [("view", "film_list"), ("function", "touch"), ("function", "audit"),
                    ("trigger", "film_audit"), ("materialized view", "counts"),
                    ("index", "counts_idx"), ("rule", "no_delete"),
                    ("aggregate", "group_concat"), ("type", "pair")]
    assert [(c.name, c.provider, c.locale) for c in r.schema.collations] == [
        ("german", "icu", "de")]  # collations are modelled
    lines = [w.line for w in r.warnings if w.kind == "raw-object"]
    assert lines[:4] == [3, 5, 8, 11]
    assert "film_list" in r.warnings[0].message
    assert r.counts["updated_at_triggers"] == 1
    view = r.schema.raw_objects[0]
    assert view.sql == "CREATE VIEW film_list AS SELECT id, title FROM film;"
    assert all(w.file == "o.sql" for w in r.warnings)


def test_owner_grant_set_and_data_statements_are_ignored_silently() -> None:
    r = imp("""
        SET statement_timeout = 0;
        SELECT pg_catalog.set_config('search_path', '', false);
        BEGIN;
        CREATE TABLE public.t (a int);
        ALTER TABLE public.t OWNER TO admin;
        GRANT SELECT ON public.t TO PUBLIC;
        REVOKE ALL ON SCHEMA public FROM PUBLIC;
        INSERT INTO public.t VALUES (1), (2);
        SELECT pg_catalog.setval('public.s', 10, true);
        COMMIT;""")
    assert not r.warnings
    assert r.counts["data_statements"] == 2
    assert r.counts["ignored_statements"] >= 4


def test_create_schema_elements_are_statements_of_their_own() -> None:
    """Regression (adventureworks install.sql, ``CREATE SCHEMA pe CREATE VIEW a ...``): each
    element kept as SQL is its own schema-qualified statement, not the whole CREATE SCHEMA
    (which the export would replay once per element, after creating the schema itself)."""
    r = imp("""CREATE SCHEMA person CREATE TABLE address (id int PRIMARY KEY);
CREATE SCHEMA pe
  CREATE VIEW a AS SELECT id AS addressid, * FROM person.address
  CREATE VIEW "B" AS SELECT 1 AS one
  CREATE TABLE t (id int)
  CREATE INDEX t_id ON t (id);
""")
    assert [(o.kind, o.namespace, o.name, o.sql) for o in r.schema.raw_objects] == [
        ("view", "pe", "a", "CREATE VIEW pe.a AS SELECT id AS addressid, * FROM person.address;"),
        ("view", "pe", "B", 'CREATE VIEW pe."B" AS SELECT 1 AS one;')]
    t = r.schema.table_named("t", "pe")
    assert t is not None and [i.name for i in t.indexes] == ["t_id"]
    assert r.schema.table_named("address", "person") is not None
    assert [w.line for w in r.warnings if w.kind == "raw-object"] == [2, 2]
