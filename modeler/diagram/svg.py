"""Make an SVG safe to inline in a page, and tag its elements with the model uids.

:func:`sanitize_svg` keeps only SVG-namespace elements minus anything that can run code or
fetch something (``script``, ``foreignObject``, ``style``, animation elements), drops event
handlers (``on*``), non-fragment links (``href``/``xlink:href`` not starting with ``#``),
``javascript:`` and external ``url(...)`` values, attributes of other namespaces than
``xlink:``/``xml:``, and the XML prolog, doctype, comments and processing instructions.
Graphviz's ``<title>`` elements (internal DOT names) are dropped and each anchor's
``xlink:title`` becomes a ``<title>`` child, the tooltip browsers show. Elements whose id
names a model object get ``data-kind`` (``table``, ``column``, ``relationship``),
``data-uid`` and, for a part of one (``__header``, ``__label``), ``data-part``: the UI maps a
click with ``event.target.closest("[data-uid]")``. Incoming ``data-kind``/``data-uid``/
``data-part`` attributes are dropped: only ids decide what an element stands for.

How: one streaming pass of the C XML parser (expat, no tree, no recursion). Every kept
element, attribute and text is written again by this module from the parsed values, with
its own escaping: nothing of the input's markup is copied, so no text or attribute value
can open an element or end a tag. A document type with an internal subset, any entity
declaration and any entity reference the parser cannot resolve are refused
(:class:`UnsafeSvg`); external DTDs are never read. Speed: the decisions about an element
depend only on its name and attribute names, so they are made once per distinct pair (a
few dozen in a diagram) and the start tag is written by a ``str.format`` template; values
that contain any of ``& < > " ( : @`` or a line break take the slow path, which judges and
escapes each one.

Compaction, for Graphviz's output (nothing changes on screen):

* a ``<text>`` drops ``text-anchor="start"`` (the initial value) and a ``font-family`` or
  ``font-size`` equal to the root's; the root gets ``font-family="Helvetica,sans-Serif"``
  and ``font-size="10.00"`` when it names none. Graphviz writes both on every text; an
  element between the root and a text that sets one of these properties turns compaction
  off below it;
* in Graphviz's anchor groups, ``<g id="a_..."><a xlink:title="t" target="_self">...</a>``
  (no link), the ``<a>`` is left out: ``<g id="a_..."><title>t</title>...</g>``.

One change on screen: the text of a table's finding badge (the anchor group
``a_table-<uid>__badge``) is centred on its pill (``text-anchor="middle"`` at the middle of
the group's first ``path`` or ``polygon``). Graphviz places text by where it starts, from
its own measure of it, but the browser draws the text in its own font and drops the spaces
around it (the pill's padding in Graphviz's measure): started where Graphviz put it, the
text would sit left of the middle or run past the pill. Only the ``x`` and ``text-anchor``
of those texts change, to a number this module formats and a keyword.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from xml.parsers import expat

from modeler import oneshot
from modeler.cache import LockedLRU

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

_DROP = frozenset({
    "script", "foreignObject", "style", "iframe", "object", "embed", "audio", "video",
    "animate", "animateMotion", "animateTransform", "animateColor", "set", "discard",
    "handler", "listener",
})
_GRAPHVIZ_CLASSES = frozenset({"node", "edge", "graph", "cluster"})
_EXTERNAL_URL = re.compile(r"url\(\s*['\"]?\s*(?!#)", re.I)
_JS = re.compile(r"^\s*(javascript|vbscript|data)\s*:", re.I)
_KINDS = {"table": "table", "column": "column", "rel": "relationship"}
_BADGE_SUFFIX = "__badge"  # an anchor group of a finding badge: its text is centred
_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?")

# Inherited text properties the root sets once for every <text> (see the module docstring).
ROOT_FONT = (("font-family", "Helvetica,sans-Serif"), ("font-size", "10.00"))
_TEXT_PROPS = ("font-family", "font-size", "text-anchor")

_ATTR_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;",
                               "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"})
_TEXT_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ATTR_SPECIAL = re.compile(r'[&<>"\n\r\t]')
_TEXT_SPECIAL = re.compile(r"[&<>]")
# Values without any of these need neither escaping nor a closer look (see _unsafe).
_SUSPECT = re.compile(r'[&<>"\n\r\t(:@]')

# How expat names things with namespace_separator=" ": "<namespace> <local>", or "<local>".
_SVG = SVG_NS + " "
_XLINK_TITLE = XLINK_NS + " title"
_PREFIXES = {"": "", XLINK_NS: "xlink:", XML_NS: "xml:"}
_MEMO_LIMIT = 4096  # names and attribute lists come from the document: bound the memos


class UnsafeSvg(ValueError):
    """The input is not an SVG document this sanitiser accepts."""


def _attr(name: str) -> tuple[str, str]:
    """Output name of an attribute as expat reports it, and how its value is judged:
    ``drop``, ``href``, ``text`` (a tooltip: escaped, never interpreted), ``style`` or
    ``value``."""
    ns, _, local = name.rpartition(" ")
    lower = local.lower()
    prefix = _PREFIXES.get(ns)
    if (prefix is None or lower.startswith("on") or lower == "target"
            or (ns == XML_NS and lower == "base")
            or (not ns and lower in ("data-kind", "data-uid", "data-part"))):
        return "", "drop"
    if lower == "href":
        return prefix + local, "href"
    if lower == "title":
        return prefix + local, "text"
    return prefix + local, "style" if lower == "style" else "value"


def _unsafe(kind: str, value: str) -> bool:
    if kind == "drop":
        return True
    if kind == "href":
        return not value.startswith("#")
    if kind == "text" or not ("(" in value or ":" in value or "@" in value):
        return False  # the cheap pre-check spares the regexes on almost every value
    if _JS.match(value) or _EXTERNAL_URL.search(value):
        return True
    return kind == "style" and ("@import" in value or "expression(" in value.lower())


def _attr_text(value: str) -> str:
    return value.translate(_ATTR_ESCAPES) if _ATTR_SPECIAL.search(value) else value


def _model(element_id: str) -> str:
    """The ``data-*`` attributes of a group whose id names a model object, else ""."""
    rest = element_id[2:] if element_id.startswith("a_") else element_id
    kind, sep, tail = rest.partition("-")
    if not sep or not tail or kind not in _KINDS:
        return ""
    uid, sep, part = tail.rpartition("__")
    if not (sep and uid and part.isascii() and part.isalpha() and part.islower()):
        uid, part = tail, ""
    out = f' data-kind="{_KINDS[kind]}" data-uid="{_attr_text(uid)}"'
    return out + f' data-part="{part}"' if part else out


def _braces(text: str) -> str:
    """``text`` literal in a ``str.format`` template (XML names cannot hold braces; still)."""
    return text.replace("{", "{{").replace("}", "}}")


@dataclass(slots=True)
class _Plan:
    """What to do with an element of one name and attribute list (memoised: Graphviz
    writes a few dozen distinct ones). Indices point into the attribute values."""

    local: str  # "" = drop the element and its content
    names: tuple[str, ...]  # output name per attribute
    kinds: tuple[str, ...]
    kept: tuple[int, ...]  # attributes written on the fast path (not dropped, not the tip)
    fast: bool  # no link: a template can write it when no kept value is suspect
    every: bool  # every attribute is kept (check all values at once)
    tip: int = -1  # an anchor's xlink:title
    ident: int = -1
    cls: int = -1
    x: int = -1  # a text's x
    anchor: int = -1  # a text's text-anchor
    shape: int = -1  # a path's d, a polygon's points
    props: tuple[tuple[int, str], ...] = ()  # text properties (index, name)
    templates: dict[int, str] = field(default_factory=dict)  # by mask of dropped props

    @classmethod
    def make(cls, name: str, attr_names: tuple[str, ...]) -> _Plan:
        local = name[len(_SVG):] if name.startswith(_SVG) else ""
        names, kinds = zip(*map(_attr, attr_names), strict=True) if attr_names else ((), ())
        tip = next((i for i, a in enumerate(attr_names)
                    if a == _XLINK_TITLE and local == "a"), -1)
        kept = tuple(i for i, k in enumerate(kinds) if k != "drop" and i != tip)
        shape = {"path": "d", "polygon": "points"}.get(local, "")
        return cls(local=local if local not in _DROP else "", names=names, kinds=kinds,
                   kept=kept, fast="href" not in kinds, every=len(kept) == len(names), tip=tip,
                   ident=names.index("id") if "id" in names else -1,
                   cls=names.index("class") if "class" in names else -1,
                   x=_index(names, "x", kept) if local == "text" else -1,
                   anchor=_index(names, "text-anchor", kept) if local == "text" else -1,
                   shape=_index(names, shape, kept) if shape else -1,
                   props=tuple((i, n) for i, n in enumerate(names) if n in _TEXT_PROPS))

    def template(self, mask: int) -> str:
        """``str.format`` template of the start tag (without its ">") with the kept
        attributes, minus the text properties in ``mask``."""
        out = self.templates.get(mask)
        if out is None:
            dropped = {i for bit, (i, _) in enumerate(self.props) if mask >> bit & 1}
            out = _braces(f"<{self.local}") + "".join(
                f' {_braces(self.names[i])}="{{{i}}}"' for i in self.kept if i not in dropped)
            self.templates[mask] = out
        return out


def _index(names: tuple[str, ...], name: str, kept: tuple[int, ...]) -> int:
    """Index of the kept attribute ``name``, or -1."""
    return next((i for i in kept if names[i] == name), -1)


def _x_middle(value: str) -> float | None:
    """The middle of the x extent of a path's ``d`` or a polygon's ``points`` made of
    absolute x,y pairs (Graphviz's pills), or None when it is not that."""
    numbers = _NUMBER.findall(value)
    if not numbers or len(numbers) % 2:
        return None
    xs = [float(n) for n in numbers[0::2]]
    return (min(xs) + max(xs)) / 2


def _num(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def sanitize_svg(data: bytes) -> bytes:
    """The sanitised, uid-tagged version of the SVG document ``data`` (UTF-8 bytes)."""
    return _Sanitiser().run(data)


class _Sanitiser:
    """One pass over one document: the parser calls one method per event (start tag, end
    tag, character data, document type, entity), each writes what it keeps to ``out``."""

    __slots__ = ("badge", "badge_middle", "defaults", "open_tag", "out", "plans", "skip",
                 "stack", "write")

    def __init__(self) -> None:
        self.out: list[str] = []
        self.write = self.out.append
        # One frame per open element that is written: (tag, class, compact, anchor group),
        # where ``compact`` says whether a <text> inside may drop the root's text properties
        # and "anchor group" that it is Graphviz's <g id="a_..."> around an <a>. An
        # unwrapped <a> has the tag "" (nothing to close).
        self.stack: list[tuple[str, str, bool, bool]] = []
        self.skip = 0  # depth inside a dropped element
        self.open_tag = False  # the last start tag written still lacks its ">"
        self.defaults = {**dict(ROOT_FONT), "text-anchor": "start"}  # the root may override
        self.plans: dict[tuple[str, tuple[str, ...]], _Plan] = {}
        # Inside a badge's anchor group: the stack depth of that group (0: outside one),
        # and the middle of its pill once seen.
        self.badge = 0
        self.badge_middle: float | None = None

    def run(self, data: bytes) -> bytes:
        parser = expat.ParserCreate("utf-8", " ")
        parser.ordered_attributes = True
        parser.buffer_text = True
        parser.buffer_size = 1 << 16
        parser.StartElementHandler = self.start_element
        parser.EndElementHandler = self.end_element
        parser.CharacterDataHandler = self.character_data
        parser.StartDoctypeDeclHandler = self.start_doctype
        parser.EntityDeclHandler = self.entity
        parser.SkippedEntityHandler = self.entity
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        try:
            parser.Parse(data, True)
        except expat.ExpatError as exc:
            raise UnsafeSvg(f"not well-formed XML: {exc}") from exc
        if not self.out:
            raise UnsafeSvg("no <svg> element")
        return "".join(self.out).encode("utf-8") + b"\n"

    def _plan(self, name: str, attrs: list[str]) -> _Plan:
        key = (name, tuple(attrs[0::2]))
        plan = self.plans.get(key)
        if plan is None:
            plan = _Plan.make(*key)
            if len(self.plans) < _MEMO_LIMIT:
                self.plans[key] = plan
        return plan

    def start_element(self, name: str, attrs: list[str]) -> None:
        """A start tag: skipped inside a dropped element; dropped (with its content) when
        its plan says so or it is a Graphviz title; an anchor group's link-less <a>
        unwrapped; else written from the kept attribute values, tagged with the model."""
        if self.skip:
            self.skip += 1
            return
        plan = self._plan(name, attrs)
        local = plan.local
        stack = self.stack
        if not stack:
            if local != "svg":
                raise UnsafeSvg("the root element is not <svg>")
            return self._root(attrs)
        if not local or (local == "title" and stack[-1][1] in _GRAPHVIZ_CLASSES):
            self.skip = 1
            return
        values = attrs[1::2]
        if self.badge:
            self._centre_badge(plan, values)
        parent = stack[-1]
        compact = parent[2]
        if local == "a" and parent[3] and not plan.kept:
            # Graphviz's <g id="a_..."><a xlink:title="t" target="_self">: no link, so
            # the <a> is a plain group; its tooltip goes on the anchor group instead.
            stack.append(("", parent[1], compact, False))
            if plan.tip >= 0 and (tip := values[plan.tip]):
                if self.open_tag:
                    self.write(">")
                self.write(f"<title>{tip.translate(_TEXT_ESCAPES)}</title>")
                self.open_tag = False
            return
        mask = 0
        if plan.props:
            if local != "text":
                compact = False  # it sets a text property for its content
            elif compact:
                for bit, (i, prop) in enumerate(plan.props):
                    if values[i] == self.defaults[prop]:
                        mask |= 1 << bit
        checked = values if plan.every else [values[i] for i in plan.kept]
        if plan.fast and not _SUSPECT.search("\x1f".join(checked)):
            tag = plan.template(mask).format(*values)
        else:
            tag = _slow_tag(plan, values, mask)
        write = self.write
        if self.open_tag:
            write(">")
        write(tag)
        anchor_group = False
        if local == "g" and plan.ident >= 0:
            element_id = values[plan.ident]
            write(_model(element_id))
            anchor_group = element_id.startswith("a_")
            if anchor_group and element_id.endswith(_BADGE_SUFFIX) and not self.badge:
                self.badge, self.badge_middle = len(stack) + 1, None
        self.open_tag = True
        if local == "text" and self.badge and plan.anchor < 0 and plan.x >= 0 \
                and self.badge_middle is not None:
            write(' text-anchor="middle"')
        stack.append((local, values[plan.cls] if plan.cls >= 0 else "", compact,
                      anchor_group))
        if plan.tip >= 0 and (tip := values[plan.tip]):
            write(f"><title>{tip.translate(_TEXT_ESCAPES)}</title>")
            self.open_tag = False

    def _centre_badge(self, plan: _Plan, values: list[str]) -> None:
        """Inside a badge: note the middle of its pill (the first path or polygon), and
        put a text's ``x`` there, anchored in the middle (``values`` is changed)."""
        if plan.shape >= 0 and self.badge_middle is None:
            self.badge_middle = _x_middle(values[plan.shape])
        elif plan.x >= 0 and self.badge_middle is not None:
            values[plan.x] = _num(self.badge_middle)
            if plan.anchor >= 0:
                values[plan.anchor] = "middle"

    def _root(self, attrs: list[str]) -> None:
        """The root <svg>: our own namespace declarations, each safe attribute, the root
        text properties it does not name (those it names become the defaults)."""
        parts = [f'<svg xmlns="{SVG_NS}" xmlns:xlink="{XLINK_NS}"']
        given: dict[str, str] = {}
        for attr, value in zip(attrs[0::2], attrs[1::2], strict=True):
            out_name, kind = _attr(attr)
            if not _unsafe(kind, value):
                parts.append(f' {out_name}="{_attr_text(value)}"')
                given[out_name] = value
        for prop, value in ROOT_FONT:
            if prop not in given:
                parts.append(f' {prop}="{value}"')
            else:
                self.defaults[prop] = given[prop]
        self.write("".join(parts))
        self.open_tag = True
        # The root's own text-anchor is not the initial value "start": no compaction then.
        self.stack.append(("svg", given.get("class", ""), "text-anchor" not in given, False))

    def end_element(self, _name: str) -> None:
        """An end tag: closes the element written for it (``/>`` when it got no content);
        nothing for a dropped element or an unwrapped <a>."""
        if self.skip:
            self.skip -= 1
            return
        local = self.stack.pop()[0]
        if len(self.stack) < self.badge:
            self.badge, self.badge_middle = 0, None
        if not local:
            return  # an unwrapped <a>
        if self.open_tag:
            self.write("/>")
            self.open_tag = False
        else:
            self.write(f"</{local}>")

    def character_data(self, chars: str) -> None:
        """Text: escaped, kept inside written elements only."""
        if self.skip or not self.stack:
            return
        if self.open_tag:
            self.write(">")
            self.open_tag = False
        self.write(chars if chars == "\n" or not _TEXT_SPECIAL.search(chars)
                   else chars.translate(_TEXT_ESCAPES))

    def start_doctype(self, _name: str, _sys: str | None, _pub: str | None,
                      internal: int) -> None:
        """A document type: refused with an internal subset (it could declare entities)."""
        if internal:
            raise UnsafeSvg("document type declarations with an internal subset are refused")

    def entity(self, *_args: object) -> None:
        """An entity declaration, or a reference the parser cannot resolve: refused."""
        raise UnsafeSvg("entity declarations and references are refused")


def _slow_tag(plan: _Plan, values: list[str], mask: int) -> str:
    """The start tag (without its ">"), judging and escaping every attribute value."""
    dropped = {i for bit, (i, _) in enumerate(plan.props) if mask >> bit & 1}
    parts = [f"<{plan.local}"]
    for i in plan.kept:
        if i not in dropped and not _unsafe(plan.kinds[i], values[i]):
            parts.append(f' {plan.names[i]}="{_attr_text(values[i])}"')
    return "".join(parts)


# ------------------------------------------------------------------ memoised, by group

# Graphviz writes each cluster, node and edge as one top-level group of the graph group,
# optionally after a comment: ``<!-- name -->\n<g id="..." class="node">``. The class
# attribute appears on these groups only (anchor groups have none).
_GROUP = re.compile(r'^(?:<!--[^\n]*-->\n)?<g id="[^"\n]*" class="(?:node|edge|cluster)">',
                    re.M)
_TAIL = "</g>\n</svg>\n"
_SEP_IN = '<g id="--split--"/>'
_SEP_OUT = '<g id="--split--"/>'
# The root's and graph group's geometry: changes when the drawing grows, never the groups'.
_GEOMETRY = re.compile(r'(?:width|height|viewBox|transform|points)="[^"]*"')


def _group_chars(key: tuple[str, str], value: str) -> int:
    return len(key[1]) + len(value)


class GroupMemo(LockedLRU[tuple[str, str], str]):
    """Sanitised output of Graphviz's top-level groups, by (document context, raw group):
    after an edit only the changed table's node and the edges that moved are new; the
    rest of the drawing keeps its coordinates (pinned positions). LRU by characters (of the
    raw and the sanitised group)."""

    def __init__(self, budget: int = 48 * 1024 * 1024) -> None:
        super().__init__(budget, weigh=_group_chars)


GROUPS = GroupMemo()


def one_shot(on: bool = True) -> None:
    """Say that this process draws once and exits (manage.py's ``render_diagram``,
    ``export_bundle`` and ``import_schema`` do, through :mod:`modeler.oneshot`):
    :func:`sanitize_graphviz_svg` then sanitises a document whole instead of group by group
    into :data:`GROUPS`, which nothing would read again (splitting the document and keeping
    its groups cost about a fifth of sanitising musicbrainz's drawing: ~25 ms of CPU)."""
    oneshot.declare(on)


def sanitize_graphviz_svg(data: bytes, memo: GroupMemo | None = None) -> bytes:
    """``sanitize_svg(data)``, byte for byte, reusing the sanitised form of the top-level
    groups seen before (see :class:`GroupMemo`). Only the document's head and tail and the
    groups not in ``memo`` (default :data:`GROUPS`, none in a :func:`one_shot` process)
    are sanitised, in one pass with a separator element between them that the sanitiser
    writes back unchanged and that the output is split at.
    Anything that is not Graphviz's layout (or does not split as expected) is sanitised
    whole. Every character of the result still comes out of :func:`sanitize_svg`."""
    if memo is None:
        if oneshot.active():
            return sanitize_svg(data)
        memo = GROUPS
    text = data.decode("utf-8")
    starts = [m.start() for m in _GROUP.finditer(text)]
    if not starts or not text.endswith(_TAIL) or _SEP_IN in text:
        return sanitize_svg(data)
    head, body = text[:starts[0]], text[starts[0]:len(text) - len(_TAIL)]
    context = _GEOMETRY.sub("", head)
    bounds = [s - starts[0] for s in starts] + [len(body)]
    groups = [body[a:b] for a, b in itertools.pairwise(bounds)]
    done: list[str | None] = [memo.get((context, g)) for g in groups]
    missing = [i for i, out in enumerate(done) if out is None]
    doc = _SEP_IN.join([head, *(groups[i] for i in missing), _TAIL])
    parts = sanitize_svg(doc.encode("utf-8")).decode("utf-8").split(_SEP_OUT)
    if len(parts) != len(missing) + 2:
        return sanitize_svg(data)
    fresh = {}
    for i, out in zip(missing, parts[1:-1], strict=True):
        done[i] = out
        fresh[(context, groups[i])] = out
    memo.put_many(fresh)
    return "".join([parts[0], *(d for d in done if d is not None), parts[-1]]).encode("utf-8")
