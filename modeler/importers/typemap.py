"""Type names that PostgreSQL does not have → the nearest PostgreSQL type.

DBML is written for every database: ``datetime``, ``bigint unsigned``, ``nvarchar(50)``,
``longtext`` or a product's own names (``Code``, ``Option``) are as common in it as PostgreSQL's
spellings. :func:`map_type` decides, for a type name an importer could not read as a catalog
type with fitting modifiers, what the column becomes:

* a spelling PostgreSQL itself accepts (``nchar(3)``, ``float(24)``, ``pg_lsn``,
  ``interval day to second``): the same type, nothing to report (``None`` or a mapping with
  ``why=""``);
* another dialect's spelling (MySQL, SQL Server, Oracle, SQLite and common generic names): the
  nearest catalog type, reported. Integer ranges are kept: ``tinyint`` → smallint,
  ``mediumint`` → integer, ``int unsigned`` → bigint; ``unsigned`` is dropped (no CHECK is
  added: the warning says that negative values are no longer refused), and ``bigint unsigned``
  stays bigint (numeric(20) would hold it but cannot be an identity or match the keys that
  refer to it). Display widths (``int(11)``) are dropped;
* a type of a PostgreSQL extension (``hstore``, ``geometry(Point,4326)``, ``citext``): kept as
  written, the extension named so that the design can declare it;
* anything else: ``text`` (``bigint`` for an auto-increment column), reported, so that the
  design always upgrades and the user sees what to fix.

Pure functions of the type text; callers report each distinct type once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from modeler.schema import model as m
from modeler.schema.types import INTEGER_TYPES, TEXT_TYPES, canonical_key, type_info


@dataclass(frozen=True, slots=True)
class TypeMapping:
    """What a type name becomes. ``why`` is empty when PostgreSQL accepts the spelling as it
    is (nothing to report); ``extension`` names the extension that declares the type."""

    type: m.ColumnType
    why: str = ""
    extension: str | None = None
    unknown: bool = False  # neither PostgreSQL nor a known spelling: the text fallback

    @property
    def reported(self) -> bool:
        return bool(self.why) or self.extension is not None


# PostgreSQL's own types that the catalog does not list (kept as written, as the SQL importer
# keeps them): pg_type's base, range and multirange types (PostgreSQL 15) minus the catalog.
PG_OTHER_TYPES = frozenset({
    "aclitem", "cid", "datemultirange", "gtsvector", "int4multirange",
    "int8multirange", "jsonpath", "nummultirange", "oidvector", "pg_lsn", "pg_snapshot",
    "refcursor", "regcollation", "regdictionary", "regnamespace", "regoper", "regoperator",
    "regproc", "regprocedure", "regrole", "regtype", "tid", "tsmultirange", "tstzmultirange",
    "txid_snapshot", "xid", "xid8", "pg_node_tree", "pg_ndistinct", "pg_dependencies",
    "pg_mcv_list", "pg_brin_bloom_summary", "pg_brin_minmax_multi_summary",
})

# Spellings of PostgreSQL's grammar for catalog types the catalog has no alias for.
_PG_SPELLINGS: dict[str, str] = {
    "nchar": "char", "national char": "char", "national character": "char",
    "char varying": "varchar", "nchar varying": "varchar", "national char varying": "varchar",
    "national character varying": "varchar", "dec": "numeric",
}

# Types declared by extensions (contrib and the common third-party ones) → extension name.
EXTENSION_TYPES: dict[str, str] = {
    "citext": "citext", "hstore": "hstore", "ltree": "ltree", "lquery": "ltree",
    "ltxtquery": "ltree", "cube": "cube", "earth": "earthdistance", "seg": "seg",
    "lo": "lo", "isbn": "isn", "isbn13": "isn", "ismn": "isn", "ismn13": "isn", "issn": "isn",
    "issn13": "isn", "ean13": "isn", "upc": "isn", "geometry": "postgis",
    "geography": "postgis", "box2d": "postgis", "box3d": "postgis",
    "raster": "postgis_raster", "vector": "vector", "halfvec": "vector",
    "sparsevec": "vector",
}

_MYSQL, _MSSQL, _ORACLE, _GENERIC = "MySQL", "SQL Server", "Oracle", "generic"

# Other dialects' spellings: base name → (catalog key, whose spelling, what the modifiers are).
# Modifiers: "width" (dropped), "length" (kept; ``max`` → text/bytea), "precision" (kept,
# at most 6), "numeric" (precision and scale kept), "none" (the type takes none).
_DIALECT: dict[str, tuple[str, str, str]] = {
    "tinyint": ("smallint", "MySQL/SQL Server", "width"),
    "mediumint": ("integer", _MYSQL, "width"),
    "middleint": ("integer", _MYSQL, "width"),
    "year": ("smallint", _MYSQL, "width"),
    "datetime": ("timestamp", "MySQL/SQL Server", "precision"),
    "datetime2": ("timestamp", _MSSQL, "precision"),
    "smalldatetime": ("timestamp", _MSSQL, "none"),
    "datetimeoffset": ("timestamptz", _MSSQL, "precision"),
    "double": ("double precision", _MYSQL, "width"),
    "binary_double": ("double precision", _ORACLE, "none"),
    "binary_float": ("real", _ORACLE, "none"),
    "tinytext": ("text", _MYSQL, "width"),
    "mediumtext": ("text", _MYSQL, "width"),
    "longtext": ("text", _MYSQL, "width"),
    "ntext": ("text", _MSSQL, "none"),
    "clob": ("text", _ORACLE, "width"),
    "nclob": ("text", _ORACLE, "width"),
    "string": ("text", _GENERIC, "width"),
    "nvarchar": ("varchar", _MSSQL, "length"),
    "national varchar": ("varchar", _MYSQL, "length"),
    "varchar2": ("varchar", _ORACLE, "length"),
    "nvarchar2": ("varchar", _ORACLE, "length"),
    "tinyblob": ("bytea", _MYSQL, "width"),
    "blob": ("bytea", "MySQL/SQLite/Oracle", "width"),
    "mediumblob": ("bytea", _MYSQL, "width"),
    "longblob": ("bytea", _MYSQL, "width"),
    "binary": ("bytea", "MySQL/SQL Server", "width"),
    "varbinary": ("bytea", "MySQL/SQL Server", "width"),
    "image": ("bytea", _MSSQL, "none"),
    "raw": ("bytea", _ORACLE, "width"),
    "long raw": ("bytea", _ORACLE, "none"),
    "uniqueidentifier": ("uuid", _MSSQL, "none"),
    "guid": ("uuid", _GENERIC, "none"),
    "number": ("numeric", _ORACLE, "numeric"),
    "smallmoney": ("money", _MSSQL, "none"),
    "biginteger": ("bigint", _GENERIC, "width"),
}
# PostgreSQL's own multi-word names written without their spaces, as dbdiagram's import of a
# PostgreSQL database writes them (``doubleprecision``, ``'0'::charactervarying``).
_SPACELESS: dict[str, str] = {
    "doubleprecision": "double precision", "charactervarying": "character varying",
    "timestampwithtimezone": "timestamp with time zone",
    "timestampwithouttimezone": "timestamp without time zone",
    "timewithtimezone": "time with time zone", "timewithouttimezone": "time without time zone",
    "bitvarying": "bit varying",
}

# MySQL's ENUM('a','b') and SET('a','b') name their values inline: no PostgreSQL type does.
_INLINE_VALUES = frozenset({"enum", "set"})

# The signed type that holds every value of an unsigned one.
_UNSIGNED_WIDER = {"smallint": "integer", "integer": "bigint", "bigint": "bigint"}
_FLAGS = re.compile(r"\b(unsigned|signed|zerofill)\b", re.IGNORECASE)
_ARRAY = re.compile(r"(?:\[\s*\d*\s*\]\s*)+$")
_ARGS = re.compile(r"\(([^()]*)\)")
_INTERVAL = re.compile(r"^interval\s+(?:year|month|day|hour|minute|second)"
                       r"(?:\s+to\s+(?:month|hour|minute|second))?$")


@dataclass(frozen=True, slots=True)
class _Parts:
    base: str  # lower case, single spaces, no modifiers, flags or array brackets
    args: list[str]  # the modifiers as written, stripped
    flags: set[str]  # unsigned / signed / zerofill
    dims: int


def _parts(text: str) -> _Parts:
    rest = text.strip()
    array = _ARRAY.search(rest)
    dims = array.group().count("[") if array else 0
    if array:
        rest = rest[:array.start()]
    flags = {f.lower() for f in _FLAGS.findall(rest)}
    rest = _FLAGS.sub(" ", rest)
    args_match = _ARGS.search(rest)
    args: list[str] = []
    if args_match is not None:
        args = [a.strip() for a in args_match.group(1).split(",")]
        rest = rest[:args_match.start()] + " " + rest[args_match.end():]
    return _Parts(" ".join(rest.lower().split()), args, flags, dims)


def _ints(args: list[str]) -> list[int] | None:
    if not all(a.lstrip("-").isdigit() for a in args):
        return None
    return [int(a) for a in args]


def _builtin(key: str, dims: int, length: int | None = None, precision: int | None = None,
             scale: int | None = None) -> m.ColumnType:
    return m.ColumnType(name=key, length=length, precision=precision, scale=scale,
                        array_dims=dims)


def _fitting(key: str, args: list[str], dims: int) -> m.ColumnType | None:
    """The catalog type with the modifiers as PostgreSQL reads them, None when they do not fit."""
    ints = _ints(args) if args else []
    if ints is None:
        return None
    info = type_info(key)
    if not ints:
        return _builtin(key, dims)
    if info.takes_length and len(ints) == 1:
        return _builtin(key, dims, length=ints[0])
    if info.takes_precision and (len(ints) == 1 or (info.takes_scale and len(ints) == 2)):
        return _builtin(key, dims, precision=ints[0], scale=ints[1] if len(ints) == 2 else None)
    return None


def _float(args: list[str], dims: int) -> m.ColumnType | None:
    """``float(p)``: PostgreSQL's own reading (real up to 24 bits, double precision above)."""
    ints = _ints(args)
    if ints is None or len(ints) != 1 or not 1 <= ints[0] <= 53:
        return None
    return _builtin("real" if ints[0] <= 24 else "double precision", dims)


