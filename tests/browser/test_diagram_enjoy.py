"""A diagram people enjoy (issue 16, item 5) in headless Chromium: view changes at once,
the selected table in the URL, searching columns, rule badges, the proposal banner."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import add_table, wait_for_diagram
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


def panel_table(page: Page) -> str:
    return str(page.locator("#panel-title").get_attribute("data-table") or "")


def test_selected_table_in_the_url_back_button_and_deep_link(
        login_page: Callable[..., Page], url: Callable[[str], str]) -> None:
    page = login_page("alice")
    _, t = bookstore_project()
    page.goto(url("/p/books/edit/"))
    wait_for_diagram(page)
    assert "table=" not in page.url
    # a click on a table in the diagram opens it and puts it in the URL
    page.locator(f"#table-{t['book'].uid} text").first.click()
    expect(page.locator("#panel-title")).to_have_attribute("data-table", t["book"].uid)
    page.wait_for_url(f"**/p/books/edit/?table={t['book'].uid}")
    # the table list too
    page.goto(url("/p/books/edit/"))
    wait_for_diagram(page)
    page.locator("#table-list a", has_text="customer").click()
    page.wait_for_url(f"**?table={t['customer'].uid}")
    page.locator(f"#table-{t['orders'].uid} text").first.click()
    page.wait_for_url(f"**?table={t['orders'].uid}")
    expect(page.locator("#panel-title")).to_have_attribute("data-table", t["orders"].uid)
    # back: the previous table again, then the overview
    page.go_back()
    page.wait_for_url(f"**?table={t['customer'].uid}")
    expect(page.locator("#panel-title")).to_have_attribute("data-table", t["customer"].uid)
    expect(page.locator(f"#table-{t['customer'].uid}.selected")).to_have_count(1)
    page.go_back()
    page.wait_for_url("**/p/books/edit/")
    expect(page.locator("#table-search")).to_be_visible()
    page.go_forward()
    expect(page.locator("#panel-title")).to_have_attribute("data-table", t["customer"].uid)
    # a deep link opens the table
    other = login_page("alice2")
    from django.contrib.auth import get_user_model

    from modeler.web.models import Membership, Project

    Membership.objects.update_or_create(
        project=Project.objects.get(slug="books"),
        user=get_user_model().objects.get(username="alice2"), defaults={"role": "viewer"})
    other.goto(url(f"/p/books/edit/?table={t['author'].uid}"))
    wait_for_diagram(other)
    expect(other.locator("#panel-title")).to_have_attribute("data-table", t["author"].uid)


def test_search_finds_tables_by_column(login_page: Callable[..., Page],
                                       url: Callable[[str], str], shot: Any) -> None:
    page = login_page("alice")
    _, t = bookstore_project()
    page.goto(url("/p/books/edit/"))
    wait_for_diagram(page)
    page.fill("#table-search", "isbn")
    visible = page.locator("#table-list li[data-name]:not([hidden])")
    expect(visible).to_have_count(1)
    expect(visible.first).to_contain_text("book")
    expect(visible.first.locator(".column-hit")).to_have_text("column isbn")
    expect(page.locator(f"#table-{t['book'].uid}.search-hit")).to_have_count(1)
    # a column several tables have
    page.fill("#table-search", "book_id")
    expect(visible).to_have_count(2)  # book_author, order_line
    expect(page.locator("#diagram g.node.search-hit")).to_have_count(2)
    # table names still match, without a column hint
    page.fill("#table-search", "custom")
    expect(visible).to_have_count(2)  # customer, and orders by customer_id
    expect(page.locator("#table-list li[data-name='customer'] .column-hit")).to_be_hidden()
    shot(page, "search-columns")


BADGE_TEXT_RE = r"^\d+ \u00b7 (BLOCK|JUSTIFY|ADVISE)$"


def test_rule_badges_are_labelled_and_open_the_findings(
        login_page: Callable[..., Page], url: Callable[[str], str], shot: Any) -> None:
    import re

    from modeler.web import ruling
    from modeler.web.snapshot import snapshot

    page = login_page("alice")
    project, _ = bookstore_project()
    from modeler.web import services

    design = services.main_design(project)
    findings = ruling.lint_project(snapshot(design), project, design)
    counts: dict[str, int] = {}
    for f in findings:
        if not f.waived and f.target.table_uid:
            counts[f.target.table_uid] = counts.get(f.target.table_uid, 0) + 1
    assert counts, "the bookstore should have some findings to badge"
    uid, n = max(counts.items(), key=lambda kv: kv[1])
    page.goto(url("/p/books/edit/"))
    wait_for_diagram(page)
    badges = page.locator('#diagram g[id$="__badge"]')
    expect(badges).to_have_count(len(counts))
    badge = page.locator(f'#diagram g[id="a_table-{uid}__badge"]')
    text = " ".join(badge.locator("text").all_text_contents()).strip()
    assert re.match(BADGE_TEXT_RE, text), text
    assert text.startswith(f"{n} \u00b7 ")
    worst = ruling.worst_levels(findings)[uid]
    assert text.endswith(worst.upper())
    assert badge.locator("title").text_content().startswith(f"{n} finding")
    badge.locator("text").first.click()
    findings_box = page.locator("#findings")
    expect(findings_box).to_have_attribute("open", "")
    focused = findings_box.locator("li.finding-focus")
    expect(focused).to_have_count(min(n, 40))
    expect(focused.first).to_be_in_viewport()
    assert set(focused.evaluate_all("(els) => els.map((e) => e.dataset.target)")) == {uid}
    shot(page, "badge-findings")


def test_proposal_editor_is_marked(login_page: Callable[..., Page],
                                   url: Callable[[str], str], shot: Any) -> None:
    from django.contrib.auth import get_user_model

    from modeler.review import services as review
    from modeler.web.versions import version_save

    page = login_page("alice")
    project, _ = bookstore_project()
    user = get_user_model().objects.get(username="alice")
    version_save(project=project, actor=user, message="The bookstore, first cut",
                 baseline=True)
    proposal = review.proposal_create(project=project, actor=user,
                                      title="Gift cards <b>&</b>")
    page.goto(url("/p/books/edit/"))
    wait_for_diagram(page)
    expect(page.locator("#proposal-banner")).to_have_count(0)
    expect(page.locator("main.proposal-editor")).to_have_count(0)
    page.goto(url(f"/p/books/d/{proposal.design.pk}/edit/"))
    wait_for_diagram(page)
    banner = page.locator("#proposal-banner")
    expect(banner).to_be_visible()
    expect(banner.locator("strong")).to_have_text(
        f"Proposal #{proposal.number}: Gift cards <b>&</b>")  # escaped, shown as typed
    expect(banner.get_by_role("link", name="Main design")).to_have_attribute(
        "href", "/p/books/edit/")
    colour = page.locator("#diagram-pane").evaluate("(e) => getComputedStyle(e).borderTopColor")
    assert colour == "rgb(123, 31, 162)"
    box = banner.bounding_box()
    assert box is not None and box["y"] < 200  # at the top, not below the fold
    shot(page, "proposal-editor")


def test_bookstore_screenshots(login_page: Callable[..., Page], url: Callable[[str], str],
                               shot: Any) -> None:
    """Pictures of the 6-table bookstore: in test-artifacts/ always, and in
    docs/screenshots/ with UPDATE_DOCS_SCREENSHOT=1 (docs/comparison.md shows them)."""
    import os
    import shutil
    from pathlib import Path

    from django.contrib.auth import get_user_model

    from modeler.review import services as review
    from modeler.web.versions import version_save

    docs = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    taken: list[tuple[Path, str]] = []

    def keep(page: Page, name: str) -> None:
        page.mouse.move(0, 0)  # no hover state in the picture
        taken.append((shot(page, name), name))

    page = login_page("alice")
    project, t = bookstore_project()
    page.goto(url("/p/books/edit/"))
    wait_for_diagram(page)
    expect(page.locator("#diagram g.node")).to_have_count(6)
    keep(page, "bookstore-editor")
    page.goto(url(f"/p/books/edit/?table={t['orders'].uid}"))
    wait_for_diagram(page)
    expect(page.locator("#panel-title")).to_have_text("orders")
    keep(page, "bookstore-table-open")
    page.locator(f'#diagram g[id="a_table-{t["book"].uid}__badge"] text').first.click()
    expect(page.locator("#findings li.finding-focus").first).to_be_in_viewport()
    keep(page, "bookstore-badge-findings")
    with page.expect_response(lambda r: "/view/" in r.url):
        page.locator("#view-form input[name=labels]").check()
    page.wait_for_timeout(50)
    wait_for_diagram(page)
    expect(page.locator("#diagram text", has_text="fk_orders_customer_id_customer")).to_be_visible()
    keep(page, "bookstore-fk-names")
    user = get_user_model().objects.get(username="alice")
    version_save(project=project, actor=user, message="The bookstore", baseline=True)
    proposal = review.proposal_create(project=project, actor=user, title="Gift cards")
    page.goto(url(f"/p/books/d/{proposal.design.pk}/edit/"))
    wait_for_diagram(page)
    expect(page.locator("#proposal-banner")).to_be_visible()
    keep(page, "bookstore-proposal")
    if os.environ.get("UPDATE_DOCS_SCREENSHOT"):
        docs.mkdir(parents=True, exist_ok=True)
        for path, name in taken:
            shutil.copyfile(path, docs / f"{name}.png")


INSIDE_JS = """(ids) => { const s = document.querySelector('#diagram svg').getBoundingClientRect();
  return ids.map((id) => { const r = document.getElementById(id).getBoundingClientRect();
    return r.left >= s.left - 1 && r.right <= s.right + 1 && r.top >= s.top - 1
      && r.bottom <= s.bottom + 1; }); }"""


def test_whole_design_on_open_and_new_tables_in_view(
        login_page: Callable[..., Page], url: Callable[[str], str], shot: Any) -> None:
    page = login_page("alice")
    _, t = bookstore_project()
    ids = [f"table-{x.uid}" for x in t.values()]
    page.goto(url("/p/books/edit/"))
    wait_for_diagram(page)
    assert all(page.evaluate(INSIDE_JS, ids))
    for _ in range(6):
        page.click("[data-zoom=in]")
    assert not all(page.evaluate(INSIDE_JS, ids))  # zoomed in: some tables off screen
    page.reload()
    wait_for_diagram(page)
    assert all(page.evaluate(INSIDE_JS, ids))  # opened whole again
    # zoomed in and panned away, then a new table: the view moves to it
    for _ in range(6):
        page.click("[data-zoom=in]")
    page.evaluate("""() => { const s = document.querySelector('#diagram svg');
      const v = s.viewBox.baseVal;
      const far = {x: v.x - 5000, y: v.y - 5000, w: v.width, h: v.height};
      s.setAttribute('viewBox', [far.x, far.y, far.w, far.h].join(' '));
      sessionStorage.setItem('er-view:books', JSON.stringify(far)); }""")  # as a pan does
    add_table(page, "publisher", "Companies that publish books")
    wait_for_diagram(page)
    new = page.locator("#diagram g.node", has_text="publisher")
    expect(new).to_have_count(1)
    new_id = str(new.get_attribute("id"))
    page.wait_for_function(f"() => ({INSIDE_JS})([{new_id!r}])[0]")
    shot(page, "new-table-in-view")


def test_minimap_past_50_tables(login_page: Callable[..., Page],
                                url: Callable[[str], str], shot: Any) -> None:
    from django.contrib.auth import get_user_model

    from modeler.web import services
    from modeler.web.snapshot import materialize
    from tests.diagram.test_patch import design

    page = login_page("alice")
    user = get_user_model().objects.get(username="alice")
    small = services.project_create(name="Small", slug="small", owner=user)
    materialize(design(50), services.main_design(small))
    big = services.project_create(name="Big", slug="big", owner=user)
    materialize(design(51), services.main_design(big))
    page.goto(url("/p/small/edit/"))
    wait_for_diagram(page)
    page.wait_for_timeout(100)
    expect(page.locator("#minimap")).to_have_count(0)
    page.goto(url("/p/big/edit/"))
    wait_for_diagram(page)
    minimap = page.locator("#minimap")
    expect(minimap).to_be_visible()
    view = minimap.locator("rect.minimap-view")
    whole = view.bounding_box()
    assert whole is not None
    for _ in range(5):
        page.click("[data-zoom=in]")
    zoomed = view.bounding_box()
    assert zoomed is not None and zoomed["width"] < whole["width"] / 2  # follows the zoom
    before = page.evaluate("() => document.querySelector('#diagram svg').getAttribute('viewBox')")
    box = minimap.bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + 10, box["y"] + 10)
    after = page.evaluate("() => document.querySelector('#diagram svg').getAttribute('viewBox')")
    assert after != before
    moved = view.bounding_box()
    assert moved is not None and abs(moved["x"] - (box["x"] + 10 - moved["width"] / 2)) < 20
    shot(page, "minimap")
