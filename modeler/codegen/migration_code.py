"""Building blocks of rendered revision files: SQL quoting, Python literals, a tiny call-tree
pretty-printer, and the statement list an op renders to.

Every identifier that reaches raw SQL goes through :func:`ident` (or :func:`qname`), every SQL
string literal through :func:`sql_str`, every Python literal through :func:`lit`. Long string
literals are split over lines (implicit concatenation) to keep generated files ruff-clean.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate, repeat
from operator import add
from typing import Literal

from modeler.codegen.sqltypes import PG, SA

# the one SQL writer's spellings, re-exported for the renderers
from modeler.codegen.sqlwriter import ident as ident
from modeler.codegen.sqlwriter import qname as qname
from modeler.codegen.sqlwriter import sa_sql, text_safe
from modeler.codegen.sqlwriter import sql_str as sql_str
from modeler.codegen.sqlwriter import type_sql as type_sql

WIDTH = 99  # ruff's line-length is 100

# the import that binds the first part of a callee's name (``sa.Column``); ``op`` is bound by
# the revision file itself (``from alembic import op``), never by a statement
MODULES = {"sa": SA, "postgresql": PG, "warnings": "import warnings"}


# --- SQL ------------------------------------------------------------------------------------

def move_sql(what: str, old_ns: str, old_name: str, new_ns: str, new_name: str,
             tmp: str) -> list[str]:
    """Rename and/or move ``ALTER <what>`` statements. Doing both goes through a temporary
    name: the new name may still be taken in the old namespace (or the old name in the new
    one) by something that moves later."""
    if old_ns == new_ns:
        return [f"ALTER {what} {qname(old_ns, old_name)} RENAME TO {ident(new_name)}"]
    if old_name == new_name:
        return [f"ALTER {what} {qname(old_ns, old_name)} SET SCHEMA {ident(new_ns)}"]
    return [f"ALTER {what} {qname(old_ns, old_name)} RENAME TO {ident(tmp)}",
            f"ALTER {what} {qname(old_ns, tmp)} SET SCHEMA {ident(new_ns)}",
            f"ALTER {what} {qname(new_ns, tmp)} RENAME TO {ident(new_name)}"]


# --- Python ---------------------------------------------------------------------------------

def lit(value: object) -> str:
    """A Python literal; strings prefer double quotes."""
    if type(value) is str and value.isprintable() and "\\" not in value \
            and "'" not in value and '"' not in value:
        return f'"{value}"'  # what the lines below make of it (most names and SQL)
    text = repr(value)
    if isinstance(value, str) and text.startswith("'") and '"' not in value:
        text = '"' + text[1:-1].replace("\\'", "'") + '"'
    return text


def sql_expr(sql: str) -> Call:
    """``sa.text("...")`` for an SQL expression (canonical, from the one SQL writer), or
    ``sa.literal_column("...")`` where ``sa.text()`` would take part of it for a bind
    parameter."""
    return Call(sa_sql(sql), (Lit(sql),))


def condition(sql: str) -> Lit | Call:
    """A CHECK condition: a plain string (SQLAlchemy makes it ``sa.text()``) where that is
    safe, else ``sa.literal_column("...")``."""
    return Lit(sql) if text_safe(sql) else sql_expr(sql)


@dataclass(frozen=True, slots=True)
class Lit:
    """A string literal that may be split over lines when long."""

    value: str

    def one_line(self) -> str:
        return lit(self.value)

    def render(self, indent: int, width: int = WIDTH) -> str:
        return self._render(indent, width, {})

    def _one(self, ones: dict[int, str]) -> str:
        got = ones.get(id(self))
        if got is None:
            got = ones[id(self)] = lit(self.value)
        return got

    def _render(self, indent: int, width: int, ones: dict[int, str]) -> str:
        one = self._one(ones)
        return one if indent + len(one) <= width else split_literal(self.value, indent, width)


@dataclass(frozen=True, slots=True)
class Seq:
    """A list display (``[a, sa.text("b")]``), always on one line."""

    items: tuple[str | Call, ...]

    def one_line(self) -> str:
        return self._one({})

    def render(self, indent: int, width: int = WIDTH) -> str:
        return self._one({})

    def _one(self, ones: dict[int, str]) -> str:
        got = ones.get(id(self))
        if got is None:
            got = ones[id(self)] = "[" + ", ".join(i if isinstance(i, str) else i._one(ones)
                                                   for i in self.items) + "]"
        return got

    def _render(self, indent: int, width: int, ones: dict[int, str]) -> str:
        return self._one(ones)

    def imports(self) -> set[str]:
        found: set[str] = set()
        self.collect_imports(found)
        return found

    def collect_imports(self, found: set[str]) -> None:
        for i in self.items:
            if not isinstance(i, str):
                i.collect_imports(found)


Arg = str | Lit | Seq  # code text, a string literal, a list display (or a nested Call)


@dataclass(frozen=True, slots=True)
class Call:
    """A call expression; arguments are code text, literals, lists or nested calls."""

    func: str
    args: tuple[Arg | Call, ...] = ()
    kwargs: tuple[tuple[str, Arg | Call], ...] = ()

    def render(self, indent: int = 0, width: int = WIDTH) -> str:
        """One line when it fits in ``width`` (counting ``indent``), else one argument per
        line."""
        return self._render(indent, width, {})

    def one_line(self) -> str:
        return self._one({})

    def _render(self, indent: int, width: int, ones: dict[int, str]) -> str:
        # ``ones``: the one-line text of each node of this call tree, by id, made once (an
        # argument that does not fit asks again for its arguments' one-line text)
        one = self._one(ones)
        if indent + len(one) <= width:
            return one
        pad = " " * (indent + 4)
        parts = [_arg(a, indent + 4, width, ones) for a in self.args]
        parts += [f"{k}={_arg(v, indent + 4 + len(k) + 1, width, ones)}"
                  for k, v in self.kwargs]
        body = "".join(f"{pad}{p},\n" for p in parts)
        return f"{self.func}(\n{body}{' ' * indent})"

    def _one(self, ones: dict[int, str]) -> str:
        got = ones.get(id(self))
        if got is None:
            parts = [a if isinstance(a, str) else a._one(ones) for a in self.args]
            parts += [f"{k}={v if isinstance(v, str) else v._one(ones)}"
                      for k, v in self.kwargs]
            got = ones[id(self)] = f"{self.func}({', '.join(parts)})"
        return got

    def imports(self) -> set[str]:
        """The import lines the call needs: its callee's module and its arguments' (code
        text, such as a type from :meth:`RenderCtx.type_code`, records its own)."""
        found: set[str] = set()
        self.collect_imports(found)
        return found

    def collect_imports(self, found: set[str]) -> None:
        """Add :meth:`imports` to ``found`` (one set for the whole call tree)."""
        head = self.func.split(".", 1)[0]
        if head in MODULES:
            found.add(MODULES[head])
        for arg in self.args:
            if isinstance(arg, Call | Seq):
                arg.collect_imports(found)
        for _, value in self.kwargs:
            if isinstance(value, Call | Seq):
                value.collect_imports(found)


def _arg(arg: Arg | Call, indent: int, width: int, ones: dict[int, str]) -> str:
    return arg if isinstance(arg, str) else arg._render(indent, width, ones)


def split_literal(value: str, indent: int, width: int) -> str:
    """A long string literal as implicitly concatenated pieces, one per line: each piece
    takes words (split after spaces) while its literal fits in the room left, and at least
    one."""
    room = max(30, width - indent - 1)
    pieces: list[str] = []
    bare = value.replace("\n", "").replace("\r", "").replace("\t", "").replace("\\", "")
    if bare.isprintable():
        # no character needs more than these two-character escapes: a piece's literal is the
        # escaped text of its words, two quotes, and a backslash before each single quote
        # when it holds both kinds of quote; that size only grows with the words taken, so
        # the pieces are found by bisecting the running sizes of the escaped words (lit of
        # each longer piece, word by word, was most of the render of a revision with long
        # kept SQL)
        escaped = value.replace("\\", "\\\\").replace("\n", "\\n").replace(
            "\r", "\\r").replace("\t", "\\t")
        parts = value.split(" ")  # the words without the space that ends all but the last
        starts = _offsets(parts)  # where each word starts in value
        ends = _offsets(escaped.split(" "))  # and in the escaped text
        both = "'" in value and '"' in value
        singles = list(accumulate(map(str.count, parts, repeat("'")), initial=0)) if both \
            else []
        doubles = list(accumulate(map(str.count, parts, repeat('"')), initial=0)) if both \
            else []
        first = 0
        while first < len(parts):
            stop = max(first + 1, bisect_right(ends, ends[first] + room - 2, first) - 1)
            while both and stop > first + 1:
                quotes = singles[stop] - singles[first]
                extra = quotes if quotes and doubles[stop] > doubles[first] else 0
                if ends[stop] - ends[first] + 2 + extra <= room:
                    break
                stop -= 1
            # lit() of the piece: repr's quotes (double when it holds a single quote and no
            # double one), lit's double quotes when it holds neither
            piece, text = value[starts[first]:starts[stop]], escaped[ends[first]:ends[stop]]
            if '"' not in piece:
                pieces.append(f'"{text}"')
            else:
                pieces.append("'" + (text.replace("'", "\\'") if "'" in piece else text) + "'")
            first = stop
        return f"\n{' ' * indent}".join(pieces)
    current = ""
    for word in re.split(r"(?<= )", value):
        if current and len(lit(current + word)) > room:
            pieces.append(current)
            current = ""
        current += word
    pieces.append(current)
    return f"\n{' ' * indent}".join(lit(p) for p in pieces)


def _offsets(parts: list[str]) -> list[int]:
    """Where each of ``parts`` (a text split at its spaces) starts in the text, and its end."""
    out = list(map(add, accumulate(map(len, parts), initial=0), range(len(parts) + 1)))
    out[-1] -= 1  # no space after the last part
    return out


# --- statements -----------------------------------------------------------------------------

StmtKind = Literal["code", "autocommit", "comment"]


@dataclass(frozen=True, slots=True)
class Stmt:
    """One statement of upgrade()/downgrade(); ``autocommit`` ones run outside the migration
    transaction (``CREATE INDEX CONCURRENTLY``, ``ALTER TYPE ... ADD VALUE``)."""

    kind: StmtKind
    code: str | Call

    def render(self, indent: int) -> list[str]:
        if self.kind == "comment":
            return [" " * indent + "# " + str(self.code)]
        text = self.code.render(indent) if isinstance(self.code, Call) else self.code
        if "\n" not in text:
            return [" " * indent + text]
        return [" " * indent + line if n == 0 else line
                for n, line in enumerate(text.split("\n"))]

    def imports(self) -> set[str]:
        return self.code.imports() if isinstance(self.code, Call) else set()


def code(call: str | Call) -> Stmt:
    return Stmt("code", call)


def autocommit(call: str | Call) -> Stmt:
    return Stmt("autocommit", call)


def comment(text: str) -> Stmt:
    return Stmt("comment", text)


def execute(sql: str, *, auto: bool = False) -> Stmt:
    """``op.execute("<sql>")``, which Alembic runs as ``sa.text()``; where ``sa.text()`` would
    take part of the SQL for a bind parameter (``':name'``) or an escape (``'\\:'``),
    ``op.execute(sa.DDL("<sql>"))`` instead: DDL takes no parameters, only ``%`` is doubled."""
    if text_safe(sql):
        arg: str | Call | Lit = Lit(sql)
    else:
        arg = Call("sa.DDL", (Lit(sql.replace("%", "%%")),))
    return Stmt("autocommit" if auto else "code", Call("op.execute", (arg,)))


def render_body(stmts: list[Stmt], indent: int = 4) -> list[str]:
    """Statements as lines; runs of autocommit statements share one autocommit block."""
    lines: list[str] = []
    in_block = False
    for stmt in stmts:
        if stmt.kind == "autocommit" and not in_block:
            lines.append(" " * indent + "with op.get_context().autocommit_block():")
            in_block = True
        elif stmt.kind != "autocommit":
            in_block = False
        lines.extend(stmt.render(indent + 4 if in_block else indent))
    if all(stmt.kind == "comment" for stmt in stmts):
        lines.append(" " * indent + "pass")
    return lines
