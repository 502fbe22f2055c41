"""Forms that stay out of the way (issue 16, item 4) in headless Chromium: a refused edit
low in the panel keeps its form open where it was with the error in the viewport, focused,
said once; the column form stays open and focused after an add; index, unique and
query-pattern columns are picked from the table's columns."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import wait_for_diagram as wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

def shop(make_user: Callable[..., Any]) -> Any:
    """A project with a customer table holding a few columns (a long panel)."""
    from dataclasses import replace

    from modeler.schema import actions, edit
    from modeler.schema import model as m
    from modeler.web import services
    from modeler.web.snapshot import materialize, snapshot

    project = services.project_create(name="Shop", slug="shop", owner=make_user("ann"))
    design = services.main_design(project)
    s, uid = actions.add_table(snapshot(design), name="customer",
                               comment="A person who buys from the shop")
    for n, name in enumerate(("email", "full_name", "city", "country", "phone", "notes")):
        col = m.Column(uid=actions.new_uid(), name=name, type=m.ColumnType("builtin", "text"),
                       comment=f"The customer's {name}")
        s = edit.put_column(s, uid, col, position=1 + n)
    materialize(replace(s), design)
    return uid


def open_table(page: Page, url: Callable[[str], str], uid: str) -> None:
    page.goto(url(f"/p/shop/edit/?table={uid}"))
    wait_idle(page)


def schema() -> Any:
    from modeler.web import services
    from modeler.web.models import Project
    from modeler.web.snapshot import snapshot

    return snapshot(services.main_design(Project.objects.get(slug="shop")))


def test_refused_edit_low_in_the_panel_is_visible_and_said_once(
        login_page: Callable[..., Page], url: Callable[[str], str],
        make_user: Callable[..., Any], shot: Callable[..., Any]) -> None:
    uid = shop(make_user)
    page = login_page("ann")
    open_table(page, url, uid)
    # a hot query pattern no index serves: rule IX-02 refuses it (BLOCK)
    section = page.locator("details", has=page.locator("summary", has_text="query pattern"))
    section.locator("summary").click()
    form = section.locator("form")
    form.locator("input[name='qp-name']").fill("by_city")
    form.locator("input[name='qp-equality'][value='city']").check()
    form.locator("input[name='qp-hot']").check()
    depth = page.evaluate("""() => {
      const el = document.querySelector("#panel details[open] form input[name='qp-name']");
      const top = document.querySelector('#panel .panel-inner').getBoundingClientRect().top;
      return el.getBoundingClientRect().top - top;
    }""")
    assert depth > 900  # low in the panel: more than a screen below its top
    with page.expect_response(lambda r: r.request.method == "POST") as info:
        form.get_by_role("button", name="Add pattern").click()
    assert info.value.status == 422
    wait_idle(page)
    box = page.locator("#panel .refusal")
    expect(box).to_have_count(1)
    expect(box).to_be_in_viewport()
    expect(box).to_contain_text("IX-02")
    # the form is still open, with what was typed, and the focus is in it
    section = page.locator("details[open]", has=page.locator(".refusal"))
    expect(section.locator("input[name='qp-name']")).to_have_value("by_city")
    assert page.evaluate("() => !!document.activeElement.closest('details[open] form')"
                         " || document.activeElement.classList.contains('refusal')")
    # the rule's message is said once in the panel, and there is no box at the top
    text = box.inner_text()
    message = text.split("IX-02", 1)[1].strip().splitlines()[0]
    assert page.locator("#panel").inner_text().count(message) == 1
    expect(page.locator("#edit-errors")).to_have_count(0)
    shot(page, "refused-pattern")
    assert not schema().table(uid).query_patterns

    # a field error low in the panel: the check form keeps its error next to the field
    section = page.locator("details", has=page.locator("summary", has_text="check constraint"))
    section.locator("summary").click()
    section.locator("input[name='ck-name']").fill("city_short")
    section.locator("input[name='ck-expression']").fill("length(city) <<< 3")
    with page.expect_response(lambda r: r.request.method == "POST"):
        section.get_by_role("button", name="Add check").click()
    wait_idle(page)
    # refused by the structural check (no such operator): said once, in the form, in view
    box = page.locator("#panel .refusal")
    expect(box).to_be_in_viewport()
    expect(box).to_contain_text("operator does not exist")
    assert page.locator("#panel").inner_text().count("operator does not exist") == 1
    # a syntax error is the field's own error, next to it, in view and focused
    section = page.locator("details[open]", has=page.locator("input[name='ck-expression']"))
    section.locator("input[name='ck-expression']").fill("length(city) >")
    with page.expect_response(lambda r: r.request.method == "POST"):
        section.get_by_role("button", name="Add check").click()
    wait_idle(page)
    invalid = page.locator("#panel details[open] .field.invalid")
    expect(invalid.first).to_be_in_viewport()
    expect(page.locator("#panel details[open] input[name='ck-expression']")).to_be_focused()
    shot(page, "refused-check")


def test_column_form_stays_open_and_pickers(login_page: Callable[..., Page],
                                            url: Callable[[str], str],
                                            make_user: Callable[..., Any],
                                            shot: Callable[..., Any]) -> None:
    uid = shop(make_user)
    page = login_page("ann")
    open_table(page, url, uid)
    page.locator("#add-column summary").click()
    page.fill("#id_col-name", "zip")
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.locator("#add-column").get_by_role("button", name="Add column").click()
    wait_idle(page)
    expect(page.locator("#add-column")).to_have_attribute("open", "")
    expect(page.locator("#id_col-name")).to_be_focused()
    expect(page.locator("#id_col-name")).to_have_value("")
    page.keyboard.type("region")
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.keyboard.press("Enter")
    wait_idle(page)
    expect(page.locator("#id_col-name")).to_be_focused()
    names = [c.name for c in schema().table(uid).columns]
    assert "zip" in names and "region" in names

    # an index on (country, city), picked in that order, city descending
    section = page.locator("details", has=page.locator("summary", has_text="Add an index"))
    section.locator("summary").click()
    picker = section.locator(".column-picker").first
    picker.locator("input[name='ix-columns'][value='country']").check()
    picker.locator("input[name='ix-columns'][value='city']").check()
    picker.locator("input[name='ix-columns__desc'][value='city']").check()
    shot(page, "index-picker")
    with page.expect_response(lambda r: r.request.method == "POST"):
        section.get_by_role("button", name="Add index").click()
    wait_idle(page)
    t = schema().table(uid)
    by_name = {c.uid: c.name for c in t.columns}
    ix = next(i for i in t.indexes if i.name.startswith("ix_customer_country"))
    assert [(by_name[p.column], p.descending) for p in ix.parts if p.column] == \
        [("country", False), ("city", True)]

    # a unique constraint picked with a checkbox
    section = page.locator("details", has=page.locator("summary", has_text="unique constraint"))
    section.locator("summary").click()
    section.locator("input[name='uq-columns'][value='email']").check()
    with page.expect_response(lambda r: r.request.method == "POST"):
        section.get_by_role("button", name="Add unique").click()
    wait_idle(page)
    t = schema().table(uid)
    assert [[by_name[c] for c in u.columns] for u in t.uniques] == [["email"]]
