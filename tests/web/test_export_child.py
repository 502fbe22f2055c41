"""Issue 17: the export's child process hands back models.py and schema.sql as one text."""

from __future__ import annotations

import pytest

from modeler.web.exporting import _joined, _parts


@pytest.mark.parametrize(("first", "second"), [
    ("", ""), ("12\n", "3\n4"), ("caf\u00e9 \udc80\n" * 3, "x"), ("a", ""), ("", "9\n9"),
])
def test_two_texts_come_apart_as_they_were(first: str, second: str) -> None:
    assert _parts(_joined(first, second)) == (first, second)
