"""The editor in headless Chromium: the user journey of issue 4, end to end.

Create a project through the UI, add two tables with columns through the panel forms, draw a
relationship and find its edge in the SVG, click a table in the diagram to open its panel,
rename it and see the diagram change, drag a table and find it at its new place after a
reload, and watch a second user's browser pick the change up by polling.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import wait_for_diagram as wait_idle

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The box of a table node in the drawing's own coordinates (the user space of the root
# group <g id="er-diagram">), independent of the viewBox zoom/pan and of the page layout.
NODE_BOX_JS = """(id) => {
  const g = document.getElementById(id);
  if (!g) return null;
  const b = g.getBBox();
  return {x: b.x, y: b.y, w: b.width, h: b.height};
}"""
# Screen pixels per drawing unit (uniform scale: preserveAspectRatio meet, no rotation).
PX_PER_UNIT_JS = """() => document.querySelector('#diagram svg g.node').getScreenCTM().a"""
# A point on screen where a click lands on the given edge (along its path, not under a node).
EDGE_POINT_JS = """(id) => {
  const edge = document.getElementById(id);
  for (const path of edge.querySelectorAll('path')) {
    const len = path.getTotalLength(), m = path.getScreenCTM();
    for (let f = 0.5; f > 0.02; f -= 0.04) {
      for (const at of [f, 1 - f]) {
        const p = path.getPointAtLength(len * at).matrixTransform(m);
        const hit = document.elementFromPoint(p.x, p.y);
        if (hit && hit.closest('g.edge') === edge) return {x: p.x, y: p.y};
      }
    }
  }
  return null;
}"""


def create_project(page: Page, url: Any, name: str, slug: str) -> None:
    page.goto(url("/"))
    page.get_by_role("link", name="New project").first.click()
    page.fill("#id_name", name)
    page.fill("#id_slug", slug)
    page.fill("#id_description", "Orders and customers of the web shop.")
    page.get_by_role("button", name="Create project").click()
    expect(page.locator("h1")).to_have_text(name)
    page.get_by_role("link", name="Open editor").click()
    page.wait_for_url(f"**/p/{slug}/edit/")
    wait_idle(page)


def add_table(page: Page, name: str, comment: str) -> str:
    """Add a table through the overview panel's form; returns its uid (from the panel)."""
    if page.locator("#add-table").count() == 0:
        page.get_by_role("link", name="← all tables").click()
    form = page.locator("#add-table")
    form.locator("#id_new-name").fill(name)
    form.locator("#id_new-comment").fill(comment)
    with page.expect_response(lambda r: r.request.method == "POST"):
        form.get_by_role("button", name="Add table").click()
    title = page.locator("#panel-title")
    expect(title).to_have_text(name)
    wait_idle(page)
    uid = title.get_attribute("data-table")
    assert uid
    return uid


def add_column(page: Page, name: str, type_: str, *, nullable: bool = False,
               null_meaning: str = "") -> None:
    section = page.locator("#add-column")
    if not section.evaluate("(d) => d.open"):  # it stays open after an add (issue 16)
        section.locator("summary").click()
    section.locator("#id_col-name").fill(name)
    section.locator("#id_col-type").select_option(type_)
    if nullable:
        section.locator("#id_col-nullable").check()
        section.locator("#id_col-null_meaning").fill(null_meaning)
    with page.expect_response(lambda r: r.request.method == "POST"):
        section.get_by_role("button", name="Add column").click()
    expect(page.locator("#columns code", has_text=name).first).to_be_visible()
    wait_idle(page)


def node_box(page: Page, uid: str) -> dict[str, float]:
    box = page.evaluate(NODE_BOX_JS, f"table-{uid}")
    assert box, f"no node table-{uid} in the diagram"
    return box


def relative(page: Page, uid: str, other: str) -> tuple[float, float]:
    """Where table ``uid`` is relative to table ``other``, in drawing units."""
    a, b = node_box(page, uid), node_box(page, other)
    return a["x"] - b["x"], a["y"] - b["y"]


def open_overview(page: Page) -> None:
    page.get_by_role("link", name="← all tables").click()
    expect(page.locator("#add-table")).to_be_visible()


