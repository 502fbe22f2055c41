"""An expression already in canonical spelling (as every stored one is) is parsed once: the
check that the printed text parses back to the same tree is only needed when the printer
wrote something else. Either way the result is the same."""

from __future__ import annotations

from typing import Any

import pytest

from modeler.schema import sqlexpr


@pytest.mark.parametrize(("text", "parses"), [
    ("lower(name)", 1),
    ("(price * 2) > 0", 1),
    ("LOWER( name )", 2),
    ("price*2>0", 2),
    ("(c AT TIME ZONE 'UTC')::date", 1),
])
def test_canonical_text_is_parsed_once(monkeypatch: pytest.MonkeyPatch, text: str,
                                       parses: int) -> None:
    calls: list[str] = []
    real = sqlexpr._parse_one

    def counting(body: str, *args: Any) -> Any:
        calls.append(body)
        return real(body, *args)

    sqlexpr._parse_cached.cache_clear()
    monkeypatch.setattr(sqlexpr, "_parse_one", counting)
    parsed = sqlexpr.parse(text)
    assert len(calls) == parses
    monkeypatch.undo()
    sqlexpr._parse_cached.cache_clear()
    assert sqlexpr.parse(text) == parsed  # what the full check gives
    assert sqlexpr.canonical(parsed.canonical) == parsed.canonical


def test_a_printer_limit_is_still_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A text whose printed form differs is still parsed back and compared: a printer that
    changed the meaning is refused, as before."""
    sqlexpr._parse_cached.cache_clear()
    monkeypatch.setattr(sqlexpr, "_printed", lambda node: "1 + 1")
    with pytest.raises(sqlexpr.ExpressionError, match="printed back"):
        sqlexpr.parse("lower(name)")
    sqlexpr._parse_cached.cache_clear()
