"""Exports of large versions are tasks (issue #18): above ``MODELER_EXPORT_INLINE_TABLES`` the
download link queues an export job, its page polls queued/running/done/failed, and "done"
offers the bundle, byte for byte what the request would have built; viewers and up only.

The queued state is seen with the database backend and its worker run in-process
(``db_worker --batch``: it takes the queued tasks, runs them, and returns); the tests' own
in-process backend (tests/taskbackend.py) runs the task inside the request."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from modeler.web import services
from modeler.web.models import ExportJob, Membership, Version
from modeler.web.snapshot import materialize
from modeler.web.versions import version_save
from tests.web.test_rules_web import good_schema

pytestmark = pytest.mark.django_db

POLL = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "export-job"}


@pytest.fixture
def project(user: Any) -> Any:
    p = services.project_create(name="Shop", slug="shop", owner=user)
    materialize(good_schema(), services.main_design(p))
    version_save(project=p, actor=user, message="First cut of the shop design")
    return p


@pytest.fixture
def db_backend(settings: Any) -> None:
    """Tasks wait in the database backend's table until the test runs a worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default"]}}


# the worker closes its connections between tasks (close_old_connections): these tests
# commit, as a worker process would see them
WORKER_DB = pytest.mark.django_db(transaction=True)


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", stdout=StringIO(),
                 stderr=StringIO())


def inline(client: Client, target: str = "") -> Any:
    query = {"target": target} if target else {}
    response = client.get(reverse("version_export", args=["shop", 1]), query)
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    return response


def queue(client: Client, settings: Any, target: str = "") -> ExportJob:
    settings.MODELER_EXPORT_INLINE_TABLES = 1
    query = {"target": target} if target else {}
    response = client.get(reverse("version_export", args=["shop", 1]), query)
    job = ExportJob.objects.order_by("-pk").first()
    assert job is not None
    assert response.status_code == 302
    assert response["Location"] == reverse("version_export_job", args=["shop", 1, job.pk])
    return job


@WORKER_DB
def test_a_large_export_is_queued_built_by_a_worker_and_downloads_the_inline_bytes(
        client: Client, user: Any, project: Any, settings: Any, db_backend: None) -> None:
    client.force_login(user)
    small = inline(client, "drizzle")  # the default threshold: built in the request
    assert not ExportJob.objects.exists()
    job = queue(client, settings, "drizzle")
    assert job.status == "queued" and job.target == "drizzle" and job.task_id
    page = client.get(reverse("version_export_job", args=["shop", 1, job.pk]))
    body = page.content.decode()
    assert page.status_code == 200 and 'data-status="queued"' in body
    assert 'hx-trigger="every 1000ms"' in body and "export-download" not in body
    download = reverse("version_export_job_download", args=["shop", 1, job.pk])
    assert client.get(download)["Location"] == reverse("version_export_job",
                                                        args=["shop", 1, job.pk])
    # a second click while it waits: the same job
    assert queue(client, settings, "drizzle").pk == job.pk
    assert ExportJob.objects.count() == 1

    run_worker()
    job.refresh_from_db()
    assert job.status == "done", job.error
    poll = client.get(reverse("version_export_job", args=["shop", 1, job.pk]), **POLL)
    text = poll.content.decode()
    assert 'data-status="done"' in text and "hx-trigger" not in text and download in text
    assert "shop-v1-drizzle.zip" in text
    got = client.get(download)
    assert got.status_code == 200 and got["Content-Type"] == "application/zip"
    assert got["Content-Disposition"] == small["Content-Disposition"]
    assert got.content == small.content  # identical bytes
    assert "src/db/schema.ts" in zipfile.ZipFile(io.BytesIO(got.content)).namelist()

    # a newer build of the same version and target supersedes the stored one
    newer = queue(client, settings, "drizzle")
    assert newer.pk != job.pk
    run_worker()
    assert list(ExportJob.objects.values_list("pk", flat=True)) == [newer.pk]
    assert client.get(reverse("version_export_job", args=["shop", 1, job.pk])
                      ).status_code == 404
    # another target is another bundle; finished ones older than the retention period go
    other = queue(client, settings)
    assert other.target == "sqlalchemy"
    ExportJob.objects.filter(pk=newer.pk).update(
        finished_at=timezone.now() - timedelta(hours=25))
    queue(client, settings, "both")
    assert not ExportJob.objects.filter(pk=newer.pk).exists()
    assert ExportJob.objects.filter(pk=other.pk).exists()


