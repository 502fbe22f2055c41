"""Rewrite DBML that PyDBML 1.2.1 cannot parse into DBML it can, remembering what was cut.

PyDBML rejects ``checks { ... }`` blocks, column ``check:`` settings, one-line
``enum x { a b c }`` / ``Project p { ... }`` blocks and newer top-level blocks
(``TablePartial``, ``Records``...). The pre-pass tokenizes the text (strings, comments,
braces), extracts the checks (they become CheckConstraints), expands one-line blocks onto
several lines, and blanks unknown blocks with a warning. ``line_map`` maps each output line
back to its input line so that parse errors point at the user's file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_TOKEN = re.compile(
    r"'''.*?'''|'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"|`[^`]*`|//[^\n]*|/\*.*?\*/|[{}]|\n",
    re.DOTALL)
_KNOWN = frozenset({"table", "ref", "enum", "tablegroup", "project", "note"})
_NAME = r'(?:"[^"]+"|[^\s."\[{]+)'
_TABLE_HEAD = re.compile(rf"^\s*table\s+({_NAME}(?:\.{_NAME})?)", re.IGNORECASE)
_CHECK_SETTING = re.compile(r"check\s*:\s*`([^`]*)`", re.IGNORECASE)
_CHECK_ENTRY = re.compile(r"`([^`]*)`\s*(?:\[(.*)\])?")
_SETTING_NAME = re.compile(r"""name\s*:\s*(?:'([^']*)'|"([^"]*)")""", re.IGNORECASE)
_ITEM = re.compile(r"""("(?:[^"\\]|\\.)*"|[^\s\[\]"]+)\s*(\[[^\]]*\])?""")
_QUOTED = re.compile(r"'''.*?'''|'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`")
_DECIMAL_DEFAULT = re.compile(
    r"(\bdefault\s*:\s*)(-?(?:\d+\.\d*|\.\d+)(?:[eE][-+]?\d+)?|-?\d+(?:[eE][-+]?\d+)?)"
    r"(?=\s*[,\]])", re.IGNORECASE)
_PROJECT_ITEM = re.compile(
    r"""(\w+\s*:\s*(?:'''.*?'''|'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|\S+))""", re.DOTALL)


@dataclass
class DbmlCheck:
    """A CHECK cut out of the DBML (a ``checks`` entry or a column ``check:``)."""

    table: tuple[str, str]  # (schema, table) as written (unquoted)
    expression: str
    name: str | None
    column: str | None
    line: int


@dataclass(frozen=True)
class TableSpan:
    """Where a top-level ``Table`` block is in the input: 0-based lines of its ``{`` and
    ``}``, and the line ranges of the blocks nested in it (``indexes``, ``checks``, notes)."""

    start: int
    end: int
    nested: tuple[tuple[int, int], ...] = ()


@dataclass
class Prepassed:
    """PyDBML-ready text, its line map, the extracted checks and notes; the input's lines and
    where its tables are (for line numbers in warnings about columns)."""

    text: str
    line_map: list[int]  # output line index (0-based) -> input line number (1-based)
    checks: list[DbmlCheck] = field(default_factory=list)
    notes: list[tuple[int, str]] = field(default_factory=list)
    source: list[str] = field(default_factory=list)
    tables: dict[tuple[str, str], TableSpan] = field(default_factory=dict)
    ref_lines: list[int] = field(default_factory=list)  # 0-based: ``Ref`` statements
    ref_words: dict[str, set[int]] | None = None  # word (lower case) -> ref lines, on demand


@dataclass
class _Block:
    kind: str
    header: str
    start: int  # 0-based line of "{"
    end: int = -1  # 0-based line of the matching "}"
    open_pos: int = 0
    close_pos: int = 0
    parent: _Block | None = None


def unquote(name: str) -> str:
    """``"name"`` → ``name``."""
    return name[1:-1] if len(name) >= 2 and name[0] == name[-1] == '"' else name


def split_qualified(text: str) -> tuple[str, str]:
    """``schema.name`` (each part maybe quoted) → (schema, name)."""
    parts = re.findall(_NAME, text)
    parts = [unquote(p) for p in parts]
    return (parts[0], parts[1]) if len(parts) >= 2 else ("public", parts[0] if parts else "")


