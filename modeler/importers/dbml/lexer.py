"""DBML tokens, read in one linear pass (the reference implementation's lexer, holistics/dbml
``dbml-parse``, is the model: the same token kinds, strings, comments and escapes).

Nothing here can backtrack: every token is one anchored match of patterns without nested
quantifiers, and strings and block comments are closed by a search that either finds the
closing quote or reports where the unterminated one starts. Text that is not DBML at all
(NUL bytes, control characters, bytes that were not UTF-8) is refused before lexing, with
the line of the first offending character.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

MAX_CHARS = 50_000_000  # far beyond any real schema; the upload limit is lower anyway


class DbmlSyntaxError(Exception):
    """A syntax error at a line (1-based) of the text being read."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class NotText(DbmlSyntaxError):
    """The input is not DBML text at all (binary data, bytes that are not UTF-8)."""


@dataclass(slots=True)
class Token:
    """One token: ``kind`` is ``id`` (identifier), ``qid`` ("quoted identifier"), ``str``
    ('string' or '''string'''), ``func`` (`expression`), ``num``, ``color`` (#hex), ``op``,
    one of ``{}[](),:;``, ``eof``, or ``error`` (text that cannot be read: ``value`` says
    why; raised when the parser reaches it). ``value`` is the text with quotes and escapes
    resolved; ``nl`` says a line break comes before it, ``sp`` that blanks or a comment
    do (on the same line)."""

    kind: str
    value: str
    line: int
    nl: bool
    sp: bool
    triple: bool = False  # a '''multi-line''' string


# Blanks, line breaks and // comments, then one token. Possessive quantifiers throughout:
# a string or comment without its end fails once (``bad``), at its start, in linear time.
_TOKEN = re.compile(r"""(?:[ \t\r\f\v\n]++|//[^\n]*+)*+
(?:
  (?P<num>[0-9]++(?:\.[0-9]++)?(?:[eE][-+]?[0-9]++)?(?![\w.]))
| (?P<id>\w++)
| (?P<p>[{}\[\](),:;])
| (?P<bc>/\*(?:[^*]++|\*(?!/))*+\*/)
| (?P<badc>/\*)
| (?P<s3>'''(?:[^'\\]++|\\(?s:.)|'(?!''))*+''')
| (?P<bad3>''')
| (?P<s1>'(?:[^'\\\n]++|\\(?s:.))*+')
| (?P<q>"(?:[^"\\\n]++|\\(?s:.))*+")
| (?P<f>`[^`]*+`)
| (?P<op><>|<=|>=|==|!=|[<>=!+\-*/%.~&|^?@$])
| (?P<color>\#\w*+)
| (?P<end>\Z)
| (?P<bad>(?s:.))
)""", re.VERBOSE)
_ESCAPE = re.compile(r"\\(?:u[0-9A-Fa-f]{4}|\r\n|(?s:.))")
_ESCAPES = {"t": "\t", "n": "\n", "r": "\r", "0": "\0", "b": "\b", "v": "\v", "f": "\f",
            "\n": "", "\r\n": "", "\r": "", " ": "\\ "}
# C0 controls other than tab, line feed, vertical tab, form feed and carriage return; DEL;
# U+FFFD, which is what bytes that are not UTF-8 become when decoded with "replace".
_NOT_TEXT = re.compile(r"[\x00-\x08\x0e-\x1f\x7f\ufffd]")


def _unescape(raw: str) -> str:
    if "\\" not in raw:
        return raw

    def one(m: re.Match[str]) -> str:
        seq = m.group(0)[1:]
        if seq[0] == "u" and len(seq) == 5:
            return chr(int(seq[1:], 16))
        return _ESCAPES.get(seq, seq)

    return _ESCAPE.sub(one, raw)


