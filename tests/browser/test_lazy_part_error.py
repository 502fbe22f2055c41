"""Issue #17 review: a closed section of the htmx table panel fetches its form when opened
(``?part=``); when that fetch fails (the table was deleted meanwhile: 404) the section
says so instead of showing "Loading…" for ever."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import wait_for_diagram as wait_idle
from tests.browser.test_forms_ux import open_table, shop

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_failed_section_fetch_says_so(login_page: Callable[..., Page],
                                        url: Callable[[str], str],
                                        make_user: Callable[..., Any]) -> None:
    uid = shop(make_user)
    page = login_page("ann")
    open_table(page, url, uid)
    page.locator("#add-column summary").click()
    page.fill("#id_col-name", "zip")
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.locator("#add-column").get_by_role("button", name="Add column").click()
    wait_idle(page)
    section = page.locator("details", has=page.locator("summary", has_text="Add an index"))
    expect(section.locator(".lazy-part")).to_have_count(1)  # the htmx panel: fetched later
    from modeler.schema.edit import drop
    from modeler.web import services
    from modeler.web.editing import apply_edit
    from modeler.web.models import Project

    design = services.main_design(Project.objects.get(slug="shop"))
    apply_edit(design=design, actor=None, action="table.delete", summary="dropped",
               target_uid=uid, change=lambda s: drop(s, uid), gated=False)  # someone else
    with page.expect_response(lambda r: "part=index" in r.url) as answer:
        section.locator("summary").click()
    assert answer.value.status == 404
    expect(section.locator(".lazy-part")).to_contain_text("could not be loaded")
    expect(section).not_to_contain_text("Loading")
