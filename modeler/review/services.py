"""Writes of the review workflow: proposals, review requests, threads and comments, verdicts,
approval policies. Merging and rebasing live in :mod:`modeler.review.merging`, members in
:mod:`modeler.review.members`.

Every function is keyword-only. Invalid input raises :class:`~modeler.web.editing.Refused`
(reasons shown with 422); acting on a proposal that changed since the page was loaded raises
:class:`~modeler.web.editing.Conflict` (409); a role or person not allowed raises
``PermissionDenied`` (403). Nothing is written in those cases.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from modeler.review import analysis, selectors
from modeler.review.models import (
    MAX_APPROVALS,
    Comment,
    Proposal,
    ReviewPolicy,
    ReviewRequest,
    Thread,
    Verdict,
)
from modeler.review.notifications import notification_send
from modeler.schema import serialize
from modeler.web import models as db
from modeler.web.editing import Conflict, Refused
from modeler.web.permissions import RANK, role_of
from modeler.web.snapshot import materialize
from modeler.web.versions import latest_version, version_schema

MAX_BODY = 10_000
MAX_TITLE = 200


def _text(value: str, what: str, *, minimum: int = 1, maximum: int = MAX_BODY) -> str:
    text = (value or "").strip()
    if len(text) < minimum:
        raise Refused([f"Write the {what}." if minimum == 1 else
                       f"The {what} needs at least {minimum} characters."])
    if len(text) > maximum:
        raise Refused([f"The {what} is too long (at most {maximum} characters)."])
    return text


def _require_open(proposal: Proposal) -> None:
    if not proposal.is_open:
        raise Refused([f"This proposal is {proposal.status}; its review is read-only now."])


def _approvals(value: int | None, *, allow_none: bool) -> int | None:
    if value is None and allow_none:
        return None
    if value is None or not 1 <= value <= MAX_APPROVALS:
        raise Refused([f"Required approvals must be between 1 and {MAX_APPROVALS}."])
    return value


# ------------------------------------------------------------------------------ policy

def review_policy_set(*, project: db.Project, actor: User,
                      required_approvals: int) -> ReviewPolicy:
    """The number of approvals every proposal of the project needs (owners)."""
    value = _approvals(required_approvals, allow_none=False)
    assert value is not None
    policy, _ = ReviewPolicy.objects.update_or_create(
        project=project, defaults={"required_approvals": value})
    return policy


def proposal_set_required_approvals(*, proposal: Proposal, actor: User,
                                    required_approvals: int | None) -> Proposal:
    """Approvals this proposal needs (None: the project's policy). Owners only."""
    _require_open(proposal)
    proposal.required_approvals = _approvals(required_approvals, allow_none=True)
    proposal.save(update_fields=["required_approvals", "updated_at"])
    return proposal


# --------------------------------------------------------------------------- proposals

def _eligible_reviewers(project: db.Project, users: Sequence[User],
                        author: User, *, strict: bool = True,
                        ) -> list[User]:
    """``users`` who may review (not the author); others refused, or skipped unless
    ``strict`` (people who left the project since they were asked)."""
    roles = dict(db.Membership.objects.filter(project=project, user__in=users)
                 .values_list("user_id", "role"))
    bad = [u for u in users if roles.get(u.pk) is None or RANK[roles[u.pk]] < RANK["reviewer"]]
    if bad and strict:
        names = ", ".join(sorted(u.get_username() for u in bad))
        raise Refused([f"Not a reviewer of this project: {names}."])
    return [u for u in users if u.pk != author.pk and u not in bad]


@transaction.atomic
def proposal_create(*, project: db.Project, actor: User, title: str,
                    description: str = "",
                    reviewers: Sequence[User] = ()) -> Proposal:
    """Start a proposal from the latest saved version: a new working design seeded from that
    version's snapshot (same stable uids) and the main design's waivers; review requests go
    to ``reviewers``."""
    title = _text(title, "title", minimum=3, maximum=MAX_TITLE)
    description = (description or "").strip()[:MAX_BODY]
    requested = _eligible_reviewers(project, reviewers, actor)
    db.Project.objects.select_for_update().get(pk=project.pk)  # serialises the numbering
    base = latest_version(project)
    if base is None:
        raise Refused(["Save a version of the main design first: a proposal starts from the "
                       "latest saved version."])
    design = db.Design.objects.create(project=project, kind=db.Design.Kind.PROPOSAL)
    materialize(version_schema(base), design)
    main = db.Design.objects.get(project=project, kind=db.Design.Kind.MAIN)
    db.Waiver.objects.bulk_create(
        db.Waiver(project=project, design=design, rule=w.rule, target_key=w.target_key,
                  target_path=w.target_path, fingerprint=w.fingerprint,
                  justification=w.justification, author_id=w.author_id)
        for w in db.Waiver.objects.filter(design=main))
    number = (Proposal.objects.filter(project=project).aggregate(n=Max("number"))["n"] or 0) + 1
    proposal = Proposal.objects.create(
        project=project, number=number, title=title, description=description, author=actor,
        design=design, base_version=base, base_schema_json=base.schema_json)
    if requested:
        proposal_request_review(proposal=proposal, actor=actor, reviewers=requested)
    return proposal


def proposal_request_review(*, proposal: Proposal, actor: User,
                            reviewers: Sequence[User] | None = None,
                            ) -> list[ReviewRequest]:
    """Ask ``reviewers`` (default: everyone asked before or who gave a verdict) to review."""
    _require_open(proposal)
    users = _eligible_reviewers(
        proposal.project,
        selectors.proposal_reviewers(proposal) if reviewers is None else reviewers,
        proposal.author, strict=reviewers is not None)
    if not users:
        raise Refused(["Pick at least one reviewer (other than the author)."])
    rows = []
    for user in users:
        row, _ = ReviewRequest.objects.get_or_create(
            proposal=proposal, reviewer=user, defaults={"requested_by": actor})
        rows.append(row)
    notification_send(recipients=users, actor=actor, proposal=proposal, kind="review_request",
                      text=f"{actor.get_username()} asks you to review proposal "
                           f"#{proposal.number} “{proposal.title}”")
    return rows


@transaction.atomic
def proposal_close(*, proposal: Proposal, actor: User) -> Proposal:
    """Close without merging (author or owner). The design is locked; history stays."""
    _require_open(proposal)
    if actor.pk != proposal.author_id and role_of(actor, proposal.project) != "owner":
        raise PermissionDenied("Only the proposal's author or a project owner can close it.")
    proposal.status = Proposal.Status.CLOSED
    proposal.finished_by, proposal.finished_at = actor, timezone.now()
    proposal.save(update_fields=["status", "finished_by", "finished_at", "updated_at"])
    db.Design.objects.filter(pk=proposal.design_id).update(locked=True)
    notification_send(recipients=selectors.participants(proposal), actor=actor,
                      proposal=proposal, kind="closed",
                      text=f"{actor.get_username()} closed proposal #{proposal.number} "
                           f"“{proposal.title}” without merging")
    return proposal


# ----------------------------------------------------------------------------- threads

@transaction.atomic
def thread_create(*, proposal: Proposal, actor: User, anchor: str,
                  body: str) -> Thread:
    """Open a thread on the proposal (``anchor="proposal"``) or on one of its elements
    (``"table:<uid>"``, ``"column:<uid>"``, ``"relationship:<uid>"``)."""
    _require_open(proposal)
    body = _text(body, "comment")
    kind, uid, label = analysis.anchor_resolve(proposal, anchor)
    thread = Thread.objects.create(
        proposal=proposal, author=actor, anchor_kind=kind, anchor_uid=uid, anchor_label=label,
        design_revision=selectors.current_revision(proposal))
    Comment.objects.create(thread=thread, author=actor, body=body)
    where = f" on {kind} {label}" if uid else ""
    notification_send(recipients=[proposal.author, *selectors.proposal_reviewers(proposal)],
                      actor=actor, proposal=proposal, kind="comment",
                      text=f"{actor.get_username()} commented{where} in proposal "
                           f"#{proposal.number}: {body[:120]}",
                      anchor=f"#thread-{thread.pk}")
    return thread


@transaction.atomic
def comment_add(*, thread: Thread, actor: User, body: str) -> Comment:
    """Reply in a thread (a reply to a resolved thread reopens it)."""
    proposal = thread.proposal
    _require_open(proposal)
    body = _text(body, "reply")
    comment = Comment.objects.create(thread=thread, author=actor, body=body)
    if thread.resolved_at is not None:
        thread.resolved_at, thread.resolved_by = None, None
        thread.save(update_fields=["resolved_at", "resolved_by", "updated_at"])
    notification_send(recipients=[proposal.author, *selectors.thread_people(thread)],
                      actor=actor, proposal=proposal, kind="comment",
                      text=f"{actor.get_username()} replied in proposal #{proposal.number}: "
                           f"{body[:120]}",
                      anchor=f"#thread-{thread.pk}")
    return comment


@transaction.atomic
def thread_resolve(*, thread: Thread, actor: User, resolved: bool = True) -> Thread:
    """Resolve (or reopen) a thread."""
    proposal = thread.proposal
    _require_open(proposal)
    if resolved == thread.resolved:
        return thread
    thread.resolved_at = timezone.now() if resolved else None
    thread.resolved_by = actor if resolved else None
    thread.save(update_fields=["resolved_at", "resolved_by", "updated_at"])
    notification_send(recipients=selectors.thread_people(thread), actor=actor,
                      proposal=proposal, kind="resolved" if resolved else "comment",
                      text=f"{actor.get_username()} {'resolved' if resolved else 'reopened'} "
                           f"a thread in proposal #{proposal.number}",
                      anchor=f"#thread-{thread.pk}")
    return thread


# ---------------------------------------------------------------------------- verdicts

@transaction.atomic
def verdict_create(*, proposal: Proposal, actor: User, decision: str,
                   message: str = "", seen_revision: int | None = None) -> Verdict:
    """Approve or request changes on the proposal as it is now. ``seen_revision`` (the
    design revision the reviewer's page showed) guards against approving unseen edits."""
    _require_open(proposal)
    if actor.pk == proposal.author_id:
        raise PermissionDenied("Authors cannot review their own proposal.")
    if decision not in Verdict.Decision.values:
        raise Refused(["Choose approve or request changes."])
    message = (message or "").strip()
    if decision == Verdict.Decision.CHANGES and not message:
        raise Refused(["Say which changes you request."])
    if len(message) > MAX_BODY:
        raise Refused([f"The message is too long (at most {MAX_BODY} characters)."])
    revision = selectors.current_revision(proposal, lock=True)
    if seen_revision is not None and seen_revision != revision:
        raise Conflict("The proposal changed since you loaded the page "
                       f"(revision {revision}, you saw {seen_revision}). Review the current "
                       "state and decide again.")
    verdict = Verdict.objects.create(proposal=proposal, reviewer=actor, decision=decision,
                                     message=message, design_revision=revision)
    ReviewRequest.objects.get_or_create(proposal=proposal, reviewer=actor,
                                        defaults={"requested_by": None})
    said = "approved" if decision == "approve" else "requested changes on"
    notification_send(recipients=[proposal.author], actor=actor, proposal=proposal,
                      kind="verdict",
                      text=f"{actor.get_username()} {said} proposal #{proposal.number}"
                           + (f": {message[:120]}" if message else ""),
                      anchor="#verdicts")
    return verdict


def proposal_base_schema_set(*, proposal: Proposal, schema_json: str,
                             version: db.Version) -> None:
    """Move the proposal's merge base (after a clean rebase)."""
    serialize.loads(schema_json)  # must parse
    proposal.base_schema_json = schema_json
    proposal.base_version = version
    proposal.save(update_fields=["base_schema_json", "base_version", "updated_at"])