def _flag_notes(key: str, flags: set[str]) -> list[str]:
    notes = []
    if "unsigned" in flags:
        notes.append("unsigned dropped: negative values are no longer refused")
        if key == "bigint":
            notes.append("values above 9223372036854775807 do not fit")
    if "zerofill" in flags:
        notes.append("zerofill dropped")
    return notes


def _with_flags(ctype: m.ColumnType, flags: set[str], notes: list[str], *,
                widen: bool = True) -> m.ColumnType:
    """Flags dropped, with notes; an unsigned catalog integer (``widen``) becomes the signed
    type that holds all its values (tinyint and mediumint map to wide enough types already)."""
    notes += _flag_notes(ctype.name, flags)
    if widen and "unsigned" in flags and ctype.name in _UNSIGNED_WIDER:
        return m.ColumnType(name=_UNSIGNED_WIDER[ctype.name], array_dims=ctype.array_dims)
    return ctype


def _is_max(args: list[str]) -> bool:
    return [a.lower() for a in args] == ["max"]


def _catalog(key: str, p: _Parts) -> TypeMapping:
    """A catalog type spelled with modifiers or flags PostgreSQL may reject (``int(11)``,
    ``bigint unsigned``, ``varchar(max)``, ``text(100)``, ``float(10,2)``)."""
    fitting = _fitting(key, p.args, p.dims)
    if fitting is not None and not p.flags:
        return TypeMapping(fitting)  # a spelling PostgreSQL's grammar reads as it is
    if not p.flags and key == "double precision" and p.base in ("float", "float8"):
        found = _float(p.args, p.dims)
        if found is not None:
            return TypeMapping(found)
    notes: list[str] = []
    whose = "MySQL's spelling"
    ctype = fitting
    if ctype is None:
        if key in TEXT_TYPES and _is_max(p.args):
            key, whose = "text", "SQL Server's spelling"
        elif key == "double precision" and p.base == "float" and len(p.args) == 2:
            key = "real"  # MySQL's FLOAT(M,D) is single precision
            notes.append(f"({', '.join(p.args)}) dropped")
        elif key in INTEGER_TYPES and _ints(p.args) is not None:
            notes.append(f"display width ({', '.join(p.args)}) dropped")
        else:
            notes.append(f"modifiers ({', '.join(p.args)}) dropped")
        ctype = _builtin(key, p.dims)
    ctype = _with_flags(ctype, p.flags, notes)
    return TypeMapping(ctype, "; ".join([whose, *notes]))


