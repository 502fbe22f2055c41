"""Accounts and project pages: sign-in, list, create (with bad input), open, 404 for others."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from modeler.web import services
from modeler.web.models import Design, Membership, Project

pytestmark = pytest.mark.django_db


def test_pages_need_login(client: Client) -> None:
    for url in (reverse("project_list"), reverse("project_create"),
                reverse("project_detail", args=["x"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_sign_in_create_list_open(client: Client, user: Any) -> None:
    response = client.post(reverse("login"), {"username": "alice", "password": "pw-alice-123!"})
    assert response.status_code == 302
    response = client.post(reverse("project_create"), {
        "name": "Shop", "slug": "shop", "description": "orders", "provider": "neon",
        "pk_policy": "uuid", "pg_version": "16"})
    assert response.status_code == 302
    assert response.url == reverse("project_detail", args=["shop"])
    project = Project.objects.get(slug="shop")
    assert (project.provider, project.pk_policy, project.owner) == ("neon", "uuid", user)
    assert Membership.objects.get(project=project, user=user).role == "owner"
    assert Design.objects.filter(project=project, kind="main").count() == 1
    listing = client.get(reverse("project_list"))
    assert b"Shop" in listing.content and b"/p/shop/" in listing.content
    page = client.get(reverse("project_detail", args=["shop"]))
    assert page.status_code == 200 and b"your role: <strong>owner</strong>" in page.content


@pytest.mark.parametrize("data, field, message", [
    ({"slug": "Bad Slug"}, "slug", b"lowercase letters"),
    ({"slug": "-x"}, "slug", b"lowercase letters"),
    ({"name": ""}, "name", b"This field is required"),
    # a version out of range is said in words, not by the database constraint's name
    ({"pg_version": "9"}, "pg_version", b"PostgreSQL 12 to 18"),
    ({"pg_version": "99"}, "pg_version", b"PostgreSQL 12 to 18"),
    ({"pg_version": "0"}, "pg_version", b"PostgreSQL 12 to 18"),
    ({"provider": "oracle"}, "provider", b"Select a valid choice"),
])
def test_create_rejects_bad_input(client: Client, user: Any, data: dict[str, str], field: str,
                                  message: bytes) -> None:
    client.force_login(user)
    form = {"name": "Shop", "slug": "shop", "provider": "generic", "pk_policy": "identity",
            "pg_version": "16", **data}
    response = client.post(reverse("project_create"), form)
    assert response.status_code == 422
    assert message in response.content, response.content.decode()[:2000]
    assert b"ck_project" not in response.content
    assert not Project.objects.exists()
    assert not Design.objects.exists()


def test_duplicate_slug_refused(client: Client, user: Any) -> None:
    services.project_create(name="Shop", slug="shop", owner=user)
    client.force_login(user)
    response = client.post(reverse("project_create"), {
        "name": "Other", "slug": "shop", "provider": "generic", "pk_policy": "identity",
        "pg_version": "16"})
    assert response.status_code == 422
    assert b"This slug is not available" in response.content
    assert Project.objects.count() == 1


def test_non_member_gets_404(client: Client, user: Any, other_user: Any) -> None:
    services.project_create(name="Shop", slug="shop", owner=user)
    client.force_login(other_user)
    assert client.get(reverse("project_detail", args=["shop"])).status_code == 404
    assert b"Shop" not in client.get(reverse("project_list")).content


def test_project_name_is_escaped(client: Client, user: Any) -> None:
    services.project_create(name="<script>alert(1)</script>", slug="xss", owner=user)
    client.force_login(user)
    body = client.get(reverse("project_list")).content
    assert b"<script>alert(1)</script>" not in body
    assert b"&lt;script&gt;alert(1)&lt;/script&gt;" in body
