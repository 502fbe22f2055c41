"""Which column type changes can lose data or fail on existing rows (rule MG-05)."""

from __future__ import annotations

from modeler.schema.model import ColumnType

_INT_RANK = {"smallint": 1, "integer": 2, "bigint": 3}
_TEXTUAL = {"varchar", "char", "text", "citext"}
_WIDENS_TO: dict[str, frozenset[str]] = {
    "smallint": frozenset({"integer", "bigint", "numeric", "real", "double precision", "text"}),
    "integer": frozenset({"bigint", "numeric", "double precision", "text"}),
    "bigint": frozenset({"numeric", "text"}),
    "real": frozenset({"double precision", "text"}),
    "date": frozenset({"timestamp", "timestamptz", "text"}),
    "timestamp": frozenset({"timestamptz", "text"}),
    "json": frozenset({"jsonb", "text"}),
    "uuid": frozenset({"text"}),
    "inet": frozenset({"text"}),
}


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


def is_narrowing(old: ColumnType, new: ColumnType) -> bool:
    """True unless every value of ``old`` surely fits ``new`` unchanged."""
    if old == new:
        return False
    if old.array_dims != new.array_dims:
        return True
    if old.kind != "builtin" or new.kind != "builtin":
        # enum/domain → text widens; anything else is a cast we cannot vouch for.
        return not (new.kind == "builtin" and new.name in ("text", "citext")
                    and old.kind in ("enum", "domain"))
    if old.name == new.name:
        if old.name == "numeric":
            return not _numeric_widens(old, new)
        if old.name in ("varchar", "bit", "varbit"):
            return not _longer_or_same(old.length, new.length)
        if old.name == "char":  # char(n) pads: any length change rewrites values
            return True
        return not _longer_or_same(old.precision, new.precision)
    if old.name in _TEXTUAL and new.name in ("text", "citext"):
        return False
    if old.name in ("char", "text", "citext") and new.name == "varchar":
        return new.length is not None
    if new.name == "varchar" and old.name in _WIDENS_TO and "text" in _WIDENS_TO[old.name]:
        return new.length is not None
    if new.name == "numeric" and old.name in _INT_RANK:
        p = new.precision
        needed = {"smallint": 5, "integer": 10, "bigint": 19}[old.name]
        return p is not None and p - (new.scale or 0) < needed
    return new.name not in _WIDENS_TO.get(old.name, frozenset())
