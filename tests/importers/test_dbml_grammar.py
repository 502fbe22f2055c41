"""The current DBML grammar, feature by feature (each of these was refused, or imported wrong,
by the PyDBML-based importer): table partials, settings on every element, enum values as
defaults, quoted schemas, signed numbers, arrays of arrays, records, sticky notes, checks,
composite and inline references, index settings, aliases, one-to-one and many-to-many."""

from __future__ import annotations

import pytest

from modeler.importers import ImportResult, SchemaImportError, import_dbml
from modeler.schema import model as m


def imported(text: str) -> ImportResult:
    return import_dbml([("g.dbml", text)])


def table(r: ImportResult, name: str, ns: str = "public") -> m.Table:
    t = r.schema.table_named(name, ns)
    assert t is not None, [x.name for x in r.schema.tables]
    return t


def columns(t: m.Table) -> dict[str, m.Column]:
    return {c.name: c for c in t.columns}


def names(r: ImportResult, uids: tuple[str, ...]) -> list[str]:
    by_uid = {c.uid: c.name for t in r.schema.tables for c in t.columns}
    return [by_uid[u] for u in uids]


def warnings(r: ImportResult) -> list[tuple[int | None, str]]:
    return [(w.line, w.kind) for w in r.warnings]


# -- table partials ------------------------------------------------------------------------
PARTIALS = """TablePartial base [headercolor: #ff0000, note: 'from base'] {
  id int [pk, increment]
  created_at timestamptz [default: `now()`]
  indexes {
    created_at
  }
}

TablePartial named {
  name varchar(80) [not null]
  code text [check: `length(code) = 3`]
  checks {
    `name <> ''` [name: 'named_name']
  }
}

TablePartial renamed {
  name text
}

Table product [note: 'own note'] {
  ~base
  label text
  ~named
  ~renamed
  created_at date
}
"""


def test_table_partials_inject_columns_indexes_checks_and_settings() -> None:
    r = imported(PARTIALS)
    t = table(r, "product")
    cols = columns(t)
    # the table's own created_at wins over the partial's; the later partial's name wins
    assert list(cols) == ["id", "label", "code", "name", "created_at"]
    assert cols["created_at"].type == m.ColumnType(name="date")
    assert cols["name"].type == m.ColumnType(name="text") and cols["name"].nullable
    assert cols["id"].identity == "by default" and cols["id"].pk_order == 1
    assert [i.name for i in t.indexes] == ["product_created_at_idx"]
    assert {c.name for c in t.checks} == {"product_code_check", "named_name"}
    assert t.color == "#ff0000" and t.comment == "own note"
    assert r.warnings == ()


def test_a_missing_partial_is_reported_at_its_injection() -> None:
    r = imported("Table t {\n  id int\n  ~nowhere\n}\n")
    assert [c.name for c in table(r, "t").columns] == ["id"]
    assert warnings(r) == [(3, "unresolved")]
    assert "no TablePartial nowhere" in r.warnings[0].message


def test_a_partial_injects_no_partial() -> None:
    r = imported("TablePartial a {\n  x int\n}\nTablePartial b {\n  ~a\n  y int\n}\n"
                 "Table t {\n  ~b\n}\n")
    assert [c.name for c in table(r, "t").columns] == ["y"]
    assert warnings(r) == [(5, "unsupported")]


def test_partial_references_belong_to_each_table_that_injects_them() -> None:
    r = imported("TablePartial owned {\n  owner_id int [ref: > person.id]\n}\n"
                 "Table person {\n  id int [pk]\n}\nTable a {\n  ~owned\n}\n"
                 "Table b {\n  ~owned\n}\n")
    rels = {(r.schema.table(x.child_table).name, x.name) for x in r.schema.relationships}
    assert rels == {("a", "a_owner_id_fkey"), ("b", "b_owner_id_fkey")}


