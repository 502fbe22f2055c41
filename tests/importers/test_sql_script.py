"""SQL import: psql pre-pass, statement splitting, line numbers, errors and other dialects."""

from __future__ import annotations

import pytest

from modeler.importers import SchemaImportError, import_sql
from modeler.importers.sql.prepass import detect_dialect, prepass, substitute


def test_meta_commands_and_copy_data_are_blanked_keeping_lines() -> None:
    text = "\\connect db\n\\restrict abc\nCOPY t (a) FROM stdin;\n1\n2;x\n\\.\nSELECT 1;\n"
    pre = prepass(text, {})
    assert pre.text.split("\n") == ["", "", "COPY t (a) FROM stdin;", "", "", "", "SELECT 1;",
                                    ""]
    assert pre.data_blocks == 1


def test_set_variables_and_substitution_outside_quotes() -> None:
    variables: dict[str, str] = {}
    pre = prepass("\\set v 42\nSELECT :v, ':v', :'v', $$ :v $$, x::int; -- :v\n", variables)
    assert variables == {"v": "42"}
    assert pre.text.split("\n")[1] == "SELECT 42, ':v', '42', $$ :v $$, x::int; -- :v"
    assert substitute("a :b", {"c": "1"}) == "a :b"


def test_include_meta_command_is_reported() -> None:
    r = import_sql([("main.sql", "\\i other.sql\nCREATE TABLE t (a int);\n")])
    assert r.warnings[0].line == 1 and "other.sql" not in r.warnings[0].message
    assert "\\i" in r.warnings[0].message


def test_pg_dump_with_data_line_numbers_after_copy() -> None:
    dump = "\n".join([
        "SET client_encoding = 'UTF8';",
        "CREATE TABLE public.t (id integer NOT NULL, doc text);",
        "COPY public.t (id, doc) FROM stdin;",
        "1\tCREATE VIEW v AS SELECT 1; -- not SQL, data",
        "2\t\\N",
        "\\.",
        "",
        "CREATE VIEW public.v AS SELECT id FROM public.t;",
    ])
    r = import_sql([("dump.sql", dump)])
    assert [w.line for w in r.warnings] == [8]
    assert r.schema.raw_objects[0].name == "v"


def test_variables_argument_like_psql_v() -> None:
    sql = "CREATE TABLE t (v int DEFAULT :val);\nINSERT INTO t VALUES (:'x');"
    r = import_sql([("v.sql", sql)], variables={"val": "7", "x": "y"})
    t = r.schema.table_named("t")
    assert t is not None and t.columns[0].default == "7"


def test_files_are_one_script_in_order() -> None:
    r = import_sql([("a.sql", "SET search_path = s, public;\nCREATE SCHEMA s;"),
                    ("b.sql", "CREATE TABLE t (id int PRIMARY KEY);"),
                    ("c.sql", "ALTER TABLE t ADD COLUMN x int;\nCOMMENT ON TABLE t IS 'x';")])
    t = r.schema.table_named("t", "s")
    assert t is not None and [c.name for c in t.columns] == ["id", "x"] and t.comment == "x"


def test_begin_atomic_function_bodies_are_rejoined() -> None:
    sql = """CREATE TABLE t (a int);
CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT x + 1; SELECT 2; END;
CREATE TABLE u (b int);"""
    r = import_sql([("f.sql", sql)])
    assert [t.name for t in r.schema.tables] == ["t", "u"]
    assert r.schema.raw_objects[0].kind == "function"
    assert r.schema.raw_objects[0].sql.endswith("END;")


def test_syntax_error_reports_file_line_and_statement() -> None:
    sql = "CREATE TABLE ok (a int);\n\n-- a comment\nCREATE TABLE bad (\n  a int,,\n  b int\n);"
    with pytest.raises(SchemaImportError) as info:
        import_sql([("first.sql", "CREATE TABLE x (a int);"), ("second.sql", sql)])
    err = info.value
    assert err.file == "second.sql"
    assert err.line == 5
    assert err.statement is not None and err.statement.startswith("CREATE TABLE bad (")
    assert "syntax error" in str(err) and str(err).startswith("second.sql:5:")


def test_unterminated_string_is_a_clean_error() -> None:
    with pytest.raises(SchemaImportError) as info:
        import_sql([("q.sql", "CREATE TABLE t (a text DEFAULT 'oops);\n")])
    assert info.value.file == "q.sql"


MYSQL = """-- MySQL dump 10.13
/*!40101 SET @OLD_CHARACTER_SET_CLIENT=@@CHARACTER_SET_CLIENT */;
DROP TABLE IF EXISTS `customer`;
CREATE TABLE `customer` (
  `id` int unsigned NOT NULL AUTO_INCREMENT,
  `name` varchar(45) NOT NULL,
  PRIMARY KEY (`id`)
) ENGINE=InnoDB AUTO_INCREMENT=600 DEFAULT CHARSET=utf8mb4;
"""
TSQL = """CREATE TABLE [dbo].[Customer] (
    [Id] INT IDENTITY(1,1) NOT NULL,
    [Name] NVARCHAR(MAX)
)
GO
"""


def test_mysql_dump_gets_a_clear_message() -> None:
    with pytest.raises(SchemaImportError) as info:
        import_sql([("dump.sql", MYSQL)])
    text = str(info.value)
    assert "MySQL" in text and "not PostgreSQL" in text
    assert info.value.line is not None


def test_tsql_gets_a_clear_message() -> None:
    with pytest.raises(SchemaImportError) as info:
        import_sql([("mssql.sql", TSQL)])
    assert "SQL Server" in str(info.value)


def test_dialect_detection_is_quiet_on_postgresql() -> None:
    assert detect_dialect("CREATE TABLE t (a int GENERATED ALWAYS AS IDENTITY);") is None


