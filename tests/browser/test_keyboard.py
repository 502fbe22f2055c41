"""Keyboard-only authoring (issue 16, item 3): the shortcuts and the "?" overlay in headless
Chromium; a table with two columns created without touching the mouse, then undone and
redone with Ctrl+Z / Ctrl+Shift+Z."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import wait_for_diagram as wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def columns_of(slug: str, table: str) -> list[str]:
    from modeler.web import services
    from modeler.web.models import Project
    from modeler.web.snapshot import snapshot

    schema = snapshot(services.main_design(Project.objects.get(slug=slug)))
    t = schema.table_named(table)
    return [] if t is None else [c.name for c in t.columns]


def active_id(page: Page) -> str:
    return str(page.evaluate("() => document.activeElement && document.activeElement.id"))


def submit_with_keyboard(page: Page) -> None:
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.keyboard.press("Control+Enter")
    wait_idle(page)


def test_keyboard_only_table_with_two_columns(login_page: Callable[..., Page],
                                              url: Callable[[str], str],
                                              make_user: Callable[..., Any],
                                              shot: Callable[..., Any]) -> None:
    from modeler.web import services

    services.project_create(name="Books", slug="books", owner=make_user("kim"))
    page = login_page("kim")
    page.goto(url("/p/books/edit/"))
    wait_idle(page)
    actions = 0

    # "?" lists the shortcuts; Escape closes the list
    page.keyboard.press("?")
    actions += 1
    help_ = page.locator("#keys-help")
    expect(help_).to_be_visible()
    for text in ("Add a table", "Add a column", "Draw a relationship", "Search tables",
                 "Fit the diagram", "Focus the diagram", "Save a version", "Undo", "Redo"):
        expect(help_).to_contain_text(text)
    shot(page, "shortcuts")
    page.keyboard.press("Escape")
    actions += 1
    expect(help_).to_be_hidden()

    # t: the add-table form, focused on its name
    page.keyboard.press("t")
    assert active_id(page) == "id_new-name"
    page.keyboard.type("author")
    page.keyboard.press("Tab")  # schema (public)
    page.keyboard.press("Tab")  # comment
    assert active_id(page) == "id_new-comment"
    page.keyboard.type("A person who writes books")
    submit_with_keyboard(page)
    actions += 7
    expect(page.locator("#panel-title")).to_have_text("author")

    # c: the add-column form of the open table; it stays open and focused after each add
    page.keyboard.press("c")
    assert active_id(page) == "id_col-name"
    page.keyboard.type("pen_name")
    submit_with_keyboard(page)
    assert active_id(page) == "id_col-name"
    expect(page.locator("#add-column")).to_have_attribute("open", "")
    page.keyboard.type("born_on")
    page.keyboard.press("Tab")
    assert active_id(page) == "id_col-type"
    page.keyboard.type("date")  # type-ahead in the type picker
    submit_with_keyboard(page)
    actions += 8
    shot(page, "two-columns")
    assert columns_of("books", "author") == ["id", "pen_name", "born_on", "created_at",
                                             "updated_at"]
    assert actions <= 20

    # Escape leaves the field; Ctrl+Z undoes the last column, Ctrl+Shift+Z redoes it
    page.keyboard.press("Escape")
    with page.expect_response(lambda r: r.request.method == "POST" and "/undo/" in r.url):
        page.keyboard.press("Control+z")
    wait_idle(page)
    assert columns_of("books", "author") == ["id", "pen_name", "created_at", "updated_at"]
    expect(page.locator("#edit-notice")).to_contain_text("Undone: added column author.born_on")
    with page.expect_response(lambda r: r.request.method == "POST" and "/redo/" in r.url):
        page.keyboard.press("Control+Shift+Z")
    wait_idle(page)
    assert "born_on" in columns_of("books", "author")

    # "/" goes to the search box (on the overview), "r" to the relationship form with the
    # open table as the child
    page.keyboard.press("/")
    page.wait_for_selector("#table-search")
    expect(page.locator("#table-search")).to_be_focused()
    page.keyboard.press("Escape")
    page.keyboard.press("t")
    assert active_id(page) == "id_new-name"

