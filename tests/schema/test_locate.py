"""Schema.locate: one lookup by uid for every kind of element, with its owner table."""

from __future__ import annotations

import pytest

from modeler.schema import edit
from modeler.schema import model as m
from modeler.schema.builder import SchemaBuilder


def _schema() -> m.Schema:
    b = SchemaBuilder(name="locate")
    b.enum("status", ["new", "done"])
    b.domain("email", "text")
    b.extension("citext")
    b.table("customer").column("id", "bigint", pk=True).column("email", "text") \
        .index("email", name="customer_email_idx").unique("email", name="customer_email_key") \
        .check("customer_email_check", "email <> ''") \
        .query_pattern("by_email", equality=("email",))
    b.table("orders").column("id", "bigint", pk=True).column("customer_id", "bigint")
    b.relationship("orders", ["customer_id"], "customer")
    return b.build()


def test_locate_finds_every_kind_with_its_table() -> None:
    s = _schema()
    customer, orders = s.table_named("customer"), s.table_named("orders")
    assert customer is not None and orders is not None
    email = customer.column_named("email")
    assert email is not None
    rel = s.relationships[0]
    expected: list[tuple[str, m.Element, m.Table | None]] = [
        ("table", customer, customer),
        ("column", email, customer),
        ("enum", s.enums[0], None),
        ("domain", s.domains[0], None),
        ("extension", s.extensions[0], None),
        ("relationship", rel, orders),  # a relationship is held by its child table
        ("index", customer.indexes[0], customer),
        ("unique", customer.uniques[0], customer),
        ("check", customer.checks[0], customer),
        ("query_pattern", customer.query_patterns[0], customer),
    ]
    for kind, element, table in expected:
        found = s.locate(element.uid)
        assert found is not None, kind
        assert (found.kind, found.element, found.table) == (kind, element, table)


def test_locate_unknown_uid_is_none_and_drop_still_refuses_it() -> None:
    s = _schema()
    assert s.locate("no-such-uid") is None
    assert s.locate("") is None
    assert edit.dependents(s, "no-such-uid") == []
    with pytest.raises(KeyError):
        edit.drop(s, "no-such-uid")


def test_drop_by_locate_removes_each_kind() -> None:
    s = _schema()
    customer = s.table_named("customer")
    assert customer is not None
    for uid in (customer.indexes[0].uid, customer.uniques[0].uid, customer.checks[0].uid,
                customer.query_patterns[0].uid, s.relationships[0].uid, s.extensions[0].uid,
                s.enums[0].uid):
        after = edit.drop(s, uid)
        assert s.locate(uid) is not None
        assert after.locate(uid) is None, uid
    # a table's drop takes its FKs along; the located table is gone
    after = edit.drop(s, customer.uid)
    assert after.locate(customer.uid) is None and after.relationships == ()
