"""Every editor, version, import and rules endpoint against every role: non-members get 404,
members whose role is too low get 403, and a refused request writes nothing."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from modeler.web import services
from modeler.web.models import Activity, Membership, Version
from modeler.web.snapshot import materialize, snapshot
from modeler.web.versions import version_save
from tests.web.test_rules_web import good_schema

pytestmark = pytest.mark.django_db

ROLES = ("owner", "editor", "reviewer", "viewer", "outsider")
RANK = {"viewer": 0, "reviewer": 1, "editor": 2, "owner": 3}


@pytest.fixture
def world(django_user_model: Any) -> dict[str, Any]:
    owner = django_user_model.objects.create_user(username="owner", password="pw-owner-1!")
    project = services.project_create(name="Shop", slug="shop", owner=owner)
    design = services.main_design(project)
    materialize(good_schema(), design)
    version_save(project=project, actor=owner, message="First version for the role tests")
    users = {"owner": owner}
    for role in ("editor", "reviewer", "viewer", "outsider"):
        users[role] = django_user_model.objects.create_user(username=role,
                                                            password=f"pw-{role}-1!")
        if role != "outsider":
            Membership.objects.create(project=project, user=users[role], role=role)
    schema = snapshot(design)
    customer = schema.table_named("customer")
    purchase = schema.table_named("purchase")
    assert customer is not None and purchase is not None
    return {"users": users, "t": customer.uid, "c": customer.columns[0].uid,
            "r": schema.relationships[0].uid, "ix": purchase.indexes[0].uid}


def endpoints(w: dict[str, Any]) -> list[tuple[str, str, list[Any], str]]:
    """(method, url name, args, least role)."""
    t, c, r, ix = w["t"], w["c"], w["r"], w["ix"]
    return [
        ("get", "project_detail", [], "viewer"),
        ("get", "editor", [], "viewer"),
        ("get", "diagram", [], "viewer"),
        ("get", "poll", [], "viewer"),
        ("get", "activity", [], "viewer"),
        ("get", "table_panel", [t], "viewer"),
        ("get", "diagram_download", ["svg"], "viewer"),
        ("get", "version_history", [], "viewer"),
        ("get", "version_compare", [], "viewer"),
        ("get", "version_export", [1], "viewer"),
        ("get", "waivers", [], "viewer"),
        ("post", "save_view", [], "viewer"),
        ("post", "table_add", [], "editor"),
        ("post", "table_update", [t], "editor"),
        ("post", "table_move", [t], "editor"),
        ("post", "column_add", [t], "editor"),
        ("post", "column_update", [c], "editor"),
        ("post", "column_move", [c], "editor"),
        ("post", "index_add", [t], "editor"),
        ("post", "unique_add", [t], "editor"),
        ("post", "check_add", [t], "editor"),
        ("post", "pattern_add", [t], "editor"),
        ("post", "relationship_add", [], "editor"),
        ("post", "relationship_edit", [r], "editor"),
        ("post", "enum_add", [], "editor"),
        ("get", "delete_element", [ix], "editor"),
        ("post", "delete_element", [ix], "editor"),
        ("post", "relayout", [], "editor"),
        ("get", "fix", [], "editor"),
        ("post", "fix", [], "editor"),
        ("post", "version_save", [], "editor"),
        ("post", "version_restore", [1], "editor"),
        ("get", "rule_settings", [], "editor"),
    ]


@pytest.mark.parametrize("role", ROLES)
def test_every_endpoint_enforces_roles(client: Client, world: dict[str, Any],
                                       role: str) -> None:
    client.force_login(world["users"][role])
    activities, versions = Activity.objects.count(), Version.objects.count()
    for method, name, args, least in endpoints(world):
        url = reverse(name, args=["shop", *args])
        response = getattr(client, method)(url, {"a": 1, "b": 1} if "compare" in name else {},
                                           HTTP_HX_REQUEST="true")
        where = f"{method.upper()} {name} as {role}"
        if role == "outsider":
            assert response.status_code == 404, where
        elif RANK[role] < RANK[least]:
            assert response.status_code == 403, where
        else:
            assert response.status_code not in (403, 404), where
    if role in ("outsider", "viewer", "reviewer"):
        # refused requests wrote nothing (a viewer may save view options, which is no edit)
        assert Activity.objects.count() == activities
        assert Version.objects.count() == versions


def test_anonymous_is_sent_to_login(client: Client, world: dict[str, Any]) -> None:
    for method, name, args, _ in endpoints(world):
        response = getattr(client, method)(reverse(name, args=["shop", *args]))
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("login")), name
