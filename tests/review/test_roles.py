"""Every review endpoint for every role: non-members get 404, roles too low get 403, the rest
get a real answer (200, a redirect after success, or 422/409 for a refused action)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import reverse

from modeler.review import services
from modeler.review.models import Proposal, Thread
from modeler.web.models import Membership
from modeler.web.permissions import RANK
from tests.review.conftest import HX, World
from tests.review.helpers import add_table, edit

pytestmark = pytest.mark.django_db

ROLES = ("owner", "editor", "reviewer", "viewer", "outsider")  # none of them wrote the proposal
ALLOWED = {200, 302, 409, 422}


@dataclass(frozen=True)
class Endpoint:
    name: str
    method: str
    target: str  # project | proposal | thread | member
    needs: str  # the lowest role allowed
    data: dict[str, Any] = field(default_factory=dict)
    query: str = ""
    htmx: bool = False
    only: tuple[str, ...] = ()  # when set: exactly these roles are allowed

    @property
    def id(self) -> str:
        return f"{self.method}-{self.name.split(':')[1]}{self.query}"


ENDPOINTS = [
    Endpoint("review:members", "get", "project", "viewer"),
    Endpoint("review:member_add", "post", "project", "owner",
             {"identifier": "nobody", "role": "viewer"}),
    Endpoint("review:member_role", "post", "member", "owner", {"role": "viewer"}),
    Endpoint("review:member_remove", "post", "member", "owner"),
    Endpoint("review:proposal_list", "get", "project", "viewer"),
    Endpoint("review:proposal_create", "get", "project", "editor"),
    Endpoint("review:proposal_create", "post", "project", "editor", {"title": "Another idea"}),
    Endpoint("review:review_policy", "post", "project", "owner", {"required_approvals": "2"}),
    Endpoint("review:proposal_detail", "get", "proposal", "viewer"),
    Endpoint("review:proposal_detail", "get", "proposal", "viewer", query="?part=diagram",
             htmx=True),
    Endpoint("review:proposal_detail", "get", "proposal", "viewer",
             query="?part=checks&side=before", htmx=True),
    Endpoint("review:proposal_migration", "get", "proposal", "viewer"),
    Endpoint("review:proposal_drizzle_migration", "get", "proposal", "viewer"),
    Endpoint("review:thread_create", "post", "proposal", "reviewer",
             {"anchor": "proposal", "body": "Looks fine to me."}),
    Endpoint("review:thread_create", "post", "proposal", "reviewer",
             {"anchor": "proposal", "body": "htmx comment"}, htmx=True),
    Endpoint("review:thread_reply", "post", "thread", "reviewer", {"body": "Agreed."}),
    Endpoint("review:thread_resolve", "post", "thread", "reviewer", {"resolved": "1"}),
    Endpoint("review:verdict_create", "post", "proposal", "reviewer", {"decision": "approve"}),
    Endpoint("review:proposal_merge", "post", "proposal", "editor", {"message": ""}),
    Endpoint("review:proposal_rebase", "post", "proposal", "editor"),
    Endpoint("review:proposal_close", "post", "proposal", "editor", only=("owner",)),
    Endpoint("review:request_review", "post", "proposal", "editor"),
    Endpoint("review:proposal_approvals", "post", "proposal", "owner",
             {"required_approvals": "2"}),
]


@pytest.fixture
def targets(world: World) -> dict[str, list[Any]]:
    p = world.propose()
    edit(p.design, world.users["author"], add_table("product"))
    t = services.thread_create(proposal=p, actor=world.users["reviewer2"], anchor="proposal",
                               body="A question")
    member = Membership.objects.get(project=world.project, user=world.users["reviewer2"])
    return {"project": ["shop"], "proposal": ["shop", p.number],
            "thread": ["shop", p.number, t.pk], "member": ["shop", member.pk]}


def expected(endpoint: Endpoint, role: str) -> str:
    if role == "outsider":
        return "404"
    if endpoint.only:
        return "ok" if role in endpoint.only else "403"
    return "ok" if RANK[role] >= RANK[endpoint.needs] else "403"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.id)
def test_role_matrix(world: World, targets: dict[str, list[Any]], endpoint: Endpoint,
                     role: str) -> None:
    url = reverse(endpoint.name, args=targets[endpoint.target]) + endpoint.query
    client = world.client(role)
    extra = HX if endpoint.htmx else {}
    response = getattr(client, endpoint.method)(url, endpoint.data, **extra)
    want = expected(endpoint, role)
    if want == "ok":
        assert response.status_code in ALLOWED, (role, response.status_code,
                                                 response.content[:500])
    else:
        assert response.status_code == int(want), (role, response.status_code)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.id)
def test_anonymous_is_sent_to_login(world: World, targets: dict[str, list[Any]],
                                    endpoint: Endpoint) -> None:
    url = reverse(endpoint.name, args=targets[endpoint.target])
    response = getattr(world.client(None), endpoint.method)(url, endpoint.data)
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_denied_requests_write_nothing(world: World, targets: dict[str, list[Any]]) -> None:
    viewer = world.client("viewer")
    args = targets["proposal"]
    viewer.post(reverse("review:thread_create", args=args), {"anchor": "proposal", "body": "x"})
    viewer.post(reverse("review:verdict_create", args=args), {"decision": "approve"})
    viewer.post(reverse("review:proposal_close", args=args))
    world.client("outsider").post(reverse("review:proposal_create", args=["shop"]),
                                  {"title": "Sneaky"})
    assert Thread.objects.count() == 1
    assert not Proposal.objects.filter(title="Sneaky").exists()
    assert Proposal.objects.get().status == "open"


def test_proposal_design_is_edited_with_the_editor_and_roles_apply(
        world: World, targets: dict[str, list[Any]]) -> None:
    p = Proposal.objects.get()
    url = reverse("editor", args=["shop", p.design_id])
    assert world.client("viewer").get(url).status_code == 200
    assert world.client("outsider").get(url).status_code == 404
    add = reverse("table_add", args=["shop", p.design_id])
    data = {"new-name": "review_note", "new-namespace": "public",
            "new-comment": "Notes taken during reviews", "new-kind": "entity",
            "new-delete_strategy": "hard"}
    assert world.client("reviewer").post(add, data, **HX).status_code == 403
    assert world.client("author").post(add, data, **HX).status_code == 200
