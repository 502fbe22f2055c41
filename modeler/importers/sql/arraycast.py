"""Array casts of catalog text that psql would not rebuild as they were.

PostgreSQL prints ``s IN ('a', 'b')`` on a ``varchar`` column (Django's ``choices``
constraints, SQLAlchemy's non-native ``Enum``) as::

    (s)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[])

an array coercion (``ArrayCoerceExpr``) of a ``varchar[]`` array. Read back, that text is a
cast of an ``ARRAY[...]`` constructor, which the parser pushes into the elements instead
(``ARRAY[('a'::character varying)::text, ...]``): the same values, another expression, so
the catalog no longer matches the database it came from. pg_dump has the same wart; a file
import keeps what psql makes of the text (its yardstick), but the live importer reads the
database itself, so for its statements (:func:`keep_array_coercions`) a parenthesised
``(ARRAY[...])::T[]`` becomes ``ARRAY[...]::E[]::T[]`` with ``E`` the elements' own type:
the inner cast changes nothing, and the outer one is an array coercion again.
"""

from __future__ import annotations

import re
from typing import Any

from pglast import ast

_INT4 = range(-(2**31), 2**31)
_INT8 = range(-(2**63), 2**63)
_DIGITS = re.compile(r"-?\d+")
_ARRAY = re.compile("array", re.IGNORECASE)
_new: Any = ast  # pglast's node constructors are untyped


def keep_array_coercions(node: Any, sql: str) -> None:
    """Rewrite, in place, every ``(ARRAY[...])::T`` of ``node`` (parsed from ``sql``) whose
    elements' type is plain to see (see the module docstring). A statement without the word
    ``ARRAY`` has no ARRAY constructor: its tree is not walked (most of them)."""
    if _ARRAY.search(sql) is None:
        return
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, tuple | list):
            stack.extend(item)
            continue
        if not isinstance(item, ast.Node):
            continue
        if isinstance(item, ast.TypeCast) and _parenthesised_array(item, sql):
            element = _element_type(item.arg)
            if element is not None:
                item.arg = _new.TypeCast(arg=item.arg, typeName=element, location=-1)
        stack.extend(getattr(item, name) for name in item.__slots__)


def _parenthesised_array(cast: Any, sql: str) -> bool:
    """Whether ``cast`` reads ``(ARRAY[...])::T``: an ``ARRAY`` constructor in parentheses
    (what the catalog prints for a coercion) rather than ``ARRAY[...]::T``."""
    if not isinstance(cast.arg, ast.A_ArrayExpr) or not cast.arg.elements:
        return False
    at = cast.location
    if at is None or not 0 < at <= len(sql) or not sql.startswith("::", at):
        return False
    return sql[:at].rstrip().endswith(")")


def _element_type(array: Any) -> Any | None:
    """``E[]`` for the ARRAY constructor's elements, when the text says what ``E`` is: all of
    them cast to one type, or all integer or numeric constants; else None."""
    elements = list(array.elements)
    if all(isinstance(e, ast.TypeCast) and e.typeName is not None for e in elements):
        first = elements[0].typeName
        if first.arrayBounds or any(e.typeName != first for e in elements[1:]):
            return None
        return _new.TypeName(names=first.names, typmods=first.typmods, typemod=-1,
                            arrayBounds=(_new.Integer(ival=-1),), location=-1)
    if not all(isinstance(e, ast.A_Const) and isinstance(e.val, ast.Integer | ast.Float)
               for e in elements):
        return None
    values = [str(e.val.ival) if isinstance(e.val, ast.Integer) else e.val.fval
              for e in elements]
    if all(_DIGITS.fullmatch(v) and int(v) in _INT4 for v in values):
        name = "int4"
    elif all(_DIGITS.fullmatch(v) and int(v) in _INT8 for v in values):
        name = "int8"
    else:
        name = "numeric"
    return _new.TypeName(names=(_new.String(sval="pg_catalog"), _new.String(sval=name)),
                        typemod=-1, arrayBounds=(_new.Integer(ival=-1),), location=-1)
