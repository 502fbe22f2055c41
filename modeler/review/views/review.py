"""The review page of one proposal and its htmx targets: diagram (before/after), threads,
verdicts, the merge box. Each target is a named partial of ``review/proposal_detail.html``;
every form also works as a plain POST (redirect after success, the page with 422 on errors).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import trigger_client_event

from modeler.review import analysis, merging, selectors, services
from modeler.review.forms import (
    ApprovalsForm,
    MergeForm,
    ReplyForm,
    ThreadForm,
    VerdictForm,
)
from modeler.review.models import Proposal, Thread
from modeler.review.views.common import detail_url, is_htmx, proposal_for, user_id
from modeler.web import diagrams, rehearsals
from modeler.web.editing import Conflict, Refused
from modeler.web.http import AuthedRequest
from modeler.web.models import Project
from modeler.web.permissions import can

TEMPLATE = "review/proposal_detail.html"


def migration_targets() -> list[str]:
    """The migrations the review page offers, by the export's target (the site's
    ``MODELER_EXPORT_TARGET``): ``sqlalchemy`` (the Alembic revision), ``drizzle`` (the
    drizzle-kit SQL migration) or both."""
    from modeler.web.exporting import export_target

    target = export_target()
    return ["sqlalchemy", "drizzle"] if target == "both" else [target]
PARTS = ("diagram", "threads", "verdicts", "checks")
CHANGED = "review-changed"


def review_context(request: HttpRequest, project: Project, role: str, proposal: Proposal, *,
                   part: str | None = None, **extra: Any) -> dict[str, Any]:
    """Everything the page (or one of its partials, ``part``) shows."""
    is_author = user_id(request) == proposal.author_id
    ctx: dict[str, Any] = {
        "project": project, "role": role, "proposal": proposal, "design": proposal.design,
        "is_author": is_author, "state": selectors.verdict_state(proposal),
        "here": detail_url(proposal),
        "can_comment": can(role, "comment") and proposal.is_open,
        "can_review": can(role, "review") and proposal.is_open and not is_author,
        "can_edit": can(role, "edit") and proposal.is_open,
        "can_manage": can(role, "manage"),
        "can_close": proposal.is_open and can(role, "propose") and (
            is_author or can(role, "manage")),
    }
    base, after = selectors.base_schema(proposal), selectors.proposal_schema(proposal)
    if part in (None, "diagram"):
        ctx["changes"] = changes = analysis.changes_between(base, after)
        side = "before" if request.GET.get("side") == "before" else "after"
        schema, status = ((base, changes.before_status) if side == "before"
                          else (after, changes.after_status))
        ctx.update(side=side, svg=diagrams.review_svg(schema, status,
                                                      selectors.comment_markers(proposal)))
    if part in (None, "threads"):
        names, current = analysis.anchor_names(after, base), set(analysis.anchor_names(after))
        errors = extra.pop("thread_errors", {})
        kept = extra.pop("thread_kept", {})  # a refused reply's text, shown again
        ctx["threads"] = [{"t": t, "label": analysis.thread_label(t, names, current),
                           "errors": errors.get(t.pk, []), "kept": kept.get(t.pk, "")}
                          for t in selectors.threads_of(proposal)]
        ctx["thread_form"] = extra.pop("thread_form", None) or ThreadForm(
            anchors=analysis.anchor_choices(after, base),
            initial={"anchor": request.GET.get("anchor", "proposal")})
        ctx["reply_form"] = ReplyForm()
    if part in (None, "verdicts"):
        ctx["verdicts"] = selectors.verdicts_of(proposal)
        ctx["verdict_form"] = extra.pop("verdict_form", None) or VerdictForm(
            initial={"revision": ctx["state"].revision})
    if part in (None, "checks"):
        plan = merging.merge_plan(proposal) if proposal.is_open else None
        findings = analysis.findings_report(proposal, after, base)
        checks = merging.merge_checks(
            proposal, plan=plan, findings=None if plan.moved else findings) if plan else ()
        ctx.update(plan=plan, findings=findings, checks=checks,
                   mergeable=bool(checks) and all(c.ok for c in checks),
                   merge_form=extra.pop("merge_form", None) or MergeForm(
                       initial={"message": analysis.merge_message(proposal)}),
                   approvals_form=ApprovalsForm(optional=True, initial={
                       "required_approvals": proposal.required_approvals}))
        if part is None:
            # the migrations of the export's target stack (MODELER_EXPORT_TARGET)
            targets = migration_targets()
            ctx["migration_targets"] = targets
            ctx["migration_kind"] = targets[0]
            ctx["migration"] = (analysis.migration_preview if targets[0] == "sqlalchemy"
                                else analysis.drizzle_text)(proposal, plan.schema if plan
                                                            else after)
    if part is None:
        ctx["reviewers"] = selectors.proposal_reviewers(proposal)
        ctx["rehearsal"] = rehearsals.view_model(rehearsals.latest_run(project,
                                                                       proposal=proposal))
        ctx["rehearsal_scale"] = rehearsals.DEFAULT_SCALE
    ctx.update(extra)
    return ctx


def render_review(request: HttpRequest, project: Project, role: str, proposal: Proposal, *,
                  part: str | None = None, status: int = 200, **extra: Any) -> HttpResponse:
    """The page, or with htmx the partial ``part``; a change triggers ``review-changed`` so
    the other parts refresh themselves."""
    if not is_htmx(request):
        part = None
    ctx = review_context(request, project, role, proposal, part=part, **extra)
    template = f"{TEMPLATE}#{part}" if part else TEMPLATE
    response = render(request, template, ctx, status=status)
    if request.method == "POST" and status < 400:
        trigger_client_event(response, CHANGED)
    return response


@login_required
@require_GET
def proposal_detail(request: AuthedRequest, slug: str, number: int) -> HttpResponse:
    project, role, proposal = proposal_for(request, slug, number)
    part = request.GET.get("part")
    return render_review(request, project, role, proposal,
                         part=part if part in PARTS else None)


def _thread(proposal: Proposal, pk: int) -> Thread:
    thread = Thread.objects.filter(proposal=proposal, pk=pk).select_related("proposal").first()
    if thread is None:
        raise Http404("No such thread.")
    return thread


def _done(request: HttpRequest, project: Project, role: str, proposal: Proposal, part: str,
          anchor: str) -> HttpResponse:
    if is_htmx(request):
        return render_review(request, project, role, proposal, part=part)
    return redirect(detail_url(proposal, anchor))


@login_required
@require_POST
def thread_create(request: AuthedRequest, slug: str, number: int) -> HttpResponse:
    project, role, proposal = proposal_for(request, slug, number, "comment")
    anchors = analysis.anchor_choices(selectors.proposal_schema(proposal),
                                      selectors.base_schema(proposal))
    form = ThreadForm(request.POST, anchors=anchors)
    if form.is_valid():
        try:
            thread = services.thread_create(proposal=proposal,
                                            actor=request.user,
                                            anchor=form.cleaned_data["anchor"],
                                            body=form.cleaned_data["body"])
        except Refused as exc:
            form.add_error(None, "; ".join(exc.reasons))
        else:
            return _done(request, project, role, proposal, "threads", f"#thread-{thread.pk}")
    return render_review(request, project, role, proposal, part="threads", status=422,
                         thread_form=form)


@login_required
@require_POST
def thread_reply(request: AuthedRequest, slug: str, number: int, thread: int) -> HttpResponse:
    project, role, proposal = proposal_for(request, slug, number, "comment")
    found = _thread(proposal, thread)
    form = ReplyForm(request.POST)
    errors: list[str] = []
    if form.is_valid():
        try:
            services.comment_add(thread=found, actor=request.user,
                                 body=form.cleaned_data["body"])
        except Refused as exc:
            errors = exc.reasons
        else:
            return _done(request, project, role, proposal, "threads", f"#thread-{found.pk}")
    else:
        errors = [str(e) for e in form.errors.get("body", ["Write the reply."])]
    return render_review(request, project, role, proposal, part="threads", status=422,
                         thread_errors={found.pk: errors},
                         thread_kept={found.pk: request.POST.get("body", "")})


@login_required
@require_POST
def thread_resolve(request: AuthedRequest, slug: str, number: int, thread: int) -> HttpResponse:
    project, role, proposal = proposal_for(request, slug, number, "comment")
    found = _thread(proposal, thread)
    flag = request.POST.get("resolved", "1")
    if flag not in ("0", "1"):
        return render_review(request, project, role, proposal, part="threads", status=422,
                             thread_errors={found.pk: ["Resolve (1) or reopen (0)."]})
    resolved = flag == "1"
    try:
        services.thread_resolve(thread=found, actor=request.user,
                                resolved=resolved)
    except Refused as exc:
        return render_review(request, project, role, proposal, part="threads", status=422,
                             thread_errors={found.pk: exc.reasons})
    return _done(request, project, role, proposal, "threads", f"#thread-{found.pk}")


@login_required
@require_POST
def verdict_create(request: AuthedRequest, slug: str, number: int) -> HttpResponse:
    project, role, proposal = proposal_for(request, slug, number, "review")
    form = VerdictForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            services.verdict_create(proposal=proposal,
                                    actor=request.user,
                                    decision=form.cleaned_data["decision"],
                                    message=form.cleaned_data["message"],
                                    seen_revision=form.cleaned_data["revision"])
        except Refused as exc:
            form.add_error(None, "; ".join(exc.reasons))
        except Conflict as exc:
            form.add_error(None, str(exc))
            status = 409
        else:
            return _done(request, project, role, proposal, "verdicts", "#verdicts")
    return render_review(request, project, role, proposal, part="verdicts", status=status,
                         verdict_form=form)