def test_editor_journey(login_page: Any, add_member: Any, url: Any, shot: Any) -> None:
    page = login_page("alice", via_form=True)

    # -- a project through the UI, then the editor
    create_project(page, url, "Web shop", "shop")
    expect(page.locator("#diagram svg#empty")).to_be_visible()
    shot(page, "01-empty-editor")

    # -- two tables with columns, through the panel forms
    customer = add_table(page, "customer", "A person or company that buys from the shop.")
    add_column(page, "email", "text")
    orders = add_table(page, "purchase_order", "One order placed by a customer.")
    add_column(page, "placed_on", "date")
    add_column(page, "note", "text", nullable=True, null_meaning="no note given")
    svg = page.locator("#diagram svg")
    expect(svg.locator(f"#table-{customer}")).to_contain_text("email")
    expect(svg.locator(f"#table-{orders}")).to_contain_text("placed_on")
    shot(page, "02-two-tables")

    # -- a relationship: the FK column is created and the edge is drawn
    open_overview(page)
    section = page.locator("#add-relationship")
    section.locator("summary").click()
    section.locator("#id_rel-child").select_option(orders)
    section.locator("#id_rel-parent").select_option(customer)
    with page.expect_response(lambda r: r.request.method == "POST"):
        section.get_by_role("button", name="Draw relationship").click()
    expect(page.locator("#panel-title")).to_have_text("purchase_order")
    expect(page.locator("#columns")).to_contain_text("customer_id")
    wait_idle(page)
    edge = svg.locator("g.edge[id^=rel-]")
    expect(edge).to_have_count(1)
    rel_uid = (edge.get_attribute("id") or "")[len("rel-"):]
    expect(svg.locator(f"#table-{orders}")).to_contain_text("customer_id")
    shot(page, "03-relationship")

    # -- click a table in the diagram: its panel opens
    svg.locator(f"#table-{customer}").click()
    expect(page.locator("#panel-title")).to_have_text("customer")
    expect(page.locator("#panel-title")).to_have_attribute("data-table", customer)
    expect(svg.locator(f"#table-{customer}")).to_have_class("node selected")

    # -- click the relationship's line: the relationship panel opens
    point = page.evaluate(EDGE_POINT_JS, f"rel-{rel_uid}")
    assert point, "no visible point on the relationship's edge"
    page.mouse.click(point["x"], point["y"])
    expect(page.locator("#panel-title")).to_have_attribute("data-relationship", rel_uid)

    # -- rename a table: the diagram follows
    svg.locator(f"#table-{customer}").click()
    expect(page.locator("#panel-title")).to_have_text("customer")
    page.locator("#edit-table summary").click()
    page.fill("#id_tbl-name", "client")
    with page.expect_response(lambda r: r.request.method == "POST"):
        page.get_by_role("button", name="Save table").click()
    expect(page.locator("#panel-title")).to_have_text("client")
    expect(svg.locator(f"#table-{customer} text", has_text="client").first).to_be_visible()
    expect(svg.locator(f"#table-{customer}")).not_to_contain_text("customer")
    wait_idle(page)
    # still selected after the re-render (htmx's class settling used to drop it)
    expect(svg.locator(f"#table-{customer}")).to_have_class("node selected")
    shot(page, "04-renamed")

    # -- drag a table; after a reload it is where it was dropped
    before = relative(page, orders, customer)
    px_per_unit = page.evaluate(PX_PER_UNIT_JS)
    header = svg.locator(f"#table-{orders} [data-part=header]")
    hb = header.bounding_box()
    assert hb
    x0, y0 = hb["x"] + hb["width"] / 3, hb["y"] + hb["height"] / 2
    move_px = (60.0, 140.0)
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x0 + move_px[0] / 2, y0 + move_px[1] / 2, steps=4)
    page.mouse.move(x0 + move_px[0], y0 + move_px[1], steps=4)
    with page.expect_response(lambda r: r.url.endswith("/move/")) as moved:
        page.mouse.up()
    assert moved.value.status == 204
    page.wait_for_load_state("networkidle")
    wait_idle(page)
    page.reload()
    wait_idle(page)
    after = relative(page, orders, customer)
    want = (before[0] + move_px[0] / px_per_unit, before[1] + move_px[1] / px_per_unit)
    assert after == pytest.approx(want, abs=2.0), (before, after, want)
    shot(page, "05-after-drag-reload")

    # -- a second user on the same project sees the change within 5 s (polling every 3 s)
    add_member("shop", "bob", "editor")
    other = login_page("bob")
    other.goto(url("/p/shop/edit/"))
    wait_idle(other)
    expect(other.locator("#diagram svg g.node")).to_have_count(2)
    with other.expect_response(lambda r: "/edit/poll/" in r.url, timeout=5_000) as poll:
        pass
    assert poll.value.status == 204  # nothing changed: the cheap answer
    t0 = time.monotonic()
    invoice = add_table(page, "invoice", "A bill sent to a client for one or more orders.")
    expect(other.locator(f"#diagram svg #table-{invoice}")).to_be_visible(
        timeout=max(100, 5_000 - (time.monotonic() - t0) * 1000))
    assert time.monotonic() - t0 < 5.0
    # ... and the panel follows: the overview's table list names the new table
    expect(other.locator("#table-list a", has_text="invoice")).to_be_visible(
        timeout=max(100, 5_000 - (time.monotonic() - t0) * 1000))
    shot(other, "06-second-user")

    # -- the open table panel follows too, unless the user is typing in it
    other.locator("#table-list a", has_text="invoice").click()
    expect(other.locator("#panel-title")).to_have_text("invoice")
    wait_idle(other)
    t0 = time.monotonic()
    add_column(page, "issued_on", "date")
    expect(other.locator("#columns code", has_text="issued_on").first).to_be_visible(
        timeout=max(100, 5_000 - (time.monotonic() - t0) * 1000))
    assert time.monotonic() - t0 < 5.0
    section = other.locator("#add-column")
    section.locator("summary").click()
    section.locator("#id_col-name").fill("bobs_draft")
    add_column(page, "due_on", "date")
    notice = other.locator("#stale-panel")
    expect(notice).to_be_visible(timeout=5_000)
    assert section.locator("#id_col-name").input_value() == "bobs_draft"  # nothing lost
    expect(other.locator("#columns code", has_text="due_on")).to_have_count(0)
    shot(other, "07-stale-panel-notice")
    notice.get_by_role("button", name="Show the current state").click()
    expect(other.locator("#columns code", has_text="due_on").first).to_be_visible()
    expect(notice).to_have_count(0)


