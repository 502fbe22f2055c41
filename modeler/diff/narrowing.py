"""The one judgment of loss: which column type changes can lose data or fail on existing rows.

:attr:`modeler.diff.AlterColumn.destructive` asks :func:`is_narrowing`; the migration's
"(destructive)" marks, the review's change list and rule MG-05 ("the diff ops marked
destructive") all read that one answer.

A change is safe only when every value of the old type survives the cast unchanged (or as its
exact text spelling) and no existing row can make the ``ALTER COLUMN ... TYPE`` fail. Choices
made where the two earlier tables disagreed:

- ``json`` → ``jsonb`` is **lossy**: jsonb keeps the last of duplicate keys, sorts keys,
  drops whitespace and rejects ``\\u0000`` escapes that json stores (the ALTER fails).
- ``integer`` → ``double precision`` and ``smallint`` → ``real``/``double precision`` are
  **safe**: a float8 holds every integer below 2^53 exactly (float4: below 2^24), and int4
  stops at 2^31. ``bigint`` → ``double precision`` and ``integer`` → ``real`` stay lossy.
- Integers, ``numeric``, ``real``, ``uuid``, ``inet``, ``date``, ``timestamp``, ``json``,
  enums and domains → ``text`` (or an unbounded ``varchar``/``citext``) are **safe**: their
  text output reads back as the same value.
- Another enum type is **lossy** (the cast goes through text and fails on a label the new
  type lacks; the op does not see the labels).
- ``char(n)`` → ``varchar(m)``/``char(m)`` with ``m >= n`` is safe; ``bit(n)`` → ``bit(m)`` with
  ``m != n`` is lossy (the bits are padded or cut: another value).
"""

from __future__ import annotations

from modeler.schema.model import ColumnType

_INT_DIGITS = {"smallint": 5, "integer": 10, "bigint": 19}
_UNBOUNDED_TEXT = frozenset({"text", "citext"})
_STRINGS = frozenset({"varchar", "char", "text", "citext"})
# builtin → builtin casts that keep every value (text: the value's exact text spelling)
_WIDENS_TO: dict[str, frozenset[str]] = {
    "smallint": frozenset({"integer", "bigint", "numeric", "real", "double precision", "text"}),
    "integer": frozenset({"bigint", "numeric", "double precision", "text"}),
    "bigint": frozenset({"numeric", "text"}),
    "numeric": frozenset({"text"}),
    "real": frozenset({"double precision", "text"}),
    "date": frozenset({"timestamp", "timestamptz", "text"}),
    "timestamp": frozenset({"timestamptz", "text"}),
    "json": frozenset({"text"}),
    "uuid": frozenset({"text"}),
    "inet": frozenset({"text"}),
}


def _is_unbounded_text(t: ColumnType) -> bool:
    return t.kind == "builtin" and (t.name in _UNBOUNDED_TEXT
                                    or (t.name == "varchar" and t.length is None))


def _longer_or_same(old: int | None, new: int | None) -> bool:
    """``None`` means unbounded."""
    if new is None:
        return True
    return old is not None and new >= old


def _numeric_widens(old: ColumnType, new: ColumnType) -> bool:
    if new.precision is None:
        return True
    if old.precision is None:
        return False
    old_scale, new_scale = old.scale or 0, new.scale or 0
    return new_scale >= old_scale and new.precision - new_scale >= old.precision - old_scale


def _same_name_narrows(old: ColumnType, new: ColumnType) -> bool:
    if old.name == "numeric":
        return not _numeric_widens(old, new)
    if old.name == "char":  # a bare ``character`` is character(1)
        return (new.length or 1) < (old.length or 1)
    if old.name in ("varchar", "varbit"):
        return not _longer_or_same(old.length, new.length)
    if old.name == "bit":  # bit(n) → bit(m) pads or cuts the bits: another value
        return old.length != new.length
    # time, timetz, timestamp(tz), interval: fractional-second precision
    return not _longer_or_same(old.precision, new.precision)


def _strings_narrow(old: ColumnType, new: ColumnType) -> bool:
    if _is_unbounded_text(new):
        return False
    if old.name in _UNBOUNDED_TEXT or old.length is None:
        return True
    if old.name == "varchar" and new.name == "char":  # char pads: no longer the same value
        return True
    return not _longer_or_same(old.length, new.length)


def is_narrowing(old: ColumnType, new: ColumnType) -> bool:
    """True unless every value of ``old`` surely fits ``new`` unchanged."""
    if old == new:
        return False
    if old.array_dims != new.array_dims:
        return True
    if old.kind != "builtin" or new.kind != "builtin":
        # enum/domain → text widens; anything else is a cast we cannot vouch for.
        return not (old.kind in ("enum", "domain") and _is_unbounded_text(new))
    if old.name == new.name:
        return _same_name_narrows(old, new)
    if old.name in _STRINGS and new.name in _STRINGS:
        return _strings_narrow(old, new)
    if new.name == "varchar" and "text" in _WIDENS_TO.get(old.name, frozenset()):
        return new.length is not None
    if new.name == "numeric" and old.name in _INT_DIGITS:
        p = new.precision
        return p is not None and p - (new.scale or 0) < _INT_DIGITS[old.name]
    return new.name not in _WIDENS_TO.get(old.name, frozenset())
