"""What a first-time user tripped over in headless Chromium, each kept fixed: the import
form's slug follows the name (as the new-project form's does; Chromium refused the form
with "Please fill out this field" on a slug the user never thought of); an htmx request
the server refuses or fails (a 403 after the user's role was lowered, a 404 after a delete
elsewhere, a 5xx) says why in the form that sent it, where nothing at all happened before;
a request whose session ended (signed out in another tab) opens the sign-in page, which was
swapped into the editor's side panel, and signing in comes back to the editor; a table
added from the keyboard leaves the focus on its panel's title (it was lost to the page's
body: Tab started again from the top of the page); the toolbar's Focus list follows the
tables the user adds, renames and deletes (it kept the page's first list until a reload);
a 63-character table name wraps in the side panel (the panel's title and the findings ran
past its edge, cut off); a view option out of range (Hops 99) is said, where the change
did nothing without a word (htmx does not send an invalid form; the server's plain-text
422 for a request that swaps nothing was dropped)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from modeler.web.models import Membership, PendingImport, Project
from tests.browser.conftest import wait_for_diagram

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_import_form_fills_the_slug_from_the_name(login_page: Any, url: Any) -> None:
    page = login_page("ines")
    page.goto(url("/import/"))
    page.fill("#id_name", "Café Orders 2024")
    expect(page.locator("#id_slug")).to_have_value("cafe-orders-2024")
    page.fill("#id_text", "CREATE TABLE author (id int PRIMARY KEY, name text NOT NULL);")
    page.get_by_role("button", name="Read and preview").click()
    expect(page.locator("main")).to_contain_text("Import preview: Café Orders 2024")
    assert PendingImport.objects.get().slug == "cafe-orders-2024"
    # a slug the user typed is theirs: the name no longer changes it
    page.goto(url("/import/"))
    page.fill("#id_slug", "mine")
    page.fill("#id_name", "Something else")
    expect(page.locator("#id_slug")).to_have_value("mine")


def shop(owner: Any, add_member: Any) -> Project:
    from modeler.web import services

    project: Project = services.project_create(name="Shop", slug="shop", owner=owner)
    add_member(project, "edda", "editor")
    return project


def add_table_in_the_panel(page: Any, name: str) -> None:
    page.fill("input[name=new-name]", name)
    page.fill("textarea[name=new-comment]", f"One {name} of the shop.")
    page.click("button:has-text('Add table')")


def tables() -> list[str]:
    from modeler.web import services
    from modeler.web.snapshot import snapshot

    project = Project.objects.get(slug="shop")
    return [t.name for t in snapshot(services.main_design(project)).tables]


def test_a_refused_htmx_request_says_why(login_page: Any, url: Any, make_user: Any,
                                         add_member: Any) -> None:
    shop(make_user("olga"), add_member)
    page = login_page("edda")
    page.goto(url("/p/shop/edit/"))
    wait_for_diagram(page)
    add_table_in_the_panel(page, "customer")
    expect(page.locator("#panel-title")).to_have_text("customer")
    # the owner makes edda a viewer while her editor is open: her next save is a 403
    page.goto(url("/p/shop/edit/"))
    wait_for_diagram(page)
    Membership.objects.filter(user__username="edda").update(role="viewer")
    add_table_in_the_panel(page, "purchase")
    box = page.locator("form:has(input[name=new-name]) .htmx-error[role=alert]")
    expect(box).to_contain_text("Not allowed: your role in this project cannot do this")
    expect(box).to_be_focused()
    assert tables() == ["customer"]
    # a table deleted elsewhere: its panel's form answers 404, said in that form
    Membership.objects.filter(user__username="edda").update(role="editor")
    page.goto(url("/p/shop/edit/"))
    wait_for_diagram(page)
    page.click("#panel a:has-text('customer')")
    expect(page.locator("#panel-title")).to_have_text("customer")
    from modeler.schema import edit
    from modeler.web import services
    from modeler.web.snapshot import materialize, snapshot

    design = services.main_design(Project.objects.get(slug="shop"))
    s = snapshot(design)
    materialize(edit.drop(s, s.tables[0].uid), design)
    page.fill("input[name=cl-line]", "note text -- a note")
    page.press("input[name=cl-line]", "Enter")
    expect(page.locator("#column-line .htmx-error")).to_contain_text("Not found")
    assert tables() == []


def test_a_request_after_the_session_ended_opens_the_sign_in_page(
        login_page: Any, url: Any, make_user: Any, add_member: Any) -> None:
    shop(make_user("olga"), add_member)
    page = login_page("edda", via_form=True)
    page.goto(url("/p/shop/edit/"))
    wait_for_diagram(page)
    other = page.context.new_page()  # another tab signs out
    other.goto(url("/"))
    other.click("button:has-text('Sign out')")
    other.wait_for_url("**/login/")
    other.close()
    add_table_in_the_panel(page, "customer")
    page.wait_for_url("**/login/?next=%2Fp%2Fshop%2Fedit%2F")
    assert page.locator("#panel").count() == 0  # a whole page, not a panel
    assert tables() == []
    page.fill("input[name=username]", "edda")
    page.fill("input[name=password]", "pw-edda-123!")
    page.click("main button[type=submit]")
    page.wait_for_url("**/p/shop/edit/")
    wait_for_diagram(page)


def test_a_table_added_from_the_keyboard_keeps_the_cursor_in_its_panel(
        login_page: Any, url: Any, make_user: Any, add_member: Any) -> None:
    shop(make_user("olga"), add_member)
    page = login_page("edda")
    page.goto(url("/p/shop/edit/"))
    wait_for_diagram(page)
    page.keyboard.press("t")
    expect(page.locator("input[name=new-name]")).to_be_focused()
    page.keyboard.type("customer")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator("textarea[name=new-comment]")).to_be_focused()
    page.keyboard.type("A person who buys from the shop.")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#panel-title")).to_have_text("customer")
    expect(page.locator("#panel-title")).to_be_focused()
    page.keyboard.press("Tab")  # on from the new table's panel, not from the page's top
    expect(page.locator("#edit-table summary")).to_be_focused()
    page.keyboard.press("c")  # the single-key shortcuts still work there
    expect(page.locator("input[name=col-name]")).to_be_focused()


def focus_options(page: Any) -> list[str]:
    options: list[str] = page.eval_on_selector(
        "#focus-select", "s => [...s.options].map(o => o.text)")
    return options


def test_the_focus_list_follows_the_tables(login_page: Any, url: Any, make_user: Any,
                                           add_member: Any) -> None:
    shop(make_user("olga"), add_member)
    page = login_page("edda")
    page.goto(url("/p/shop/edit/"))
    wait_for_diagram(page)
    assert focus_options(page) == ["all tables"]
    add_table_in_the_panel(page, "customer")
    expect(page.locator("#panel-title")).to_have_text("customer")
    wait_for_diagram(page)
    assert focus_options(page) == ["all tables", "customer"]
    page.click("#edit-table summary")
    page.fill("input[name=tbl-name]", "client")
    page.click("#edit-table button:has-text('Save table')")
    expect(page.locator("#panel-title")).to_have_text("client")
    wait_for_diagram(page)
    assert focus_options(page) == ["all tables", "client"]
    # the list still drives the diagram's focus
    page.select_option("#focus-select", label="client")
    wait_for_diagram(page)
    page.click("#undo-button")  # the rename undone
    expect(page.locator("#panel-title")).to_have_text("customer")
    wait_for_diagram(page)
    assert focus_options(page) == ["all tables", "customer"]


# the elements of the side panel that reach past its right edge (cut off from view)
PAST_THE_EDGE = """() => { const p = document.querySelector('#panel'); const out = [];
  const right = p.getBoundingClientRect().right;
  for (const e of p.querySelectorAll('*')) {
    if (e.getBoundingClientRect().right > right + 1) out.push(
      e.tagName + ': ' + e.textContent.trim().slice(0, 40)); }
  return out; }"""


def test_a_63_character_name_stays_inside_the_panel(login_page: Any, url: Any,
                                                     make_user: Any, add_member: Any) -> None:
    shop(make_user("olga"), add_member)
    long_name = "x" * 63
    page = login_page("edda")
    page.goto(url("/p/shop/edit/"))
    wait_for_diagram(page)
    add_table_in_the_panel(page, long_name)
    expect(page.locator("#panel-title")).to_have_text(long_name)
    wait_for_diagram(page)
    title_box = page.locator("#panel-title").bounding_box()
    panel_box = page.locator("#panel").bounding_box()
    assert title_box is not None and panel_box is not None
    assert title_box["x"] + title_box["width"] <= panel_box["x"] + panel_box["width"]
    assert page.evaluate(PAST_THE_EDGE) == []
    page.goto(url("/p/shop/edit/"))  # the overview: its table list
    wait_for_diagram(page)
    expect(page.locator(f"#panel a:has-text('{long_name}')").first).to_be_visible()
    assert page.evaluate(PAST_THE_EDGE) == []


def test_a_view_option_out_of_range_is_said(login_page: Any, url: Any, make_user: Any,
                                           add_member: Any) -> None:
    shop(make_user("olga"), add_member)
    page = login_page("edda")
    page.goto(url("/p/shop/edit/"))
    wait_for_diagram(page)
    hops = page.locator("#view-form input[name=depth]")
    hops.fill("99")
    hops.press("Tab")
    expect(hops).to_be_focused()  # the browser's own "at most 6", on the field
    assert "6" in hops.evaluate("e => e.validationMessage")
    # past the browser's check (min and max taken away): the server's refusal is said
    hops.evaluate("e => { e.removeAttribute('min'); e.removeAttribute('max'); }")
    hops.fill("-3")
    hops.press("Tab")
    expect(page.locator("#view-form .htmx-error")).to_have_text(
        "Not saved: depth must be between 0 and 6")
