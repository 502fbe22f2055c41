"""Web imports in the background: reading the input into a preview, and creating the
project from it, each an :class:`~modeler.web.models.ImportJob` (the state the pages read:
queued, running with its stage, done, failed, cancelled) run by a task of Django's tasks
framework (:mod:`modeler.web.tasks`) on a worker process (``db_worker`` or RQ's
``rqworker``, see ``MODELER_TASKS_BACKEND``) while the page polls the job's row.

Inside the task, two threads:

* the **worker** (the task itself) runs the import. Importers and the store report progress
  through a callback that only records the latest stage in memory (it is called once per
  statement or per batch of rows), and raises :class:`Cancelled` once the job is no longer
  running;
* the **flusher** writes that stage to the job's row a few times a second, and a heartbeat
  at least every :data:`HEARTBEAT` seconds, on its own connection outside the worker's
  transaction (so the polls see the progress of a create step whose rows are not committed
  yet). When its update finds the job no longer running (cancelled, or given up as dead),
  it tells the worker to stop. (A task run inside an open transaction, as the immediate
  backend does in the tests, has no flusher: its row is not visible to another connection.)

All or nothing: a parse job writes only its preview, a create job everything (project,
design, version 1, layout), each in one transaction that first checks, with the job's row
locked, that the job is still running; a cancelled or failed job has created nothing. A job
whose heartbeat stops (its worker process died: killed, out of memory, the machine went
away) is shown as failed after :func:`stale_after` seconds; its transaction died with its
connection, so nothing of it was applied, and the user starts it again. A job no worker has
taken after :func:`queue_timeout` seconds (no worker running) is shown as failed too; a
worker that takes it later finds it so and skips it.

Settings (all optional): ``MODELER_IMPORT_FAST_WAIT`` is how long a request waits for its
job before showing progress (imports faster than that answer at once, default 0.9 s);
``MODELER_IMPORT_ACTIVE_PER_USER`` unfinished jobs per user (default 3);
``MODELER_IMPORT_STALE_AFTER`` seconds without a heartbeat before a running job counts as
dead (default 30); ``MODELER_IMPORT_QUEUE_TIMEOUT`` seconds a job may wait for a worker
(default 600).

Live database imports (``start_parse(..., live=True)``) are the exception: the database's
URL (with its password) must never be stored, and a task's arguments are stored (a row of
the task table, or Redis), so they run on a thread of the web process that holds the URL in
memory only (at most ``LIVE_IMPORT_CONCURRENCY`` at once per process, default 1: more are
refused with :class:`TooManyJobs`), with the same job row, flusher and heartbeat.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import DatabaseError, connections, transaction
from django.utils import timezone

from modeler.importers import ImportResult, SchemaImportError
from modeler.schema import model as m
from modeler.schema import serialize, validate
from modeler.schema.validate import InvalidSchema
from modeler.web.importing import ImportRefused, first_layout, import_project, warning_record
from modeler.web.models import ImportJob, PendingImport

log = logging.getLogger(__name__)

Status = ImportJob.Status
FLUSH_EVERY = 0.2  # seconds between progress writes (the page polls every 0.5 s)
HEARTBEAT = 2.0  # a running job's row is touched at least this often
KEEP_FINISHED = timedelta(days=1)

# reads the input: (progress) -> (result, source description)
Reader = Callable[[Callable[..., None]], tuple[ImportResult, str]]


class Cancelled(Exception):
    """The job is no longer running (cancelled by its user, or given up as dead)."""


class TooManyJobs(Exception):
    """The user has too many unfinished imports."""


def _setting(name: str, default: Any) -> Any:
    return getattr(settings, name, default)


def fast_wait() -> float:
    return float(_setting("MODELER_IMPORT_FAST_WAIT", 0.9))


def stale_after() -> float:
    return float(_setting("MODELER_IMPORT_STALE_AFTER", 30.0))


def queue_timeout() -> float:
    return float(_setting("MODELER_IMPORT_QUEUE_TIMEOUT", 600.0))


# ------------------------------------------------------------------------------ state

@dataclass
class JobState:
    """What the worker reports and the flusher writes: the latest stage, in memory."""

    job_id: int
    stage: tuple[str, int, int, str] = ("waiting for a free worker", 0, 0, "")
    stop: threading.Event = field(default_factory=threading.Event)  # no longer running

    def report(self, stage: str, done: int, total: int, unit: str = "") -> None:
        """The progress callback (:class:`modeler.importers.Progress`)."""
        if self.stop.is_set():
            raise Cancelled(stage)
        self.stage = (stage[:200], max(done, 0), max(total, 0), unit[:30])


def _write_stage(state: JobState) -> bool:
    """Write the latest stage and a heartbeat; False when the job is no longer active."""
    stage, done, total, unit = state.stage
    now = timezone.now()
    return bool(ImportJob.objects.filter(pk=state.job_id, status__in=ImportJob.ACTIVE).update(
        stage=stage, done=min(done, total) if total else done, total=total, unit=unit,
        heartbeat_at=now, updated_at=now))


def _flush(state: JobState, finished: threading.Event) -> None:
    """The flusher thread's loop (see the module docstring)."""
    written: tuple[str, int, int, str] | None = None
    beat = time.monotonic()
    try:
        while not finished.wait(FLUSH_EVERY):
            current = state.stage
            if current == written and time.monotonic() - beat < HEARTBEAT:
                continue
            try:
                if not _write_stage(state):
                    state.stop.set()
            except DatabaseError:  # e.g. SQLite busy for too long: try again next time
                log.warning("import job %s: progress not written", state.job_id,
                            exc_info=True)
                continue
            written, beat = current, time.monotonic()
    finally:
        connections.close_all()  # this thread's connections only


