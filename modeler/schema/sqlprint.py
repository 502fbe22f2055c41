"""SQL text from pglast AST nodes: expressions and identifiers (the printer every expression
of the product goes through; see :mod:`modeler.schema.sqlexpr`).

Expressions (defaults, CHECKs, index keys, WHERE predicates) are printed with pglast's own
deparser. Its one stylistic choice we change is casts: pglast prints ``CAST(x AS t)``, while
PostgreSQL (``pg_get_expr``), pg_dump and people write ``x::t``, so :class:`SqlStream` prints
the postfix form (parenthesising the operand unless it is atomic). And a function call written
in SQL syntax (``NORMALIZE(x, NFKC)``, ``SUBSTRING(x FROM 2)``, ``TRIM(BOTH FROM x)``,
``x AT TIME ZONE z``) stays in that syntax: pglast prints most of them as plain calls
(``pg_catalog.normalize(x, 'NFKC')``), which PostgreSQL stores and shows differently.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pglast import ast, enums
from pglast.keywords import (
    COL_NAME_KEYWORDS,
    RESERVED_KEYWORDS,
    TYPE_FUNC_NAME_KEYWORDS,
    UNRESERVED_KEYWORDS,
)
from pglast.printers import get_special_function
from pglast.stream import RawStream

_PLAIN_IDENT = re.compile(r"^[a-z_][a-z0-9_$]*$")
_ATOMIC = (ast.A_Const, ast.ColumnRef, ast.FuncCall, ast.TypeCast, ast.ParamRef,
           ast.A_ArrayExpr, ast.SQLValueFunction)


_Base: Any = RawStream
_IS_TEST = {"IS_TRUE": "IS TRUE", "IS_NOT_TRUE": "IS NOT TRUE", "IS_FALSE": "IS FALSE",
            "IS_NOT_FALSE": "IS NOT FALSE", "IS_UNKNOWN": "IS UNKNOWN",
            "IS_NOT_UNKNOWN": "IS NOT UNKNOWN", "IS_NULL": "IS NULL",
            "IS_NOT_NULL": "IS NOT NULL"}

# pglast's printers of functions PostgreSQL's grammar has an SQL syntax for, with the argument
# counts each printer handles (its overlay() wants all four: a 3-argument OVERLAY stays a call)
_SQL_SYNTAX_ARGS = {
    "pg_catalog.btrim": (1, 2), "pg_catalog.ltrim": (1, 2), "pg_catalog.rtrim": (1, 2),
    "pg_catalog.normalize": (1, 2), "pg_catalog.substring": (2, 3),
    "pg_catalog.overlay": (4,), "pg_catalog.overlaps": (4,), "pg_catalog.timezone": (1, 2),
    "pg_catalog.pg_collation_for": (1,), "pg_catalog.xmlexists": (2,),
    "pg_catalog.extract": (2,), "pg_catalog.position": (2,),
}


# characters that end a line for someone (str.splitlines, editors, CRLF conversion) or are
# invisible controls: a string constant holding one is printed as an E'' string with escapes,
# so that the printed expression is one line whose value survives line-based handling
LINE_BREAKING = re.compile("[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]")
_E_ESCAPES = {"\\": "\\\\", "'": "''", "\n": "\\n", "\r": "\\r", "\t": "\\t",
              "\b": "\\b", "\f": "\\f"}


def string_literal(value: str) -> str:
    """``value`` as an SQL string constant: standard-conforming ``'...'`` (quotes doubled,
    backslashes as they are), or ``E'...'`` with escapes when it holds a line break or a
    control character (see ``LINE_BREAKING``)."""
    if LINE_BREAKING.search(value) is None:
        return "'" + value.replace("'", "''") + "'"
    return "E'" + "".join(_E_ESCAPES.get(ch) or (f"\\u{ord(ch):04X}" if LINE_BREAKING.match(ch)
                                                 else ch) for ch in value) + "'"


class SqlStream(_Base):  # type: ignore[misc]  # pglast's RawStream is untyped
    """RawStream printing casts as ``operand::type`` and SQL-syntax calls in SQL syntax, and
    string constants with line breaks as E'' strings (:func:`string_literal`)."""

    def write_quoted_string(self, s: str) -> None:
        self.write(string_literal(s))

    def get_printer_for_function(self, name: str, node: Any = None) -> Any:
        if (node is not None and node.funcformat == enums.CoercionForm.COERCE_SQL_SYNTAX
                and len(node.args or ()) in _SQL_SYNTAX_ARGS.get(name, ())):
            if name in _INFIX:
                return _INFIX[name]
            return get_special_function(name)
        return super().get_printer_for_function(name, node)

    def print_node(self, node: Any, is_name: bool = False, is_symbol: bool = False) -> None:
        base: Any = super()
        if isinstance(node, ast.TypeName) and _quoted_type_word(node):
            # a type named by a keyword, quoted in the source ('101'::"bit", as pg_get_expr
            # writes a bit default): pglast printed it bare, and bare ``bit`` is bit(1)
            self.write('"' + node.names[0].sval + '"')
            if node.typmods:
                with self.expression(True):
                    self.print_list(node.typmods, ",", standalone_items=False)
            for bound in node.arrayBounds or ():
                self.write("[")
                if bound.ival >= 0:
                    self.print_node(bound)
                self.write("]")
            return
        if isinstance(node, ast.TypeCast) and not is_name:
            arg = node.arg
            negative = isinstance(arg, ast.A_Const) and _is_negative(arg)
            with self.expression(negative or not isinstance(arg, _ATOMIC)):
                self.print_node(arg)
            self.write("::")
            self.print_node(node.typeName)
            self.separator()
            return
        if isinstance(node, ast.BooleanTest | ast.NullTest) and not is_name \
                and not isinstance(node.arg, _ATOMIC):
            # pglast prints ``(a IS DISTINCT FROM b) IS TRUE`` without the parentheses,
            # which does not parse: an IS test keeps its operand's parentheses
            with self.expression(True):
                self.print_node(node.arg)
            test = node.booltesttype if isinstance(node, ast.BooleanTest) else node.nulltesttype
            self.write(" " + _IS_TEST[test.name])
            self.separator()
            return
        base.print_node(node, is_name=is_name, is_symbol=is_symbol)


# keywords that name types only through the grammar's own rules when written bare (``bit`` is
# bit(1), ``numeric`` pg_catalog.numeric...): a single unqualified name that is one of them
# came quoted from the source ("char" pglast quotes itself)
_TYPE_WORDS = (COL_NAME_KEYWORDS | RESERVED_KEYWORDS | TYPE_FUNC_NAME_KEYWORDS) - {"char"}


def _quoted_type_word(node: Any) -> bool:
    names: tuple[Any, ...] = tuple(node.names or ())
    return (len(names) == 1 and isinstance(names[0], ast.String)
            and str(names[0].sval) in _TYPE_WORDS and not node.setof and not node.pct_type)


def _operand(output: Any, node: Any) -> None:
    """An operand of an infix call, parenthesised unless it is atomic (pglast's printers
    write ``(a + b) AT TIME ZONE z`` as ``a + b AT TIME ZONE z``, another expression)."""
    with output.expression(not isinstance(node, _ATOMIC) or _is_infix(node)):
        output.print_node(node)


def _timezone(node: Any, output: Any) -> None:
    """``timezone(z, x)`` written ``x AT TIME ZONE z`` (``x AT LOCAL`` with one argument),
    in parentheses as an operand (:func:`_enclosed`): pglast wrote ``(x AT TIME ZONE
    z)::date`` as ``x AT TIME ZONE z::date`` and ``-(x AT TIME ZONE z)`` as ``-x AT TIME
    ZONE z``, other expressions."""
    with output.expression(_enclosed(node)):
        if len(node.args) == 1:
            _operand(output, node.args[0])
            output.write(" AT LOCAL")
        else:
            _operand(output, node.args[1])
            output.write(" AT TIME ZONE ")
            _operand(output, node.args[0])


def _overlaps(node: Any, output: Any) -> None:
    """``(a, b) OVERLAPS (c, d)``, in parentheses as an operand (:func:`_enclosed`)."""
    with output.expression(_enclosed(node)):
        printer: Any = get_special_function("pg_catalog.overlaps")
        printer(node, output)


def _enclosed(node: Any) -> bool:
    """Whether an infix call is an operand (of a cast, an operator, an IS test, COLLATE...)
    and needs its own parentheses: not at the top of the expression, nor as an argument of
    a call (commas delimit it; an infix call's operands are parenthesised by
    :func:`_operand`), nor under a subscript (pglast parenthesises that operand)."""
    up = node.ancestors
    while up is not None and isinstance(up.node, tuple):
        up = up.parent
    owner = up.node if up is not None else None
    return owner is not None and not isinstance(owner, ast.FuncCall | ast.A_Indirection)


_INFIX = {"pg_catalog.timezone": _timezone, "pg_catalog.overlaps": _overlaps}


def _is_infix(node: Any) -> bool:
    """A call printed in an infix SQL syntax (``x AT TIME ZONE z``, ``OVERLAPS``)."""
    if not isinstance(node, ast.FuncCall) \
            or node.funcformat != enums.CoercionForm.COERCE_SQL_SYNTAX:
        return False
    name = ".".join(getattr(n, "sval", "") for n in node.funcname or ())
    return name in _INFIX and len(node.args or ()) in _SQL_SYNTAX_ARGS.get(name, ())


def _is_negative(const: Any) -> bool:
    val = getattr(const, "val", None)
    for attr in ("ival", "fval"):
        v = getattr(val, attr, None)
        if v is not None:
            return str(v).startswith("-")
    return False


def default_sql(node: Any) -> str | None:
    """A column/domain default as PostgreSQL stores it: ``DEFAULT NULL`` (even cast) is no
    default at all."""
    inner = node.arg if isinstance(node, ast.TypeCast) else node
    if isinstance(inner, ast.A_Const) and inner.isnull:
        return None
    return expr_sql(node)


def expr_sql(node: Any) -> str:
    """The SQL text of an expression node."""
    stream: Any = SqlStream()
    return str(stream(node)).strip()


def quote_ident(name: str) -> str:
    """Quote an identifier the way PostgreSQL's quote_ident does."""
    if _PLAIN_IDENT.match(name) and (name not in _KEYWORDS or name in UNRESERVED_KEYWORDS):
        return name
    return '"' + name.replace('"', '""') + '"'


