"""Fixtures for diagram tests: a small shop design and SVG helpers."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from modeler.schema.builder import SchemaBuilder
from modeler.schema.model import Position, Schema

SVG = "{http://www.w3.org/2000/svg}"
HAS_GRAPHVIZ = all(shutil.which(p) for p in ("dot", "neato"))
needs_graphviz = pytest.mark.skipif(not HAS_GRAPHVIZ, reason="Graphviz is not installed")


def shop() -> Schema:
    """Five tables in two namespaces and two subject areas, an enum, a domain, a
    self-reference, a composite key and every interesting ON DELETE."""
    b = SchemaBuilder(name="shop")
    b.enum("order_status", ["new", "paid", "shipped"])
    b.domain("email", "varchar", length=320)
    c = b.table("customer", comment="People who buy things", subject_area="sales")
    c.column("id", "bigint", identity="always", pk=True)
    c.column("email", domain="email", comment="Login name")
    c.column("name", "text")
    c.column("referred_by", "bigint", nullable=True)
    c.unique("email")
    p = b.table("product", subject_area="catalog", kind="lookup")
    p.column("id", "bigint", identity="always", pk=True)
    p.column("sku", "varchar", length=40)
    p.column("price", "numeric", precision=10, scale=2)
    p.index("sku", unique=True)
    o = b.table("order_", comment="A purchase", subject_area="sales")
    o.column("id", "bigint", identity="always", pk=True)
    o.column("customer_id", "bigint")
    o.column("status", enum="order_status")
    o.column("placed_at", "timestamptz", nullable=True)
    line = b.table("order_line", subject_area="sales", kind="junction")
    line.column("order_id", "bigint", pk=True)
    line.column("product_id", "bigint", pk=True)
    line.column("qty", "integer")
    ev = b.table("event", namespace="audit")
    ev.column("id", "bigint", identity="always", pk=True)
    ev.column("customer_id", "bigint", nullable=True)
    ev.column("payload", "jsonb", nullable=True)
    b.relationship("order_", ["customer_id"], "customer", on_delete="RESTRICT")
    b.relationship("order_line", ["order_id"], "order_", on_delete="CASCADE")
    b.relationship("order_line", ["product_id"], "product", on_delete="NO ACTION")
    b.relationship("event", ["customer_id"], "customer", child_ns="audit",
                   on_delete="SET NULL")
    b.relationship("customer", ["referred_by"], "customer", name="fk_customer_referrer")
    return b.build()


SHOP_POSITIONS = {
    "customer": Position(120.0, 400.0),
    "product": Position(120.0, 120.0),
    "order_": Position(420.0, 400.0),
    "order_line": Position(700.0, 260.0),
    "event": Position(420.0, 640.0),
}


def with_positions(schema: Schema, positions: dict[str, Position]) -> Schema:
    """``schema`` with the given tables (by name) placed, the others unplaced."""
    return replace(schema, tables=tuple(
        replace(t, position=positions.get(t.name)) for t in schema.tables))


@pytest.fixture
def schema() -> Schema:
    return shop()


@pytest.fixture
def placed() -> Schema:
    return with_positions(shop(), SHOP_POSITIONS)


def parse_svg(data: bytes) -> ET.Element:
    """The SVG document as an element tree (fails the test when not well-formed)."""
    return ET.fromstring(data)


def node_groups(root: ET.Element) -> dict[str, ET.Element]:
    """data-uid → ``<g class="node">`` element."""
    return {g.get("data-uid", ""): g for g in root.iter(f"{SVG}g") if g.get("class") == "node"}


def node_centre(group: ET.Element) -> tuple[float, float]:
    """Centre of a node's outer border polygon, in SVG user units (y down)."""
    xs: list[float] = []
    ys: list[float] = []
    for poly in group.iter(f"{SVG}polygon"):
        for pair in (poly.get("points") or "").split():
            x, y = pair.split(",")
            xs.append(float(x))
            ys.append(float(y))
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2
