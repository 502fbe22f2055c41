"""The checked edits of modeler.schema.edit (what rules' fixes are made of): pure, refusing
taken names and unknown elements, and described by the differ as the ops one would expect."""

from __future__ import annotations

from dataclasses import replace

import pytest

from modeler.diff import (
    AddColumn,
    AddForeignKey,
    AddIndex,
    AlterColumn,
    CreateExtension,
    DropForeignKey,
    DropSequence,
    RenameColumn,
    RenamePrimaryKey,
    RenameTable,
    RenameTableElement,
    SetMetadata,
    diff,
)
from modeler.schema import edit
from modeler.schema import model as m
from modeler.schema.builder import SchemaBuilder


def _schema() -> m.Schema:
    b = SchemaBuilder(name="edits")
    c = b.table("customer")
    c.column("id", "bigint", identity="always", pk=True).column("email", "text")
    c.column("n", "integer").index("email", name="ix_customer_email")
    c.unique("n", name="uq_customer_n").check("ck_customer_n", "n > 0")
    o = b.table("orders")
    o.column("id", "bigint", identity="always", pk=True).column("customer_id", "bigint")
    b.relationship("orders", ["customer_id"], "customer")
    return m.normalized(replace(b.build(), sequences=(m.Sequence("s1", "loose_seq"),)))


def _uids(s: m.Schema) -> tuple[m.Table, m.Table, m.Relationship]:
    customer, orders = s.table_named("customer"), s.table_named("orders")
    assert customer is not None and orders is not None
    return customer, orders, s.relationships[0]


def test_add_column_goes_after_its_neighbour_or_at_the_end() -> None:
    s = _schema()
    customer, _, _ = _uids(s)
    first = m.Column("c1", "created_at", m.ColumnType(name="timestamptz"), default="now()")
    second = m.Column("c2", "updated_at", m.ColumnType(name="timestamptz"))
    out = edit.add_column(s, customer.uid, first)
    out = edit.add_column(out, customer.uid, second, after=customer.columns[0].uid)
    assert [c.name for c in out.table(customer.uid).columns] == [
        "id", "updated_at", "email", "n", "created_at"]
    (op,) = diff(s, edit.add_column(s, customer.uid, first))
    assert isinstance(op, AddColumn) and op.column == first and op.position == 3
    with pytest.raises(ValueError, match=r"customer\.email exists"):
        edit.add_column(s, customer.uid, m.Column("c3", "email", m.ColumnType()))
    with pytest.raises(KeyError):
        edit.add_column(s, "nope", first)
    assert s == _schema()


def test_alter_sets_fields_of_columns_and_foreign_keys() -> None:
    s = _schema()
    customer, _, fk = _uids(s)
    n = customer.column_named("n")
    assert n is not None
    (op,) = diff(s, edit.alter(s, n.uid, nullable=not n.nullable, default="1"))
    assert isinstance(op, AlterColumn)
    assert [(c.field, c.old, c.new) for c in op.changes] == [
        ("nullable", n.nullable, not n.nullable), ("default", None, "1")]
    (meta,) = diff(s, edit.alter(s, n.uid, backfill="1"))
    assert isinstance(meta, SetMetadata) and meta.uid == n.uid
    dropped, added = diff(s, edit.alter(s, fk.uid, on_delete="RESTRICT"))
    assert isinstance(dropped, DropForeignKey) and isinstance(added, AddForeignKey)
    assert added.relationship.on_delete == "RESTRICT"
    with pytest.raises(ValueError, match="rename"):
        edit.alter(s, n.uid, name="m")
    with pytest.raises(KeyError):
        edit.alter(s, customer.uid, comment="tables are not altered here")


def test_rename_checks_where_postgresql_keeps_the_name() -> None:
    s = _schema()
    customer, orders, fk = _uids(s)
    email = customer.column_named("email")
    assert email is not None
    (op,) = diff(s, edit.rename(s, customer.uid, "client"))
    assert isinstance(op, RenameTable) and op.new_name == "client"
    (op,) = diff(s, edit.rename(s, email.uid, "mail"))
    assert isinstance(op, RenameColumn) and (op.old_name, op.new_name) == ("email", "mail")
    for uid, new in ((customer.indexes[0].uid, "ix_customer_mail"),
                     (customer.uniques[0].uid, "uq_n"), (customer.checks[0].uid, "ck_n")):
        (op,) = diff(s, edit.rename(s, uid, new))
        assert isinstance(op, RenameTableElement) and op.new_name == new
    renamed_fk = edit.rename(s, fk.uid, "fk_orders_customer")
    assert renamed_fk.relationships[0].name == "fk_orders_customer"
    assert edit.rename(s, customer.uid, "customer") is s  # its own name: no change
    with pytest.raises(ValueError, match=r"customer\.id exists"):
        edit.rename(s, email.uid, "id")
    for uid, taken in ((customer.uid, "orders"), (customer.uid, "loose_seq"),
                       (customer.indexes[0].uid, "pk_orders"),
                       (customer.uniques[0].uid, "ix_customer_email")):
        with pytest.raises(ValueError, match=f"name {taken} is taken"):
            edit.rename(s, uid, taken)
    with pytest.raises(ValueError, match="constraint uq_customer_n exists"):
        edit.rename(s, customer.checks[0].uid, "uq_customer_n")
    with pytest.raises(KeyError):
        edit.rename(s, "nope", "x")
    assert orders.uid and s == _schema()


def test_primary_key_names_indexes_extensions_and_drops() -> None:
    s = _schema()
    customer, orders, _ = _uids(s)
    named = edit.rename_primary_key(s, customer.uid, "customer_pkey")
    (op,) = diff(s, named)
    assert isinstance(op, RenamePrimaryKey) and op.new_name == "customer_pkey"
    assert edit.rename_primary_key(named, customer.uid, None) == s
    with pytest.raises(ValueError, match="name pk_orders is taken"):
        edit.rename_primary_key(s, customer.uid, "pk_orders")
    ix = m.Index("i1", "ix_orders_customer_id", (m.IndexPart(column=orders.columns[1].uid),))
    (op,) = diff(s, edit.add_index(s, orders.uid, ix))
    assert isinstance(op, AddIndex) and op.index == ix
    with pytest.raises(ValueError, match="name customer is taken"):
        edit.add_index(s, orders.uid, m.Index("i2", "customer", ix.parts))
    with_ext = edit.add_extension(s, "citext")
    (op,) = diff(s, with_ext)
    assert isinstance(op, CreateExtension) and op.extension.name == "citext"
    assert edit.add_extension(with_ext, "citext") is with_ext
    (op,) = diff(s, edit.drop(s, s.sequences[0].uid))
    assert isinstance(op, DropSequence) and op.sequence.name == "loose_seq"