def _strip_comments(text: str) -> str:
    return re.sub(r"//[^\n]*|/\*.*?\*/", " ", text, flags=re.DOTALL).strip()


def _blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    stack: list[_Block] = []
    line, boundary, line_start = 0, 0, 0
    for m in _TOKEN.finditer(text):
        tok = m.group(0)
        if tok == "\n":
            line += 1
            line_start = m.end()
            continue
        if tok == "{":
            parent = stack[-1] if stack else None
            head = _strip_comments(text[line_start: m.start()])
            if not head and parent is None:  # "{" on its own line: the header is above
                above = _strip_comments(text[boundary: line_start]).strip().split("\n")
                head = above[-1].strip() if above else ""
            word = head.split(None, 1)[0].lower().rstrip(":") if head else ""
            block = _Block(word, head, line, open_pos=m.end(), parent=parent)
            blocks.append(block)
            stack.append(block)
        elif tok == "}" and stack:
            block = stack.pop()
            block.end, block.close_pos = line, m.start()
            if not stack:
                boundary = m.end()
        line += tok.count("\n")
        if "\n" in tok:
            line_start = m.start() + tok.rfind("\n") + 1
    return blocks


def prepass(text: str) -> Prepassed:
    """The PyDBML-compatible text, the extracted checks, and notes for warnings."""
    if text.startswith("\ufeff"):
        text = text[1:]
    lines = text.split("\n")
    out = Prepassed(text, list(range(1, len(lines) + 1)))
    replace: dict[int, list[str]] = {}
    blocks = _blocks(text)
    for block in blocks:
        top = block.parent is None
        if top and block.kind not in _KNOWN and block.end >= 0:
            for i in range(block.start, block.end + 1):
                replace[i] = [""]
            out.notes.append((block.start + 1, f"DBML block {block.header.split()[0]!r} is not "
                              "supported; skipped"))
        elif top and block.kind in ("enum", "project", "tablegroup") \
                and block.start == block.end:
            body = text[block.open_pos:block.close_pos]
            head = lines[block.start][: lines[block.start].index("{") + 1]
            pattern = _PROJECT_ITEM if block.kind == "project" else _ITEM
            items = ["  " + " ".join(x for x in m.groups() if x) for m in pattern.finditer(body)]
            replace[block.start] = [head, *items, "}"]
        elif block.kind == "checks" and block.parent is not None \
                and block.parent.kind == "table":
            _extract_checks(out, lines, block, replace)
    nested: dict[int, list[tuple[int, int]]] = {}
    for block in blocks:
        if block.parent is not None:
            nested.setdefault(id(block.parent), []).append((block.start, block.end))
    for block in blocks:
        if block.kind == "table" and block.parent is None and block.end > block.start:
            _column_checks(out, lines, block, replace)
            _decimal_defaults(lines, block, replace)
            out.tables.setdefault(_table_of(block), TableSpan(
                block.start, block.end, tuple(nested.get(id(block), ()))))
    out.source = lines
    refs = {i for b in blocks if b.kind == "ref" and b.parent is None
            for i in range(b.start, b.end + 1)}
    refs.update(i for i, line in enumerate(lines) if _REF_START.match(line))
    out.ref_lines = sorted(refs)
    new_lines: list[str] = []
    line_map: list[int] = []
    for i, original in enumerate(lines):
        for piece in replace.get(i, [original]):
            new_lines.append(piece)
            line_map.append(i + 1)
    out.text, out.line_map = "\n".join(new_lines), line_map
    return out


_FIRST_WORD = re.compile(r'\s*("(?:[^"\\\n]|\\.)*"|[^\s\[\]"{}]+)')


def column_line(pre: Prepassed, table: tuple[str, str], column: str) -> int | None:
    """The input line (1-based) that declares ``column`` of ``table`` (schema, name), if found."""
    span = pre.tables.get(table)
    if span is None:
        return None
    for i in range(span.start + 1, span.end):
        if any(start <= i <= end for start, end in span.nested):
            continue
        m = _FIRST_WORD.match(pre.source[i])
        if m is not None and unquote(m.group(1)) == column:
            return i + 1
    return None


_REF_START = re.compile(r"\s*ref\b", re.IGNORECASE)
_WORD = re.compile(r'"(?:[^"\\\n]|\\.)*"|\w+')


