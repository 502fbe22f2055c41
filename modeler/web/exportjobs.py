"""Export bundles of large versions, built by a task (issue #18).

A version's export is built in the request when its design has at most
``MODELER_EXPORT_INLINE_TABLES`` tables (default 150: about a second of work); above that the
download link queues an :class:`~modeler.web.models.ExportJob` and opens its page, which
polls the job's row (queued, running, done, failed) and, once done, offers the download.
The task (:func:`modeler.web.tasks.export_bundle`) builds the same bytes the request would
(:func:`build`, used by both) and stores them on the row: the database is the store every
web process and every worker shares, on one machine or several.

Stored bundles go when **superseded** (a newer build of the same version and target that
succeeded deletes the older finished ones) or after the **retention period**
(``MODELER_EXPORT_KEEP_HOURS``, default 24, pruned whenever an export is queued). A job no
worker takes within ``MODELER_IMPORT_QUEUE_TIMEOUT`` seconds, whose worker the task backend
says died, or that runs longer than ``MODELER_EXPORT_TIMEOUT`` seconds (default 600) is
shown as failed.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

from modeler.web import models as db

log = logging.getLogger(__name__)

Status = db.ExportJob.Status
QUEUE_GRACE = 30.0  # seconds a worker may hold a task before marking its job running


def inline_tables() -> int:
    return int(getattr(settings, "MODELER_EXPORT_INLINE_TABLES", 150))


def keep() -> timedelta:
    return timedelta(hours=float(getattr(settings, "MODELER_EXPORT_KEEP_HOURS", 24)))


def run_timeout() -> float:
    return float(getattr(settings, "MODELER_EXPORT_TIMEOUT", 600))


def queue_timeout() -> float:
    return float(getattr(settings, "MODELER_IMPORT_QUEUE_TIMEOUT", 600))


def build(project: db.Project, number: int, target: str | None) -> tuple[str, bytes]:
    """(file name, zip bytes) of version ``number``: what the download sends, inline or
    from a task."""
    from modeler.web import diagrams, exporting

    version = db.Version.objects.get(project=project, number=number)
    # the drawing is made on a thread while the rest of the bundle is built
    return exporting.bundle(project, version.number, diagram_svg=diagrams.static_svg,
                            target=target)


def start(project: db.Project, number: int, target: str,
          user: User | None) -> db.ExportJob:
    """Queue the build of version ``number``'s bundle for ``target`` (a resolved target), or
    return the job already building it."""
    from modeler.web import tasks

    db.ExportJob.objects.filter(finished_at__lt=timezone.now() - keep()).delete()
    for job in db.ExportJob.objects.filter(project=project, number=number, target=target,
                                           status__in=db.ExportJob.ACTIVE).order_by("-pk"):
        if not check(job):
            return job
    job = db.ExportJob.objects.create(project=project, number=number, target=target,
                                      user=user)
    try:
        result = tasks.export_bundle.enqueue(job.pk)
    except Exception:
        log.exception("export job %s: could not be queued", job.pk)
        _fail(job.pk, "The export could not be queued (the task queue is unreachable). "
                      "Try again in a minute.")
    else:
        db.ExportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    job.refresh_from_db()
    return job


def run(job_id: int) -> None:
    """The task's body: build the bundle and store it on the job's row."""
    now = timezone.now()
    if not db.ExportJob.objects.filter(pk=job_id, status=Status.QUEUED).update(
            status=Status.RUNNING, started_at=now, updated_at=now):
        return  # gone (retention) or given up while it waited
    job = db.ExportJob.objects.select_related("project").defer("data").get(pk=job_id)
    try:
        name, body = build(job.project, job.number, job.target)
    except db.Version.DoesNotExist:
        _fail(job_id, f"Version {job.number} of this project no longer exists.")
        return
    except LookupError as exc:
        _fail(job_id, str(exc))
        return
    except Exception as exc:
        log.exception("export job %s failed", job_id)
        _fail(job_id, f"The export failed unexpectedly ({type(exc).__name__}). The error has "
                      "been logged.")
        return
    now = timezone.now()
    if db.ExportJob.objects.filter(pk=job_id, status=Status.RUNNING).update(
            status=Status.DONE, data=body, size=len(body), file_name=name[:200],
            finished_at=now, updated_at=now):
        # superseded: the older finished builds of the same version and target
        (db.ExportJob.objects.filter(project_id=job.project_id, number=job.number,
                                     target=job.target, status__in=[Status.DONE,
                                                                    Status.FAILED])
         .exclude(pk=job_id).delete())


def _fail(job_id: int, error: str) -> None:
    now = timezone.now()
    db.ExportJob.objects.filter(pk=job_id, status__in=db.ExportJob.ACTIVE).update(
        status=Status.FAILED, error=error[:5000], finished_at=now, updated_at=now)


def check(job: db.ExportJob) -> bool:
    """Mark an unfinished job failed when no worker took it in time, the task backend says
    its worker died, or it ran too long; True when it was."""
    from modeler.web import tasks

    if job.status not in db.ExportJob.ACTIVE:
        return False
    now = timezone.now()
    error = ""
    if job.status == Status.QUEUED:
        if tasks.worker_died(tasks.export_bundle, job.task_id, QUEUE_GRACE):
            error = ("The task worker that took the export stopped before it started (it was "
                     "killed, or its machine went away). Please export again.")
        elif job.created_at < now - timedelta(seconds=queue_timeout()):
            error = "No task worker took the export in time (is the worker running?)."
    elif (tasks.worker_died(tasks.export_bundle, job.task_id, run_timeout())
          or (job.started_at and job.started_at < now - timedelta(seconds=run_timeout()))):
        error = ("The export stopped unexpectedly (its worker died or it took too long). "
                 "Please export again.")
    if not error:
        return False
    stopped = db.ExportJob.objects.filter(pk=job.pk, status=job.status).update(
        status=Status.FAILED, error=error, finished_at=now, updated_at=now)
    if stopped:
        tasks.mark_failed(tasks.export_bundle, job.task_id, error)
    job.refresh_from_db(fields=["status", "error", "finished_at", "updated_at"])
    return job.status == Status.FAILED


def context(job: db.ExportJob) -> dict[str, Any]:
    started = job.started_at or job.created_at
    end = job.finished_at or timezone.now()
    return {"job": job, "elapsed": max(0, int((end - started).total_seconds())),
            "poll_ms": 1000}
