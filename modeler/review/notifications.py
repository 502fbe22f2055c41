"""The inbox: one notification per recipient and event, and the same line by e-mail through
Django's e-mail backend (console by default). Mail goes out after the transaction commits,
so a refused action never sends anything."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from modeler.review.models import Notification, Proposal
from modeler.web.models import Membership

log = logging.getLogger(__name__)


def proposal_url(proposal: Proposal) -> str:
    return reverse("review:proposal_detail", args=[proposal.project.slug, proposal.number])


def notification_send(*, recipients: Iterable[AbstractBaseUser], actor: AbstractBaseUser | None,
                      proposal: Proposal, kind: str, text: str,
                      anchor: str = "") -> list[Notification]:
    """Notify every recipient except the actor who is (still) a member of the project."""
    ids = {u.pk for u in recipients} - ({actor.pk} if actor is not None else set())
    members = set(Membership.objects.filter(project_id=proposal.project_id, user_id__in=ids)
                  .values_list("user_id", flat=True))
    url = proposal_url(proposal) + anchor
    rows = Notification.objects.bulk_create(
        Notification(recipient_id=uid, actor=actor, project_id=proposal.project_id,
                     proposal=proposal, kind=kind, text=text[:300], url=url[:300])
        for uid in sorted(members))
    if rows:
        subject = f"[{proposal.project.name}] {text}"[:150]
        ids_ = [n.pk for n in rows]
        transaction.on_commit(lambda: _mail(ids_, subject))
    return rows


def _mail(notification_ids: list[int], subject: str) -> None:
    site = getattr(settings, "SITE_URL", "").rstrip("/")
    messages = []
    for n in (Notification.objects.filter(pk__in=notification_ids)
              .select_related("recipient", "actor")):
        address = getattr(n.recipient, "email", "")
        if not address:
            continue
        who = n.actor.get_username() if n.actor else "Someone"
        body = f"{who}: {n.text}\n\nOpen it: {site}{n.url}\n"
        messages.append(EmailMessage(subject, body, None, [address]))
    if not messages:
        return
    try:
        get_connection().send_messages(messages)
    except OSError:  # the inbox still has it; a mail server hiccup must not break the app
        log.exception("could not send %d notification e-mails", len(messages))


def notification_read(*, notification: Notification, user: AbstractBaseUser) -> Notification:
    """Mark one of the user's notifications read (the caller checked it is theirs)."""
    if notification.recipient_id != user.pk:
        raise PermissionError("not your notification")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
    return notification


def inbox_mark_all_read(*, user: AbstractBaseUser) -> int:
    count: int = Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now(), updated_at=timezone.now())
    return count
