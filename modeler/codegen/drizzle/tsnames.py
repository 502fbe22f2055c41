"""TypeScript spelling: identifiers, string and template literals, comments.

Every name or text of the design that reaches a generated ``.ts`` file passes one function
here: :func:`ts_str` for string literals, :func:`ts_template` for the body of a ``sql`...```
template, :func:`ts_comment` for comments and :class:`Allocator` for identifiers. None lets a
byte of user text end the literal or comment it is in (quotes, backticks, ``${``,
backslashes, ``*/``, and the four JavaScript line terminators are escaped or neutralised).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

# ECMAScript reserved words and the strict-mode / TypeScript ones a const cannot take
_RESERVED_WORDS = """
break case catch class const continue debugger default delete do else enum export extends
false finally for function if import in instanceof new null return super switch this throw
true try typeof var void while with implements interface let package private protected public
static yield await arguments eval undefined NaN Infinity any boolean number string symbol
never unknown object type declare namespace module require async of as is keyof readonly
"""
RESERVED = frozenset(_RESERVED_WORDS.split())

_LINE_TERMINATORS = re.compile("[\n\r\u2028\u2029]")


def _escape_char(ch: str, quote: str) -> str:
    if ch == "\\":
        return "\\\\"
    if ch == quote:
        return "\\" + ch
    if ch == "\n":
        return "\\n"
    if ch == "\r":
        return "\\r"
    if ch == "\t":
        return "\\t"
    code = ord(ch)
    if code < 0x20 or code == 0x7F or ch in "\u2028\u2029" or 0xD800 <= code <= 0xDFFF:
        return f"\\u{code:04x}"
    return ch


def ts_str(value: str) -> str:
    """A single-quoted TypeScript string literal."""
    return "'" + "".join(_escape_char(ch, "'") for ch in value) + "'"


def ts_template(value: str) -> str:
    """``value`` as the body of a template literal (cooked value == ``value``): backslashes,
    backticks and ``${`` escaped; CR and other control characters as escapes (a raw CR in a
    template literal would be read as LF)."""
    out = []
    for i, ch in enumerate(value):
        if ch == "$" and value[i + 1:i + 2] == "{":
            out.append("\\$")
        elif ch == "\n":
            out.append("\n")
        else:
            out.append(_escape_char(ch, "`"))
    return "".join(out)


def sql_tag(value: str) -> str:
    """``sql`<value>```: an SQL fragment written as it is (no interpolation)."""
    return f"sql`{ts_template(value)}`"


def ts_comment(text: str, indent: str = "") -> list[str]:
    """``text`` as a JSDoc block (no lines for empty text): ``*/`` cannot close it early and
    every line terminator starts a new comment line."""
    lines = [line.rstrip() for line in _LINE_TERMINATORS.split(text.replace("*/", "*\u2215"))]
    while lines and not lines[-1]:
        lines.pop()
    if not lines:
        return []
    if len(lines) == 1:
        return [f"{indent}/** {lines[0]} */"]
    return [f"{indent}/**", *(f"{indent} * {line}".rstrip() for line in lines), f"{indent} */"]


def ts_line(text: str) -> str:
    """``text`` for a ``//`` comment: every line terminator becomes a space."""
    return _LINE_TERMINATORS.sub(" ", text)


def _words(name: str) -> list[str]:
    parts = re.split(r"[^0-9A-Za-z\u00C0-\uFFFF]+", name)
    words: list[str] = []
    for part in parts:
        # split camelCase and PascalCase runs, keep acronyms together
        words += [w for w in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z\u00C0-\uFFFF]+|[0-9]+|\S",
                                         part) if w]
    return [w for w in words if (w + "a").isidentifier() or w.isdigit()]


def camel(name: str, fallback: str = "x") -> str:
    """``order_items`` → ``orderItems``; ``Order Items`` → ``orderItems``; never empty, never
    starting with a digit."""
    words = _words(name)
    if not words:
        return fallback
    out = words[0].lower() + "".join(w[:1].upper() + w[1:].lower() for w in words[1:])
    if not out[0].isalpha() and out[0] not in "_$":
        out = f"{fallback}{out[:1].upper()}{out[1:]}"
    return out if out.isidentifier() else fallback


class Allocator:
    """Hands out unique identifiers within one scope (``name``, ``name2``, ...)."""

    def __init__(self, taken: Iterable[str] = (), *, reserved: Iterable[str] = RESERVED) -> None:
        self.taken: set[str] = set(taken)
        self.reserved = frozenset(reserved)

    def take(self, wanted: str) -> str:
        base = wanted if wanted not in self.reserved else wanted + "_"
        name, n = base, 2
        while name in self.taken:
            name, n = f"{base}{n}", n + 1
        self.taken.add(name)
        return name