# ----------------------------------------------------------------------------- running

# live imports: their threads in this process (see the module docstring)
_threads: dict[int, threading.Thread] = {}
_threads_lock = threading.Lock()
_live_running = 0


def _live_acquire() -> None:
    """Count one more live import in this process, or :class:`TooManyJobs`."""
    global _live_running
    limit = max(1, int(_setting("LIVE_IMPORT_CONCURRENCY", 1)))
    with _threads_lock:
        if _live_running >= limit:
            raise TooManyJobs("Another live database import is running on this server; try "
                              "again in a minute.")
        _live_running += 1


def _live_release() -> None:
    global _live_running
    with _threads_lock:
        _live_running = max(0, _live_running - 1)


def _enqueue(job: ImportJob, task: Any, *args: Any) -> None:
    """Hand the job to a task worker; when the queue cannot take it (Redis down...), the
    job fails at once with a message, and nothing was created."""
    try:
        result = task.enqueue(job.pk, *args)
    except Exception:
        log.exception("import job %s: could not be queued", job.pk)
        _finish(job.pk, Status.FAILED, error="The import could not be queued (the task "
                "queue is unreachable); nothing was created. Try again in a minute.")
        return
    # the result's id, for the pages to ask the task backend about a job that stays queued
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.task_id = str(result.id)[:64]


def _launch_thread(job: ImportJob, work: Callable[[ImportJob, JobState], None], *,
                   ended: Callable[[], None]) -> None:
    """Run a live import's ``work`` on a thread of this process."""
    thread = threading.Thread(target=execute, args=(job.pk, work), kwargs={"ended": ended},
                              daemon=True, name=f"import-job-{job.pk}")
    with _threads_lock:
        _threads[job.pk] = thread
    try:
        thread.start()
    except RuntimeError:  # no thread to be had: the job never ran
        with _threads_lock:
            _threads.pop(job.pk, None)
        ended()
        _finish(job.pk, Status.FAILED, error="The server is too busy to start the import; "
                "try again in a minute.")


