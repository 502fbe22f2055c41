"""Constraints (CN): NULL semantics, natural keys, defaults, decimal precision."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator

from modeler.rules.analysis import AUDIT_COLUMNS, analyze, strip_casts
from modeler.rules.core import (
    Config,
    Finding,
    Level,
    Rule,
    column_target,
    on_tables,
    register,
    tables_in,
)
from modeler.schema.model import Column, ColumnType, Schema, Table

NATURAL_KEYS = frozenset({"email", "username", "slug", "code", "sku", "external_id"})
# *_number columns that are attributes, not identifiers.
NOT_KEYS = frozenset({"phone_number", "mobile_number", "fax_number", "street_number",
                      "house_number", "floor_number", "apartment_number", "line_number"})


@register
class NullMeaning(Rule):
    """A nullable column says what NULL means.

    NULL can mean unknown, not applicable, not yet, or none; readers of the data guess
    differently and queries go wrong (``NOT IN`` with NULLs, three-valued logic). Columns
    default to NOT NULL; when one must be nullable, its NULL meaning is written down.
    Optional foreign keys and ``deleted_at`` are self-explanatory and exempt.

    Bad:
        shipped_on date NULL  -- no note

    Good:
        shipped_on date NULL  -- null meaning: "not shipped yet"
    """

    id = "CN-01"
    name = "Nullable columns say what NULL means"
    level = Level.JUSTIFY

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        return self._check(schema, schema.tables)

    def recheck(self, old: Schema, new: Schema, changed: frozenset[str], config: Config,
                ) -> tuple[Callable[[Finding], bool], Iterable[Finding]]:
        # a table's findings: the table and the FK columns (relationships)
        return on_tables(changed, self._check(new, tables_in(new, changed)))

    def _check(self, schema: Schema, tables: Iterable[Table]) -> Iterator[Finding]:
        fk = analyze(schema).fk_columns
        for t in tables:
            for c in t.columns:
                if c.nullable and not c.null_meaning.strip() and c.uid not in fk \
                        and c.name != "deleted_at" and not c.in_pk:
                    yield self.finding(column_target(t, c), "Nullable column without NULL meaning",
                                       "Say what NULL means, or make it NOT NULL")


def _is_natural_key(name: str) -> bool:
    return name in NATURAL_KEYS or (name.endswith("_number") and name not in NOT_KEYS)


@register
class NaturalKeysUnique(Rule):
    """Natural keys are UNIQUE.

    Columns such as ``email``, ``username``, ``slug``, ``code``, ``sku``, ``external_id`` or
    ``invoice_number`` identify things in the real world; without a UNIQUE key two rows will
    claim the same identity. A composite key (``tenant_id, email``) or a partial unique
    index on a soft-delete table counts.

    Bad:
        CREATE TABLE product (id bigint PRIMARY KEY, sku text NOT NULL);

    Good:
        CREATE TABLE product (id bigint PRIMARY KEY, sku text NOT NULL,
                              CONSTRAINT uq_product_sku UNIQUE (sku));
    """

    id = "CN-03"
    name = "Natural keys are unique"
    level = Level.JUSTIFY

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        a = analyze(schema)
        for t in schema.tables:
            members: frozenset[str] | None = None
            for c in t.columns:
                if not _is_natural_key(c.name) or c.uid in a.fk_columns:
                    continue
                if members is None:
                    members = a.unique_members(t)
                if c.uid not in members:
                    yield self.finding(column_target(t, c),
                                       f"Natural key {c.name} is not UNIQUE",
                                       f"Add UNIQUE ({c.name}) or include it in a unique key")


_STR = re.compile(r"^[eE]?'((?:[^']|'')*)'$", re.S)
_INT = re.compile(r"^[+-]?\d+$")
_NUM = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$", re.I)
_UUID = re.compile(r"^\{?[0-9a-f]{8}-?([0-9a-f]{4}-?){3}[0-9a-f]{12}\}?$", re.I)
_BOOL_WORDS = frozenset({"t", "f", "true", "false", "y", "n", "yes", "no", "on", "off", "1",
                         "0"})
_INT_LIMITS = {"smallint": 2**15, "integer": 2**31, "bigint": 2**63}


def literal(default: str) -> tuple[str, str] | None:
    """Classify a default: ("str", text), ("int", digits), ("num", text), ("bool", word),
    ("null", "") or None for an expression (a function call, an operator...)."""
    text = strip_casts(default)
    m = _STR.match(text)
    if m:
        return ("str", m.group(1).replace("''", "'"))
    if _INT.match(text):
        return ("int", text)
    if _NUM.match(text):
        return ("num", text)
    low = text.lower()
    if low in ("true", "false"):
        return ("bool", low)
    if low == "null":
        return ("null", "")
    return None


def cast_problem(kind: str, value: str, ctype: ColumnType, labels: tuple[str, ...] | None
                 ) -> str | None:
    """Why a literal default does not cast to the (resolved) type, or None."""
    if ctype.array_dims or kind == "null":
        return None
    if ctype.kind == "enum":
        if labels is not None and (kind != "str" or value not in labels):
            return f"{value!r} is not a label of the enum"
        return None
    if ctype.kind != "builtin":
        return None
    name = ctype.name
    if name in _INT_LIMITS:
        v = value.strip() if kind in ("str", "int") else ""
        if not _INT.match(v):
            return f"{value!r} is not an integer"
        if len(v.lstrip("+-").lstrip("0")) > 19 \
                or not -_INT_LIMITS[name] <= int(v) < _INT_LIMITS[name]:
            return f"{value} is out of range for {name}"
    elif name in ("numeric", "real", "double precision"):
        if kind not in ("int", "num") and not (kind == "str" and _NUM.match(value.strip())):
            return f"{value!r} is not a number"
    elif name == "boolean":
        if kind == "int" or kind == "num" or value.strip().lower() not in _BOOL_WORDS:
            return f"{value!r} is not a boolean"
    elif name == "uuid":
        if kind != "str" or not _UUID.match(value.strip()):
            return f"{value!r} is not a uuid"
    elif name in ("date", "timestamp", "timestamptz", "time", "timetz", "interval"):
        if kind in ("int", "num", "bool"):
            return f"{value} is not a {name}"
    elif name in ("json", "jsonb"):
        if kind != "str":
            return f"{value} needs quoting as JSON text"
        try:
            json.loads(value)
        except ValueError:
            return "the default is not valid JSON"
    elif name in ("varchar", "char") and kind == "str" and ctype.length is not None \
            and len(value) > ctype.length:
        return f"default is longer than {name}({ctype.length})"
    return None


@register
class SaneDefaults(Rule):
    """Defaults are real values of the column's type.

    ``DEFAULT 'NULL'`` stores the four-letter string, not NULL; a literal timestamp on an
    audit column stamps every row with the same moment; a default that does not cast to the
    type (a label missing from the enum, text in a number column, too long for
    ``varchar(n)``) breaks the first insert that relies on it. A default on an identity or
    generated column is rejected by PostgreSQL.

    Bad:
        status order_status NOT NULL DEFAULT 'pending'  -- enum has no 'pending'
        created_at timestamptz NOT NULL DEFAULT '2024-01-01'

    Good:
        status order_status NOT NULL DEFAULT 'new'
        created_at timestamptz NOT NULL DEFAULT now()
    """

    id = "CN-06"
    name = "Sane defaults"
    level = Level.BLOCK

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        a = analyze(schema)
        for t in schema.tables:
            for c in t.columns:
                if c.default is None:
                    continue
                problem = self._problem(schema, c, a.base_type(c.type))
                if problem:
                    yield self.finding(column_target(t, c), problem,
                                       "Use a value of the column's type, or an expression")

    @staticmethod
    def _problem(schema: Schema, c: Column, ctype: ColumnType) -> str | None:
        if c.identity is not None:
            return "Identity column also has a default"
        if c.generated is not None:
            return "Generated column also has a default"
        assert c.default is not None
        lit = literal(c.default)
        if lit is None:
            return None
        kind, value = lit
        if kind == "str" and value.strip().lower() == "null":
            return "Default is the string 'NULL', not NULL"
        if c.name in AUDIT_COLUMNS and kind != "null":
            return "Audit column has a literal default"
        labels = None
        if ctype.kind == "enum" and ctype.ref is not None:
            obj = schema.type_object(ctype.ref)
            labels = getattr(obj, "labels", None)
        problem = cast_problem(kind, value, ctype, labels)
        return f"Default does not cast: {problem}" if problem else None


@register
class DecimalPrecision(Rule):
    """``numeric`` columns declare precision and scale.

    Unconstrained ``numeric`` accepts any number of digits: amounts arrive with ten decimal
    places and totals stop adding up. ``numeric(12,2)`` states the business rule.

    Bad:
        amount numeric NOT NULL

    Good:
        amount numeric(12,2) NOT NULL
    """

    id = "CN-07"
    name = "Decimal precision declared"
    level = Level.BLOCK

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        a = analyze(schema)
        for t in schema.tables:
            for c in t.columns:
                ctype = a.base_type(c.type)
                if ctype.kind == "builtin" and ctype.name == "numeric" and ctype.precision is None:
                    yield self.finding(column_target(t, c), "numeric without precision and scale",
                                       "Declare numeric(p,s), e.g. numeric(12,2)")
