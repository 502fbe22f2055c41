"""A comment, a verdict or a reply the review refuses says why and keeps what was typed.

A proposal closed (or merged) while a reviewer's tab was open: their new comment or
verdict answered 422 with no word at all (the refusal was put on the form, which a closed
proposal's page does not show) and the text was gone. A refused reply (too long, or the
proposal closed) said why but came back with an empty box: the reply was lost."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from modeler.review import services
from modeler.review.models import Comment, Verdict
from tests.review.conftest import HX, World

pytestmark = pytest.mark.django_db

CLOSED = "This proposal is closed; its review is read-only now."


def _text(response: object) -> str:
    return html.unescape(response.content.decode())  # type: ignore[attr-defined]


@pytest.mark.parametrize("hx", [False, True])
def test_a_comment_on_a_proposal_closed_meanwhile_says_so_and_keeps_the_text(
        world: World, hx: bool) -> None:
    proposal = world.propose()
    services.proposal_close(proposal=proposal, actor=world.users["author"])  # another tab
    body = "The price column needs a check, I think (typed before the close)"
    response = world.client("reviewer").post(
        reverse("review:thread_create", args=["shop", proposal.number]),
        {"anchor": "proposal", "body": body}, **(HX if hx else {}))
    assert response.status_code == 422
    text = _text(response)
    assert CLOSED in text
    assert body in text
    assert not Comment.objects.filter(thread__proposal=proposal).exists()


@pytest.mark.parametrize("hx", [False, True])
def test_a_verdict_on_a_proposal_closed_meanwhile_says_so_and_keeps_the_message(
        world: World, hx: bool) -> None:
    proposal = world.propose()
    services.proposal_close(proposal=proposal, actor=world.users["author"])
    message = "Looks right to me, ship it (typed before the close)"
    response = world.client("reviewer").post(
        reverse("review:verdict_create", args=["shop", proposal.number]),
        {"decision": "approve", "message": message}, **(HX if hx else {}))
    assert response.status_code == 422
    text = _text(response)
    assert CLOSED in text
    assert message in text
    assert not Verdict.objects.filter(proposal=proposal).exists()


@pytest.mark.parametrize("hx", [False, True])
def test_a_refused_reply_comes_back_in_its_box(world: World, hx: bool) -> None:
    proposal = world.propose()
    thread = services.thread_create(proposal=proposal, actor=world.users["reviewer"],
                                    anchor="proposal", body="Why bigint here?")
    reply = "Because the shop will grow. " * 400  # over the 10,000 characters of a comment
    response = world.client("author").post(
        reverse("review:thread_reply", args=["shop", proposal.number, thread.pk]),
        {"body": reply}, **(HX if hx else {}))
    assert response.status_code == 422
    text = _text(response)
    assert "at most 10000 characters" in text
    assert f'aria-label="Reply">{reply}</textarea>' in text
    assert thread.comments.count() == 1


def test_a_reply_on_a_proposal_closed_meanwhile_keeps_the_text(world: World) -> None:
    proposal = world.propose()
    thread = services.thread_create(proposal=proposal, actor=world.users["reviewer"],
                                    anchor="proposal", body="Why bigint here?")
    services.proposal_close(proposal=proposal, actor=world.users["author"])
    reply = "Because the shop will grow (typed before the close)"
    response = world.client("author").post(
        reverse("review:thread_reply", args=["shop", proposal.number, thread.pk]),
        {"body": reply}, **HX)
    assert response.status_code == 422
    text = _text(response)
    assert CLOSED in text
    assert reply in text
    assert thread.comments.count() == 1
