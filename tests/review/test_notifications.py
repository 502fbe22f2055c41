"""The inbox and e-mail: review requests, comments, verdicts, merges."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from modeler.review import merging, selectors, services
from modeler.review.models import Notification
from modeler.web.models import Membership
from tests.review.conftest import World
from tests.review.helpers import add_table, edit

pytestmark = pytest.mark.django_db
Capture = Callable[..., AbstractContextManager[Any]]


def kinds(world: World, who: str) -> list[str]:
    return list(Notification.objects.filter(recipient=world.users[who])
                .order_by("created_at", "id").values_list("kind", flat=True))


def test_the_whole_conversation_reaches_inboxes_and_mail(
        world: World, django_capture_on_commit_callbacks: Capture) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        p = world.propose(reviewers=("reviewer", "reviewer2"))
    assert kinds(world, "reviewer") == ["review_request"]
    assert sorted(m.to[0] for m in mail.outbox) == ["reviewer2@example.com",
                                                    "reviewer@example.com"]
    assert "review proposal #1" in mail.outbox[0].subject
    assert "/p/shop/proposals/1/" in mail.outbox[0].body
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        t = services.thread_create(proposal=p, actor=world.users["reviewer"], anchor="proposal",
                                   body="Where are the prices?")
    assert kinds(world, "author") == ["comment"]
    assert "comment" not in kinds(world, "reviewer")  # nobody is told about their own act
    assert {m.to[0] for m in mail.outbox} == {"author@example.com", "reviewer2@example.com"}
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.comment_add(thread=t, actor=world.users["author"], body="In the next one.")
        services.thread_resolve(thread=t, actor=world.users["author"])
    assert kinds(world, "reviewer")[1:] == ["comment", "resolved"]

    edit(p.design, world.users["author"], add_table("product"))
    with django_capture_on_commit_callbacks(execute=True):
        services.verdict_create(proposal=p, actor=world.users["reviewer"], decision="approve",
                                message="Good.")
    assert kinds(world, "author")[-1] == "verdict"
    note = Notification.objects.filter(recipient=world.users["author"], kind="verdict").get()
    assert note.url == "/p/shop/proposals/1/#verdicts" and "approved" in note.text

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        merging.proposal_merge(proposal=p, actor=world.users["author"])
    assert kinds(world, "reviewer")[-1] == "merged"
    assert kinds(world, "reviewer2")[-1] == "merged"
    assert any("as version 2" in m.subject for m in mail.outbox)


def test_refused_action_sends_nothing(world: World,
                                      django_capture_on_commit_callbacks: Capture) -> None:
    p = world.propose(reviewers=())
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(merging.Refused):
        merging.proposal_merge(proposal=p, actor=world.users["author"])
    assert not mail.outbox and not Notification.objects.exists()


def test_removed_members_and_users_without_email(
        world: World, django_capture_on_commit_callbacks: Capture) -> None:
    reviewer2 = world.users["reviewer2"]
    reviewer2.email = ""
    reviewer2.save()
    p = world.propose(reviewers=("reviewer", "reviewer2"))
    Membership.objects.filter(user=world.users["reviewer"]).delete()
    with django_capture_on_commit_callbacks(execute=True):
        services.proposal_request_review(proposal=p, actor=world.users["author"])
    assert kinds(world, "reviewer") == ["review_request"]  # only the first one
    assert kinds(world, "reviewer2") == ["review_request", "review_request"]
    assert not mail.outbox  # reviewer2 has no address; reviewer left the project


def test_inbox_pages(world: World) -> None:
    world.propose(reviewers=("reviewer",))
    client = world.client("reviewer")
    count = client.get(reverse("review:inbox_count"))
    assert count.status_code == 200 and b">1</span>" in count.content
    page = client.get(reverse("review:inbox"))
    assert page.status_code == 200 and b"asks you to review proposal #1" in page.content
    note = Notification.objects.get()
    opened = client.post(reverse("review:notification_open", args=[note.pk]))
    assert opened.status_code == 302 and opened["Location"] == "/p/shop/proposals/1/"
    assert selectors.unread_count(world.users["reviewer"]) == 0
    assert world.client("author").post(
        reverse("review:notification_open", args=[note.pk])).status_code == 404
    empty = world.client("author").get(reverse("review:inbox_count")).content
    assert b'id="inbox-count"></span>' in empty
    world.propose("Second one", reviewers=("reviewer",))
    assert selectors.unread_count(world.users["reviewer"]) == 1
    assert client.post(reverse("review:inbox_read_all")).status_code == 302
    assert selectors.unread_count(world.users["reviewer"]) == 0
    assert world.client(None).get(reverse("review:inbox")).status_code == 302


def test_inbox_link_in_the_top_bar(world: World) -> None:
    page = world.client("viewer").get(reverse("project_list")).content.decode()
    assert reverse("review:inbox") in page and reverse("review:inbox_count") in page
