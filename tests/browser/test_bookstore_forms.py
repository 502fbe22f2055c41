"""The bookstore designed through the editor's forms in headless Chromium (issue 16, "Done
when"): author, book, book_author, customer, orders, order_line (about 25 columns, 6 foreign
keys, an enum, CHECKs, an index and a query pattern) in at most 45 UI actions, counted by
the small wrapper below (each click, fill, check, select and key press is one action; the
first page load is not). The paths are the fastest real ones: the ``t`` shortcut, the new
table form with its columns one per line (SQL, read by pglast), Ctrl+Enter, the one-click
ways out (the junction's two parents, the index a query pattern needs).

Also: each one-click way out, clicked in the browser."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import wait_for_diagram as wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


class UI:
    """Every user action goes through here and is counted; each one that posts a form waits
    for the answer (waiting is not an action)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.actions = 0
        self.log: list[str] = []

    def _count(self, what: str) -> None:
        self.actions += 1
        self.log.append(what)

    def fill(self, target: str | Locator, text: str) -> None:
        self._count(f"fill {target}")
        loc = self.page.locator(target) if isinstance(target, str) else target
        loc.fill(text)

    def click(self, target: str | Locator, *, posts: bool = False, status: int = 200) -> None:
        self._count(f"click {target}")
        loc = self.page.locator(target) if isinstance(target, str) else target
        self._maybe_post(loc.click, posts, status)

    def check(self, target: Locator) -> None:
        self._count(f"check {target}")
        target.check()

    def select(self, target: str, value: str) -> None:
        self._count(f"select {target}")
        self.page.select_option(target, value)

    def press(self, key: str, *, posts: bool = False, status: int = 200) -> None:
        self._count(f"press {key}")
        self._maybe_post(lambda: self.page.keyboard.press(key), posts, status)

    def _maybe_post(self, act: Callable[[], None], posts: bool, status: int) -> None:
        if not posts:
            act()
            return
        with self.page.expect_response(lambda r: r.request.method == "POST") as info:
            act()
        assert info.value.status == status, info.value.text()[:2000]
        wait_idle(self.page)


def active_id(page: Page) -> str:
    return str(page.evaluate("() => document.activeElement && document.activeElement.id"))


def new_table(ui: UI, name: str, comment: str, columns: str = "", *,
              first: bool = False) -> None:
    """``t`` (the add-table form, focused on the name), the name, the comment, the columns
    one per line, Ctrl+Enter."""
    if not first:
        ui.press("t")
        wait_idle(ui.page)
        assert active_id(ui.page) == "id_new-name"
    ui.fill("#id_new-name", name)
    ui.fill("#id_new-comment", comment)
    if columns:
        ui.fill("#id_new-columns", columns)
    ui.press("Control+Enter", posts=True)
    expect(ui.page.locator("#panel-title")).to_have_text(name)


def design(slug: str) -> Any:
    from modeler.web import services
    from modeler.web.models import Project
    from modeler.web.snapshot import snapshot

    return snapshot(services.main_design(Project.objects.get(slug=slug)))


