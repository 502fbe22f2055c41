"""Operators an expression applies to operands of the wrong kind (``price >>= 0``).

The grammar accepts any operator between any operands; PostgreSQL refuses the expression
when no operator of that name takes operands of those types ("operator does not exist:
numeric >>= integer"). This check works on PostgreSQL's type *categories* (numeric, string,
date/time, boolean, network...), read from a real server into ``data/pg_operators.json`` by
``scripts/pg_function_catalog.py``: an operand whose category is not known (a function's
result, a quoted literal, an extension's type) matches anything, and so do polymorphic
operators, so what it reports is certain to fail.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Collection
from functools import lru_cache
from pathlib import Path
from typing import Any

from pglast import ast, enums

from modeler.schema.types import canonical_key

_DATA = Path(__file__).with_name("data") / "pg_operators.json"
_WILD = frozenset({"P", "X"})  # pseudo-types (anyelement, anyarray...) and unknown
_COMPARISON = frozenset({"=", "<>", "<", ">", "<=", ">=", "~", "~*", "!~", "!~*", "~~",
                         "~~*", "!~~", "!~~*", "@>", "<@", "&&", "@@", "?", "?|", "?&"})
_NAMES = {"N": "numeric", "S": "string", "D": "date/time", "B": "boolean", "T": "interval",
          "I": "network", "G": "geometric", "R": "range", "U": "other", "A": "array",
          "V": "bit string", "E": "enum"}

ColumnCategory = Callable[[tuple[str, ...]], str | None]


@lru_cache(maxsize=1)
def _data() -> tuple[dict[str, frozenset[str]], dict[str, str], dict[str, frozenset[str]]]:
    data = json.loads(_DATA.read_text(encoding="utf-8"))
    ops = {k: frozenset(v) for k, v in data["operators"].items()}
    ext = {k: frozenset(v) for k, v in data["extension_operators"].items()}
    return ops, dict(data["type_categories"]), ext


def type_category(key: str | None, array_dims: int = 0) -> str | None:
    """The category of a catalog type key (``numeric``, ``varchar``...), None if unknown."""
    if array_dims:
        return "A"
    if key is None:
        return None
    return _data()[1].get(key)


def _cast_category(type_name: Any) -> str | None:
    if type_name is None or type_name.arrayBounds:
        return "A" if type_name is not None else None
    names = [str(n.sval) for n in type_name.names or () if isinstance(n, ast.String)]
    if not names or (len(names) == 2 and names[0] != "pg_catalog"):
        return None
    return type_category(canonical_key(names[-1]))


def _category(node: Any, columns: ColumnCategory) -> str | None:
    if isinstance(node, ast.ColumnRef):
        parts = tuple(str(f.sval) for f in node.fields or () if isinstance(f, ast.String))
        return columns(parts) if parts else None
    if isinstance(node, ast.A_Const):
        if node.isnull:
            return None
        val = node.val
        if isinstance(val, ast.Integer | ast.Float):
            return "N"
        return "B" if isinstance(val, ast.Boolean) else None
    if isinstance(node, ast.TypeCast):
        return _cast_category(node.typeName)
    if isinstance(node, ast.BoolExpr | ast.NullTest | ast.BooleanTest):
        return "B"
    if isinstance(node, ast.A_Expr) and node.kind == enums.A_Expr_Kind.AEXPR_OP:
        name = _operator(node)
        if name in _COMPARISON:
            return "B"
        left = None if node.lexpr is None else _category(node.lexpr, columns)
        right = _category(node.rexpr, columns)
        return left if left is not None and left == right and left == "N" else None
    return None


def _operator(node: Any) -> str | None:
    names = [n.sval for n in node.name or () if isinstance(n, ast.String)]
    return names[0] if len(names) == 1 else None  # OPERATOR(schema.op) is left alone


def _fits(pairs: frozenset[str], left: str | None, right: str | None, prefix: bool) -> bool:
    for pair in pairs:
        lcat, rcat = pair[0], pair[1]
        if prefix != (lcat == "_"):
            continue
        if (prefix or left is None or lcat in _WILD or lcat == left) and \
                (right is None or rcat in _WILD or rcat == right):
            return True
    return False


def operator_problem(node: Any, columns: ColumnCategory, *, extensions: Collection[str] = (),
                     own_operators: bool = False) -> str | None:
    """The first operator in expression tree ``node`` that PostgreSQL has for no operands of
    those categories (None when every one may exist). ``columns`` gives a column
    reference's category; an operator one of the design's ``extensions`` adds is taken on
    trust, and so is any operator PostgreSQL lacks when the design may create its own
    (``own_operators``: it keeps SQL)."""
    ops, _, by_extension = _data()
    ext_ops = frozenset(op for e in extensions for op in by_extension.get(e, ()))
    stack = [node]
    while stack:
        n = stack.pop()
        if isinstance(n, list | tuple):
            stack.extend(n)
            continue
        if not isinstance(n, ast.Node):
            continue
        stack.extend(getattr(n, attr, None) for attr in type(n).__slots__ if attr != "location")
        if not (isinstance(n, ast.A_Expr) and n.kind == enums.A_Expr_Kind.AEXPR_OP):
            continue
        name = _operator(n)
        if name is None or name in ext_ops:
            continue
        pairs = ops.get(name)
        if pairs is None:
            if own_operators:
                continue
            return f"operator does not exist: {name}"
        left = None if n.lexpr is None else _category(n.lexpr, columns)
        right = _category(n.rexpr, columns)
        if not _fits(pairs, left, right, n.lexpr is None):
            lhs = "" if n.lexpr is None else f"{_NAMES.get(left or '', 'unknown')} "
            return (f"operator does not exist: {lhs}{name} {_NAMES.get(right or '', 'unknown')} "
                    "(no such operator for these types)")
    return None
