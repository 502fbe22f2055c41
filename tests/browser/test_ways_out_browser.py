"""The one-click ways out of ``modeler.web.ways_out.OFFERS`` that no other browser test clicks
(issue 16, "Done when": every one-click way out). IX-02 and KR-11 are clicked in the
bookstore journey and KR-05 in ``test_each_one_click_way_out``
(tests/browser/test_bookstore_forms.py). Here: CN-08 (a default calling an extension's
function), IX-01 (a foreign key left without an index) and KR-04 (a referential action
left unspecified). For each: the refused form shows the rule and the button, in view; the
refusal saves nothing; one click saves the edit with its way out, as one undoable edit."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from modeler.web.ways_out import OFFERS
from tests.browser.conftest import wait_for_diagram as wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CLICKED_ELSEWHERE = {"IX-02", "KR-05"}  # tests/browser/test_bookstore_forms.py
CLICKED_HERE = {"CN-08", "IX-01", "KR-04"}


def test_every_offer_is_clicked_in_some_browser_test() -> None:
    assert set(OFFERS) == CLICKED_ELSEWHERE | CLICKED_HERE


def design() -> Any:
    from modeler.web import services
    from modeler.web.models import Project
    from modeler.web.snapshot import snapshot

    return snapshot(services.main_design(Project.objects.get(slug="shop")))


def shop(make_user: Callable[..., Any], build: Callable[[Any], Any] | None = None) -> Any:
    """customer and purchase (laid out), then ``build`` on the snapshot; stored."""
    from modeler import diagram
    from modeler.schema import actions
    from modeler.web import services
    from modeler.web.snapshot import materialize, snapshot

    project = services.project_create(name="Shop", slug="shop", owner=make_user("ann"))
    d = services.main_design(project)
    s, _ = actions.add_table(snapshot(d), name="customer",
                             comment="A person who buys from the shop")
    s, _ = actions.add_table(s, name="purchase", comment="One checkout of a basket")
    if build is not None:
        s = build(s)
    positions = diagram.layout(s, diagram.ViewOptions(), relayout=True)
    s = replace(s, tables=tuple(replace(t, position=positions[t.uid]) for t in s.tables))
    materialize(s, d)
    return s


def submit(page: Page, button: Locator, status: int) -> None:
    with page.expect_response(lambda r: r.request.method == "POST") as info:
        button.click()
    assert info.value.status == status, info.value.text()[:2000]
    wait_idle(page)


def refused_with(page: Page, rule: str, shot: Callable[..., Any]) -> Locator:
    """The refusal box of the form: the rule, in view, with the rule's button."""
    refusal = page.locator("#panel .refusal")
    expect(refusal).to_be_visible()
    expect(refusal).to_contain_text(rule)
    expect(refusal).to_be_in_viewport()
    button = refusal.get_by_role("button", name=OFFERS[rule])
    expect(button).to_be_visible()
    expect(refusal.locator("button.way-out")).to_have_count(1)
    shot(page, f"{rule}-refused")
    return button


def undo_takes_both_back(page: Page, before: Any) -> None:
    page.keyboard.press("Escape")
    with page.expect_response(lambda r: "/undo/" in r.url) as info:
        page.locator("#undo-button").click()
    assert info.value.status == 200
    wait_idle(page)
    assert design() == before


def test_cn08_a_default_from_a_missing_extension_adds_the_extension(
        login_page: Callable[..., Page], url: Callable[[str], str],
        make_user: Callable[..., Any], shot: Callable[..., Any]) -> None:
    s = shop(make_user)
    customer = s.table_named("customer").uid
    page = login_page("ann")
    page.goto(url(f"/p/shop/edit/?table={customer}"))
    wait_idle(page)
    before = design()
    page.locator("#add-column summary").click()
    page.fill("#id_col-name", "token")
    page.select_option("#id_col-type", "uuid")
    page.fill("#id_col-default", "uuid_generate_v4()")
    page.fill("#id_col-comment", "Sent in the sign-in link")
    form = page.locator("#add-column form")
    submit(page, form.get_by_role("button", name="Add column"), 422)
    button = refused_with(page, "CN-08", shot)
    expect(page.locator("#panel .refusal")).to_contain_text("uuid-ossp")
    assert design() == before  # the refusal saved nothing

    submit(page, button, 200)
    after = design()
    token = after.table(customer).column_named("token")
    assert token is not None and token.default == "uuid_generate_v4()"
    assert [e.name for e in after.extensions] == ["uuid-ossp"]
    expect(page.locator("#diagram svg")).to_contain_text("token")
    shot(page, "CN-08-saved")
    undo_takes_both_back(page, before)


