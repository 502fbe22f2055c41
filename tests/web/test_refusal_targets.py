"""A refused edit names what each finding is about (the table, ``table.column``...), not only
the rule: a new table with several columns, or a text-mode apply of several tables, is
refused by findings on elements the user cannot guess ("DC-02 Column in a complex table
lacks a comment": which column?). Found by a first-time user adding
``total numeric(10,2)`` in the new-table form."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from modeler.web import services
from modeler.web.snapshot import snapshot_at

pytestmark = pytest.mark.django_db
HX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def owner(client: Client, user: Any) -> Client:
    services.project_create(name="Shop", slug="shop", owner=user)
    client.force_login(user)
    return client


def state() -> tuple[Any, int]:
    from modeler.web.models import Project

    return snapshot_at(services.main_design(Project.objects.get(slug="shop")))


def refusal_items(body: str) -> list[str]:
    """The text of each refused finding in the page's refusal boxes."""
    items = re.findall(r'<li class="lvl-[a-z]+"><code>([^<]+)</code> (.*?)</li>', body, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", f"{rule} {rest}")) for rule, rest in items]


def test_the_new_table_form_names_the_column_a_finding_is_about(owner: Client) -> None:
    before = state()
    r = owner.post(reverse("table_add", args=["shop"]), {
        "new-name": "purchase", "new-namespace": "public", "new-kind": "entity",
        "new-comment": "One checkout by one customer.", "new-delete_strategy": "hard",
        "new-columns": "note text not null -- free text\ntotal numeric(10,2) not null default 0",
    }, **HX)
    body = r.content.decode()
    assert r.status_code == 422, body[:2000]
    items = refusal_items(body)
    assert any(i.startswith("DC-02 purchase.total: Column in a complex table") for i in items), \
        items
    assert state() == before


def test_the_add_column_form_names_its_column(owner: Client) -> None:
    owner.post(reverse("table_add", args=["shop"]), {
        "new-name": "customer", "new-namespace": "public", "new-kind": "entity",
        "new-comment": "A person who buys.", "new-delete_strategy": "hard"}, **HX)
    schema, _ = state()
    uid = schema.table_named("customer").uid
    r = owner.post(reverse("column_add", args=["shop", uid]), {
        "col-name": "order", "col-type": "text", "col-searchable": "none"}, **HX)
    body = r.content.decode()
    assert r.status_code == 422, body[:2000]
    items = refusal_items(body)
    assert any(i.startswith("NM-03 customer.order: 'order' is a reserved word") for i in items), \
        items


def test_a_text_mode_refusal_names_the_table(owner: Client) -> None:
    before = state()
    text = ("Table good_one {\n  id bigint [pk]\n  created_at timestamptz [not null, "
            "default: `now()`]\n  updated_at timestamptz [not null, default: `now()`]\n"
            "  Note: 'A good row of the shop.'\n}\n"
            "Table refund {\n  id bigint [pk]\n  Note: 'A refund is money going back.'\n}\n")
    r = owner.post(reverse("textmode_apply", args=["shop"]),
                   {"text": text, "revision": before[1]}, **HX)
    body = r.content.decode()
    assert r.status_code == 422, body[:2000]
    items = refusal_items(body)
    assert any(i.startswith("TS-01 refund: created_at is missing") for i in items), items
    assert not any("good_one" in i for i in items), items
    assert state() == before
