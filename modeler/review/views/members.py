"""The members page: everyone sees who is in the project; owners add people by username or
e-mail, change roles and remove members (a project always keeps an owner)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from modeler.review import members, selectors
from modeler.review.forms import MemberAddForm, RoleForm
from modeler.web.editing import Refused
from modeler.web.http import AuthedRequest
from modeler.web.models import Membership, Project
from modeler.web.permissions import can, project_for


def _page(request: HttpRequest, project: Project, role: str, *, status: int = 200,
          form: MemberAddForm | None = None, errors: list[str] | None = None) -> HttpResponse:
    return render(request, "review/members.html", {
        "project": project, "role": role, "can_manage": can(role, "manage"),
        "members": selectors.members_of(project), "roles": Membership.Role.choices,
        "form": form or MemberAddForm(), "errors": errors or []}, status=status)


def _membership(project: Project, pk: int) -> Membership:
    row = Membership.objects.filter(project=project, pk=pk).select_related("user").first()
    if row is None:
        raise Http404("No such member.")
    return row


@login_required
@require_GET
def member_list(request: AuthedRequest, slug: str) -> HttpResponse:
    project, role = project_for(request.user, slug)
    return _page(request, project, role)


@login_required
@require_POST
def member_add(request: AuthedRequest, slug: str) -> HttpResponse:
    project, role = project_for(request.user, slug, "manage")
    form = MemberAddForm(request.POST)
    if form.is_valid():
        try:
            row = members.membership_add(project=project,
                                         actor=request.user,
                                         identifier=form.cleaned_data["identifier"],
                                         role=form.cleaned_data["role"])
        except Refused as exc:
            form.add_error("identifier", "; ".join(exc.reasons))
        else:
            messages.success(request, f"Added {row.user.get_username()} as {row.role}.")
            return redirect("review:members", slug=slug)
    return _page(request, project, role, status=422, form=form)


@login_required
@require_POST
def member_role(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    project, role = project_for(request.user, slug, "manage")
    row = _membership(project, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        return _page(request, project, role, status=422, errors=["Choose a valid role."])
    try:
        members.membership_change_role(membership=row,
                                       actor=request.user,
                                       role=form.cleaned_data["role"])
    except Refused as exc:
        return _page(request, project, role, status=422, errors=exc.reasons)
    messages.success(request, f"{row.user.get_username()} is now {row.role}.")
    return redirect("review:members", slug=slug)


@login_required
@require_POST
def member_remove(request: AuthedRequest, slug: str, pk: int) -> HttpResponse:
    project, role = project_for(request.user, slug, "manage")
    row = _membership(project, pk)
    name = row.user.get_username()
    try:
        members.membership_remove(membership=row, actor=request.user)
    except Refused as exc:
        return _page(request, project, role, status=422, errors=exc.reasons)
    messages.success(request, f"Removed {name} from the project.")
    if row.user_id == request.user.pk:
        return redirect("project_list")
    return redirect("review:members", slug=slug)