def test_bookstore_through_the_forms_in_at_most_45_actions(
        login_page: Callable[..., Page], url: Callable[[str], str],
        make_user: Callable[..., Any], shot: Callable[..., Any]) -> None:
    from modeler.web import services

    services.project_create(name="Bookstore", slug="books", owner=make_user("ann"))
    page = login_page("ann")
    page.goto(url("/p/books/edit/"))
    wait_idle(page)
    ui = UI(page)

    # the enum first: the orders' status uses it
    ui.click("#enums summary")
    ui.fill("#id_enum-name", "order_status")
    ui.fill("#id_enum-values", "new\npaid\nshipped\ncancelled")
    ui.click(page.locator("#enums").get_by_role("button", name="Add enum"), posts=True)

    new_table(ui, "author", "A person who writes books", first=True, columns=(
        "name text not null -- the name as printed on the cover\n"
        "born_on date -- unknown for many authors"))
    new_table(ui, "book", "A title the shop sells", (
        "title text not null -- as printed on the cover\n"
        "isbn varchar(13) not null unique -- ISBN-13, digits only\n"
        "price numeric(10,2) not null default 0 check (price >= 0) -- list price in euro\n"
        "translator_id references author -- who translated it, when translated"))
    new_table(ui, "customer", "A person who buys from the shop", (
        "email varchar(320) not null unique -- where we write to\n"
        "full_name text not null -- how they want to be addressed"))
    new_table(ui, "orders", "One checkout of a customer's basket", (
        "customer_id references customer not null -- who ordered\n"
        "status order_status not null default 'new' -- where the order stands\n"
        "placed_at timestamptz not null default now() -- when it was placed"))
    shot(page, "orders-added")

    # the query pattern "a customer's recent orders": refused (no index serves it), the
    # refusal offers the index it needs, one click saves both
    ui.click(page.locator("summary", has_text="Declare a query pattern"))
    section = page.locator("details[open]", has=page.locator("input[name='qp-name']"))
    ui.fill(section.locator("input[name='qp-name']"), "recent_of_customer")
    ui.check(section.locator("input[name='qp-equality'][value='customer_id']"))
    ui.check(section.locator("input[name='qp-order_by'][value='placed_at']"))
    ui.check(section.locator("input[name='qp-hot']"))
    ui.click(section.get_by_role("button", name="Add pattern"), posts=True, status=422)
    refusal = page.locator("#panel .refusal")
    expect(refusal).to_be_in_viewport()
    expect(refusal).to_contain_text("IX-02")
    shot(page, "pattern-refused-with-way-out")
    ui.click(refusal.get_by_role("button", name="Create the index it needs, then save"),
             posts=True)

    ui.press("Escape")  # leave the field the refusal focused: single keys are on again
    new_table(ui, "order_line", "One book of an order, with its quantity and price", (
        "orders_id references orders not null -- the order it belongs to\n"
        "book_id references book not null -- the book sold\n"
        "quantity integer not null default 1 check (quantity > 0) -- copies\n"
        "unit_price numeric(10,2) not null check (unit_price >= 0) -- price paid, euro"))

    # the junction: refused until it has its parents; the refusal asks for them
    ui.press("t")
    wait_idle(page)
    ui.fill("#id_new-name", "book_author")
    ui.fill("#id_new-comment", "Which authors wrote which book")
    ui.select("#id_new-kind", "junction")
    ui.press("Control+Enter", posts=True, status=422)
    refusal = page.locator("#panel .refusal")
    expect(refusal).to_contain_text("KR-11")
    # the parents offered by default are the first two tables: author and book
    expect(refusal.locator("select[name='new-junction_left'] option:checked")).to_have_text(
        "author")
    expect(refusal.locator("select[name='new-junction_right'] option:checked")).to_have_text(
        "book")
    shot(page, "junction-asks-for-parents")
    ui.click(refusal.get_by_role("button", name="Create the junction with its two parents"),
             posts=True)
    expect(page.locator("#panel-title")).to_have_text("book_author")
    shot(page, "bookstore-done", full_page=True)

    print(f"bookstore through the forms: {ui.actions} UI actions")
    assert ui.actions <= 45, "\n".join(ui.log)

    # the design, read back from the database
    s = design("books")
    tables = {t.name: t for t in s.tables}
    assert set(tables) == {"author", "book", "book_author", "customer", "orders",
                           "order_line"}
    assert sum(len(t.columns) for t in s.tables) >= 25
    by_uid = {t.uid: t.name for t in s.tables}
    fks = sorted((by_uid[r.child_table], by_uid[r.parent_table]) for r in s.relationships)
    assert fks == sorted([("book", "author"), ("orders", "customer"),
                          ("order_line", "orders"), ("order_line", "book"),
                          ("book_author", "author"), ("book_author", "book")])
    assert [e.name for e in s.enums] == ["order_status"]
    status = tables["orders"].column_named("status")
    assert status is not None and status.type.kind == "enum"
    assert status.type.ref == s.enums[0].uid
    assert status.default in ("'new'", "'new'::order_status")
    price = tables["book"].column_named("price")
    assert price is not None and (price.type.precision, price.type.scale) == (10, 2)
    assert [c.expression for c in tables["book"].checks] == ["price >= 0"]
    assert {c.expression for c in tables["order_line"].checks} == {"quantity > 0",
                                                                    "unit_price >= 0"}
    orders = tables["orders"]
    names = {c.uid: c.name for c in orders.columns}
    (pattern,) = orders.query_patterns
    assert pattern.name == "recent_of_customer" and pattern.hot
    assert [names[u] for u in pattern.equality] == ["customer_id"]
    # the index the way out created serves it: (customer_id, placed_at)
    assert any([names.get(p.column or "") for p in ix.parts] == ["customer_id", "placed_at"]
               for ix in orders.indexes)
    junction = tables["book_author"]
    assert junction.kind == "junction"
    assert {c.name for c in junction.columns if c.in_pk} == {"author_id", "book_id"}
    # every FK has an index leading with its columns (the automatic FK indexes)
    for r in s.relationships:
        t = s.table(r.child_table)
        assert any(ix.parts and ix.parts[0].column == r.child_columns[0] for ix in t.indexes) \
            or [c.uid for c in sorted((c for c in t.columns if c.in_pk),
                                      key=lambda c: c.pk_order or 0)][:1] == \
            list(r.child_columns[:1])


