"""Version history: save, list, compare two versions, restore, export the bundle."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from modeler.codegen.bundle import TARGETS
from modeler.schema import model as m
from modeler.web import diagrams, exporting, exportjobs, rehearsals, selectors, services
from modeler.web.editing import Refused
from modeler.web.forms import text_problem
from modeler.web.http import AuthedRequest
from modeler.web.models import ExportJob, Project, Version
from modeler.web.permissions import can, project_for
from modeler.web.snapshot import snapshot
from modeler.web.versions import (
    NothingToSave,
    compare,
    latest_version,
    version_restore,
    version_save,
    version_schema,
)

if TYPE_CHECKING:
    from modeler.diagram.options import Status


@login_required
@require_GET
def history(request: AuthedRequest, slug: str) -> HttpResponse:
    project, role = project_for(request.user, slug)
    versions = list(selectors.versions_of(project))
    rehearsed = rehearsals.latest_statuses(project)
    for v in versions:
        v.rehearsal_status = rehearsed.get(v.pk, "")  # type: ignore[attr-defined]  # for the template
    return render(request, "versions/history.html", {
        "project": project, "role": role, "versions": versions,
        "can_edit": can(role, "edit")})


@login_required
@require_POST
def save(request: AuthedRequest, slug: str) -> HttpResponse:
    project, role = project_for(request.user, slug, "edit")
    message = request.POST.get("message", "")
    notes = request.POST.get("notes", "")
    try:
        problems = [f"{label}: {problem}" for label, problem in (
            ("Message", text_problem(message)), ("Notes", text_problem(notes))) if problem]
        if problems:
            raise Refused(problems)
        version = version_save(project=project, actor=request.user,
                               message=message, notes=notes, changed_only=True)
    except Refused as exc:
        versions = selectors.versions_of(project)
        return render(request, "versions/history.html", {
            "project": project, "role": role, "versions": versions, "can_edit": True,
            "errors": _gate_items(exc), "message": message, "notes": notes,
            "unchanged": isinstance(exc, NothingToSave)}, status=422)
    messages.success(request, f"Saved version {version.number}.")
    return redirect("version_history", slug=slug)


def _gate_items(exc: Refused) -> list[dict[str, object]]:
    """The refusal's reasons, each with its finding's hint, table and ways out (Fix…,
    Justify…): the findings only the gate computes (MG-05, MG-09: against the latest
    version) are in no editor panel, so "fix them in the editor" alone was a dead end."""
    gating = [f for f in exc.findings if f.gating]
    if len(gating) != len(exc.reasons):  # reasons without findings (a message, no change)
        return [{"text": reason} for reason in exc.reasons]
    return [{"text": reason, "hint": f.hint, "table": f.target.table_uid, "rule": f.rule,
             "key": f.target.key, "fixable": f.fixable, "justify": f.level.value == "justify"}
            for reason, f in zip(exc.reasons, gating, strict=True)]


def _version(project: Project, number: str | int | None) -> Version:
    try:
        version = selectors.version_of(project, int(number or 0))
    except ValueError as exc:
        raise Http404("No such version.") from exc
    if version is None:
        raise Http404("No such version.")
    return version


@login_required
@require_GET
def compare_view(request: AuthedRequest, slug: str) -> HttpResponse:
    project, _role = project_for(request.user, slug)
    if not (request.GET.get("a") and request.GET.get("b")):  # the form sent without a pick
        messages.error(request, "Pick two versions to compare: one in each column.")
        return redirect("version_history", slug=slug)
    a, b = _version(project, request.GET.get("a")), _version(project, request.GET.get("b"))
    old, new = version_schema(a), version_schema(b)
    result = compare(old, new)
    summary = result["summary"]
    status: dict[str, Status] = {}
    kinds: tuple[Status, ...] = ("added", "removed", "changed", "renamed")
    for kind in kinds:
        for group in summary.groups.values():
            for entry in getattr(group, kind):
                status.setdefault(entry.uid, kind)
    union = _union(old, new)
    svg = diagrams.static_svg(union, status=status)
    return render(request, "versions/compare.html", {
        "project": project, "a": a, "b": b, "summary": summary,
        "groups": sorted(summary.groups.items()), "svg": svg})


def _union(old: m.Schema, new: m.Schema) -> m.Schema:
    """The new design plus what the old one had and the new one dropped (drawn as removed)."""
    from dataclasses import replace

    new_tables = {t.uid for t in new.tables}
    new_rels = {r.uid for r in new.relationships}
    gone = tuple(t for t in old.tables if t.uid not in new_tables)
    rels = tuple(r for r in old.relationships if r.uid not in new_rels
                 and r.child_table in new_tables | {t.uid for t in gone}
                 and r.parent_table in new_tables | {t.uid for t in gone})
    return m.normalized(replace(new, tables=new.tables + gone,
                                relationships=new.relationships + rels))


@login_required
@require_http_methods(["GET", "POST"])
def restore(request: AuthedRequest, slug: str, number: int) -> HttpResponse:
    """GET: what restoring version ``number`` would change in the working design (the change
    list, destructive steps marked) and a button to confirm. POST: restore it (an edit like
    any other: logged and undoable from the editor). A POST carrying the revision its
    confirmation page showed is refused (409, the page again) when the design changed
    since, so nothing is thrown away unseen."""
    project, role = project_for(request.user, slug, "edit")
    version = _version(project, number)
    design = services.main_design(project)
    seen = (request.POST.get("revision") or "").strip()
    if request.method == "POST" and not (seen and seen != str(design.revision)):
        version_restore(project=project, actor=request.user,
                        number=number)
        messages.success(request, f"Version {number} is the working design again "
                                  "(Undo in the editor takes it back).")
        return redirect("editor", slug=slug)
    current = snapshot(design)
    target = replace(version_schema(version), settings=current.settings, name=current.name)
    summary = compare(current, target)["summary"]
    latest = latest_version(project)
    unsaved = latest is not None and bool(compare(version_schema(latest), replace(
        current, settings=version_schema(latest).settings,
        name=version_schema(latest).name))["ops"])
    return render(request, "versions/restore_confirm.html", {
        "project": project, "role": role, "version": version, "summary": summary,
        "groups": sorted(summary.groups.items()), "revision": design.revision,
        "latest": latest, "unsaved": unsaved,
        "stale": request.method == "POST"}, status=409 if request.method == "POST" else 200)


@login_required
@require_GET
def export(request: AuthedRequest, slug: str, number: int) -> HttpResponse:
    """The bundle, built in the request; a version above ``MODELER_EXPORT_INLINE_TABLES``
    tables is built by a task instead, and this opens its job's page."""
    project, _ = project_for(request.user, slug, "download")
    version = _version(project, number)
    schema = version_schema(version)
    target = request.GET.get("target") or None  # "": the default, as no target
    if target is not None and target not in TARGETS:  # a link typed or kept elsewhere
        return HttpResponse(f"Unknown export target {target[:40]!r}: choose one of "
                            f"{', '.join(TARGETS)}.", status=400,
                            content_type="text/plain; charset=utf-8")
    if len(schema.tables) > exportjobs.inline_tables():
        job = exportjobs.start(project, version.number, exporting.export_target(target),
                               request.user)
        return redirect("version_export_job", slug=slug, number=version.number, pk=job.pk)
    # the drawing is made on a thread while the rest of the bundle is built
    name, body = exporting.bundle(project, version.number, diagram_svg=diagrams.static_svg,
                                  target=target)
    response = HttpResponse(body, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _export_job(request: AuthedRequest, slug: str, number: int, pk: int) -> ExportJob:
    project, _ = project_for(request.user, slug, "download")
    job = (ExportJob.objects.filter(pk=pk, project=project, number=number).defer("data")
           .first())
    if job is None:
        raise Http404("No such export (finished exports are kept for a while only).")
    exportjobs.check(job)
    return job


@login_required
@require_GET
def export_job(request: AuthedRequest, slug: str, number: int, pk: int) -> HttpResponse:
    """A queued export's page; for htmx polls, its status fragment."""
    job = _export_job(request, slug, number, pk)
    ctx = {**exportjobs.context(job), "project": job.project}
    if request.htmx and request.htmx.target == "export-job":
        return render(request, "versions/_export_job.html", ctx)
    return render(request, "versions/export_job.html", ctx)


@login_required
@require_GET
def export_job_download(request: AuthedRequest, slug: str, number: int,
                        pk: int) -> HttpResponse:
    """The bundle a finished export job stored."""
    job = _export_job(request, slug, number, pk)
    if job.status != ExportJob.Status.DONE:
        return redirect("version_export_job", slug=slug, number=number, pk=pk)
    body = (ExportJob.objects.filter(pk=job.pk).values_list("data", flat=True).first()
            or b"")
    response = HttpResponse(bytes(body), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{job.file_name}"'
    return response
