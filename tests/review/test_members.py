"""Members and roles: add by username or e-mail, change roles, remove; the last owner stays."""

from __future__ import annotations

import pytest
from django.urls import reverse

from modeler.review import members
from modeler.web.editing import Refused
from modeler.web.models import Membership
from tests.review.conftest import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def newcomer(django_user_model: type) -> object:
    return django_user_model.objects.create_user(  # type: ignore[attr-defined]
        username="nina", email="Nina@Example.com", password=None)


@pytest.mark.parametrize("identifier", ["nina", "NINA", "nina@example.com", " Nina@Example.com "])
def test_add_by_username_or_email(world: World, newcomer: object, identifier: str) -> None:
    row = members.membership_add(project=world.project, actor=world.users["owner"],
                                 identifier=identifier, role="reviewer")
    assert row.user == newcomer and row.role == "reviewer"


@pytest.mark.parametrize(("identifier", "role", "message"), [
    ("nobody", "viewer", "No user"), ("", "viewer", "username"),
    ("reviewer", "viewer", "already a member"), ("nina", "admin", "Unknown role")])
def test_add_refused(world: World, newcomer: object, identifier: str, role: str,
                     message: str) -> None:
    count = Membership.objects.count()
    with pytest.raises(Refused, match=message):
        members.membership_add(project=world.project, actor=world.users["owner"],
                               identifier=identifier, role=role)
    assert Membership.objects.count() == count


def test_last_owner_cannot_be_demoted_or_removed(world: World) -> None:
    owner = Membership.objects.get(project=world.project, role="owner")
    with pytest.raises(Refused, match="at least one owner"):
        members.membership_change_role(membership=owner, actor=world.users["owner"],
                                       role="editor")
    with pytest.raises(Refused, match="at least one owner"):
        members.membership_remove(membership=owner, actor=world.users["owner"])
    promoted = Membership.objects.get(project=world.project, user=world.users["editor"])
    members.membership_change_role(membership=promoted, actor=world.users["owner"],
                                   role="owner")
    members.membership_change_role(membership=owner, actor=world.users["owner"], role="viewer")
    assert Membership.objects.get(pk=owner.pk).role == "viewer"
    members.membership_remove(membership=owner, actor=world.users["editor"])
    assert not Membership.objects.filter(pk=owner.pk).exists()


def test_members_page_and_forms(world: World, newcomer: object) -> None:
    owner = world.client("owner")
    page = owner.get(reverse("review:members", args=["shop"]))
    assert page.status_code == 200 and b"member-add" in page.content
    viewer_page = world.client("viewer").get(reverse("review:members", args=["shop"]))
    assert viewer_page.status_code == 200 and b"member-add" not in viewer_page.content
    bad = owner.post(reverse("review:member_add", args=["shop"]),
                     {"identifier": "ghost", "role": "viewer"})
    assert bad.status_code == 422 and b"No user" in bad.content
    ok = owner.post(reverse("review:member_add", args=["shop"]),
                    {"identifier": "nina@example.com", "role": "editor"})
    assert ok.status_code == 302
    row = Membership.objects.get(project=world.project, user=newcomer)
    assert row.role == "editor"
    assert owner.post(reverse("review:member_role", args=["shop", row.pk]),
                      {"role": "bogus"}).status_code == 422
    assert owner.post(reverse("review:member_role", args=["shop", row.pk]),
                      {"role": "viewer"}).status_code == 302
    assert Membership.objects.get(pk=row.pk).role == "viewer"
    own = Membership.objects.get(project=world.project, role="owner")
    demote = owner.post(reverse("review:member_role", args=["shop", own.pk]), {"role": "viewer"})
    assert demote.status_code == 422 and b"at least one owner" in demote.content
    assert owner.post(reverse("review:member_remove", args=["shop", row.pk])).status_code == 302
    assert not Membership.objects.filter(pk=row.pk).exists()


def test_member_of_another_project_is_404(world: World) -> None:
    from modeler.web import services as web_services

    other = web_services.project_create(name="Other", slug="other", owner=world.users["outsider"])
    row = Membership.objects.get(project=other)
    response = world.client("owner").post(
        reverse("review:member_role", args=["shop", row.pk]), {"role": "viewer"})
    assert response.status_code == 404
    assert Membership.objects.get(pk=row.pk).role == "owner"
