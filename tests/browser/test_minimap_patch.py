"""Issue 17: a patch of the drawing redraws only its groups in the minimap (its sketch is
not drawn again whole at each edit), and the sketch is then the one a whole drawing of the
patched drawing makes."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import add_table as add_table_here
from tests.browser.conftest import wait_for_diagram
from tests.browser.test_diagram_patch_browser import add_column
from tests.diagram.test_patch import design

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# the minimap's sketch, marked (a sketch drawn again whole is a new element, unmarked)
MARK_JS = """() => { const g = document.querySelector('#minimap g.minimap-drawing');
  g.dataset.mark = 'kept'; return g.innerHTML; }"""
SKETCH_JS = """() => { const g = document.querySelector('#minimap g.minimap-drawing');
  return {mark: g.dataset.mark || null, html: g.innerHTML}; }"""
# what a whole drawing does: the minimap draws its sketch again from the drawing shown
REDRAW_JS = """() => document.body.dispatchEvent(new CustomEvent('htmx:oobAfterSwap',
  {detail: {target: document.getElementById('diagram'), shouldSwap: true}}))"""


def add_table(page: Page, name: str) -> None:
    page.locator("#panel a", has_text="all tables").first.click()
    assert b"data-patch=" in add_table_here(page, name)
    wait_for_diagram(page)


def test_a_patch_redraws_its_groups_in_the_minimap(login_page: Any, url: Any) -> None:
    from django.contrib.auth import get_user_model

    from modeler.web import services
    from modeler.web.snapshot import materialize, snapshot

    page: Page = login_page("alice")
    user = get_user_model().objects.get(username="alice")
    project = services.project_create(name="Mini", slug="mini", owner=user)
    materialize(design(60), services.main_design(project))
    page.goto(url("/p/mini/edit/"))
    wait_for_diagram(page)
    target = snapshot(services.main_design(project)).tables[30]
    page.goto(url(f"/p/mini/edit/?table={target.uid}"))
    wait_for_diagram(page)
    expect(page.locator("#minimap g.minimap-drawing")).to_have_count(1)
    page.wait_for_function("() => !!document.querySelector('#minimap g.minimap-drawing *')")
    first = page.evaluate(MARK_JS)

    body = add_column(page, "brand_new_column")
    assert "data-patch=" in body
    page.wait_for_function(f"() => ({SKETCH_JS})().html !== {first!r}")
    add_table(page, "new_in_minimap")
    page.wait_for_timeout(600)  # the minimap follows when the browser is idle (500 ms at most)
    patched = page.evaluate(SKETCH_JS)
    assert patched["mark"] == "kept"  # patched in place, not drawn again whole
    assert patched["html"].count("<g") > first.count("<g")  # the new table's sketch

    page.evaluate(REDRAW_JS)
    page.wait_for_function(f"() => ({SKETCH_JS})().mark === null")
    whole = page.evaluate(SKETCH_JS)
    assert whole["html"] == patched["html"]
