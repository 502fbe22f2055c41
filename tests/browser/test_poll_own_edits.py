"""The editor's poller and the user's own edits (issue #17): an edit's response brings the
new drawing and revision, so a poll answer about that revision (a poll sent before the edit
answered, or answered while it was drawn) must not refetch the drawing or the panel."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlparse

import pytest
from playwright.sync_api import expect

from tests.diagram.test_patch import design

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def wait_idle(page: Any) -> None:
    """The diagram is an SVG and no request but the poller's is in flight."""
    page.wait_for_selector("#diagram svg")
    page.wait_for_function("() => !document.querySelector("
                           "'.htmx-request:not(#poller), .htmx-swapping, .htmx-settling')")


def test_own_edits_are_not_refetched_by_the_poller(login_page: Any, url: Any,
                                                   settings: Any) -> None:
    from django.contrib.auth import get_user_model

    from modeler.web import services
    from modeler.web.snapshot import materialize, snapshot

    settings.EDITOR_POLL_MS = 50  # polls all the time, during every edit
    page = login_page("alice")
    user = get_user_model().objects.get(username="alice")
    project = services.project_create(name="Polls", slug="polls", owner=user)
    materialize(design(40), services.main_design(project))
    page.goto(url("/p/polls/edit/"))  # the first view lays the design out
    wait_idle(page)
    target = snapshot(services.main_design(project)).tables[20]
    page.goto(url(f"/p/polls/edit/?table={target.uid}"))
    wait_idle(page)

    seen: list[tuple[str, str]] = []
    page.on("request", lambda r: seen.append((r.method, urlparse(r.url).path)))
    section = page.locator("#add-column")
    section.locator("summary").click()
    for i in range(8):
        name = f"own_edit_{i}"
        section.locator("#id_col-name").fill(name)
        section.locator("#id_col-type").select_option("text")
        section.locator("#id_col-comment").fill("added while the poller runs")
        with page.expect_response(lambda r: r.request.method == "POST"):
            section.get_by_role("button", name="Add column").click()
        expect(page.locator("#columns code", has_text=name).first).to_be_visible()
    page.wait_for_timeout(600)  # polls after the last edit: the drawing is current
    wait_idle(page)

    polls = [p for m, p in seen if p.endswith("/edit/poll/")]
    posts = [p for m, p in seen if m == "POST"]
    refetched = [(m, p) for m, p in seen if m == "GET" and (
        p.endswith("/edit/diagram/") or p.endswith("/edit/") or f"/t/{target.uid}/" in p)]
    assert len(posts) == 8 and len(polls) >= 10
    assert refetched == [], refetched  # no whole drawing, no panel refresh
    assert section.evaluate("(d) => d.open")  # the add-column form stayed open
    assert page.evaluate("() => document.getElementById('diagram-pane').dataset.rev") == str(
        services.main_design(project).revision)


def test_a_provisional_drawing_is_replaced_once_laid_out(login_page: Any, url: Any,
                                                         settings: Any, monkeypatch: Any) -> None:
    """The page shows the provisional placement and its revision is already the current
    one (however it got there: the hang seen once at 300 tables): its poller still fetches
    the laid-out drawing once the layout is stored."""
    from django.contrib.auth import get_user_model

    from modeler.web import layoutjobs, services
    from modeler.web.models import Design
    from modeler.web.snapshot import materialize

    settings.EDITOR_POLL_MS = 100
    settings.DIAGRAM_INLINE_LAYOUT_TABLES = 5
    monkeypatch.setattr(layoutjobs, "schedule_layout", lambda design, **_: True)  # not yet
    page = login_page("alice")
    user = get_user_model().objects.get(username="alice")
    project = services.project_create(name="Grid", slug="grid", owner=user)
    materialize(design(12), services.main_design(project))
    page.goto(url("/p/grid/edit/"))
    wait_idle(page)
    expect(page.locator("#diagram [data-provisional]")).to_have_count(1)
    page.wait_for_timeout(400)  # polls: nothing to fetch yet
    expect(page.locator("#diagram [data-provisional]")).to_have_count(1)
    pk = services.main_design(project).pk
    assert layoutjobs.run_layout(pk)
    page.evaluate("(rev) => { document.getElementById('diagram-pane').dataset.rev = rev; }",
                  str(Design.objects.get(pk=pk).revision))
    expect(page.locator("#diagram [data-provisional]")).to_have_count(0, timeout=5000)
    expect(page.locator("#diagram svg g.node[id^='table-']")).to_have_count(12)
    wait_idle(page)
    fetched: list[str] = []
    page.on("request", lambda r: fetched.append(r.url) if "/edit/diagram/" in r.url else None)
    page.wait_for_timeout(500)  # the real drawing shown: the poller is quiet again
    assert fetched == []
