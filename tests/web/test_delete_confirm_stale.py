"""A delete takes what its confirmation listed, nothing more: the page says "These go with
it: ..." and Delete took whatever depended on the element when it was posted, so an index
or foreign key a teammate added meanwhile (or another tab) went with it unseen. The form
now carries the list it showed; when the element's dependents differ at Delete, nothing
is deleted and the page lists them again (409). Unrelated edits meanwhile do not matter."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from modeler import rules
from modeler.web import ruling, services
from modeler.web.editing import apply_edit
from modeler.web.models import DbColumn, DbIndex
from modeler.web.snapshot import materialize, snapshot
from tests.review.helpers import add_table
from tests.web.test_rules_web import good_schema

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(user: Any) -> Any:
    project = services.project_create(name="Shop", slug="shop", owner=user)
    materialize(good_schema(fk_index=False), services.main_design(project))
    return project


def _customer_id(project: Any) -> str:
    purchase = snapshot(services.main_design(project)).table_named("purchase")
    assert purchase is not None
    return next(c.uid for c in purchase.columns if c.name == "customer_id")


def _form(page: str) -> dict[str, str]:
    """The hidden fields of the confirmation's Delete form."""
    import re

    return dict(re.findall(r'<input type="hidden" name="(seen)" value="([^"]*)"', page))


def test_a_dependent_added_since_the_confirmation_is_not_deleted_unseen(
        client: Client, user: Any, shop: Any) -> None:
    client.force_login(user)
    url = reverse("delete_element", args=["shop", _customer_id(shop)])
    page = client.get(url).content.decode()
    assert "purchase_customer_id_fkey" in page or "foreign key" in page
    seen = _form(page)
    assert seen, "the Delete form carries what the page listed"
    # meanwhile, in another tab: the FK gets its index (IX-01's fix)
    design = services.main_design(shop)
    config = ruling.config_for(shop)
    apply_edit(design=design, actor=user, action="rules.fix", summary="fix", target_uid=None,
               change=lambda s: rules.apply_edits(s, rules.safe_fixes(s, config)),
               gated=False)
    assert DbIndex.objects.count() == 1
    response = client.post(url, seen)
    assert response.status_code == 409
    again = response.content.decode()
    assert "changed since" in again and "index" in again  # the list as it is now
    assert DbColumn.objects.filter(name="customer_id").exists()
    assert DbIndex.objects.count() == 1
    # deleted from the fresh confirmation, with what it lists
    assert client.post(url, _form(again)).status_code == 302
    assert not DbColumn.objects.filter(name="customer_id").exists()
    assert DbIndex.objects.count() == 0


def test_an_unrelated_edit_since_the_confirmation_does_not_stop_the_delete(
        client: Client, user: Any, shop: Any) -> None:
    client.force_login(user)
    url = reverse("delete_element", args=["shop", _customer_id(shop)])
    seen = _form(client.get(url).content.decode())
    apply_edit(design=services.main_design(shop), actor=user, action="table.add",
               summary="add product", target_uid=None, change=add_table("product"))
    assert client.post(url, seen).status_code == 302
    assert not DbColumn.objects.filter(name="customer_id").exists()
