"""Odd input to the editor's forms never answers 5xx (issue 16): what a change can raise on
bad input besides ValueError and KeyError. A one-line column (or the new-table form's column
lines) with a long operator chain, which pglast prints by recursing once per term, is read
like the same expression in the full form (up to sqlexpr's depth) and refused as a line,
with its number, beyond it; nothing is saved on a refusal."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from modeler.schema import model as m
from modeler.web import services
from modeler.web.snapshot import snapshot

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
CHAIN = "+".join(["1"] * 600)  # 1,199 characters: within a line's 2,000
DEEP = "+".join(["1"] * 985)  # 1,969 characters


@pytest.fixture
def shop(client: Client, user: Any) -> tuple[Client, Any]:
    project = services.project_create(name="Shop", slug="shop", owner=user)
    client.force_login(user)
    response = client.post(reverse("table_add", args=["shop"]), {
        "new-name": "customer", "new-namespace": "public",
        "new-comment": "People who buy from the shop",
        "new-kind": "entity", "new-delete_strategy": "hard"}, **HX)
    assert response.status_code == 200
    return client, project


def said(response: Any) -> str:
    """The refusal's text (for an assertion's message)."""
    body = response.content.decode()
    return body[body.find('class="errors'):][:1500]


def schema_of(project: Any) -> m.Schema:
    return snapshot(services.main_design(project))


@pytest.mark.parametrize("line", [
    f"total int default {CHAIN}", f"total int check ({CHAIN} > 1) -- What was paid",
    f"total int generated always as ({CHAIN}) stored"])
def test_a_long_operator_chain_in_a_column_line(shop: tuple[Client, Any], line: str) -> None:
    client, project = shop
    uid = schema_of(project).table_named("customer").uid  # type: ignore[union-attr]
    response = client.post(reverse("column_line_add", args=["shop", uid]), {"cl-line": line},
                           **HX)
    assert response.status_code == 200, said(response)
    assert schema_of(project).table(uid).column_named("total") is not None


def test_a_long_operator_chain_in_the_new_tables_lines(shop: tuple[Client, Any]) -> None:
    client, project = shop
    response = client.post(reverse("table_add", args=["shop"]), {
        "new-name": "purchase", "new-namespace": "public",
        "new-comment": "Orders placed in the shop", "new-kind": "entity",
        "new-delete_strategy": "hard",
        "new-columns": f"note text -- Said at checkout\ntotal int check ({CHAIN} > 1) -- Paid"},
        **HX)
    assert response.status_code == 200, said(response)
    t = schema_of(project).table_named("purchase")
    assert t is not None and t.column_named("total") is not None


def test_lines_as_deep_as_a_line_can_be(shop: tuple[Client, Any]) -> None:
    """Nested as deep as 2,000 characters allow: read and saved, or refused with the
    reason (each answer 200 or 422); the editor still opens."""
    client, project = shop
    uid = schema_of(project).table_named("customer").uid  # type: ignore[union-attr]
    deep = "(" * 975 + "total" + ")" * 975
    lines = [f"a int default {DEEP} -- A sum",
             f"b int check ({deep} > 1) -- Nested",
             f"c bool default {' '.join(['not'] * 440)} true -- Negated",
             f"d int[] default array{'[' * 880}1{']' * 880} -- Arrays"]
    for line in lines:
        assert len(line) <= 2000
        before = schema_of(project)
        response = client.post(reverse("column_line_add", args=["shop", uid]),
                               {"cl-line": line}, **HX)
        assert response.status_code in (200, 422), said(response)
        if response.status_code == 422:
            assert schema_of(project) == before
    response = client.post(reverse("table_add", args=["shop"]), {
        "new-name": "purchase", "new-namespace": "public",
        "new-comment": "Orders placed in the shop", "new-kind": "entity",
        "new-delete_strategy": "hard", "new-columns": "\n".join(lines)}, **HX)
    assert response.status_code in (200, 422), said(response)
    assert client.get(reverse("editor", args=["shop"])).status_code == 200


@pytest.mark.parametrize("expression", [  # as deep as the form's 1,000 characters allow
    "abs(" * 195 + "1" + ")" * 195 + " > 0",
    "array" + "[" * 485 + "1" + "]" * 485 + " is not null"])
def test_a_deeply_nested_check_in_the_full_form(shop: tuple[Client, Any],
                                                expression: str) -> None:
    client, project = shop
    uid = schema_of(project).table_named("customer").uid  # type: ignore[union-attr]
    before = schema_of(project)
    response = client.post(reverse("check_add", args=["shop", uid]),
                           {"ck-name": "nested", "ck-expression": expression}, **HX)
    assert response.status_code in (200, 422), said(response)
    if response.status_code == 422:
        assert schema_of(project) == before
    else:
        assert [c.name for c in schema_of(project).table(uid).checks] == [
            "ck_customer_nested"]
    assert client.get(reverse("editor", args=["shop"])).status_code == 200
