"""Work a request should not wait for, as tasks of Django's tasks framework (the django-tasks
backport of Django 6's ``django.tasks``: on Django 6 only the import below changes).

Where they run is the ``TASKS`` setting (``MODELER_TASKS_BACKEND``): the database backend's
``manage.py db_worker`` (the default; ``./run`` starts one beside the web server), RQ's
``manage.py rqworker default --job-class django_tasks_rq.Job`` on Redis, or inside the
request (``immediate``: the tests). Arguments are JSON and are stored until a worker takes
the task, so no secret goes through here (a live import's database URL does not: see
:mod:`modeler.web.importjobs`).

What users see of a task is not the task framework's result but the rows the work writes
itself (an :class:`~modeler.web.models.ImportJob` with its stage, heartbeat and outcome),
the same on every backend; each task catches its own errors and records them there.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django_tasks import TaskContext, task

log = logging.getLogger(__name__)


@task(takes_context=True)
def import_read(context: TaskContext, job_id: int, fmt: str, files: list[list[str]],
                source: str) -> None:
    """Read an import's input (``fmt`` ``sql`` or ``dbml``; ``files`` as [name, text]) into
    its preview. The input is needed no longer after that: the database backend's stored
    arguments drop the files' text (RQ forgets finished jobs by itself)."""
    from modeler.web import importjobs

    try:
        importjobs.run_read(job_id, fmt, [(name, text) for name, text in files], source)
    finally:
        _forget_files(context, job_id, fmt, files, source)


def _forget_files(context: TaskContext, job_id: int, fmt: str, files: list[list[str]],
                  source: str) -> None:
    if not type(context.task_result.task.get_backend()).__module__.startswith(
            "django_tasks_db"):
        return
    from django_tasks_db.models import DBTaskResult

    kept = [[name, ""] for name, _text in files]
    DBTaskResult.objects.filter(id=context.task_result.id).update(
        args_kwargs={"args": [job_id, fmt, kept, source], "kwargs": {}})


@task()
def import_create(job_id: int) -> None:
    """Create the project of an import's preview: first layout, rows, version 1."""
    from modeler.web import importjobs

    importjobs.run_create(job_id)


@task()
def send_notification_mails(notification_ids: list[int], subject: str) -> None:
    """Send the e-mails of review notifications (the inbox rows exist already)."""
    from modeler.review import notifications

    notifications.mail(notification_ids, subject)


@task()
def rehearse(project_id: int, target: str, user_id: int | None, rows_scale: float) -> int:
    """Rehearse ``target`` (``version-N`` or ``proposal-N``) of a project and store the run
    (:func:`modeler.web.rehearsals.rehearse_and_store`; its stage is written on the run's
    row as it goes); returns the stored run's id."""
    from django.contrib.auth import get_user_model

    from modeler.web import rehearsals
    from modeler.web.models import Project

    project = Project.objects.get(pk=project_id)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    kind, number = target.split("-", 1)
    run = rehearsals.rehearse_and_store(project=project, rows_scale=rows_scale, user=user,
                                        **{kind: int(number)})  # type: ignore[arg-type]  # version= or proposal=
    return int(run.pk)


@task()
def layout_design(design_id: int, relayout: bool, actor_id: int | None) -> None:
    """Lay out a large design (or re-lay it out) and store the positions as an edit."""
    from modeler.web import layoutjobs

    layoutjobs.task_body(design_id, relayout, actor_id)


@task()
def export_bundle(job_id: int) -> None:
    """Build a large version's export bundle and store it on its
    :class:`~modeler.web.models.ExportJob` row."""
    from modeler.web import exportjobs

    exportjobs.run(job_id)


# ------------------------------------------------------------- asking the task backend

def worker_died(task_obj: Any, result_id: str, grace: float) -> bool:
    """Whether the task backend says the task of a job still "queued" on our side will never
    run it: the backend marked it failed (RQ: the work horse died), it no longer knows it
    (RQ: the job is gone from Redis), or a worker took it more than ``grace`` seconds ago
    and the job was never marked running (the database backend: a killed ``db_worker``
    leaves its row "running" for ever). False when the backend cannot answer (the immediate
    backend, Redis unreachable): then the queue timeout decides."""
    from django_tasks.base import TaskResultStatus
    from django_tasks.exceptions import TaskResultDoesNotExist

    if not result_id:
        return False
    try:
        backend = task_obj.get_backend()
        if not getattr(backend, "supports_get_result", False):
            return False
        result = backend.get_result(result_id)
    except TaskResultDoesNotExist:
        return True
    except Exception:
        log.warning("task %s: the task backend could not be asked", result_id, exc_info=True)
        return False
    if result.status == TaskResultStatus.FAILED:
        return True
    if result.status == TaskResultStatus.RUNNING:
        taken: datetime | None = result.started_at or result.last_attempted_at
        return taken is not None and taken < timezone.now() - timedelta(seconds=grace)
    return False


def mark_failed(task_obj: Any, result_id: str, why: str) -> None:
    """Record in the database backend's own row that a task whose worker died failed (its
    row stays "running" otherwise); nothing on other backends (RQ records it itself)."""
    if not result_id:
        return
    try:
        backend = task_obj.get_backend()
        if not type(backend).__module__.startswith("django_tasks_db"):
            return
        from django_tasks.base import TaskResultStatus
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.filter(id=result_id, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED, finished_at=timezone.now(),
            exception_class_path="modeler.web.tasks.WorkerDied", traceback=why[:2000])
    except Exception:
        log.warning("task %s: its row could not be marked failed", result_id, exc_info=True)
