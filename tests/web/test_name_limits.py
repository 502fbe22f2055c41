"""The editor's forms take names PostgreSQL keeps whole: at most 63 bytes. The forms take
ASCII names only (letters, digits, _ and $), so 63 characters are 63 bytes; a non-ASCII
name (where characters and bytes differ: 63 'é' are 126 bytes) is refused with the rule.
Longer names typed in text mode (DBML) are cut as PostgreSQL cuts them, with a warning
(tests/importers/test_dbml_long_names.py)."""

from __future__ import annotations

import pytest
from django import forms

from modeler.web.editor_forms import _ident


def test_a_name_of_63_ascii_characters_is_taken() -> None:
    assert _ident("a" * 63) == "a" * 63
    assert _ident("  t_$1  ") == "t_$1"


@pytest.mark.parametrize("name", ["a" * 64, "é" * 63, "é", "ab\u00e9", "9a", "", "a-b"])
def test_what_postgresql_would_cut_or_the_forms_cannot_say_is_refused(name: str) -> None:
    with pytest.raises(forms.ValidationError) as caught:
        _ident(name, "table name")
    message = " ".join(caught.value.messages)
    assert "A table name is 1–63 characters" in message
    assert "63 bytes" in message and "ASCII" in message
