"""The nodes of DBML's generic syntax tree (see :mod:`modeler.importers.dbml.syntax`)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(slots=True)
class Name:
    """An identifier (``users``) or a quoted one (``"order items"``)."""

    text: str
    quoted: bool
    line: int


@dataclass(slots=True)
class Literal:
    """``'string'`` (``str``), a number (``num``), ``#color`` (``color``) or a backtick
    expression (``func``)."""

    kind: str
    value: str
    line: int
    triple: bool = False


@dataclass(slots=True)
class Path:
    """Member access: ``schema.table.column``, ``table.(a, b)``."""

    parts: list[Expr]
    line: int


@dataclass(slots=True)
class Prefix:
    op: str
    operand: Expr
    line: int


@dataclass(slots=True)
class Infix:
    op: str
    left: Expr
    right: Expr
    line: int


@dataclass(slots=True)
class Call:
    """``callee(args)``: a type with modifiers, ``Records t(a, b)``."""

    callee: Expr
    args: list[Expr]
    line: int


@dataclass(slots=True)
class Indexed:
    """``base[]`` or ``base[3]`` written without a blank before ``[``: an array type."""

    base: Expr
    size: str  # "" or the number written
    line: int


@dataclass(slots=True)
class Group:
    """``(a, b)``; also a comma-separated list outside parentheses (a ``Records`` row)."""

    items: list[Expr]
    line: int
    parenthesized: bool = True


@dataclass(slots=True)
class Setting:
    """One ``[...]`` entry: ``pk``, ``not null``, ``note: 'x'``, ``delete: set null``."""

    key: str  # lower case, words joined by one blank
    value: Expr | None
    line: int


@dataclass(slots=True)
class Settings:
    items: list[Setting]
    line: int


Expr = Name | Literal | Path | Prefix | Infix | Call | Indexed | Group | Settings


@dataclass(slots=True)
class Field:
    """The expressions of one body line (``id int [pk]``)."""

    parts: list[Expr]
    line: int


@dataclass(slots=True)
class Element:
    """``Keyword [name] [as alias] [[settings]]`` with a block ``body`` or a ``value``."""

    kind: str  # the keyword in lower case
    keyword: str  # as written
    name: Expr | None
    alias: Expr | None
    settings: Settings | None
    body: list[Element | Field] | None
    value: Field | None
    line: int
    end_line: int


def label(expr: Expr | None) -> str:
    """A short rendering of an expression for messages (at most about 80 characters)."""
    text = _label(expr, 0)
    return text if len(text) <= 80 else text[:77] + "..."


def _label(expr: Expr | None, depth: int) -> str:
    if depth > 8:
        return "..."
    if expr is None:
        return "nothing"
    if isinstance(expr, Name):
        return f'"{expr.text}"' if expr.quoted else expr.text
    if isinstance(expr, Literal):
        return {"str": f"'{expr.value[:30]}'", "func": f"`{expr.value[:30]}`"}.get(
            expr.kind, expr.value)
    if isinstance(expr, Path):
        return ".".join(_label(p, depth + 1) for p in expr.parts[:10])
    if isinstance(expr, Prefix):
        return expr.op + _label(expr.operand, depth + 1)
    if isinstance(expr, Infix):
        return f"{_label(expr.left, depth + 1)} {expr.op} {_label(expr.right, depth + 1)}"
    if isinstance(expr, Call):
        args = ", ".join(_label(a, depth + 1) for a in expr.args[:10])
        return f"{_label(expr.callee, depth + 1)}({args})"
    if isinstance(expr, Indexed):
        return f"{_label(expr.base, depth + 1)}[{expr.size}]"
    if isinstance(expr, Group):
        inner = ", ".join(_label(i, depth + 1) for i in expr.items[:10])
        return f"({inner})" if expr.parenthesized else inner
    return "[" + ", ".join(s.key for s in expr.items[:10]) + "]"
