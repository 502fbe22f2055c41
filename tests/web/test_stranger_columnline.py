"""The quick column entry names a reserved word as such: ``select int`` (or ``user text``,
``ORDER int``) was refused with the parser's "syntax error at or near "select" (at character
1)", which does not say why a first-time user's column name is wrong."""

from __future__ import annotations

import pytest

from modeler.web import columnline
from tests.web.test_columnline import design


@pytest.mark.parametrize(("line", "word"), [
    ("select int", "select"), ("user text not null", "user"), ("ORDER int", "order"),
    ("table text -- the table it sits at", "table"),
])
def test_a_reserved_word_as_the_name_is_said_so(line: str, word: str) -> None:
    s, book = design()
    with pytest.raises(columnline.LineError) as info:
        columnline.parse(line, s, book)
    assert str(info.value) == (f"Not a column definition: '{word}' is a reserved word in "
                               f"PostgreSQL; choose another name ({word}_, for example).")


def test_other_syntax_errors_keep_the_parsers_words() -> None:
    s, book = design()
    with pytest.raises(columnline.LineError) as info:
        columnline.parse("price numeric(10,2) not nul", s, book)
    assert "syntax error at or near" in str(info.value)
    assert "reserved word" not in str(info.value)
    # words PostgreSQL does not reserve are names like any other
    got = columnline.parse("name text not null -- what it is called", s, book)
    assert got.column.name == "name"
