"""Imports on real task worker processes (issue #18): ``manage.py db_worker`` (the database
backend, the embedded default) and ``manage.py rqworker`` (RQ on the local Redis), started as
``./run`` and the production recipe start them, against the test's PostgreSQL database. The
web side is the test's client; the job's progress, outcome and cancellation are the rows
the pages read, whichever process wrote them.

A worker killed (SIGKILL) in the middle of a project's creation leaves nothing of it: no
project, no design rows, no version; the job is shown as failed once its heartbeat is
stale; the preview stays, and the user's second attempt, on a new worker, creates the
project once."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from modeler.web import models as db
from modeler.web.models import ImportJob, PendingImport, Project, Version
from tests.pgtemp import PgServer

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def _redis_db() -> int:
    """A Redis database of its own per pytest-xdist worker (gw0: 13, gw1: 14, ...; 10 to
    15): the rq workers a test starts take jobs from the queue ``default`` of that
    database, and with one database for all, one xdist worker's rq worker ran the other's
    imports (whose test then timed out waiting)."""
    name = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    n = int(name[2:]) if name[2:].isdigit() else 0
    return 10 + (n + 3) % 6


REDIS_URL = os.environ.get("TEST_REDIS_URL", f"redis://127.0.0.1:6379/{_redis_db()}")
HTMX = {"HTTP_HX_REQUEST": "true"}
POLL = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "import-job"}

SMALL = """
CREATE TABLE author (id serial PRIMARY KEY, name varchar(100) NOT NULL);
CREATE TABLE book (id serial PRIMARY KEY, author_id integer NOT NULL REFERENCES author (id),
                   title text NOT NULL UNIQUE);