# -- settings on references, groups and notes ---------------------------------------------
def test_reference_settings_short_and_long_form() -> None:
    r = imported("Table a {\n  id int [pk]\n}\nTable b {\n  id int [pk]\n  a_id int\n}\n"
                 "Ref r1: b.a_id > a.id [delete: cascade, update: no action, color: #aabbcc]\n"
                 "Ref r2 [delete: set null] {\n  b.id - a.id [update: restrict]\n}\n")
    rels = {x.name: x for x in r.schema.relationships}
    assert (rels["r1"].on_delete, rels["r1"].on_update) == ("CASCADE", "NO ACTION")
    assert (rels["r2"].on_delete, rels["r2"].on_update) == ("SET NULL", "RESTRICT")
    assert rels["r2"].cardinality == "one-to-one"
    assert r.warnings == ()


def test_table_group_settings_and_note() -> None:
    r = imported("Table t1 {\n  id int\n}\nTable t2 {\n  id int\n}\n"
                 "TableGroup g1 [color: #fff, note: 'first'] {\n  t1\n}\n"
                 "TableGroup g2 [\n  note: '''multi\n  line''',\n  color: #06c\n] {\n  t2\n"
                 "  Note: 'body note'\n}\nTableGroup empty [color: #000] { }\n")
    assert (table(r, "t1").subject_area, table(r, "t2").subject_area) == ("g1", "g2")
    assert r.warnings == ()


def test_sticky_notes_with_settings_are_reported_not_refused() -> None:
    r = imported("Note n1 [color: #FF5733] {\n  'One line note'\n}\n"
                 "Note n2 {\n  '''\n    # Title\n    body\n  '''\n}\nTable t {\n  id int\n}\n")
    assert warnings(r) == [(1, "approximation"), (4, "approximation")]
    assert "sticky note n1 is not modelled" in r.warnings[0].message


def test_project_settings_and_note_block() -> None:
    r = imported("Project shop [note: 'short'] {\n  database_type: 'PostgreSQL'\n"
                 "  owner: 'team'\n  Note {\n    'the project'\n  }\n}\nTable t {\n  id int\n}\n")
    assert r.schema.name == "shop"
    assert [w.message for w in r.warnings] == ["the Project note is not modelled"]


# -- comments, strings, notes -------------------------------------------------------------
def test_comments_everywhere_including_before_an_enum_brace() -> None:
    r = imported("/* Table gone {\n} */\nEnum e { // abc\n  a /* def */\n  b [note: 'x'] // c\n"
                 "  // last\n} // after\nTable t { // x\n  c e // y\n  /*\n  gone int\n  */\n}\n")
    assert r.schema.enums[0].labels == ("a", "b")
    assert [c.name for c in table(r, "t").columns] == ["c"]


def test_multi_line_strings_and_notes_keep_slashes() -> None:
    r = imported("Table t {\n  id int [note: '''\n\n    # Objective\n      * long string that "
                 "can \\\n'span' lines\n    /// not a comment\n  ''']\n"
                 "  Note: 'see http://example.com // still the note'\n}\n")
    t = table(r, "t")
    assert t.columns[0].comment == ("# Objective\n  * long string that can 'span' lines\n"
                                    "/// not a comment")
    assert t.comment == "see http://example.com // still the note"


def test_one_table_note_is_kept_and_more_are_reported() -> None:
    r = imported("Table t [note: 'settings'] {\n  id int\n  Note: 'body'\n}\n")
    assert table(r, "t").comment == "body"
    assert warnings(r) == [(3, "approximation")]


# -- types and names ------------------------------------------------------------------------
def test_arrays_of_arrays_and_sized_arrays() -> None:
    r = imported("Table t {\n  a text[][] [null]\n  b integer[3][3]\n  c int[] [not null]\n}\n")
    cols = columns(table(r, "t"))
    assert [(c.type.name, c.type.array_dims) for c in cols.values()] == [
        ("text", 2), ("integer", 2), ("integer", 1)]
    assert not cols["c"].nullable


def test_quoted_schema_names_and_empty_settings() -> None:
    r = imported('Table "C##dbx".users [] {\n  user_id int [pk]\n}\n'
                 'Table "C##dbx".wishlist {\n  user_id int\n  Indexes {\n'
                 '    (user_id) [pk, name: "PK_WISHLIST"]\n  }\n}\n'
                 'Ref FK_WISHLIST_USER:"C##dbx".users.user_id < "C##dbx".wishlist.user_id\n')
    wish = table(r, "wishlist", "C##dbx")
    assert wish.pk_name == "PK_WISHLIST"
    [rel] = r.schema.relationships
    assert rel.name == "FK_WISHLIST_USER" and rel.child_table == wish.uid


