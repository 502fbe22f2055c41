"""The minimap is shown above LIMIT (50) tables only: a patch that takes the drawing back
to 50 (an undone add) removes it, as a whole drawing of those tables does (the patched
sketch kept it: 6daab90 redrew the patch's groups only, without counting the tables)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import wait_for_diagram
from tests.browser.test_minimap_patch import add_table
from tests.diagram.test_patch import design

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_undone_table_at_the_limit_removes_the_minimap(login_page: Any, url: Any) -> None:
    from django.contrib.auth import get_user_model

    from modeler.web import services
    from modeler.web.snapshot import materialize, snapshot

    page: Page = login_page("alice")
    user = get_user_model().objects.get(username="alice")
    project = services.project_create(name="Mini", slug="mini", owner=user)
    materialize(design(50), services.main_design(project))
    target = snapshot(services.main_design(project)).tables[10]
    page.goto(url(f"/p/mini/edit/?table={target.uid}"))
    wait_for_diagram(page)
    page.wait_for_timeout(600)  # the minimap follows when the browser is idle
    expect(page.locator("#minimap")).to_have_count(0)  # 50 tables: none

    add_table(page, "one_more")  # 51: a patch, and the minimap drawn
    page.wait_for_function("() => !!document.querySelector('#minimap g.minimap-drawing *')")

    with page.expect_response(lambda r: "/undo/" in r.url) as answer:
        page.locator("#undo-button").click()
    assert b"data-patch=" in answer.value.body()
    wait_for_diagram(page)
    expect(page.locator("#diagram svg:not(#minimap)")).not_to_contain_text("one_more")
    page.wait_for_timeout(600)
    expect(page.locator("#minimap")).to_have_count(0)
