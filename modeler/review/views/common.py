"""Helpers shared by the review views."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.urls import reverse

from modeler.review import selectors
from modeler.review.models import Proposal
from modeler.web.http import AuthedRequest
from modeler.web.models import Project
from modeler.web.permissions import project_for


def proposal_for(request: AuthedRequest, slug: str, number: int,
                 action: str = "view") -> tuple[Project, str, Proposal]:
    """The project, the user's role and the proposal: 404 for non-members and unknown
    proposals, 403 when the role is too low for ``action``."""
    project, role = project_for(request.user, slug, action)
    proposal = selectors.proposal_get(project, number)
    if proposal is None:
        raise Http404("No such proposal.")
    return project, role, proposal


def detail_url(proposal: Proposal, anchor: str = "") -> str:
    return reverse("review:proposal_detail",
                   args=[proposal.project.slug, proposal.number]) + anchor


def is_htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def user_id(request: HttpRequest) -> int | None:
    pk = getattr(request.user, "pk", None)
    return int(pk) if pk is not None else None
