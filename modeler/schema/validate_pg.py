"""What PostgreSQL itself would refuse in a design that is otherwise well formed.

Each check mirrors one of PostgreSQL's own errors, so that a design the product accepts is
one ``alembic upgrade`` accepts too: an index access method without unique or multicolumn
support, INCLUDE where the method has none, identity on a type that is no integer, a constant
default too large for its numeric(p, s) or of a type the column cannot take
(``'{}'::jsonb`` on a point, ``0`` on a boolean: no assignment cast), a primary key or
unique constraint of a partitioned table without all the partition key's columns, a foreign
key whose parent columns are no key, two relations (tables, indexes, key constraints,
sequences) of one name in one namespace. The importers repair what these refuse, with a
warning (:mod:`modeler.importers.build`); the editor shows the message.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

from modeler.schema import identity
from modeler.schema import model as m
from modeler.schema.naming import pk_name
from modeler.schema.types import CATALOG, canonical_key

UNIQUE_METHODS = frozenset({"btree"})
MULTICOLUMN_METHODS = frozenset({"btree", "gist", "gin", "brin"})
INCLUDE_METHODS = frozenset({"btree", "gist", "spgist"})
IDENTITY_TYPES = frozenset({"smallint", "integer", "bigint"})


def index_problem(ix: m.Index) -> str | None:
    """Why PostgreSQL refuses index ``ix`` (None when it takes it)."""
    if ix.unique and ix.method not in UNIQUE_METHODS:
        return f"access method {ix.method} does not support unique indexes"
    if len(ix.parts) > 1 and ix.method not in MULTICOLUMN_METHODS:
        return f"access method {ix.method} does not support multicolumn indexes"
    if ix.include and ix.method not in INCLUDE_METHODS:
        return f"access method {ix.method} does not support included columns"
    return None


def base_type(schema: m.Schema, ctype: m.ColumnType) -> m.ColumnType:
    """A domain's base type (through nested domains), or the type itself."""
    seen: set[str] = set()
    while ctype.kind == "domain" and ctype.ref and ctype.ref not in seen:
        seen.add(ctype.ref)
        dom = schema.type_object(ctype.ref)
        if not isinstance(dom, m.Domain):
            break
        ctype = dom.base
    return ctype


# PostgreSQL's ranges of type modifiers (varchar.c, varbit.c, numeric.c, timestamp.c):
# a length or precision outside them is refused, but for a time precision above 6, which
# PostgreSQL cuts to 6 with a warning (so the catalog would not be the design)
_MAX_LENGTH = {"varchar": 10_485_760, "char": 10_485_760, "bit": 83_886_080,
               "varbit": 83_886_080}
_PRECISION = {"numeric": (1, 1000), "time": (0, 6), "timetz": (0, 6), "timestamp": (0, 6),
              "timestamptz": (0, 6), "interval": (0, 6)}
_SCALE = (-1000, 1000)


def type_modifier_fix(ctype: m.ColumnType) -> tuple[m.ColumnType, str] | None:
    """None when the modifiers of built-in type ``ctype`` are within PostgreSQL's ranges;
    else (the type with each modifier above its range cut to the limit and each below it
    left out, why PostgreSQL refuses the type as it is)."""
    if ctype.kind != "builtin":
        return None
    low: int | None
    high: int | None
    found: list[str] = []
    length, precision, scale = ctype.length, ctype.precision, ctype.scale
    if length is not None and ctype.name in _MAX_LENGTH:
        low, high = 1, _MAX_LENGTH[ctype.name]
        if length < low:
            found.append(f"length for type {ctype.name} must be at least {low}")
            length = None
        elif length > high:
            found.append(f"length for type {ctype.name} cannot exceed {high}")
            length = high
    if precision is not None and ctype.name in _PRECISION:
        low, high = _PRECISION[ctype.name]
        if precision < low or precision > high:
            found.append(f"{ctype.name} precision {precision} must be between {low} and "
                         f"{high}")
            precision = None if precision < low else high
            scale = None if precision is None else scale
    if scale is not None and precision is not None and ctype.name == "numeric":
        low, high = _SCALE
        if scale < low or scale > high:
            found.append(f"numeric scale {scale} must be between {low} and {high}")
            scale = min(max(scale, low), high)
    if not found:
        return None
    return (replace(ctype, length=length, precision=precision, scale=scale),
            "; ".join(found))