def shop_design() -> Any:
    """A small but realistic design: seven tables in two subject areas, two enums."""
    from modeler.schema.builder import SchemaBuilder

    b = SchemaBuilder(name="web shop")
    b.enum("order_status", ["new", "paid", "shipped", "cancelled"])
    b.enum("payment_method", ["card", "bank_transfer", "invoice"])
    cu = b.table("customer", comment="A person or company that buys from the shop.",
                 subject_area="sales")
    cu.column("id", "bigint", identity="always", pk=True)
    cu.column("email", "varchar", length=320, comment="Login name")
    cu.column("display_name", "text")
    cu.column("phone", "text", nullable=True, null_meaning="no phone number given")
    cu.timestamps().unique("email")
    ad = b.table("address", comment="A postal address of a customer.", subject_area="sales")
    ad.column("id", "bigint", identity="always", pk=True)
    ad.column("customer_id", "bigint")
    ad.column("street", "text")
    ad.column("postal_code", "varchar", length=16)
    ad.column("city", "text")
    ad.column("country", "char", length=2)
    ad.index("customer_id")
    ca = b.table("category", comment="A shelf of the catalogue; categories nest.",
                 subject_area="catalog", kind="lookup")
    ca.column("id", "bigint", identity="always", pk=True)
    ca.column("parent_id", "bigint", nullable=True, null_meaning="top-level category")
    ca.column("name", "text")
    ca.index("parent_id")
    pr = b.table("product", comment="Something the shop sells.", subject_area="catalog")
    pr.column("id", "bigint", identity="always", pk=True)
    pr.column("category_id", "bigint")
    pr.column("sku", "varchar", length=40)
    pr.column("title", "text")
    pr.column("price", "numeric", precision=10, scale=2)
    pr.timestamps().unique("sku").index("category_id")
    pr.check("ck_product_price", "price >= 0")
    po = b.table("purchase_order", comment="One order placed by a customer.",
                 subject_area="sales")
    po.column("id", "bigint", identity="always", pk=True)
    po.column("customer_id", "bigint")
    po.column("shipping_address_id", "bigint")
    po.column("status", enum="order_status", default="'new'")
    po.column("placed_at", "timestamptz")
    po.timestamps().index("customer_id").index("shipping_address_id")
    po.query_pattern("orders_of_customer", equality=("customer_id",), order_by=("-placed_at",),
                     hot=True)
    ol = b.table("order_line", comment="One product on an order, with its quantity.",
                 subject_area="sales", kind="junction")
    ol.column("order_id", "bigint", pk=True)
    ol.column("product_id", "bigint", pk=True)
    ol.column("quantity", "integer")
    ol.column("unit_price", "numeric", precision=10, scale=2)
    ol.index("product_id")
    ol.check("ck_order_line_quantity", "quantity > 0")
    pa = b.table("payment", comment="Money received for an order.", subject_area="sales")
    pa.column("id", "bigint", identity="always", pk=True)
    pa.column("order_id", "bigint")
    pa.column("method", enum="payment_method")
    pa.column("amount", "numeric", precision=10, scale=2)
    pa.column("paid_at", "timestamptz")
    pa.index("order_id")
    b.relationship("address", ["customer_id"], "customer", on_delete="CASCADE",
                   on_update="NO ACTION")
    b.relationship("category", ["parent_id"], "category", on_delete="RESTRICT",
                   on_update="NO ACTION")
    b.relationship("product", ["category_id"], "category", on_delete="RESTRICT",
                   on_update="NO ACTION")
    b.relationship("purchase_order", ["customer_id"], "customer", on_delete="RESTRICT",
                   on_update="NO ACTION")
    b.relationship("purchase_order", ["shipping_address_id"], "address",
                   on_delete="RESTRICT", on_update="NO ACTION")
    b.relationship("order_line", ["order_id"], "purchase_order", on_delete="CASCADE",
                   on_update="NO ACTION")
    b.relationship("order_line", ["product_id"], "product", on_delete="RESTRICT",
                   on_update="NO ACTION")
    b.relationship("payment", ["order_id"], "purchase_order", on_delete="RESTRICT",
                   on_update="NO ACTION")
    return b.build()


