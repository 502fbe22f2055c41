"""PostgreSQL key words that cannot be used as unquoted table or column names.

Source: PostgreSQL documentation, Appendix C "SQL Key Words", table C.1, column
"PostgreSQL": the key words marked *reserved* and *reserved (can be function or type)*
(PostgreSQL 16; the same lists as the server's ``kwlist.h`` categories RESERVED_KEYWORD and
TYPE_FUNC_NAME_KEYWORD). Non-reserved key words (``name``, ``type``,
``role``) are fine as identifiers and are not listed.
"""

from __future__ import annotations

_RESERVED = """
all analyse analyze and any array as asc asymmetric both case cast check collate column
constraint create current_catalog current_date current_role current_time current_timestamp
current_user default deferrable desc distinct do else end except false fetch for foreign from
grant group having in initially intersect into lateral leading limit localtime localtimestamp
not null offset on only or order placing primary references returning select session_user some
symmetric system_user table then to trailing true union unique user using variadic when where
window with
"""
RESERVED: frozenset[str] = frozenset(_RESERVED.split())

# "reserved (can be function or type)": also unusable as unquoted table or column names.
_FUNC_OR_TYPE = """
authorization binary collation concurrently cross current_schema freeze full ilike inner is
isnull join left like natural notnull outer overlaps right similar tablesample verbose
"""
RESERVED_FUNC_OR_TYPE: frozenset[str] = frozenset(_FUNC_OR_TYPE.split())

RESERVED_WORDS: frozenset[str] = RESERVED | RESERVED_FUNC_OR_TYPE


def is_reserved(name: str) -> bool:
    """Whether ``name`` would need quoting in DDL because it is a reserved key word."""
    return name.lower() in RESERVED_WORDS
