"""PostgreSQL ``TypeName`` nodes → :class:`~modeler.schema.model.ColumnType`.

Catalog types map to their catalog key with length/precision/scale; enums and domains of the
script resolve (by search_path) to uids; anything else (citext from an extension is in the
catalog, but ``geometry(Point,4326)``, ``hstore``, ``ltree``, composite types are not) becomes a
``custom`` type spelled as PostgreSQL prints it. ``serial`` types are reported separately
because they expand into a column default plus an owned sequence.
"""

from __future__ import annotations

from typing import Any, Literal

from pglast import ast

from modeler.importers.build import type_uid
from modeler.importers.draft import DraftEnum
from modeler.importers.sql.context import Context
from modeler.importers.sql.deparse import quote_ident
from modeler.schema import model as m
from modeler.schema.types import UNSIZED, canonical_key, type_info

SERIALS: dict[str, str] = {
    "serial": "integer", "serial4": "integer", "bigserial": "bigint", "serial8": "bigint",
    "smallserial": "smallint", "serial2": "smallint",
}
INTERVAL_FULL_RANGE = 0x7FFF
_INTERVAL_FIELDS = {
    4: "year", 2: "month", 8: "day", 1024: "hour", 2048: "minute", 4096: "second",
    6: "year to month", 8 | 1024: "day to hour", 8 | 1024 | 2048: "day to minute",
    8 | 1024 | 2048 | 4096: "day to second", 1024 | 2048: "hour to minute",
    1024 | 2048 | 4096: "hour to second", 2048 | 4096: "minute to second",
}
_TIME_TYPES = frozenset({"time", "timetz", "timestamp", "timestamptz", "interval"})


def _mods(ctx: Context, tn: Any) -> list[int | str]:
    """Type modifiers: integers, or identifiers/strings spelled as in the source."""
    out: list[int | str] = []
    for mod in tn.typmods or ():
        if isinstance(mod, ast.A_Const) and isinstance(mod.val, ast.Integer):
            out.append(int(mod.val.ival or 0))
        elif isinstance(mod, ast.A_Const) and isinstance(mod.val, ast.String):
            out.append(str(mod.val.sval))
        elif isinstance(mod, ast.ColumnRef):
            out.append(_source_word(ctx, mod) or ".".join(f.sval for f in mod.fields))
        else:
            out.append("?")
    return out


def _source_word(ctx: Context, node: Any) -> str | None:
    loc = getattr(node, "location", None)
    src = ctx.stmt.src
    if not isinstance(loc, int) or not 0 <= loc < len(src):
        return None
    end = loc
    while end < len(src) and (src[end].isalnum() or src[end] in "_$"):
        end += 1
    return src[loc:end] or None


def column_type(ctx: Context, tn: Any) -> tuple[m.ColumnType, str | None]:
    """The column type of a TypeName, and the serial pseudo-type name when it is one."""
    names = [n.sval for n in tn.names]
    dims = len(tn.arrayBounds or ())
    if tn.pct_type:
        return m.ColumnType(kind="custom", name=".".join(names) + "%TYPE"), None
    mods = _mods(ctx, tn)
    if len(names) == 1 and names[0] in SERIALS and not dims and not mods:
        return m.ColumnType(name=SERIALS[names[0]]), names[0]
    schema = names[-2] if len(names) >= 2 else None
    name = names[-1]
    if schema in (None, "pg_catalog") and name == name.lower():  # "Name" is not name
        if name in UNSIZED and not mods:  # "char", "bit", bpchar: not char(1), bit(1)
            return m.ColumnType(kind="custom", name=UNSIZED[name], array_dims=dims), None
        key = canonical_key(name)
        if key is not None and name != "char":
            return builtin(key, mods, dims) or _custom(names, mods, dims), None
    user = ctx.find_type(names)
    if user is not None:
        kind: Literal["enum", "domain"] = "enum" if isinstance(user, DraftEnum) else "domain"
        qname = user.name if user.namespace == "public" else f"{user.namespace}.{user.name}"
        return m.ColumnType(kind=kind, name=qname, array_dims=dims,
                            ref=type_uid(kind, user.namespace, user.name)), None
    if schema == "public" and name == name.lower():
        key = canonical_key(name)
        if key is not None and not mods:
            return m.ColumnType(name=key, array_dims=dims), None
    return _custom(names, mods, dims), None


def builtin(key: str, mods: list[int | str], dims: int) -> m.ColumnType | None:
    """A catalog type with its modifiers; None when the modifiers do not fit the type."""
    info = type_info(key)
    ints = [x for x in mods if isinstance(x, int)]
    if len(ints) != len(mods):
        return None
    if key == "interval" and ints:
        fields, rest = ints[0], ints[1:]
        if fields != INTERVAL_FULL_RANGE:
            return None
        return m.ColumnType(name=key, precision=rest[0] if rest else None, array_dims=dims)
    if not ints:
        return m.ColumnType(name=key, array_dims=dims)
    if info.takes_length and len(ints) == 1:
        return m.ColumnType(name=key, length=ints[0], array_dims=dims)
    if info.takes_precision and (len(ints) == 1 or (info.takes_scale and len(ints) == 2)):
        return m.ColumnType(name=key, precision=ints[0],
                            scale=ints[1] if len(ints) == 2 else None, array_dims=dims)
    return None


def _custom(names: list[str], mods: list[int | str], dims: int) -> m.ColumnType:
    if len(names) >= 2 and names[-2] == "pg_catalog" and names[-1] == "interval" and mods:
        fields = mods[0]
        label = _INTERVAL_FIELDS.get(fields, "") if isinstance(fields, int) else ""
        text = "interval" + (f" {label}" if label else "")
        if len(mods) > 1:
            text += f"({mods[1]})"
        return m.ColumnType(kind="custom", name=text, array_dims=dims)
    parts = [p for p in names if p not in ("pg_catalog",)]
    if len(parts) == 2 and parts[0] == "public":
        parts = parts[1:]
    text = ".".join(quote_ident(p) for p in parts)
    if mods:
        text += "(" + ",".join(str(x) for x in mods) + ")"
    return m.ColumnType(kind="custom", name=text, array_dims=dims)


def type_text(ctx: Context, tn: Any) -> str:
    """How a TypeName reads (for sequences' ``AS`` and messages)."""
    ctype, serial = column_type(ctx, tn)
    return serial or ctype.sql()