def test_editor_screenshot(login_page: Any, make_user: Any, url: Any, shot: Any) -> None:
    """The README screenshot: a realistic design, one table open in the panel. Written to
    test-artifacts/ always, and to docs/editor.png with UPDATE_DOCS_SCREENSHOT=1.

    The tables sit where a top-to-bottom layout puts them (the view's direction is TB):
    that fits the diagram pane better than the default left-to-right strip."""
    from modeler import diagram
    from modeler.web import services
    from modeler.web.models import ViewPrefs
    from modeler.web.snapshot import materialize

    alice = make_user("alice")
    project = services.project_create(name="Web shop", slug="shop", owner=alice,
                                      description="Orders, payments and the catalogue.")
    schema = shop_design()
    positions = diagram.layout(schema, diagram.ViewOptions(direction="TB"), relayout=True)
    schema = replace(schema, tables=tuple(replace(t, position=positions[t.uid])
                                          for t in schema.tables))
    materialize(schema, services.main_design(project))
    ViewPrefs.objects.create(project=project, user=alice, options={"direction": "TB"})
    page = login_page("alice")
    page.goto(url("/p/shop/edit/"))
    wait_idle(page)
    svg = page.locator("#diagram svg")
    expect(svg.locator("g.node")).to_have_count(len(schema.tables))
    expect(svg.locator("g.edge[id^=rel-]")).to_have_count(len(schema.relationships))
    selected = next(t for t in schema.tables if t.name == "purchase_order")
    svg.locator(f"#table-{selected.uid} [data-part=header]").click()
    expect(page.locator("#panel-title")).to_have_text("purchase_order")
    wait_idle(page)
    page.mouse.move(0, 0)  # no hover tooltip in the picture
    path = shot(page, "readme")
    if os.environ.get("UPDATE_DOCS_SCREENSHOT"):
        docs = ROOT / "docs" / "editor.png"
        docs.parent.mkdir(exist_ok=True)
        shutil.copyfile(path, docs)
