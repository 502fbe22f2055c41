"""Line-based clean-up before parsing, keeping every line where it was.

psql scripts are not pure SQL: they hold meta-commands (``\\connect``, ``\\set``,
``\\restrict``), ``COPY ... FROM stdin`` data blocks ended by ``\\.``, and ``:variable``
references. The parser sees none of it: meta-command and data lines become empty lines (so
line numbers still match the file), and variables set with ``\\set`` (or given by the caller,
like ``psql -v``) are substituted outside quotes and comments. Every meta-command skipped is
noted with its line (pg_dump's ``\\restrict`` lines excepted); ``\\gexec`` and ``\\if``...
``\\endif``, whose effect depends on what the server answers, are refused (``refused``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

# a COPY statement may go on over lines (``COPY t (a, b)\nFROM STDIN\nWITH DELIMITER '|';``):
# its data starts on the line after the one that ends it (its semicolon outside quotes)
_COPY_START = re.compile(r"^\s*COPY\b", re.IGNORECASE)
_FROM_STDIN = re.compile(r"\bFROM\s+stdin\b", re.IGNORECASE)
_QUOTED = re.compile(r"'(?:[^']|'')*'|\"(?:[^\"]|\"\")*\"")
_META = re.compile(r"^\s*\\([A-Za-z!?.;]\w*|\.|;)")
_SET = re.compile(r"^\s*\\set\s+(\w+)\s*(.*?)\s*$")
_UNSET = re.compile(r"^\s*\\unset\s+(\w+)")
_INCLUDE = {"i", "ir", "include", "include_relative"}
# pg_dump's own lines around a dump (\restrict key): nothing to say about them
_SILENT_META = {"restrict", "unrestrict"}
# Meta-commands whose effect depends on what the server answers: \gexec runs the rows a query
# returns as statements, \if ... \endif runs statements or not. What the script builds cannot
# be read from its text, so the import refuses rather than guess (blanking \if would run
# every branch; \gexec left in place glues the query to the next statement).
REFUSED_META = {"gexec", "if", "elif", "else", "endif"}
# psql commands that send the query buffer, like a semicolon (``SELECT ... \gset``)
_SENDS = {"g", "gx", "gset", "gdesc", "crosstabview", "watch"}
_META_NAMES = (REFUSED_META | _SENDS | _INCLUDE | _SILENT_META | {
    "set", "unset", "connect", "c", "pset", "echo", "qecho", "warn", "encoding", "timing",
    "o", "out", "copy", "conninfo", "cd", "setenv", "prompt", "x", "a", "t", "f", "q"})
# a meta-command after SQL on the same line (``SELECT ... \gexec``): quoted text and comments
# are matched first so that a backslash inside them is skipped
_MIDLINE = re.compile(
    r"""--[^\n]*|/\*.*?\*/|[eE]'(?:[^'\\]|\\.|'')*'|'(?:[^']|'')*'|"(?:[^"]|"")*"|"""
    r"""(?P<dollar>\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$).*?(?P=dollar)|"""
    r"""\\(?P<cmd>[A-Za-z]+)(?=\s|$)""", re.DOTALL)


@dataclass
class Prepassed:
    """The cleaned text plus what the pre-pass noticed (line, message) along the way;
    ``refused``: the first meta-command the import cannot follow, (line, name)."""

    text: str
    notes: list[tuple[int, str]] = field(default_factory=list)
    data_blocks: int = 0
    meta_commands: int = 0
    refused: tuple[int, str] | None = None


def prepass(text: str, variables: dict[str, str]) -> Prepassed:
    """Blank meta-command lines and COPY data; record ``\\set`` into ``variables``.
    A refused meta-command (:data:`REFUSED_META`) stops the pass: see ``refused``."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\\" not in text and ":" not in text:
        return Prepassed(text)
    lines = text.split("\n")
    out = Prepassed("")
    in_copy = False
    copy_head: list[str] | None = None  # the lines of a COPY statement not yet ended
    inside: str | None = None
    for i, line in enumerate(lines):
        if in_copy:
            if line.rstrip("\r") == "\\.":
                in_copy = False
            lines[i] = ""
            continue
        if copy_head is not None:
            copy_head.append(line)
            in_copy = _copy_ended(copy_head)
            if in_copy or ";" in _QUOTED.sub("", line):
                out.data_blocks += in_copy
                copy_head = None
            continue
        if inside is not None:
            # a line that starts inside a quoted literal, quoted name, comment or dollar
            # quote is text, not a meta-command, whatever it starts with (as psql reads it)
            inside = _still_open(line, inside)
        elif line.lstrip().startswith("\\"):
            _meta(line, i + 1, variables, out)
            if out.refused is not None:
                return out
            lines[i] = ""
        elif _COPY_START.match(line):
            copy_head = [line]
            in_copy = _copy_ended(copy_head)
            if in_copy or ";" in _QUOTED.sub("", line):
                out.data_blocks += in_copy
                copy_head = None
        else:
            inside = _still_open(line, None)
    body = "\n".join(lines)
    if "\\" in body:
        body = _midline_meta(body, out)
        if out.refused is not None:
            return out
    out.text = substitute(body, variables) if variables else body
    return out


def _copy_ended(head: list[str]) -> bool:
    """Whether the COPY statement of ``head`` ends on its last line and reads FROM stdin
    (its data follows)."""
    last = _QUOTED.sub("", head[-1])
    text = _QUOTED.sub("", " ".join(head))
    return ";" in last and _FROM_STDIN.search(text.split(";")[0]) is not None


# what opens text that may go on over line ends; an E'' string and a dollar quote cannot follow
# an identifier character (``name$1$`` is a name, ``some'`` is no E string)
_OPENER = re.compile(r"""--|/\*|(?<![\w$])[eE]'|'|"|(?<![\w$])\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$""")
_CLOSER = {"'": re.compile(r"(?:[^']|'')*'(?!')"), "E'": re.compile(r"(?:[^'\\]|\\.|'')*'(?!')"),
           '"': re.compile(r'(?:[^"]|"")*"(?!")')}
