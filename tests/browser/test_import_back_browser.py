"""The browser's Back button after creating a project from an import preview: the preview
shown again, its button, and its address say the import was used and link the project
(both were a bare 404)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from modeler.web.models import Project
from tests.browser.test_import_browser import preview as read_preview

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_back_to_a_used_preview_leads_to_the_project(login_page: Any, url: Any) -> None:
    page = login_page("imre")
    preview = read_preview(page, url)
    page.get_by_role("button", name="Create the project").click()
    page.wait_for_url("**/p/library/edit/", timeout=15_000)
    page.go_back()  # Chromium shows the preview as it was: its button posts again
    page.wait_for_url(preview)
    page.get_by_role("button", name="Create the project").click()
    expect(page.locator("h1")).to_have_text("This import was used already")
    page.goto(preview)  # the address itself, asked again
    expect(page.locator("h1")).to_have_text("This import was used already")
    page.locator("#import-used-project").click()
    page.wait_for_url("**/p/library/edit/")
    assert Project.objects.filter(slug="library").count() == 1