def test_dialect_markers_inside_strings_comments_and_quoted_names_are_not_evidence() -> None:
    """A PostgreSQL script with a syntax error was called MySQL because a comment's text said
    `cmd` (backticks are Markdown in a COMMENT ON string); the error then told the user to
    convert a PostgreSQL script to PostgreSQL. Only code outside literals is evidence."""
    sql = """CREATE TABLE note (id int PRIMARY KEY, body text DEFAULT 'run `make`');
COMMENT ON TABLE note IS 'see `docs`, AUTO_INCREMENT and VARCHAR2 are other dialects';
COMMENT ON COLUMN note.body IS E'it\\'s `quoted`';
-- `a comment` with ENGINE=InnoDB
/* PRAGMA in a block `comment` */
CREATE FUNCTION f() RETURNS text LANGUAGE sql AS $$ SELECT '`x`' $$;
CREATE TABLE "`odd`" (id int);
CREATE TABLE broken (id int,, );
"""
    assert detect_dialect(sql) is None
    with pytest.raises(SchemaImportError) as info:
        import_sql([("notes.sql", sql)])
    assert "MySQL" not in str(info.value) and info.value.line == 8
    # the markers themselves, outside literals, still name the dialect
    assert "MySQL" in (detect_dialect("CREATE TABLE `t` (`id` int) ENGINE=InnoDB;") or "")
    assert "MySQL" in (detect_dialect("/*!40101 SET NAMES utf8 */;") or "")


def test_statements_that_are_not_modelled_are_warnings_not_crashes() -> None:
    sql = """CREATE TABLE t (a int);
DO $$ BEGIN PERFORM 1; END $$;
CREATE TEMP TABLE scratch (x int);
CREATE POLICY p ON t USING (a > 0);
ALTER TABLE t ENABLE ROW LEVEL SECURITY;
CREATE TABLE copy AS SELECT * FROM t;
SELECT create_audit_tables();
CREATE TEXT SEARCH CONFIGURATION mb (COPY = simple);
"""
    r = import_sql([("x.sql", sql)])
    kinds = [(w.line, w.kind) for w in r.warnings]
    assert kinds == [(2, "raw-object"), (3, "unsupported"), (4, "raw-object"),
                     (5, "raw-object"), (6, "raw-object"), (7, "unsupported"),
                     (8, "raw-object")]
    assert [t.name for t in r.schema.tables] == ["t"]
    # the DO block is replayed verbatim; create_audit_tables is no function of the script
    assert r.schema.raw_objects[0].kind == "do block"
    assert "SELECT" not in {o.sql.split()[0] for o in r.schema.raw_objects}


def test_partitions_are_tables_of_their_parent() -> None:
    """Both forms (PARTITION OF, and pg_dump's CREATE TABLE + ATTACH PARTITION) give tables;
    tests/importers/test_sql_partitions.py has the details."""
    sql = """CREATE TABLE payment (id int, paid date) PARTITION BY RANGE (paid);
CREATE TABLE payment_2024 PARTITION OF payment FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE payment_2025 (id int, paid date);
ALTER TABLE ONLY payment ATTACH PARTITION payment_2025
    FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
ALTER TABLE ONLY payment_2025 ADD CONSTRAINT payment_2025_pkey PRIMARY KEY (id);
"""
    r = import_sql([("p.sql", sql)])
    s = r.schema
    assert [t.name for t in s.tables] == ["payment", "payment_2024", "payment_2025"]
    payment = s.tables[0]
    assert payment.partition_by == "RANGE (paid)"
    assert [(t.partition_of, t.partition_bound) for t in s.tables[1:]] == [
        (payment.uid, "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"),
        (payment.uid, "FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')")]
    assert s.tables[2].pk_name == "payment_2025_pkey"
    assert r.schema.raw_objects == ()


def test_import_sql_rejects_a_bare_string() -> None:
    with pytest.raises(TypeError):
        import_sql("CREATE TABLE t (a int);")  # type: ignore[arg-type]


def test_unset_psql_variable_gets_a_hint() -> None:
    with pytest.raises(SchemaImportError) as info:
        import_sql([("v.sql", "DROP DATABASE IF EXISTS :db_name;")])
    assert "variables=" in str(info.value)


@pytest.mark.parametrize(("text", "line", "statement"), [
    ("CREATE TABLE t (a int);\n\nfoo bar;\nCREATE TABLE u (b int);", 3, "foo bar"),
    ('{"not": "sql"}', 1, '{"not": "sql"}'),
    ("CREATE TABLE t (a int);\x00", 1, None),
])
def test_text_that_is_not_sql_is_never_silently_skipped(text: str, line: int,
                                                       statement: str | None) -> None:
    with pytest.raises(SchemaImportError) as info:
        import_sql([("junk.sql", text)])
    assert (info.value.line, info.value.statement) == (line, statement)


def test_blank_comment_only_and_empty_statements_are_fine() -> None:
    r = import_sql([("e.sql", "-- only\n;;\nCREATE TABLE t (a int);;\n/* c */ ;"),
                    ("empty.sql", "")])
    assert [t.name for t in r.schema.tables] == ["t"] and not r.warnings


@pytest.mark.parametrize(("expr", "printed"), [
    ("x::text::varchar", "x::text::varchar"),
    ("lower((b)::text)", "lower(b::text)"),
    ("CAST(a + b AS numeric(10,2))", "(a + b)::numeric(10, 2)"),
    ("(-1)::int", "(-1)::integer"),
    ("interval '1 day'", "'1 day'::interval"),
])
def test_expressions_print_casts_postfix(expr: str, printed: str) -> None:
    from modeler.importers.dbml.convert import sql_expr

    assert sql_expr(expr) == printed
