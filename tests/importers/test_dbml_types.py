"""DBML type names that PostgreSQL does not have: mapped to the nearest type, each distinct one
reported once with the line of its first use, what it became and the columns concerned."""

from __future__ import annotations

import pytest

from modeler.importers import ImportResult, ImportWarning, import_dbml
from modeler.importers.typemap import map_type
from modeler.schema import model as m


@pytest.mark.parametrize(("written", "becomes"), [
    # MySQL / MariaDB
    ("datetime", "timestamp without time zone"),
    ("DateTime", "timestamp without time zone"),
    ("datetime(3)", "timestamp(3) without time zone"),
    ("tinyint", "smallint"),
    ("tinyint(1)", "smallint"),
    ("tinyint unsigned", "smallint"),
    ("smallint unsigned", "integer"),
    ("mediumint", "integer"),
    ("mediumint unsigned", "integer"),
    ("int unsigned", "bigint"),
    ("int(10) unsigned zerofill", "bigint"),
    ("bigint unsigned", "bigint"),
    ("int(11)", "integer"),
    ("bigint(20)", "bigint"),
    ("year", "smallint"),
    ("double", "double precision"),
    ("double(10,2)", "double precision"),
    ("float(10,2)", "real"),
    ("decimal(10,2) unsigned", "numeric(10,2)"),
    ("tinytext", "text"),
    ("mediumtext", "text"),
    ("longtext", "text"),
    ("text(100)", "text"),
    ("blob", "bytea"),
    ("longblob", "bytea"),
    ("varbinary(16)", "bytea"),
    ("enum('a','b')", "text"),
    # SQL Server
    ("nvarchar(50)", "character varying(50)"),
    ("nvarchar(max)", "text"),
    ("varchar(max)", "text"),
    ("datetime2(7)", "timestamp(6) without time zone"),
    ("datetimeoffset", "timestamp with time zone"),
    ("uniqueidentifier", "uuid"),
    ("image", "bytea"),
    # Oracle
    ("varchar2(20)", "character varying(20)"),
    ("number(10,2)", "numeric(10,2)"),
    ("clob", "text"),
    # generic spellings
    ("string", "text"),
    ("GUID", "uuid"),
    ("BigInteger", "bigint"),
    # arrays keep their dimensions
    ("datetime[]", "timestamp without time zone[]"),
])
def test_other_dialects_map_to_the_nearest_type_with_a_reason(written: str,
                                                              becomes: str) -> None:
    mapping = map_type(written)
    assert mapping is not None and mapping.why and not mapping.unknown
    assert mapping.type.sql() == becomes


def test_unsigned_and_dropped_modifiers_are_named_in_the_reason() -> None:
    why = map_type("bigint unsigned").why  # type: ignore[union-attr]
    assert "unsigned dropped" in why and "9223372036854775807" in why
    assert "display width (11) dropped" in map_type("int(11)").why  # type: ignore[union-attr]
    assert "reduced to 6" in map_type("datetime2(7)").why  # type: ignore[union-attr]
    assert "'a', 'b'" in map_type("enum('a','b')").why  # type: ignore[union-attr]


@pytest.mark.parametrize(("written", "becomes"), [
    ("nchar(3)", "character(3)"),
    ("national character varying(5)", "character varying(5)"),
    ("float(24)", "real"),
    ("float(53)", "double precision"),
])
def test_postgresql_spellings_outside_the_catalog_are_not_reported(written: str,
                                                                   becomes: str) -> None:
    mapping = map_type(written)
    assert mapping is not None and not mapping.reported
    assert mapping.type.sql() == becomes


@pytest.mark.parametrize("written", ["pg_lsn", "int4multirange", "jsonpath",
                                     "interval day to second", "interval hour to minute(2)"])
def test_postgresql_types_outside_the_catalog_are_kept_as_written(written: str) -> None:
    assert map_type(written) is None


def test_unknown_names_become_text_or_bigint_for_an_auto_increment() -> None:
    code = map_type("Code")
    assert code is not None and code.unknown and code.type == m.ColumnType(name="text")
    assert map_type("Code[]").type == m.ColumnType(name="text", array_dims=1)  # type: ignore[union-attr]
    serial = map_type("Code", autoinc=True)
    assert serial is not None and serial.type == m.ColumnType(name="bigint")


@pytest.mark.parametrize("written", ["unsigned", "signed", "UNSIGNED ZEROFILL", "unsigned[]",
                                     "zerofill(5)"])
