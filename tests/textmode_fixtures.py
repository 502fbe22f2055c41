"""The set-up the text-mode tests share (tests/web/test_textmode.py and
tests/browser/test_textmode.py): the bookstore written as DBML, and the project it is
typed into (slug ``books``)."""

from __future__ import annotations

from typing import Any

ORDER_STATUS = """\
Enum order_status {
  pending
  paid
  shipped
}
"""

AUTHOR = """\
Table author {
  id bigint [pk, increment]
  name text [not null, note: 'Display name']
  created_at timestamptz [not null, default: `now()`]
  updated_at timestamptz [not null, default: `now()`]
  Note: 'A person who writes books; created when the first book is entered'
}
"""

BOOK = """\
Table book {
  id bigint [pk, increment]
  title text [not null, note: 'As printed on the cover']
  author_id bigint [not null]
  price numeric(10,2) [not null, default: 0, note: 'Shelf price in EUR']
  created_at timestamptz [not null, default: `now()`]
  updated_at timestamptz [not null, default: `now()`]
  Note: 'A title in the catalogue; created when it is listed'
}
"""

CUSTOMER = """\
Table customer {
  id bigint [pk, increment]
  email text [not null, unique, note: 'Where receipts go']
  created_at timestamptz [not null, default: `now()`]
  updated_at timestamptz [not null, default: `now()`]
  Note: 'A buyer; created at the first checkout'
}
"""


def _ref(child: str, parent: str) -> str:
    return f"Ref: {child}.{parent}_id > {parent}.id [delete: restrict, update: cascade]\n"


def bookstore_dbml(*, customers: bool = False) -> str:
    """author, book and orders (one book per order) with the enum ``order_status``; with
    ``customers``, also customer and the order's customer_id."""
    parents = ["book", "customer"] if customers else ["book"]
    orders = "".join([
        "Table orders {\n",
        "  id bigint [pk, increment]\n",
        "  status order_status [not null, default: 'pending', note: 'Where the order is']\n",
        *(f"  {p}_id bigint [not null]\n" for p in parents),
        "  created_at timestamptz [not null, default: `now()`]\n",
        "  updated_at timestamptz [not null, default: `now()`]\n",
        "  Note: 'One purchase of one book; created at checkout'\n",
        "}\n"])
    tables = [AUTHOR, BOOK, *([CUSTOMER] if customers else []), orders]
    refs = [_ref("book", "author"), *(_ref("orders", p) for p in parents)]
    return "\n".join([ORDER_STATUS, *tables, "".join(refs)])


def books_project(owner: Any, name: str = "Books") -> Any:
    """The project the bookstore is typed into: slug ``books``, owned by ``owner``."""
    from modeler.web import services

    return services.project_create(name=name, slug="books", owner=owner)
