"""The fixed catalog of PostgreSQL column types the modeler knows.

Keys are the short names users pick in the editor (``timestamptz``, ``varchar``). Each entry
says which parameters the type takes and how PostgreSQL itself spells it (``format_type``),
so that importers, code generation and catalog comparisons agree on one spelling.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TypeInfo:
    """One catalog entry."""

    key: str
    pg_name: str  # how format_type() prints it without modifiers
    category: str  # numeric, text, time, bool, binary, json, network, geometric, range, other
    takes_length: bool = False
    takes_precision: bool = False  # numeric(p,s), time(p), timestamp(p), interval(p), float(p)
    takes_scale: bool = False
    aliases: tuple[str, ...] = ()


_CATALOG: tuple[TypeInfo, ...] = (
    TypeInfo("smallint", "smallint", "numeric", aliases=("int2",)),
    TypeInfo("integer", "integer", "numeric", aliases=("int", "int4")),
    TypeInfo("bigint", "bigint", "numeric", aliases=("int8",)),
    TypeInfo("numeric", "numeric", "numeric", takes_precision=True, takes_scale=True,
             aliases=("decimal",)),
    TypeInfo("real", "real", "numeric", aliases=("float4",)),
    TypeInfo("double precision", "double precision", "numeric", aliases=("float8", "float")),
    TypeInfo("money", "money", "numeric"),
    TypeInfo("text", "text", "text"),
    TypeInfo("varchar", "character varying", "text", takes_length=True,
             aliases=("character varying",)),
    TypeInfo("char", "character", "text", takes_length=True, aliases=("character", "bpchar")),
    TypeInfo("citext", "citext", "text"),
    TypeInfo("boolean", "boolean", "bool", aliases=("bool",)),
    TypeInfo("date", "date", "time"),
    TypeInfo("time", "time without time zone", "time", takes_precision=True,
             aliases=("time without time zone",)),
    TypeInfo("timetz", "time with time zone", "time", takes_precision=True,
             aliases=("time with time zone",)),
    TypeInfo("timestamp", "timestamp without time zone", "time", takes_precision=True,
             aliases=("timestamp without time zone",)),
    TypeInfo("timestamptz", "timestamp with time zone", "time", takes_precision=True,
             aliases=("timestamp with time zone",)),
    TypeInfo("interval", "interval", "time", takes_precision=True),
    TypeInfo("uuid", "uuid", "other"),
    TypeInfo("json", "json", "json"),
    TypeInfo("jsonb", "jsonb", "json"),
    TypeInfo("xml", "xml", "other"),
    TypeInfo("bytea", "bytea", "binary"),
    TypeInfo("bit", "bit", "binary", takes_length=True),
    TypeInfo("varbit", "bit varying", "binary", takes_length=True, aliases=("bit varying",)),
    TypeInfo("inet", "inet", "network"),
    TypeInfo("cidr", "cidr", "network"),
    TypeInfo("macaddr", "macaddr", "network"),
    TypeInfo("macaddr8", "macaddr8", "network"),
    TypeInfo("tsvector", "tsvector", "other"),
    TypeInfo("tsquery", "tsquery", "other"),
    TypeInfo("point", "point", "geometric"),
    TypeInfo("line", "line", "geometric"),
    TypeInfo("lseg", "lseg", "geometric"),
    TypeInfo("box", "box", "geometric"),
    TypeInfo("path", "path", "geometric"),
    TypeInfo("polygon", "polygon", "geometric"),
    TypeInfo("circle", "circle", "geometric"),
    TypeInfo("int4range", "int4range", "range"),
    TypeInfo("int8range", "int8range", "range"),
    TypeInfo("numrange", "numrange", "range"),
    TypeInfo("tsrange", "tsrange", "range"),
    TypeInfo("tstzrange", "tstzrange", "range"),
    TypeInfo("daterange", "daterange", "range"),
    TypeInfo("oid", "oid", "other"),
    TypeInfo("regclass", "regclass", "other"),
    TypeInfo("regconfig", "regconfig", "other"),
    TypeInfo("name", "name", "text"),
    TypeInfo("int2vector", "int2vector", "other"),
)

CATALOG: dict[str, TypeInfo] = {t.key: t for t in _CATALOG}
_ALIASES: dict[str, str] = {}
for _t in _CATALOG:
    _ALIASES[_t.key] = _t.key
    _ALIASES[_t.pg_name] = _t.key
    for _a in _t.aliases:
        _ALIASES[_a] = _t.key

# Catalog names PostgreSQL's grammar reads otherwise as keywords: quoted, schema-qualified
# or (bpchar) spelled as the catalog's name, without a length, they are another type than
# the keyword's (``char`` is character(1), ``"char"`` the single-byte internal type; ``bit``
# is bit(1), ``"bit"`` a bit string of any length; ``bpchar`` blank-padded text of any
# length): the type PostgreSQL shows for each, kept as written
UNSIZED: dict[str, str] = {"char": '"char"', "bit": '"bit"', "bpchar": "bpchar"}

INTEGER_TYPES = frozenset({"smallint", "integer", "bigint"})
TEXT_TYPES = frozenset({"text", "varchar", "char", "citext"})
LARGE_OBJECT_TYPES = frozenset({"text", "bytea", "json", "jsonb", "xml", "tsvector", "citext"})


def canonical_key(name: str) -> str | None:
    """The catalog key for a type name or alias (case-insensitive), or None."""
    return _ALIASES.get(" ".join(name.lower().split()))


def type_info(key: str) -> TypeInfo:
    """The catalog entry for ``key``; KeyError for names outside the catalog."""
    return CATALOG[key]
