"""The inbox: one notification per recipient and event, and the same line by e-mail through
Django's e-mail backend (console by default). Mail is handed to a background task
(:func:`modeler.web.tasks.send_notification_mails`) after the transaction commits, so a
refused action never sends anything and the request never waits for a mail server; and once
the action is committed nothing about the mail (a header it cannot carry, a broken server,
a queue that cannot be reached) can fail it: such errors are logged."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from modeler.review.models import Notification, Proposal
from modeler.web.models import Membership

log = logging.getLogger(__name__)

_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
SUBJECT_LENGTH = 150
TEXT_LENGTH = 300


def one_line(text: str, limit: int) -> str:
    """``text`` on one line (every run of whitespace or control characters, line breaks
    included, becomes one space) and at most ``limit`` characters, ``…`` marking a cut.
    E-mail headers refuse line breaks (Django raises BadHeaderError) and an inbox line is
    one line."""
    flat = " ".join(_CONTROL.sub(" ", text).split())
    return flat if len(flat) <= limit else flat[:limit - 1].rstrip() + "\u2026"


def mail_subject(project_name: str, text: str) -> str:
    """The subject of a notification mail: ``[project] text``, one line, bounded."""
    return one_line(f"[{project_name}] {text}", SUBJECT_LENGTH)


def proposal_url(proposal: Proposal) -> str:
    return reverse("review:proposal_detail", args=[proposal.project.slug, proposal.number])


def notification_send(*, recipients: Iterable[User], actor: User | None,
                      proposal: Proposal, kind: str, text: str,
                      anchor: str = "") -> list[Notification]:
    """Notify every recipient except the actor who is (still) a member of the project."""
    ids = {u.pk for u in recipients} - ({actor.pk} if actor is not None else set())
    members = set(Membership.objects.filter(project_id=proposal.project_id, user_id__in=ids)
                  .values_list("user_id", flat=True))
    url = proposal_url(proposal) + anchor
    rows = Notification.objects.bulk_create(
        Notification(recipient_id=uid, actor=actor, project_id=proposal.project_id,
                     proposal=proposal, kind=kind, text=one_line(text, TEXT_LENGTH),
                     url=url[:300])
        for uid in sorted(members))
    if rows:
        subject = mail_subject(proposal.project.name, text)
        ids_ = [n.pk for n in rows]
        # robust: should _queue fail all the same, Django logs it and the request goes on
        transaction.on_commit(lambda: _queue(ids_, subject), robust=True)
    return rows


def _queue(notification_ids: list[int], subject: str) -> None:
    """Hand the mails to a task, after the commit; a queue that cannot take them is logged
    (the inbox still has every notification)."""
    from modeler.web.tasks import send_notification_mails

    try:
        send_notification_mails.enqueue(notification_ids, mail_subject_line(subject))
    except Exception:
        log.exception("could not queue the notification e-mails of notifications %s",
                      notification_ids)


def mail_subject_line(subject: str) -> str:
    """A subject made safe for a mail header once more, whatever called: one line."""
    return one_line(subject, SUBJECT_LENGTH)


def mail(notification_ids: list[int], subject: str) -> None:
    """Send the notifications' mails (the task's body). The action and its inbox rows are
    saved, so nothing here may fail anything: a failure is logged (the inbox still has
    every notification)."""
    try:
        _send(notification_ids, mail_subject_line(subject))
    except Exception:
        log.exception("could not send the notification e-mails of notifications %s",
                      notification_ids)


def _send(notification_ids: list[int], subject: str) -> None:
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
    if messages:
        get_connection().send_messages(messages)


def notification_read(*, notification: Notification, user: User) -> Notification:
    """Mark one of the user's notifications read (the caller checked it is theirs)."""
    if notification.recipient_id != user.pk:
        raise PermissionError("not your notification")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at", "updated_at"])
    return notification


def inbox_mark_all_read(*, user: User) -> int:
    count: int = Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now(), updated_at=timezone.now())
    return count
