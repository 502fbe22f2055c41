"""DBML as strangers write it, through the whole path: import, the design's own validation,
the DBML export read back, and the export bundle upgraded, downgraded and upgraded again on
PostgreSQL (``alembic``), the models' ``create_all`` building what the migrations build.

Each case here was a bug: a traceback, an invalid design (the store refused it: the
``import_schema`` command's traceback), a silently wrong model, or an export that did not
upgrade. ``STRANGE`` holds what imports; the refusals say the line and the reason.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import orm

from modeler.codegen.bundle import build_bundle, package_name
from modeler.codegen.dbml import to_dbml
from modeler.codegen.version_table import version_table_name
from modeler.codegen.versions import VersionInput
from modeler.diff import diff
from modeler.importers import ImportResult, SchemaImportError, import_dbml
from modeler.importers.align import adopt_uids
from modeler.schema import model as m
from modeler.schema import validate
from tests.codegen import helpers as h
from tests.pgtemp import PgServer


def imported(text: str, name: str = "s.dbml") -> ImportResult:
    result = import_dbml([(name, text)])
    assert validate.problems(result.schema) == []
    return result


def warned(r: ImportResult) -> dict[int | None, str]:
    return {w.line: w.message for w in r.warnings}


def table(r: ImportResult, name: str, ns: str = "public") -> m.Table:
    t = r.schema.table_named(name, ns)
    assert t is not None, [x.name for x in r.schema.tables]
    return t


def refused(text: str) -> SchemaImportError:
    with pytest.raises(SchemaImportError) as info:
        import_dbml([("s.dbml", text)])
    return info.value


# -- escapes that make what a design cannot hold -------------------------------------------
@pytest.mark.parametrize(("text", "line", "says"), [
    ("Table t {\n  id int [pk, note: 'x\\0y']\n}\n", 2, "makes a NUL character"),
    ('Table "a\\u0000b" {\n  id int\n}\n', 1, "makes a NUL character"),
    ("Enum e {\n  \"a\\bc\"\n}\n", 2, "makes the control character U+0008"),
    ("Table t {\n  id int [default: 'a\\u001fb']\n}\n", 2, "control character U+001F"),
])
def test_an_escape_that_makes_a_control_character_is_refused(text: str, line: int,
                                                             says: str) -> None:
    # PostgreSQL stores no NUL (a 500 when the web stored it; the export's Python did not
    # compile); the file itself may not hold control characters, so neither may escapes
    error = refused(text)
    assert error.line == line and says in error.message, error


def test_escaped_line_breaks_and_tabs_stay_where_text_may_hold_them() -> None:
    r = imported("Table t {\n  id int [pk, note: 'a\\nb\\tc \\\\ \\'q\\'']\n"
                 "  x text [default: 'l1\\nl2']\n}\nEnum e {\n  'v\\nw'\n}\n")
    t = table(r, "t")
    assert t.columns[0].comment == "a\nb\tc \\ 'q'"
    # spelled as the expression layer prints it, so the DBML export reads back the same
    assert t.columns[1].default == "E'l1\\nl2'"
    assert r.schema.enums[0].values[0].label == "v\nw"


@pytest.mark.parametrize(("text", "line", "says"), [
    ('Table "a\\nb" {\n  id int\n}\n', 1, "the table name 'a\\nb' holds a line break"),
    ('Table t {\n  "c\\rd" int\n}\n', 2, "the column name 'c\\rd' holds a line break"),
    ('Enum "e\\u2028f" {\n  a\n}\n', 1, "the enum name"),
    ('TableGroup "g\\nh" {\n  t\n}\nTable t {\n  id int\n}\n', 1, "the table group name"),
    ('Table t {\n  id int\n}\nRef "r\\nq": t.id > t.id\n', 4, "the reference name"),
    ('Table "" {\n  id int\n}\n', 1, "the table name is empty"),
    ('Table t {\n  id int [pk]\n  "" text\n}\n', 3, "the column name is empty"),
    ('Enum "" {\n  a\n}\n', 1, "the enum name is empty"),
])
def test_names_are_one_line_and_not_empty(text: str, line: int, says: str) -> None:
    # an empty name: a design the store refused (import_schema's traceback) and a bundle
    # that did not build; a line break: a DBML export that did not read back
    error = refused(text)
    assert error.line == line and says in error.message, error


def test_an_empty_optional_name_leaves_the_element_unnamed() -> None:
    r = imported("Table t {\n  id int [pk]\n  x int\n  indexes {\n    x [name: '']\n  }\n"
                 "  checks {\n    `x > 0` [name: '']\n  }\n}\nRef \"\": t.x > t.id\n")
    t = table(r, "t")
    assert [i.name for i in t.indexes] == ["t_x_idx"]
    assert [c.name for c in t.checks] == ["t_x_check"]
    assert [x.name for x in r.schema.relationships] == ["t_x_fkey"]
    assert {5, 8, 11} <= set(warned(r))


# -- names PostgreSQL keeps in one namespace -------------------------------------------------
def test_an_enum_named_like_a_table_is_renamed() -> None:
    r = imported("Enum status {\n  a\n  b\n}\nEnum status_enum {\n  x\n}\n"
                 "Table status {\n  id int [pk]\n  s status [default: status.b]\n"
                 "  t status_enum\n}\n"
                 "Enum shop.kind {\n  k\n}\nTable shop.kind {\n  id int [pk]\n"
                 "  k shop.kind\n}\n")
    enums = {(e.namespace, e.name): e for e in r.schema.enums}
    assert set(enums) == {("public", "status_enum1"), ("public", "status_enum"),
                          ("shop", "kind_enum")}
    s = table(r, "status").columns[1]
    assert s.type.ref == enums[("public", "status_enum1")].uid and s.default == "'b'"
    assert table(r, "status").columns[2].type.ref == enums[("public", "status_enum")].uid
    assert table(r, "kind", "shop").columns[1].type.ref == enums[("shop", "kind_enum")].uid
    assert "renamed status_enum1" in warned(r)[1]
    assert "renamed kind_enum" in warned(r)[13]


def test_an_enum_named_like_a_builtin_type_is_renamed() -> None:
    # public.point is created, but a column of type point is pg_catalog's point (SQLAlchemy
    # refused to compile the export: "matches an existing type")
    r = imported("Enum name {\n  a\n}\nEnum point {\n  p\n}\nEnum Name {\n  b\n}\n"
                 "Table t {\n  id int [pk]\n  n name\n  p point [default: 'p']\n"
                 "  q Name\n}\n")
    assert sorted(e.name for e in r.schema.enums) == ["Name", "name_enum", "point_enum"]
    kinds = {c.name: (c.type.kind, c.default) for c in table(r, "t").columns}
    assert kinds["n"] == ("enum", None) and kinds["p"] == ("enum", "'p'")
    assert "PostgreSQL's own type point" in warned(r)[4]


def test_an_enum_whose_quoted_name_has_a_dot_is_the_column_type() -> None:
    # "a.b" was read as enum b of schema a: the column kept an unknown type a.b and the
    # export did not upgrade (schema "a" does not exist)
    r = imported("Enum \"a.b\" {\n  x\n}\nEnum shop.\"c.d\" {\n  y\n}\n"
                 "Table t {\n  id int [pk]\n  v \"a.b\" [default: 'x']\n  w shop.\"c.d\"\n"
                 "  k \"a.b\"[]\n}\n")
    enums = {e.name: e.uid for e in r.schema.enums}
    cols = {c.name: c for c in table(r, "t").columns}
    assert cols["v"].type.ref == enums["a.b"] and cols["v"].default == "'x'"
    assert cols["w"].type.ref == enums["c.d"]
    assert cols["k"].type.ref == enums["a.b"] and cols["k"].type.array_dims == 1
    assert r.warnings == ()


def test_generated_names_give_way_to_tables_declared_later() -> None:
    # the serial's sequence a_z_seq, the key t_pkey: PostgreSQL names them with the tables
    r = imported("Table a {\n  id int [pk]\n  z serial\n}\nTable a_z_seq {\n  id int [pk]\n}\n"
                 "Table t {\n  id int [pk]\n  u int [unique]\n}\nTable t_pkey {\n  id int\n}\n"
                 "Table t_u_key {\n  id int\n}\n")
    assert table(r, "a").columns[1].default == "nextval('a_z_seq1'::regclass)"
    assert table(r, "t").pk_name == "t_pkey1"
    assert [u.name for u in table(r, "t").uniques] == ["t_u_key1"]


def test_junction_tables_of_long_names_keep_to_63_bytes() -> None:
    # a many-to-many between long names made a junction table (and columns) of 68 bytes:
    # PostgreSQL cuts them, so the DBML export read back another table
    long = "x" * 70
    r = imported(f"Table {long} {{\n  a int [pk]\n}}\nTable p {{\n  id int [pk]\n  k int\n"
                 "  indexes {\n    k [name: 'p_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
                 f"xxxxxxxxxxx']\n  }}\n}}\nRef: p.id <> {long}.a\n")
    cut = "x" * 63
    junctions = [t for t in r.schema.tables if t.name.startswith("p_x")]
    assert [t.name for t in junctions] == [f"p_{cut}"[:62] + "1"]  # the index has p_x...x
    assert [c.name for c in junctions[0].columns] == ["p_id", cut]
    back = adopt_uids(r.schema, import_dbml([("back.dbml", to_dbml(r.schema))]).schema)
    assert back == r.schema


def test_a_key_on_a_type_without_btree_is_left_out() -> None:
    # PostgreSQL: data type json has no default operator class for access method "btree"
    r = imported("Table t {\n  j json [pk]\n  x int\n}\nTable u {\n  a point\n  b int\n"
                 "  indexes {\n    (a, b) [pk]\n  }\n}\nTable v {\n  j jsonb [pk]\n}\n")
    assert [c.name for c in table(r, "t").primary_key] == []
    assert [c.name for c in table(r, "u").primary_key] == []
    assert [c.name for c in table(r, "v").primary_key] == ["j"]
    assert "cannot compare j (json) values in a key" in warned(r)[1]
    assert "cannot compare a (point) values" in warned(r)[5]


def test_references_between_numbers_postgresql_cannot_implement_are_left_out() -> None:
    # numeric -> bigint: "foreign key constraint ... cannot be implemented"; int -> numeric is
    # fine (the child's values cast implicitly to the key's type)
    r = imported("Table p {\n  id bigint [pk]\n  n numeric(10,2) [unique]\n  f float [unique]\n}\n"
                 "Table c {\n  id int [pk]\n  a numeric(10,2) [ref: > p.id]\n"
                 "  b int [ref: > p.n]\n  d float [ref: > p.n]\n  e int [ref: > p.f]\n"
                 "  g smallint [ref: > p.id]\n}\n")
    assert sorted(x.name for x in r.schema.relationships) == ["c_b_fkey", "c_e_fkey",
                                                               "c_g_fkey"]
    assert "cannot compare in a foreign key" in warned(r)[8]


# -- defaults --------------------------------------------------------------------------------
def test_a_wrong_enum_default_names_the_enum() -> None:
    r = imported("Enum status {\n  active\n}\nTable t {\n  id int [pk]\n"
                 "  s status [default: 'deleted']\n  s2 shop.kind [default: 'x']\n}\n"
                 "Enum shop.kind {\n  y\n}\n")
    assert "is not a value of type status:" in warned(r)[6]
    assert "is not a value of type shop.kind:" in warned(r)[7]


def test_array_defaults_must_be_array_literals() -> None:
    r = imported("""Enum status { active inactive }
