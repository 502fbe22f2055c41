"""A form refused as stale (409) keeps what the user typed, also after the next poll.

Found walking the editor with two users: ann opened "Edit table", bob changed the table's
comment, ann typed her comment and saved: 409, her form shown again with her text and the
current version (as the README promises); then the poller saw bob's revision (newer than
ann's drawing) and, the refusal's swap having cleared the panel's "typing" state, reloaded
the panel: ann's text was gone, with the form closed and no word about it. A panel holding a
refused form counts as being edited: the poller offers the refresh instead."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.conftest import wait_for_diagram as wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_stale_form_survives_the_poll(login_page: Callable[..., Page],
                                        url: Callable[[str], str],
                                        make_user: Callable[..., Any],
                                        add_member: Callable[..., Any]) -> None:
    from modeler.schema import actions
    from modeler.web import services
    from modeler.web.models import DbTable
    from modeler.web.snapshot import materialize, snapshot

    project = services.project_create(name="Shop", slug="shop", owner=make_user("ann"))
    design = services.main_design(project)
    s, uid = actions.add_table(snapshot(design), name="customer",
                               comment="A person who buys from the shop")
    materialize(s, design)
    add_member(project, "bob")
    page = login_page("ann")
    page.goto(url(f"/p/shop/edit/?table={uid}"))
    wait_idle(page)
    page.locator("#edit-table summary").click()
    expect(page.locator("#id_tbl-comment")).to_be_visible()

    bob = Client()
    bob.force_login(make_user("bob"))
    t = snapshot(design).table(uid)
    response = bob.post(reverse("table_update", args=["shop", uid]), {
        "tbl-name": t.name, "tbl-namespace": "public", "tbl-comment": "Bob says: a buyer",
        "tbl-kind": t.kind, "tbl-delete_strategy": t.delete_strategy,
        "tbl-version": DbTable.objects.get(uid=uid).version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200

    mine = "Ann's careful comment, which must not be lost"
    page.fill("#id_tbl-comment", mine)
    with page.expect_response(lambda r: "/update/" in r.url) as info:
        page.locator("#edit-table").get_by_role("button", name="Save table").click()
    assert info.value.status == 409
    expect(page.locator("#id_tbl-comment")).to_have_value(mine)
    # the poller (every 3 s) sees bob's revision: it may offer the refresh, not take the text
    with page.expect_response(lambda r: "/edit/poll/" in r.url and r.status == 200,
                              timeout=8000):
        pass
    page.wait_for_timeout(1500)
    expect(page.locator("#id_tbl-comment")).to_have_value(mine)
    expect(page.locator("#stale-panel")).to_be_visible()
    assert snapshot(design).table(uid).comment == "Bob says: a buyer"
