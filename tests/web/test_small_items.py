"""Small items of issue 16: the projects list's member count, the import preview's keys as
words, the favicon, the slug filled from the name (the page's hook for static/js/forms.js)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from modeler.web import services
from modeler.web.models import Membership, PendingImport

pytestmark = pytest.mark.django_db


def test_project_list_counts_every_member(client: Client, user: Any, other_user: Any,
                                         django_user_model: Any) -> None:
    project = services.project_create(name="Shop", slug="shop", owner=user)
    services.project_create(name="Solo", slug="solo", owner=user)
    Membership.objects.create(project=project, user=other_user, role="editor")
    carol = django_user_model.objects.create_user(username="carol", password="pw-carol-123!")
    Membership.objects.create(project=project, user=carol, role="viewer")
    client.force_login(other_user)  # sees the project through their own membership
    body = client.get(reverse("project_list")).content.decode()
    assert "<td>3</td></tr>" in body
    client.force_login(user)
    body = client.get(reverse("project_list")).content.decode()
    rows = body[body.index('id="project-list"'):]
    assert rows.index(">Shop<") < rows.index("<td>3</td>") < rows.index(">Solo<") < \
        rows.index("<td>1</td>")


def test_import_preview_keys_are_words(client: Client, user: Any) -> None:
    client.force_login(user)
    response = client.post(reverse("import_start"), {
        "name": "Legacy", "slug": "legacy", "format": "sql",
        "text": "CREATE TABLE t (id int PRIMARY KEY);\nINSERT INTO t VALUES (1);"})
    assert response.status_code == 302
    pending = PendingImport.objects.get()
    assert "data_statements" in pending.counts
    page = client.get(response.url).content.decode()
    table = page[page.index('id="import-counts"'):page.index("</table>",
                                                             page.index('id="import-counts"'))]
    assert "<th>data statements</th>" in table
    assert "_" not in table.replace('id="import-counts"', "")


def test_favicon_and_slug_hook(client: Client, user: Any) -> None:
    assert finders.find("favicon.svg") is not None
    client.force_login(user)
    page = client.get(reverse("project_create")).content.decode()
    assert 'rel="icon"' in page and "favicon.svg" in page
    assert 'data-slug-source="id_slug"' in page and "js/forms.js" in page