Table t {
  id int [pk]
  a "status[]" [default: 'active']
  b "int[]" [default: '5']
  c "text[]" [default: 'abc']
  d "int[]" [default: '{1, 2}']
  e "text[]" [default: '{"x y", NULL}']
  f "int[]" [default: '{a,b}']
  g "status[]" [default: '{active,gone}']
  h "status[]" [default: status.active]
  i "int[][]" [default: '{{1,2},{3,4}}']
  j "int[]" [default: '{1,2']
  k "status[]" [default: '{}']
}
""")
    defaults = {c.name: c.default for c in table(r, "t").columns}
    assert defaults == {"id": None, "a": None, "b": None, "c": None, "d": "'{1, 2}'",
                        "e": "'{\"x y\", NULL}'", "f": None, "g": None, "h": None,
                        "i": "'{{1,2},{3,4}}'", "j": None, "k": "'{}'"}
    w = warned(r)
    assert "'active' of t.a is not an array literal ('{...}') of type status[]" in w[4]
    assert "'a' is not a value of type integer" in w[9]
    assert "'gone' is not a value of type status" in w[10]
    assert "is one value but the column is an array (status[])" in w[11]


def test_defaults_that_fit_no_value_of_the_column_are_left_out() -> None:
    r = imported("""Table t {
  id int [pk]
  a int [default: 1000000000000]
  b smallint [default: -32768]
  c smallint [default: 40000]
  d numeric(5,2) [default: 1e3]
  e numeric(5,2) [default: 999.99]
  f varchar(3) [default: 'abcdef']
  g timestamp [default: '100%']
  h timestamptz [default: '2024-01-01 10:00:00+02']
  i inet [default: 'plain']
  j bytea [default: 'back\\\\slash']
  k money [default: '$1,000.50']
  l float [default: `'a' || 'b'`]
  m time [default: `'{}'::jsonb`]
  n json [default: `ARRAY[1, 2]`]
  o text [default: `ARRAY[1, 2]`]
  p int [default: `1 + 1`]
}
""")
    defaults = {c.name: c.default for c in table(r, "t").columns}
    assert defaults == {"id": None, "a": None, "b": "-32768", "c": None, "d": None,
                        "e": "999.99", "f": None, "g": None,
                        "h": "'2024-01-01 10:00:00+02'", "i": None, "j": None,
                        "k": "'$1,000.50'", "l": None, "m": None, "n": None,
                        "o": "ARRAY[1, 2]", "p": "1 + 1"}
    w = warned(r)
    assert "is out of range for integer" in w[3]
    assert "does not fit numeric(5,2)" in w[6]
    assert "is longer than the 3 characters of character varying(3)" in w[8]
    assert "gives text but the column is double precision" in w[14]


# -- index expressions PostgreSQL refuses for the column's type ----------------------------
def test_index_expressions_that_are_immutable_for_other_types_only() -> None:
    r = imported("""Enum st { a b }
