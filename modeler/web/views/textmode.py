"""The editor's text mode (DBML both ways) and the DBML download of a version.

``text_panel`` shows the design as DBML (every member may read it); ``text_preview`` reads
posted text and answers the change list (nothing is saved); ``text_apply`` saves it through
:func:`modeler.web.editing.apply_edit` (the rules gate answers as for any edit), carrying the
design revision the text was made from: a design changed since is a 409. Preview and apply
need the edit role. Parse errors answer 422 with the line.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget, trigger_client_event

from modeler.schema import model as m
from modeler.web import selectors, textmode
from modeler.web.editing import Conflict, Refused, apply_edit
from modeler.web.forms import text_problem
from modeler.web.http import AuthedRequest
from modeler.web.models import Design
from modeler.web.permissions import can, design_for, project_for
from modeler.web.snapshot import snapshot_at
from modeler.web.versions import version_schema

_REVISION = re.compile(r"[0-9]{1,18}")


def _args(project: Any, design: Design) -> list[object]:
    return [project.slug] if design.kind == Design.Kind.MAIN else [project.slug, design.pk]


def _context(project: Any, role: str, design: Design, **extra: Any) -> dict[str, Any]:
    return {"project": project, "role": role, "design": design,
            "can_edit": can(role, "edit") and not design.locked, **extra}


@login_required
@require_GET
def text_panel(request: AuthedRequest, slug: str, design: int | None = None) -> HttpResponse:
    project, role, design_ = design_for(request.user, slug, design)
    schema, revision = snapshot_at(design_)
    return render(request, "editor/_textmode_body.html", _context(
        project, role, design_, text=textmode.design_text(schema), revision=revision))


def _posted(request: HttpRequest) -> tuple[str, set[str], int | None, str | None]:
    """The posted text (line ends as LF), the chosen renames, the revision, a problem."""
    text = request.POST.get("text", "").replace("\r\n", "\n")
    problem = text_problem(text, multiline=True) if text else None
    raw = (request.POST.get("revision") or "").strip()
    revision = int(raw) if _REVISION.fullmatch(raw) else None
    return text, set(request.POST.getlist("rename")), revision, problem


def _answer(request: HttpRequest, ctx: dict[str, Any], status: int = 200) -> HttpResponse:
    response = render(request, "editor/_textmode_result.html", ctx, status=status)
    # Apply targets the whole text body: an answer that is not the body goes to the result
    return reswap(retarget(response, "#textmode-result"), "innerHTML")


@login_required
@require_POST
def text_preview(request: AuthedRequest, slug: str, design: int | None = None) -> HttpResponse:
    project, role, design_ = design_for(request.user, slug, design, "edit")
    schema, revision = snapshot_at(design_)
    text, renames, posted, problem = _posted(request)
    ctx = _context(project, role, design_, revision=posted or revision)
    if problem:
        return _answer(request, {**ctx, "errors": [problem]}, 422)
    result = textmode.preview(schema, text, renames)
    ctx["preview"] = result
    if posted is not None and posted != revision:
        ctx["stale"] = True
    return _answer(request, ctx, 422 if result.error else 200)


@login_required
@require_POST
def text_apply(request: AuthedRequest, slug: str, design: int | None = None) -> HttpResponse:
    project, role, design_ = design_for(request.user, slug, design, "edit")
    schema, revision = snapshot_at(design_)
    text, renames, posted, problem = _posted(request)
    ctx = _context(project, role, design_, revision=revision)
    if problem:
        return _answer(request, {**ctx, "errors": [problem]}, 422)
    if posted is None:
        return _answer(request, {**ctx, "conflict": True, "errors": [
            "reload: the text had no design revision, so nothing was changed."]}, 409)
    if posted != revision:
        return _answer(request, {**ctx, "conflict": True, "errors": [
            "The design was changed since this text was loaded (by someone else, or in "
            "another tab or window; revision "
            f"{revision}, your text had {posted}): nothing was saved. Reload the text, or "
            "preview again to see the changes against the current design."]}, 409)
    result = textmode.preview(schema, text, renames)
    ctx["preview"] = result
    if result.error or result.new is None:
        return _answer(request, ctx, 422)
    if not result.ops:
        return _answer(request, {**ctx, "nothing": True})
    new = result.new
    count = len(result.ops)

    def change(old: m.Schema) -> m.Schema:
        if old is not schema and old != schema:
            raise Conflict("The design was changed while this text was being saved (by "
                           "someone else, or in another tab or window): nothing was saved; "
                           "preview again.")
        return new

    try:
        apply_edit(design=design_, actor=request.user,
                   action="design.text", summary=f"text mode: {count} change"
                   f"{'s' if count != 1 else ''} ({result.kind.upper()})", target_uid=None,
                   change=change, known=(schema, revision))
    except Refused as exc:
        return _answer(request, {**ctx, "errors": exc.reasons,
                                 "refused_findings": exc.findings}, 422)
    except Conflict as exc:
        return _answer(request, {**ctx, "conflict": True, "errors": [str(exc)]}, 409)
    if not request.htmx:
        return redirect("editor", *_args(project, design_))
    fresh, fresh_rev = snapshot_at(design_)
    response = render(request, "editor/_textmode_body.html", _context(
        project, role, design_, text=textmode.design_text(fresh), revision=fresh_rev,
        applied=result.changes))
    if [(t.uid, t.qualified_name) for t in schema.tables] != [
            (t.uid, t.qualified_name) for t in fresh.tables]:
        # tables came, went or were renamed: the toolbar's Focus list too (out of band)
        from modeler.web import diagrams

        response.content += render_to_string("editor/editor.html#focus-select", {
            "tables": fresh.tables, "oob": True,
            "prefs": diagrams.prefs_for(request.user, project)}).encode()
    return trigger_client_event(response, "schema-changed")


@login_required
@require_GET
def version_dbml(request: AuthedRequest, slug: str, number: int) -> HttpResponse:
    project, _ = project_for(request.user, slug, "download")
    version = selectors.version_of(project, number)
    if version is None:
        return HttpResponse("No such version.", status=404, content_type="text/plain")
    body = textmode.design_text(version_schema(version))
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = \
        f'attachment; filename="{project.slug}-v{version.number}.dbml"'
    return response