def test_the_in_process_backend_builds_it_in_the_request(
        client: Client, user: Any, project: Any, settings: Any) -> None:
    client.force_login(user)
    small = inline(client)
    job = queue(client, settings)
    job.refresh_from_db()
    assert job.status == "done" and job.size == len(small.content)
    got = client.get(reverse("version_export_job_download", args=["shop", 1, job.pk]))
    assert got.content == small.content and got["Content-Disposition"] == small[
        "Content-Disposition"]


def test_viewers_and_up_only(client: Client, user: Any, other_user: Any, project: Any,
                             settings: Any, django_user_model: Any) -> None:
    client.force_login(user)
    job = queue(client, settings)
    page = reverse("version_export_job", args=["shop", 1, job.pk])
    download = reverse("version_export_job_download", args=["shop", 1, job.pk])
    client.force_login(other_user)  # not a member
    for url in (page, download, reverse("version_export", args=["shop", 1])):
        assert client.get(url).status_code in (403, 404)
    assert ExportJob.objects.count() == 1  # the outsider queued nothing
    Membership.objects.create(project=project, user=other_user, role="viewer")
    assert client.get(page).status_code == 200
    got = client.get(download)
    assert got.status_code == 200 and got.content.startswith(b"PK")
    # a job id under another version's or project's URL is not found
    assert client.get(reverse("version_export_job", args=["shop", 2, job.pk])
                      ).status_code == 404
    services.project_create(name="Other", slug="other", owner=other_user)
    assert client.get(reverse("version_export_job_download", args=["other", 1, job.pk])
                      ).status_code == 404
    client.logout()
    assert client.get(download).status_code == 302  # to the login page


@WORKER_DB
def test_a_failing_build_shows_failed_with_its_message(
        client: Client, user: Any, project: Any, settings: Any, db_backend: None) -> None:
    client.force_login(user)
    job = queue(client, settings)
    Version.objects.filter(project=project, number=1).delete()  # gone before the worker
    run_worker()
    body = client.get(reverse("version_export_job", args=["shop", 1, job.pk]),
                      **POLL).content.decode()
    assert 'data-status="failed"' in body and "Export failed." in body
    assert "Version 1 of this project no longer exists." in body
    assert "hx-trigger" not in body
    assert client.get(reverse("version_export_job_download", args=["shop", 1, job.pk])
                      ).status_code == 302


@WORKER_DB
def test_a_build_that_raises_shows_failed_and_logs(
        client: Client, user: Any, project: Any, settings: Any, db_backend: None,
        monkeypatch: Any) -> None:
    from modeler.web import exporting

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk full")

    client.force_login(user)
    job = queue(client, settings)
    monkeypatch.setattr(exporting, "bundle", broken)
    run_worker()
    body = client.get(reverse("version_export_job", args=["shop", 1, job.pk])
                      ).content.decode()
    assert "The export failed unexpectedly (RuntimeError)" in body
    assert "disk full" not in body  # the details go to the log only


@WORKER_DB
def test_a_task_whose_worker_died_before_it_started_shows_failed(
        client: Client, user: Any, project: Any, settings: Any, db_backend: None) -> None:
    """The database backend's row says a worker took the task a minute ago (and died: the
    job never went running): the page says failed at once, and the task's row too."""
    from django_tasks_db.models import DBTaskResult

    client.force_login(user)
    job = queue(client, settings)
    DBTaskResult.objects.filter(id=job.task_id).update(
        status="RUNNING", started_at=timezone.now() - timedelta(seconds=60),
        worker_ids=["gone"])
    body = client.get(reverse("version_export_job", args=["shop", 1, job.pk])
                      ).content.decode()
    assert 'data-status="failed"' in body and "stopped before it started" in body
    assert DBTaskResult.objects.get(id=job.task_id).status == "FAILED"
    # a worker taken moments ago is still given its time
    again = queue(client, settings)
    assert again.pk != job.pk
    DBTaskResult.objects.filter(id=again.task_id).update(status="RUNNING",
                                                          started_at=timezone.now())
    body = client.get(reverse("version_export_job", args=["shop", 1, again.pk])
                      ).content.decode()
    assert 'data-status="queued"' in body
