"""SQL import: the search_path a script sets (SET, set_config, ALTER DATABASE, DO blocks, a
session per file after ALTER DATABASE), DO blocks and SELECTs of the script's functions kept
to be replayed, and statements on tables those create."""

from __future__ import annotations

from modeler.importers import ImportResult, import_sql


def imp(*texts: str) -> ImportResult:
    return import_sql([(f"{i}.sql", text) for i, text in enumerate(texts, 1)])


def where(r: ImportResult, name: str) -> str:
    """The namespace of the table or raw object called ``name``."""
    found = {t.name: t.namespace for t in r.schema.tables}
    found.update((o.name, o.namespace) for o in r.schema.raw_objects)
    return found[name]


def test_set_search_path_names_schemas_as_postgresql_reads_them() -> None:
    """Each value of SET is one schema name, exactly (a quoted name keeps its case, a
    string with a comma is one name); set_config's string is a list, unquoted names folded."""
    r = imp('CREATE SCHEMA "Mixed"; SET search_path = "Mixed", public;\n'
            "CREATE TABLE a (id int);\n"
            "SELECT pg_catalog.set_config('search_path', 'Other, public', false);\n"
            "CREATE SCHEMA other; CREATE TABLE b (id int);\n"
            "SET search_path TO DEFAULT; CREATE TABLE c (id int);")
    assert (where(r, "a"), where(r, "b"), where(r, "c")) == ("Mixed", "other", "public")


def test_user_schema_is_skipped() -> None:
    """``$user`` names no schema the script creates: the next one is the creation one."""
    r = imp('CREATE SCHEMA app; SET search_path = "$user", app;\nCREATE TABLE t (id int);')
    assert where(r, "t") == "app"


def test_database_search_path_holds_in_each_later_file() -> None:
    """After ALTER DATABASE ... SET search_path, each file starts with the database's path
    (a psql session per file, as Evergreen loads): the previous file's SET does not carry
    over, and a warning says so where it would have."""
    r = imp("CREATE SCHEMA eg;\nALTER DATABASE mydb SET search_path = eg, public;\n"
            "SET search_path = eg, public;\nCREATE TABLE a (id int);",
            "SET search_path = public;\nCREATE TABLE b (id int);",
            "CREATE TABLE c (id int);\nRESET search_path;\nCREATE TABLE d (id int);")
    assert [where(r, n) for n in "abcd"] == ["eg", "public", "eg", "eg"]
    notes = [w for w in r.warnings if w.kind == "approximation"]
    assert [(w.file, w.line) for w in notes] == [("3.sql", None)]
    assert "eg, public" in notes[0].message and "1.sql:2" in notes[0].message


def test_without_alter_database_files_are_one_script() -> None:
    r = imp("CREATE SCHEMA s;\nSET search_path = s;", "CREATE TABLE t (id int);")
    assert where(r, "t") == "s"
    assert not r.warnings


def test_do_block_setting_search_path_is_followed_not_replayed() -> None:
    """Evergreen's 000.functions.general.sql: the database's path through EXECUTE FORMAT
    with current_database(), the session's with SET, both inside a DO block."""
    r = imp("""CREATE SCHEMA evergreen;
DO $$
BEGIN
    EXECUTE FORMAT('ALTER DATABASE %I SET search_path = evergreen,public,pg_catalog',
                   current_database());
    SET search_path = evergreen,public,pg_catalog; -- and for the current session;
END $$;
CREATE FUNCTION is_json(text) RETURNS bool AS $f$ SELECT true $f$ LANGUAGE sql;
""", "SET search_path = public, pg_catalog;\nCREATE FUNCTION oils_tsearch2() RETURNS trigger "
        "AS $f$ BEGIN RETURN NEW; END $f$ LANGUAGE plpgsql;",
        "CREATE TABLE setting (value text CHECK (is_json(value)));")
    assert where(r, "is_json") == "evergreen"
    assert where(r, "oils_tsearch2") == "public"
    assert where(r, "setting") == "evergreen"
    assert [o.kind for o in r.schema.raw_objects] == ["function", "function"]
    do = r.warnings[0]
    assert (do.line, do.kind) == (2, "approximation")
    assert "database's and the session's search_path" in do.message


