"""An enum's values are edited in the editor's forms (found by a new user's journey).

The "Enum types" section listed each enum with a delete link and offered only "Add enum":
adding a value to an existing enum (``order_status`` gets ``refunded``), the most common
change of an enum, had no form, although the update view existed. Each enum now has its
own edit form, prefilled and carrying its row version; a refused edit stays in that form,
open, with what was typed.
"""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from modeler.schema.builder import SchemaBuilder
from modeler.web import services
from modeler.web.models import Project
from modeler.web.snapshot import materialize, snapshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def idle(page: Page) -> None:
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")


def labels() -> tuple[str, ...]:
    schema = snapshot(services.main_design(Project.objects.get(slug="shop")))
    return schema.enums[0].labels


def test_add_a_value_to_an_existing_enum(login_page: Any, make_user: Any, url: Any,
                                         shot: Any) -> None:
    b = SchemaBuilder(name="shop")
    b.enum("order_status", ["pending", "paid"], comment="Where an order is")
    t = b.table("purchase", comment="An order placed by a customer")
    t.column("id", "bigint", identity="always", pk=True).timestamps()
    project = services.project_create(name="Shop", slug="shop", owner=make_user("ann"))
    materialize(b.build(), services.main_design(project))

    page = login_page("ann")
    page.goto(url("/p/shop/edit/"))
    page.wait_for_selector("#diagram svg")
    section = page.locator("#enums")
    section.locator("> summary").click()
    entry = section.locator("li", has_text="order_status")
    entry.locator("summary", has_text="edit").click()
    values = entry.locator("textarea[name='enum-values']")
    expect(values).to_have_value("pending\npaid")

    # a refused edit: the form stays open with its error and what was typed
    values.fill("pending\npaid\npaid")
    with page.expect_response(lambda r: r.request.method == "POST") as info:
        entry.get_by_role("button", name="Save enum").click()
    assert info.value.status == 422
    idle(page)
    entry = page.locator("#enums li", has_text="order_status")
    expect(entry.locator("details.enum-edit")).to_have_attribute("open", "")
    expect(entry).to_contain_text("Each value may appear once.")
    expect(entry.locator("textarea[name='enum-values']")).to_have_value("pending\npaid\npaid")
    add_values = page.locator("#enums form[action$='/enums/add/'] textarea[name='enum-values']")
    expect(add_values).to_have_value("")
    assert labels() == ("pending", "paid")

    entry.locator("textarea[name='enum-values']").fill("pending\npaid\nrefunded")
    with page.expect_response(lambda r: r.request.method == "POST") as info:
        entry.get_by_role("button", name="Save enum").click()
    assert info.value.status == 200
    idle(page)
    shot(page, "enum-edited")
    assert labels() == ("pending", "paid", "refunded")
    expect(page.locator("#enums li", has_text="order_status")).to_contain_text(
        "pending, paid, refunded")
