"""Rehearsal from the web (issue #19): ``/p/<slug>/rehearse/?version=N`` or
``?proposal=N`` shows the latest stored report of that target (the same section as the
review page, ``rehearsal/_report.html``) and a button that starts a new rehearsal on a
background thread; the page refreshes itself until the report is stored.

The thread calls :func:`modeler.web.rehearsals.rehearse_and_store` (which takes no request,
so a background task can call it instead); at most ``MAX_RUNNING`` rehearsals run at once per
process. The version inputs for a version or a proposal are built in
:mod:`modeler.web.rehearsals` (re-exported here for the ``rehearse`` command).
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import close_old_connections, connection
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from modeler.codegen.versions import VersionInput
from modeler.rehearsal import Report, report_markdown
from modeler.rehearsal.cluster import available
from modeler.web import rehearsals
from modeler.web.models import Project, Version
from modeler.web.permissions import can, project_for
from modeler.web.rehearsals import DEFAULT_SCALE, proposal_target, version_target

__all__ = ["DEFAULT_SCALE", "proposal_target", "rehearsal", "start", "version_target"]

log = logging.getLogger(__name__)
MAX_RUNNING = 1


@dataclass
class Job:
    key: tuple[str, str]  # (slug, target)
    label: str
    started: float = field(default_factory=time.time)
    stage: str = "starting"
    report: Report | None = None
    markdown: str = ""
    error: str = ""
    finished: float | None = None
    run_id: int | None = None
    id: str = field(default_factory=lambda: uuid.uuid4().hex)


_JOBS: dict[tuple[str, str], Job] = {}
_LOCK = threading.Lock()


def _running() -> int:
    return sum(1 for j in _JOBS.values() if j.finished is None)


def _work(job: Job, project_pk: int, target: str, user_pk: int | None, scale: float) -> None:
    """The thread: rehearse and store (its own database connection, closed at the end)."""
    from django.contrib.auth import get_user_model

    def progress(stage: str) -> None:
        job.stage = stage

    def keep(report: Report) -> None:
        job.report = report
        job.markdown = report_markdown(report)

    try:
        close_old_connections()
        project = Project.objects.get(pk=project_pk)
        user = get_user_model().objects.filter(pk=user_pk).first() if user_pk else None
        kind, number = target.split("-", 1)
        run = rehearsals.rehearse_and_store(
            project=project, rows_scale=scale, user=user, progress=progress, on_report=keep,
            **{kind: int(number)})  # type: ignore[arg-type]
        job.run_id = run.pk
        if run.error and not job.error:
            job.error = run.error if job.report is None else ""
    except Exception as exc:  # the page shows it; the thread must not die silently
        log.exception("rehearsal thread of %s %s", project_pk, target)
        job.error = f"{type(exc).__name__}: {exc}"
    finally:
        job.finished = time.time()
        connection.close()


def start(project: Project, target: str, label: str, user: Any,
          scale: float = DEFAULT_SCALE) -> Job:
    """Start a rehearsal of ``target`` (``version-N`` or ``proposal-N``) on a thread (or
    return the one running for the same target)."""
    key = (project.slug, target)
    with _LOCK:
        current = _JOBS.get(key)
        if current is not None and current.finished is None:
            return current
        if _running() >= MAX_RUNNING:
            raise RuntimeError("Another rehearsal is running; try again when it is done.")
        job = Job(key=key, label=label)
        _JOBS[key] = job
    user_pk = user.pk if user is not None and user.is_authenticated else None
    threading.Thread(target=_work, args=(job, project.pk, target, user_pk, scale),
                     daemon=True, name=f"rehearsal-{project.slug}").start()
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


def stored_run(project: Project, target: str) -> Any:
    """The newest stored run of ``target`` (``version-N`` / ``proposal-N``), or None."""
    from modeler.review import selectors

    kind, number = target.split("-", 1)
    if kind == "version":
        version = Version.objects.filter(project=project, number=int(number)).first()
        return rehearsals.latest_run(project, version=version) if version else None
    proposal = selectors.proposal_get(project, int(number))
    return rehearsals.latest_run(project, proposal=proposal) if proposal else None


@login_required
@require_http_methods(["GET", "POST"])
def rehearsal(request: HttpRequest, slug: str) -> HttpResponse:
    """The rehearsal page of a version or a proposal; POST starts one."""
    project, role = project_for(request.user, slug)
    target, label, _inputs = _target(request, project)
    missing = available(getattr(settings, "MODELER_REHEARSAL_URL", "") or None)
    error = ""
    if request.method == "POST":
        if not can(role, "edit"):
            error = "Your role cannot start a rehearsal."
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
    job = _JOBS.get((slug, target))
    run = stored_run(project, target)
    section = rehearsals.view_model(run)
    running = (job is not None and job.finished is None) or rehearsals.is_running(run)
    return render(request, "rehearsal/rehearsal.html", {
        "project": project, "label": label, "job": job, "missing": missing, "error": error,
        "can_start": can(role, "edit"), "scale": DEFAULT_SCALE,
        "target_name": target.split("-", 1)[0], "target_value": target.split("-", 1)[1],
        "running": running, "rehearsal": section,
        "report": job.report if job else None,
    }, status=422 if error else 200)
