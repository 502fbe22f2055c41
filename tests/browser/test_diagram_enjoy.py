"""A diagram people enjoy (issue 16, item 5) in headless Chromium: view changes at once,
the selected table in the URL, searching columns, rule badges, the proposal banner."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import wait_for_diagram
from tests.diagram.bookstore import bookstore

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BOX_JS = """(id) => { const r = document.getElementById(id).getBoundingClientRect();
  return {x: r.x + r.width / 2, y: r.y + r.height / 2}; }"""


def bookstore_project(owner: str = "alice", slug: str = "books") -> tuple[Any, dict[str, Any]]:
    from django.contrib.auth import get_user_model

    from modeler.web import services
    from modeler.web.snapshot import materialize

    user = get_user_model().objects.get(username=owner)
    project = services.project_create(name="Bookstore", slug=slug, owner=user)
    schema = bookstore()
    materialize(schema, services.main_design(project))
    return project, {t.name: t for t in schema.tables}


def centre(page: Page, table: Any) -> dict[str, float]:
    return dict(page.evaluate(BOX_JS, f"table-{table.uid}"))


def change_view(page: Page, name: str, value: str) -> None:
    with page.expect_response(lambda r: "/view/" in r.url and r.request.method == "POST"):
        page.select_option(f"#view-form select[name={name}]", value)
    page.wait_for_timeout(50)  # let htmx see the HX-Trigger and start the diagram request
    wait_for_diagram(page)


def test_direction_and_detail_take_effect_at_once(
        login_page: Callable[..., Page], url: Callable[[str], str], shot: Any) -> None:
    page = login_page("alice")
    _, t = bookstore_project()
    page.goto(url("/p/books/edit/"))
    wait_for_diagram(page)
    # LR: parents left of their children
    parent, child = centre(page, t["customer"]), centre(page, t["orders"])
    assert parent["x"] < child["x"]
    change_view(page, "direction", "TB")
    parent, child = centre(page, t["customer"]), centre(page, t["orders"])
    assert parent["y"] < child["y"], (parent, child)  # TB: parents above, no Re-layout
    assert abs(parent["y"] - child["y"]) > abs(parent["x"] - child["x"])
    shot(page, "direction-tb")
    # detail: table names only, at once
    email = page.locator("#diagram svg text", has_text="email")
    expect(email.first).to_be_visible()
    change_view(page, "detail", "names")
    expect(email).to_have_count(0)
    expect(page.locator(f"#table-{t['customer'].uid}")).to_be_visible()
    change_view(page, "detail", "all")
    expect(email.first).to_be_visible()
    # and back: LR again
    change_view(page, "direction", "LR")
    assert centre(page, t["customer"])["x"] < centre(page, t["orders"])["x"]