def execute(job_id: int, work: Callable[[ImportJob, JobState], None], *,
            ended: Callable[[], None] | None = None) -> None:
    """Run ``work`` for a queued job, with its flusher, and record how it ended (the body
    of the import tasks, and of a live import's thread). ``ended`` is called once the job
    is over."""
    state = JobState(job_id)
    finished = threading.Event()
    flusher = None
    # inside an open transaction (the immediate backend in a test) another connection
    # cannot see the job's row: no flusher there
    threaded = not connections["default"].in_atomic_block
    if threaded:
        flusher = threading.Thread(target=_flush, args=(state, finished), daemon=True,
                                   name=f"import-job-{job_id}-progress")
        flusher.start()
    try:
        now = timezone.now()
        if not ImportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
                status=Status.RUNNING, started_at=now, heartbeat_at=now, updated_at=now,
                stage="starting"):
            return  # cancelled (or given up) while it waited
        state.stage = ("starting", 0, 0, "")
        work(ImportJob.objects.select_related("user", "pending").get(pk=job_id), state)
    except Cancelled:
        _finish(job_id, Status.CANCELLED, error="")
    except (SchemaImportError, ImportRefused) as exc:
        _finish(job_id, Status.FAILED, error=str(exc),
                statement=getattr(exc, "statement", None) or "")
    except InvalidSchema as exc:  # the store refuses the design: say why
        more = len(exc.problems) - 5
        _finish(job_id, Status.FAILED, error="The imported design is not valid: "
                + "; ".join(exc.problems[:5]) + (f" (and {more} more)" if more > 0 else ""))
    except Exception as exc:
        log.exception("import job %s failed", job_id)
        _finish(job_id, Status.FAILED,
                error=f"The import failed unexpectedly ({type(exc).__name__}); nothing was "
                      "created. The error has been logged.")
    finally:
        if ended is not None:
            ended()
        finished.set()
        if flusher is not None:
            flusher.join()
        with _threads_lock:
            _threads.pop(job_id, None)
        if threading.current_thread().name.startswith("import-job-"):
            connections.close_all()  # a live import's own thread: its connections


def _finish(job_id: int, status: str, *, error: str, statement: str = "") -> None:
    """Record how a job ended, unless it ended already (cancelled, or given up as dead)."""
    now = timezone.now()
    try:
        ImportJob.objects.filter(pk=job_id, status__in=ImportJob.ACTIVE).update(
            status=status, error=error[:5000], statement=statement[:2000], finished_at=now,
            heartbeat_at=now, updated_at=now)
    except DatabaseError:  # the heartbeat stops: the job is shown as failed later
        log.exception("import job %s: could not record its end", job_id)


def _complete(job_id: int, **values: Any) -> None:
    """Inside the job's transaction: lock the row, make sure the job still runs (else
    :class:`Cancelled` rolls everything back), and mark it done."""
    status = (ImportJob.objects.select_for_update().filter(pk=job_id)
              .values_list("status", flat=True).first())
    if status != Status.RUNNING:
        raise Cancelled(status or "gone")
    now = timezone.now()
    ImportJob.objects.filter(pk=job_id).update(
        status=Status.DONE, finished_at=now, heartbeat_at=now, updated_at=now, stage="done",
        **values)


def wait(job: ImportJob, seconds: float) -> ImportJob:
    """Wait up to ``seconds`` for a job to end (wherever it runs); the job as it is now."""
    with _threads_lock:
        thread = _threads.get(job.pk)
    if thread is not None:
        thread.join(seconds)
    else:
        end = time.monotonic() + seconds
        while True:
            job.refresh_from_db()
            if job.status not in ImportJob.ACTIVE or time.monotonic() >= end:
                return job
            time.sleep(min(0.05, max(0.0, end - time.monotonic())))
    job.refresh_from_db()
    return job


# ------------------------------------------------------------------------------ starting

