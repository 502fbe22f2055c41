"""The diagram in the web app: inline SVG, positions stored and kept, drag, downloads, CLI."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from modeler.schema.builder import SchemaBuilder
from modeler.web import services
from modeler.web.snapshot import materialize, snapshot

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}
SVG = "{http://www.w3.org/2000/svg}"


def hostile_project(user: Any) -> Any:
    project = services.project_create(name="Shop", slug="shop", owner=user)
    b = SchemaBuilder(name="shop")
    c = b.table("customer", comment='People <b>who</b> buy "things" & more')
    c.column("id", "bigint", identity="always", pk=True)
    c.column("a<b>", "text", comment="]]><script>alert(1)</script>")
    c.timestamps()
    o = b.table("purchase", comment="An order placed by a customer")
    o.column("id", "bigint", identity="always", pk=True).column("customer_id", "bigint")
    o.timestamps().index("customer_id")
    b.relationship("purchase", ["customer_id"], "customer", on_delete="CASCADE",
                   on_update="NO ACTION", name='fk_x"y{|}')
    materialize(b.build(), services.main_design(project))
    return project


def test_editor_page_inlines_safe_svg_and_stores_positions(client: Client, user: Any) -> None:
    project = hostile_project(user)
    client.force_login(user)
    page = client.get(reverse("editor", args=["shop"]))
    assert page.status_code == 200
    html = page.content.decode()
    start, end = html.index("<svg"), html.index("</svg>") + len("</svg>")
    root = ET.fromstring(html[start:end])
    texts = "".join(root.itertext())
    assert "a<b>" in texts  # literal text, not markup
    assert not list(root.iter(f"{SVG}script"))
    assert "<script>alert" not in html[start:end]
    ids = {e.get("id") for e in root.iter() if e.get("id")}
    schema = snapshot(services.main_design(project))
    for t in schema.tables:
        assert f"table-{t.uid}" in ids
    assert f"rel-{schema.relationships[0].uid}" in ids
    assert all(t.position is not None for t in schema.tables)  # first view stored the layout


def test_drag_moves_one_table_only(client: Client, user: Any) -> None:
    project = hostile_project(user)
    client.force_login(user)
    client.get(reverse("editor", args=["shop"]))
    before = {t.uid: t.position for t in snapshot(services.main_design(project)).tables}
    target = next(iter(before))
    response = client.post(reverse("table_move", args=["shop", target]), {"dx": "40",
                                                                         "dy": "10"}, **HX)
    assert response.status_code == 204
    after = {t.uid: t.position for t in snapshot(services.main_design(project)).tables}
    assert after[target].x == pytest.approx(before[target].x + 40)
    assert after[target].y == pytest.approx(before[target].y - 10)
    assert all(after[u] == before[u] for u in before if u != target)
    bad = client.post(reverse("table_move", args=["shop", target]), {"dx": "x"}, **HX)
    assert bad.status_code == 422


def test_adding_a_table_keeps_the_others_in_place(client: Client, user: Any) -> None:
    project = hostile_project(user)
    client.force_login(user)
    client.get(reverse("editor", args=["shop"]))
    before = {t.uid: t.position for t in snapshot(services.main_design(project)).tables}
    client.post(reverse("table_add", args=["shop"]), {
        "new-name": "invoice", "new-namespace": "public", "new-comment": "Bills we send out",
        "new-kind": "entity", "new-delete_strategy": "hard"}, **HX)
    schema = snapshot(services.main_design(project))
    assert all(schema.table(u).position == p for u, p in before.items())
    new = schema.table_named("invoice")
    assert new is not None and new.position is not None


@pytest.mark.parametrize("fmt, magic", [("svg", b"<svg"), ("png", b"\x89PNG"),
                                        ("pdf", b"%PDF"), ("dot", b"digraph")])
def test_downloads(client: Client, user: Any, fmt: str, magic: bytes) -> None:
    hostile_project(user)
    client.force_login(user)
    response = client.get(reverse("diagram_download", args=["shop", fmt]))
    assert response.status_code == 200
    assert magic in response.content[:400]
    assert "attachment" in response["Content-Disposition"]


def test_render_diagram_command(user: Any, tmp_path: Path) -> None:
    project = hostile_project(user)
    schema = snapshot(services.main_design(project))
    ids = {t.name: f"table-{t.uid}" for t in schema.tables}
    out = tmp_path / "d.svg"
    call_command("render_diagram", "shop", "--format", "svg", "--out", str(out),
                 "--focus", "purchase", "--depth", "0", "--detail", "keys", stdout=StringIO())
    found = {e.get("id") for e in ET.fromstring(out.read_text()).iter()}
    assert ids["purchase"] in found and ids["customer"] not in found
    call_command("render_diagram", "shop", "--format", "svg", "--out", str(out),
                 "--focus", "purchase", "--depth", "1", stdout=StringIO())
    found = {e.get("id") for e in ET.fromstring(out.read_text()).iter()}
    assert ids["purchase"] in found and ids["customer"] in found
    with pytest.raises(CommandError, match="no table"):
        call_command("render_diagram", "shop", "--out", str(out), "--focus", "nope")


def test_view_prefs_are_validated_and_remembered(client: Client, user: Any) -> None:
    hostile_project(user)
    client.force_login(user)
    bad = client.post(reverse("save_view", args=["shop"]), {"detail": "everything"}, **HX)
    assert bad.status_code == 422
    ok = client.post(reverse("save_view", args=["shop"]), {"detail": "names",
                                                           "direction": "TB"}, **HX)
    assert ok.status_code == 204
    svg = client.get(reverse("diagram", args=["shop"])).content.decode()
    assert "a&lt;b&gt;" not in svg and "a<b>" not in svg  # names-only view hides columns


def test_auto_detail_shows_keys_only_on_huge_designs() -> None:
    from modeler.diagram.sample import synthetic_schema
    from modeler.web.diagrams import AUTO_KEYS_COLUMNS, clean_prefs, resolved_detail, view_options

    small = synthetic_schema(20)
    wide_tables = AUTO_KEYS_COLUMNS // 7 + 50  # synthetic tables have 7 columns
    big = synthetic_schema(wide_tables)
    assert sum(len(t.columns) for t in big.tables) > AUTO_KEYS_COLUMNS
    assert resolved_detail("auto", small) == "all"
    assert resolved_detail("auto", big) == "keys"
    assert view_options({"detail": "auto"}, big).detail == "keys"
    assert view_options(clean_prefs({"detail": "all"}, big), big).detail == "all"  # user wins
    with pytest.raises(ValueError, match="detail must be one of auto, all, keys, names"):
        clean_prefs({"detail": "everything"}, small)