def type_modifier_problem(ctype: m.ColumnType) -> str | None:
    """Why PostgreSQL refuses (or changes) the modifiers of ``ctype`` (None: it takes them)."""
    fix = type_modifier_fix(ctype)
    return None if fix is None else fix[1]


def identity_problem(schema: m.Schema, c: m.Column) -> str | None:
    if c.identity is None:
        return None if c.identity_options is None else "identity options without identity"
    if c.default is not None:
        return "both default and identity specified for the column"
    if c.generated is not None:
        return "both identity and generation expression specified for the column"
    # the column's own type: PostgreSQL refuses a domain, even over an integer type
    t = c.type
    if t.array_dims or t.kind != "builtin" or t.name not in IDENTITY_TYPES:
        return "identity column type must be smallint, integer, or bigint"
    return sequence_problem(c.identity_options, t)


def sequence_problem(options: m.IdentityOptions | None, base: m.ColumnType) -> str | None:
    """What PostgreSQL says of an identity's sequence options (CREATE SEQUENCE's checks)."""
    if options is None:
        return None
    o = identity.effective(options, base)
    assert o.start is not None and o.min_value is not None and o.max_value is not None
    low, high = identity.limits(base)
    for word, value in (("MINVALUE", o.min_value), ("MAXVALUE", o.max_value)):
        if not low <= value <= high:
            return f"{word} ({value}) is out of range for sequence data type {base.name}"
    if o.increment == 0:
        return "INCREMENT must not be zero"
    if o.min_value >= o.max_value:
        return f"MINVALUE ({o.min_value}) must be less than MAXVALUE ({o.max_value})"
    if not o.min_value <= o.start <= o.max_value:
        return f"START value ({o.start}) must lie within MINVALUE and MAXVALUE"
    if o.cache is not None and o.cache < 1:
        return f"CACHE ({o.cache}) must be greater than zero"
    return None


_NUMBER = re.compile(r"^\(*\s*([+-]?\s*(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)\s*\)*$")


def default_problem(schema: m.Schema, c: m.Column) -> str | None:
    """A constant default of a type the column cannot take (:func:`default_type_problem`),
    or one that does not fit the column's numeric(p, s) (PostgreSQL: numeric field overflow,
    on every insert and when the column is added to a table)."""
    base = base_type(schema, c.type)
    if c.default is None or base.kind != "builtin" or base.array_dims:
        return None
    wrong = default_type_problem(c.default, base)
    if wrong is not None or base.name != "numeric" or base.precision is None:
        return wrong
    found = _NUMBER.match(c.default.strip())
    if found is None:
        return None
    scale = base.scale or 0
    value = Decimal(found.group(1).replace(" ", "")).quantize(Decimal(1).scaleb(-scale),
                                                                rounding=ROUND_HALF_UP)
    if abs(value) < Decimal(10) ** (base.precision - scale):
        return None
    return (f"default {c.default} does not fit numeric({base.precision}, {scale}) "
            f"(at most {base.precision - scale} digits before the decimal point)")


_CASTS = Path(__file__).with_name("data") / "pg_casts.json"
_LITERAL = (r"(?:[Ee]?'(?:[^']|'')*'"  # a string, a number, NULL, true, false
            r"|[+-]?\s*(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|(?i:null|true|false))")
_TYPE = (r"(?:pg_catalog\s*\.\s*)?(?P<type>[A-Za-z_][A-Za-z_0-9 ]*?"  # typmods too
         r"(?:\s*\(\s*\d+\s*(?:,\s*\d+\s*)?\))?(?: with(?:out)? time zone)?)")
