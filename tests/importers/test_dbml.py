"""DBML import (PyDBML 1.2.1 plus a pre-pass for its gaps)."""

from __future__ import annotations

import pytest

from modeler.importers import ImportResult, SchemaImportError, import_dbml
from modeler.schema import model as m

SHOP = """
Project shop {
  database_type: 'PostgreSQL'
  Note: 'An example shop'
}

enum order_status {
  created [note: 'Just placed']
  shipped
  "on hold"
}

Table users as U [headercolor: #3498DB] {
  id integer [pk, increment]
  email varchar(320) [not null, unique, note: 'Login']
  created_at timestamptz [default: `now()`]
  active boolean [default: true]
  score numeric(5,2) [default: 0.5]
  nick text [default: 'anon']
  Note: 'People'
}

Table orders {
  id bigserial [pk]
  user_id integer [not null, ref: > U.id]
  status order_status [default: 'created']
  tags text[]
  indexes {
    (user_id, status) [name: 'orders_user_status']
    user_id [unique]
    `md5(user_id::text)` [type: hash]
  }
}

Table shop.items {
  order_id bigint
  line int
  product_id int
  indexes {
    (order_id, line) [pk]
  }
}

Table products {
  id int [pk]
}

Ref item_order: shop.items.order_id > orders.id [delete: cascade, update: no action]
Ref: products.id < shop.items.product_id
Table profiles {
  user_id integer [pk, ref: - users.id]
}
Table tags {
  id int [pk]
}
Ref: products.id <> tags.id

TableGroup sales {
  orders
  shop.items
}
"""


@pytest.fixture(scope="module")
def shop() -> ImportResult:
    return import_dbml([("shop.dbml", SHOP)])


def tbl(r: ImportResult, name: str, ns: str = "public") -> m.Table:
    t = r.schema.table_named(name, ns)
    assert t is not None
    return t


def rel(r: ImportResult, name: str) -> m.Relationship:
    return next(x for x in r.schema.relationships if x.name == name)


def test_tables_columns_and_settings(shop: ImportResult) -> None:
    users = tbl(shop, "users")
    assert users.comment == "People" and users.color == "#3498DB"
    cols = {c.name: c for c in users.columns}
    assert cols["id"].identity == "by default" and cols["id"].pk_order == 1
    assert cols["email"].type == m.ColumnType(name="varchar", length=320)
    assert not cols["email"].nullable and cols["email"].comment == "Login"
    assert cols["created_at"].default == "now()"
    assert cols["active"].default == "true"
    assert cols["score"].default == "0.5"
    assert cols["nick"].default == "'anon'"
    assert cols["nick"].nullable
    assert [u.name for u in users.uniques] == ["users_email_key"]
    assert users.pk_name == "users_pkey"


def test_serial_enum_and_array_columns(shop: ImportResult) -> None:
    orders = {c.name: c for c in tbl(shop, "orders").columns}
    assert orders["id"].type.name == "bigint"
    assert orders["id"].default == "nextval('orders_id_seq'::regclass)"
    assert orders["status"].type.kind == "enum"
    assert orders["tags"].type == m.ColumnType(name="text", array_dims=1)
    enum = shop.schema.enums[0]
    assert enum.labels == ("created", "shipped", "on hold")
    assert "created: Just placed" in enum.comment


def test_indexes(shop: ImportResult) -> None:
    idx = {i.name: i for i in tbl(shop, "orders").indexes}
    assert set(idx) == {"orders_user_status", "orders_user_id_idx", "orders_md5_idx"}
    assert idx["orders_user_id_idx"].unique
    assert idx["orders_md5_idx"].method == "hash"
    assert idx["orders_md5_idx"].parts[0].expression == "md5(user_id::text)"
    items = tbl(shop, "items", "shop")
    assert [c.name for c in items.primary_key] == ["order_id", "line"]


def test_refs_actions_cardinality_and_aliases(shop: ImportResult) -> None:
    named = rel(shop, "item_order")
    assert (named.on_delete, named.on_update) == ("CASCADE", "NO ACTION")
    assert shop.schema.table(named.child_table).name == "items"
    inline = rel(shop, "orders_user_id_fkey")
    assert shop.schema.table(inline.parent_table).name == "users"
    assert inline.on_delete == "UNSPECIFIED" and inline.cardinality == "one-to-many"
    reverse = rel(shop, "items_product_id_fkey")
    assert shop.schema.table(reverse.child_table).name == "items"
    one = rel(shop, "profiles_user_id_fkey")
    assert one.cardinality == "one-to-one"