def test_a_type_of_flags_alone_is_unknown_not_kept(written: str) -> None:
    """MySQL's flags with no type before them (``c unsigned``) were kept as the custom type
    "unsigned", without a warning, and the export failed: type "unsigned" does not exist."""
    found = map_type(written)
    assert found is not None and found.unknown and found.type.name == "text", found
    result = import_dbml([("s.dbml", f"Table t {{\n  id int [pk]\n  c {written}\n}}\n")])
    c = result.schema.tables[0].columns[1]
    assert c.type.kind == "builtin" and c.type.name == "text"
    assert any("is not a PostgreSQL type" in w.message for w in result.warnings)


@pytest.mark.parametrize(("written", "extension", "becomes"), [
    ("hstore", "hstore", m.ColumnType(kind="custom", name="hstore")),
    ("geometry(Point,4326)", "postgis", m.ColumnType(kind="custom",
                                                      name="geometry(Point,4326)")),
    ("ltree[]", "ltree", m.ColumnType(kind="custom", name="ltree", array_dims=1)),
    ("citext", "citext", m.ColumnType(name="citext")),
])
def test_extension_types_are_kept_and_name_their_extension(
        written: str, extension: str, becomes: m.ColumnType) -> None:
    mapping = map_type(written)
    assert mapping is not None and mapping.extension == extension
    assert mapping.type == becomes


# -- the import -------------------------------------------------------------------------------

MYSQL = """Project legacy {
  database_type: 'MySQL'
}

Table users {
  id "int(10) unsigned" [pk, increment]
  name varchar(100)
  bio longtext
  created_at datetime [default: `now()`]
}

Table posts {
  id "bigint unsigned" [pk, increment]
  // a comment line
  user_id "int(10) unsigned" [not null, ref: > users.id]
  body longtext
  flag tinyint(1) [default: 0]
  kind "Code"
  serial_no "Code" [increment]
  status post_status
  Indexes {
    created_at
    (user_id, kind)
  }
  created_at datetime
}

enum post_status {
  draft
  published
}
"""


def _type_warnings(r: ImportResult) -> list[ImportWarning]:
    return [w for w in r.warnings if w.message.startswith("type ")]


@pytest.fixture(scope="module")
def mysql() -> ImportResult:
    return import_dbml([("legacy.dbml", MYSQL)])


def test_each_distinct_type_is_reported_once_at_its_first_use(mysql: ImportResult) -> None:
    found = [(w.line, w.message.split(":")[0]) for w in _type_warnings(mysql)]
    assert [line for line, _ in found] == [6, 8, 9, 13, 17, 18, 19]
    assert [text for _, text in found] == [
        'type "int(10) unsigned" is not a PostgreSQL type (MySQL\'s spelling; display width '
        "(10) dropped; unsigned dropped",
        'type "longtext" is not a PostgreSQL type (MySQL\'s spelling)',
        'type "datetime" is not a PostgreSQL type (MySQL/SQL Server\'s spelling)',
        'type "bigint unsigned" is not a PostgreSQL type (MySQL\'s spelling; unsigned dropped',
        'type "tinyint(1)" is not a PostgreSQL type (MySQL/SQL Server\'s spelling; display '
        "width (1) dropped)",
        'type "Code" is not a PostgreSQL type, nor another SQL dialect\'s spelling the '
        "importer knows, nor an enum of the file",
        'type "Code" is not a PostgreSQL type, nor another SQL dialect\'s spelling the '
        "importer knows, nor an enum of the file",
    ]
    assert all(w.kind == "approximation" and w.file == "legacy.dbml"
               for w in _type_warnings(mysql))


def test_warnings_say_what_each_type_became_and_list_its_columns(mysql: ImportResult) -> None:
    by_line = {w.line: w for w in _type_warnings(mysql)}
    assert by_line[6].message.endswith(
        "imported as bigint; 2 columns: users.id, posts.user_id")
    assert by_line[6].sql == 'id "int(10) unsigned" [pk, increment]'
    assert by_line[9].message.endswith(
        "imported as timestamp without time zone; 2 columns: users.created_at, "
        "posts.created_at")
    assert "imported as text (text holds any value); choose the intended type in the " \
        "design; 1 column: posts.kind" in by_line[18].message
    assert "imported as bigint (an auto-increment column)" in by_line[19].message