# a constant, or a constant cast to a type (what pg_dump and the importers write): the type
# of the default is then certain; anything else (calls, operators, casts of casts) is not judged
_CAST_CONSTANT = re.compile(rf"^\(*\s*(?P<value>{_LITERAL})\s*\)*\s*(?:::\s*{_TYPE})?\s*\)*$")
_TYPMOD = re.compile(r"\(\s*\d+\s*(?:,\s*\d+\s*)?\)")
_INT4 = 2**31
_INT8 = 2**63


@lru_cache(maxsize=1)
def _assignment_casts() -> frozenset[tuple[str, str]]:
    data = json.loads(_CASTS.read_text(encoding="utf-8"))
    return frozenset((a, b) for a, b in data["assignment_casts"])


def assignable(source: str, target: str) -> bool | None:
    """Whether PostgreSQL stores a value of catalog type ``source`` in a column of type
    ``target`` (the same type, an assignment or implicit cast, or the I/O conversion every
    type has to a string type); None when it cannot be told here (an extension's type)."""
    if "citext" in (source, target) or source not in CATALOG or target not in CATALOG:
        return None
    if source == target or CATALOG[target].category == "text":
        return True
    return (source, target) in _assignment_casts()


def _constant_type(value: str) -> str | None:
    """The type PostgreSQL gives a constant written without a cast (None: unknown, a
    string literal or NULL, which take the column's type)."""
    word = value.strip().lower()
    if word in ("true", "false"):
        return "boolean"
    if word.startswith(("'", "e'")) or word == "null":
        return None
    digits = word.replace(" ", "")
    if re.fullmatch(r"[+-]?\d+", digits) and len(digits) <= 25:  # int() of 4,300 digits fails
        n = int(digits)
        return "integer" if -_INT4 <= n < _INT4 else "bigint" if -_INT8 <= n < _INT8 \
            else "numeric"
    return "numeric"


def default_type_problem(default: str, column: m.ColumnType) -> str | None:
    """Why PostgreSQL refuses ``default`` on a column of the built-in type ``column`` ("column
    is of type point but default expression is of type jsonb"), when the default is a
    constant whose type is certain (see :data:`_CAST_CONSTANT`); None when it takes it or
    when that cannot be told."""
    found = _CAST_CONSTANT.match(default.strip())
    if found is None:
        return None
    written = found.group("type")
    if written is not None:
        source = canonical_key(_TYPMOD.sub("", written))
        if source is None:
            return None
    else:
        source = _constant_type(found.group("value"))
        if source is None:
            return None
    if assignable(source, column.name) is not False:
        return None
    shown = default if len(default) <= 80 else f"{default[:77]}..."
    return (f"default {shown} is of type {CATALOG[source].pg_name} but the column is "
            f"{CATALOG[column.name].pg_name}, and PostgreSQL has no assignment cast from one "
            "to the other")


def table_keys(t: m.Table) -> list[frozenset[str]]:
    """The column sets a foreign key may reference: the primary key, UNIQUE constraints and
    plain (non-partial, column-only) unique indexes."""
    keys = [frozenset(c.uid for c in t.primary_key)] if t.primary_key else []
    keys += [frozenset(u.columns) for u in t.uniques]
    keys += [frozenset(str(p.column) for p in ix.parts) for ix in t.indexes
             if ix.unique and ix.where is None and all(p.column for p in ix.parts)]
    return keys


def foreign_key_problem(schema: m.Schema, r: m.Relationship) -> str | None:
    try:
        parent = schema.table(r.parent_table)
    except KeyError:
        return None  # reported as a missing table
    if frozenset(r.parent_columns) not in table_keys(parent):
        return (f"there is no unique constraint matching the referenced columns of "
                f"{parent.qualified_name}")
    return None


def relation_names(schema: m.Schema) -> list[tuple[str, str, str]]:
    """(namespace, name, what) of every relation the design creates: PostgreSQL keeps
    tables, indexes (also those of PRIMARY KEY and UNIQUE) and sequences in one namespace."""
    out: list[tuple[str, str, str]] = []
    for t in schema.tables:
        out.append((t.namespace, t.name, f"table {t.name}"))
        if t.primary_key:
            out.append((t.namespace, t.pk_name or pk_name(t.name),
                        f"primary key of {t.name}"))
        out += [(t.namespace, ix.name, f"index {ix.name} on {t.name}") for ix in t.indexes]
        out += [(t.namespace, u.name, f"unique {u.name} on {t.name}") for u in t.uniques]
    out += [(s.namespace, s.name, f"sequence {s.name}") for s in schema.sequences]
    return out