def _dialect(entry: tuple[str, str, str], p: _Parts) -> TypeMapping:
    key, whose, mods = entry
    notes: list[str] = []
    ints = _ints(p.args) if p.args else []
    length = precision = scale = None
    if p.args:
        if mods == "length" and _is_max(p.args):
            key = "text"
        elif mods == "length" and ints is not None and len(ints) == 1:
            length = ints[0]
        elif mods == "precision" and ints is not None and len(ints) == 1:
            precision = min(ints[0], 6)
            if ints[0] > 6:
                notes.append(f"precision {ints[0]} reduced to 6, PostgreSQL's maximum")
        elif mods == "numeric" and ints is not None and len(ints) in (1, 2) and ints[0] >= 1:
            precision, scale = ints[0], (ints[1] if len(ints) == 2 else None)
        elif key == "bytea" and (ints is not None or _is_max(p.args)):
            notes.append("length dropped")
        elif key in INTEGER_TYPES and ints is not None:
            notes.append(f"display width ({', '.join(p.args)}) dropped")
        else:
            notes.append(f"modifiers ({', '.join(p.args)}) dropped")
    ctype = _builtin(key, p.dims, length=length, precision=precision, scale=scale)
    ctype = _with_flags(ctype, p.flags, notes, widen=False)
    spelling = "a generic spelling" if whose == _GENERIC else f"{whose}'s spelling"
    return TypeMapping(ctype, "; ".join([spelling, *notes]))


