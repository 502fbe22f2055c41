"""Line-based clean-up before parsing, keeping every line where it was.

psql scripts are not pure SQL: they hold meta-commands (``\\connect``, ``\\set``,
``\\restrict``), ``COPY ... FROM stdin`` data blocks ended by ``\\.``, and ``:variable``
references. The parser sees none of it: meta-command and data lines become empty lines (so
line numbers still match the file), and variables set with ``\\set`` (or given by the caller,
like ``psql -v``) are substituted outside quotes and comments.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

_COPY_STDIN = re.compile(r"^\s*COPY\b.*\bFROM\s+stdin\b", re.IGNORECASE)
_META = re.compile(r"^\s*\\([A-Za-z!?.]\w*|\.)")
_SET = re.compile(r"^\s*\\set\s+(\w+)\s*(.*?)\s*$")
_UNSET = re.compile(r"^\s*\\unset\s+(\w+)")
_INCLUDE = {"i", "ir", "include", "include_relative"}
_IGNORED_META = {"set", "unset", "connect", "c", "restrict", "unrestrict", "pset", "echo",
                 "encoding", "timing", "qecho", "o", "out", "copy", "dt", "d", "di", "ds",
                 "dv", "df", "dn", "x", "a", "t", "f", "h", "p", "r", "w", "q", "conninfo",
                 "cd", "setenv", "prompt", "if", "elif", "else", "endif", "gset", "g"}


@dataclass
class Prepassed:
    """The cleaned text plus what the pre-pass noticed (line, message) along the way."""

    text: str
    notes: list[tuple[int, str]] = field(default_factory=list)
    data_blocks: int = 0
    meta_commands: int = 0


def prepass(text: str, variables: dict[str, str]) -> Prepassed:
    """Blank meta-command lines and COPY data; record ``\\set`` into ``variables``."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\\" not in text and ":" not in text:
        return Prepassed(text)
    lines = text.split("\n")
    out = Prepassed("")
    in_copy = False
    for i, line in enumerate(lines):
        if in_copy:
            if line.rstrip("\r") == "\\.":
                in_copy = False
            lines[i] = ""
            continue
        if line.lstrip().startswith("\\"):
            _meta(line, i + 1, variables, out)
            lines[i] = ""
        elif _COPY_STDIN.match(line):
            in_copy = True
            out.data_blocks += 1
    body = "\n".join(lines)
    out.text = substitute(body, variables) if variables else body
    return out


def _meta(line: str, lineno: int, variables: dict[str, str], out: Prepassed) -> None:
    out.meta_commands += 1
    m = _SET.match(line)
    if m:
        variables[m.group(1)] = _unquote(m.group(2))
        return
    m = _UNSET.match(line)
    if m:
        variables.pop(m.group(1), None)
        return
    m = _META.match(line)
    cmd = m.group(1) if m else ""
    if cmd in _INCLUDE:
        out.notes.append((lineno, f"psql include \\{cmd} not followed: pass that file too"))
    elif cmd not in _IGNORED_META and cmd != ".":
        out.notes.append((lineno, f"psql meta-command \\{cmd} ignored"))


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1].replace("''", "'")
    return value


# Quoted things and comments are matched first so that a ``:name`` inside them is skipped.
_TOKENS = re.compile(
    r"""--[^\n]*|/\*.*?\*/|[eE]'(?:[^'\\]|\\.|'')*'|'(?:[^']|'')*'|"(?:[^"]|"")*"|"""
    r"""(?P<dollar>\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$).*?(?P=dollar)|::|"""
    r""":(?P<q>['"]?)(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?P=q)""",
    re.DOTALL)


def substitute(text: str, variables: Mapping[str, str]) -> str:
    """Replace psql variable references outside quotes: ``:v``, ``:'v'`` and ``:"v"``."""
    if not any(f":{k}" in text or f":'{k}'" in text or f':"{k}"' in text for k in variables):
        return text

    def repl(m: re.Match[str]) -> str:
        name = m.group("name")
        if name is None or name not in variables:
            return m.group(0)
        value, quote = variables[name], m.group("q")
        if quote == "'":
            return "'" + value.replace("'", "''") + "'"
        if quote == '"':
            return '"' + value.replace('"', '""') + '"'
        return value

    return _TOKENS.sub(repl, text)


_DIALECTS: tuple[tuple[str, str, re.Pattern[str]], ...] = (
    ("MySQL", "backtick-quoted identifiers", re.compile(r"`[^`\n]+`")),
    ("MySQL", "AUTO_INCREMENT", re.compile(r"\bAUTO_INCREMENT\b", re.IGNORECASE)),
    ("MySQL", "ENGINE=", re.compile(r"\)\s*ENGINE\s*=", re.IGNORECASE)),
    ("MySQL", "/*!...*/ version comments", re.compile(r"/\*!\d{5}")),
    ("MySQL", "LOCK TABLES", re.compile(r"^\s*LOCK TABLES\b", re.IGNORECASE | re.MULTILINE)),
    ("SQL Server (T-SQL)", "GO batch separators",
     re.compile(r"^\s*GO\s*$", re.IGNORECASE | re.MULTILINE)),
    ("SQL Server (T-SQL)", "[bracketed] identifiers", re.compile(r"\[\w+\]\s*\.\s*\[\w+\]")),
    ("SQL Server (T-SQL)", "IDENTITY(seed, increment)",
     re.compile(r"\bIDENTITY\s*\(\s*\d+\s*,\s*\d+\s*\)", re.IGNORECASE)),
    ("SQL Server (T-SQL)", "NVARCHAR(MAX)", re.compile(r"\bVARCHAR\s*\(\s*MAX\s*\)", re.I)),
    ("SQLite", "AUTOINCREMENT", re.compile(r"\bAUTOINCREMENT\b", re.IGNORECASE)),
    ("SQLite", "PRAGMA", re.compile(r"^\s*PRAGMA\b", re.IGNORECASE | re.MULTILINE)),
    ("Oracle", "VARCHAR2", re.compile(r"\bVARCHAR2\b", re.IGNORECASE)),
)


def detect_dialect(text: str) -> str | None:
    """A sentence naming the SQL dialect ``text`` seems written in, when it is not PostgreSQL."""
    sample = text[:400_000]
    found: dict[str, list[str]] = {}
    for dialect, marker, pattern in _DIALECTS:
        if pattern.search(sample):
            found.setdefault(dialect, []).append(marker)
    if not found:
        return None
    dialect, markers = max(found.items(), key=lambda kv: len(kv[1]))
    return (f"this looks like {dialect}, not PostgreSQL ({', '.join(markers)}). Import a "
            "PostgreSQL schema (pg_dump --schema-only) or convert the script to PostgreSQL "
            "first.")
