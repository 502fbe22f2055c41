"""Rehearsal from the web (issue #19): ``/p/<slug>/rehearse/?version=N`` or
``?proposal=N`` shows the latest stored report of that target (the same section as the
review page, ``rehearsal/_report.html``) and a button that queues a new rehearsal as a
background task (:func:`modeler.web.tasks.rehearse`, run by the task worker: issue #18);
the page shows it queued, then running with its stage (written on its stored run as it
goes), and refreshes itself until the report is stored.

The task calls :func:`modeler.web.rehearsals.rehearse_and_store`. A queued rehearsal is
remembered in the cache (shared by the web processes when ``CACHE_URL`` is Redis) until its
run starts, so a target is queued or running once at a time; how many run at once is how
many task workers there are. The version inputs for a version or a proposal are built in
:mod:`modeler.web.rehearsals` (re-exported here for the ``rehearse`` command).
"""

from __future__ import annotations

import contextlib
import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods
from django_tasks.base import TaskResult, TaskResultStatus

from modeler.codegen.versions import VersionInput
from modeler.rehearsal.cluster import available
from modeler.web import rehearsals
from modeler.web import selectors as web_selectors
from modeler.web.http import AuthedRequest
from modeler.web.models import Project, RehearsalRun
from modeler.web.permissions import can, project_for
from modeler.web.rehearsals import DEFAULT_SCALE, proposal_target, version_target

__all__ = ["DEFAULT_SCALE", "proposal_target", "rehearsal", "start", "version_target"]

log = logging.getLogger(__name__)
QUEUED_FOR = 6 * 3600  # seconds a queued mark is kept (a task no worker takes is forgotten)
WAITING = "waiting for a task worker"


@dataclass
class Job:
    """A rehearsal this process queued: its task's result, read back as it goes."""

    key: tuple[str, str]  # (slug, target)
    label: str
    result: TaskResult[int]
    started: float = field(default_factory=time.time)

    def _refresh(self) -> TaskResult[int]:
        if self.result.status in (TaskResultStatus.READY, TaskResultStatus.RUNNING):
            # the database and RQ backends; the immediate one has no store (up to date)
            with contextlib.suppress(Exception):
                self.result.refresh()
        return self.result

    @property
    def finished(self) -> float | None:
        result = self._refresh()
        if result.status in (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED):
            return (result.finished_at.timestamp() if result.finished_at else time.time())
        return None

    @property
    def run_id(self) -> int | None:
        result = self._refresh()
        return result.return_value if result.status == TaskResultStatus.SUCCESSFUL else None

    @property
    def error(self) -> str:
        result = self._refresh()
        if result.status != TaskResultStatus.FAILED:
            return ""
        last = result.errors[-1].traceback.strip().splitlines()[-1:] if result.errors else []
        return last[0] if last else "the task failed"


_JOBS: dict[tuple[str, str], Job] = {}  # the rehearsals this process queued


def _mark_key(project: Project, target: str) -> str:
    return f"rehearsal-queued:{project.pk}:{target}"


def queued(project: Project, target: str) -> bool:
    """Whether a rehearsal of ``target`` is queued and its run has not started yet (nor
    has its task failed before it could start one)."""
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

    mark = cache.get(_mark_key(project, target))
    if not mark:
        return False
    run = stored_run(project, target)
    started = run is not None and run.pk > mark["after"]
    if not started and mark.get("task"):
        backend = task_backends[DEFAULT_TASK_BACKEND_ALIAS]
        if backend.supports_get_result:
            try:
                started = backend.get_result(mark["task"]).status == TaskResultStatus.FAILED
            except Exception:  # the queue forgot it (or is unreachable): keep the mark
                log.warning("rehearsal task %s: no result", mark["task"], exc_info=True)
    if started:
        cache.delete(_mark_key(project, target))
        return False
    return True


