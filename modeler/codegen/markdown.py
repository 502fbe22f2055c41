"""Markdown the bundle writes (DESIGN.md, the READMEs) that holds the users' text.

Imported by :mod:`modeler.codegen.bundle`, which an export imports before it forks: nothing
heavy (no pglast, no SQLAlchemy) here.
"""

from __future__ import annotations

import re

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_TICKS = re.compile(r"`+")


def inert(markdown: str) -> str:
    """``markdown`` with every ``<`` outside code written ``&lt;``: names, comments, messages
    and notes are the users' text, and a Markdown renderer passes HTML in text through
    (``<script>``, ``<img onerror=...>``); it shows ``&lt;`` as ``<``. Code (fenced blocks,
    backtick spans, which show their text as it is) is left alone: a run of N backticks
    opens a span closed by the next run of exactly N on the line, an unclosed run is text
    (CommonMark, within a line: the document's spans never cross lines)."""
    out: list[str] = []
    fence = ""
    for line in markdown.split("\n"):
        opened = _FENCE.match(line)
        if fence:
            if opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(
                    fence) and not line[opened.end():].strip():
                fence = ""
            out.append(line)
            continue
        if opened and not (opened.group(1)[0] == "`" and "`" in line[opened.end():]):
            fence = opened.group(1)
            out.append(line)
            continue
        out.append(_inert_line(line) if "<" in line else line)
    return "\n".join(out)


def _inert_line(line: str) -> str:
    parts: list[str] = []
    at = 0
    runs = list(_TICKS.finditer(line))
    i = 0
    while i < len(runs):
        run = runs[i]
        close = next((j for j in range(i + 1, len(runs))
                      if len(runs[j].group()) == len(run.group())), None)
        if close is None:
            i += 1
            continue
        parts.append(line[at:run.start()].replace("<", "&lt;"))
        parts.append(line[run.start():runs[close].end()])
        at = runs[close].end()
        i = close + 1
    parts.append(line[at:].replace("<", "&lt;"))
    return "".join(parts)