def _new_job(user: User, kind: str, *, name: str, slug: str, source: str,
             pending: PendingImport | None = None) -> ImportJob:
    limit = int(_setting("MODELER_IMPORT_ACTIVE_PER_USER", 3))
    active = [j for j in ImportJob.objects.filter(user=user, status__in=ImportJob.ACTIVE)
              if not check_stale(j)]
    if len(active) >= limit:
        raise TooManyJobs(f"You have {len(active)} imports running; wait for one to finish "
                          "or cancel it.")
    ImportJob.objects.filter(user=user, finished_at__lt=timezone.now() - KEEP_FINISHED
                             ).delete()
    return ImportJob.objects.create(
        user=user, kind=kind, name=name[:200], slug=slug, source=source[:300],
        pending=pending, heartbeat_at=timezone.now())


def start_parse(user: User, *, name: str, slug: str, source: str,
                fmt: str = "", files: list[tuple[str, str]] | None = None,
                reader: Reader | None = None, live: bool = False) -> ImportJob:
    """Start reading the input into a preview: ``fmt`` (``sql`` or ``dbml``) and ``files``
    (name, text) go to a task; a ``live`` database import's ``reader`` holds its URL in
    memory only and runs on a thread of this process (see the module docstring)."""
    from modeler.web import tasks

    if not live:
        if fmt not in ("sql", "dbml") or not files:
            raise ValueError("start_parse: a format (sql or dbml) and files")
        job = _new_job(user, ImportJob.Kind.PARSE, name=name, slug=slug, source=source)
        _enqueue(job, tasks.import_read, fmt, [[n, text] for n, text in files], source)
        return job
    assert reader is not None, "a live import needs its reader"
    _live_acquire()
    try:
        job = _new_job(user, ImportJob.Kind.PARSE, name=name, slug=slug, source=source)
    except BaseException:
        _live_release()
        raise
    _launch_thread(job, lambda job, state: _parse(job, state, reader), ended=_live_release)
    return job


def start_create(user: User, pending: PendingImport) -> ImportJob:
    """Start creating the project from a preview (or return the job already doing it)."""
    from modeler.web import tasks

    for running in pending.jobs.filter(kind=ImportJob.Kind.CREATE,
                                       status__in=ImportJob.ACTIVE):
        if not check_stale(running):
            return running
    job = _new_job(user, ImportJob.Kind.CREATE, name=pending.name, slug=pending.slug,
                   source=pending.source, pending=pending)
    _enqueue(job, tasks.import_create)
    return job


def run_read(job_id: int, fmt: str, files: list[tuple[str, str]], source: str) -> None:
    """The body of the read task: parse ``files`` as ``fmt`` into the job's preview."""
    from modeler.importers import import_dbml, import_sql

    read = import_sql if fmt == "sql" else import_dbml
    execute(job_id, lambda job, state: _parse(
        job, state, lambda progress: (read(files, progress=progress), source)))


def run_create(job_id: int) -> None:
    """The body of the create task."""
    execute(job_id, _create)


def cancel(job: ImportJob) -> bool:
    """Ask a job to stop (the worker notices at its next progress report, and its
    transaction checks before committing); False when it had finished already."""
    now = timezone.now()
    stopped = ImportJob.objects.filter(pk=job.pk, status__in=ImportJob.ACTIVE).update(
        status=Status.CANCELLED, error="Cancelled: nothing was created.", finished_at=now,
        updated_at=now)
    job.refresh_from_db()
    return bool(stopped)


def check_stale(job: ImportJob) -> bool:
    """Mark an unfinished job as failed when its heartbeat stopped (running) or no worker
    took it in time (queued); True when it was."""
    if job.status not in ImportJob.ACTIVE:
        return False
    now = timezone.now()
    if job.status == Status.QUEUED:
        cutoff = now - timedelta(seconds=queue_timeout())
        error = ("No task worker took the import in time (is the worker running?); nothing "
                 "was created. Please start it again.")
        if _worker_died(job):
            cutoff = now + timedelta(seconds=1)  # now, whatever its heartbeat says
            error = ("The task worker that took the import stopped before it started (it "
                     "was killed, ran out of memory, or its machine went away); nothing was "
                     "created. Please start it again.")
    else:
        cutoff = now - timedelta(seconds=stale_after())
        error = ("The import stopped unexpectedly (the server restarted or its worker died); "
                 "nothing was created. Please start it again.")
    if job.heartbeat_at >= cutoff:
        return False
    failed = ImportJob.objects.filter(pk=job.pk, status=job.status,
                                      heartbeat_at__lt=cutoff).update(
        status=Status.FAILED, finished_at=now, updated_at=now, error=error)
    job.refresh_from_db()
    if failed:
        tasks_mark_failed(job, error)
    return job.status == Status.FAILED