def test_many_to_many_creates_a_junction_table(shop: ImportResult) -> None:
    j = tbl(shop, "products_tags")
    assert j.kind == "junction"
    assert [c.name for c in j.primary_key] == ["products_id", "tags_id"]
    assert len(shop.schema.relationships_of(j.uid)) == 2
    assert any("junction" in w.message for w in shop.warnings)


def test_groups_project_and_notes(shop: ImportResult) -> None:
    assert tbl(shop, "orders").subject_area == "sales"
    assert tbl(shop, "items", "shop").subject_area == "sales"
    assert shop.schema.name == "shop"
    assert any("Project note" in w.message for w in shop.warnings)


def test_checks_blocks_column_checks_and_one_line_blocks() -> None:
    dbml = """enum size { s m l }
Project p { database_type: 'PostgreSQL' }
Table box {
  w int [not null, check: `w > 0`]
  h int [check: `h > 0`, note: 'height']
  checks {
    `w < h` [name: 'narrow']
    `w + h < 100`
  }
}
TablePartial base {
  id int
}
"""
    r = import_dbml([("c.dbml", dbml)])
    box = r.schema.table_named("box")
    assert box is not None
    assert {(c.name, c.expression) for c in box.checks} == {
        ("box_w_check", "w > 0"), ("box_h_check", "h > 0"), ("narrow", "w < h"),
        ("box_check", "(w + h) < 100")}
    assert box.columns[1].comment == "height"
    assert r.schema.enums[0].labels == ("s", "m", "l")
    assert r.warnings == ()  # the TablePartial is read, and injected nowhere


def test_lines_after_one_line_blocks_are_the_input_lines() -> None:
    with pytest.raises(SchemaImportError) as info:
        import_dbml([("e.dbml", "enum e { a b }\nTable t {\n  id int [nope: 1]\n  x\n}\n")])
    assert (info.value.line, info.value.message) == (
        4, "DBML syntax error: column x has no type")


def test_syntax_error_reports_the_input_line() -> None:
    dbml = "enum e { a b }\n\nTable t {\n  id int [pk\n}\n"
    with pytest.raises(SchemaImportError) as info:
        import_dbml([("bad.dbml", dbml)])
    assert info.value.file == "bad.dbml"
    assert info.value.line is not None and info.value.line >= 3


def test_unknown_types_are_mapped_and_refs_to_missing_tables_warn() -> None:
    """Types PostgreSQL does not have become the nearest one, with a warning each
    (tests/importers/test_dbml_types.py has the details)."""
    r = import_dbml([("x.dbml", 'Table a {\n  c "Code"\n  d "bigint unsigned"\n'
                                 "  e int [ref: > nowhere.id]\n}\n")])
    t = r.schema.table_named("a")
    assert t is not None
    assert [c.type for c in t.columns[:2]] == [m.ColumnType(name="text"),
                                              m.ColumnType(name="bigint")]
    assert [(w.line, w.kind) for w in r.warnings if w.message.startswith("type ")] == [
        (2, "approximation"), (3, "approximation")]
    assert any(w.kind == "unresolved" for w in r.warnings)


def test_deterministic() -> None:
    assert import_dbml([("s.dbml", SHOP)]).schema == import_dbml([("s.dbml", SHOP)]).schema


def test_defaults_as_written_decimals_and_json_documents() -> None:
    """Regressions (adventureworks / db2dbml DBML): PyDBML reads ``default: 1.00`` as the float
    1.0 (a numeric constant loses its scale) and rejects ``-0.5``; db2dbml writes json defaults
    as a backtick "expression" that is a JSON document."""
    r = import_dbml([("d.dbml", """Table t {
  a numeric(8,2) [not null, default: 1.00, note: 'default: 2.50 stays in the note']
  b numeric [default: -0.50]
  c int [default: 3]
  d int [default: -3]
  j jsonb [default: `{"k": "it's"}`]
  k json [default: `[1, 2]`]
  e text [default: `lower('X')`]
}""")])
    cols = {c.name: c for c in r.schema.tables[0].columns}
    assert {n: c.default for n, c in cols.items()} == {
        "a": "1.00", "b": "-0.50", "c": "3", "d": "-3", "j": """'{"k": "it''s"}'""",
        "k": "'[1, 2]'", "e": "lower('X')"}
    assert cols["a"].comment == "default: 2.50 stays in the note"
    assert sum("JSON document" in w.message for w in r.warnings) == 2