def start(project: Project, target: str, label: str, user: User | None,
          scale: float = DEFAULT_SCALE) -> Job | None:
    """Queue a rehearsal of ``target`` (``version-N`` or ``proposal-N``) as a task, unless
    one is queued or running already (then None). RuntimeError when the task queue cannot
    take it."""
    from modeler.web import tasks

    run = stored_run(project, target)
    if queued(project, target) or rehearsals.is_running(run):
        return None
    cache.set(_mark_key(project, target), {"after": run.pk if run else 0}, QUEUED_FOR)
    user_pk = user.pk if user is not None and user.is_authenticated else None
    try:
        result = tasks.rehearse.enqueue(project.pk, target, user_pk, scale)
        if cache.get(_mark_key(project, target)):  # (an immediate backend ran it already)
            cache.set(_mark_key(project, target),
                      {"after": run.pk if run else 0, "task": result.id}, QUEUED_FOR)
    except Exception as exc:
        cache.delete(_mark_key(project, target))
        log.exception("could not queue the rehearsal of %s %s", project.slug, target)
        raise RuntimeError("The rehearsal could not be queued (the task queue is "
                           "unreachable); try again in a minute.") from exc
    job = Job(key=(project.slug, target), label=label, result=result)
    _JOBS[job.key] = job
    return job


def _target(request: HttpRequest, project: Project) -> tuple[str, str, list[VersionInput]]:
    source = request.GET if request.method == "GET" else request.POST
    try:
        if source.get("proposal"):
            number = int(source["proposal"])
            label, inputs = proposal_target(project, number)
            return f"proposal-{number}", label, inputs
        version = int(source["version"]) if source.get("version") else None
        label, inputs = version_target(project, version)
        return f"version-{inputs[-1].number}", label, inputs
    except (ValueError, LookupError) as exc:
        raise Http404(str(exc)) from exc


def stored_run(project: Project, target: str) -> RehearsalRun | None:
    """The newest stored run of ``target`` (``version-N`` / ``proposal-N``), or None."""
    from modeler.review import selectors

    kind, number = target.split("-", 1)
    if kind == "version":
        version = web_selectors.version_of(project, int(number))
        return rehearsals.latest_run(project, version=version) if version else None
    proposal = selectors.proposal_get(project, int(number))
    return rehearsals.latest_run(project, proposal=proposal) if proposal else None


@login_required
@require_http_methods(["GET", "POST"])
def rehearsal(request: AuthedRequest, slug: str) -> HttpResponse:
    """The rehearsal page of a version or a proposal; POST starts one."""
    project, role = project_for(request.user, slug)
    target, label, _inputs = _target(request, project)
    missing = available(getattr(settings, "MODELER_REHEARSAL_URL", "") or None)
    error, status = "", 422
    if request.method == "POST":
        if not can(role, "edit"):  # forbidden, not wrong input: a 403 with the page
            error, status = "Your role cannot start a rehearsal.", 403
        elif missing:
            error = missing
        else:
            try:
                scale = rehearsals.check_scale(request.POST.get("rows_scale") or DEFAULT_SCALE)
                start(project, target, label, request.user, scale)
            except (RuntimeError, ValueError) as exc:
                error = str(exc)
            if not error:
                query = "proposal" if target.startswith("proposal") else "version"
                return redirect(reverse("rehearsal", args=[slug])
                                + f"?{query}={target.split('-', 1)[1]}")
    run = stored_run(project, target)
    section = rehearsals.view_model(run)
    waiting = queued(project, target)
    job = _JOBS.get((slug, target))
    failed = job.error if job is not None and job.run_id is None else ""
    running = waiting or rehearsals.is_running(run)
    return render(request, "rehearsal/rehearsal.html", {
        "project": project, "label": label, "missing": missing, "error": error,
        # the page's "Running: <stage>": queued (no run yet), else the run's own stage
        "job": {"stage": WAITING, "error": failed} if waiting or failed else None,
        "can_start": can(role, "edit"), "scale": DEFAULT_SCALE,
        "target_name": target.split("-", 1)[0], "target_value": target.split("-", 1)[1],
        "running": running, "rehearsal": section,
    }, status=status if error else 200)