def _all_keywords() -> frozenset[str]:
    from pglast import keywords

    return frozenset(keywords.RESERVED_KEYWORDS | keywords.TYPE_FUNC_NAME_KEYWORDS
                     | keywords.COL_NAME_KEYWORDS | keywords.UNRESERVED_KEYWORDS)


_KEYWORDS = _all_keywords()


def qualified(namespace: str, name: str) -> str:
    """``ns.name`` quoted as needed; ``public`` is spelled out too (exports are explicit)."""
    return f"{quote_ident(namespace)}.{quote_ident(name)}"


def names_of(nodes: Any) -> list[str]:
    """The strings of a list of ``String`` nodes (qualified names, column lists)."""
    return [n.sval for n in nodes or ()]


def walk(node: Any) -> Iterator[Any]:
    """Every AST node under ``node``, parents first (pglast's Visitor is slow to set up per
    expression). A stack, not recursion: an expression nested as deep as sqlexpr parses
    (``f(f(f(...)))``) is walked without a RecursionError."""
    todo = [node]
    while todo:
        n = todo.pop()
        if isinstance(n, list | tuple):
            todo.extend(reversed(n))
        elif isinstance(n, ast.Node):
            yield n
            todo.extend(getattr(n, a, None) for a in reversed(type(n).__slots__)
                        if a != "location")


_walk = walk


def column_refs(node: Any) -> list[str]:
    """Distinct column names referenced by an expression, in order of appearance."""
    names: list[str] = []
    for n in _walk(node):
        if isinstance(n, ast.ColumnRef) and n.fields and isinstance(n.fields[-1], ast.String):
            name = str(n.fields[-1].sval)
            if name not in names:
                names.append(name)
    return names