def _job_task(job: ImportJob) -> Any:
    from modeler.web import tasks

    return tasks.import_read if job.kind == ImportJob.Kind.PARSE else tasks.import_create


def _worker_died(job: ImportJob) -> bool:
    """The task backend says the worker that took this queued job died (see
    :func:`modeler.web.tasks.worker_died`; a worker marks its job running within moments of
    taking it, ``stale_after`` seconds is the grace)."""
    if not job.task_id:
        return False
    from modeler.web import tasks

    return tasks.worker_died(_job_task(job), job.task_id, stale_after())


def tasks_mark_failed(job: ImportJob, why: str) -> None:
    """The database backend's row of a dead job's task: failed too."""
    if job.task_id:
        from modeler.web import tasks

        tasks.mark_failed(_job_task(job), job.task_id, why)


# ---------------------------------------------------------------------------- the work

def _parse(job: ImportJob, state: JobState, reader: Reader) -> None:
    result, source = reader(state.report)
    if result.empty:
        raise ImportRefused("The input defines nothing a design holds (no table, type, "
                            "sequence, function...): nothing to import.")
    state.report("checking the design", 0, 0)
    validate.check(result.schema)  # what the store would refuse fails now, not at create
    state.report("preparing the preview", 0, 0)
    schema_json = serialize.dumps(result.schema)
    warnings = [warning_record(w) for w in result.warnings]
    with transaction.atomic():
        pending = PendingImport.objects.create(
            user=job.user, name=job.name, slug=job.slug, source=source[:300],
            schema_json=schema_json, warnings=warnings, counts=result.counts,
            server_version=result.server_version)
        _complete(job.pk, pending=pending, source=source[:300])


def _create(job: ImportJob, state: JobState) -> None:
    pending = job.pending
    if pending is None:
        raise ImportRefused("This preview is gone (created already, or expired): start the "
                            "import again.")
    _slug_still_free(pending)  # before the slow layout
    state.report("reading the preview", 0, 0)
    schema = serialize.loads(pending.schema_json)
    state.report("laying out the diagram", 0, 0)
    schema = _laid_out(schema, job.pk)
    state.report("storing the design", 0, 0)
    with transaction.atomic():
        _slug_still_free(pending)
        import_project(result=ImportResult(schema=schema, counts=pending.counts,
                                           server_version=pending.server_version),
                       slug=pending.slug, name=pending.name, owner=job.user,
                       source=pending.source, warnings=pending.warnings,
                       progress=state.report)
        pending_id = pending.pk
        _complete(job.pk)
        PendingImport.objects.filter(pk=pending_id).delete()


def _slug_still_free(pending: PendingImport) -> None:
    """The preview promised a new project: a slug taken since (by anyone's project) is
    refused in the forms' words, which do not say whose it is. (``import_project`` would
    import into a project the user edits, and name the project of someone else.)"""
    from modeler.web.forms import SLUG_UNAVAILABLE
    from modeler.web.selectors import slug_taken

    if slug_taken(pending.slug):
        raise ImportRefused(f"{SLUG_UNAVAILABLE} (The slug {pending.slug} was taken after "
                            "this preview was made: start over with another one.)")


def _laid_out(schema: m.Schema, job_id: int) -> m.Schema:
    """The first layout, computed before the transaction (it is the slow part of creating a
    large project, and needs no rows); without it the editor lays out on its first view."""
    try:
        return first_layout(schema)
    except Exception:
        log.warning("import job %s: first layout failed; the editor will lay it out",
                    job_id, exc_info=True)
        return schema
