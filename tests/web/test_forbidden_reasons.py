"""A refused page (403) says why it was refused. The page said "Your role in this project
does not allow this page or action. A project owner can change your role." whatever the
reason: an owner who followed a Delete link in a stale tab of a proposal merged or closed
meanwhile was told to ask an owner for a role, and an author who approved their own
proposal from another tab was told the same."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from modeler.review import services as review
from modeler.review.models import Proposal
from modeler.web import services
from modeler.web.models import Membership
from modeler.web.snapshot import materialize, snapshot
from modeler.web.versions import version_save
from tests.web.test_rules_web import good_schema

pytestmark = pytest.mark.django_db

ROLE_HINT = "change your role"


@pytest.fixture
def shop(django_user_model: Any) -> dict[str, Any]:
    owner = django_user_model.objects.create_user(username="owner", password="pw-owner-1!")
    viewer = django_user_model.objects.create_user(username="viewer", password="pw-viewer-1!")
    project = services.project_create(name="Shop", slug="shop", owner=owner)
    Membership.objects.create(project=project, user=viewer, role="viewer")
    materialize(good_schema(), services.main_design(project))
    version_save(project=project, actor=owner, message="First version of the shop")
    proposal = review.proposal_create(project=project, actor=owner, title="Tidy the shop")
    return {"owner": owner, "viewer": viewer, "project": project, "proposal": proposal}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _text(response: Any) -> str:
    body: str = response.content.decode()
    return " ".join(body.split())


def test_a_closed_proposals_delete_link_says_the_design_is_closed(shop: dict[str, Any]) -> None:
    proposal: Proposal = shop["proposal"]
    table = snapshot(proposal.design).tables[0]
    review.proposal_close(proposal=proposal, actor=shop["owner"])  # from another tab
    url = reverse("delete_element", args=["shop", proposal.design_id, table.uid])
    response = _client(shop["owner"]).get(url)
    assert response.status_code == 403
    text = _text(response)
    assert "closed for edits" in text
    assert ROLE_HINT not in text  # the owner's role is not what stopped them


def test_an_author_approving_their_own_proposal_is_told_so(shop: dict[str, Any]) -> None:
    proposal: Proposal = shop["proposal"]
    url = reverse("review:verdict_create", args=["shop", proposal.number])
    response = _client(shop["owner"]).post(url, {"decision": "approve", "message": ""})
    assert response.status_code == 403
    text = _text(response)
    assert "Authors cannot review their own proposal." in text
    assert ROLE_HINT not in text


def test_a_role_too_low_still_names_the_role_and_who_can_change_it(
        shop: dict[str, Any]) -> None:
    table = snapshot(services.main_design(shop["project"])).tables[0]
    response = _client(shop["viewer"]).get(reverse("delete_element", args=["shop", table.uid]))
    assert response.status_code == 403
    text = _text(response)
    assert "Your role (viewer) cannot edit in this project" in text
    assert ROLE_HINT in text


def test_a_closed_proposals_text_mode_says_why_it_is_read_only(shop: dict[str, Any]) -> None:
    """The editor's banner said the proposal was closed while its text mode said the owner's
    role could not change the design."""
    proposal: Proposal = shop["proposal"]
    review.proposal_close(proposal=proposal, actor=shop["owner"])
    response = _client(shop["owner"]).get(reverse("textmode", args=["shop", proposal.design_id]))
    assert response.status_code == 200
    text = _text(response)
    assert "Read only: this proposal is closed, so its design cannot change." in text
    assert "your role" not in text
    viewer = _client(shop["viewer"]).get(reverse("textmode", args=["shop"]))
    assert "Read only: your role in this project cannot change the design." in _text(viewer)
