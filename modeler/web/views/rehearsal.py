"""Rehearsal from the web (issue #19): ``/p/<slug>/rehearse/?version=N`` or
``?proposal=N`` shows the last report of that target and a button that starts a new
rehearsal on a background thread; the page refreshes itself until the report is there.

Jobs live in this process's memory (a later issue moves background work to django-tasks):
a restart forgets them, and at most ``MAX_RUNNING`` rehearsals run at once per process.
The version inputs for a version or a proposal are built here too (the ``rehearse``
command uses them).
"""

from __future__ import annotations

import math
import threading
import time
import uuid
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from modeler.codegen.versions import VersionInput
from modeler.rehearsal import Options, Report, rehearse, report_markdown
from modeler.rehearsal.cluster import available
from modeler.web import exporting
from modeler.web.models import Project
from modeler.web.permissions import can, project_for
from modeler.web.versions import latest_version

MAX_RUNNING = 1
DEFAULT_SCALE = 0.1


def version_target(project: Project, number: int | None) -> tuple[str, list[VersionInput]]:
    """(label, versions up to ``number``; default the latest). LookupError when none."""
    latest = latest_version(project)
    if latest is None:
        raise LookupError("This project has no saved version yet.")
    upto = number if number is not None else latest.number
    inputs = exporting.version_inputs(project, upto)
    if not inputs or inputs[-1].number != upto:
        raise LookupError(f"No version {upto}.")
    return f"version {upto}", inputs


def proposal_target(project: Project, number: int) -> tuple[str, list[VersionInput]]:
    """The main line's versions plus the proposal's design (as merging would make it) as
    the next version."""
    from modeler.review import analysis, merging, selectors

    proposal = selectors.proposal_get(project, number)
    if proposal is None:
        raise LookupError(f"No proposal {number}.")
    latest = latest_version(project)
    inputs = exporting.version_inputs(project, latest.number) if latest else []
    plan = merging.merge_plan(proposal) if proposal.is_open else None
    schema = plan.schema if plan else selectors.proposal_schema(proposal)
    if schema is None:
        raise LookupError("The proposal does not merge cleanly; resolve the conflicts first.")
    schema = analysis.unplaced(schema)
    inputs.append(VersionInput(number=(latest.number if latest else 0) + 1,
                               message=analysis.merge_message(proposal), author="proposal",
                               created=timezone.now().date().isoformat(),
                               schema=replace(schema, tables=tuple(
                                   replace(t, position=None) for t in schema.tables))))
    return f"proposal #{number}", inputs


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
    id: str = field(default_factory=lambda: uuid.uuid4().hex)


_JOBS: dict[tuple[str, str], Job] = {}
_LOCK = threading.Lock()


def _running() -> int:
    return sum(1 for j in _JOBS.values() if j.finished is None)


def _work(job: Job, inputs: list[VersionInput], options: Options) -> None:
    def progress(stage: str) -> None:
        job.stage = stage

    try:
        job.report = rehearse(inputs, options, progress)
        job.markdown = report_markdown(job.report)
    except Exception as exc:  # the page shows it; the thread must not die silently
        job.error = f"{type(exc).__name__}: {exc}"
    finally:
        job.finished = time.time()


def start(slug: str, target: str, label: str, inputs: list[VersionInput],
          scale: float = DEFAULT_SCALE) -> Job:
    """Start a rehearsal on a thread (or return the one running for the same target)."""
    key = (slug, target)
    with _LOCK:
        current = _JOBS.get(key)
        if current is not None and current.finished is None:
            return current
        if _running() >= MAX_RUNNING:
            raise RuntimeError("Another rehearsal is running; try again when it is done.")
        job = Job(key=key, label=label)
        _JOBS[key] = job
    options = Options(server_url=getattr(settings, "MODELER_REHEARSAL_URL", "") or None,
                      scale=scale, slug=slug)
    threading.Thread(target=_work, args=(job, inputs, options), daemon=True,
                     name=f"rehearsal-{slug}").start()
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


@login_required
@require_http_methods(["GET", "POST"])
def rehearsal(request: HttpRequest, slug: str) -> HttpResponse:
    """The rehearsal page of a version or a proposal; POST starts one."""
    project, role = project_for(request.user, slug)
    target, label, inputs = _target(request, project)
    missing = available(getattr(settings, "MODELER_REHEARSAL_URL", "") or None)
    error = ""
    if request.method == "POST":
        if not can(role, "edit"):
            error = "Your role cannot start a rehearsal."
        elif missing:
            error = missing
        else:
            try:
                scale = float(request.POST.get("rows_scale") or DEFAULT_SCALE)
                if not math.isfinite(scale) or scale <= 0:
                    raise ValueError("The row scale is a number above 0 (e.g. 0.1).")
                start(slug, target, label, inputs, min(max(scale, 0.0001), 1.0))
            except (RuntimeError, ValueError) as exc:
                error = str(exc)
            if not error:
                query = "proposal" if target.startswith("proposal") else "version"
                return redirect(reverse("rehearsal", args=[slug])
                                + f"?{query}={target.split('-', 1)[1]}")
    job = _JOBS.get((slug, target))
    return render(request, "rehearsal/rehearsal.html", {
        "project": project, "label": label, "job": job, "missing": missing, "error": error,
        "can_start": can(role, "edit"), "scale": DEFAULT_SCALE,
        "target_name": target.split("-", 1)[0], "target_value": target.split("-", 1)[1],
        "running": job is not None and job.finished is None,
        "report": job.report if job else None,
    }, status=422 if error else 200)
