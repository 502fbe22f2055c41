"""Undo and redo of each kind of change in headless Chromium (issue 16, "Done when": undo/redo
of each kind of change). The design is set up through the project's actions (fast); only
the change, Ctrl+Z and Ctrl+Shift+Z go through the editor. After each step the design read
back from the database and the diagram are checked: the undo gives back exactly the design
and the drawing from before the change, the redo exactly the ones after it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import wait_for_diagram as wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def design() -> Any:
    from modeler.web import services
    from modeler.web.models import Project
    from modeler.web.snapshot import snapshot

    return snapshot(services.main_design(Project.objects.get(slug="shop")))


def shop(make_user: Callable[..., Any]) -> dict[str, str]:
    """customer (with email and nickname), purchase → customer; the uids by name, and
    where customer is (``at``)."""
    from modeler import diagram
    from modeler.schema import actions, edit
    from modeler.schema import model as m
    from modeler.web import services
    from modeler.web.snapshot import materialize, snapshot

    project = services.project_create(name="Shop", slug="shop", owner=make_user("ann"))
    d = services.main_design(project)
    s, customer = actions.add_table(snapshot(d), name="customer",
                                    comment="A person who buys from the shop")
    s, purchase = actions.add_table(s, name="purchase", comment="One checkout of a basket")
    email, nickname = actions.new_uid(), actions.new_uid()
    s = edit.put_column(s, customer, m.Column(
        uid=email, name="email", type=m.ColumnType("builtin", "text"), nullable=False,
        comment="Where receipts go"), position=1)
    s = edit.put_column(s, customer, m.Column(
        uid=nickname, name="nickname", type=m.ColumnType("builtin", "text"), nullable=False,
        comment="What friends call them"), position=2)
    s, _ = actions.add_relationship(s, child_uid=purchase, parent_uid=customer,
                                    on_delete="RESTRICT", on_update="NO ACTION")
    # laid out here: a design opened without positions is laid out (and written) on open
    positions = diagram.layout(s, diagram.ViewOptions(), relayout=True)
    materialize(replace(s, tables=tuple(replace(t, position=positions[t.uid])
                                        for t in s.tables)), d)
    return {"customer": customer, "purchase": purchase, "email": email,
            "nickname": nickname, "at": str(design().table(customer).position)}


def post(page: Page, act: Callable[[], None]) -> None:
    """``act`` posts a form; it is saved (200, or a redirect after a full-page form)."""
    with page.expect_response(lambda r: r.request.method == "POST") as info:
        act()
    assert info.value.status in (200, 204, 302), info.value.text()[:2000]
    page.wait_for_load_state()
    wait_idle(page)


def section(page: Page, summary: str) -> Any:
    page.locator("summary", has_text=summary).click()
    return page.locator("details[open]", has=page.locator("summary", has_text=summary))


# --------------------------------------------------------------- the changes, in the UI

def add_table(page: Page, ids: dict[str, str]) -> None:
    page.fill("#id_new-name", "supplier")
    page.fill("#id_new-comment", "A firm the shop buys books from")
    post(page, lambda: page.keyboard.press("Control+Enter"))


def rename_table(page: Page, ids: dict[str, str]) -> None:
    page.locator("#edit-table summary").click()
    page.fill("#id_tbl-name", "client")
    post(page, lambda: page.locator("#edit-table").get_by_role(
        "button", name="Save table").click())


def delete_table(page: Page, ids: dict[str, str]) -> None:
    page.locator("#edit-table summary").click()
    page.get_by_role("link", name="Delete table…").click()
    expect(page.locator("h1")).to_contain_text("Delete")
    post(page, lambda: page.get_by_role("button", name="Delete").click())


def add_column(page: Page, ids: dict[str, str]) -> None:
    page.locator("#add-column summary").click()
    page.fill("#id_col-name", "phone")
    post(page, lambda: page.keyboard.press("Enter"))


def edit_column(page: Page, ids: dict[str, str]) -> None:
    form = page.locator(f"#edit-{ids['nickname']} form")
    form.locator("input[name$='-name']").fill("alias")
    post(page, lambda: form.get_by_role("button", name="Save column").click())


def delete_column(page: Page, ids: dict[str, str]) -> None:
    page.locator(f"#col-{ids['nickname']}").get_by_title("Delete column").click()
    expect(page.locator("h1")).to_contain_text("nickname")
    post(page, lambda: page.get_by_role("button", name="Delete").click())


def add_relationship(page: Page, ids: dict[str, str]) -> None:
    page.locator("#add-relationship summary").click()
    page.select_option("#id_rel-child", ids["customer"])
    page.select_option("#id_rel-parent", ids["customer"])
    page.fill("#id_rel-column_names", "referred_by_id")
    page.check("#id_rel-optional")
    post(page, lambda: page.get_by_role("button", name="Draw relationship").click())


def add_index(page: Page, ids: dict[str, str]) -> None:
    form = section(page, "Add an index")
    form.locator("input[name='ix-columns'][value='nickname']").check()
    post(page, lambda: form.get_by_role("button", name="Add index").click())


def add_unique(page: Page, ids: dict[str, str]) -> None:
    form = section(page, "Add a unique constraint")
    form.locator("input[name='uq-columns'][value='email']").check()
    post(page, lambda: form.get_by_role("button", name="Add unique").click())


def add_check(page: Page, ids: dict[str, str]) -> None:
    form = section(page, "Add a check constraint")
    form.locator("input[name='ck-name']").fill("email_has_at")
    form.locator("input[name='ck-expression']").fill("position('@' in email) > 1")
    post(page, lambda: form.get_by_role("button", name="Add check").click())


def add_enum(page: Page, ids: dict[str, str]) -> None:
    page.locator("#enums summary").click()
    page.fill("#id_enum-name", "order_status")
    page.fill("#id_enum-values", "new\npaid\nshipped")
    post(page, lambda: page.locator("#enums").get_by_role("button", name="Add enum").click())


def add_pattern(page: Page, ids: dict[str, str]) -> None:
    form = section(page, "Declare a query pattern")
    form.locator("input[name='qp-name']").fill("of_customer")
    form.locator("input[name='qp-equality'][value='customer_id']").check()
    post(page, lambda: form.get_by_role("button", name="Add pattern").click())


def move_table(page: Page, ids: dict[str, str]) -> None:
    header = page.locator(f"#diagram svg #table-{ids['customer']} [data-part=header]")
    box = header.bounding_box()
    assert box is not None
    x0, y0 = box["x"] + box["width"] / 3, box["y"] + box["height"] / 2
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + 40, y0 + 60, steps=4)
    page.mouse.move(x0 + 80, y0 + 120, steps=4)
    with page.expect_response(lambda r: r.url.endswith("/move/")) as moved:
        page.mouse.up()
    assert moved.value.status == 204
    page.wait_for_load_state("networkidle")
    wait_idle(page)


@dataclass(frozen=True)
class Kind:
    change: Callable[[Page, dict[str, str]], None]
    table: str | None  # the table open in the panel ("" none)
    made: Callable[[Any, dict[str, str]], bool]  # the change is in the design
    drawn: str | None = None  # text the diagram shows only with the change
    gone: str | None = None  # text the diagram shows only without it
    column: str | None = None  # the column whose edit form is open


def _table(s: Any, name: str) -> Any:
    return s.table_named(name)


KINDS: dict[str, Any] = {
    "add table": Kind(add_table, None, lambda s, i: _table(s, "supplier") is not None,
                      drawn="supplier"),
    "rename table": Kind(rename_table, "customer",
                         lambda s, i: s.table(i["customer"]).name == "client",
                         drawn="client"),  # the FK column keeps its name: customer_id
    "delete table": Kind(delete_table, "purchase",
                         lambda s, i: _table(s, "purchase") is None, gone="purchase"),
    "add column": Kind(add_column, "customer",
                       lambda s, i: s.table(i["customer"]).column_named("phone") is not None,
                       drawn="phone"),
    "edit column": Kind(edit_column, "customer",
                        lambda s, i: s.column(i["nickname"]).name == "alias",
                        drawn="alias", gone="nickname", column="nickname"),
    "delete column": Kind(delete_column, "customer",
                          lambda s, i: s.table(i["customer"]).column_named("nickname") is None,
                          gone="nickname"),
    "add relationship": Kind(add_relationship, None,
                             lambda s, i: len(s.relationships) == 2, drawn="referred_by_id"),
    "add index": Kind(add_index, "customer",
                      lambda s, i: len(s.table(i["customer"]).indexes) == 1),
    "add unique": Kind(add_unique, "customer",
                       lambda s, i: len(s.table(i["customer"]).uniques) == 1),
    "add check": Kind(add_check, "customer",
                      lambda s, i: [c.name for c in s.table(i["customer"]).checks]
                      == ["ck_customer_email_has_at"]),
    "add enum": Kind(add_enum, None, lambda s, i: [e.name for e in s.enums] == ["order_status"]),
    "add query pattern": Kind(add_pattern, "purchase",
                              lambda s, i: [q.name for q in s.table(i["purchase"]).query_patterns]
                              == ["of_customer"]),
    "move table": Kind(move_table, None,
                       lambda s, i: str(s.table(i["customer"]).position) != i["at"]),
}


def drawing(page: Page) -> str:
    """What the diagram says: the text of every table and edge, in document order."""
    return str(page.evaluate(
        "() => [...document.querySelectorAll('#diagram svg g.node, #diagram svg g.edge')]"
        ".map(g => g.id + ':' + g.textContent.replace(/\\s+/g, ' ').trim()).join('\\n')"))


def placement(page: Page) -> str:
    """Where the tables are drawn (drawing units), for the move."""
    return str(page.evaluate(
        "() => [...document.querySelectorAll('#diagram svg g.node')].map(g => {"
        " const b = g.getBBox(); return g.id + '@' + Math.round(b.x) + ',' + Math.round(b.y);"
        "}).join(' ')"))


def press(page: Page, keys: str, endpoint: str) -> None:
    """Ctrl+Z / Ctrl+Shift+Z away from any text field; the panel answers."""
    page.keyboard.press("Escape")  # leave a field: in one the keys are the field's own undo
    with page.expect_response(lambda r: endpoint in r.url) as info:
        page.keyboard.press(keys)
    assert info.value.status == 200, info.value.text()[:2000]
    wait_idle(page)


@pytest.mark.parametrize("kind", list(KINDS))
def test_undo_and_redo_each_kind_of_change(kind: str, login_page: Callable[..., Page],
                                           url: Callable[[str], str],
                                           make_user: Callable[..., Any],
                                           shot: Callable[..., Any]) -> None:
    spec = KINDS[kind]
    ids = shop(make_user)
    query = ""
    if spec.table:
        query = f"?table={ids[spec.table]}"
        if spec.column:
            query += f"&column={ids[spec.column]}"
    page = login_page("ann")
    page.goto(url(f"/p/shop/edit/{query}"))
    wait_idle(page)
    before, drawn_before, placed_before = design(), drawing(page), placement(page)
    assert not spec.made(before, ids)

    spec.change(page, ids)
    after, drawn_after = design(), drawing(page)
    assert spec.made(after, ids), kind
    assert after != before
    svg = page.locator("#diagram svg")
    if spec.drawn:
        expect(svg).to_contain_text(spec.drawn)
    if spec.gone:
        expect(svg).not_to_contain_text(spec.gone)
    shot(page, "changed")

    expect(page.locator("#undo-button")).to_be_enabled(timeout=2_000)
    press(page, "Control+z", "/undo/")
    expect(page.locator("#edit-notice")).to_contain_text("Undone:")
    assert design() == before, kind
    assert drawing(page) == drawn_before
    assert placement(page) == placed_before
    if spec.drawn:
        expect(svg).not_to_contain_text(spec.drawn)
    if spec.gone:
        expect(svg).to_contain_text(spec.gone)
    shot(page, "undone")

    expect(page.locator("#redo-button")).to_be_enabled()
    press(page, "Control+Shift+Z", "/redo/")
    expect(page.locator("#edit-notice")).to_contain_text("Redone:")
    assert design() == after, kind
    assert drawing(page) == drawn_after
    expect(page.locator("#redo-button")).to_be_disabled()
