"""One mapping from snapshot column types to SQLAlchemy type expressions, as Python source text.

Shared by the model generator (``models.py``) and the migration renderer, so that both spell a
type the same way and ``alembic check`` finds nothing to change. The result is *text* (to be
written into generated files) plus the import lines the text needs, e.g.::

    >>> type_expr(ColumnType(name="varchar", length=20), Schema())
    ('sa.String(length=20)', {'import sqlalchemy as sa'})

Choices worth knowing:

* enums become ``postgresql.ENUM(<labels>, name=..., create_type=False)`` and domains
  ``postgresql.DOMAIN(name, <base>, create_type=False)``: migrations create those types
  explicitly (``CREATE TYPE`` / ``CREATE DOMAIN``), so SQLAlchemy must never emit them itself.
  PostgreSQL reflection yields ENUM / DOMAIN too, so autogenerate compares like with like.
* types SQLAlchemy has no class for (``xml``, the geometric types, ``int2vector``, ``name`` and
  ``custom`` extension types such as ``geometry(Point,4326)``) are spelled through
  ``postgresql.DOMAIN(sa.sql.quoted_name(<spelling>, False), sa.Text(), create_type=False)``:
  a self-contained expression (no helper class in the generated file) whose DDL is exactly the
  PostgreSQL spelling, unquoted, and which SQLAlchemy never tries to create or drop.
  Reflection reports such columns as NullType, which autogenerate skips.
* ``uuid`` is ``sa.Uuid()`` (Python ``uuid.UUID`` values); ``double precision`` is
  ``postgresql.DOUBLE_PRECISION()``; arrays are ``postgresql.ARRAY(<item>, dimensions=n)``.
* a column collation rides on the string type (``sa.String(length=20, collation="C")``,
  ``collation_schema=`` for a qualified one; inside ``ARRAY`` too, which SQLAlchemy renders
  as ``VARCHAR(20)[] COLLATE "C"``); reflection reports it the same way, so ``alembic check``
  compares like with like. A collation on a type SQLAlchemy cannot collate (a domain over
  text) falls back to the verbatim spelling with ``COLLATE``.
"""

from __future__ import annotations

from modeler.schema.collations import canonical, parse_ref
from modeler.schema.model import ColumnType, Schema
from modeler.schema.types import UNSIZED, canonical_key

SA = "import sqlalchemy as sa"
PG = "from sqlalchemy.dialects import postgresql"

# catalog key -> (expression without parameters, import); parameterised types are handled below.
_SIMPLE: dict[str, tuple[str, str]] = {
    "smallint": ("sa.SmallInteger()", SA),
    "integer": ("sa.Integer()", SA),
    "bigint": ("sa.BigInteger()", SA),
    "real": ("sa.REAL()", SA),
    "double precision": ("postgresql.DOUBLE_PRECISION()", PG),
    "money": ("postgresql.MONEY()", PG),
    "text": ("sa.Text()", SA),
    "citext": ("postgresql.CITEXT()", PG),
    "boolean": ("sa.Boolean()", SA),
    "date": ("sa.Date()", SA),
    "uuid": ("sa.Uuid()", SA),
    "json": ("postgresql.JSON()", PG),
    "jsonb": ("postgresql.JSONB()", PG),
    "bytea": ("postgresql.BYTEA()", PG),
    "inet": ("postgresql.INET()", PG),
    "cidr": ("postgresql.CIDR()", PG),
    "macaddr": ("postgresql.MACADDR()", PG),
    "macaddr8": ("postgresql.MACADDR8()", PG),
    "tsvector": ("postgresql.TSVECTOR()", PG),
    "tsquery": ("postgresql.TSQUERY()", PG),
    "int4range": ("postgresql.INT4RANGE()", PG),
    "int8range": ("postgresql.INT8RANGE()", PG),
    "numrange": ("postgresql.NUMRANGE()", PG),
    "tsrange": ("postgresql.TSRANGE()", PG),
    "tstzrange": ("postgresql.TSTZRANGE()", PG),
    "daterange": ("postgresql.DATERANGE()", PG),
    "oid": ("postgresql.OID()", PG),
    "regclass": ("postgresql.REGCLASS()", PG),
    "regconfig": ("postgresql.REGCONFIG()", PG),
}

# Catalog types without a SQLAlchemy class: spelled verbatim (see the module docstring).
_VERBATIM = frozenset({"xml", "point", "line", "lseg", "box", "path", "polygon", "circle",
                       "name", "int2vector"})


def _kwargs(**kw: object) -> str:
    return ", ".join(f"{k}={v!r}" for k, v in kw.items() if v is not None)


# Catalog spellings that are also names in SQLAlchemy's PostgreSQL dialect (its
# ``ischema_names``): an unqualified DOMAIN of that name is refused at compile time.
_SHADOWING = frozenset({"name", '"char"'})


def _verbatim(spelling: str) -> tuple[str, set[str]]:
    # SQLAlchemy refuses an unqualified name that shadows a type it knows (``name``,
    # ``"char"``): those catalog types are qualified with pg_catalog.
    schema = ", schema='pg_catalog'" if spelling in _SHADOWING else ""
    return (f"postgresql.DOMAIN(sa.sql.quoted_name({spelling!r}, False), sa.Text(){schema}, "
            "create_type=False)", {SA, PG})