Table t {
  id int [pk]
  c timestamptz
  d timestamp
  e date
  s st
  x text
  indexes {
    `date(c)` [name: 'no1']
    `date(d)` [name: 'i_date_d']
    `c::date` [name: 'no2']
    `d::date` [name: 'i_cast_d']
    `s::text` [name: 'no3']
    `lower(s::text)` [name: 'no4']
    `extract(day from c)` [name: 'no5']
    `extract(day from d)` [name: 'i_extract_d']
    `date_trunc('day', c)` [name: 'no6']
    `date_trunc('day', d)` [name: 'i_trunc_d']
    `date_trunc('day', c, 'UTC')` [name: 'no7']
    `x::date` [name: 'no8']
    `e::text` [name: 'no9']
    `lower(x)` [name: 'i_lower_x']
    `(c AT TIME ZONE 'UTC')::date` [name: 'i_cast_utc']
    `date(c AT TIME ZONE 'UTC')` [name: 'i_date_utc']
    `lower(id)` [name: 'no11']
    `upper(s)` [name: 'no12']
  }
}
""")
    assert sorted(i.name for i in table(r, "t").indexes) == [
        "i_cast_d", "i_cast_utc", "i_date_d", "i_date_utc", "i_extract_d", "i_lower_x",
        "i_trunc_d"]
    w = warned(r)
    assert "calls date() on c, which is timestamptz: not immutable" in w[10]
    assert "casts s (enum) to text, which is not immutable" in w[14]
    assert "casts x (text) to date" in w[21]
    assert 24 not in w  # the printer keeps the parentheses of (c AT TIME ZONE 'UTC')::date
    assert "calls lower() on id, which is a number" in w[26]
    assert "calls upper() on s, which is an enum" in w[27]


# -- the whole path ----------------------------------------------------------------------------
STRANGE = r"""Project "My Shop" {
  database_type: 'PostgreSQL'
  Note: '''
    # Shop
    It's "quoted", a backslash \\ and a \'''triple\'''
  '''
}

