"""The SVG sanitiser, one parser event at a time (issue 15: each event is one method of
``modeler.diagram.svg._Sanitiser``): what each start tag, end tag, text, document type and
entity turns into, as exact output."""

from __future__ import annotations

import pytest

from modeler.diagram import UnsafeSvg, sanitize_svg

OPEN = (b'<svg xmlns="http://www.w3.org/2000/svg" '
        b'xmlns:xlink="http://www.w3.org/1999/xlink">')
ROOT = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'font-family="Helvetica,sans-Serif" font-size="10.00"')


def inner(body: bytes) -> str:
    """What the sanitiser writes inside the root for ``body``."""
    out = sanitize_svg(OPEN + body + b"</svg>").decode()
    assert out.startswith(ROOT)
    rest = out[len(ROOT):]
    return "" if rest == "/>\n" else rest.removeprefix(">").removesuffix("</svg>\n")


@pytest.mark.parametrize(("body", "expected"), [
    # elements that run code or fetch something go, with everything inside them
    (b"<script>alert(1)</script><g/>", "<g/>"),
    (b"<foreignObject><div>x</div><g/></foreignObject><g/>", "<g/>"),
    (b'<set attributeName="href" to="javascript:x"/><animate/><style>x{}</style>', ""),
    (b'<h:p xmlns:h="http://www.w3.org/1999/xhtml"><g/></h:p><g/>', "<g/>"),
    # Graphviz's titles (DOT names) go; other titles stay
    (b'<g class="node"><title>t_abc</title></g><title>kept</title>',
     '<g class="node"/><title>kept</title>'),
])
def test_start_tag_drops_elements_and_their_content(body: bytes, expected: str) -> None:
    assert inner(body) == expected


@pytest.mark.parametrize(("body", "expected"), [
    (b'<g onclick="x()" ONMOUSEOVER="y()" id="k"/>', '<g id="k"/>'),  # event handlers
    (b'<a xlink:href="javascript:alert(1)"><text>a</text></a>', "<a><text>a</text></a>"),
    (b'<a href=" JavaScript:x"/><a href="http://e/"/><a href="#ok"/>',
     '<a/><a/><a href="#ok"/>'),  # only fragment links
    (b'<rect style="fill:url(http://e/x)" fill="url(#g)"/><rect style="@import x"/>',
     '<rect fill="url(#g)"/><rect/>'),  # external url(...) and @import
    (b'<use href="data:image/svg+xml;base64,AA" x="1"/>', '<use x="1"/>'),
    (b'<a target="_blank" xml:base="http://e/" data-uid="forged" data-kind="t"/>', "<a/>"),
])
def test_start_tag_drops_unsafe_attributes(body: bytes, expected: str) -> None:
    assert inner(body) == expected


def test_start_tag_tags_model_groups_and_unwraps_anchor_links() -> None:
    assert inner(b'<g id="table-u1"/>') == '<g id="table-u1" data-kind="table" data-uid="u1"/>'
    # Graphviz's link-less <a> inside an anchor group: left out, its tooltip a <title>
    assert inner(b'<g id="a_x"><a xlink:title="t&amp;" target="_self"><text>t</text></a></g>'
                 ) == '<g id="a_x"><title>t&amp;</title><text>t</text></g>'


def test_start_tag_of_the_root_must_be_svg() -> None:
    with pytest.raises(UnsafeSvg, match="root element is not <svg>"):
        sanitize_svg(b'<g xmlns="http://www.w3.org/2000/svg"/>')
    out = sanitize_svg(b'<svg xmlns="http://www.w3.org/2000/svg" onload="x()" '
                       b'font-size="12"/>').decode()
    assert out == ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/'
                   '1999/xlink" font-size="12" font-family="Helvetica,sans-Serif"/>\n')


@pytest.mark.parametrize(("body", "expected"), [
    (b"<g></g>", "<g/>"),  # no content: closed in its start tag
    (b"<g><g/>t</g>", "<g><g/>t</g>"),
    (b"<script><g></g></script><text>x</text>", "<text>x</text>"),  # inside a dropped one
    (b'<g id="a_x"><a xlink:title="t"></a><g/></g>',  # an unwrapped <a> closes nothing
     '<g id="a_x"><title>t</title><g/></g>'),
])
def test_end_tag(body: bytes, expected: str) -> None:
    assert inner(body) == expected


@pytest.mark.parametrize(("body", "expected"), [
    (b"<text>a &amp; &lt;b&gt; <![CDATA[<i>]]></text>", "<text>a &amp; &lt;b&gt; &lt;i&gt;</text>"),
    (b"<text>&#60;script&#62;</text>", "<text>&lt;script&gt;</text>"),
    (b"<script>text</script>after", "after"),  # text of a dropped element goes
    (b"<g>\n</g>", "<g>\n</g>"),
])
def test_character_data_is_escaped_and_kept_only_in_written_elements(
        body: bytes, expected: str) -> None:
    assert inner(body) == expected


def test_document_type_with_an_internal_subset_is_refused() -> None:
    with pytest.raises(UnsafeSvg, match="internal subset"):
        sanitize_svg(b"<!DOCTYPE svg [<!ELEMENT svg ANY>]>"
                     b'<svg xmlns="http://www.w3.org/2000/svg"/>')
    external = (b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
                b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">'
                b'<svg xmlns="http://www.w3.org/2000/svg"/>')
    assert b"DOCTYPE" not in sanitize_svg(external)  # accepted, not written


@pytest.mark.parametrize("doc", [
    b'<!DOCTYPE svg [<!ENTITY a "b">]><svg xmlns="http://www.w3.org/2000/svg"/>',
    b'<!DOCTYPE svg SYSTEM "x.dtd"><svg xmlns="http://www.w3.org/2000/svg">&a;</svg>',
])
def test_entities_are_refused(doc: bytes) -> None:
    with pytest.raises(UnsafeSvg):
        sanitize_svg(doc)


def test_prolog_comments_and_processing_instructions_are_not_written() -> None:
    doc = (b'<?xml version="1.0"?><?xml-stylesheet href="http://e/x.css"?><!-- c -->'
           + OPEN + b"<!-- inner --><?pi x?><g/></svg>")
    assert sanitize_svg(doc).decode() == ROOT + "><g/></svg>\n"
