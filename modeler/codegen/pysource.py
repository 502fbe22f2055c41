"""Small helpers for writing Python source: an import collector, calls, docstrings.

Imports are collected while rendering and emitted last, sorted the way ruff's isort sorts
them (future, standard library, third party; ``import x`` before ``from x import y``;
constants, classes, then functions), so the output passes ``ruff check``.
"""

from __future__ import annotations

import re
import sys
import textwrap
from collections.abc import Callable, Iterable, Sequence

LINE = 99
_STDLIB = frozenset(sys.stdlib_module_names)


class Imports:
    """A set of import lines that renders as sorted, merged blocks."""

    def __init__(self, lines: Iterable[str] = ()) -> None:
        self.lines: set[str] = set(lines)

    def add(self, *lines: str) -> None:
        self.lines.update(lines)

    def render(self) -> str:
        plain: dict[str, set[str]] = {}
        froms: dict[str, set[str]] = {}
        for line in self.lines:
            if line.startswith("from "):
                module, _, names = line[5:].partition(" import ")
                froms.setdefault(module, set()).update(n.strip() for n in names.split(","))
            else:
                plain.setdefault(line[7:].split(".")[0].split(" ")[0], set()).add(line)
        blocks: list[list[str]] = []
        if "__future__" in froms:
            future = sorted(froms.pop("__future__"))
            blocks.append([f"from __future__ import {', '.join(future)}"])
        for stdlib in (True, False):
            block = sorted(line for top, ls in plain.items() if (top in _STDLIB) == stdlib
                           for line in ls)
            block += [_from_line(mod, froms[mod]) for mod in sorted(froms)
                      if (mod.split(".")[0] in _STDLIB) == stdlib]
            if block:
                blocks.append(block)
        return "\n\n".join("\n".join(b) for b in blocks) + "\n"


def _name_key(name: str) -> tuple[int, str]:
    base = name.split(" as ")[0]
    if base.isupper() and len(base) > 1:
        return (0, base)
    return (1, base) if base[:1].isupper() else (2, base.lower())


def _from_line(module: str, names: set[str]) -> str:
    ordered = sorted(names, key=_name_key)
    line = f"from {module} import {', '.join(ordered)}"
    if len(line) <= LINE:
        return line
    body = "".join(f"    {n},\n" for n in ordered)
    return f"from {module} import (\n{body})"


def call(func: str, args: Sequence[str], indent: int, prefix: int = 0) -> str:
    """``func(a, b)`` on one line when it fits after ``prefix`` characters, else one argument
    per line, indented from ``indent``."""
    one = f"{func}({', '.join(args)})"
    if max(indent, prefix) + len(one) < LINE and "\n" not in one:  # room for a "," or ")"
        return one
    pad = " " * (indent + 4)
    body = "".join(f"{pad}{a},\n" for a in args)
    return f"{func}(\n{body}{' ' * indent})"


def pystr(value: str, indent: int, literal: Callable[[str], str]) -> str:
    """A string literal; long ones become a parenthesized implicit concatenation of pieces
    split after newlines and spaces, each piece rendered by ``literal``."""
    one = literal(value)
    if indent + len(one) <= LINE:
        return one
    width = max(LINE - indent - 8, 20)
    pieces: list[str] = []
    current = ""
    for token in re.split(r"(?<=[\n ])", value):
        if current and (len(literal(current + token)) > width or current.endswith("\n")):
            pieces.append(current)
            current = ""
        current += token
    if current:
        pieces.append(current)
    pad = " " * (indent + 4)
    return "(\n" + "".join(f"{pad}{literal(p)}\n" for p in pieces) + " " * indent + ")"


def docstring(text: str, indent: int) -> str:
    """A docstring statement for free text; falls back to ``repr`` for awkward content."""
    pad = " " * indent
    text = text.strip()
    safe = ('"""' not in text and "\\" not in text and not text.endswith('"')
            and text.isprintable())
    if not safe:
        return f"{pad}{text!r}\n"
    if len(pad) + len(text) + 6 <= LINE:
        return f'{pad}"""{text}"""\n'
    lines = textwrap.wrap(text, width=LINE - indent - 3)
    body = "".join(f"{pad}{line}\n" for line in lines[1:])
    return f'{pad}"""{lines[0]}\n{body}{pad}"""\n'
