"""Incremental diagram in headless Chromium (issue #17): adding a column patches the drawing
in place, in the editing browser and in a second browser that polls."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import wait_for_diagram as wait_idle
from tests.diagram.test_patch import design

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MARK_JS = """(ids) => {
  const svg = document.querySelector('#diagram svg');
  svg.setAttribute('data-marker', 'root');
  for (const id of ids) document.getElementById(id).setAttribute('data-marker', 'kept');
  return svg.dataset.token;
}"""
STATE_JS = """(ids) => {
  const svg = document.querySelector('#diagram svg');
  return {root: svg.getAttribute('data-marker'), token: svg.dataset.token,
          nodes: svg.querySelectorAll('g.node[id^="table-"]').length,
          marks: ids.map((id) => {
            const g = document.getElementById(id);
            return g ? g.getAttribute('data-marker') : 'missing';
          })};
}"""
TEXT_JS = """(name) => Array.from(document.querySelectorAll('#diagram svg text'))
  .some((t) => t.textContent === name)"""


def add_column(page: Page, name: str) -> str:
    section = page.locator("#add-column")
    if not section.evaluate("(d) => d.open"):  # it stays open after an add (issue 16)
        section.locator("summary").click()
    section.locator("#id_col-name").fill(name)
    section.locator("#id_col-type").select_option("text")
    with page.expect_response(lambda r: r.request.method == "POST") as info:
        section.get_by_role("button", name="Add column").click()
    expect(page.locator("#columns code", has_text=name).first).to_be_visible()
    wait_idle(page)
    return str(info.value.text())


def test_adding_a_column_patches_the_drawing_in_place(login_page: Any, url: Any,
                                                      shot: Any) -> None:
    from django.contrib.auth import get_user_model

    from modeler.web import services
    from modeler.web.snapshot import materialize, snapshot

    page = login_page("alice")
    user = get_user_model().objects.get(username="alice")
    project = services.project_create(name="Patch", slug="patch", owner=user)
    materialize(design(60), services.main_design(project))
    viewer = login_page("bob")
    from modeler.web.models import Membership

    Membership.objects.update_or_create(project=project, user=get_user_model().objects.get(
        username="bob"), defaults={"role": "viewer"})

    # the first view lays the design out and stores the positions
    page.goto(url("/p/patch/edit/"))
    wait_idle(page)
    tables = snapshot(services.main_design(project)).tables
    target, others = tables[30], [tables[0], tables[59]]
    page.goto(url(f"/p/patch/edit/?table={target.uid}"))
    wait_idle(page)
    viewer.goto(url("/p/patch/edit/"))
    wait_idle(viewer)
    ids = [f"table-{t.uid}" for t in (*others, target)]
    before = page.evaluate(MARK_JS, ids)
    viewer_before = viewer.evaluate(MARK_JS, ids)
    count = page.evaluate(STATE_JS, ids)["nodes"]
    assert before and count == 60

    body = add_column(page, "brand_new_column")
    assert f'data-patch="{before}"' in body  # the edit answered with a patch
    assert ">brand_new_column<" in body
    assert page.evaluate(TEXT_JS, "brand_new_column")
    after = page.evaluate(STATE_JS, ids)
    assert after["root"] == "root"  # the same <svg> element: not swapped as a whole
    assert after["marks"][:2] == ["kept", "kept"]  # other tables: the same DOM nodes
    assert after["marks"][2] is None  # the edited table's group was replaced
    assert after["token"] != before and after["nodes"] == 60
    shot(page, "patched")

    # the second browser's poller fetches the change as a patch too
    viewer.wait_for_function(TEXT_JS, arg="brand_new_column", timeout=15_000)
    seen = viewer.evaluate(STATE_JS, ids)
    assert seen["root"] == "root" and seen["marks"][:2] == ["kept", "kept"]
    assert seen["token"] == after["token"] != viewer_before
