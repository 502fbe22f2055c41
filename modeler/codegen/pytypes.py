"""Python types for ``Mapped[...]`` annotations: what psycopg 3 returns for each column type."""

from __future__ import annotations

from modeler.schema.model import ColumnType, Schema

DT = "import datetime"
DEC = "from decimal import Decimal"
UUID_ = "from uuid import UUID"
ANY = "from typing import Any"
RANGE = "from sqlalchemy.dialects.postgresql import Range"

_BY_NAME: dict[str, tuple[str, str | None]] = {
    "smallint": ("int", None), "integer": ("int", None), "bigint": ("int", None),
    "oid": ("int", None),
    "numeric": ("Decimal", DEC), "real": ("float", None), "double precision": ("float", None),
    "money": ("str", None),
    "boolean": ("bool", None),
    "date": ("datetime.date", DT), "time": ("datetime.time", DT), "timetz": ("datetime.time", DT),
    "timestamp": ("datetime.datetime", DT), "timestamptz": ("datetime.datetime", DT),
    "interval": ("datetime.timedelta", DT),
    "uuid": ("UUID", UUID_),
    "json": ("Any", ANY), "jsonb": ("Any", ANY),
    "bytea": ("bytes", None),
    "inet": ("Any", ANY), "cidr": ("Any", ANY),
    "int4range": ("Range[int]", RANGE), "int8range": ("Range[int]", RANGE),
    "numrange": ("Range[Decimal]", RANGE), "tsrange": ("Range[datetime.datetime]", RANGE),
    "tstzrange": ("Range[datetime.datetime]", RANGE), "daterange": ("Range[datetime.date]", RANGE),
}
_RANGE_EXTRA = {"numrange": DEC, "tsrange": DT, "tstzrange": DT, "daterange": DT}


def python_type(ctype: ColumnType, schema: Schema,
                enum_classes: dict[str, str]) -> tuple[str, set[str]]:
    """Annotation text (without ``| None``) and the imports it needs.

    ``enum_classes`` maps enum uids to the generated Python enum class names. Text-like and
    unknown types are ``str`` (psycopg returns text for types it has no loader for), except
    extension types (``custom``), which are ``Any``.
    """
    imports: set[str] = set()
    if ctype.kind == "enum":
        text = enum_classes[ctype.ref or ""]
    elif ctype.kind == "domain":
        base = schema.domain(ctype.ref or "").base
        if base.kind == "enum":  # a DOMAIN type hands back the label, not the enum member
            text = "str"
        else:
            text, imports = python_type(base, schema, enum_classes)
    elif ctype.kind == "custom":
        text = "Any"
        imports.add(ANY)
    else:
        text, imp = _BY_NAME.get(ctype.name, ("str", None))
        if imp:
            imports.add(imp)
        if ctype.name in _RANGE_EXTRA:
            imports.add(_RANGE_EXTRA[ctype.name])
    for _ in range(ctype.array_dims):
        text = f"list[{text}]"
    return text, imports