# Types outside the catalog that SQLAlchemy's PostgreSQL dialect knows by name (its
# ``ischema_names``): a DOMAIN spelling of one is refused at compile time ("matches an
# existing type"), and reflection gives that class, so the models use it.
_NATIVE_CUSTOM = {
    "hstore": "postgresql.HSTORE()",
    "int4multirange": "postgresql.INT4MULTIRANGE()",
    "int8multirange": "postgresql.INT8MULTIRANGE()",
    "nummultirange": "postgresql.NUMMULTIRANGE()",
    "datemultirange": "postgresql.DATEMULTIRANGE()",
    "tsmultirange": "postgresql.TSMULTIRANGE()",
    "tstzmultirange": "postgresql.TSTZMULTIRANGE()",
}


def _custom_key(ctype: ColumnType) -> str | None:
    """The catalog key of a custom type's name (citext), None for the catalog's names kept
    as written (bpchar: of any length, not character(1))."""
    return None if ctype.name in UNSIZED.values() else canonical_key(ctype.name)


def _custom(ctype: ColumnType) -> tuple[str, set[str]]:
    key = _custom_key(ctype)
    if key is not None:  # an extension type the catalog knows (citext)
        return _builtin(ColumnType(name=key))
    native = _NATIVE_CUSTOM.get(" ".join(ctype.name.lower().split()))
    if native is not None:
        return native, {PG}
    return _verbatim(ctype.name)


def _builtin(ctype: ColumnType) -> tuple[str, set[str]]:
    name = ctype.name
    if name in _SIMPLE:
        expr, imp = _SIMPLE[name]
        return expr, {imp}
    if name in _VERBATIM:
        return _verbatim(name)
    if name == "numeric":
        return f"sa.Numeric({_kwargs(precision=ctype.precision, scale=ctype.scale)})", {SA}
    if name == "varchar":
        return f"sa.String({_kwargs(length=ctype.length)})", {SA}
    if name == "char":
        return f"sa.CHAR({_kwargs(length=ctype.length)})", {SA}
    if name in ("bit", "varbit"):
        varying = True if name == "varbit" else None
        return f"postgresql.BIT({_kwargs(length=ctype.length, varying=varying)})", {PG}
    if name in ("time", "timetz", "timestamp", "timestamptz"):
        cls = "TIME" if name.startswith("time") and "stamp" not in name else "TIMESTAMP"
        tz = True if name.endswith("tz") else None
        return f"postgresql.{cls}({_kwargs(timezone=tz, precision=ctype.precision)})", {PG}
    if name == "interval":
        return f"postgresql.INTERVAL({_kwargs(precision=ctype.precision)})", {PG}
    raise ValueError(f"no SQLAlchemy mapping for type {name!r}")  # pragma: no cover


def _named(ctype: ColumnType, schema: Schema) -> tuple[str, set[str]]:
    obj = schema.type_object(ctype.ref or "")
    if obj is None:
        raise KeyError(f"column type refers to unknown {ctype.kind} {ctype.ref!r}")
    ns = f", schema={obj.namespace!r}" if obj.namespace != "public" else ""
    if ctype.kind == "enum":
        labels = ", ".join(repr(label) for label in getattr(obj, "labels", ()))
        sep = ", " if labels else ""
        return (f"postgresql.ENUM({labels}{sep}name={obj.name!r}{ns}, create_type=False)",
                {PG})
    base = getattr(obj, "base", None)
    assert isinstance(base, ColumnType)
    base_expr, imports = type_expr(base, schema)
    return (f"postgresql.DOMAIN({obj.name!r}, {base_expr}{ns}, create_type=False)",
            imports | {PG})


# String types whose SQLAlchemy class takes ``collation=`` (catalog key -> class).
_COLLATABLE = {"varchar": "sa.String", "text": "sa.Text", "char": "sa.CHAR",
               "citext": "postgresql.CITEXT"}


def _collated(ctype: ColumnType, collation: str) -> tuple[str, set[str]]:
    ns, name = parse_ref(collation)
    kw = _kwargs(length=ctype.length, collation=name,
                 collation_schema=None if ns in (None, "pg_catalog") else ns)
    key = ctype.name if ctype.kind == "builtin" else _custom_key(ctype)
    cls = _COLLATABLE[key or ""]
    return f"{cls}({kw})", {SA if cls.startswith("sa.") else PG}


def _collatable(ctype: ColumnType) -> bool:
    key = ctype.name if ctype.kind == "builtin" else (
        _custom_key(ctype) if ctype.kind == "custom" else None)
    return key in _COLLATABLE


def type_expr(ctype: ColumnType, schema: Schema,
              collation: str | None = None) -> tuple[str, set[str]]:
    """Python source for the SQLAlchemy type of ``ctype`` and the import lines it needs.

    ``schema`` resolves enum and domain references (their labels, names and namespaces);
    ``collation`` is the column's collation reference, if any.
    Import lines are complete statements (``import sqlalchemy as sa``,
    ``from sqlalchemy.dialects import postgresql``); emit them sorted for stable output.
    """
    if collation is not None:
        if _collatable(ctype):
            expr, imports = _collated(ctype, collation)
        else:
            return _verbatim(f"{ctype.sql(schema)} COLLATE {canonical(collation)}")
    elif ctype.kind == "builtin":
        expr, imports = _builtin(ctype)
    elif ctype.kind in ("enum", "domain"):
        expr, imports = _named(ctype, schema)
    else:
        expr, imports = _custom(ctype)
    if ctype.array_dims:
        dims = f", dimensions={ctype.array_dims}" if ctype.array_dims > 1 else ""
        expr, imports = f"postgresql.ARRAY({expr}{dims})", imports | {PG}
    return expr, set(imports)
