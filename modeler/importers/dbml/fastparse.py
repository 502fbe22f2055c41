"""A fast path through PyDBML's grammar: the same blueprints, without pyparsing for common shapes.

PyDBML's pyparsing grammar needs about 0.3 ms per line (5 s for an 18,000-line file). The
text is cut into top-level statements by a brace-aware scanner (each chunk runs from the end
of the previous statement's last line to the end of its own, so that leading comments stay
with the statement they precede, as in PyDBML). Tables and one-line ``Ref:`` statements
written in the usual shapes are parsed by regular expressions into exactly the blueprints
PyDBML's parse actions build, and handed to PyDBML's ``parse_blueprint`` in file order; any
other statement, or any statement the fast path does not recognise in full (comments,
``Note {}`` objects, multi-line column settings...), is parsed by PyDBML's own grammar on its
own. The fast path accepts a subset of what the grammar accepts and gives up (``None``) on
anything else, including what the grammar would reject, so errors always come from PyDBML.

Callers treat an exception from :func:`parse` as "reparse the whole text with PyDBML", which
reports errors (messages and line numbers) exactly as the whole-file parse always did.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pydbml.definitions.generic import name as _name_element
from pydbml.definitions.generic import string_literal as _string_literal
from pydbml.parser.blueprints import (
    ColumnBlueprint,
    ExpressionBlueprint,
    IndexBlueprint,
    NoteBlueprint,
    ReferenceBlueprint,
    TableBlueprint,
)
from pydbml.parser.parser import PyDBMLParser

# PyDBML's own QuotedString elements: their regexes and unquoting are reused verbatim.
_Q_NAME = _name_element.exprs[1]  # "name" (no escapes)
_Q_SINGLE, _Q_DOUBLE = _string_literal.exprs[0].exprs  # 'text', "text" (backslash escapes)
_Q_TRIPLE = _string_literal.exprs[1]  # '''text''' (multi-line)

_NAME = r'(?>[A-Za-z0-9_]+|"[^"\n\r]*")'  # Word(alphanums + "_") | QuotedString('"')
_W = r"[ \t\r]*"  # pyparsing's default whitespace (set by PyDBML)
_WN = r"[ \t\r\n]*"  # the same plus newlines (PyDBML's "_" without comments)

# -- statement scanner ----------------------------------------------------------------------
_SCAN = re.compile(
    r"""'''(?:\\.|''(?!')|'(?!'')|[^'\\])*'''|'(?:\\.|[^'\\\n\r])*'|"(?:\\.|[^"\\\n\r])*"
    |`[^`]*`|(?P<c>//[^\n]*|/\*.*?\*/)|(?P<o>[{(\[])|(?P<e>[})\]])|(?P<n>\n)""",
    re.DOTALL | re.VERBOSE)
_KEYWORD = re.compile(r"[ \t\r]*(?i:table|ref|enum|tablegroup|project|note)\b")


def statements(text: str) -> Iterator[tuple[int, int]]:
    """``(start, end)`` of each top-level statement with the blank and comment lines before it.

    A statement starts on a line that begins with a DBML keyword outside any bracket, string
    or comment; the previous one ends after its last line that is not blank or a comment.
    """
    start = depth = prev = 0
    content = False  # the current line has something besides blanks and comments
    last_content_end = 0  # end of the last line (with its "\n") that had content
    for m in _SCAN.finditer(text):
        s = m.start()
        if not content and s > prev and not text[prev:s].isspace():
            content = True
        kind = m.lastgroup
        if kind == "n":
            if content:
                last_content_end = m.end()
                content = False
            if depth == 0 and last_content_end > start and _KEYWORD.match(text, m.end()):
                yield start, last_content_end
                start = last_content_end
        elif kind != "c":
            content = True
            if kind == "o":
                depth += 1
            elif kind == "e" and depth:
                depth -= 1
        prev = m.end()
    yield start, len(text)


# -- tokens ---------------------------------------------------------------------------------
def _name(token: str) -> str:
    """A matched name, unquoted as PyDBML's QuotedString unquotes it."""
    if token[0] != '"':
        return token
    if "\\" not in token:
        return token[1:-1]
    return str(_Q_NAME.parseImpl(token, 0)[1])


def _string(text: str, pos: int, end: int) -> tuple[str, int] | None:
    """A string literal at ``pos`` (PyDBML's ``string_literal``: the longest of the three)."""
    first = text[pos:pos + 1]
    element: Any
    if first == '"':
        element, size = _Q_DOUBLE, 1
        m = element.re.match(text, pos, end)
    elif first == "'":
        m = None
        if text.startswith("'''", pos):
            element, size = _Q_TRIPLE, 3
            m = element.re.match(text, pos, end)
        if m is None:
            element, size = _Q_SINGLE, 1
            m = element.re.match(text, pos, end)
    else:
        return None
    if m is None:
        return None
    raw = m.group()
    if "\\" in raw:
        return str(element.parseImpl(raw, 0)[1]), m.end()
    return raw[size:-size], m.end()


_SPACE = re.compile(_WN)
_EOL = re.compile(rf"{_W}(?:\n|\Z)")
_LIST_NEXT = re.compile(rf"{_WN}([,\]])")
_EXPRESSION = re.compile(r"`([^`]*)`")
_BOOLEAN = re.compile(r"(?i:true|false|null)")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_BOOLEANS: dict[str, Any] = {"true": True, "false": False, "null": "NULL"}


def _skip(text: str, pos: int, end: int) -> int:
    """Past blanks and newlines (PyDBML's ``_`` where there are no comments)."""
    m = _SPACE.match(text, pos, end)
    return m.end() if m is not None else pos


def _note(text: str, pos: int, end: int) -> tuple[NoteBlueprint, int] | None:
    """``note:`` already read: ``_ - string_literal``."""
    found = _string(text, _skip(text, pos, end), end)
    return None if found is None else (NoteBlueprint(found[0]), found[1])


def _next_item(text: str, pos: int, end: int) -> tuple[bool, int] | None:
    """After a setting: ``(True, pos)`` at ``,``, ``(False, pos)`` after ``]``, else None."""
    m = _LIST_NEXT.match(text, pos, end)
    if m is None:
        return None
    return m.group(1) == ",", m.end()


# -- column settings ------------------------------------------------------------------------
_COLUMN_SETTING = re.compile(
    rf"{_WN}(?:(?i:(not null)|(null)|(primary key)|(pk)|(unique)|(increment)|(note:))"
    r"|(ref:)|(?i:(default:)))")
_FLAGS = {1: ("not_null", True), 2: ("not_null", False), 3: ("pk", True), 4: ("pk", True),
          5: ("unique", True), 6: ("autoinc", True)}
_KIND = {1: "null", 2: "null", 3: "pk", 4: "pk", 5: "unique", 6: "increment", 7: "note",
         9: "default"}
_INLINE_REF = re.compile(
    rf"{_W}(>|-|<>|<){_W}(?P<a>{_NAME}){_W}\.{_W}(?P<b>{_NAME})(?:{_W}\.{_W}(?P<c>{_NAME}))?")


def _default(text: str, pos: int, end: int) -> tuple[Any, int] | None:
    pos = _skip(text, pos, end)
    found = _string(text, pos, end)
    if found is not None:
        return found
    m = _EXPRESSION.match(text, pos, end)
    if m is not None:
        return ExpressionBlueprint(m.group(1)), m.end()
    m = _BOOLEAN.match(text, pos, end)
    if m is not None:
        return _BOOLEANS[m.group().lower()], m.end()
    m = _NUMBER.match(text, pos, end)
    if m is not None:
        value = m.group()
        return (float(value) if "." in value else int(value)), m.end()
    return None


def _column_settings(text: str, pos: int, end: int) -> tuple[dict[str, Any], int] | None:
    """``[...]`` after the ``[``: the keyword arguments PyDBML's parse action produces."""
    out: dict[str, Any] = {}
    seen: set[str] = set()
    refs: list[ReferenceBlueprint] = []
    more = True
    while more:
        m = _COLUMN_SETTING.match(text, pos, end)
        if m is None:
            return None
        which, pos = m.lastindex or 0, m.end()
        if which != 8:
            if _KIND[which] in seen:  # repeated settings: which one wins is PyDBML's business
                return None
            seen.add(_KIND[which])
        if which in _FLAGS:
            key, value = _FLAGS[which]
            if value:
                out[key] = True
        elif which == 7:
            note = _note(text, pos, end)
            if note is None:
                return None
            out["note"], pos = note
        elif which == 8:
            r = _INLINE_REF.match(text, pos, end)
            if r is None:
                return None
            ref = ReferenceBlueprint(type=r.group(1), inline=True)
            if r.group("c") is None:
                ref.table2, ref.col2 = _name(r.group("a")), _name(r.group("b"))
            else:
                ref.schema2, ref.table2 = _name(r.group("a")), _name(r.group("b"))
                ref.col2 = _name(r.group("c"))
            refs.append(ref)
            pos = r.end()
        else:
            default = _default(text, pos, end)
            if default is None:
                return None
            out["default"], pos = default
        step = _next_item(text, pos, end)
        if step is None:
            return None
        more, pos = step
    if refs:
        out["ref_blueprints"] = refs
    return out, pos


# -- index lines ----------------------------------------------------------------------------
_SUBJECT = re.compile(rf"{_W}(?:({_NAME})|`([^`]*)`)")
_INDEX_SETTING = re.compile(
    rf"{_WN}(?i:(unique)|(type:){_WN}(brin|btree|gin|gist|hash|spgist)|(name:)|(note:)|(pk))")
_OPEN_PAREN = re.compile(rf"{_W}\(")
_COMMA_OR_CLOSE = re.compile(rf"{_W}([,)])")
_SETTINGS_OPEN = re.compile(rf"{_W}\[")


def _subject(text: str, pos: int, end: int) -> tuple[str | ExpressionBlueprint, int] | None:
    m = _SUBJECT.match(text, pos, end)
    if m is None:
        return None
    if m.group(1) is not None:
        return _name(m.group(1)), m.end()
    return ExpressionBlueprint(m.group(2)), m.end()


def _index(text: str, pos: int, end: int) -> tuple[IndexBlueprint, int] | None:
    """One index line (``subject`` or ``(a, b)``, optional settings, end of line)."""
    subjects: list[str | ExpressionBlueprint] = []
    m = _OPEN_PAREN.match(text, pos, end)
    if m is None:
        found = _subject(text, pos, end)
        if found is None:
            return None
        subjects.append(found[0])
        pos = found[1]
    else:
        pos, more = m.end(), True
        while more:
            found = _subject(text, pos, end)
            if found is None:
                return None
            subjects.append(found[0])
            sep = _COMMA_OR_CLOSE.match(text, found[1], end)
            if sep is None:
                return None
            more, pos = sep.group(1) == ",", sep.end()
    settings: dict[str, Any] = {}
    m = _SETTINGS_OPEN.match(text, pos, end)
    if m is not None:
        pos, more = m.end(), True
        while more:
            s = _INDEX_SETTING.match(text, pos, end)
            if s is None:
                return None
            which, pos = s.lastindex or 0, s.end()
            key = {1: "unique", 3: "type", 4: "name", 5: "note", 6: "pk"}[which]
            if key in settings:
                return None
            if which in (1, 6):
                settings[key] = True
            elif which == 3:
                settings[key] = s.group(3).lower()
            elif which == 4:
                value = _string(text, _skip(text, pos, end), end)
                if value is None:
                    return None
                settings[key], pos = value
            else:
                note = _note(text, pos, end)
                if note is None:
                    return None
                settings[key], pos = note
            step = _next_item(text, pos, end)
            if step is None:
                return None
            more, pos = step
    eol = _EOL.match(text, pos, end)
    if eol is None:
        return None
    return IndexBlueprint(subject_names=subjects, **settings), eol.end()


# -- tables ---------------------------------------------------------------------------------
_TABLE_HEAD = re.compile(
    rf"{_WN}(?i:table)[ \t\r]+(?P<a>{_NAME})(?:{_W}\.{_W}(?P<b>{_NAME}))?"
    rf"(?:[ \t\r]+as[ \t\r]+(?P<alias>{_NAME}))?{_W}(?P<settings>\[)?")
_TABLE_SETTING = re.compile(rf"{_WN}(?i:(note:)|(headercolor:){_WN}"
                            r"(#(?:[0-9a-fA-F]{6}|[0-9a-fA-F]{3})(?![0-9a-fA-F])))")
_BODY_OPEN = re.compile(rf"{_WN}\{{{_W}\n")
_COLUMN = re.compile(
    rf"{_W}(?P<name>{_NAME})[ \t\r]+(?P<type>{_NAME})"
    r"(?:(?P<array>\[\])|\.(?P<sub>" + _NAME + r")|\((?P<args>[A-Za-z0-9_ ,.+\-]*)\))?"
    rf"(?P<cons>(?:[ \t\r]+(?i:unique|pk))*){_W}(?:(?P<settings>\[)|\n|\Z)")
_BLANK = re.compile(rf"{_W}\n")
_CLOSE = re.compile(rf"{_W}\}}{_W}(?:\n|\Z)")
_TABLE_NOTE = re.compile(rf"{_W}(?i:note:)")
_INDEXES = re.compile(rf"{_W}(?i:indexes){_WN}\{{{_W}\n")
_CONSTRAINT = re.compile(r"(?i:unique|pk)")


def _column(m: re.Match[str], text: str, end: int) -> tuple[ColumnBlueprint, int] | None:
    ctype = _name(m.group("type"))
    if m.group("array") is not None:
        ctype += "[]"
    elif m.group("sub") is not None:
        ctype += "." + _name(m.group("sub"))
    elif m.group("args") is not None:
        ctype += f"({m.group('args')})"
    kwargs: dict[str, Any] = {}
    for constraint in _CONSTRAINT.findall(m.group("cons")):
        kwargs["pk" if constraint.lower() == "pk" else "unique"] = True
    pos = m.end()
    if m.group("settings") is not None:
        found = _column_settings(text, pos, end)
        if found is None:
            return None
        settings, pos = found
        kwargs.update(settings)
        eol = _EOL.match(text, pos, end)
        if eol is None:
            return None
        pos = eol.end()
    return ColumnBlueprint(name=_name(m.group("name")), type=ctype, **kwargs), pos


def _table_settings(text: str, pos: int, end: int) -> tuple[dict[str, Any], int] | None:
    out: dict[str, Any] = {}
    more = True
    while more:
        m = _TABLE_SETTING.match(text, pos, end)
        if m is None:
            return None
        pos = m.end()
        if m.group(1) is not None:
            if "note" in out:
                return None
            note = _note(text, pos, end)
            if note is None:
                return None
            out["note"], pos = note
        else:
            if "header_color" in out:
                return None
            out["header_color"] = m.group(3)
        step = _next_item(text, pos, end)
        if step is None:
            return None
        more, pos = step
    return out, pos


def table(text: str, pos: int, end: int) -> TableBlueprint | None:
    """The TableBlueprint of ``text[pos:end]`` if it is one table in the common shapes."""
    m = _TABLE_HEAD.match(text, pos, end)
    if m is None:
        return None
    kwargs: dict[str, Any] = {}
    if m.group("b") is None:
        kwargs["name"] = _name(m.group("a"))
    else:
        kwargs["schema"], kwargs["name"] = _name(m.group("a")), _name(m.group("b"))
    if m.group("alias") is not None:
        kwargs["alias"] = _name(m.group("alias"))
    pos = m.end()
    if m.group("settings") is not None:
        found = _table_settings(text, pos, end)
        if found is None:
            return None
        settings, pos = found
        kwargs.update(settings)
    opened = _BODY_OPEN.match(text, pos, end)
    if opened is None:
        return None
    pos = opened.end()
    columns: list[ColumnBlueprint] = []
    indexes: list[IndexBlueprint] | None = None
    while True:
        if (b := _BLANK.match(text, pos, end)) is not None:
            pos = b.end()
        elif (c := _COLUMN.match(text, pos, end)) is not None:
            column = _column(c, text, end)
            if column is None:
                return None
            columns.append(column[0])
            pos = column[1]
        elif (n := _TABLE_NOTE.match(text, pos, end)) is not None:
            note = _note(text, n.end(), end)
            if note is None or (eol := _EOL.match(text, note[1], end)) is None:
                return None
            kwargs["note"], pos = note[0], eol.end()
        elif (i := _INDEXES.match(text, pos, end)) is not None:
            if indexes is not None:  # PyDBML keeps the first block only
                return None
            indexes, pos = [], i.end()
            while (close := _CLOSE.match(text, pos, end)) is None:
                if (b := _BLANK.match(text, pos, end)) is not None:
                    pos = b.end()
                    continue
                index = _index(text, pos, end)
                if index is None:
                    return None
                indexes.append(index[0])
                pos = index[1]
            if not indexes:
                return None
            pos = close.end()
        elif (close := _CLOSE.match(text, pos, end)) is not None:
            pos = close.end()
            break
        else:
            return None
    if not columns or text[pos:end].strip():
        return None
    kwargs["columns"] = columns
    if indexes is not None:
        kwargs["indexes"] = indexes
    return TableBlueprint(**kwargs)


# -- Ref: a.b > c.d [...] ---------------------------------------------------------------------
_FIELD = rf'(?:{_NAME}|\([ \t\r\n]*{_NAME}[ \t\r\n]*(?:,[ \t\r\n]*{_NAME}[ \t\r\n]*)*\))'
_REF_COLS = (rf"(?P<{{0}}1>{_NAME}){_W}\.{_W}(?:(?P<{{0}}2>{_NAME}){_W}\.{_W}"
             rf"(?P<{{0}}3>{_FIELD})|(?P<{{0}}4>{_FIELD}))")
_REF = re.compile(
    rf"{_WN}(?i:ref)(?:[ \t\r]+(?P<name>{_NAME}))?{_W}:{_W}" + _REF_COLS.format("l")
    + rf"{_W}(?P<type>>|-|<>|<){_W}" + _REF_COLS.format("r") + rf"{_W}(?P<settings>\[)?")
_REF_SETTING = re.compile(
    rf"{_WN}(?i:(update:)|(delete:)){_WN}(?i:(no action|restrict|cascade|set null|set default))")
_QUOTED = re.compile(r'"[^"\n\r]*"')


def _field(token: str) -> str:
    if token[0] != "(":
        return _name(token)
    return _QUOTED.sub(lambda q: _name(q.group()), token)  # Combine(composite_name)


def _ref_side(m: re.Match[str], side: str) -> tuple[str | None, str, str]:
    first = _name(m.group(side + "1"))
    if m.group(side + "2") is not None:
        return first, _name(m.group(side + "2")), _field(m.group(side + "3"))
    return None, first, _field(m.group(side + "4"))


def ref(text: str, pos: int, end: int) -> ReferenceBlueprint | None:
    """The ReferenceBlueprint of ``text[pos:end]`` if it is one short-form Ref."""
    m = _REF.match(text, pos, end)
    if m is None:
        return None
    schema1, table1, col1 = _ref_side(m, "l")
    schema2, table2, col2 = _ref_side(m, "r")
    bp = ReferenceBlueprint(type=m.group("type"), inline=False, table1=table1, col1=col1,
                            table2=table2, col2=col2)
    if schema1 is not None:
        bp.schema1 = schema1
    if schema2 is not None:
        bp.schema2 = schema2
    if m.group("name") is not None:
        bp.name = _name(m.group("name"))
    pos = m.end()
    if m.group("settings") is not None:
        more = True
        while more:
            s = _REF_SETTING.match(text, pos, end)
            if s is None:
                return None
            attr = "on_update" if s.group(1) is not None else "on_delete"
            if getattr(bp, attr) is not None:
                return None
            setattr(bp, attr, s.group(3).lower())
            step = _next_item(text, s.end(), end)
            if step is None:
                return None
            more, pos = step
    eol = _EOL.match(text, pos, end)
    if eol is None or text[eol.end():end].strip():
        return None
    return bp


# -- driver ---------------------------------------------------------------------------------
_FIRST_WORD = re.compile(r"\s*([A-Za-z]+)")


def parse(text: str) -> PyDBMLParser:
    """PyDBML's parser state after parsing ``text``; raises what PyDBML raises on a statement.

    Statement by statement: the fast path where it recognises the statement, PyDBML's
    grammar (on that statement alone) otherwise.
    """
    text = text.expandtabs()  # as pyparsing's parse_string does
    parser = PyDBMLParser(text)
    parser._set_syntax()
    syntax = parser._syntax
    for start, end in statements(text):
        word = _FIRST_WORD.match(text, start, end)
        keyword = word.group(1).lower() if word else ""
        bp: Any = None
        if keyword == "table":
            bp = table(text, start, end)
        elif keyword == "ref":
            bp = ref(text, start, end)
        if bp is not None:
            parser.parse_blueprint(text, start, [bp])
        else:
            syntax.parse_string(text[start:end], parse_all=True)
    return parser
