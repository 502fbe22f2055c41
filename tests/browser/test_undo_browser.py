"""Undo and redo in headless Chromium (issue 16, item 2): the panel's buttons undo and redo
the user's own change (the diagram follows), and an undo that would overwrite another
user's later change is refused with a message naming them, in view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from playwright.sync_api import Page, expect

from tests.browser.conftest import wait_for_diagram as wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def schema() -> Any:
    from modeler.web import services
    from modeler.web.models import Project
    from modeler.web.snapshot import snapshot

    return snapshot(services.main_design(Project.objects.get(slug="shop")))


def test_undo_redo_buttons_and_refusal(login_page: Callable[..., Page],
                                       url: Callable[[str], str],
                                       make_user: Callable[..., Any],
                                       add_member: Callable[..., Any],
                                       shot: Callable[..., Any]) -> None:
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
    expect(page.locator("#undo-button")).to_be_disabled()

    # ann adds a column; Undo takes it away (diagram too), Redo brings it back
    page.locator("#add-column summary").click()
    page.fill("#id_col-name", "nickname")
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.keyboard.press("Enter")
    wait_idle(page)
    expect(page.locator("#diagram svg")).to_contain_text("nickname")
    with page.expect_response(lambda r: "/undo/" in r.url):
        page.locator("#undo-button").click()
    wait_idle(page)
    expect(page.locator("#edit-notice")).to_contain_text("Undone: added column")
    expect(page.locator("#diagram svg")).not_to_contain_text("nickname")
    assert schema().table(uid).column_named("nickname") is None
    with page.expect_response(lambda r: "/redo/" in r.url):
        page.locator("#redo-button").click()
    wait_idle(page)
    expect(page.locator("#diagram svg")).to_contain_text("nickname")
    expect(page.locator("#redo-button")).to_be_disabled()

    # ann renames the table, then bob renames it again from his browser
    page.locator("#edit-table summary").click()
    page.fill("#id_tbl-name", "client")
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.locator("#edit-table").get_by_role("button", name="Save table").click()
    wait_idle(page)
    bob = Client()
    bob.force_login(make_user("bob"))
    t = schema().table(uid)
    response = bob.post(reverse("table_update", args=["shop", uid]), {
        "tbl-name": "buyer", "tbl-namespace": "public", "tbl-comment": t.comment,
        "tbl-kind": t.kind, "tbl-delete_strategy": t.delete_strategy,
        "tbl-version": DbTable.objects.get(uid=uid).version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    with page.expect_response(lambda r: "/undo/" in r.url) as info:
        page.locator("#undo-button").click()
    assert info.value.status == 409
    wait_idle(page)
    box = page.locator("#edit-errors")
    expect(box).to_be_in_viewport()
    expect(box).to_contain_text("bob renamed table client to buyer")
    expect(box).to_contain_text("Nothing was changed")
    shot(page, "undo-refused")
    assert schema().table(uid).name == "buyer"