Enum "order status" {
  "new"
  "in progress" [note: 'working']
  "it's done"
  "a\\b"
  ""
  "NEW"
}

Enum status { a b }

TablePartial stamped {
  created_at timestamptz [not null, default: `now()`]
  indexes {
    created_at
  }
}

TableGroup "Core things" [color: #ff0000] {
  "order"
  "line item"
}

Table "order" as O [headercolor: #3498DB, note: '''multi
line, with a 'quote' '''] {
  "id" int [pk, increment]
  "user" varchar(50) [not null]
  "select" text
  class text
  "my col" text [note: 'has a space']
  "a.b" int
  "it's" text
  "say \"hi\"" text
  "naïve" text
  "数据" int
  default text [default: 'it\'s']
  metadata jsonb [default: '{"a": "b\'c"}']
  "function" int [default: -1]
  "None" numeric(10, 2) [default: -0.5]
  "True" boolean [default: false]
  st "order status" [default: 'it\'s done']
  tags "text[]" [default: '{}']
  day timestamptz
  ~stamped
  indexes {
    (`lower("user")`, "select") [unique, name: 'order user select']
    `date(day)` [name: 'order_day_idx']
    st [type: hash]
  }
}

Table "public"."line item" {
  id bigint [pk]
  "order" int [ref: > O.id]
  qty int [default: 1]
  status status
  ~stamped
  checks {
    `qty > 0` [name: 'positive qty']
  }
}

Table status {
  id int [pk]
}

Table shop."class" {
  id int [pk]
  order_id int
  line_id bigint [ref: - "line item".id]
  "Order_ID" int
}

Table this_is_a_very_long_table_name_that_is_longer_than_sixty_three_bytes_for_sure {
  id int [pk]
  parent int [ref: > shop."class".id, ref: < "order".id]
}

Table shop.status_serial {
  id serial [pk]
}
Table shop.status_serial_id_seq {
  id int [pk]
}

Ref "fk order class": shop."class".order_id > "order".id [delete: cascade, update: no action]
Ref: shop."class"."Order_ID" > "order".id [delete: set null]

Records "line item"(id, qty) {
  1, 2
}
"""


def test_strange_dbml_imports_warns_and_reads_back() -> None:
    r = imported(STRANGE)
    s = r.schema
    assert {(t.namespace, t.name) for t in s.tables} == {
        ("public", "order"), ("public", "line item"), ("public", "status"),
        ("shop", "class"), ("public", "this_is_a_very_long_table_name_that_is_longer_than_"
                                      "sixty_three_"),
        ("shop", "status_serial"), ("shop", "status_serial_id_seq")}
    assert {e.name for e in s.enums} == {"order status", "status_enum"}
    order = table(r, "order")
    assert order.comment == "multi\nline, with a 'quote' "
    assert order.subject_area == "Core things"
    assert [i.name for i in order.indexes if i.name == "order_day_idx"] == []
    text = to_dbml(s)
    back = adopt_uids(s, import_dbml([("back.dbml", text)]).schema)
    assert [op.describe() for op in diff(s, back)] == [], text
    assert back == s


@pytest.mark.postgres
def test_strange_dbml_export_upgrades_downgrades_and_matches_its_models(
        pg_server: PgServer, tmp_path: Path) -> None:
    s = imported(STRANGE).schema
    version = VersionInput(number=1, message="Imported baseline", author="stranger",
                           created="2026-01-01", schema=s, baseline=True)
    bundle = h.write_bundle(build_bundle([version], slug="stranger"), tmp_path / "bundle")
    migrated, reference = pg_server.create_database(), pg_server.create_database()
    try:
        h.alembic(bundle, migrated, "upgrade", "head")
        h.alembic(bundle, migrated, "check")
        first = h.schema_dump(pg_server, migrated)
        with h.imported(bundle, f"{package_name('stranger')}.models") as models:
            orm.configure_mappers()
            engine = sa.create_engine(h.sa_url(reference), poolclass=sa.pool.NullPool)
            try:
                models.Base.metadata.create_all(engine)
            finally:
                engine.dispose()
        expected = h.schema_dump(pg_server, reference)
        table_name = version_table_name([s])
        first = [line for line in first if table_name not in line]
        assert first == expected, h.dump_diff(expected, first, ("create_all", "migrations"))
        h.alembic(bundle, migrated, "downgrade", "base")
        assert h.leftovers(migrated) == []
        h.alembic(bundle, migrated, "upgrade", "head")
    finally:
        for url in (migrated, reference):
            pg_server.drop_database(url)