def test_schema_qualified_custom_types_keep_their_case() -> None:
    """Regression (adventureworks DBML, ``public.Name`` for the domain "Name"): a qualified
    type reference names its type exactly, as a qualified enum reference does; other custom
    spellings are kept as written."""
    r = import_dbml([("t.dbml", 'Table t {\n  a public.Name\n  b "sales"."OrderNo"\n'
                                "  c geo.point2d\n  d citext\n  e \"geometry(Point,4326)\"\n}")])
    assert [c.type.name for c in r.schema.tables[0].columns] == [
        '"Name"', 'sales."OrderNo"', "geo.point2d", "citext", "geometry(Point,4326)"]


def test_unique_indexes_other_than_btree_become_btree_with_a_warning() -> None:
    """Regression (pydbml-test-schema, ``id [type: hash, unique]``): PostgreSQL refuses a
    unique hash index, so the export did not upgrade."""
    r = import_dbml([("h.dbml", "Table t {\n  id int\n  code text\n  indexes {\n"
                                "    code [type: hash]\n    id [type: hash, unique]\n  }\n}\n")])
    idx = {i.name: i for i in r.schema.tables[0].indexes}
    assert (idx["t_code_idx"].method, idx["t_code_idx"].unique) == ("hash", False)
    assert (idx["t_id_idx"].method, idx["t_id_idx"].unique) == ("btree", True)
    assert [(w.line, w.kind) for w in r.warnings] == [(6, "approximation")]
    assert "t_id_idx on t is of type hash" in r.warnings[0].message


KEYLESS = """Table item {
  doc_type int [pk]
  doc_no int [pk]
  code varchar
}

Table line {
  id int [pk]
  doc_type int
  doc_no int
  code varchar
  owner_id varchar [ref: > person.code]
}

Table person {
  id int [pk]
  code varchar [unique]
}

Ref: line.doc_type > item.doc_type
Ref: line.doc_no > item.doc_no [delete: cascade]
Ref fk_code: line.code > item.code
Ref: line.id > item.doc_no
Ref {
  line.id > item.code
}
"""


def test_references_to_columns_that_are_no_key() -> None:
    """Regression (dbml-bench-18k: 588 of its 3,175 references name one column of a
    composite primary key): PostgreSQL refuses a foreign key whose target is not a primary
    key or unique constraint, so the export did not upgrade. References naming every column
    of a key one by one become one composite key; the others are left out; all reported at
    their lines."""
    r = import_dbml([("k.dbml", KEYLESS)])
    rels = {x.name: x for x in r.schema.relationships}
    assert set(rels) == {"line_owner_id_fkey", "line_doc_type_doc_no_fkey"}
    cols = {c.uid: c.name for t in r.schema.tables for c in t.columns}
    merged = rels["line_doc_type_doc_no_fkey"]
    assert [cols[c] for c in merged.child_columns] == ["doc_type", "doc_no"]
    assert [cols[c] for c in merged.parent_columns] == ["doc_type", "doc_no"]
    assert (merged.on_delete, merged.on_update) == ("UNSPECIFIED", "UNSPECIFIED")
    found = [(w.line, w.kind, w.message.split(":")[0]) for w in r.warnings]
    assert found == [
        (20, "approximation", "references line.doc_type > item.doc_type, line.doc_no > "
                              "item.doc_no name the columns of a key of item one by one"),
        (22, "unsupported", "reference line.code > item.code left out"),
        (23, "unsupported", "reference line.id > item.doc_no left out"),
        (25, "unsupported", "reference line.id > item.code left out"),
    ]
    assert "their actions differ: left unspecified" in r.warnings[0].message
    assert "and (code) of item is neither" in r.warnings[1].message


def test_unresolved_references_have_their_line() -> None:
    r = import_dbml([("u.dbml", "Table a {\n  id int [pk]\n  b_id int [ref: > b.id]\n}\n"
                                "\nRef: a.id > c.id\n")])
    assert [(w.line, w.kind) for w in r.warnings] == [(3, "unresolved"), (6, "unresolved")]
