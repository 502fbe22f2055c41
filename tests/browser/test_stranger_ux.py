"""What a first-time user tripped over in headless Chromium, each kept fixed: the import
form's slug follows the name (as the new-project form's does; Chromium refused the form
with "Please fill out this field" on a slug the user never thought of)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from modeler.web.models import PendingImport

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
