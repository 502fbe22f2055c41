"""Names PostgreSQL derives from expressions, and script helpers; the printer itself lives in
:mod:`modeler.schema.sqlprint` (re-exported here for the importers)."""

from __future__ import annotations

from typing import Any

from pglast import ast

from modeler.schema.sqlprint import (
    SqlStream,
    column_refs,
    default_sql,
    expr_sql,
    names_of,
    qualified,
    quote_ident,
)

__all__ = ["SqlStream", "column_refs", "default_sql", "expr_sql", "index_column_label",
           "names_of", "qualified", "quote_ident", "strip_leading"]


def index_column_label(node: Any) -> str:
    """The column label PostgreSQL derives for an index expression (FigureIndexColname)."""
    name, _ = _figure(node)
    return name or "expr"


def _figure(node: Any) -> tuple[str | None, int]:
    if isinstance(node, ast.ColumnRef):
        fields = node.fields or ()
        if fields and isinstance(fields[-1], ast.String):
            return fields[-1].sval, 2
    elif isinstance(node, ast.FuncCall):
        return node.funcname[-1].sval, 2
    elif isinstance(node, ast.TypeCast):
        name, strength = _figure(node.arg)
        if strength <= 1 and node.typeName is not None:
            return node.typeName.names[-1].sval, 1
        return name, strength
    elif isinstance(node, ast.CollateClause):
        return _figure(node.arg)
    elif isinstance(node, ast.A_Expr) and str(node.kind).endswith("NULLIF"):
        return "nullif", 2
    elif isinstance(node, ast.CoalesceExpr):
        return "coalesce", 2
    elif isinstance(node, ast.MinMaxExpr):
        return ("greatest" if str(node.op).endswith("GREATEST") else "least"), 2
    elif isinstance(node, ast.CaseExpr):
        return "case", 1
    elif isinstance(node, ast.A_ArrayExpr):
        return "array", 2
    elif isinstance(node, ast.RowExpr):
        return "row", 2
    return None, 0


def strip_leading(text: str) -> tuple[str, int]:
    """``text`` without leading blanks and comments, and how many characters were cut."""
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
        elif text.startswith("--", i):
            j = text.find("\n", i)
            i = n if j < 0 else j + 1
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            i = n if j < 0 else j + 2
        else:
            break
    return text[i:].rstrip().rstrip(";").rstrip(), i
