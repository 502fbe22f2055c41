"""Column types as drizzle-orm pg-core builders, and as drizzle-kit's snapshot spells them.

One function, :func:`column_type`, decides both the builder call written into ``schema.ts``
and the ``type`` string of the column in ``meta/NNNN_snapshot.json`` (what the builder's
``getSQLType()`` returns), so ``drizzle-kit generate`` finds no change.

Types drizzle-orm 0.45 has no builder for (citext, tsvector, money, xml, ranges, bytea,
domains, extension types such as ``geometry(Point,4326)``, and any column with a COLLATE)
become a ``customType`` whose ``dataType()`` is the type's SQL spelling from the one SQL
writer (:func:`modeler.codegen.sqlwriter.type_sql`).
"""

from __future__ import annotations

from dataclasses import dataclass

from modeler.codegen.sqlwriter import type_sql
from modeler.schema.collations import canonical as collation_sql
from modeler.schema.model import ColumnType, Schema
from modeler.schema.types import canonical_key

# catalog key -> pg-core builder for types whose builder takes no option we need
_PLAIN = {"smallint": "smallint", "integer": "integer", "real": "real",
          "double precision": "doublePrecision", "text": "text", "boolean": "boolean",
          "uuid": "uuid", "json": "json", "jsonb": "jsonb", "inet": "inet", "cidr": "cidr",
          "macaddr": "macaddr", "macaddr8": "macaddr8", "point": "point", "line": "line"}

# TypeScript type of values node-postgres returns for a custom type's base (default: string)
_TS_DATA = {"smallint": "number", "integer": "number", "real": "number",
            "double precision": "number", "boolean": "boolean", "json": "unknown",
            "jsonb": "unknown", "bytea": "Buffer"}


@dataclass(frozen=True)
class CustomType:
    """A ``customType`` declaration: ``const <name> = customType<{ data: <ts> }>(...)``."""

    sql: str  # dataType(): the SQL spelling, array brackets included when it has them
    ts: str  # the TypeScript data type


@dataclass(frozen=True)
class ColType:
    """How one column's type is written.

    ``builder``: a pg-core function name, or ``None`` for an enum / custom type (then
    ``enum_uid`` or ``custom`` says which); ``options``: the builder's option object as TS
    text ('' for none); ``array_dims``: ``.array()`` calls; ``sql_type``: the snapshot spelling
    (brackets included); ``enum_uid``: the enum it uses (its namespace is the snapshot's
    ``typeSchema``)."""

    builder: str | None
    options: str
    array_dims: int
    sql_type: str
    custom: CustomType | None = None
    enum_uid: str | None = None


def _ts_data(ctype: ColumnType, schema: Schema) -> str:
    base = ctype
    if ctype.kind == "domain":
        dom = schema.type_object(ctype.ref or "")
        if dom is not None and hasattr(dom, "base"):
            base = dom.base
    key = base.name if base.kind == "builtin" else canonical_key(base.name)
    ts = _TS_DATA.get(key or "", "string")
    if base.kind == "enum":
        ts = "string"
    return ts + "[]" * (ctype.array_dims + (base.array_dims if base is not ctype else 0))


def _custom(ctype: ColumnType, schema: Schema, collation: str | None) -> ColType:
    sql = type_sql(ctype, schema)
    if collation is not None:
        sql += f" COLLATE {collation_sql(collation)}"
    return ColType(None, "", 0, sql, custom=CustomType(sql, _ts_data(ctype, schema)))


def _opts(**kw: object) -> str:
    parts = [f"{k}: {str(v).lower() if isinstance(v, bool) else v}" for k, v in kw.items()
             if v is not None]
    return "{ " + ", ".join(parts) + " }" if parts else ""


def _builtin(name: str, ctype: ColumnType) -> tuple[str, str, str] | None:
    """(builder, options, snapshot type) of a catalog type drizzle has a builder for."""
    p, s, n = ctype.precision, ctype.scale, ctype.length
    if name in _PLAIN:
        return _PLAIN[name], "", name
    if name == "bigint":
        return "bigint", _opts(mode="'number'"), "bigint"
    if name == "numeric":
        sql = "numeric" if p is None else (f"numeric({p}, {s})" if s is not None
                                           else f"numeric({p})")
        return "numeric", _opts(precision=p, scale=s if p is not None else None), sql
    if name in ("varchar", "char"):
        return name, _opts(length=n), name + (f"({n})" if n is not None else "")
    if name == "date":
        return "date", "", "date"
    if name in ("timestamp", "timestamptz"):
        tz = name == "timestamptz"
        sql = "timestamp" + (f" ({p})" if p is not None else "") + (
            " with time zone" if tz else "")
        return "timestamp", _opts(withTimezone=tz or None, precision=p), sql
    if name in ("time", "timetz"):
        tz = name == "timetz"
        sql = "time" + (f"({p})" if p is not None else "") + (" with time zone" if tz else "")
        return "time", _opts(withTimezone=tz or None, precision=p), sql
    if name == "interval":
        return "interval", _opts(precision=p), "interval" + (f"({p})" if p is not None else "")
    return None


class TypeCache:
    """:func:`column_type` for one schema, each distinct type worked out once."""

    def __init__(self, schema: Schema) -> None:
        self.schema = schema
        self.known: dict[tuple[ColumnType, str | None], ColType] = {}

    def __call__(self, ctype: ColumnType, collation: str | None = None) -> ColType:
        key = (ctype, collation)
        found = self.known.get(key)
        if found is None:
            found = self.known[key] = column_type(ctype, self.schema, collation)
        return found


def column_type(ctype: ColumnType, schema: Schema, collation: str | None = None) -> ColType:
    """The builder and snapshot spelling of a column of type ``ctype``."""
    if collation is not None:
        return _custom(ctype, schema, collation)
    dims = ctype.array_dims
    brackets = "[]" * dims
    if ctype.kind == "enum":
        obj = schema.type_object(ctype.ref or "")
        if obj is None:
            raise KeyError(f"column type refers to unknown enum {ctype.ref!r}")
        return ColType(None, "", dims, obj.name + brackets, enum_uid=obj.uid)
    found = _builtin(ctype.name, ctype) if ctype.kind == "builtin" else None
    if found is None:
        return _custom(ctype, schema, None)
    builder, options, sql = found
    return ColType(builder, options, dims, sql + brackets)
