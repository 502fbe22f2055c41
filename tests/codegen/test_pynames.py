"""The one sanitizer for generated Python identifiers."""

from __future__ import annotations

import pytest

from modeler.codegen import pynames


@pytest.mark.parametrize(("raw", "expected"), [
    ("email", "email"), ("class", "class_"), ("1st", "_1st"), ("a b-c", "a_b_c"),
    ("Größe", "Groe"), ("", "x"), ("__x__", "x"), ("_sa_state", "sa_state"),
])
def test_identifier(raw: str, expected: str) -> None:
    assert pynames.identifier(raw) == expected


def test_identifier_avoids_reserved_names() -> None:
    assert pynames.identifier("metadata", reserved={"metadata"}) == "metadata_"
    assert pynames.identifier("sa", reserved={"sa", "sa_"}) == "sa__"


@pytest.mark.parametrize(("raw", "expected"), [
    ("order_line", "OrderLine"), ("Order Details", "OrderDetails"), ("OrderLine", "OrderLine"),
    ("2fa codes", "N2faCodes"), ("HTTPLog", "HttpLog"),
])
def test_pascal(raw: str, expected: str) -> None:
    assert pynames.pascal(raw) == expected


def test_plural_and_constant() -> None:
    assert [pynames.plural(w) for w in ("order", "category", "day", "box", "bus")] == \
        ["orders", "categories", "days", "boxes", "buses"]
    assert pynames.constant("in-progress") == "IN_PROGRESS"
    assert pynames.constant("2fa") == "V_2FA"


def test_allocator_numbers_collisions() -> None:
    alloc = pynames.Allocator({"a"})
    assert [alloc.take("a"), alloc.take("a"), alloc.take("b")] == ["a_2", "a_3", "b"]


def test_import_names() -> None:
    assert pynames.import_names({"import sqlalchemy as sa", "from x.y import A, B as C",
                                 "import os.path"}) == {"sa", "A", "C", "os"}


def test_plural_of_a_plural_table_name_is_itself() -> None:
    """Tables named in the plural (``users``, ``book_authors``, ``categories``: most DBML and
    Drizzle schemas) gave ``userses``, ``book_authorses`` and ``categorieses`` as the names
    of their collections (``db.query.authors.findMany({ with: { bookAuthorses: true } })``).
    Singular words ending in s keep their plural."""
    words = ("users", "book_authors", "categories", "orders", "order_lines", "status",
             "address", "bus", "analysis", "box", "order")
    assert [pynames.plural(w) for w in words] == [
        "users", "book_authors", "categories", "orders", "order_lines", "statuses",
        "addresses", "buses", "analyses", "boxes", "orders"]
