"""Example-based tests of the differ: renames, FK ordering, enum values, keys, summary."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from modeler.diff import (
    AddEnumValue,
    AddForeignKey,
    AlterColumn,
    CreateTable,
    DropColumn,
    DropForeignKey,
    DropTable,
    RemoveEnumValue,
    RenameColumn,
    RenameTable,
    apply_all,
    diff,
    reverse_all,
)
from modeler.diff.summary import summarize
from modeler.schema import model as m
from modeler.schema.builder import SchemaBuilder
from modeler.schema.enumlabels import follow_labels


def shop() -> m.Schema:
    b = SchemaBuilder()
    b.enum("order_status", ["new", "paid", "shipped"])
    c = b.table("customer", comment="People who buy things")
    c.column("id", "bigint", identity="always", pk=True)
    c.column("email", "varchar", length=320)
    o = b.table("order_")
    o.column("id", "bigint", identity="always", pk=True)
    o.column("customer_id", "bigint")
    o.column("status", enum="order_status", default="'new'")
    o.index("customer_id")
    b.relationship("order_", ["customer_id"], "customer", on_delete="RESTRICT")
    return b.build()


def edit_table(s: m.Schema, table: str, /, **kw: Any) -> m.Schema:
    t = s.table_named(table)
    assert t is not None
    return m.normalized(replace(s, tables=tuple(replace(x, **kw) if x.uid == t.uid else x
                                                for x in s.tables)))


def edit_column(s: m.Schema, table: str, column: str, /, **kw: Any) -> m.Schema:
    t = s.table_named(table)
    assert t is not None
    cols = tuple(replace(c, **kw) if c.name == column else c for c in t.columns)
    return edit_table(s, table, columns=cols)


def check_roundtrip(a: m.Schema, b: m.Schema) -> None:
    ops = diff(a, b)
    assert apply_all(ops, a) == b
    assert apply_all(reverse_all(ops), b) == a


def test_no_change_no_ops() -> None:
    assert diff(shop(), shop()) == ()


def test_rename_is_a_rename_not_drop_and_add() -> None:
    a = shop()
    b = edit_table(edit_column(a, "customer", "email", name="email_address"), "customer",
                   name="client")
    ops = diff(a, b)
    assert [type(op) for op in ops] == [RenameTable, RenameColumn]
    assert ops[0].describe() == "rename table customer to client"
    assert ops[1].describe() == "rename column client.email to email_address"
    assert not any(op.destructive for op in ops)
    check_roundtrip(a, b)


def test_swapped_column_names_go_through_a_temporary_name() -> None:
    a = shop()
    b = edit_column(edit_column(a, "order_", "customer_id", name="tmpname"), "order_",
                    "status", name="customer_id")
    b = edit_column(b, "order_", "tmpname", name="status")
    ops = diff(a, b)
    assert all(isinstance(op, RenameColumn) for op in ops)
    assert len(ops) == 3  # one of the two goes through "<name>_tmp"
    assert any(op.new_name.endswith("_tmp") for op in ops if isinstance(op, RenameColumn))
    check_roundtrip(a, b)


def test_fk_cycle_creates_tables_first_then_fks() -> None:
    b = SchemaBuilder()
    for name in ("employee", "department"):
        b.table(name).column("id", "bigint", identity="always", pk=True)
    b.get("employee").column("department_id", "bigint", nullable=True)
    b.get("department").column("manager_id", "bigint", nullable=True)
    b.relationship("employee", ["department_id"], "department")
    b.relationship("department", ["manager_id"], "employee")
    s = b.build()
    ops = diff(m.Schema(), s)
    kinds = [type(op) for op in ops]
    assert kinds == [CreateTable, CreateTable, AddForeignKey, AddForeignKey]
    down = diff(s, m.Schema())
    assert [type(op) for op in down] == [DropForeignKey, DropForeignKey, DropTable, DropTable]
    check_roundtrip(m.Schema(), s)


def test_tables_created_parents_first() -> None:
    ops = diff(m.Schema(), shop())
    created = [op.table.name for op in ops if isinstance(op, CreateTable)]
    assert created == ["customer", "order_"]
    fk_at = next(i for i, op in enumerate(ops) if isinstance(op, AddForeignKey))
    assert fk_at == len(ops) - 1


def test_drop_table_drops_fks_pointing_to_it_first() -> None:
    a = shop()
    b = m.normalized(replace(a, tables=tuple(t for t in a.tables if t.name != "customer"),
                             relationships=()))
    ops = diff(a, b)
    assert [type(op) for op in ops] == [DropForeignKey, DropTable]
    assert ops[1].destructive
    check_roundtrip(a, b)


def _with_labels(s: m.Schema, values: tuple[m.EnumValue, ...]) -> m.Schema:
    return m.normalized(replace(s, enums=(replace(s.enums[0], values=values),)))


def test_enum_value_add_and_remove() -> None:
    a = shop()
    values = a.enums[0].values
    b = _with_labels(a, (values[0], m.EnumValue("v-cancelled", "cancelled"), *values[1:]))
    ops = diff(a, b)
    assert ops == (AddEnumValue(a.enums[0].uid, "order_status",
                                m.EnumValue("v-cancelled", "cancelled"), 1),)
    assert not ops[0].destructive
    check_roundtrip(a, b)
    c = _with_labels(a, values[:2])
    ops = diff(a, c)
    assert [type(op) for op in ops] == [RemoveEnumValue]
    assert ops[0].destructive
    assert ops[0].describe() == "remove value 'shipped' from enum order_status"
    check_roundtrip(a, c)


def test_enum_value_rename_by_uid() -> None:
    a = shop()
    v = a.enums[0].values
    # the design's default 'new' follows the label, as PostgreSQL's does (a design keeping
    # 'new' would name a label the enum no longer has)
    b = follow_labels(_with_labels(a, (replace(v[0], label="created"), *v[1:])),
                      a.enums[0].uid, {"new": "created"})
    ops = diff(a, b)
    assert [op.describe() for op in ops] == [
        "rename value 'new' of enum order_status to 'created'"]
    check_roundtrip(a, b)


def test_alter_column_carries_old_and_new() -> None:
    a = shop()
    b = edit_column(a, "customer", "email", type=m.ColumnType(name="varchar", length=100),
                    nullable=True, comment="Login")
    (op,) = diff(a, b)
    assert isinstance(op, AlterColumn)
    assert {c.field for c in op.changes} == {"type", "nullable", "comment"}
    assert op.destructive  # varchar(320) -> varchar(100) narrows
    wider = edit_column(a, "customer", "email", type=m.ColumnType(name="text"))
    assert not diff(a, wider)[0].destructive


def test_drop_column_carries_the_column() -> None:
    a = shop()
    t = a.table_named("customer")
    assert t is not None
    b = edit_table(a, "customer", columns=t.columns[:1])
    (op,) = diff(a, b)
    assert isinstance(op, DropColumn) and op.column == t.columns[1] and op.position == 1
    assert op.reverse().apply(b) == a


def test_primary_key_change_recreates_referencing_fks() -> None:
    a = shop()
    t = a.table_named("customer")
    assert t is not None
    b = edit_column(a, "customer", "email", pk_order=2)
    kinds = [op.kind for op in diff(a, b)]
    assert kinds == ["drop_foreign_key", "drop_primary_key", "add_primary_key",
                     "add_foreign_key"]
    check_roundtrip(a, b)


def test_metadata_only_changes_touch_no_db() -> None:
    a = shop()
    b = edit_table(a, "customer", position=m.Position(10, 20), color="#ff0000")
    b = edit_column(b, "customer", "email", frequently_queried=True)
    ops = diff(a, b)
    assert [op.kind for op in ops] == ["set_metadata", "set_metadata"]
    assert not any(op.touches_db for op in ops)
    check_roundtrip(a, b)


def test_summary_groups_changes_with_uids() -> None:
    a = shop()
    b = edit_table(edit_column(a, "customer", "email", name="mail"), "customer",
                   name="client", comment="")
    b = _with_labels(b, (*b.enums[0].values, m.EnumValue("v-x", "refunded")))
    summary = summarize(diff(a, b))
    customer = a.table_named("customer")
    assert customer is not None
    assert [e.uid for e in summary.tables.renamed] == [customer.uid]
    assert summary.tables.renamed[0].detail == "customer"
    assert [e.name for e in summary.columns.renamed] == ["client.mail"]
    assert [e.uid for e in summary.enum_values.added] == ["v-x"]
    assert customer.uid in summary.uids
    assert summary.destructive == ()
    assert not summary.indexes


def test_summary_folds_recreated_and_temporary() -> None:
    a = shop()
    b = edit_column(a, "customer", "email", pk_order=2)
    summary = summarize(diff(a, b))
    assert [e.detail for e in summary.constraints.changed] == ["recreated", "recreated"]
    assert not summary.constraints.added and not summary.constraints.removed


def test_narrowing_type_changes() -> None:
    from modeler.diff.narrowing import is_narrowing

    t = m.ColumnType
    assert not is_narrowing(t(name="integer"), t(name="bigint"))
    assert is_narrowing(t(name="bigint"), t(name="integer"))
    assert not is_narrowing(t(name="varchar", length=10), t(name="text"))
    assert is_narrowing(t(name="text"), t(name="varchar", length=10))
    assert not is_narrowing(t(name="numeric", precision=10, scale=2),
                            t(name="numeric", precision=12, scale=2))
    assert is_narrowing(t(name="numeric", precision=10, scale=2),
                        t(name="numeric", precision=10, scale=3))
    assert is_narrowing(t(name="integer"), t(name="integer", array_dims=1))
    assert not is_narrowing(t(kind="enum", ref="e"), t(name="text"))
    assert is_narrowing(t(name="text"), t(kind="enum", ref="e"))


def test_function_options_do_not_name_tables() -> None:
    """``LANGUAGE sql`` and ``SET search_path = ...`` are options, not table references: a
    function stays early even when a table is called ``language`` (musicbrainz)."""
    from modeler.diff.compare_types import early_raw_objects
    from modeler.schema import model as m
    from modeler.schema.builder import SchemaBuilder

    b = SchemaBuilder()
    b.table("language", comment="Languages").column("id", "integer", pk=True)
    b.table("t", comment="Uses the function").column("id", "integer", pk=True)
    schema = b.build()
    fn = m.RawObject(uid="00000000-0000-4000-8000-0000000000a1", kind="function",
                     name="trimmed", sql="CREATE FUNCTION trimmed(text) RETURNS boolean AS $$ "
                     "SELECT $1 = btrim($1) $$ LANGUAGE sql IMMUTABLE SET search_path = "
                     "public, pg_temp;")
    setof = m.RawObject(uid="00000000-0000-4000-8000-0000000000a2", kind="function",
                        name="all_t", sql="CREATE FUNCTION all_t() RETURNS SETOF t AS $$ "
                        "SELECT * FROM t $$ LANGUAGE sql;")
    from dataclasses import replace

    schema = replace(schema, raw_objects=(fn, setof))
    assert early_raw_objects(schema) == {fn.uid}


def test_a_schema_qualifier_is_not_a_table_reference() -> None:
    """``biblio.next_value()`` names no relation called ``biblio`` (evergreen has a view
    oai.biblio): the function stays early, so a column default can call it; ``SETOF s.t``
    and ``t.id%TYPE`` still wait for the table."""
    from dataclasses import replace

    from modeler.diff.compare_types import early_raw_objects
    from modeler.schema import model as m
    from modeler.schema.builder import SchemaBuilder

    b = SchemaBuilder()
    b.table("record_entry", namespace="biblio", comment="Records").column("id", "integer",
                                                                          pk=True)
    schema = b.build()
    view = m.RawObject(uid="00000000-0000-4000-8000-0000000000b1", kind="view", name="biblio",
                       namespace="oai", sql="CREATE VIEW oai.biblio AS SELECT 1 AS id;")
    fn = m.RawObject(uid="00000000-0000-4000-8000-0000000000b2", kind="function",
                     name="next_value", namespace="biblio",
                     sql="CREATE FUNCTION biblio.next_value () RETURNS text AS $$ SELECT "
                     "'x' $$ LANGUAGE sql;")
    setof = m.RawObject(uid="00000000-0000-4000-8000-0000000000b3", kind="function",
                        name="all_records", namespace="biblio",
                        sql='CREATE FUNCTION biblio.all_records() RETURNS SETOF "biblio"'
                        '."Record_Entry" AS $$ SELECT 1 $$ LANGUAGE sql;')
    rowtype = m.RawObject(uid="00000000-0000-4000-8000-0000000000b4", kind="function",
                          name="same_id", namespace="public",
                          sql="CREATE FUNCTION same_id(i biblio.record_entry.id%TYPE) RETURNS "
                          "int AS $$ SELECT i $$ LANGUAGE sql;")
    schema = replace(schema, raw_objects=(view, fn, setof, rowtype))
    assert early_raw_objects(schema) == {fn.uid}


def test_statements_on_tables_wait_and_do_blocks_read_their_body() -> None:
    """A kept SELECT of a function (which may create tables), indexes, ALTERs and comments
    come after the tables, in their order, without making the function they name wait; a DO
    block waits only when its body names a table (Evergreen's text search block does not)."""
    from dataclasses import replace

    from modeler.diff.compare_types import early_raw_objects
    from modeler.schema import model as m
    from modeler.schema.builder import SchemaBuilder

    b = SchemaBuilder()
    b.table("usr", comment="Users").column("id", "integer", pk=True)
    schema = b.build()

    def raw(n: int, kind: str, name: str, sql: str) -> m.RawObject:
        return m.RawObject(uid=f"00000000-0000-4000-8000-0000000000c{n}", kind=kind,
                           name=name, sql=sql)

    fn = raw(1, "function", "create_auditor", "CREATE FUNCTION create_auditor(text) RETURNS "
             "bool AS $$ BEGIN RETURN true; END $$ LANGUAGE plpgsql;")
    call = raw(2, "function call", "create_auditor", "SELECT create_auditor('usr');")
    index = raw(3, "index", "hist_idx", "CREATE INDEX hist_idx ON usr_history (id);")
    alter = raw(4, "alter table", "usr_history", "ALTER TABLE usr_history ADD x int;")
    note = raw(5, "comment", "usr_history", "COMMENT ON TABLE usr_history IS 'x';")
    fts = raw(6, "do block", "", "DO $$ DECLARE l text; BEGIN FOR l IN SELECT dictname FROM "
              "pg_ts_dict LOOP EXECUTE 'CREATE TEXT SEARCH CONFIGURATION ' || l || '_x "
              "(COPY = simple)'; END LOOP; END $$;")
    touch = raw(7, "do block", "", "DO $body$ BEGIN UPDATE usr SET id = id; END $body$;")
    schema = replace(schema, raw_objects=(fn, call, index, alter, note, fts, touch))
    assert early_raw_objects(schema) == {fn.uid, fts.uid}


def _with_expressions() -> m.Schema:
    b = SchemaBuilder()
    t = b.table("item", comment="Things")
    t.column("id", "bigint", identity="always", pk=True)
    t.column("price", "numeric", precision=10, scale=2)
    t.column("cost", "numeric", precision=10, scale=2, default="0")
    t.column("name", "text")
    t.check("ck_item_margin", "price >= cost AND name <> 'price'")
    t.index(expressions=("lower(name)",), name="ix_item_lower_name", where="price > 0")
    return b.build()


def test_renamed_columns_carry_their_expressions_along() -> None:
    """A column rename rewrites the table's CHECKs, index expressions and predicates as
    PostgreSQL's RENAME COLUMN does: the editor's design and the differ's state agree, and
    the migration is the rename alone (no drop and re-add of the check or the index)."""
    from modeler.schema import edit

    a = _with_expressions()
    t = a.table_named("item")
    assert t is not None
    price = t.column_named("price")
    name = t.column_named("name")
    assert price is not None and name is not None
    b = edit.put_column(a, t.uid, replace(price, name="list_price"))
    b = edit.put_column(b, t.uid, replace(name, name="title"))
    nt = b.table(t.uid)
    assert nt.checks[0].expression == "list_price >= cost AND title <> 'price'"
    assert nt.indexes[0].parts[0].expression == "lower(title)"
    assert nt.indexes[0].where == "list_price > 0"
    ops = diff(a, b)
    assert [type(op) for op in ops] == [RenameColumn, RenameColumn]
    check_roundtrip(a, b)


def test_swapped_names_rewrite_expressions_at_once() -> None:
    from modeler.schema import sqlexpr

    text = "price > cost AND lower(name) <> 'cost'"
    assert sqlexpr.rename_columns(text, {"price": "cost", "cost": "price"}) == \
        "cost > price AND lower(name) <> 'cost'"
    a = _with_expressions()
    t = a.table_named("item")
    assert t is not None
    b = edit_column(edit_column(a, "item", "price", name="tmp"), "item", "cost", name="price")
    b = edit_column(b, "item", "tmp", name="cost")
    b = edit_table(b, "item", checks=(replace(t.checks[0], expression=sqlexpr.rename_columns(
        t.checks[0].expression, {"price": "cost", "cost": "price"})),),
        indexes=(replace(t.indexes[0], where="cost > 0"),))
    ops = diff(a, b)
    assert all(isinstance(op, RenameColumn) for op in ops)
    check_roundtrip(a, b)


def test_dropping_a_column_drops_the_checks_and_indexes_that_use_it() -> None:
    """As PostgreSQL's DROP COLUMN: a CHECK or an expression index over the column goes
    with it, and the result is a valid design (the expression layer would refuse it else)."""
    import pytest

    from modeler.schema import edit, validate

    a = _with_expressions()
    t = a.table_named("item")
    assert t is not None
    name, price = t.column_named("name"), t.column_named("price")
    assert name is not None and price is not None
    assert "check ck_item_margin" in edit.dependents(a, name.uid)
    b = edit.drop(a, name.uid)
    assert b.table(t.uid).checks == () and b.table(t.uid).indexes == ()
    assert validate.problems(b) == []
    c = edit.put_column(a, t.uid, m.Column(uid="00000000-0000-4000-8000-000000000001",
                                           name="gross", type=m.ColumnType(name="numeric"),
                                           generated="price * 2"))
    with pytest.raises(ValueError, match="generated column gross"):
        edit.drop(c, price.uid)


def test_a_generation_expression_goes_before_the_column_it_reads_is_dropped() -> None:
    """``doubled`` (generated from ``code``) becomes a plain column while ``code`` is dropped
    and ``version`` takes its name: the expression is dropped first (PostgreSQL refuses to drop
    a column an expression reads), and the reverse restores ``code * 2`` bound to the old
    ``code``, not rewritten by the rename of ``code`` back to ``version`` (found by
    test_apply_diff_gives_new)."""
    b = SchemaBuilder()
    t = b.table("item")
    t.column("id", "bigint", identity="always", pk=True)
    t.column("code", "bigint")
    t.column("version", "integer")
    t.column("doubled", "bigint", generated="code * 2")
    old = b.build()
    item = old.tables[0]
    _code, version, doubled = item.columns[1:]
    new_cols = (item.columns[0], replace(version, name="code"),
                replace(doubled, name="version", generated=None))
    new = replace(old, tables=(replace(item, columns=new_cols),))
    ops = diff(old, new)
    first = ops[0]
    assert isinstance(first, AlterColumn) and first.uid == doubled.uid
    assert [(c.field, c.new) for c in first.changes] == [("generated", None)]
    assert ops.index(first) < min(i for i, o in enumerate(ops) if isinstance(o, DropColumn))
    assert apply_all(ops, old) == new
    assert apply_all(reverse_all(ops), new) == old
