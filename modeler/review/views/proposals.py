"""Proposals: the list (open, merged, closed), starting one, and acting on one as a whole:
merge, rebase, close, ask for review, approvals needed, the migration download."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from modeler.review import analysis, merging, selectors, services
from modeler.review.forms import ApprovalsForm, MergeForm, ProposalForm
from modeler.review.views.common import detail_url, proposal_for
from modeler.review.views.review import render_review
from modeler.web.editing import Refused
from modeler.web.http import AuthedRequest
from modeler.web.models import Membership, Project
from modeler.web.permissions import can, project_for
from modeler.web.versions import latest_version
from modeler.wording import counted


def _list_context(project: Project, role: str, **extra: object) -> dict[str, object]:
    proposals = list(selectors.proposals_of(project))
    return {"project": project, "role": role,
            "open": [p for p in proposals if p.is_open],
            "finished": [p for p in proposals if not p.is_open],
            "can_propose": can(role, "propose"), "can_manage": can(role, "manage"),
            "required": selectors.project_required_approvals(project),
            "policy_form": extra.pop("policy_form", None) or ApprovalsForm(
                initial={"required_approvals": selectors.project_required_approvals(project)}),
            **extra}


@login_required
@require_GET
def proposal_list(request: AuthedRequest, slug: str) -> HttpResponse:
    project, role = project_for(request.user, slug)
    return render(request, "review/proposal_list.html", _list_context(project, role))


@login_required
@require_POST
def review_policy(request: AuthedRequest, slug: str) -> HttpResponse:
    project, role = project_for(request.user, slug, "manage")
    form = ApprovalsForm(request.POST)
    if form.is_valid():
        services.review_policy_set(project=project, actor=request.user,
                                   required_approvals=form.cleaned_data["required_approvals"])
        messages.success(request, "Saved the review policy.")
        return redirect("review:proposal_list", slug=slug)
    return render(request, "review/proposal_list.html",
                  _list_context(project, role, policy_form=form), status=422)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_create(request: AuthedRequest, slug: str) -> HttpResponse:
    project, role = project_for(request.user, slug, "propose")
    candidates = selectors.reviewer_candidates(project, request.user)
    initial = [str(c.user_id) for c in candidates if c.role == Membership.Role.REVIEWER]
    form = ProposalForm(request.POST or None, candidates=candidates,
                        initial={"reviewers": initial})
    ctx = {"project": project, "role": role, "form": form, "base": latest_version(project)}
    if request.method == "GET":
        return render(request, "review/proposal_create.html", ctx)
    if form.is_valid():
        try:
            proposal = services.proposal_create(
                project=project, actor=request.user,
                title=form.cleaned_data["title"], description=form.cleaned_data["description"],
                reviewers=form.reviewer_users())
        except Refused as exc:
            form.add_error(None, "; ".join(exc.reasons))
        else:
            messages.success(request, f"Started proposal #{proposal.number}. Edit its design, "
                                      "then ask for review.")
            return redirect(detail_url(proposal))
    return render(request, "review/proposal_create.html", ctx, status=422)


@login_required
@require_POST
def proposal_merge(request: AuthedRequest, slug: str, number: int) -> HttpResponse:
    project, role, proposal = proposal_for(request, slug, number, "edit")
    form = MergeForm(request.POST)
    if form.is_valid():
        try:
            version = merging.proposal_merge(proposal=proposal,
                                             actor=request.user,
                                             message=form.cleaned_data["message"],
                                             notes=form.cleaned_data["notes"])
        except Refused as exc:
            return render_review(request, project, role, proposal, status=422,
                                 errors=exc.reasons, merge_form=form)
        messages.success(request, f"Merged as version {version.number}.")
        return redirect(detail_url(proposal))
    return render_review(request, project, role, proposal, status=422, merge_form=form,
                         errors=["Check the version message and notes."])


@login_required
@require_POST
def proposal_rebase(request: AuthedRequest, slug: str, number: int) -> HttpResponse:
    project, role, proposal = proposal_for(request, slug, number, "edit")
    try:
        done = merging.proposal_rebase(proposal=proposal,
                                       actor=request.user)
    except Refused as exc:
        return render_review(request, project, role, proposal, status=422, errors=exc.reasons)
    if done.conflicts:
        messages.warning(request, "Took main's other changes; these overlap and keep the "
                                  "proposal's version until you resolve them (make the same "
                                  "change as main, or undo yours): " + "; ".join(done.conflicts))
    else:
        messages.success(request, "The proposal now includes the main design's changes; "
                                  "approvals given before must be renewed.")
    return redirect(detail_url(proposal))


@login_required
@require_POST
def proposal_close(request: AuthedRequest, slug: str, number: int) -> HttpResponse:
    project, role, proposal = proposal_for(request, slug, number, "propose")
    try:
        services.proposal_close(proposal=proposal, actor=request.user)
    except Refused as exc:
        return render_review(request, project, role, proposal, status=422, errors=exc.reasons)
    messages.success(request, f"Closed proposal #{proposal.number}.")
    return redirect(detail_url(proposal))


@login_required
@require_POST
def proposal_request_review(request: AuthedRequest, slug: str, number: int) -> HttpResponse:
    """Ask the reviewers (again) — e.g. after addressing requested changes."""
    project, role, proposal = proposal_for(request, slug, number, "propose")
    try:
        rows = services.proposal_request_review(proposal=proposal,
                                                actor=request.user)
    except Refused as exc:
        return render_review(request, project, role, proposal, status=422, errors=exc.reasons)
    messages.success(request, f"Asked {counted(len(rows), 'reviewer')} to review.")
    return redirect(detail_url(proposal))


@login_required
@require_POST
def proposal_approvals(request: AuthedRequest, slug: str, number: int) -> HttpResponse:
    project, role, proposal = proposal_for(request, slug, number, "manage")
    form = ApprovalsForm(request.POST, optional=True)
    if form.is_valid():
        try:
            services.proposal_set_required_approvals(
                proposal=proposal, actor=request.user,
                required_approvals=form.cleaned_data["required_approvals"])
        except Refused as exc:
            return render_review(request, project, role, proposal, status=422,
                                 errors=exc.reasons)
        return redirect(detail_url(proposal, "#merge-box"))
    return render_review(request, project, role, proposal, status=422,
                         errors=["Required approvals must be a number from 1 to 10."])


@login_required
@require_GET
def proposal_migration(request: AuthedRequest, slug: str, number: int) -> HttpResponse:
    """The Alembic revision merging would generate, as a file."""
    _project, _role, proposal = proposal_for(request, slug, number, "download")
    plan = merging.merge_plan(proposal) if proposal.is_open else None
    text = analysis.migration_preview(
        proposal, plan.schema if plan else selectors.proposal_schema(proposal))
    response = HttpResponse(text, content_type="text/x-python; charset=utf-8")
    response["Content-Disposition"] = (f'attachment; filename="proposal_{proposal.number}'
                                       '_migration.py"')
    return response


@login_required
@require_GET
def proposal_drizzle_migration(request: AuthedRequest, slug: str, number: int) -> HttpResponse:
    """The drizzle-kit SQL migration of the same version (the Drizzle bundle's), as a file."""
    _project, _role, proposal = proposal_for(request, slug, number, "download")
    plan = merging.merge_plan(proposal) if proposal.is_open else None
    name, text = analysis.drizzle_migration(
        proposal, plan.schema if plan else selectors.proposal_schema(proposal))
    response = HttpResponse(text, content_type="application/sql; charset=utf-8")
    response["Content-Disposition"] = (f'attachment; filename="proposal_{proposal.number}_'
                                       f'{name}"')
    return response
