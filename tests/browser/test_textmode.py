"""Text mode in headless Chromium (issue 16, item 1): a bookstore design typed as DBML and
applied in at most 5 UI actions (counted), then the diagram shows its tables; a parse error
marks its line in the editor. Screenshots under test-artifacts/."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import wait_for_diagram
from tests.textmode_fixtures import books_project, bookstore_dbml

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BOOKSTORE = bookstore_dbml(customers=True)


@pytest.fixture
def bookstore(make_user: Any) -> Any:
    return books_project(make_user("ann"), "Bookstore")


def test_type_a_bookstore_in_text_mode(login_page: Any, url: Any, shot: Any,
                                       bookstore: Any) -> None:
    page: Page = login_page("ann")
    page.goto(url("/p/books/edit/"))
    wait_for_diagram(page)
    actions = 0

    page.click("#textmode-toggle")  # 1: open the text mode
    actions += 1
    area = page.locator("#dbml-text")
    expect(area).to_be_visible()
    expect(page.locator(".dbml-editor.enhanced .dbml-gutter")).to_be_visible()
    area.fill(BOOKSTORE)  # 2: type the design
    actions += 1
    page.click("#textmode-preview")  # 3: preview the change list
    actions += 1
    changes = page.locator("#textmode-changes")
    expect(changes).to_contain_text("create table orders")
    expect(changes).to_contain_text("create enum order_status")
    expect(changes).to_contain_text("add foreign key fk_orders_customer_id_customer")
    highlighted = page.locator(".dbml-code .k").first
    expect(highlighted).to_have_text("Enum")
    shot(page, "preview")
    page.click("#textmode-apply")  # 4: apply
    actions += 1
    expect(page.locator("#textmode-applied")).to_be_visible()
    assert actions <= 5

    diagram = page.locator("#diagram svg")
    for name in ("author", "book", "customer", "orders"):
        expect(diagram).to_contain_text(name)
    wait_for_diagram(page)
    shot(page, "applied")

    from modeler.web import services
    from modeler.web.snapshot import snapshot

    schema = snapshot(services.main_design(bookstore))
    assert {t.name for t in schema.tables} == {"author", "book", "customer", "orders"}
    assert len(schema.relationships) == 3 and len(schema.enums) == 1


def test_a_parse_error_marks_its_line(login_page: Any, url: Any, shot: Any,
                                      bookstore: Any) -> None:
    page: Page = login_page("ann")
    page.goto(url("/p/books/edit/"))
    wait_for_diagram(page)
    page.click("#textmode-toggle")
    page.locator("#dbml-text").fill("Table a {\n  id bigint [pk]\n  name text [not null\n}\n")
    page.click("#textmode-preview")
    error = page.locator("#textmode-error")
    expect(error).to_be_visible()
    line = int(error.get_attribute("data-error-line") or "0")
    assert line in (3, 4)
    expect(page.locator(".dbml-gutter .err")).to_have_text(str(line))
    expect(page.locator(".dbml-code .line.err")).to_have_count(1)
    shot(page, "parse-error")