def test_signed_numbers_in_type_arguments_and_defaults() -> None:
    r = imported("Table a {\n  id int(-1) [default: -2]\n  id2 int(--1) [default: +-2]\n"
                 "  id3 numeric (+-+---+10, 2) [default: --++7.2225]\n"
                 "  id4 numeric [default: --++-+--7.2225]\n}\n")
    cols = columns(table(r, "a"))
    assert [c.default for c in cols.values()] == ["-2", "-2", "7.2225", "-7.2225"]
    assert cols["id3"].type == m.ColumnType(name="numeric", precision=10, scale=2)


def test_enum_values_as_defaults() -> None:
    r = imported('Enum status {\n  active\n  churned\n}\nEnum demographic."age segment" {\n'
                 "  toddler\n  elder\n}\nTable user {\n  s status [default: status.active]\n"
                 "  t status [default: `status.churned`]\n"
                 '  a demographic."age segment" [default: demographic."age segment".elder]\n'
                 "  bad status [default: status.gone]\n}\n")
    cols = columns(table(r, "user"))
    assert [c.default for c in cols.values()] == ["'active'", "'churned'", "'elder'", None]
    assert warnings(r) == [(13, "unsupported")]
    assert "enum status has no value gone" in r.warnings[0].message


def test_schema_qualified_enums_and_aliases() -> None:
    r = imported("Enum shop.state {\n  open\n  closed\n}\nTable shop.orders as O {\n"
                 "  id int [pk]\n  state shop.state [default: shop.state.open]\n}\n"
                 "Table lines {\n  order_id int [ref: > O.id]\n}\n"
                 "TableGroup g [color: #abc] {\n  O\n}\n")
    orders = table(r, "orders", "shop")
    assert orders.columns[1].type.kind == "enum" and orders.subject_area == "g"
    assert orders.columns[1].default == "'open'"
    [rel] = r.schema.relationships
    assert rel.parent_table == orders.uid


def test_header_colors_any_case_and_from_partials() -> None:
    r = imported("TablePartial p [headerColor: #ccc] {\n  Note {\n    'from p'\n  }\n}\n"
                 "Table t [HeaderColor: #0065ab] {\n  id int\n  ~p\n}\n"
                 "Table u {\n  id int\n  ~p\n}\n")
    assert (table(r, "t").color, table(r, "t").comment) == ("#0065ab", "from p")
    assert table(r, "u").color == "#ccc"


# -- records, checks ----------------------------------------------------------------------
def test_records_are_reported_as_data_not_refused() -> None:
    r = imported('Table users {\n  id int [pk]\n  name text\n  records (id, name) {\n'
                 '    1, "Alice"\n  }\n}\nRecords users(id, name) {\n  2, "Bob"\n'
                 '  3, null\n}\n')
    assert warnings(r) == [(4, "ignored"), (8, "ignored")]
    assert [w.message.split(":")[0] for w in r.warnings] == ["Records of users (1 row)",
                                                             "Records of users (2 rows)"]


def test_checks_blocks_and_check_settings() -> None:
    r = imported("Table account {\n  balance int [check: `balance > 0`, check: `balance < 100`]\n"
                 "  name text\n  checks {\n    `length(name) < 256` [name: 'name_not_too_long']\n"
                 "    `balance <> 13`\n  }\n}\n")
    checks = {c.name: c.expression for c in table(r, "account").checks}
    assert checks == {"account_balance_check": "balance > 0",
                      "account_balance_check1": "balance < 100",
                      "name_not_too_long": "length(name) < 256",
                      "account_balance_check2": "balance <> 13"}


# -- references ---------------------------------------------------------------------------
REFS = """Table p {
  a int
  b int
  indexes {
    (a, b) [pk]
  }
}
Table c {
  id int [pk]
  x int
  y int
  p_id int [ref: <> q.id]
}
Table q {
  id int [pk]
  c_id int [ref: - c.id]
}
Ref: c.(x, y) > p.(a, b)
"""