def check_text(text: str) -> None:
    """Refuse text that is not DBML at all: binary data, or bytes that were not UTF-8."""
    if len(text) > MAX_CHARS:
        raise NotText(f"the file has {len(text):,} characters, more than the "
                              f"{MAX_CHARS:,} a DBML import reads", None)
    bad = _NOT_TEXT.search(text)
    if bad is None:
        return
    line = text.count("\n", 0, bad.start()) + 1
    char = bad.group(0)
    if char == "\ufffd":
        raise NotText("not UTF-8 text: the file has bytes that are not UTF-8 "
                      "(shown as U+FFFD); save it as UTF-8", line)
    raise NotText(f"not a text file: it has the control character U+{ord(char):04X} "
                  "(binary data?)", line)


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text`` (ending with an ``eof`` token); raises DbmlSyntaxError."""
    out = [t for chunk in tokens(text) for t in chunk]
    if out[-1].kind == "error":
        raise DbmlSyntaxError(out[-1].value, out[-1].line)
    return out


def tokens(text: str, size: int = 4096) -> Iterator[list[Token]]:
    """The tokens of ``text`` in lists of about ``size`` (the last ends with an ``eof``
    token), made as they are read: a parser that stops at an error early reads little of a
    long input. Raises DbmlSyntaxError."""
    check_text(text)
    if text.startswith("\ufeff"):
        text = text[1:]
    tokens: list[Token] = []
    append = tokens.append
    count = text.count
    last = 1
    pos, line = 0, 1
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup or ""
        start = m.start(kind)
        breaks = count("\n", pos, start) if start > pos else 0
        line += breaks
        value = m.group(kind)
        pos = m.end()
        if len(tokens) >= size:
            yield tokens
            last = tokens[-1].line
            tokens = []
            append = tokens.append
        if kind == "id" or kind == "num" or kind == "op" or kind == "color":
            append(Token(kind, value, line, breaks > 0, start > m.start()))
        elif kind == "p":
            append(Token(value, value, line, breaks > 0, start > m.start()))
        elif kind == "end":  # at the last line that has a token: where an error shows
            append(Token("eof", "", tokens[-1].line if tokens else last, True, True))
            break
        elif kind == "bad" or kind == "badc" or kind == "bad3":
            # an error token: raised when the parser reaches it, so that an earlier
            # syntax error (in text order) is the one reported
            error = _bad(value[0], text, start, line)
            append(Token("error", error.message, line, breaks > 0, start > m.start()))
            break
        elif kind != "bc":
            quote = 3 if kind == "s3" else 1
            raw = value[quote:-quote]
            resolved = raw if kind == "f" else _unescape(raw)
            made = _ESCAPED_CONTROL.search(resolved) if resolved is not raw else None
            if made is not None:  # an escape (\0, \u0000, \b) made what check_text refuses
                append(Token("error", _escaped_control(made.group(0), kind), line,
                             breaks > 0, start > m.start()))
                break
            append(Token(_KINDS[kind], resolved, line, breaks > 0, start > m.start(),
                         triple=kind == "s3"))
        line += count("\n", start, pos) if kind in _MULTILINE else 0
    yield tokens


_KINDS = {"s3": "str", "s1": "str", "q": "qid", "f": "func"}
# what an escape may not make: the control characters check_text refuses in the file itself
# (PostgreSQL stores no NUL at all, and the generated code and DBML could not carry them)
_ESCAPED_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f]")


def _escaped_control(char: str, kind: str) -> str:
    where = "name" if kind == "q" else "string"
    if char == "\0":
        return f"an escape in this {where} makes a NUL character, which PostgreSQL cannot " \
            "store: remove it"
    return (f"an escape in this {where} makes the control character U+{ord(char):04X}, "
            "which a design does not hold (names, notes and values are text): remove it")
_MULTILINE = frozenset({"bc", "s3", "f", "s1", "q"})


def _bad(char: str, text: str, start: int, line: int) -> DbmlSyntaxError:
    """The error for a character no token starts with (an unterminated string, comment or
    backtick expression starts with one)."""
    if char == "'":
        if text.startswith("'''", start):
            return DbmlSyntaxError("unterminated \'\'\'string\'\'\': no closing \'\'\' before the "
                                   "end of the file", line)
        return DbmlSyntaxError("unterminated 'string': no closing quote on its line", line)
    if char == '"':
        return DbmlSyntaxError('unterminated "name": no closing quote on its line', line)
    if char == "`":
        return DbmlSyntaxError("unterminated `expression`: no closing backtick", line)
    if char == "/" and text.startswith("/*", start):
        return DbmlSyntaxError("unterminated /* comment: no */ before the end of the file", line)
    return DbmlSyntaxError(f"unexpected character {char!r} (U+{ord(char):04X})", line)
