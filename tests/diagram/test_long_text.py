"""Long user text never breaks a diagram (issue #12).

Graphviz refuses an HTML-like label whose attribute value or text run is longer than about
16 KB ("syntax error ... scanning a HTML string (... longer than 16384?)"), and then the whole
diagram fails. Comments have no length limit, imported names need not fit PostgreSQL's 63
bytes, and escaping multiplies a character by up to ten bytes (a backslash becomes
``&#92;&#92;``). The diagram clips what it shows and what its tooltips carry; the stored
text stays whole.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from modeler.diagram import ViewOptions, escape, render_diagram, to_dot
from modeler.diagram.build import build_graph
from modeler.diagram.engine import EngineSettings
from modeler.diagram.escape import TOOLTIP_LIMIT, VISIBLE_LIMIT
from modeler.schema import model as m
from modeler.schema.builder import SchemaBuilder
from tests.diagram.conftest import SVG, needs_graphviz, parse_svg

# long texts of every kind of character escaping grows: plain, markup, backslashes,
# line breaks, four-byte UTF-8
LONG_TEXTS = {
    "plain": "A" * 20_000,
    "markup": "<b>&amp;</b>\"'" * 2_000,
    "backslashes": "\\" * 17_000,
    "lines": "first line\r\nsecond line\n" * 1_500,
    "emoji": "\U0001F600" * 9_000,
    "mixed": ("Ä\\<\n\t" + "x" * 40) * 600,
}


def long_schema(text: str, *, name_length: int = 63) -> m.Schema:
    """Every user string that reaches the diagram, long: table, column, relationship and
    enum comments, a subject area, an enum with long labels, names of ``name_length``."""
    b = SchemaBuilder(name="long")
    b.enum("e" * min(name_length, 63), [text[:63] or "x", "l" * 63],
           comment=text)
    t = b.table("t" * name_length, comment=text, subject_area=text[:5000] or "area")
    t.column("id", "bigint", identity="always", pk=True)
    t.column("c" * name_length, "text", comment=text)
    t.column("status", enum="e" * min(name_length, 63), comment=text)
    t.column("shape", custom="g" * max(name_length, 5_000), comment=text)
    p = b.table("parent", comment=text, subject_area="other")
    p.column("id", "bigint", identity="always", pk=True)
    t.column("parent_id", "bigint")
    b.relationship("t" * name_length, ["parent_id"], "parent", comment=text,
                   name="f" * name_length)
    return b.build()


def tokens(dot: str) -> list[str]:
    """Every attribute value and every text run of the DOT's HTML-like labels."""
    return re.findall(r'"([^"]*)"', dot) + re.findall(r">([^<>]+)<", dot)


@pytest.mark.parametrize("kind", sorted(LONG_TEXTS))
def test_no_label_token_reaches_graphviz_limit(kind: str) -> None:
    schema = long_schema(LONG_TEXTS[kind], name_length=2_000)
    for options in (ViewOptions(), ViewOptions(detail="keys"), ViewOptions(detail="names"),
                    ViewOptions(status={schema.tables[0].uid: "changed"},
                                comments={schema.tables[0].uid: 3})):
        dot = to_dot(build_graph(schema, options), EngineSettings("dot"))
        longest = max(len(t.encode()) for t in tokens(dot))
        assert longest < 16_000, (kind, longest)


def test_escape_clips_before_escaping() -> None:
    assert escape("a" * 10) == "a" * 10
    assert len(escape("a" * 50_000)) <= TOOLTIP_LIMIT
    assert escape("a" * 50_000).endswith("\u2026")
    assert len(escape("b" * 5_000, multiline=False)) <= VISIBLE_LIMIT
    # the cut never splits a character reference
    clipped = escape("&" * 50_000)
    assert clipped.endswith("&amp;\u2026") and len(clipped.encode()) < 16_000
    assert escape("\\" * 50_000).endswith("&#92;&#92;\u2026")
    assert escape("x" * 100, limit=10) == "x" * 9 + "\u2026"


@needs_graphviz
@pytest.mark.parametrize("kind", sorted(LONG_TEXTS))
@pytest.mark.parametrize("fmt", ["svg", "png"])
def test_long_text_renders(kind: str, fmt: str) -> None:
    schema = long_schema(LONG_TEXTS[kind])
    body = render_diagram(schema, ViewOptions(), fmt, timeout=60)
    assert body
    if fmt == "svg":
        root = parse_svg(body)
        tooltips = [t.text or "" for g in root.iter(f"{SVG}g") if g.get("data-part")
                    for t in g.iter(f"{SVG}title")]
        assert tooltips and any(t.endswith("\u2026") for t in tooltips)  # clipped, there
        assert all(len(t) <= TOOLTIP_LIMIT for t in tooltips)


@needs_graphviz
def test_a_wide_table_of_long_comments_renders() -> None:
    """Many rows, each with a long tooltip: the label as a whole may be large."""
    b = SchemaBuilder(name="wide")
    t = b.table("wide", comment="W" * 30_000)
    t.column("id", "bigint", identity="always", pk=True)
    for i in range(60):
        t.column(f"col_{i}", "text", comment=f"{i} " + "\\<&" * 3_000)
    root = parse_svg(render_diagram(b.build(), ViewOptions(), "svg", timeout=60))
    assert isinstance(root, ET.Element)


def test_the_stored_text_stays_whole() -> None:
    schema = long_schema(LONG_TEXTS["plain"])
    table = next(t for t in schema.tables if t.name.startswith("t"))
    node = build_graph(schema).node_of_table(table.uid)
    assert node is not None and node.comment == LONG_TEXTS["plain"]  # clipped only in DOT
    assert replace(table).comment == LONG_TEXTS["plain"]