def test_composite_inline_one_to_one_and_many_to_many_references() -> None:
    r = imported(REFS)
    rels = {x.name: x for x in r.schema.relationships}
    composite = rels["c_x_y_fkey"]
    assert names(r, composite.child_columns) == ["x", "y"]
    assert names(r, composite.parent_columns) == ["a", "b"]
    assert rels["q_c_id_fkey"].cardinality == "one-to-one"
    junction = table(r, "c_q")
    assert junction.kind == "junction"
    assert [c.name for c in junction.primary_key] == ["c_p_id", "q_id"]
    assert "PostgreSQL enforces it through a table" in r.warnings[0].message


def test_index_settings_and_pk_indexes() -> None:
    r = imported("Table t {\n  a int\n  b text\n  c jsonb\n  indexes {\n"
                 "    (a, `lower(b)`) [type: hash, unique, name: 'ab_key']\n"
                 "    (a, b) [pk]\n    c [type: gin, note: 'search']\n    a [type: gin]\n  }\n}\n")
    t = table(r, "t")
    idx = {i.name: i for i in t.indexes}
    assert (idx["ab_key"].method, idx["ab_key"].unique) == ("btree", True)
    assert idx["ab_key"].parts[1].expression == "lower(b)"
    assert (idx["t_c_idx"].method, idx["t_c_idx"].comment) == ("gin", "search")
    assert idx["t_a_idx"].method == "btree"  # integer has no gin operator class
    assert [c.name for c in t.primary_key] == ["a", "b"]
    assert [(w.line, w.kind) for w in r.warnings] == [(6, "approximation"), (9, "approximation")]


def test_a_primary_key_of_no_columns_is_reported() -> None:
    r = imported("Table t {\n  a int [pk]\n  indexes {\n    (a, nope) [pk]\n"
                 "    `a + 1` [pk]\n  }\n}\n")
    assert [c.name for c in table(r, "t").primary_key] == ["a"]
    assert warnings(r) == [(4, "unresolved"), (5, "unresolved")]


def test_old_undocumented_syntax() -> None:
    r = imported('Table c {\n  id integer [primary key]\n  name e [default: "hello"]\n'
                 "  note: 'old'\n}\nTable d {\n\tid integer\n\tname string\n\tindexes {\n"
                 "\t\tid name\n\t}\n}\nTable e {\n  a varchar(10) unique pk\n}\n")
    assert columns(table(r, "c"))["name"].default == "'hello'"
    assert table(r, "c").comment == "old"
    [ix] = table(r, "d").indexes
    assert len(ix.parts) == 2
    assert [c.name for c in table(r, "e").primary_key] == ["a"]


@pytest.mark.parametrize(("text", "line", "message"), [
    ("Table t {\n  id int [pk\n}\n", 3,
     "expected ',' or the ']' of the settings list of line 2, found '}'"),
    ("Table t {\n  id int\n", 1, "the '{' of Table (line 1) is never closed"),
    ("Ref: a.b >> c.d\n", 1, "expected a column reference (table.column, schema.table.column "
                            "or table.(a, b)), found >c.d"),
    ("Table t {\n  id\n}\n", 2, "column id has no type"),
    ("Table t {\n  id int [default: foo]\n}\n", 2, "default foo is not a DBML value"),
    ("Table t {\n  id int [delete: cascade, ref: a.b]\n}\n", 2, "ref: of column id expects"),
    ("Ref: a.b > c.d [delete: explode]\n", 1, "delete: expects cascade"),
    ("Enum e {\n  a [note: 1]\n}\n", 2, "expected a string for an enum value note"),
    ("Table t {\n  'x' int\n}\n", 2, "expected a column name"),
    ("hello world\n", 1, "expected '{' or ':' after hello world, found the end of the file"),
    ("Table t {\n  id int [note: 'x]\n}\n", 2, "unterminated 'string'"),
    ("Table t {\n  id int [default: `now()]\n}\n", 2, "unterminated `expression`"),
    ("Table t {\n  id int\n}\n/* x\n", 4, "unterminated /* comment"),
    ("Table t { id int [note: '''x]\n}\n", 1, "unterminated '''string'''"),
])
def test_errors_name_the_line_and_the_reason(text: str, line: int, message: str) -> None:
    with pytest.raises(SchemaImportError) as info:
        imported(text)
    assert info.value.file == "g.dbml" and info.value.line == line
    assert message in info.value.message, info.value.message
