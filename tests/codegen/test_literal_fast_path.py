"""Issue 17: migration_code.lit's fast path for plain strings gives what repr-based quoting
gives (the revision files stay byte-identical)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from modeler.codegen.migration_code import lit


def _by_repr(value: object) -> str:
    """lit as it was: repr, with double quotes for a string holding none."""
    text = repr(value)
    if isinstance(value, str) and text.startswith("'") and '"' not in value:
        text = '"' + text[1:-1].replace("\\'", "'") + '"'
    return text


@given(st.text() | st.text(alphabet="ab '\"\\\n\t\u00e9\u2028\udc80 ") | st.integers()
       | st.none() | st.booleans())
def test_lit_is_repr_based_quoting(value: object) -> None:
    assert lit(value) == _by_repr(value)


def test_lit_examples() -> None:
    assert lit("users") == '"users"'
    assert lit("it's") == '"it\'s"'
    assert lit('say "hi"') == "'say \"hi\"'"
    assert lit("caf\u00e9") == '"caf\u00e9"'
    assert lit("a\\b") == '"a\\\\b"'
    assert lit("tab\there") == '"tab\\there"'