def test_each_one_click_way_out(login_page: Callable[..., Page], url: Callable[[str], str],
                                make_user: Callable[..., Any],
                                shot: Callable[..., Any]) -> None:
    """KR-05 (NOT NULL on an FK whose ON DELETE is SET NULL) and CN-01 (a nullable column
    without a NULL meaning) clicked in the browser; IX-02 and KR-11 are clicked in the
    journey above."""
    from modeler.schema import actions, edit
    from modeler.schema import model as m
    from modeler.web import services
    from modeler.web.snapshot import materialize, snapshot

    project = services.project_create(name="Shop", slug="shop", owner=make_user("ann"))
    d = services.main_design(project)
    s, customer = actions.add_table(snapshot(d), name="customer",
                                    comment="A person who buys from the shop")
    s, purchase = actions.add_table(s, name="purchase", comment="One checkout of a basket")
    s, _ = actions.add_relationship(s, child_uid=purchase, parent_uid=customer, optional=True,
                                    on_delete="SET NULL", on_update="NO ACTION")
    s = edit.put_column(s, customer, m.Column(
        uid=actions.new_uid(), name="nickname", type=m.ColumnType("builtin", "text"),
        nullable=True, comment="What friends call them"), position=1)
    materialize(s, d)
    fk = next(c for c in s.table(purchase).columns if c.name == "customer_id")

    page = login_page("ann")
    page.goto(url(f"/p/shop/edit/?table={purchase}&column={fk.uid}"))
    wait_idle(page)
    ui = UI(page)
    edit_form = page.locator(f"#edit-{fk.uid} form")
    ui.click(edit_form.locator("input[name$='-nullable']"))  # untick: NOT NULL
    ui.click(edit_form.get_by_role("button", name="Save column"), posts=True, status=422)
    refusal = page.locator("#panel .refusal")
    expect(refusal).to_contain_text("KR-05")
    expect(refusal).to_be_in_viewport()
    shot(page, "kr05-refused")
    ui.click(refusal.get_by_role("button", name="Switch ON DELETE to RESTRICT/CASCADE, "
                                                "then save"), posts=True)
    after = design("shop")
    assert not after.column(fk.uid).nullable
    assert after.relationships[0].on_delete == "RESTRICT"
    assert ui.actions == 3

    # CN-01: the finding's Fix asks for the NULL meaning right there
    page.goto(url("/p/shop/edit/"))
    wait_idle(page)
    page.locator("#findings summary").click()
    fix = page.locator("form.inline-fix")
    expect(fix).to_have_count(1)
    fix.locator("input[name='null_meaning']").fill("they have not told us one")
    shot(page, "cn01-inline-fix")
    with page.expect_response(lambda r: r.request.method == "POST") as info:
        fix.get_by_role("button", name="Fix").click()
    assert info.value.status == 200
    wait_idle(page)
    nick = design("shop").table(customer).column_named("nickname")
    assert nick is not None and nick.null_meaning == "they have not told us one"
