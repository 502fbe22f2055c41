"""Reads of the review workflow: proposals, the people involved, verdict state, threads,
the inbox."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import Count, Prefetch, Q, QuerySet

from modeler.review.models import (
    Comment,
    Notification,
    Proposal,
    ReviewPolicy,
    ReviewRequest,
    Thread,
    Verdict,
)
from modeler.schema import model as m
from modeler.schema import serialize
from modeler.web import models as db
from modeler.web.permissions import RANK
from modeler.web.snapshot import snapshot


def proposals_of(project: db.Project) -> QuerySet[Proposal]:
    """Every proposal of the project, newest first, with thread counts."""
    return (Proposal.objects.filter(project=project)
            .select_related("author", "base_version", "merged_version", "finished_by")
            .annotate(n_threads=Count("threads", distinct=True),
                      n_open_threads=Count("threads", filter=Q(threads__resolved_at=None),
                                           distinct=True))
            .order_by("-number"))


def proposal_get(project: db.Project, number: int) -> Proposal | None:
    return (Proposal.objects.filter(project=project, number=number)
            .select_related("project", "author", "design", "base_version", "merged_version",
                            "finished_by").first())


def proposal_of_design(design: db.Design) -> Proposal | None:
    return Proposal.objects.filter(design=design).first()


def current_revision(proposal: Proposal, *, lock: bool = False) -> int:
    """The proposal design's revision now (bumped by every edit)."""
    rows = db.Design.objects.filter(pk=proposal.design_id)
    if lock:
        rows = rows.select_for_update()
    revision: int = rows.values_list("revision", flat=True).get()
    return revision


def base_schema(proposal: Proposal) -> m.Schema:
    return serialize.loads(proposal.base_schema_json)


def proposal_schema(proposal: Proposal) -> m.Schema:
    return snapshot(proposal.design_id)


def required_approvals(proposal: Proposal) -> int:
    if proposal.required_approvals is not None:
        return proposal.required_approvals
    policy = ReviewPolicy.objects.filter(project_id=proposal.project_id).first()
    return policy.required_approvals if policy else 1


def project_required_approvals(project: db.Project) -> int:
    policy = ReviewPolicy.objects.filter(project=project).first()
    return policy.required_approvals if policy else 1


# ------------------------------------------------------------------------------ people

def proposal_reviewers(proposal: Proposal) -> list[User]:
    """Members asked to review, and everyone who gave a verdict."""
    ids = set(ReviewRequest.objects.filter(proposal=proposal).values_list("reviewer_id",
                                                                          flat=True))
    ids |= set(Verdict.objects.filter(proposal=proposal).values_list("reviewer_id", flat=True))
    return list(get_user_model().objects.filter(pk__in=ids).order_by("username"))


def thread_people(thread: Thread) -> list[User]:
    ids = set(Comment.objects.filter(thread=thread).values_list("author_id", flat=True))
    return list(get_user_model().objects.filter(pk__in=ids | {thread.author_id}))


def participants(proposal: Proposal) -> list[User]:
    """Author, reviewers and commenters."""
    ids = {proposal.author_id}
    ids |= set(Comment.objects.filter(thread__proposal=proposal).values_list("author_id",
                                                                             flat=True))
    ids |= {u.pk for u in proposal_reviewers(proposal)}
    return list(get_user_model().objects.filter(pk__in=ids))


def reviewer_candidates(project: db.Project, author: User) -> list[db.Membership]:
    """Members who may review (reviewer role or higher), other than the author."""
    rows = (db.Membership.objects.filter(project=project).exclude(user=author)
            .select_related("user").order_by("user__username"))
    return [r for r in rows if RANK[r.role] >= RANK["reviewer"]]


def members_of(project: db.Project) -> QuerySet[db.Membership]:
    return (db.Membership.objects.filter(project=project).select_related("user")
            .order_by("user__username"))


# ---------------------------------------------------------------------------- verdicts

@dataclass(frozen=True)
class VerdictState:
    """Where the approvals stand for the proposal's current revision."""

    revision: int
    required: int
    approvers: tuple[str, ...]  # usernames whose latest verdict approves this revision
    blocking: tuple[str, ...]  # usernames whose latest verdict requests changes on it
    stale: tuple[str, ...]  # usernames whose latest verdict predates the last change
    # usernames whose verdicts count no more: removed from the project, or made a viewer
    former: tuple[str, ...] = ()

    @property
    def approved(self) -> bool:
        return len(self.approvers) >= self.required and not self.blocking


def verdict_state(proposal: Proposal, revision: int | None = None) -> VerdictState:
    """Each reviewer's latest verdict (the author's never count), against ``revision``. Only
    members who may review now count: an approval, or a request for changes, by someone
    removed from the project or made a viewer since is history (the verdict list keeps it),
    not a vote (it could not be taken back)."""
    revision = current_revision(proposal) if revision is None else revision
    reviewers = {user for user, role in db.Membership.objects.filter(
        project_id=proposal.project_id).values_list("user_id", "role")
        if RANK[role] >= RANK["reviewer"]}
    latest: dict[int, Verdict] = {}
    former: set[str] = set()
    for v in (Verdict.objects.filter(proposal=proposal).exclude(reviewer_id=proposal.author_id)
              .select_related("reviewer").order_by("created_at", "id")):
        if v.reviewer_id in reviewers:
            latest[v.reviewer_id] = v
        else:
            former.add(v.reviewer.get_username())
    approvers, blocking, stale = [], [], []
    for v in latest.values():
        name = v.reviewer.get_username()
        if v.design_revision != revision:
            stale.append(name)
        elif v.decision == Verdict.Decision.APPROVE:
            approvers.append(name)
        else:
            blocking.append(name)
    return VerdictState(revision=revision, required=required_approvals(proposal),
                        approvers=tuple(sorted(approvers)), blocking=tuple(sorted(blocking)),
                        stale=tuple(sorted(stale)), former=tuple(sorted(former)))


def verdicts_of(proposal: Proposal) -> QuerySet[Verdict]:
    return Verdict.objects.filter(proposal=proposal).select_related("reviewer")


# ----------------------------------------------------------------------------- threads

def threads_of(proposal: Proposal) -> QuerySet[Thread]:
    return (Thread.objects.filter(proposal=proposal)
            .select_related("author", "resolved_by")
            .prefetch_related(Prefetch("comments",
                                       queryset=Comment.objects.select_related("author")))
            .order_by("created_at", "id"))


def open_thread_count(proposal: Proposal) -> int:
    return Thread.objects.filter(proposal=proposal, resolved_at__isnull=True).count()


def comment_markers(proposal: Proposal) -> dict[str, int]:
    """Element uid → number of unresolved threads on it (the diagram's comment markers)."""
    rows = (Thread.objects.filter(proposal=proposal, resolved_at__isnull=True)
            .exclude(anchor_uid="").values("anchor_uid").annotate(n=Count("id")))
    return {r["anchor_uid"]: r["n"] for r in rows}


# ------------------------------------------------------------------------------- inbox

def inbox_of(user: User, *, limit: int = 200) -> QuerySet[Notification]:
    return (Notification.objects.filter(recipient=user)
            .select_related("actor", "project", "proposal")[:limit])


def unread_count(user: User) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