def ref_line(pre: Prepassed, words: list[str]) -> int | None:
    """The first input line (1-based) of a ``Ref`` statement naming all ``words`` (tables
    and columns; case-insensitive), if there is one."""
    index = pre.ref_words
    if index is None:
        index = pre.ref_words = {}
        for i in pre.ref_lines:
            for word in _WORD.findall(pre.source[i]):
                index.setdefault(unquote(word).lower(), set()).add(i)
    found: set[int] | None = None
    for word in sorted({w.lower() for w in words}, key=lambda w: len(index.get(w, ()))):
        lines = index.get(word, set())
        found = set(lines) if found is None else found & lines
        if not found:
            return None
    return min(found) + 1 if found else None


def nested_line(pre: Prepassed, table: tuple[str, str], words: list[str]) -> int | None:
    """The first input line (1-based) in the blocks nested in ``table`` (``indexes``...)
    where all ``words`` appear (as words, case-insensitively), if there is one."""
    span = pre.tables.get(table)
    if span is None:
        return None
    found = [re.compile(rf"(?<![\w]){re.escape(w)}(?![\w])", re.IGNORECASE) for w in words]
    for start, end in span.nested:
        for i in range(start, end + 1):
            if all(f.search(pre.source[i]) for f in found):
                return i + 1
    return None


def _table_of(block: _Block) -> tuple[str, str]:
    m = _TABLE_HEAD.match(block.header)
    return split_qualified(m.group(1)) if m else ("public", "")


def _extract_checks(out: Prepassed, lines: list[str], block: _Block,
                    replace: dict[int, list[str]]) -> None:
    assert block.parent is not None
    table = _table_of(block.parent)
    for i in range(block.start, block.end + 1):
        line = lines[i]
        if i == block.start:
            line = line[line.index("{") + 1:]
        for m in _CHECK_ENTRY.finditer(line):
            named = _SETTING_NAME.search(m.group(2) or "")
            name = (named.group(1) or named.group(2)) if named else None
            out.checks.append(DbmlCheck(table, m.group(1).strip(), name, None, i + 1))
        replace[i] = [""]


def _column_checks(out: Prepassed, lines: list[str], block: _Block,
                   replace: dict[int, list[str]]) -> None:
    table = _table_of(block)
    for i in range(block.start + 1, block.end):
        line = replace.get(i, [lines[i]])[0]
        if "check" not in line.lower() or "`" not in line:
            continue
        found = _CHECK_SETTING.findall(line)
        if not found:
            continue
        column = unquote(re.findall(_NAME, line.strip())[0])
        for expr in found:
            out.checks.append(DbmlCheck(table, expr.strip(), None, column, i + 1))
        line = re.sub(r"\s*,\s*check\s*:\s*`[^`]*`", "", line, flags=re.IGNORECASE)
        line = re.sub(r"check\s*:\s*`[^`]*`\s*,\s*", "", line, flags=re.IGNORECASE)
        line = re.sub(r"\[\s*check\s*:\s*`[^`]*`\s*\]", "", line, flags=re.IGNORECASE)
        replace[i] = [line]


def _decimal_defaults(lines: list[str], block: _Block, replace: dict[int, list[str]]) -> None:
    """``default: 1.00`` → ``default: `1.00```: PyDBML reads a decimal default as a float
    (``1.0``, losing the scale PostgreSQL keeps in a numeric constant) and rejects a negative
    one; as an expression it is kept as written. Integers stay as they are."""
    for i in range(block.start + 1, block.end):
        line = replace.get(i, [lines[i]])[0]
        if "default" not in line.lower():
            continue
        pieces, pos = [], 0
        for m in _QUOTED.finditer(line):
            pieces += [_DECIMAL_DEFAULT.sub(_as_expression, line[pos:m.start()]), m.group(0)]
            pos = m.end()
        pieces.append(_DECIMAL_DEFAULT.sub(_as_expression, line[pos:]))
        new = "".join(pieces)
        if new != line:
            replace[i] = [new]


def _as_expression(m: re.Match[str]) -> str:
    number = m.group(2)
    if re.fullmatch(r"\d+", number):  # a plain non-negative integer reads back the same
        return m.group(0)
    return f"{m.group(1)}`{number}`"
