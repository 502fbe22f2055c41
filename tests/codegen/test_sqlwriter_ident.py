"""sqlwriter.ident spells identifiers as SQLAlchemy's PostgreSQL preparer does (it no longer
imports SQLAlchemy to do it: issue #17, the export's start-up)."""

from __future__ import annotations

import subprocess
import sys

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects.postgresql.base import RESERVED_WORDS

from modeler.codegen.sqlwriter import RESERVED_WORDS as OURS
from modeler.codegen.sqlwriter import ident

PREPARER = postgresql.dialect().identifier_preparer


def test_reserved_words_are_sqlalchemys() -> None:
    assert frozenset(RESERVED_WORDS) == OURS


def test_names_that_need_quotes_and_those_that_do_not() -> None:
    names = ["users", "User", "user", "USER", "order_items", "1st", "$x", "x$", "a b", 'a"b',
             "a%b", "", "ä", "Ä", "_", "a-b", "x\n", "ſ", "K", "café", "select", "selects",
             *sorted(RESERVED_WORDS)]
    for name in names:
        assert ident(name) == PREPARER.quote(name), name
    assert ident("a%b") == '"a%%b"'
    assert ident("Order") == '"Order"'
    assert ident("order_items") == "order_items"


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=12))
def test_any_text_as_sqlalchemy_quotes_it(name: str) -> None:
    assert ident(name) == PREPARER.quote(name)


def test_the_writer_imports_no_sqlalchemy() -> None:
    """The revisions, models and DESIGN.md are written without SQLAlchemy in the process:
    only schema.sql (modeler.codegen.ddl) imports it."""
    code = ("import sys, modeler.codegen.sqlwriter, modeler.codegen.bundle, "
            "modeler.codegen.migration; print('sqlalchemy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "False"
