"""Importing in headless Chromium: a large DBML file (dbml-bench-18k, 766 KB) is read in the
background while the page shows a determinate progress bar with the stage, then the preview
with its counts; creating a project shows its progress and opens the editor."""

from __future__ import annotations

import contextlib
import re
from typing import Any

import pytest
from playwright.sync_api import Page, Response, expect

from modeler.web.models import ImportJob, Project, Version
from tests.importers.conftest import corpus_path

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SMALL = """CREATE TABLE author (id int PRIMARY KEY, name text NOT NULL);
CREATE TABLE book (id int PRIMARY KEY, author_id int NOT NULL REFERENCES author);
"""


def preview(page: Page, url: Any, name: str = "Library", slug: str = "library",
            text: str = SMALL) -> str:
    """The import page filled in with ``text`` and read: the preview shown. Its address."""
    page.goto(url("/import/"))
    page.fill("#id_name", name)
    page.fill("#id_slug", slug)
    page.fill("#id_text", text)
    page.get_by_role("button", name="Read and preview").click()
    expect(page.locator("h1")).to_contain_text(f"Import preview: {name}", timeout=15_000)
    return str(page.url)


@pytest.fixture
def background(settings: Any) -> None:
    """Real worker threads, and every import shows its progress page (no fast answer)."""
    settings.MODELER_IMPORT_INLINE = False
    settings.MODELER_IMPORT_FAST_WAIT = 0.0


def record_polls(page: Page) -> list[str]:
    """The bodies of the job page's progress polls, as they arrive."""
    bodies: list[str] = []

    def on_response(response: Response) -> None:
        if "/import/jobs/" in response.url and response.request.method == "GET" and \
                response.request.headers.get("hx-target") == "import-job":
            with contextlib.suppress(Exception):  # a navigation may discard the body
                bodies.append(response.text())

    page.on("response", on_response)
    return bodies


def test_large_file_shows_progress_then_preview(login_page: Any, url: Any, shot: Any,
                                                background: None) -> None:
    big = corpus_path("dbml-bench-18k/18k.dbml")
    page = login_page("imre")
    polls = record_polls(page)
    page.goto(url("/import/"))
    page.fill("#id_name", "Benchmark")
    page.fill("#id_slug", "bench")
    page.select_option("#id_format", "dbml")
    page.set_input_files("#files", str(big))
    page.get_by_role("button", name="Read and preview").click()

    bar = page.locator("#import-job progress#import-bar")
    expect(bar).to_be_visible()
    expect(page.locator("#import-job h1")).to_contain_text("Importing Benchmark")
    job = ImportJob.objects.get(slug="bench")
    page.wait_for_url(f"**/import/jobs/{job.pk}/")  # the job has an address of its own
    page.wait_for_selector("#import-bar[value]", timeout=30_000)  # a measured stage
    shot(page, "progress")

    page.wait_for_url("**/import/*/", timeout=30_000)
    expect(page.locator("h1")).to_contain_text("Import preview: Benchmark")
    expect(page.locator("#import-counts")).to_contain_text("704")
    # on the way the polls showed real stages with a determinate bar
    stages = [m.group(1) for body in polls
              for m in [re.search(r'id="import-stage"><strong>(.*?)</strong>', body)] if m]
    assert any(re.match(r"(Parsing|Converting|Building|Preparing)", s) for s in stages), stages
    assert any(re.search(r'<progress id="import-bar"[^>]* value="\d+" max="\d+"', body)
               for body in polls), polls[:3]
    assert not Project.objects.exists()  # nothing created before the confirmation


def test_create_shows_progress_then_the_editor(login_page: Any, url: Any,
                                               background: None) -> None:
    page = login_page("imre")
    preview(page, url)

    page.get_by_role("button", name="Create the project").click()
    page.wait_for_url("**/p/library/edit/", timeout=15_000)
    page.wait_for_selector("#diagram svg")
    assert Version.objects.get(project__slug="library").baseline
    create = ImportJob.objects.get(kind="create")
    assert create.status == "done" and create.finished_at is not None
