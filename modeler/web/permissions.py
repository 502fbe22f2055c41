"""Per-project roles. Non-members get 404 (a project's existence is not disclosed);
members whose role is too low for an action get 403."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import Http404

from modeler.web.models import Design, Membership, Project

RANK = {"viewer": 0, "reviewer": 1, "editor": 2, "owner": 3}

# What each action needs. Reviewers comment and approve but do not edit the design.
ACTIONS = {
    "view": "viewer",
    "download": "viewer",
    "comment": "reviewer",
    "review": "reviewer",
    "edit": "editor",
    "propose": "editor",
    "manage": "owner",
}


def role_of(user: User | AnonymousUser, project: Project) -> str | None:
    if not user.is_authenticated:
        return None
    role: str | None = (Membership.objects.filter(project=project, user=user)
                        .values_list("role", flat=True).first())
    return role


def can(role: str | None, action: str) -> bool:
    return role is not None and RANK[role] >= RANK[ACTIONS[action]]


def project_for(user: User | AnonymousUser, slug: str,
                action: str = "view") -> tuple[Project, str]:
    """The project and the user's role, or 404 (not a member) / 403 (role too low)."""
    if not user.is_authenticated:
        raise Http404("No such project.")
    row = (Membership.objects.filter(project__slug=slug, user=user)
           .select_related("project").first())
    if row is None:
        raise Http404("No such project.")
    if not can(row.role, action):
        raise PermissionDenied(f"Your role ({row.role}) cannot {action} in this project; a "
                               "project owner can change your role.")
    return row.project, row.role


def design_for(user: User | AnonymousUser, slug: str, design_id: int | None,
               action: str = "view") -> tuple[Project, str, Design]:
    """The project, the user's role and the design the URL names: the main design, or (with
    ``design_id``) a proposal's working design of the same project. Editing a locked design
    (a merged or closed proposal) is refused with 403."""
    project, role = project_for(user, slug, action)
    if design_id is None:
        design = Design.objects.get(project=project, kind=Design.Kind.MAIN)
    else:
        found = Design.objects.filter(pk=design_id, project=project).first()
        if found is None:
            raise Http404("No such design.")
        design = found
    if action in ("edit", "propose") and design.locked:
        raise PermissionDenied("This design is closed for edits (merged or closed proposal).")
    return project, role, design