def postgres_problems(schema: m.Schema) -> list[str]:
    """Everything in ``schema`` that PostgreSQL would refuse (see the module docstring)."""
    out: list[str] = []
    for t in schema.tables:
        out += table_problems(schema, t)
    for r in schema.relationships:
        found = foreign_key_problem(schema, r)
        if found is not None:
            out.append(f"relationship {r.name}: {found}")
    return out + relation_name_problems(relation_names(schema))


def partitioned_key_problem(t: m.Table, columns: tuple[str | None, ...],
                            what: str) -> str | None:
    """Why PostgreSQL refuses a primary key, unique constraint or unique index (``what``) of
    ``columns`` (uids; None for an expression part) on table ``t`` when ``t`` is partitioned:
    each column of its partition key must be a plain column of the key."""
    from modeler.schema.sqlexpr import partition_key_columns

    if t.partition_by is None:
        return None
    key = partition_key_columns(t.partition_by)
    if key is None:
        return None  # reported as a partition key that does not parse
    if None in key:
        return (f"{what}: PostgreSQL refuses unique constraints on a table partitioned by an "
                "expression")
    names = {c.uid: c.name for c in t.columns}
    plain = {names.get(str(c)) for c in columns if c is not None}
    missing = [c for c in key if c not in plain]
    if not missing:
        return None
    return (f"{what} lacks {', '.join(str(c) for c in missing)} of the partition key: "
            "PostgreSQL requires a unique constraint on a partitioned table to include all "
            "partitioning columns")


def partitioned_keys(t: m.Table) -> list[tuple[str, str, str]]:
    """(kind, uid, problem) of each primary key (uid ``""``), unique constraint and unique
    index of ``t`` that :func:`partitioned_key_problem` refuses."""
    out: list[tuple[str, str, str]] = []
    if t.partition_by is None:
        return out
    if t.primary_key:
        found = partitioned_key_problem(t, tuple(c.uid for c in t.primary_key),
                                        "the primary key")
        if found is not None:
            out.append(("pk", "", found))
    for u in t.uniques:
        found = partitioned_key_problem(t, u.columns, f"unique constraint {u.name}")
        if found is not None:
            out.append(("unique", u.uid, found))
    for ix in t.indexes:
        if ix.unique:
            found = partitioned_key_problem(t, tuple(p.column for p in ix.parts),
                                            f"unique index {ix.name}")
            if found is not None:
                out.append(("index", ix.uid, found))
    return out


def table_problems(schema: m.Schema, t: m.Table) -> list[str]:
    """What :func:`postgres_problems` finds in table ``t``'s own indexes and columns."""
    out: list[str] = [f"table {t.qualified_name}, {found}"
                      for _, _, found in partitioned_keys(t)]
    for ix in t.indexes:
        found = index_problem(ix)
        if found is not None:
            out.append(f"table {t.qualified_name}, index {ix.name}: {found}")
    for c in t.columns:
        for found in (identity_problem(schema, c), default_problem(schema, c)):
            if found is not None:
                out.append(f"column {t.qualified_name}.{c.name}: {found}")
    return out


def relation_name_problems(names: list[tuple[str, str, str]]) -> list[str]:
    """The names that :func:`relation_names` lists more than once in a namespace."""
    out: list[str] = []
    counts = Counter((ns, name) for ns, name, _ in names)
    for (ns, name), n in sorted(kv for kv in counts.items() if kv[1] > 1):  # the dupes only
        whats = ", ".join(w for s, nm, w in names if (s, nm) == (ns, name))
        out.append(f"relation {ns}.{name} is defined {n} times ({whats}): PostgreSQL keeps "
                   "tables, indexes, key constraints and sequences under one name each")
    return out
