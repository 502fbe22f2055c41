"""Building blocks of rendered revision files: SQL quoting, Python literals, a tiny call-tree
pretty-printer, and the statement list an op renders to.

Every identifier that reaches raw SQL goes through :func:`ident` (or :func:`qname`), every SQL
string literal through :func:`sql_str`, every Python literal through :func:`lit`. Long string
literals are split over lines (implicit concatenation) to keep generated files ruff-clean.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy.dialects import postgresql

from modeler.schema.model import ColumnType, Schema

WIDTH = 99  # ruff's line-length is 100


# --- SQL ------------------------------------------------------------------------------------

def _preparer() -> Any:
    factory: Any = postgresql.dialect
    return factory().identifier_preparer


_PREPARER = _preparer()


def ident(name: str) -> str:
    """An SQL identifier, quoted when PostgreSQL needs it (reserved words, capitals, odd
    characters) — SQLAlchemy's rules, so raw SQL and ``op.*`` calls agree."""
    return str(_PREPARER.quote(name))


def qname(namespace: str | None, name: str) -> str:
    """``"ns"."name"``; objects in ``public`` (or no namespace) stay unqualified."""
    if namespace in (None, "", "public"):
        return ident(name)
    return f"{ident(namespace)}.{ident(name)}"


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


def sql_str(value: str) -> str:
    """A standard-conforming SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def type_sql(ctype: ColumnType, schema: Schema) -> str:
    """The SQL spelling of a column type with enum/domain names quoted."""
    if ctype.kind in ("enum", "domain") and ctype.ref:
        obj = schema.type_object(ctype.ref)
        if obj is not None:
            return qname(obj.namespace, obj.name) + "[]" * ctype.array_dims
    return ctype.sql(schema)


_BIND = re.compile(r"(?<![:\w\\]):(?=\w)")


def no_binds(sql: str) -> str:
    """Escape ``:name`` so that ``sa.text()`` (used by ``op.execute``) sees no bind params."""
    return _BIND.sub(r"\\:", sql)


# --- Python ---------------------------------------------------------------------------------

def lit(value: object) -> str:
    """A Python literal; strings prefer double quotes."""
    text = repr(value)
    if isinstance(value, str) and text.startswith("'") and '"' not in value:
        text = '"' + text[1:-1].replace("\\'", "'") + '"'
    return text


def text_lit(sql: str) -> str:
    """``sa.text("...")`` for an SQL fragment."""
    return f"sa.text({lit(no_binds(sql))})"


@dataclass(frozen=True, slots=True)
class Lit:
    """A string literal that may be split over lines when long."""

    value: str

    def one_line(self) -> str:
        return lit(self.value)

    def render(self, indent: int, width: int = WIDTH) -> str:
        one = self.one_line()
        return one if indent + len(one) <= width else split_literal(self.value, indent, width)


@dataclass(frozen=True, slots=True)
class Call:
    """A call expression; arguments are code text, literals or nested calls."""

    func: str
    args: tuple[str | Call | Lit, ...] = ()
    kwargs: tuple[tuple[str, str | Call | Lit], ...] = ()

    def render(self, indent: int = 0, width: int = WIDTH) -> str:
        """One line when it fits in ``width`` (counting ``indent``), else one argument per
        line."""
        one = self.one_line()
        if indent + len(one) <= width:
            return one
        pad = " " * (indent + 4)
        parts = [_arg(a, indent + 4, width) for a in self.args]
        parts += [f"{k}={_arg(v, indent + 4 + len(k) + 1, width)}" for k, v in self.kwargs]
        body = "".join(f"{pad}{p},\n" for p in parts)
        return f"{self.func}(\n{body}{' ' * indent})"

    def one_line(self) -> str:
        parts = [a if isinstance(a, str) else a.one_line() for a in self.args]
        parts += [f"{k}={v if isinstance(v, str) else v.one_line()}" for k, v in self.kwargs]
        return f"{self.func}({', '.join(parts)})"


def _arg(arg: str | Call | Lit, indent: int, width: int) -> str:
    return arg if isinstance(arg, str) else arg.render(indent, width)


def split_literal(value: str, indent: int, width: int) -> str:
    """A long string literal as implicitly concatenated pieces, one per line."""
    room = max(30, width - indent - 1)
    pieces: list[str] = []
    current = ""
    for word in re.split(r"(?<= )", value):
        if current and len(lit(current + word)) > room:
            pieces.append(current)
            current = ""
        current += word
    pieces.append(current)
    return f"\n{' ' * indent}".join(lit(p) for p in pieces)


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
        return [" " * indent + line if n == 0 else line
                for n, line in enumerate(text.split("\n"))]


def code(call: str | Call) -> Stmt:
    return Stmt("code", call)


def autocommit(call: str | Call) -> Stmt:
    return Stmt("autocommit", call)


def comment(text: str) -> Stmt:
    return Stmt("comment", text)


def execute(sql: str, *, auto: bool = False) -> Stmt:
    """``op.execute("<sql>")``."""
    return Stmt("autocommit" if auto else "code", Call("op.execute", (Lit(no_binds(sql)),)))


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
