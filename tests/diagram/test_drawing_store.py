"""The editor's whole drawings in the shared render store (issue #17): drawn once per design
revision and view, by one request at a time, ahead of the page and by the task worker after
a layout; the large design's page without its drawing; gzip, ETag and 304; failures kept
out of the store."""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache, caches
from django.test import Client
from django.urls import reverse

from modeler.web import diagram_view, diagrams, layoutjobs, rendercache, services
from modeler.web.models import RuleSetting
from modeler.web.snapshot import materialize, snapshot
from modeler.web.views import editor as editor_views

from .conftest import needs_graphviz
from .test_incremental_web import HX, column, start, token_of
from .test_patch import design


@pytest.fixture(autouse=True)
def _empty_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()


def stored_keys(part: str) -> list[str]:
    """Keys of the tests' local-memory cache holding ``part``."""
    return [k for k in caches["default"]._cache if part in k]


@pytest.fixture
def drawn(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """One entry per whole drawing made by ``diagrams.svg_for`` (the real one runs)."""
    calls: list[bool] = []
    real = diagrams.svg_for

    def counted(*args: Any, **kw: Any) -> str:
        calls.append(True)
        return real(*args, **kw)

    monkeypatch.setattr(diagrams, "svg_for", counted)
    return calls


@needs_graphviz
@pytest.mark.django_db
def test_a_large_design_page_fetches_its_drawing_which_is_drawn_once(
        client: Client, user: Any, drawn: list[bool], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(diagram_view, "SEPARATE_DRAWING_TABLES", 5)
    monkeypatch.setattr("django.conf.settings.DIAGRAM_THREADS", False)  # no drawing ahead
    project = start(client, user, "big", 12)
    client.get(reverse("diagram", args=["big"]), **HX)  # the first layout (small design)
    drawn.clear()
    page = client.get(reverse("editor", args=["big"])).content.decode()
    url = reverse("diagram", args=["big"])
    assert f'hx-get="{url}" hx-trigger="load"' in page and "<svg" not in page
    assert not drawn  # the page did not draw
    first = client.get(url, **HX)
    assert first.status_code == 200 and len(drawn) == 1
    whole = first.content.decode()
    assert whole.startswith('<div class="svg-host"') and token_of(whole)
    # read back, not drawn again: as it is, gzip, or 304 for the browser that has it; the
    # design's snapshot is not even read
    snapshots: list[bool] = []
    real_snapshot = editor_views.drawn_snapshot
    monkeypatch.setattr(editor_views, "drawn_snapshot",
                        lambda d: snapshots.append(True) or real_snapshot(d))
    again = client.get(url, **HX)
    packed = client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate", **HX)
    etag = first["ETag"]
    same = client.get(url, HTTP_IF_NONE_MATCH=etag, **HX)
    assert len(drawn) == 1
    assert again.content.decode() == whole and again["ETag"] == etag
    assert packed["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.content).decode() == whole
    assert same.status_code == 304 and not same.content
    assert not snapshots
    # the project's rule levels set the badges: another level, another drawing
    RuleSetting.objects.create(project=project, rule="NM-01", level="block", set_by=user)
    assert client.get(url, HTTP_IF_NONE_MATCH=etag, **HX).status_code == 200
    assert len(drawn) == 2
    RuleSetting.objects.all().delete()
    assert client.get(url, HTTP_IF_NONE_MATCH=etag, **HX).status_code == 304
    # the browser shows it: an empty patch
    token = token_of(whole)
    shown = client.get(url, HTTP_X_DIAGRAM_TOKEN=token, **HX).content.decode()
    assert f'data-patch="{token}" data-token="{token}" data-remove=""' in shown
    assert "<g " not in shown and len(drawn) == 2
    # an edit moves the revision: a new drawing (the changes since the old one, for a
    # browser that shows it; the whole drawing for one that shows none)
    table = snapshot(services.main_design(project)).tables[0]
    added = client.post(reverse("column_add", args=["big", table.uid]), column("fresh_col"),
                        **HX)
    assert added.status_code == 200
    patch = client.get(url, HTTP_X_DIAGRAM_TOKEN=token, **HX).content.decode()
    assert f'data-patch="{token}"' in patch and ">fresh_col<" in patch
    after = client.get(url, **HX)
    assert after["ETag"] != etag and ">fresh_col<" in after.content.decode()
    assert client.get(url, HTTP_IF_NONE_MATCH=etag, **HX).status_code == 200


@needs_graphviz
@pytest.mark.django_db
def test_the_page_starts_the_drawing_ahead(client: Client, user: Any, drawn: list[bool],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(diagram_view, "SEPARATE_DRAWING_TABLES", 5)
    start(client, user, "ahead", 12)
    client.get(reverse("diagram", args=["ahead"]), **HX)  # the first layout (small design)
    drawn.clear()
    assert client.get(reverse("editor", args=["ahead"])).status_code == 200
    deadline = time.monotonic() + 60
    while not stored_keys("editor-drawing:token:"):
        assert time.monotonic() < deadline, "the page's drawing was not stored"
        time.sleep(0.05)
    part = client.get(reverse("diagram", args=["ahead"]), **HX)
    assert part.status_code == 200 and token_of(part.content.decode())
    assert not drawn  # read from the store: the page's thread drew it (svg_later)


@pytest.mark.django_db
def test_single_flight_draws_once_for_concurrent_callers() -> None:
    calls: list[int] = []
    started = threading.Event()

    def draw() -> str:
        calls.append(1)
        started.set()
        time.sleep(0.5)
        return "<div>drawing</div>"

    results: list[bytes] = []

    def ask() -> None:
        found = rendercache.single_flight("k1", draw, wait=10)
        assert found is not None
        results.append(found.html())

    first = threading.Thread(target=ask)
    first.start()
    started.wait(5)
    others = [threading.Thread(target=ask) for _ in range(3)]
    for t in others:
        t.start()
    for t in [first, *others]:
        t.join(20)
    assert calls == [1] and results == [b"<div>drawing</div>"] * 4
    # a drawing that must not be kept (None) is drawn again next time
    assert rendercache.single_flight("k2", lambda: None, wait=1) is None
    assert rendercache.stored("k2") is None


@needs_graphviz
@pytest.mark.django_db
def test_a_failed_render_is_a_message_and_not_kept(client: Client, user: Any,
                                                   settings: Any,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(diagram_view, "SEPARATE_DRAWING_TABLES", 5)
    start(client, user, "slowish", 12)
    client.get(reverse("diagram", args=["slowish"]), **HX)  # the first layout
    cache.clear()
    settings.DIAGRAM_REQUEST_BUDGET = 0.001  # no Graphviz pass can finish in time
    part = client.get(reverse("diagram", args=["slowish"]), **HX)
    assert part.status_code == 200 and "Diagram failed" in part.content.decode()
    assert not stored_keys("editor-drawing:")
    settings.DIAGRAM_REQUEST_BUDGET = 10
    again = client.get(reverse("diagram", args=["slowish"]), **HX).content.decode()
    assert "Diagram failed" not in again and token_of(again)


@needs_graphviz
@pytest.mark.django_db
def test_the_layout_job_draws_the_laid_out_drawing(client: Client, user: Any,
                                                   settings: Any, drawn: list[bool]) -> None:
    settings.DIAGRAM_INLINE_LAYOUT_TABLES = 5
    settings.MODELER_TASKS_BACKEND = "immediate"  # the job runs where the views read
    project = services.project_create(name="lj", slug="lj", owner=user)
    materialize(design(12), services.main_design(project))
    design_ = services.main_design(project)
    layoutjobs.task_body(design_.pk, False, None)
    assert all(t.position for t in snapshot(services.main_design(project)).tables)
    client.force_login(user)
    part = client.get(reverse("diagram", args=["lj"]), **HX)
    assert part.status_code == 200 and token_of(part.content.decode())
    assert "Provisional" not in part.content.decode()
    assert not drawn  # the worker drew it


@needs_graphviz
@pytest.mark.django_db
def test_a_worker_with_a_memory_of_its_own_draws_nothing(client: Client, user: Any,
                                                         settings: Any,
                                                         drawn: list[bool]) -> None:
    """With the local-memory cache, a task worker's render store is its own process's
    memory: no web process would read a drawing made there, so the layout job makes none
    (the page draws it when asked)."""
    settings.DIAGRAM_INLINE_LAYOUT_TABLES = 5
    settings.MODELER_TASKS_BACKEND = "database"
    project = services.project_create(name="lw", slug="lw", owner=user)
    materialize(design(12), services.main_design(project))
    layoutjobs.task_body(services.main_design(project).pk, False, None)
    assert all(t.position for t in snapshot(services.main_design(project)).tables)
    assert not drawn
    client.force_login(user)
    part = client.get(reverse("diagram", args=["lw"]), **HX)
    assert part.status_code == 200 and token_of(part.content.decode())
    assert drawn  # drawn by the request, once


@pytest.mark.django_db
def test_the_key_of_a_stored_drawing_names_the_code_that_drew_it(
        user: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """The render store outlives a deployment (Redis): a drawing made by the previous code
    (its SVG, its badges from the rules of the time, its patch format) is not served by the
    new one."""
    project = services.project_create(name="cv", slug="cv", owner=user)
    design_ = services.main_design(project)
    prefs = dict(diagrams.DEFAULT_PREFS)
    key = diagram_view.drawing_key(design_, prefs, None, "placed")
    assert key == diagram_view.drawing_key(design_, prefs, None, "placed")
    stamp = rendercache.editor_code_stamp()
    assert len(stamp) == 64 and stamp == rendercache.editor_code_stamp()
    monkeypatch.setattr(rendercache, "_EDITOR_CODE", ["another version of the code"])
    assert diagram_view.drawing_key(design_, prefs, None, "placed") != key