def test_mapped_types_in_the_design(mysql: ImportResult) -> None:
    users = mysql.schema.table_named("users")
    posts = mysql.schema.table_named("posts")
    assert users is not None and posts is not None
    u = {c.name: c for c in users.columns}
    p = {c.name: c for c in posts.columns}
    assert u["id"].type == m.ColumnType(name="bigint") and u["id"].identity == "by default"
    assert p["user_id"].type == u["id"].type
    assert u["bio"].type == m.ColumnType(name="text")
    assert u["created_at"].type == m.ColumnType(name="timestamp")
    assert p["flag"].type == m.ColumnType(name="smallint") and p["flag"].default == "0"
    assert p["kind"].type == m.ColumnType(name="text")
    assert p["serial_no"].type == m.ColumnType(name="bigint")
    assert p["status"].type.kind == "enum"  # an enum of the file wins, even declared later
    assert mysql.schema.extensions == ()


def test_postgresql_types_raise_no_warning() -> None:
    r = import_dbml([("pg.dbml", "Table t {\n  a int\n  b \"character varying(15)\"\n"
                                 "  c \"timestamp(3) with time zone\"\n  d \"numeric(5,2)[]\"\n"
                                 "  e \"Text\"\n  f \"Decimal\"\n  g pg_lsn\n  h nchar(2)\n"
                                 "  i \"interval day to second\"\n}\n")])
    assert r.warnings == ()
    cols = {c.name: c.type for c in r.schema.tables[0].columns}
    assert cols["g"] == m.ColumnType(kind="custom", name="pg_lsn")
    assert cols["h"] == m.ColumnType(name="char", length=2)
    assert cols["i"] == m.ColumnType(kind="custom", name="interval day to second")


def test_extension_types_declare_their_extension_once() -> None:
    r = import_dbml([("ext.dbml", "Table t {\n  id int [pk]\n  attrs hstore\n  more hstore\n"
                                  "  email citext\n  path \"geometry(Point,4326)\"\n}\n")])
    assert sorted(e.name for e in r.schema.extensions) == ["citext", "hstore", "postgis"]
    warned = _type_warnings(r)
    assert [(w.line, w.kind) for w in warned] == [(3, "approximation"), (5, "approximation"),
                                                  (6, "approximation")]
    assert "extension hstore, which DBML cannot declare" in warned[0].message
    assert warned[0].message.endswith("2 columns: t.attrs, t.more")
    cols = {c.name: c.type for c in r.schema.tables[0].columns}
    assert cols["path"] == m.ColumnType(kind="custom", name="geometry(Point,4326)")


def test_schema_qualified_types_are_kept_and_reported_as_unresolved() -> None:
    r = import_dbml([("q.dbml", "Table t {\n  id int [pk]\n  a public.Name\n"
                                "  b public.hstore\n  c pg_catalog.int4\n}\n")])
    cols = {c.name: c.type for c in r.schema.tables[0].columns}
    assert cols["a"] == m.ColumnType(kind="custom", name='"Name"')
    assert cols["b"] == m.ColumnType(kind="custom", name="hstore")
    assert cols["c"] == m.ColumnType(name="integer")
    warned = _type_warnings(r)
    assert [(w.line, w.kind) for w in warned] == [(3, "unresolved"), (4, "approximation")]
    assert 'kept as "Name", which the database must provide' in warned[0].message


def test_an_enum_of_another_schema_is_used_when_the_name_is_unique() -> None:
    r = import_dbml([("e.dbml", "Table blog.posts {\n  id int [pk]\n  status post_status\n}\n"
                                "enum blog.post_status {\n  draft\n  published\n}\n")])
    posts = r.schema.table_named("posts", "blog")
    assert posts is not None
    assert posts.columns[1].type.kind == "enum"
    [w] = _type_warnings(r)
    assert (w.line, w.kind) == (3, "approximation")
    assert "the enum blog.post_status of the file is used" in w.message


def test_lines_skip_index_blocks_and_follow_each_file() -> None:
    a = "Table a {\n  Indexes {\n    code\n  }\n  id int [pk]\n  code \"Code\"\n}\n"
    b = "\n\nTable b {\n  id int [pk]\n  x datetime\n  y \"Code\"\n}\n"
    r = import_dbml([("a.dbml", a), ("b.dbml", b)])
    assert [(w.file, w.line) for w in _type_warnings(r)] == [("a.dbml", 6), ("b.dbml", 5)]
    assert _type_warnings(r)[0].message.endswith("2 columns: a.code, b.y")
