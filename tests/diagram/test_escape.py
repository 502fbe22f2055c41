"""The one escaping function and the safe identifiers."""

from __future__ import annotations

import importlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modeler.diagram.escape import (
    cluster_id,
    escape,
    node_id,
    port_id,
    quoted,
    safe_colour,
    svg_id,
    uid_hex,
)

HOSTILE = ["a<b>", 'x"y', "{|}", "&amp;", "]]>", "it's", "back\\slash", "\\N", "<TD>",
           "</TABLE>>", "\x00\x1f", "\ud800", "line\nbreak"]


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_has_no_markup_quote_or_backslash(text: str) -> None:
    out = escape(text)
    for bad in ('"', "<", ">", "\\", "\n", "'", "\x00", "\x1f"):
        assert bad not in out
    # Every ampersand starts a character reference.
    assert all(part.split(";")[0].replace("#", "").isalnum()
               for part in out.split("&")[1:])


def test_escape_values() -> None:
    assert escape("a<b>") == "a&lt;b&gt;"
    assert escape("&amp;") == "&amp;amp;"
    assert escape('x"y\'z') == "x&quot;y&#39;z"
    assert escape("a\\b") == "a&#92;&#92;b"  # Graphviz turns \\ into one literal \
    assert escape("a\nb") == "a&#10;b"
    assert escape("a\r\nb", multiline=False) == "a b"
    assert escape("a\tb") == "a b"
    assert escape("\x07") == "\ufffd"


def test_quoted_refuses_user_text() -> None:
    assert quoted("#aabbcc") == '"#aabbcc"'
    assert quoted("12.5,-3!") == '"12.5,-3!"'
    for bad in ('a"b', "a\\b", "a<b", "a\nb"):
        with pytest.raises(ValueError):
            quoted(bad)


def test_ids_from_uids() -> None:
    uid = "c70bb308-f9a2-5fd2-8e6a-2a802c73d426"
    assert node_id(uid) == "t_c70bb308f9a25fd28e6a2a802c73d426"
    assert port_id(uid) == "c_c70bb308f9a25fd28e6a2a802c73d426"
    assert uid_hex("not a uuid") == uid_hex("not a uuid")
    assert uid_hex("not a uuid").isalnum() and len(uid_hex("not a uuid")) == 32
    assert cluster_id('sales"<') .startswith("cluster_")
    assert cluster_id("a") != cluster_id("b")


def test_svg_id() -> None:
    uid = "c70bb308-f9a2-5fd2-8e6a-2a802c73d426"
    assert svg_id("table", uid) == f"table-{uid}"
    assert svg_id("column", uid, "type") == f"column-{uid}__type"
    for bad in ('x"y', "a b", "a__b", "", "<x>"):
        with pytest.raises(ValueError):
            svg_id("table", bad)


def test_safe_colour() -> None:
    assert safe_colour("#A0b1C2") == "#A0b1C2"
    assert safe_colour(" red ") == "red"
    assert safe_colour('red" onload="x') is None
    assert safe_colour("url(http://x)") is None


def _escape_slow(text: str, *, multiline: bool = True) -> str:
    """escape() without its fast path (the three substitutions, always)."""
    module = importlib.import_module("modeler.diagram.escape")  # the package shadows the name
    limit = module.TOOLTIP_LIMIT if multiline else module.VISIBLE_LIMIT  # escape()'s cut too
    if len(text) > limit:
        text = text[:limit - 1] + module.ELLIPSIS
    text = module._NOT_XML.sub("\ufffd", text).replace("\t", " ")
    if not multiline:
        text = module._NEWLINE.sub(" ", text)
    return module._SPECIAL.sub(lambda m: module._REPLACEMENTS.get(m.group(0), "&#10;"), text)


@settings(max_examples=400)
@given(st.text(alphabet=st.characters(codec=None, exclude_categories=())), st.booleans())
def test_fast_path_is_the_same_escaping(text: str, multiline: bool) -> None:
    assert escape(text, multiline=multiline) == _escape_slow(text, multiline=multiline)


@pytest.mark.parametrize("text", [*HOSTILE, "plain", "tab\there", "cr\rlf", "\x7f", "\ufffe"])
def test_fast_path_on_every_special_character(text: str) -> None:
    for multiline in (True, False):
        assert escape(text, multiline=multiline) == _escape_slow(text, multiline=multiline)


def test_uid_hex_fast_path_matches_uuid() -> None:
    import uuid as uuid_module

    for value in ("c70bb308-f9a2-5fd2-8e6a-2a802c73d426", "C70BB308-F9A2-5FD2-8E6A-2A802C73D426",
                  "{c70bb308-f9a2-5fd2-8e6a-2a802c73d426}", "c70bb308f9a25fd28e6a2a802c73d426"):
        assert uid_hex(value) == uuid_module.UUID(value).hex
    assert uid_hex("c70bb308-f9a2-5fd2-8e6a-2a802c73d426\n") != "c70bb308f9a25fd28e6a2a802c73d426\n"
