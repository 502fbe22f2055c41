"""'Restore version N' (issue 16, item 2): a confirmation page with the change list first,
nothing changed until confirmed; a stale confirmation is refused; the restore is undoable."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from modeler.web import services
from modeler.web.models import Design, Membership
from modeler.web.snapshot import snapshot
from modeler.web.versions import version_save

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def project(user: Any) -> Any:
    return services.project_create(name="Shop", slug="shop", owner=user)


def add_table(client: Client, name: str) -> None:
    response = client.post(reverse("table_add", args=["shop"]), {
        "new-name": name, "new-namespace": "public", "new-comment": f"The {name}s",
        "new-kind": "entity", "new-delete_strategy": "hard"}, **HX)
    assert response.status_code == 200


def names(project: Any) -> set[str]:
    return {t.name for t in snapshot(services.main_design(project)).tables}


def test_restore_asks_first_and_lists_the_changes(client: Client, user: Any,
                                                 project: Any) -> None:
    client.force_login(user)
    add_table(client, "customer")
    version_save(project=project, actor=user, message="First cut of the shop design")
    add_table(client, "supplier")  # unsaved work
    history = client.get(reverse("version_history", args=["shop"])).content.decode()
    url = reverse("version_restore", args=["shop", 1])
    assert f'href="{url}"' in history  # a link to the confirmation, not a one-click POST
    assert f'action="{url}"' not in history
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Restore version 1?" in body
    changes = body[body.index('id="restore-changes"'):]
    assert re.search(r'class="removed">− [^<]*supplier', changes)
    assert 'id="restore-unsaved"' in body
    assert names(project) == {"customer", "supplier"}  # looking changes nothing
    revision = re.search(r'name="revision" value="(\d+)"', body)
    assert revision is not None
    done = client.post(url, {"revision": revision.group(1)})
    assert done.status_code == 302 and done["Location"] == reverse("editor", args=["shop"])
    assert names(project) == {"customer"}
    # the restore is an edit like any other: undo takes it back
    assert client.post(reverse("undo", args=["shop"]), **HX).status_code == 200
    assert names(project) == {"customer", "supplier"}


def test_stale_confirmation_is_refused_and_shows_the_new_list(client: Client, user: Any,
                                                             other_user: Any,
                                                             project: Any) -> None:
    client.force_login(user)
    add_table(client, "customer")
    version_save(project=project, actor=user, message="First cut of the shop design")
    url = reverse("version_restore", args=["shop", 1])
    seen = Design.objects.get(project=project).revision
    Membership.objects.create(project=project, user=other_user, role="editor")
    bob = Client()
    bob.force_login(other_user)
    add_table(bob, "warehouse")  # after alice looked at the list
    response = client.post(url, {"revision": seen})
    assert response.status_code == 409
    body = response.content.decode()
    assert "Not restored." in body and "warehouse" in body
    assert names(project) == {"customer", "warehouse"}


def test_nothing_to_restore_and_roles(client: Client, user: Any, other_user: Any,
                                      project: Any) -> None:
    client.force_login(user)
    add_table(client, "customer")
    version_save(project=project, actor=user, message="First cut of the shop design")
    page = client.get(reverse("version_restore", args=["shop", 1]))
    assert b'id="restore-nothing"' in page.content
    assert client.get(reverse("version_restore", args=["shop", 9])).status_code == 404
    Membership.objects.create(project=project, user=other_user, role="viewer")
    client.force_login(other_user)
    assert client.get(reverse("version_restore", args=["shop", 1])).status_code == 403