"""


def big_sql(tables: int = 300, columns: int = 30) -> str:
    """A design whose creation takes seconds (tens of thousands of rows to store)."""
    out = []
    for t in range(tables):
        cols = ",\n  ".join(f"c{c} varchar(40)" for c in range(columns))
        ref = f",\n  parent_id bigint REFERENCES t{t - 1} (id)" if t else ""
        out.append(f"CREATE TABLE t{t} (\n  id bigint PRIMARY KEY,\n  {cols}{ref}\n);")
        out.append(f"CREATE INDEX t{t}_c0 ON t{t} (c0, c1);")
    return "\n".join(out)


class Workers:
    """Worker processes of one backend, each in its own process group (killed at the end
    of the test however it went)."""

    def __init__(self, backend: str, database_url: str, logs: Path) -> None:
        self.backend = backend
        self.env = {**os.environ, "DATABASE_URL": database_url, "DEBUG": "0",
                    "MODELER_TASKS_BACKEND": backend, "REDIS_URL": REDIS_URL,
                    "SECRET_KEY": django_settings.SECRET_KEY, "DB_CONN_MAX_AGE": "0",
                    "SNAPSHOT_CACHE_VERIFY": "1"}
        self.logs = logs
        self.procs: list[subprocess.Popen[bytes]] = []

    def start(self) -> subprocess.Popen[bytes]:
        if self.backend == "database":
            cmd = ["manage.py", "db_worker", "--no-reload", "--no-startup-delay",
                   "--interval", "0.1"]
        else:
            # RQ's default worker: each job in a forked work horse, as in production
            cmd = ["manage.py", "rqworker", "default", "--job-class", "django_tasks_rq.Job"]
        log = open(self.logs / f"worker-{len(self.procs)}.log", "wb")  # noqa: SIM115
        proc = subprocess.Popen([sys.executable, *cmd], cwd=ROOT, env=self.env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        log.close()
        self.procs.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen[bytes]) -> None:
        """SIGKILL, no goodbye, to the worker and every process under it (RQ's work horse
        runs in a session of its own): as a crash, the OOM killer or a lost machine ends
        it."""
        for pid in [*descendants(proc.pid), proc.pid]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        proc.wait(10)

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                under = descendants(proc.pid)
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(10)
                for pid in under:  # a work horse still busy
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)

    def output(self) -> str:
        return "\n".join(p.read_text(errors="replace")[-3000:]
                         for p in sorted(self.logs.glob("worker-*.log")))


def descendants(pid: int) -> list[int]:
    """The processes under ``pid`` (from /proc), deepest first."""
    out: list[int] = []
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return out
    for child in map(int, children):
        out.extend(descendants(child))
        out.append(child)
    return out


def _redis_ready() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except Exception:
        return False


@pytest.fixture(params=["database", "rq"])
def workers(request: pytest.FixtureRequest, settings: Any, pg_server: PgServer,
            tmp_path: Path) -> Iterator[Workers]:
    """The web side enqueues on ``backend``; the test starts its worker processes."""
    backend = request.param
    if backend == "rq":
        if not _redis_ready():
            pytest.skip(f"no Redis at {REDIS_URL} (set TEST_REDIS_URL)")
        import django_rq

        settings.RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 3600}}
        django_rq.get_queue("default").empty()  # the test's own Redis database
        settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend",
                                      "QUEUES": ["default"]}}
    else:
        settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                      "QUEUES": ["default"]}}
    settings.MODELER_IMPORT_FAST_WAIT = 0.0
    group = Workers(backend, pg_server.url_for(connection.settings_dict["NAME"]), tmp_path)
    try:
        yield group
    finally:
        group.stop_all()


def upload(client: Client, sql: str, slug: str = "legacy") -> Any:
    files = SimpleUploadedFile(f"{slug}.sql", sql.encode(), content_type="text/plain")
    return client.post(reverse("import_start"), {"name": slug.title(), "slug": slug,
                                                 "format": "sql", "files": files}, **HTMX)


def until(check: Callable[[], Any], what: str, workers: Workers, timeout: float = 90) -> Any:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}\n{workers.output()}")


def ended(job: ImportJob) -> Callable[[], ImportJob | None]:
    def check() -> ImportJob | None:
        job.refresh_from_db()
        return job if job.status not in ImportJob.ACTIVE else None
    return check


def test_a_worker_process_runs_the_import_with_progress_and_cancel(
        client: Client, user: Any, workers: Workers) -> None:
    client.force_login(user)
    response = upload(client, SMALL)
    job = ImportJob.objects.get()
    assert response.status_code == 200 and job.status == "queued"  # no worker yet
    assert b'hx-trigger="every 500ms"' in response.content
    workers.start()
    until(ended(job), "the read job", workers)
    assert job.status == "done", (job.error, workers.output())
    pending = PendingImport.objects.get()
    assert job.pending_id == pending.pk
    if workers.backend == "database":  # the stored task keeps no uploaded text
        from django_tasks_db.models import DBTaskResult

        # the job row is marked done inside the task; the worker records the task's
        # own result a moment after it returns
        stored = until(lambda: DBTaskResult.objects.filter(
            task_path="modeler.web.tasks.import_read").exclude(
            status__in=["READY", "RUNNING"]).first(), "the stored task's result", workers)
        assert stored.status == "SUCCESSFUL" and "CREATE TABLE" not in str(stored.args_kwargs)
        assert stored.args_kwargs["args"][2] == [["legacy.sql", ""]]
    client.post(reverse("import_confirm", args=[pending.pk]), **HTMX)
    create = ImportJob.objects.get(kind="create")
    until(ended(create), "the create job", workers)
    assert create.status == "done", (create.error, workers.output())
    project = Project.objects.get(slug="legacy")
    assert Version.objects.get(project=project).baseline
    assert db.DbTable.objects.filter(design__project=project).count() == 2
    poll = client.get(reverse("import_job", args=[create.pk]), **POLL).content.decode()
    assert 'data-status="done"' in poll and reverse("editor", kwargs={"slug": "legacy"}) in poll

    # a big one, cancelled while the worker reads or stores it: nothing is created
    response = upload(client, big_sql(), slug="big")
    big = ImportJob.objects.get(slug="big", kind="parse")
    until(lambda: ImportJob.objects.filter(pk=big.pk, status="running").exists(),
          "the big read to start", workers)
    client.post(reverse("import_job_cancel", args=[big.pk]), **HTMX)
    big.refresh_from_db()
    assert big.status == "cancelled"
    time.sleep(1.0)  # the worker notices at its next progress report
    assert not PendingImport.objects.filter(slug="big").exists()
    # and the worker takes the next job
    upload(client, SMALL.replace("author", "writer"), slug="after")
    after = ImportJob.objects.get(slug="after")
    until(ended(after), "the job after the cancelled one", workers)
    assert after.status == "done", after.error


def test_a_worker_killed_mid_create_leaves_nothing_and_the_retry_works(
        client: Client, user: Any, workers: Workers, settings: Any) -> None:
    client.force_login(user)
    worker = workers.start()
    upload(client, big_sql())
    read = ImportJob.objects.get()
    until(ended(read), "the read job", workers, timeout=180)
    assert read.status == "done", (read.error, workers.output())
    pending = PendingImport.objects.get()
    client.post(reverse("import_confirm", args=[pending.pk]), **HTMX)
    create = ImportJob.objects.get(kind="create")

    def storing() -> str | None:
        create.refresh_from_db()
        assert create.status in ImportJob.ACTIVE, (create.status, create.error)
        return create.stage if create.stage.startswith("storing") else None

    stage = until(storing, "the create job to store rows", workers, timeout=180)
    workers.kill(worker)  # inside the create step's transaction
    assert stage.startswith("storing")
    create.refresh_from_db()
    assert create.status == "running"  # nobody said goodbye
    # nothing of the half-done transaction is there
    assert not Project.objects.filter(slug="legacy").exists()
    assert not db.DbTable.objects.exists() and not Version.objects.exists()
    # once the heartbeat is stale, the pages show it failed
    settings.MODELER_IMPORT_STALE_AFTER = 1.0
    time.sleep(1.5)
    body = client.get(reverse("import_job", args=[create.pk]), **POLL).content.decode()
    assert "stopped unexpectedly" in body and "nothing was created" in body
    create.refresh_from_db()
    assert create.status == "failed"
    if workers.backend == "database":  # the killed task's own row: failed too, not running
        from django_tasks_db.models import DBTaskResult

        assert DBTaskResult.objects.get(id=create.task_id).status == "FAILED"
    assert PendingImport.objects.filter(pk=pending.pk).exists()  # the preview stays
    # the user tries again; a new worker creates the project, once
    settings.MODELER_IMPORT_STALE_AFTER = 30.0
    workers.start()
    client.post(reverse("import_confirm", args=[pending.pk]), **HTMX)
    again = ImportJob.objects.filter(kind="create").exclude(pk=create.pk).get()
    until(ended(again), "the second create job", workers, timeout=180)
    assert again.status == "done", (again.error, workers.output())
    project = Project.objects.get(slug="legacy")
    assert Project.objects.count() == 1 and Version.objects.count() == 1
    assert db.DbTable.objects.filter(design__project=project).count() == 300
    assert re.search(r"t299\b", " ".join(db.DbTable.objects.values_list("name", flat=True)))


def test_a_worker_lays_out_a_large_design_while_the_editor_shows_a_placeholder(
        client: Client, user: Any, workers: Workers, settings: Any) -> None:
    """The first layout of a design too large for a request is a task: the editor shows
    the provisional placement, the worker stores the layout, the next view draws it."""
    from modeler.web import layoutjobs, services
    from modeler.web.snapshot import materialize, snapshot
    from tests.diagram.test_patch import design

    settings.DIAGRAM_INLINE_LAYOUT_TABLES = 5
    project = services.project_create(name="Wide", slug="wide", owner=user)
    materialize(design(12, 1.5), services.main_design(project))
    main = services.main_design(project)
    assert not any(t.position for t in snapshot(main).tables)
    client.force_login(user)
    page = client.get(reverse("editor", args=["wide"])).content.decode()
    assert "Provisional placement" in page and "being computed" in page
    assert layoutjobs.running(main.pk)  # queued: a second view queues nothing more
    assert not layoutjobs.schedule_layout(main)
    workers.start()
    until(lambda: all(t.position for t in snapshot(services.main_design(project)).tables),
          "the worker's layout", workers)
    after = client.get(reverse("editor", args=["wide"])).content.decode()
    assert "Provisional placement" not in after


def test_a_worker_killed_after_taking_the_import_before_running_shows_it_failed_at_once(
        client: Client, user: Any, workers: Workers, settings: Any) -> None:
    """The worker takes the task and dies before it marks the job running (RQ's work horse
    loads the importers first: seconds under load). The job's row still says "queued"; the
    task backend knows better: the page shows the job failed once the worker's grace
    (``MODELER_IMPORT_STALE_AFTER``) is over, not after the queue timeout (600 s)."""
    from django.db import transaction

    from modeler.web import tasks

    client.force_login(user)
    upload(client, SMALL)
    job = ImportJob.objects.get()
    assert job.status == "queued" and job.task_id
    with transaction.atomic():
        # the job's row locked: the worker's "running" waits here, right after it took the
        # task and loaded the import
        ImportJob.objects.select_for_update().get(pk=job.pk)
        worker = workers.start()
        until(lambda: tasks.import_read.get_result(job.task_id).status == "RUNNING",
              "the worker to take the task", workers)

        def waiting() -> list[int]:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_stat_clear_snapshot()")  # fresh inside a transaction
                cursor.execute(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock' "
                    "AND query ILIKE 'UPDATE %web_importjob%'")
                return [row[0] for row in cursor.fetchall()]

        pids = until(waiting, "the worker to mark its job running", workers)
        workers.kill(worker)
        # its server process would wait for the lock, then apply the update to a client that
        # is gone: end it as a lost machine's connection ends
        with connection.cursor() as cursor:
            for pid in pids:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    job.refresh_from_db()
    assert job.status == "queued"  # nobody said goodbye
    poll = client.get(reverse("import_job", args=[job.pk]), **POLL).content.decode()
    assert 'data-status="queued"' in poll  # within the worker's grace
    settings.MODELER_IMPORT_STALE_AFTER = 1.0  # the grace; the queue timeout stays 600 s
    time.sleep(1.5)
    poll = client.get(reverse("import_job", args=[job.pk]), **POLL).content.decode()
    assert 'data-status="failed"' in poll and "stopped before it started" in poll
    assert "nothing was created" in poll
    job.refresh_from_db()
    assert job.status == "failed" and not PendingImport.objects.exists()
    if workers.backend == "database":  # the task's own row says so too
        from django_tasks_db.models import DBTaskResult

        assert DBTaskResult.objects.get(id=job.task_id).status == "FAILED"
    # a new worker runs the next import; the failed one stays failed
    settings.MODELER_IMPORT_STALE_AFTER = 30.0
    workers.start()
    upload(client, SMALL, slug="again")
    again = ImportJob.objects.get(slug="again")
    until(ended(again), "the next import", workers)
    assert again.status == "done", (again.error, workers.output())
    job.refresh_from_db()
    assert job.status == "failed"


def test_a_worker_process_builds_a_large_export_with_the_inline_bytes(
        client: Client, user: Any, workers: Workers, settings: Any) -> None:
    """An export above MODELER_EXPORT_INLINE_TABLES is built by a worker process and
    downloaded from any web process: the same bytes as the request builds."""
    from modeler.web import services
    from modeler.web.models import ExportJob
    from modeler.web.snapshot import materialize
    from modeler.web.versions import version_save
    from tests.web.test_rules_web import good_schema

    project = services.project_create(name="Shop", slug="shop", owner=user)
    materialize(good_schema(), services.main_design(project))
    version_save(project=project, actor=user, message="First cut of the shop design")
    client.force_login(user)
    inline = client.get(reverse("version_export", args=["shop", 1]))
    assert inline.status_code == 200 and inline.content.startswith(b"PK")
    settings.MODELER_EXPORT_INLINE_TABLES = 1
    queued = client.get(reverse("version_export", args=["shop", 1]))
    job = ExportJob.objects.get()
    assert queued.status_code == 302 and job.status == "queued"
    workers.start()

    def built() -> ExportJob | None:
        job.refresh_from_db(fields=["status", "error"])
        return job if job.status not in ExportJob.ACTIVE else None

    until(built, "the export job", workers)
    assert job.status == "done", (job.error, workers.output())
    got = client.get(reverse("version_export_job_download", args=["shop", 1, job.pk]))
    assert got.content == inline.content
    assert got["Content-Disposition"] == inline["Content-Disposition"]
