"""Issue 17: "Fit" after a patch that drew a table beyond the drawing's box takes it in (the
box is measured when Fit needs it, not at each patch)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import add_table, wait_for_diagram
from tests.browser.test_diagram_enjoy import INSIDE_JS, bookstore_project

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# the drawing's own box when the page prepared it (what Fit showed then)
HOME_JS = """() => { const s = document.querySelector('#diagram svg');
  const v = s.viewBox.baseVal; return [v.x, v.y, v.width, v.height]; }"""


def test_fit_takes_in_a_table_a_patch_drew_beyond_the_box(
        login_page: Callable[..., Page], url: Callable[[str], str]) -> None:
    page = login_page("alice")
    _, t = bookstore_project()
    ids = [f"table-{x.uid}" for x in t.values()]
    page.goto(url("/p/books/edit/"))
    wait_for_diagram(page)
    page.click("[data-zoom=fit]")
    home = page.evaluate(HOME_JS)
    added = []
    for name in ("publisher", "imprint", "warehouse"):
        # drawn by a patch, not a whole drawing
        assert b"data-patch=" in add_table(page, name)
        new = page.locator("#diagram g.node", has_text=name)
        expect(new).to_have_count(1)
        added.append(str(new.get_attribute("id")))
        page.locator("#panel a", has_text="all tables").first.click()
        expect(page.locator("#add-table")).to_have_count(1)
    page.click("[data-zoom=fit]")
    # the new tables lie beyond the box the page was opened with...
    beyond = page.evaluate("""([ids, home]) => {
      const svg = document.querySelector('#diagram svg');
      const m = svg.getScreenCTM().inverse();
      return ids.some((id) => { const r = document.getElementById(id).getBoundingClientRect();
        const p = svg.createSVGPoint(); p.x = r.right; p.y = r.bottom;
        const q = p.matrixTransform(m);
        const a = svg.createSVGPoint(); a.x = r.left; a.y = r.top;
        const b = a.matrixTransform(m);
        return b.x < home[0] || b.y < home[1] || q.x > home[0] + home[2]
          || q.y > home[1] + home[3]; }); }""", [added, home])
    assert beyond, "the test needs a table placed beyond the drawing's first box"
    # ...and Fit shows every table, the new ones too
    assert all(page.evaluate(INSIDE_JS, ids + added))