def extension_of(name: str) -> str | None:
    """The extension declaring the type ``name`` (``hstore``, ``geometry(Point,4326)``)."""
    return EXTENSION_TYPES.get(_parts(name).base)


def map_type(text: str, *, autoinc: bool = False) -> TypeMapping | None:
    """What the type written ``text`` becomes; None for a PostgreSQL type to keep as written.

    ``text`` is the type as the input spells it, without enclosing quotes (``bigint
    unsigned``, ``Code``, ``varchar(10)[]``). Schema-qualified names and enums are the
    caller's business (it knows the declared types): here they are plain names.
    """
    p = _parts(text)
    if not p.base:  # nothing written, or MySQL's flags alone (``unsigned``): no type to keep
        return None if not p.flags else _unknown(p, autoinc)
    if p.base in PG_OTHER_TYPES or _INTERVAL.match(p.base):
        return None if not p.flags else _unknown(p, autoinc)
    extension = EXTENSION_TYPES.get(p.base)
    if extension is not None and not p.flags:
        if p.base == "citext" and not p.args:
            return TypeMapping(_builtin("citext", p.dims), extension=extension)
        return TypeMapping(m.ColumnType(kind="custom", name=_ARRAY.sub("", text).strip(),
                                        array_dims=p.dims), extension=extension)
    key = canonical_key(p.base) or _PG_SPELLINGS.get(p.base)
    if key is not None:
        return _catalog(key, p)
    entry = _DIALECT.get(p.base)
    if entry is not None:
        return _dialect(entry, p)
    spaced = _SPACELESS.get(p.base)
    if spaced is not None:
        found = _catalog(str(canonical_key(spaced)), replace(p, base=spaced))
        return TypeMapping(found.type, "; ".join(
            [f"{spaced} written without its spaces", *found.why.split("; ")[1:]]))
    if p.base in _INLINE_VALUES and p.args:
        ctype = _builtin("text", p.dims)
        return TypeMapping(ctype, f"MySQL's inline {p.base.upper()} (values "
                           f"{', '.join(p.args)} not kept: no PostgreSQL type names its "
                           "values inline; an enum or a CHECK can)")
    return _unknown(p, autoinc)


def _unknown(p: _Parts, autoinc: bool) -> TypeMapping:
    if autoinc:
        return TypeMapping(_builtin("bigint", p.dims), "an auto-increment column",
                           unknown=True)
    return TypeMapping(_builtin("text", p.dims), "text holds any value", unknown=True)


__all__ = ["EXTENSION_TYPES", "PG_OTHER_TYPES", "TypeMapping", "extension_of", "map_type"]
