"""Team review: proposals (a working design of their own, based on a saved version), threads
of comments anchored to the proposal or to one of its elements, verdicts, review requests,
the project's review policy, and each user's inbox.

History is kept: nothing here is deleted when a proposal is merged or closed. Users who took
part are protected (``PROTECT``) like the authors of versions; a proposal's design and versions
are ``RESTRICT``: they cannot be deleted on their own, but deleting the whole project removes
everything in one go.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from modeler.web.models import Design, Project, TimeStamped, Version

MAX_APPROVALS = 10


class ReviewPolicy(TimeStamped):
    """A project's review rules (owners change them)."""

    project = models.OneToOneField(Project, on_delete=models.CASCADE,
                                   related_name="review_policy")
    required_approvals = models.PositiveSmallIntegerField(default=1)

    class Meta:
        constraints = [models.CheckConstraint(
            condition=Q(required_approvals__gte=1) & Q(required_approvals__lte=MAX_APPROVALS),
            name="ck_reviewpolicy_required_approvals")]


class Proposal(TimeStamped):
    """A proposed change of the main design, edited in its own working design."""

    class Status(models.TextChoices):
        OPEN = "open"
        MERGED = "merged"
        CLOSED = "closed"

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="proposals")
    number = models.PositiveIntegerField()  # per project: /p/<slug>/proposals/<number>/
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="proposals")
    design = models.OneToOneField(Design, on_delete=models.RESTRICT, related_name="proposal")
    # Where the proposal started (moved forward by a clean rebase), and that snapshot: the
    # common ancestor of three-way merges. The JSON is kept because a rebase onto unsaved
    # main edits has no version to point at.
    base_version = models.ForeignKey(Version, on_delete=models.RESTRICT, related_name="+")
    base_schema_json = models.TextField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    required_approvals = models.PositiveSmallIntegerField(null=True, blank=True)  # None: policy
    merged_version = models.ForeignKey(Version, on_delete=models.RESTRICT, null=True,
                                       blank=True, related_name="merged_proposals")
    finished_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+")
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["project", "number"],
                                    name="uq_proposal_project_number"),
            models.CheckConstraint(condition=Q(number__gte=1), name="ck_proposal_number"),
            models.CheckConstraint(condition=~Q(title=""), name="ck_proposal_title"),
            models.CheckConstraint(condition=Q(status__in=["open", "merged", "closed"]),
                                   name="ck_proposal_status"),
            models.CheckConstraint(
                condition=(Q(status="merged", merged_version__isnull=False)
                           | (~Q(status="merged") & Q(merged_version__isnull=True))),
                name="ck_proposal_merged_version"),
            models.CheckConstraint(
                condition=(Q(status="open", finished_at__isnull=True)
                           | (~Q(status="open") & Q(finished_at__isnull=False))),
                name="ck_proposal_finished_at"),
            models.CheckConstraint(
                condition=Q(required_approvals__isnull=True)
                | (Q(required_approvals__gte=1) & Q(required_approvals__lte=MAX_APPROVALS)),
                name="ck_proposal_required_approvals"),
        ]
        indexes = [models.Index(fields=["project", "status"], name="ix_proposal_project_status")]

    def __str__(self) -> str:
        return f"#{self.number} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class ReviewRequest(TimeStamped):
    """A member asked to review a proposal."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE,
                                 related_name="review_requests")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="review_requests")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                     null=True, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["proposal", "reviewer"],
                                               name="uq_reviewrequest_proposal_reviewer")]
        indexes = [models.Index(fields=["reviewer"], name="ix_reviewrequest_reviewer")]


class Thread(TimeStamped):
    """A discussion anchored to the proposal or to one of its elements (by stable uid, so the
    anchor survives renames); ``anchor_label`` keeps the name it had when the thread began."""

    class Anchor(models.TextChoices):
        PROPOSAL = "proposal"
        TABLE = "table"
        COLUMN = "column"
        RELATIONSHIP = "relationship"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="threads")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    anchor_kind = models.CharField(max_length=12, choices=Anchor.choices)
    anchor_uid = models.CharField(max_length=36, blank=True)
    anchor_label = models.CharField(max_length=200, blank=True)
    design_revision = models.PositiveBigIntegerField()  # what the author was looking at
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL,
                                    null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(anchor_kind__in=["proposal", "table", "column", "relationship"]),
                name="ck_thread_anchor_kind"),
            models.CheckConstraint(
                condition=(Q(anchor_kind="proposal", anchor_uid="")
                           | (~Q(anchor_kind="proposal") & ~Q(anchor_uid=""))),
                name="ck_thread_anchor_uid"),
            # resolved_by may become NULL (user deleted); an open thread has no resolver
            models.CheckConstraint(condition=Q(resolved_at__isnull=False)
                                   | Q(resolved_by__isnull=True),
                                   name="ck_thread_resolved"),
        ]
        indexes = [
            models.Index(fields=["proposal", "resolved_at"], name="ix_thread_proposal_open"),
            models.Index(fields=["proposal", "anchor_uid"], name="ix_thread_proposal_anchor"),
        ]

    @property
    def resolved(self) -> bool:
        return self.resolved_at is not None


class Comment(TimeStamped):
    """One message of a thread (the first one opens it)."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    body = models.TextField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [models.CheckConstraint(condition=~Q(body=""), name="ck_comment_body")]
        indexes = [models.Index(fields=["thread", "created_at"], name="ix_comment_thread")]


class Verdict(TimeStamped):
    """A reviewer's decision on the proposal as it was at ``design_revision``. Only a
    reviewer's latest verdict counts, and only while the proposal has not changed since."""

    class Decision(models.TextChoices):
        APPROVE = "approve", "Approve"
        CHANGES = "changes", "Request changes"

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="verdicts")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                 related_name="+")
    decision = models.CharField(max_length=8, choices=Decision.choices)
    message = models.TextField(blank=True)
    design_revision = models.PositiveBigIntegerField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(decision__in=["approve", "changes"]),
                                   name="ck_verdict_decision"),
            models.CheckConstraint(condition=Q(decision="approve") | ~Q(message=""),
                                   name="ck_verdict_changes_say_why"),
        ]
        indexes = [models.Index(fields=["proposal", "reviewer", "-created_at"],
                                name="ix_verdict_latest")]


class Notification(TimeStamped):
    """One line of a user's inbox (also sent by e-mail when the user has an address)."""

    class Kind(models.TextChoices):
        REVIEW_REQUEST = "review_request", "review request"
        COMMENT = "comment"
        RESOLVED = "resolved"
        VERDICT = "verdict"
        MERGED = "merged"
        CLOSED = "closed"

    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                  related_name="notifications")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True,
                              related_name="+")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="+")
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, null=True, blank=True,
                                 related_name="notifications")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=300)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.CheckConstraint(
            condition=Q(kind__in=["review_request", "comment", "resolved", "verdict", "merged",
                                  "closed"]),
            name="ck_notification_kind")]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="ix_notification_inbox"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True),
                         name="ix_notification_unread"),
        ]
