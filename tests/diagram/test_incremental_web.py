"""The editor's diagram over HTTP (issue #17): patches instead of whole drawings, and no
request that fails or waits past its budget because of a layout."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from modeler.web import diagrams, layoutjobs, services
from modeler.web.snapshot import materialize, snapshot

from .conftest import needs_graphviz
from .test_patch import design

HX = {"HTTP_HX_REQUEST": "true"}
TOKEN = re.compile(r'<svg data-token="([0-9a-f]{16})"')


def column(name: str) -> dict[str, str]:
    return {"col-name": name, "col-type": "text", "col-searchable": "none",
            "col-comment": "added by a test"}


def start(client: Client, user: Any, slug: str, n: int, fks: float = 1.5) -> Any:
    project = services.project_create(name=slug, slug=slug, owner=user)
    materialize(design(n, fks), services.main_design(project))
    client.force_login(user)
    return project


def token_of(html: str) -> str:
    found = TOKEN.search(html)
    assert found, html[:500]
    return found.group(1)


@needs_graphviz
@pytest.mark.django_db
def test_an_edit_sends_only_what_changed(client: Client, user: Any) -> None:
    project = start(client, user, "inc", 60)
    first = client.get(reverse("diagram", args=["inc"]), **HX)
    assert first.status_code == 200
    whole = first.content.decode()
    token = token_of(whole)
    table = snapshot(services.main_design(project)).tables[30]
    edited = client.post(reverse("column_add", args=["inc", table.uid]),
                         column("brand_new_column"), HTTP_X_DIAGRAM_TOKEN=token, **HX)
    assert edited.status_code == 200, edited.content[:2000]
    body = edited.content.decode()
    assert f'data-patch="{token}"' in body
    assert ">brand_new_column<" in body
    assert f'<g id="table-{table.uid}" class="node"' in body
    others = snapshot(services.main_design(project)).tables[0]
    assert f'id="table-{others.uid}"' not in body  # untouched tables are not sent again
    patch_svg = body[body.index("<svg data-patch") if "<svg data-patch" in body
                     else body.index('data-patch="') - 60:]
    assert len(patch_svg) < len(whole) / 5
    # the drawing after the edit, whole, has the same table group as the patch
    again = client.get(reverse("diagram", args=["inc"]), **HX).content.decode()
    group = re.search(rf'<g id="table-{table.uid}" class="node".*?\n</g>', again, re.S)
    assert group and group.group(0) in body
    # a poller's refresh since the first drawing gets the change as a patch too
    refresh = client.get(reverse("diagram", args=["inc"]), HTTP_X_DIAGRAM_TOKEN=token, **HX)
    assert f'data-patch="{token}"' in refresh.content.decode()
    assert ">brand_new_column<" in refresh.content.decode()
    # an unknown or malformed token gets the whole drawing
    for bad in ("0123456789abcdef", "<script>", "x" * 300):
        full = client.get(reverse("diagram", args=["inc"]), HTTP_X_DIAGRAM_TOKEN=bad, **HX)
        text = full.content.decode()
        assert full.status_code == 200 and "data-patch" not in text and TOKEN.search(text)
        assert "<script>" not in text


@needs_graphviz
@pytest.mark.django_db
def test_a_render_past_its_budget_is_a_message_not_a_500(client: Client, user: Any,
                                                         settings: Any) -> None:
    project = start(client, user, "slow", 20)
    settings.DIAGRAM_REQUEST_BUDGET = 0.001  # no Graphviz pass can finish in time
    page = client.get(reverse("editor", args=["slow"]))
    assert page.status_code == 200
    assert "Diagram failed" in page.content.decode()
    # the layout fell back to a grid (no Graphviz) and was stored all the same
    assert all(t.position for t in snapshot(services.main_design(project)).tables)
    part = client.get(reverse("diagram", args=["slow"]), **HX)
    assert part.status_code == 200 and "Diagram failed" in part.content.decode()
    relayout = client.post(reverse("relayout", args=["slow"]), **HX)
    assert relayout.status_code == 204
    download = client.get(reverse("diagram_download", args=["slow", "png"]))
    assert download.status_code == 503
    assert "could not be drawn" in download.content.decode()


@needs_graphviz
@pytest.mark.django_db(transaction=True)
def test_a_thousand_tables_without_a_layout_open_at_once(client: Client, user: Any,
                                                         settings: Any) -> None:
    """1,000 tables and about 5,000 foreign keys: the editor page comes without its drawing
    (fetched right after it), the diagram answers with a provisional grid (and says so)
    while the layout runs on the background job; then the laid-out drawing replaces it."""
    project = start(client, user, "huge", 1000, fks=5)
    schema = snapshot(services.main_design(project))
    assert len(schema.relationships) >= 4500 and not any(t.position for t in schema.tables)
    settings.MODELER_IMPORT_INLINE = False  # the layout task on a thread, as on a worker
    # dot lays this out in ~16 s on an idle machine and up to its whole budget (72 of the
    # default 120 s) beside the suite's other worker; a short budget keeps the test quick
    # and takes the fallback (sfdp, then a grid) that a layout past its budget must take
    settings.DIAGRAM_LAYOUT_BUDGET = 8
    page = client.get(reverse("editor", args=["huge"]))
    assert page.status_code == 200
    html = page.content.decode()
    diagram_url = reverse("diagram", args=["huge"])
    assert f'hx-get="{diagram_url}" hx-trigger="load"' in html and "<svg" not in html
    part = client.get(diagram_url, **HX)
    assert part.status_code == 200
    drawn = part.content.decode()
    assert "Provisional placement" in drawn and "being computed" in drawn and "<svg" in drawn
    layoutjobs.wait(300)
    assert not layoutjobs.running(services.main_design(project).pk)
    placed = snapshot(services.main_design(project))
    assert all(t.position for t in placed.tables)
    after = client.get(reverse("diagram", args=["huge"]), **HX)
    assert after.status_code == 200
    assert "Provisional placement" not in after.content.decode()
    assert TOKEN.search(after.content.decode()) or "Diagram failed" in after.content.decode()


@pytest.mark.django_db
def test_a_viewer_sees_the_provisional_placement_without_storing(client: Client, user: Any,
                                                                 settings: Any) -> None:
    settings.DIAGRAM_INLINE_LAYOUT_TABLES = 5
    project = services.project_create(name="v", slug="v", owner=user)
    materialize(design(12), services.main_design(project))
    services_design = services.main_design(project)
    html = diagrams.svg_for(snapshot(services_design), project, user, services_design,
                            can_store=False)
    assert "Provisional placement" in html and "no layout yet" in html
    assert not any(t.position for t in snapshot(services_design).tables)
    assert not layoutjobs.running(services_design.pk)
    # an edit of such a design draws the provisional placement again (no layout in the
    # edit's request) and says so
    drawn = diagrams.svg_later(snapshot(services_design), project, user, ()).result()
    assert "Provisional placement" in drawn and "<svg" in drawn and "data-patch" not in drawn


@needs_graphviz
@pytest.mark.django_db(transaction=True)
def test_relayout_of_a_large_design_runs_in_the_background(client: Client, user: Any,
                                                           settings: Any) -> None:
    from modeler.web.models import Activity

    settings.DIAGRAM_INLINE_LAYOUT_TABLES = 5
    project = start(client, user, "big", 12)
    design_ = services.main_design(project)
    layoutjobs.run_layout(design_.pk)  # a first layout, stored
    before = snapshot(design_)
    assert all(t.position for t in before.tables)
    dragged = client.post(reverse("table_move", args=["big", before.tables[0].uid]),
                          {"dx": "900", "dy": "0"}, **HX)
    assert dragged.status_code == 204  # a re-layout puts it back: something to store
    moved = client.post(reverse("relayout", args=["big"]), **HX)
    assert moved.status_code == 204
    layoutjobs.wait(120)
    entry = Activity.objects.filter(project=project, action="diagram.relayout").first()
    assert entry is not None and entry.actor == user
    after = snapshot(services.main_design(project))
    assert all(t.position for t in after.tables)
