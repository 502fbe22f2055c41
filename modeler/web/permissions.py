"""Per-project roles. Non-members get 404 (a project's existence is not disclosed);
members whose role is too low for an action get 403."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import F, JSONField, OuterRef, Subquery
from django.http import Http404

from modeler.web.models import Design, Membership, Project, ViewPrefs

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


def design_for_editing(user: User | AnonymousUser, slug: str, design_id: int | None,
                       action: str = "edit") -> tuple[Project, str, Design, dict[str, Any]]:
    """:func:`design_for` in one query, with what every editor edit reads next: the user's
    stored view options (``"prefs"``, None when none) and the findings of the project's
    baseline version (``"baseline"``, None when none). Each query is a round trip (through
    PgBouncer, two more processes to wake). A refusal (not a member, no such design, a role
    too low, a closed design) is :func:`design_for`'s own, with its message; the extras are
    then ``{}`` (read them apart)."""
    from modeler.web.ruling import baseline_findings

    if user.is_authenticated:
        rows = Design.objects.select_related("project").filter(
            project__slug=slug, project__memberships__user=user)
        rows = rows.filter(kind=Design.Kind.MAIN) if design_id is None else \
            rows.filter(pk=design_id)
        found = rows.annotate(
            member_role=F("project__memberships__role"),
            stored_prefs=Subquery(ViewPrefs.objects.filter(project=OuterRef("project_id"),
                                                           user=user).values("options")[:1],
                                  output_field=JSONField()),
            baseline_findings=baseline_findings()).first()
        if found is not None:
            role: str = found.member_role
            if can(role, action) and not (action in ("edit", "propose") and found.locked):
                extras = {"prefs": found.stored_prefs,
                          "baseline": found.baseline_findings}
                return found.project, role, found, extras
    project, role, design = design_for(user, slug, design_id, action)  # its refusal
    return project, role, design, {}
