"""The 6-table bookstore of issue 16 as a schema (for diagram tests and screenshots)."""

from __future__ import annotations

from modeler.schema.builder import SchemaBuilder
from modeler.schema.model import Schema


def bookstore() -> Schema:
    b = SchemaBuilder(name="bookstore")
    b.enum("order_status", ["new", "paid", "shipped", "cancelled"])
    a = b.table("author", comment="Writers of books", subject_area="catalog")
    a.column("id", "bigint", identity="always", pk=True)
    a.column("name", "text")
    a.column("born", "date", nullable=True)
    k = b.table("book", comment="A title we sell", subject_area="catalog")
    k.column("id", "bigint", identity="always", pk=True)
    k.column("isbn", "varchar", length=13)
    k.column("title", "text")
    k.column("price", "numeric", precision=10, scale=2)
    k.unique("isbn")
    k.check("ck_book_price", "price >= 0")
    ba = b.table("book_author", subject_area="catalog", kind="junction")
    ba.column("book_id", "bigint", pk=True)
    ba.column("author_id", "bigint", pk=True)
    c = b.table("customer", comment="People who buy books", subject_area="sales")
    c.column("id", "bigint", identity="always", pk=True)
    c.column("email", "varchar", length=320)
    c.column("name", "text")
    c.unique("email")
    o = b.table("orders", comment="A purchase", subject_area="sales")
    o.column("id", "bigint", identity="always", pk=True)
    o.column("customer_id", "bigint")
    o.column("status", enum="order_status")
    o.column("placed_at", "timestamptz")
    o.index("customer_id", "placed_at")
    line = b.table("order_line", subject_area="sales")
    line.column("order_id", "bigint", pk=True)
    line.column("book_id", "bigint", pk=True)
    line.column("quantity", "integer")
    line.column("unit_price", "numeric", precision=10, scale=2)
    b.relationship("book_author", ["book_id"], "book", on_delete="CASCADE")
    b.relationship("book_author", ["author_id"], "author", on_delete="CASCADE")
    b.relationship("orders", ["customer_id"], "customer", on_delete="RESTRICT")
    b.relationship("order_line", ["order_id"], "orders", on_delete="CASCADE")
    b.relationship("order_line", ["book_id"], "book", on_delete="RESTRICT")
    return b.build()
