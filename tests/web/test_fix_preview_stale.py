"""The fixes applied are the fixes previewed: "Fix all safe findings" (or one finding's fix)
computed its edits again when Apply was posted, so a design changed since the preview (a
teammate's edit, another tab) got fixes nobody had seen. The preview now carries the
design revision it was made from; a stale Apply is refused (409) with the current list,
nothing changed, as a stale restore confirmation is."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from modeler.web import services
from modeler.web.editing import apply_edit
from modeler.web.models import DbIndex
from modeler.web.snapshot import materialize
from tests.review.helpers import add_table
from tests.web.test_rules_web import good_schema

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(user: Any) -> Any:
    project = services.project_create(name="Shop", slug="shop", owner=user)
    materialize(good_schema(fk_index=False), services.main_design(project))  # IX-01: fixable
    return project


def _revision(page: str) -> str:
    found = re.search(r'name="revision" value="(\d+)"', page)
    assert found is not None, "the preview's form carries the revision it was made from"
    return found.group(1)


def test_apply_of_a_stale_fix_preview_changes_nothing(client: Client, user: Any,
                                                      shop: Any) -> None:
    client.force_login(user)
    preview = client.get(reverse("fix", args=["shop"]))
    assert preview.status_code == 200 and "customer_id" in preview.content.decode()
    seen = _revision(preview.content.decode())
    # meanwhile, in another tab: an edit of the design
    apply_edit(design=services.main_design(shop), actor=user, action="table.add",
               summary="add product", target_uid=None, change=add_table("product"))
    response = client.post(reverse("fix", args=["shop"]), {"revision": seen})
    assert response.status_code == 409
    page = response.content.decode()
    assert "changed since" in page and "customer_id" in page  # the current list, again
    assert DbIndex.objects.count() == 0
    # applied from the fresh preview
    response = client.post(reverse("fix", args=["shop"]), {"revision": _revision(page)})
    assert response.status_code == 302
    assert DbIndex.objects.count() == 1


def test_apply_of_a_current_fix_preview_applies(client: Client, user: Any, shop: Any) -> None:
    client.force_login(user)
    preview = client.get(reverse("fix", args=["shop"]))
    response = client.post(reverse("fix", args=["shop"]),
                           {"revision": _revision(preview.content.decode())})
    assert response.status_code == 302
    assert DbIndex.objects.count() == 1