_COMMENT_MARK = re.compile(r"/\*|\*/")


def _still_open(line: str, inside: str | None) -> str | None:
    """What is still open at the end of ``line`` (``'``, ``E'``, ``"``, ``/*`` repeated
    per nesting level, a ``$tag$``), given what was open at its start; None: nothing."""
    pos = 0
    while True:
        if inside is None:
            m = _OPENER.search(line, pos)
            if m is None or m.group(0) == "--":
                return None
            tok = m.group(0)
            inside, pos = ("E'" if tok[0] in "eE" else tok), m.end()
        elif inside.startswith("/*"):
            depth = len(inside) // 2
            for mark in _COMMENT_MARK.finditer(line, pos):
                depth += 1 if mark.group(0) == "/*" else -1
                pos = mark.end()
                if depth == 0:
                    break
            if depth > 0:
                return "/*" * depth
            inside = None
        elif inside.startswith("$"):
            end = line.find(inside, pos)
            if end < 0:
                return inside
            pos, inside = end + len(inside), None
        else:
            closed = _CLOSER[inside].match(line, pos)
            if closed is None:
                return inside
            inside, pos = None, closed.end()


def _midline_meta(body: str, out: Prepassed) -> str:
    """Meta-commands that follow SQL on its line (``SELECT ... \\gexec``): a refused one
    stops the pass, one that sends the query ends the statement (a semicolon), any other is
    left out with the rest of its line (as psql reads it); each is noted."""
    cuts: list[tuple[int, int, str]] = []
    for m in _MIDLINE.finditer(body):
        cmd = m.group("cmd")
        if cmd is None or cmd not in _META_NAMES:
            continue
        lineno = body.count("\n", 0, m.start()) + 1
        out.meta_commands += 1
        if cmd in REFUSED_META:
            out.refused = (lineno, cmd)
            return body
        end = body.find("\n", m.start())
        end = len(body) if end < 0 else end
        cuts.append((m.start(), end, ";" if cmd in _SENDS else ""))
        out.notes.append((lineno, f"psql meta-command \\{cmd} skipped"
                          + (" (it sends the statement before it, like a semicolon)"
                             if cmd in _SENDS else "")))
    for start, end, keep in reversed(cuts):
        body = body[:start] + keep + " " * (end - start - len(keep)) + body[end:]
    return body


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
    if cmd in REFUSED_META:
        out.refused = (lineno, cmd)
    elif cmd in _INCLUDE:
        out.notes.append((lineno, f"psql include \\{cmd} not followed: pass that file too"))
    elif cmd == "copy":
        out.notes.append((lineno, "psql \\copy skipped (data is not imported)"))
    elif cmd not in _SILENT_META and cmd != ".":
        out.notes.append((lineno, f"psql meta-command \\{cmd} skipped"))


def refusal_message(cmd: str) -> str:
    """Why a script with ``\\cmd`` (one of :data:`REFUSED_META`) is not imported."""
    what = ("runs the rows a query returns as statements"
            if cmd == "gexec" else "runs statements only when a condition holds")
    return (f"psql meta-command \\{cmd} cannot be imported: it {what}, so what the script "
            "builds depends on the database it runs in and cannot be read from its text. "
            "Run the script with psql, then import the live database instead (its URL on "
            "the import page, or import_schema --url)")


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


# String literals, quoted names, dollar-quoted bodies and comments (but MySQL's ``/*!...*/``
# version comments, themselves a marker): what they hold is no evidence of a dialect.
_LITERALS = re.compile(
    r"""--[^\n]*|/\*(?!!).*?\*/|[eE]'(?:[^'\\]|\\.|'')*'|'(?:[^']|'')*'|"(?:[^"]|"")*"|"""
    r"""(?P<dollar>\$(?:[A-Za-z_][A-Za-z0-9_]*)?\$).*?(?P=dollar)""",
    re.DOTALL)


# DBML's blocks (``Table users {``, ``Project x {``, ``Enum status {``) and references
# (``Ref: a.id > b.id``, ``Ref name: ...``) at the start of a line: no SQL statement begins so
_DBML = re.compile(
    r"^[ \t]*(?:(?:Project|Table|TableGroup|TablePartial|Enum)[ \t]+[^\n;{()]*\{"
    r"|Ref(?:[ \t]+\w+)?[ \t]*[:{])",
    re.IGNORECASE | re.MULTILINE)


def detect_dialect(text: str) -> str | None:
    """A sentence naming the SQL dialect ``text`` seems written in, when it is not PostgreSQL
    (or DBML, which is no SQL: the import's other format). Only the code counts: a backtick
    in a comment's text or a string is PostgreSQL too."""
    sample = _LITERALS.sub(" ", text[:400_000])
    if _DBML.search(sample):
        return ("this looks like DBML (Table ... { blocks), not SQL: choose the DBML format "
                "to import it.")
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
