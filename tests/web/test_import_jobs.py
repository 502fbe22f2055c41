"""Web imports as background jobs: the job page and its htmx polls (determinate progress
with the stage), fast imports that answer at once, cancelling, dead workers shown as failed,
owners only, all or nothing; and real worker threads (``transaction=True``)."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from modeler.importers import import_sql
from modeler.schema.validate import InvalidSchema
from modeler.web import importing, importjobs
from modeler.web import models as db
from modeler.web.forms import SLUG_UNAVAILABLE
from modeler.web.models import ImportJob, Membership, PendingImport, Project, Version
from modeler.web.services import main_design
from modeler.web.snapshot import snapshot
from tests import taskbackend

SQL = """
CREATE TYPE mood AS ENUM ('sad', 'happy');
CREATE TABLE author (id serial PRIMARY KEY, name varchar(100) NOT NULL, m mood);
CREATE TABLE book (
    id serial PRIMARY KEY,
    author_id integer NOT NULL REFERENCES author (id),
    title text NOT NULL UNIQUE
);
CREATE INDEX book_author ON book (author_id);
CREATE VIEW book_titles AS SELECT title FROM book;
"""
HTMX = {"HTTP_HX_REQUEST": "true"}
POLL = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "import-job"}


def start(client: Client, slug: str = "legacy", text: str = SQL, **headers: str) -> Any:
    upload = SimpleUploadedFile("legacy.sql", text.encode(), content_type="text/plain")
    return client.post(reverse("import_start"), {"name": "Legacy", "slug": slug,
                                                 "format": "sql", "files": upload}, **headers)


def make_job(user: Any, **fields: Any) -> ImportJob:
    values: dict[str, Any] = {"kind": "parse", "status": "running", "name": "Big", "slug": "big",
                              "source": "sql: big.sql", "heartbeat_at": timezone.now(),
                              "started_at": timezone.now()}
    values.update(fields)
    return ImportJob.objects.create(user=user, **values)


# ------------------------------------------------------------------ inline (the test's DB)

@pytest.mark.django_db
def test_fast_import_answers_at_once(client: Client, user: Any) -> None:
    client.force_login(user)
    response = start(client, **HTMX)
    pending = PendingImport.objects.get()
    assert response.status_code == 302 and response.url == reverse("import_preview",
                                                                    args=[pending.pk])
    job = ImportJob.objects.get()
    assert (job.kind, job.status, job.pending_id) == ("parse", "done", pending.pk)
    assert job.finished_at and job.started_at and job.source == "sql: legacy.sql"
    assert not Project.objects.exists()
    # the preview's create button, through htmx: a full page load of the editor
    done = client.post(reverse("import_confirm", args=[pending.pk]), **HTMX)
    assert done.status_code == 200
    assert done.headers["HX-Redirect"] == reverse("editor", kwargs={"slug": "legacy"})
    project = Project.objects.get(slug="legacy")
    version = Version.objects.get(project=project)
    assert version.number == 1 and version.baseline
    # the first layout is done by the create step: every table is placed, in version 1 too
    schema = snapshot(main_design(project))
    assert {t.name for t in schema.tables} == {"author", "book"}
    assert all(t.position for t in schema.tables)
    assert not PendingImport.objects.exists()
    create = ImportJob.objects.get(kind="create")
    assert create.status == "done" and create.pending_id is None
    # the parse job's page now leads to the project
    parse = client.get(reverse("import_job", args=[job.pk]))
    assert parse.status_code == 302 and parse.url == reverse("editor", kwargs={"slug": "legacy"})


@pytest.mark.django_db
def test_job_page_shows_stage_and_determinate_progress(client: Client, user: Any) -> None:
    client.force_login(user)
    job = make_job(user, kind="create", stage="storing columns", done=4704, total=17013,
                   unit="rows")
    fragment = client.get(reverse("import_job", args=[job.pk]), **POLL)
    body = fragment.content.decode()
    assert fragment.status_code == 200 and "<html" not in body
    assert 'id="import-job"' in body and 'hx-trigger="every 500ms"' in body
    assert 'value="4704" max="17013"' in body
    assert "Storing columns</strong>: 4,704 of 17,013 rows" in body
    assert "27%" in body and "Cancel" in body
    # a stage without a measure: an indeterminate bar, no numbers
    ImportJob.objects.filter(pk=job.pk).update(stage="laying out the diagram", done=0, total=0,
                                               unit="")
    body = client.get(reverse("import_job", args=[job.pk]), **POLL).content.decode()
    assert "Laying out the diagram" in body and re.search(r'<progress id="import-bar"[^>]*>',
                                                          body)
    assert "value=" not in re.search(r'<progress id="import-bar"[^>]*>', body).group(0)
    # the whole page (a reload, or no JavaScript: it refreshes itself)
    page = client.get(reverse("import_job", args=[job.pk]))
    assert page.status_code == 200 and b"<html" in page.content
    assert b'http-equiv="refresh"' in page.content


@pytest.mark.django_db
def test_finished_jobs_lead_on(client: Client, user: Any) -> None:
    client.force_login(user)
    pending = PendingImport.objects.create(user=user, name="Big", slug="big", source="x",
                                           schema_json="{}")
    job = make_job(user, status="done", pending=pending)
    # the last poll swaps in a fragment that stops polling and opens the preview
    poll = client.get(reverse("import_job", args=[job.pk]), **POLL).content.decode()
    assert 'data-status="done"' in poll and "hx-trigger" not in poll
    assert led_to(poll) == reverse("import_preview", args=[pending.pk])
    assert f'data-redirect="{led_to(poll)}"' in poll  # static/js/page.js follows it
    other = client.get(reverse("import_job", args=[job.pk]), **HTMX)  # not a poll
    assert other.headers["HX-Redirect"] == reverse("import_preview", args=[pending.pk])
    plain = client.get(reverse("import_job", args=[job.pk]))
    assert plain.status_code == 302 and plain.url == reverse("import_preview", args=[pending.pk])
    failed = make_job(user, status="failed", error="big.sql:3: syntax error at or near ','",
                      statement="CREATE TABLE t (id int,,)")
    body = client.get(reverse("import_job", args=[failed.pk]), **POLL).content.decode()
    assert "Import failed" in body and "big.sql:3" in body and "CREATE TABLE t" in body
    assert "hx-trigger" not in body  # polling stops
    assert "Start over" in body


@pytest.mark.django_db
def test_jobs_are_visible_to_their_owner_only(client: Client, user: Any,
                                               other_user: Any) -> None:
    job = make_job(user)
    assert client.get(reverse("import_job", args=[job.pk])).status_code == 302  # login
    client.force_login(user)  # the import page lists the user's running imports
    page = client.get(reverse("import_start")).content.decode()
    assert f'href="{reverse("import_job", args=[job.pk])}"' in page
    client.force_login(other_user)
    page = client.get(reverse("import_start")).content.decode()
    assert "Still running" not in page
    assert client.get(reverse("import_job", args=[job.pk])).status_code == 404
    assert client.post(reverse("import_job_cancel", args=[job.pk])).status_code == 404
    job.refresh_from_db()
    assert job.status == "running"


@pytest.mark.django_db
def test_a_job_whose_worker_died_is_shown_as_failed(client: Client, user: Any,
                                                    settings: Any) -> None:
    settings.MODELER_IMPORT_ACTIVE_PER_USER = 1
    client.force_login(user)
    job = make_job(user, stage="parsing file 3 of 46: x.sql",
                   heartbeat_at=timezone.now() - timedelta(minutes=5))
    body = client.get(reverse("import_job", args=[job.pk]), **POLL).content.decode()
    assert "stopped unexpectedly" in body and "nothing was created" in body
    job.refresh_from_db()
    assert job.status == "failed" and job.finished_at
    # a dead job does not count against the limit; a live one does
    assert start(client, slug="one", **HTMX).status_code == 302
    make_job(user)
    refused = start(client, slug="two", **HTMX)
    assert refused.status_code == 429 and b"imports running" in refused.content
    assert not PendingImport.objects.filter(slug="two").exists()


@pytest.mark.django_db
def test_cancel(client: Client, user: Any) -> None:
    client.force_login(user)
    job = make_job(user)
    response = client.post(reverse("import_job_cancel", args=[job.pk]), **HTMX)
    assert response.status_code == 200 and b"Cancelled: nothing was created" in response.content
    job.refresh_from_db()
    assert job.status == "cancelled" and job.finished_at
    # a finished job stays as it ended
    done = make_job(user, status="failed", error="no")
    client.post(reverse("import_job_cancel", args=[done.pk]))
    done.refresh_from_db()
    assert done.status == "failed"


@pytest.mark.django_db
def test_cancelled_create_rolls_everything_back(client: Client, user: Any,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """The job's transaction checks the job is still running before it commits: a cancel
    that arrives during the last step leaves no project, design rows or version."""
    client.force_login(user)
    start(client)
    pending = PendingImport.objects.get()
    real = importing.version_save

    def save_then_cancel(**kwargs: Any) -> Any:
        version = real(**kwargs)
        ImportJob.objects.filter(kind="create").update(status="cancelled")  # the user's click
        return version

    monkeypatch.setattr(importing, "version_save", save_then_cancel)
    response = client.post(reverse("import_confirm", args=[pending.pk]), **HTMX)
    assert response.status_code == 200 and b"Cancelled" in response.content
    assert not Project.objects.exists() and not db.DbTable.objects.exists()
    assert not Version.objects.exists()
    assert PendingImport.objects.filter(pk=pending.pk).exists()  # the preview stays


@pytest.mark.django_db
def test_create_refused_creates_nothing(client: Client, user: Any, other_user: Any) -> None:
    client.force_login(user)
    start(client)
    pending = PendingImport.objects.get()
    Project.objects.create(name="Taken", slug="legacy", owner=other_user)  # meanwhile
    response = client.post(reverse("import_confirm", args=[pending.pk]), **HTMX)
    # the words of the forms for any taken slug: nothing says whose project has it (it said
    # "alice cannot edit project legacy", as if the import were refused for a role)
    assert response.status_code == 422 and SLUG_UNAVAILABLE.encode() in response.content
    assert b"cannot edit" not in response.content
    assert not db.DbTable.objects.exists() and not Version.objects.exists()
    job = ImportJob.objects.get(kind="create")
    assert job.status == "failed" and SLUG_UNAVAILABLE in job.error
    assert PendingImport.objects.filter(pk=pending.pk).exists()  # the preview stays


@pytest.mark.django_db
def test_create_into_a_slug_taken_meanwhile_by_a_project_one_edits(
        client: Client, user: Any, other_user: Any) -> None:
    """The preview promises a new project: a project of the same slug made meanwhile by a
    teammate, where the importer is an editor, is not filled with the import."""
    client.force_login(user)
    start(client)
    pending = PendingImport.objects.get()
    taken = Project.objects.create(name="Taken", slug="legacy", owner=other_user)
    Membership.objects.create(project=taken, user=user, role="editor")
    response = client.post(reverse("import_confirm", args=[pending.pk]), **HTMX)
    assert response.status_code == 422 and SLUG_UNAVAILABLE.encode() in response.content
    assert not db.DbTable.objects.exists() and not Version.objects.exists()


@pytest.mark.django_db
def test_a_design_the_store_refuses_fails_at_the_preview(client: Client, user: Any,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(schema: Any) -> None:
        raise InvalidSchema(["two relationships named c_fk"])

    monkeypatch.setattr(importjobs.validate, "check", refuse)
    client.force_login(user)
    response = start(client, **HTMX)
    assert response.status_code == 422
    assert b"The imported design is not valid: two relationships named c_fk" in response.content
    assert not PendingImport.objects.exists()


@pytest.mark.django_db
def test_create_progress_counts_the_rows_stored(user: Any) -> None:
    result = import_sql([("legacy.sql", SQL)])
    calls: list[tuple[str, int, int, str]] = []
    importing.import_project(result=result, slug="legacy", name="Legacy", owner=user,
                             source="sql", progress=lambda *a: calls.append(a))
    expected = importing.rows_to_store(result.schema)
    total = sum(n for _, n in expected.values())
    design = main_design(Project.objects.get(slug="legacy"))
    for model in (db.DbTable, db.DbColumn, db.DbIndex, db.Constraint, db.Relationship,
                  db.EnumType, db.RawObject):
        assert model.objects.filter(design=design).count() == \
            expected[model._meta.db_table][1], model
    storing = [c for c in calls if c[0].startswith("storing")]
    assert storing[0] == ("storing the design", 0, total, "rows")
    assert storing[-1][1:] == (total, total, "rows")
    assert [c[1] for c in storing] == sorted(c[1] for c in storing)
    assert {"storing tables", "storing columns", "storing relationships"} <= {
        c[0] for c in storing}
    assert calls[-1][0] == "checking the rules and saving version 1"


# ------------------------------------------------------------------ real worker threads

@pytest.fixture
def threads(settings: Any) -> Iterator[None]:
    settings.MODELER_IMPORT_INLINE = False
    settings.MODELER_IMPORT_FAST_WAIT = 0.0
    yield
    taskbackend.join_all(10)  # none should be left


def slow_reader(monkeypatch: pytest.MonkeyPatch, steps: int, pause: float,
                gate: threading.Event | None = None) -> list[str]:
    """Make SQL imports report ``steps`` stages, ``pause`` seconds apart, before the real
    import (and wait for ``gate`` first, when given); returns the stages reported."""
    reported: list[str] = []

    def slow(files: Any, progress: Callable[..., None], **kwargs: Any) -> Any:
        if gate is not None:
            gate.wait(10)
        for i in range(steps):
            stage = f"parsing file {i + 1} of {steps}: f{i}.sql"
            progress(stage, i, steps)
            reported.append(stage)
            time.sleep(pause)
        return import_sql(files, progress=progress, **kwargs)

    monkeypatch.setattr("modeler.importers.import_sql", slow)  # as the read task finds it
    return reported


def led_to(body: str) -> str | None:
    """Where a finished job's fragment leads."""
    found = re.search(r'id="import-result" href="([^"]+)"', body)
    return found.group(1) if found else None


