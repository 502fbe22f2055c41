"""Make an SVG safe to inline in a page, and tag its elements with the model uids.

:func:`sanitize_svg` keeps only SVG-namespace elements minus anything that can run code or
fetch something (``script``, ``foreignObject``, ``style``, animation elements), drops event
handlers (``on*``), non-fragment links (``href``/``xlink:href`` not starting with ``#``),
``javascript:`` and external ``url(...)`` values, and removes the XML prolog, doctype,
comments and processing instructions. Graphviz's ``<title>`` elements (internal DOT names)
are dropped and each anchor's ``xlink:title`` becomes a ``<title>`` child, the tooltip
browsers show. Elements whose id names a model object get ``data-kind`` (``table``,
``column``, ``relationship``) and ``data-uid``: the UI maps a click with
``event.target.closest("[data-uid]")``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import lru_cache

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

_PROLOG = re.compile(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>", re.S)
_DROP = frozenset({
    "script", "foreignObject", "style", "iframe", "object", "embed", "audio", "video",
    "animate", "animateMotion", "animateTransform", "animateColor", "set", "discard",
    "handler", "listener",
})
_DTD = re.compile(rb"<!(DOCTYPE|ENTITY)", re.I)
_EXTERNAL_URL = re.compile(r"url\(\s*['\"]?\s*(?!#)", re.I)
_JS = re.compile(r"^\s*(javascript|vbscript|data)\s*:", re.I)
_MODEL_ID = re.compile(r"^(?:a_)?(table|column|rel)-(.+?)(?:__([a-z]+))?$")
_KINDS = {"table": "table", "column": "column", "rel": "relationship"}

_PREFIXES = {XLINK_NS: "xlink:", XML_NS: "xml:"}
_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;",
            "\r": "&#13;", "\t": "&#9;"}
_ATTR_SPECIAL = re.compile(r'[&<>"\n\r\t]')
_TEXT_SPECIAL = re.compile(r"[&<>]")


class UnsafeSvg(ValueError):
    """The input is not an SVG document this sanitiser accepts."""


def sanitize_svg(data: bytes) -> bytes:
    """The sanitised, uid-tagged version of the SVG document ``data`` (UTF-8 bytes)."""
    body = _PROLOG.sub(b"", data)
    if _DTD.search(body):
        raise UnsafeSvg("document type declarations are not accepted")
    try:
        root = ET.fromstring(body)  # noqa: S314 - no DTD left, expat limits expansion
    except ET.ParseError as exc:
        raise UnsafeSvg(f"not well-formed XML: {exc}") from exc
    if root.tag != f"{{{SVG_NS}}}svg":
        raise UnsafeSvg("the root element is not <svg>")
    _clean(root)
    out: list[str] = []
    _write(root, out, root=True)
    return "".join(out).encode("utf-8") + b"\n"


@lru_cache(maxsize=512)
def _local(name: str) -> tuple[str, str]:
    """(namespace, local name) of an ElementTree tag or attribute name."""
    if name.startswith("{"):
        ns, _, local = name[1:].partition("}")
        return ns, local
    return "", name


def _clean(element: ET.Element) -> None:
    _clean_attributes(element)
    for child in list(element):
        if not isinstance(child.tag, str):
            element.remove(child)
            continue
        ns, local = _local(child.tag)
        graphviz_title = local == "title" and element.get("class") in (
            "node", "edge", "graph", "cluster")
        if ns != SVG_NS or local in _DROP or graphviz_title:
            element.remove(child)
            continue
        _clean(child)
    _tooltip(element)
    _tag_model(element)


def _clean_attributes(element: ET.Element) -> None:
    attrib = element.attrib
    unsafe = [name for name, value in attrib.items() if _unsafe(name, value)]
    for name in unsafe:
        del attrib[name]


@lru_cache(maxsize=512)
def _kind(name: str) -> str:
    """How an attribute is judged: ``drop``, ``href``, ``text`` (tooltip) or ``value``."""
    ns, local = _local(name)
    lower = local.lower()
    if lower.startswith("on") or lower == "target" or (ns == XML_NS and lower == "base"):
        return "drop"
    if lower == "href":
        return "href"
    if lower == "title":
        return "text"  # a tooltip becomes text content: escaped, never interpreted
    return "style" if lower == "style" else "value"


def _unsafe(name: str, value: str) -> bool:
    kind = _kind(name)
    if kind == "drop":
        return True
    if kind == "href":
        return not value.startswith("#")
    if kind == "text" or not ("(" in value or ":" in value or "@" in value):
        return False  # the cheap pre-check spares the regexes on almost every value
    if _JS.match(value) or _EXTERNAL_URL.search(value):
        return True
    return kind == "style" and ("@import" in value or "expression(" in value.lower())


def _tooltip(element: ET.Element) -> None:
    """``<a xlink:title="t">`` → ``<a><title>t</title>``: the tooltip browsers show."""
    if element.tag != f"{{{SVG_NS}}}a":
        return
    title = element.attrib.pop(f"{{{XLINK_NS}}}title", None)
    if title:
        node = ET.Element(f"{{{SVG_NS}}}title")
        node.text = title
        element.insert(0, node)


def _tag_model(element: ET.Element) -> None:
    match = _MODEL_ID.match(element.get("id", ""))
    if match and element.tag == f"{{{SVG_NS}}}g":
        element.set("data-kind", _KINDS[match.group(1)])
        element.set("data-uid", match.group(2))
        if match.group(3):
            element.set("data-part", match.group(3))


def _write(element: ET.Element, out: list[str], root: bool = False) -> None:
    """Serialise with the SVG namespace as default and ``xlink:``/``xml:`` prefixes (our
    own writer: ElementTree's cannot mix a default namespace with plain attributes)."""
    tag = _local(element.tag)[1]
    out.append(f"<{tag}")
    if root:
        out.append(f' xmlns="{SVG_NS}" xmlns:xlink="{XLINK_NS}"')
    for name, value in element.attrib.items():
        ns, local = _local(name)
        if ns and ns not in _PREFIXES:
            continue  # attributes of unknown namespaces are not needed
        if _ATTR_SPECIAL.search(value):
            value = _ATTR_SPECIAL.sub(_entity, value)
        out.append(f' {_PREFIXES[ns] if ns else ""}{local}="{value}"')
    text = element.text
    if text is None and not len(element):
        out.append("/>")
    else:
        out.append(">")
        if text:
            out.append(_TEXT_SPECIAL.sub(_entity, text) if _TEXT_SPECIAL.search(text) else text)
        for child in element:
            _write(child, out)
        out.append(f"</{tag}>")
    tail = element.tail
    if tail and not root:
        out.append(_TEXT_SPECIAL.sub(_entity, tail) if _TEXT_SPECIAL.search(tail) else tail)


def _entity(match: re.Match[str]) -> str:
    return _ESCAPES[match.group(0)]