def _unique_fk(s: Any) -> Any:
    """purchase.customer_id UNIQUE (its only index) and a one-to-many FK on it."""
    from modeler.schema import actions, edit
    from modeler.schema import model as m

    purchase, customer = s.table_named("purchase").uid, s.table_named("customer").uid
    col = actions.new_uid()
    s = edit.put_column(s, purchase, m.Column(
        uid=col, name="customer_id", type=m.ColumnType("builtin", "bigint"),
        nullable=False, comment="Who bought"), position=1)
    s = edit.put_unique(s, purchase, m.UniqueConstraint(
        uid=actions.new_uid(), name="uq_purchase_customer_id", columns=(col,)))
    s, _ = actions.add_relationship(s, child_uid=purchase, parent_uid=customer,
                                    on_delete="RESTRICT", on_update="NO ACTION")
    return s


def test_ix01_dropping_the_unique_that_served_a_foreign_key_creates_its_index(
        login_page: Callable[..., Page], url: Callable[[str], str],
        make_user: Callable[..., Any], shot: Callable[..., Any]) -> None:
    s = shop(make_user, _unique_fk)
    purchase = s.table_named("purchase")
    col = purchase.column_named("customer_id")
    assert not purchase.indexes and purchase.uniques  # the UNIQUE is what covers the FK
    page = login_page("ann")
    page.goto(url(f"/p/shop/edit/?table={purchase.uid}&column={col.uid}"))
    wait_idle(page)
    before = design()
    form = page.locator(f"#edit-{col.uid} form")
    unique = form.locator("input[name$='-unique']")
    expect(unique).to_be_checked()
    unique.uncheck()
    submit(page, form.get_by_role("button", name="Save column"), 422)
    button = refused_with(page, "IX-01", shot)
    assert design() == before

    submit(page, button, 200)
    after = design().table(purchase.uid)
    assert not after.uniques
    assert [[p.column for p in ix.parts] for ix in after.indexes] == [[col.uid]]
    shot(page, "IX-01-saved")
    undo_takes_both_back(page, before)


def _unspecified_fk(s: Any) -> Any:
    """purchase → customer ON DELETE CASCADE: not what KR-04 suggests (RESTRICT), so the
    way out is a change of its own (from RESTRICT it would give back what was there, an
    edit that changes nothing and leaves nothing to undo)."""
    from modeler.schema import actions

    s, _ = actions.add_relationship(s, child_uid=s.table_named("purchase").uid,
                                    parent_uid=s.table_named("customer").uid,
                                    on_delete="CASCADE", on_update="NO ACTION")
    return s


def test_kr04_an_unspecified_on_delete_takes_the_suggested_one(
        login_page: Callable[..., Page], url: Callable[[str], str],
        make_user: Callable[..., Any], shot: Callable[..., Any]) -> None:
    s = shop(make_user, _unspecified_fk)
    rel = s.relationships[0]
    page = login_page("ann")
    page.goto(url(f"/p/shop/edit/?table={rel.child_table}"))
    wait_idle(page)
    before = design()
    page.locator("#panel ul.rels").get_by_role("link", name=rel.name).click()
    expect(page.locator("#panel-title")).to_have_text(rel.name)
    page.locator("#panel select[name$='on_delete']").select_option("UNSPECIFIED")
    submit(page, page.get_by_role("button", name="Save relationship"), 422)
    expect(page.locator("#panel")).to_contain_text("KR-04")
    assert design() == before
    button = refused_with(page, "KR-04", shot)

    submit(page, button, 200)
    assert design().relationships[0].on_delete not in ("UNSPECIFIED", "NO ACTION",
                                                       rel.on_delete)
    undo_takes_both_back(page, before)