def poll(client: Client, job_id: int, timeout: float = 20) -> tuple[str, list[str]]:
    """Poll the job like the page does until it ends; its last fragment, and the stages
    seen on the way."""
    seen: list[str] = []
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        body = client.get(reverse("import_job", args=[job_id]), **POLL).content.decode()
        found = re.search(r'id="import-stage"><strong>(.*?)</strong>', body)
        if found:
            seen.append(found.group(1))
        elif 'data-status="running"' not in body and 'data-status="queued"' not in body:
            return body, seen
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish: {seen[-3:]}")


@pytest.mark.django_db(transaction=True)
def test_background_import_with_progress(client: Client, user: Any, threads: None,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    client.force_login(user)
    gate = threading.Event()
    slow_reader(monkeypatch, steps=4, pause=0.3, gate=gate)
    response = start(client, **HTMX)
    # not done within the wait: the job's page, at its own address, polling
    assert response.status_code == 200
    job = ImportJob.objects.get()
    assert response.headers["HX-Push-Url"] == reverse("import_job", args=[job.pk])
    assert b'hx-trigger="every 500ms"' in response.content and b"<progress" in response.content
    gate.set()
    done, seen = poll(client, job.pk)
    pending = PendingImport.objects.get()
    assert led_to(done) == reverse("import_preview", args=[pending.pk])
    assert any(s.startswith("Parsing file") for s in seen), seen
    # the create step in the background too
    response = client.post(reverse("import_confirm", args=[pending.pk]), **HTMX)
    create = ImportJob.objects.get(kind="create")
    if "HX-Redirect" in response.headers:  # finished within the request after all
        assert response.headers["HX-Redirect"] == reverse("editor", kwargs={"slug": "legacy"})
    else:
        assert response.status_code == 200 and b'id="import-job"' in response.content
        body, _ = poll(client, create.pk)
        assert led_to(body) == reverse("editor", kwargs={"slug": "legacy"})
    assert Version.objects.get(project__slug="legacy").baseline
    # a second click on the old preview's button creates nothing: it says the import
    # was used, and by which project (a bare 404 before)
    again = client.post(reverse("import_confirm", args=[pending.pk]))
    assert again.status_code == 200 and b"This import was used already" in again.content
    assert Project.objects.filter(slug="legacy").count() == 1


@pytest.mark.django_db(transaction=True)
def test_without_javascript_the_job_page_reloads_until_done(
        client: Client, user: Any, threads: None, monkeypatch: pytest.MonkeyPatch) -> None:
    client.force_login(user)
    gate = threading.Event()
    slow_reader(monkeypatch, steps=1, pause=0, gate=gate)
    response = start(client)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("import_job", args=[job.pk])
    page = client.get(response.url)
    assert b'<meta http-equiv="refresh"' in page.content
    gate.set()
    importjobs.wait(job, 10)
    after = client.get(response.url)
    assert after.status_code == 302
    assert after.url == reverse("import_preview", args=[PendingImport.objects.get().pk])


@pytest.mark.django_db(transaction=True)
def test_cancel_stops_the_worker(client: Client, user: Any, threads: None,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    client.force_login(user)
    reported = slow_reader(monkeypatch, steps=100, pause=0.05)
    start(client, **HTMX)
    job = ImportJob.objects.get()
    time.sleep(0.5)
    client.post(reverse("import_job_cancel", args=[job.pk]), **HTMX)
    job = importjobs.wait(job, 10)
    assert job.status == "cancelled"
    assert 0 < len(reported) < 100  # the worker stopped at a progress report
    assert not PendingImport.objects.exists() and not Project.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_busy_worker_keeps_its_job_alive(client: Client, user: Any, threads: None,
                                           settings: Any,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    """No progress for longer than the stale limit (a long Graphviz run, a slow catalog
    query) is not death: the flusher's heartbeat keeps the job running."""
    settings.MODELER_IMPORT_STALE_AFTER = 0.6
    monkeypatch.setattr(importjobs, "HEARTBEAT", 0.1)
    client.force_login(user)
    gate = threading.Event()
    slow_reader(monkeypatch, steps=1, pause=0, gate=gate)
    start(client, **HTMX)
    job = ImportJob.objects.get()
    time.sleep(1.5)
    body = client.get(reverse("import_job", args=[job.pk]), **POLL).content.decode()
    assert 'data-status="running"' in body
    gate.set()
    assert importjobs.wait(job, 10).status == "done"