def test_do_block_executing_other_sql_is_kept_whole() -> None:
    """Dynamic SQL that is not a constant, a FORMAT with other arguments, PERFORM, loops
    running DDL: the block is kept as SQL and replayed verbatim, with a warning at its line
    (a loop that only reads or changes rows is data: skipped)."""
    blocks = [
        "DO $$ BEGIN EXECUTE 'CREATE TABLE ' || 'x (id int)'; END $$;",
        "DO $$ BEGIN EXECUTE FORMAT('ALTER DATABASE %I SET search_path = a', 'other'); END $$;",
        "DO $$ BEGIN PERFORM 1; END $$;",
        "DO $$ DECLARE l text; BEGIN FOR l IN SELECT 'a' LOOP CREATE TABLE x (id int); "
        "END LOOP; END $$;",
        "DO LANGUAGE plperl $$ 1; $$;",
    ]
    for block in blocks:
        r = imp(f"CREATE TABLE t (id int);\n{block}")
        assert [(o.kind, o.sql) for o in r.schema.raw_objects] == [("do block", block)], block
        assert [(w.line, w.kind) for w in r.warnings] == [(2, "raw-object")], block
        assert "replays it verbatim" in r.warnings[0].message
    data = imp("CREATE TABLE t (id int);\nDO $$ DECLARE l text; BEGIN FOR l IN SELECT 'a' "
               "LOOP RAISE NOTICE '%', l; END LOOP; END $$;")
    assert r.schema.raw_objects and not data.schema.raw_objects and not data.warnings


def test_select_of_a_script_function_is_kept_to_be_replayed() -> None:
    """Evergreen's SELECT auditor.create_auditor('actor', 'usr') creates a table: kept as SQL
    (kind ``function call``), and so are the indexes and ALTERs on tables the script does
    not create itself that follow it (they may be its tables)."""
    r = imp("""CREATE SCHEMA auditor;
CREATE TABLE usr (id int PRIMARY KEY);
CREATE INDEX before_any_call ON auditor.usr_history (id);
CREATE FUNCTION auditor.create_auditor(sch text, tbl text) RETURNS bool AS $f$
BEGIN EXECUTE 'CREATE TABLE auditor.' || tbl || '_history (id int)'; RETURN true; END
$f$ LANGUAGE plpgsql;
SELECT auditor.create_auditor('public', 'usr');
CREATE INDEX usr_hist_id_idx ON auditor.usr_history (id);
ALTER TABLE auditor.usr_history ADD COLUMN note text;
SELECT create_audit_tables();
SELECT auditor.create_auditor('public', 'usr') FROM usr;
SELECT setval('x_seq', 1);
""")
    raws = [(o.kind, o.namespace, o.name) for o in r.schema.raw_objects]
    assert raws == [("function", "auditor", "create_auditor"),
                    ("function call", "auditor", "create_auditor"),
                    ("index", "auditor", "usr_hist_id_idx"),
                    ("alter table", "auditor", "usr_history")]
    assert r.schema.raw_objects[1].sql == "SELECT auditor.create_auditor('public', 'usr');"
    kinds = [(w.line, w.kind) for w in r.warnings]
    assert kinds == [(3, "unresolved"), (4, "raw-object"), (7, "raw-object"),
                     (8, "raw-object"), (9, "raw-object"), (10, "unsupported"),
                     (11, "unsupported")]
    assert "1.sql:7" in r.warnings[3].message  # the index names the call it may come from


def test_unqualified_calls_follow_search_path() -> None:
    r = imp("CREATE SCHEMA a; CREATE SCHEMA b;\n"
            "CREATE FUNCTION a.setup() RETURNS void AS $f$ $f$ LANGUAGE sql;\n"
            "CREATE FUNCTION b.setup() RETURNS void AS $f$ $f$ LANGUAGE sql;\n"
            "SET search_path = b, a;\nSELECT setup();\n"
            "SET search_path = public;\nSELECT setup();")
    calls = [(o.namespace, o.name) for o in r.schema.raw_objects if o.kind == "function call"]
    assert calls == [("b", "setup")]
    assert r.warnings[-1].kind == "unsupported"  # public.setup() is no function of the script


def test_a_call_of_a_function_dropped_later_is_not_replayed() -> None:
    """AdventureWorks' install.sql converts data with f_ConvertOrgNodes(), then drops it:
    a one-off step (replayed after every table, it would find neither the function nor the
    column it reads), reported at the DROP."""
    r = imp("CREATE TABLE e (org text);\n"
            "CREATE FUNCTION f_ConvertOrgNodes() RETURNS void AS $f$ UPDATE e SET org = '' "
            "$f$ LANGUAGE sql;\n"
            "SELECT f_ConvertOrgNodes();\nALTER TABLE e DROP COLUMN org;\n"
            "DROP FUNCTION f_ConvertOrgNodes();")
    assert r.schema.raw_objects == ()
    assert [(w.line, w.kind) for w in r.warnings] == [(2, "raw-object"), (3, "raw-object"),
                                                      (5, "unsupported")]
    assert "f_convertorgnodes() kept earlier will not be replayed" in r.warnings[-1].message
