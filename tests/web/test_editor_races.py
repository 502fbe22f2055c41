"""Races between the editor's page, its poller and the background layout (issue #17 bugs).

A design without a layout is drawn provisionally while the background job lays it out; the
page must then fetch the real drawing once the layout is stored, whenever it lands."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from modeler.web import layoutjobs, services
from modeler.web.models import Design
from modeler.web.snapshot import materialize, snapshot

from ..diagram.test_patch import design

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
PANE_REV = re.compile(r'id="diagram-pane"[^>]*?data-rev="(\d+)"', re.S)


def large_unplaced(client: Client, user: Any, settings: Any, slug: str = "big") -> Any:
    settings.DIAGRAM_INLINE_LAYOUT_TABLES = 5
    project = services.project_create(name=slug, slug=slug, owner=user)
    materialize(design(12), services.main_design(project))
    client.force_login(user)
    return project


def land_layout_at_once(monkeypatch: Any) -> list[int]:
    """The background layout finishes inside the view, right after the provisional drawing
    was made (between the view's snapshot and its page)."""
    done: list[int] = []

    def inline(design_: Design, **_: Any) -> bool:
        layoutjobs.run_layout(design_.pk)
        done.append(design_.pk)
        return True

    monkeypatch.setattr(layoutjobs, "schedule_layout", inline)
    return done


def test_a_layout_landing_while_the_page_is_built_is_fetched(client: Client, user: Any,
                                                             settings: Any,
                                                             monkeypatch: Any) -> None:
    project = large_unplaced(client, user, settings)
    before = services.main_design(project).revision
    done = land_layout_at_once(monkeypatch)
    page = client.get(reverse("editor", args=["big"]))
    html = page.content.decode()
    assert done and 'data-provisional="1"' in html
    after = Design.objects.get(pk=done[0]).revision
    assert after > before and all(t.position for t in snapshot(done[0]).tables)
    found = PANE_REV.search(html)
    assert found
    # the page carries the revision of what it drew, not the one stored meanwhile
    assert int(found.group(1)) == before
    poll = client.get(reverse("poll", args=["big"]), {"rev": found.group(1),
                                                      "provisional": "1"}, **HX)
    assert poll.status_code == 200 and poll["X-Design-Revision"] == str(after)
    assert "schema-changed" in poll["HX-Trigger"]


def test_a_provisional_drawing_keeps_asking_until_the_layout_is_stored(
        client: Client, user: Any, settings: Any) -> None:
    """Even when the page's revision is the current one (whatever set it), a page that
    shows the provisional drawing is told to refresh once the positions are stored, and
    only then."""
    project = large_unplaced(client, user, settings, "grid")
    design_ = services.main_design(project)
    url = reverse("poll", args=["grid"])
    waiting = client.get(url, {"rev": str(design_.revision), "provisional": "1"}, **HX)
    assert waiting.status_code == 204  # nothing to fetch yet: still no layout
    layoutjobs.run_layout(design_.pk)
    rev = str(Design.objects.get(pk=design_.pk).revision)
    laid_out = client.get(url, {"rev": rev, "provisional": "1"}, **HX)
    assert laid_out.status_code == 200 and laid_out["X-Design-Revision"] == rev
    assert client.get(url, {"rev": rev}, **HX).status_code == 204  # a real drawing: current
    assert waiting["X-Design-Revision"] == str(design_.revision)


def test_a_full_page_load_of_a_table_url_draws_the_diagram(client: Client, user: Any) -> None:
    project = services.project_create(name="t", slug="tp", owner=user)
    materialize(design(4), services.main_design(project))
    client.force_login(user)
    schema = snapshot(services.main_design(project))
    uid = schema.tables[1].uid
    page = client.get(reverse("table_panel", args=["tp", uid]))
    assert page.status_code == 200
    html = page.content.decode()
    host = html[html.index('class="svg-host"'):]
    assert "<svg" in host[:200], host[:200]
    for t in schema.tables:
        assert f"table-{t.uid}" in html
    assert f'data-table="{uid}"' in html  # the table's panel is open
    as_query = client.get(reverse("editor", args=["tp"]), {"table": uid}).content.decode()
    assert f'data-table="{uid}"' in as_query
