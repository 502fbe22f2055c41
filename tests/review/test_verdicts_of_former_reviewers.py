"""Verdicts count only while their reviewer may still review the project.

An approval by a reviewer who was then removed from the project, or made a viewer (who
cannot approve), still counted towards the merge; and a removed reviewer's "changes
requested" blocked the merge for good: nobody could take it back."""

from __future__ import annotations

import pytest
from django.urls import reverse

from modeler.review import merging, selectors, services
from modeler.review.members import membership_change_role, membership_remove
from modeler.review.models import Proposal
from modeler.web.editing import apply_edit
from modeler.web.models import Membership
from tests.review.conftest import World
from tests.review.helpers import add_table

pytestmark = pytest.mark.django_db


def _proposal(world: World) -> Proposal:
    proposal = world.propose(reviewers=("reviewer", "reviewer2"))
    apply_edit(design=proposal.design, actor=world.users["author"], action="table.add",
               summary="add product", target_uid=None, change=add_table("product"))
    return proposal


def _verdict(world: World, proposal: Proposal, who: str, decision: str) -> None:
    services.verdict_create(proposal=proposal, actor=world.users[who], decision=decision,
                            message="" if decision == "approve" else "Rename it, please")


def _member(world: World, who: str) -> Membership:
    return Membership.objects.get(project=world.project, user=world.users[who])


def _approvals_check(proposal: Proposal) -> bool:
    return next(c.ok for c in merging.merge_checks(proposal) if c.key == "approvals")


def test_an_approval_stops_counting_when_its_reviewer_is_made_a_viewer(world: World) -> None:
    proposal = _proposal(world)
    _verdict(world, proposal, "reviewer", "approve")
    assert selectors.verdict_state(proposal).approvers == ("reviewer",)
    membership_change_role(membership=_member(world, "reviewer"), actor=world.users["owner"],
                           role="viewer")
    state = selectors.verdict_state(proposal)
    assert state.approvers == ()
    assert not state.approved and not _approvals_check(proposal)
    response = world.client("author").post(
        reverse("review:proposal_merge", args=["shop", proposal.number]), {"message": ""})
    assert response.status_code == 422
    assert "0 of 1 approval since the last change" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.is_open


def test_a_removed_reviewers_request_for_changes_no_longer_blocks(world: World) -> None:
    proposal = _proposal(world)
    _verdict(world, proposal, "reviewer", "changes")
    _verdict(world, proposal, "reviewer2", "approve")
    assert selectors.verdict_state(proposal).blocking == ("reviewer",)
    membership_remove(membership=_member(world, "reviewer"), actor=world.users["owner"])
    state = selectors.verdict_state(proposal)
    assert state.blocking == () and state.approvers == ("reviewer2",)
    assert state.approved and _approvals_check(proposal)
    # the verdict itself stays in the proposal's history, marked as not counted
    assert selectors.verdicts_of(proposal).filter(reviewer=world.users["reviewer"]).exists()
    assert state.former == ("reviewer",)
    page = world.client("author").get(
        reverse("review:proposal_detail", args=["shop", proposal.number])).content.decode()
    verdicts = page[page.index('id="verdicts"'):]
    assert verdicts.count("not counted: no longer a reviewer of this project") == 1
    assert "1 of 1 approval for revision" in verdicts


def test_an_owner_or_editor_reviewing_still_counts(world: World) -> None:
    proposal = _proposal(world)
    _verdict(world, proposal, "editor", "approve")
    _verdict(world, proposal, "owner", "approve")
    assert selectors.verdict_state(proposal).approvers == ("editor", "owner")
