"""The one escaping function for user text, and the safe identifiers used in DOT and SVG.

Where user text goes
--------------------
Every user string (table, column, relationship, namespace and subject-area names, types,
comments) reaches DOT only inside HTML-like labels (``label=<...>``) and the attributes of
their cells (``TITLE``). :func:`escape` makes a string safe there:

* ``& < > " '`` become character references, so text can neither close the label nor add
  markup, and Graphviz's SVG writer escapes the decoded text again (``&amp;`` stays literal);
* a backslash becomes ``&#92;&#92;``: Graphviz decodes references first and then applies its
  own escapes (``\\N`` = node name, ``\\\\`` = one backslash), so a doubled backslash prints
  one literal backslash and ``\\N`` in a name prints ``\\N``;
* newlines become ``&#10;`` (a line break inside tooltips; Graphviz drops it inside label
  text, so visible text is escaped with ``multiline=False``: newlines become spaces);
* characters XML cannot carry (C0 controls, lone surrogates, U+FFFE/U+FFFF) become U+FFFD;
* long text is clipped first, ``…`` marking the cut: Graphviz refuses a label whose attribute
  value or text run is longer than about 16 KB (and then the whole diagram fails), and
  escaping makes a character up to ten bytes. Tooltips keep :data:`TOOLTIP_LIMIT` characters,
  visible text :data:`VISIBLE_LIMIT`; the design keeps the whole text.

The escaped text contains neither ``"`` nor ``\\`` nor raw ``<``/``>``, so it cannot break a
quoted DOT string either. We still never put user text into quoted DOT attributes
(``tooltip="..."``): Graphviz unescapes those twice, so no single encoding is literal in both
places. Quoted attributes carry only values made here (:func:`quoted` refuses anything else).

Identifiers
-----------
DOT node names and ports are derived from uids, never from names: ``t_<hex>`` for a table,
``c_<hex>`` for a column port, ``cluster_<hex>`` for a cluster. SVG ids (``id=`` attributes,
which Graphviz copies into the SVG) carry the uid itself: ``table-<uid>``, ``rel-<uid>``,
``column-<uid>``; :func:`svg_id` refuses uids that are not plain tokens.
"""

from __future__ import annotations

import hashlib
import re
import uuid

_REPLACEMENTS: dict[str, str] = {
    "&": "&amp;",
    "<": "&lt;",
    ">": "&gt;",
    '"': "&quot;",
    "'": "&#39;",
    "\\": "&#92;&#92;",
    "\n": "&#10;",
}
_NEWLINE = re.compile(r"\r\n?|\n")
_SPECIAL = re.compile(r"\r\n?|[&<>\"'\\\n]")
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
# Any character one of the steps of escape() changes (the union of the patterns above, plus
# tab): text without one is returned as it is.
_ANY_SPECIAL = re.compile("[\x00-\x1f\x7f\ud800-\udfff\ufffe\uffff&<>\"'\\\\]")
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")
_SAFE_TOKEN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")
# Values allowed between double quotes in the DOT we write: ids, numbers, colours, positions,
# font names, arrow names. No quote, no backslash, no angle bracket.
_QUOTABLE = re.compile(r"^[A-Za-z0-9 _.,:;#!%+=/()-]*$")
_COLOUR = re.compile(r"^(#[0-9a-fA-F]{6}|#[0-9a-fA-F]{3}|[a-z]{3,20})$")
# Characters kept of a tooltip / of visible label text. 1,000 characters escape to at most
# 10,000 bytes (a backslash is ``&#92;&#92;``), well inside Graphviz's 16,384.
TOOLTIP_LIMIT = 1000
VISIBLE_LIMIT = 200
ELLIPSIS = "\u2026"


def escape(text: str, *, multiline: bool = True, limit: int | None = None) -> str:
    """``text`` made literal inside a Graphviz HTML-like label or cell attribute.

    This is the only function through which user strings reach DOT. Tabs become spaces;
    with ``multiline=False`` (visible label text, where Graphviz would drop a line break)
    so do newlines. Text longer than ``limit`` characters (default :data:`TOOLTIP_LIMIT`,
    or :data:`VISIBLE_LIMIT` with ``multiline=False``) is cut, ``…`` marking the cut.
    """
    if limit is None:
        limit = TOOLTIP_LIMIT if multiline else VISIBLE_LIMIT
    if len(text) > limit:
        text = text[:max(limit - 1, 0)] + ELLIPSIS
    if not _ANY_SPECIAL.search(text):
        return text
    text = _NOT_XML.sub("\ufffd", text).replace("\t", " ")
    if not multiline:
        text = _NEWLINE.sub(" ", text)
    return _SPECIAL.sub(lambda m: _REPLACEMENTS.get(m.group(0), "&#10;"), text)


def quoted(value: str) -> str:
    """``value`` as a double-quoted DOT string; only for values this package generates."""
    if not _QUOTABLE.match(value):
        raise ValueError(f"refusing to quote {value!r}: user text must go through escape()")
    return f'"{value}"'


def uid_hex(uid: str) -> str:
    """A stable hex token for a uid: the UUID's hex digits, else a SHA-256 prefix."""
    if _CANONICAL_UUID.match(uid):
        return uid.replace("-", "")  # what uuid.UUID(uid).hex gives, ten times faster
    try:
        return uuid.UUID(uid).hex
    except ValueError:
        return hashlib.sha256(uid.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def node_id(table_uid: str) -> str:
    """DOT node name of a table."""
    return f"t_{uid_hex(table_uid)}"


def port_id(column_uid: str) -> str:
    """DOT port name of a column row."""
    return f"c_{uid_hex(column_uid)}"


def cluster_id(key: str) -> str:
    """DOT name of a cluster (``cluster_`` makes Graphviz draw it as a box)."""
    return "cluster_" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def svg_id(kind: str, uid: str, part: str = "") -> str:
    """The id an SVG element gets: ``<kind>-<uid>`` plus ``__<part>`` for a sub-element.

    ``kind`` is ``table``, ``column`` or ``rel``. Uids are UUID strings; anything that is
    not a plain token is refused rather than mangled, since the UI maps ids back to uids.
    """
    if not _SAFE_TOKEN.match(uid) or "__" in uid:
        raise ValueError(f"uid {uid!r} cannot be used as an SVG id")
    return f"{kind}-{uid}" + (f"__{part}" if part else "")


def safe_colour(value: str) -> str | None:
    """A user-chosen colour (``#rrggbb``, ``#rgb`` or a colour name), or None when invalid."""
    value = value.strip()
    return value if _COLOUR.match(value) else None
