"""PostgreSQL's deparsed AND/OR nesting, written so that PostgreSQL makes it again.

PostgreSQL expands some expressions into a boolean tree of its own while it stores them:
``x BETWEEN 1 AND 9`` into ``(x >= 1) AND (x <= 9)``, a row comparison ``(a, b) = (c, d)``
into ``(a = c) AND (b = d)``, a row-wise ``(a, b, c) IS DISTINCT FROM (d, e, f)`` into
``((a IS DISTINCT FROM d) OR (b IS DISTINCT FROM e)) OR (c IS DISTINCT FROM f)``. When such
an expansion is the left operand of an AND (OR) of the same kind, the stored tree is nested:
``pg_get_constraintdef``, ``pg_get_viewdef``, ``pg_get_triggerdef``... print
``(((x >= 1) AND (x <= 9)) AND (y > 0))``. The grammar flattens a left operand that is
itself an AND (OR) into one list (gram.y, makeAndExpr), parentheses or not, so that text
made again is stored as ``((x >= 1) AND (x <= 9) AND (y > 0))``: another tree, which
PostgreSQL prints differently (the CHECK, index predicate, view, trigger WHEN... of the
export was not the database's).

:func:`keep_nesting` writes such a left operand with a cast to ``boolean``: a boolean's cast to
boolean makes no node (coerce_type returns its input), so the stored tree is the database's
own, and the grammar does not flatten a cast. A left operand printed as a parenthesized
AND (OR) followed by the same operator can only come from a nested tree, since the grammar
never makes one.
"""

from __future__ import annotations

from pglast.parser import Token, scan

_OPEN, _CLOSE = "ASCII_40", "ASCII_41"
_BOOL = ("AND", "OR")
_QUERY = ("SELECT", "WITH", "VALUES", "TABLE")


def keep_nesting(sql: str) -> str:
    """``sql`` (text PostgreSQL printed) with each left operand that is an AND (OR) of an
    AND (OR) written ``(...)::boolean``, so that it is stored nested again; else as it is."""
    if "((" not in sql or (" AND " not in sql and " OR " not in sql):
        return sql
    try:
        tokens = scan(sql)
    except Exception:  # not for the scanner to judge: the importer reports it
        return sql
    match: dict[int, int] = {}
    stack: list[int] = []
    for i, tok in enumerate(tokens):
        if tok.name == _OPEN:
            stack.append(i)
        elif tok.name == _CLOSE and stack:
            match[stack.pop()] = i
    inserts: list[int] = []
    for start, end in match.items():
        inner = start + 1
        if tokens[inner].name != _OPEN or inner not in match:
            continue
        close = match[inner]
        if close + 1 >= end or tokens[close + 1].name not in _BOOL:
            continue
        if _operator(tokens, inner, close, match) == tokens[close + 1].name:
            inserts.append(tokens[close].end + 1)
    for at in sorted(inserts, reverse=True):
        sql = sql[:at] + "::boolean" + sql[at:]
    return sql


def _operator(tokens: list[Token], start: int, end: int, match: dict[int, int]) -> str | None:
    """The one boolean operator at the top level of the group ``tokens[start:end + 1]``
    (None when there is none, both, or the group is a subquery)."""
    if tokens[start + 1].name in _QUERY:
        return None
    found: set[str] = set()
    i = start + 1
    while i < end:
        tok = tokens[i]
        if tok.name == _OPEN and i in match:
            i = match[i] + 1
            continue
        if tok.name in _BOOL:
            found.add(tok.name)
        i += 1
    return found.pop() if len(found) == 1 else None
