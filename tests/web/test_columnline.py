"""One-line column entry (issue 16, item 4): the line read by PostgreSQL's parser, bad input
refused with a clear message; the editor's quick entry adds the column, its CHECK, UNIQUE
and REFERENCES in one edit."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from modeler.schema import actions, edit
from modeler.schema import model as m
from modeler.web import columnline, services
from modeler.web.snapshot import snapshot

HX = {"HTTP_HX_REQUEST": "true"}


def design() -> tuple[m.Schema, m.Table]:
    s, _ = actions.add_table(m.Schema(), name="customer", comment="The shop's customers")
    s, _ = actions.add_table(s, name="book", comment="A title the shop sells")
    s = edit.put_enum(s, m.EnumType(uid=actions.new_uid(), name="order_status",
                                    values=tuple(
        m.EnumValue(uid=actions.new_uid(), label=v) for v in ("new", "paid", "it's shipped"))))
    return s, s.table_named("book")  # type: ignore[return-value]


def test_price_with_default_and_check() -> None:
    s, book = design()
    got = columnline.parse("price numeric(10,2) not null default 0 check (price >= 0)", s, book)
    c = got.column
    assert (c.name, c.type.name, c.type.precision, c.type.scale) == ("price", "numeric", 10, 2)
    assert not c.nullable and c.default == "0"
    assert got.checks == ("price >= 0",) and not got.unique and got.reference is None
    assert c.comment == ""
    noted = columnline.parse("price numeric default 0 --  in  euro, 'net' ", s, book)
    assert noted.column.comment == "in euro, 'net'" and noted.column.default == "0"


def test_enum_unique_primary_key_and_identity() -> None:
    s, book = design()
    got = columnline.parse("status order_status not null default 'new'", s, book)
    assert got.column.type.kind == "enum" and got.column.type.ref == s.enums[0].uid
    assert columnline.parse("isbn varchar(13) unique", s, book).unique
    key = columnline.parse("code bigint generated always as identity primary key;", s, book)
    assert key.column.in_pk and key.column.identity == "always"


def test_references_a_table_of_the_design() -> None:
    s, book = design()
    got = columnline.parse("customer_id references customer on delete cascade", s, book)
    assert got.reference is not None and got.reference.parent.name == "customer"
    assert got.reference.on_delete == "CASCADE" and got.reference.on_update is None
    plain = columnline.parse("customer_id bigint not null references customer", s, book)
    assert plain.reference is not None and plain.reference.on_delete is None
    assert not plain.column.nullable


def test_check_may_name_the_tables_other_columns() -> None:
    s, book = design()
    got = columnline.parse("ends_at timestamptz check (ends_at > created_at)", s, book)
    assert got.checks == ("ends_at > created_at",)


@pytest.mark.parametrize(("line", "says"), [
    ("", "One column: name, type"),
    ("price", "Not a column definition: syntax error"),
    ("a int, b int", "One column: name, type"),
    ("a text; drop table book", "syntax error at or near \";\""),
    ("primary key (id)", "One column: name, type"),
    ("a int\nb int", "One column per line"),
    ("p int check (nope > 0)", "column 'nope' does not exist"),
    ("p int check ((select 1) > 0)", "cannot use subquery"),
    ("p int default (select 1)", "Not saved"),
    ("x int references nowhere", "the design has no table nowhere"),
    ("x int references customer (id)", "names the table only"),
    ("x frobnicate", "type frobnicate"),
])
def test_bad_lines_get_a_clear_error(line: str, says: str) -> None:
    s, book = design()
    with pytest.raises(columnline.LineError) as info:
        columnline.parse(line, s, book)
    assert says in str(info.value)


# ------------------------------------------------------------------------------ the editor

@pytest.mark.django_db
def test_quick_entry_adds_column_check_and_fk(client: Client, user: Any) -> None:
    project = services.project_create(name="Shop", slug="shop", owner=user)
    client.force_login(user)
    for name in ("customer", "orders"):
        client.post(reverse("table_add", args=["shop"]), {
            "new-name": name, "new-namespace": "public", "new-comment": f"The shop's {name}",
            "new-kind": "entity", "new-delete_strategy": "hard"}, **HX)
    s = snapshot(services.main_design(project))
    orders = s.table_named("orders")
    assert orders is not None
    url = reverse("column_line_add", args=["shop", orders.uid])

    r = client.post(url, {"cl-line": "total numeric(10,2) not null default 0 "
                                     "check (total >= 0) -- what the order costs, in euro"}, **HX)
    assert r.status_code == 200, r.content.decode()
    body = r.content.decode()
    assert 'id="column-line" data-focus="first"' in body  # stays ready for the next line
    r = client.post(url, {"cl-line": "customer_id references customer not null -- who ordered"},
                    **HX)
    assert r.status_code == 200
    s = snapshot(services.main_design(project))
    t = s.table(orders.uid)
    total = t.column_named("total")
    assert total is not None and not total.nullable and total.default == "0"
    assert [(c.name, c.expression) for c in t.checks] == [("ck_orders_total", "total >= 0")]
    rel = s.relationships_of(orders.uid)[0]
    fk = t.column_named("customer_id")
    assert fk is not None and rel.child_columns == (fk.uid,)
    assert not fk.nullable and rel.on_delete == "RESTRICT" and fk.comment == "who ordered"
    assert t.indexes  # the FK's index, as the relationship form makes it

    # bad input: 422, the error next to the field, the text kept, nothing saved
    r = client.post(url, {"cl-line": "oops numeric(10,2) check (oops >>"}, **HX)
    assert r.status_code == 422
    body = r.content.decode()
    assert "Not a column definition" in body and "oops numeric(10,2) check (oops &gt;&gt;" in body
    assert snapshot(services.main_design(project)) == s
    # a name the table has: refused the same way
    r = client.post(url, {"cl-line": "total int"}, **HX)
    assert r.status_code == 422 and snapshot(services.main_design(project)) == s


@pytest.mark.django_db
def test_new_table_with_its_columns_in_one_edit(client: Client, user: Any) -> None:
    project = services.project_create(name="Shop", slug="shop", owner=user)
    client.force_login(user)
    url = reverse("table_add", args=["shop"])
    base = {"new-name": "customer", "new-namespace": "public", "new-kind": "entity",
            "new-comment": "A person who buys books", "new-delete_strategy": "hard"}
    assert client.post(url, base, **HX).status_code == 200
    lines = ("title text not null -- as printed on the cover\n\n"
             "price numeric(10,2) not null default 0 check (price >= 0) -- list price\n"
             "customer_id references customer -- who wished for it")
    form = {**base, "new-name": "book", "new-comment": "A title the shop sells"}
    # a bad line: its number and the parser's message next to the field, nothing saved
    before = snapshot(services.main_design(project))
    r = client.post(url, {**form, "new-columns": lines + "\nisbn varchar(13 not null"}, **HX)
    assert r.status_code == 422
    assert "Line 5: Not a column definition: syntax error" in r.content.decode()
    assert snapshot(services.main_design(project)) == before
    r = client.post(url, {**form, "new-columns": lines}, **HX)
    assert r.status_code == 200, r.content.decode()
    s = snapshot(services.main_design(project))
    book = s.table_named("book")
    assert book is not None
    assert [c.name for c in book.columns] == ["id", "title", "price", "customer_id",
                                              "created_at", "updated_at"]
    assert [c.expression for c in book.checks] == ["price >= 0"]
    assert len(s.relationships) == 1 and book.indexes
