"""Types (TY): time zones, text, identity, JSON, enums, money, large objects, consistency."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from functools import partial

from modeler.rules.analysis import AUDIT_COLUMNS, analyze, is_money_named
from modeler.rules.core import (
    Config,
    Finding,
    Level,
    Rule,
    SchemaChange,
    column_target,
    enum_target,
    register,
    table_target,
    tables_in,
)
from modeler.schema import edit, identity
from modeler.schema.model import Column, ColumnType, IdentityOptions, Schema, Sequence, Table
from modeler.wording import counted


def _column(schema: Schema, finding: Finding) -> tuple[Table, Column] | None:
    try:
        return (schema.table_of_column(finding.target.uid or ""),
                schema.column(finding.target.uid or ""))
    except KeyError:
        return None


def _retype(schema: Schema, finding: Finding, name: str) -> SchemaChange | None:
    """Change a builtin-typed column to builtin ``name`` (precision and arrays kept)."""
    found = _column(schema, finding)
    if found is None or found[1].type.kind != "builtin":
        return None
    c = found[1]
    keep_precision = name in ("timestamptz", "timestamp")
    new = replace(c.type, name=name, length=None, scale=None,
                  precision=c.type.precision if keep_precision else None)
    return partial(edit.alter, uid=c.uid, type=new)


@register
class TimestampWithZone(Rule):
    """Points in time are ``timestamptz``.

    ``timestamp`` (without time zone) stores wall-clock readings: the same value means a
    different instant on every server and client time zone, and daylight saving time makes
    some values ambiguous. ``timestamptz`` stores instants. Audit columns must use it.

    Bad:
        created_at timestamp NOT NULL DEFAULT now()

    Good:
        created_at timestamptz NOT NULL DEFAULT now()
    """

    id = "TY-01"
    name = "timestamptz, not timestamp"
    level = Level.BLOCK
    levels_note = "BLOCK for audit columns (created_at, updated_at, deleted_at); JUSTIFY otherwise"
    fixable = True
    fix_safe = True

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        a = analyze(schema)
        for t in schema.tables:
            for c in t.columns:
                ctype = a.base_type(c.type)
                if ctype.kind == "builtin" and ctype.name == "timestamp":
                    audit = c.name in AUDIT_COLUMNS
                    yield self.finding(column_target(t, c), "timestamp without time zone",
                                       "Use timestamptz",
                                       Level.BLOCK if audit else Level.JUSTIFY,
                                       fixable=c.type.kind == "builtin")

    def fix(self, schema: Schema, finding: Finding) -> SchemaChange | None:
        return _retype(schema, finding, "timestamptz")


@register
class TextTypes(Rule):
    """Strings are ``text``; ``char(n)`` and ``varchar(n)`` need a reason.

    ``char(n)`` pads with spaces and compares surprisingly. ``varchar(n)`` limits are
    usually arbitrary and changing them later is a migration; ``text`` costs the same. When
    a length is a business rule, say so with a CHECK on ``text``.

    Bad:
        country_code char(2) NOT NULL
        title varchar(255) NOT NULL

    Good:
        country_code text NOT NULL CHECK (char_length(country_code) = 2)
        title text NOT NULL
    """

    id = "TY-02"
    name = "Text types"
    level = Level.JUSTIFY
    levels_note = "JUSTIFY for char(n); ADVISE for varchar(n)"
    fixable = True
    fix_safe = False  # drops a declared limit

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        a = analyze(schema)
        for t in schema.tables:
            for c in t.columns:
                ctype = a.base_type(c.type)
                if ctype.kind != "builtin":
                    continue
                own = c.type.kind == "builtin"
                if ctype.name == "char":
                    yield self.finding(column_target(t, c), f"{ctype.short()} pads with spaces",
                                       "Use text, with a CHECK if the length is a rule",
                                       fixable=own)
                elif ctype.name == "varchar" and ctype.length is not None:
                    yield self.finding(column_target(t, c), f"{ctype.short()} limit",
                                       "Use text, with a CHECK if the length is a rule",
                                       Level.ADVISE, fixable=own)

    def fix(self, schema: Schema, finding: Finding) -> SchemaChange | None:
        return _retype(schema, finding, "text")


_SERIALS = {"smallserial": "smallint", "serial": "integer", "serial2": "smallint",
            "serial4": "integer", "bigserial": "bigint", "serial8": "bigint"}
_NEXTVAL = re.compile(r"nextval\s*\(\s*'([^']+)'", re.I)


@register
class IdentityNotSerial(Rule):
    """Generated keys use identity columns, not ``serial``.

    ``serial`` is a default on a separately owned sequence: permissions, dumps and
    ``INSERT``s with explicit ids drift apart from it. ``GENERATED ... AS IDENTITY`` is the
    SQL-standard column property and the fix keeps the type.

    Bad:
        id integer NOT NULL DEFAULT nextval('order_id_seq')  -- or: id serial

    Good:
        id bigint GENERATED BY DEFAULT AS IDENTITY
    """

    id = "TY-04"
    name = "Identity, not serial"
    level = Level.BLOCK
    fixable = True
    fix_safe = True

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        for t in schema.tables:
            for c in t.columns:
                if self._serial(c):
                    yield self.finding(column_target(t, c), "Column uses a serial sequence",
                                       "Use GENERATED BY DEFAULT AS IDENTITY")

    @staticmethod
    def _serial(c: Column) -> bool:
        if c.type.kind == "custom" and c.type.name.lower() in _SERIALS and not c.type.array_dims:
            return True
        return c.type.kind == "builtin" and c.type.name in _INT_TYPES \
            and not c.type.array_dims and _NEXTVAL.search(c.default or "") is not None

    def fix(self, schema: Schema, finding: Finding) -> SchemaChange | None:
        found = _column(schema, finding)
        if found is None:
            return None
        t, c = found
        changes: dict[str, object] = {}
        if c.type.kind == "custom":
            changes["type"] = ColumnType(name=_SERIALS[c.type.name.lower()])
        if c.default is not None:
            changes["default"] = None
        changes["identity"] = "by default"
        m = _NEXTVAL.search(c.default or "")
        seq_name = m.group(1).split(".")[-1].strip('"') if m else None
        olds = [s for s in schema.sequences if s.owned_by_column == c.uid
                or (s.name == seq_name and s.namespace == t.namespace)]
        drops = [s.uid for s in olds]
        called = next((s for s in olds if s.name == seq_name), olds[0] if olds else None)
        new_type = changes.get("type", c.type)
        if called is not None and isinstance(new_type, ColumnType):
            # the identity hands out what the sequence did (its position: the migration)
            changes["identity_options"] = _sequence_options(called, new_type)

        def change(design: Schema) -> Schema:
            out = edit.alter(design, c.uid, **changes)
            for uid in drops:
                out = edit.drop(out, uid)
            return out
        return change


_INT_TYPES = frozenset({"smallint", "integer", "bigint"})


def _sequence_options(seq: Sequence, ctype: ColumnType) -> IdentityOptions | None:
    """``seq``'s START, INCREMENT BY, MINVALUE, MAXVALUE, CACHE and CYCLE as the options of
    an identity of type ``ctype`` (those beyond the type's range left to their defaults)."""
    low, high = identity.limits(ctype)

    def fits(value: int | None) -> int | None:
        return value if value is not None and low <= value <= high else None

    return identity.kept(ctype, start=fits(seq.start), increment=fits(seq.increment),
                         min_value=fits(seq.min_value), max_value=fits(seq.max_value),
                         cache=seq.cache, cycle=seq.cycle)


@register
class JsonbNotJson(Rule):
    """JSON columns are ``jsonb``.

    ``json`` stores the text as given and reparses it on every access; it has no equality
    operator and no GIN indexing. ``jsonb`` is parsed once, indexable and comparable.

    Bad:
        payload json NOT NULL

    Good:
        payload jsonb NOT NULL
    """

    id = "TY-05"
    name = "jsonb, not json"
    level = Level.BLOCK
    fixable = True
    fix_safe = True

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        a = analyze(schema)
        for t in schema.tables:
            for c in t.columns:
                ctype = a.base_type(c.type)
                if ctype.kind == "builtin" and ctype.name == "json":
                    yield self.finding(column_target(t, c), "json column", "Use jsonb",
                                       fixable=c.type.kind == "builtin")

    def fix(self, schema: Schema, finding: Finding) -> SchemaChange | None:
        return _retype(schema, finding, "jsonb")


@register
class JsonSparingly(Rule):
    """JSON columns are the exception, each with a reason.

    Data inside JSON escapes the schema: no types, no NOT NULL, no foreign keys, no
    statistics for the planner. It suits data whose shape really varies (external payloads,
    settings). Each JSON column is waived with why it is not relational, and its comment
    documents the expected shape.

    Bad:
        customer.address jsonb  -- street, city, zip: always the same keys

    Good:
        webhook_event.payload jsonb  -- provider's raw body; shape varies per event type
    """

    id = "TY-06"
    name = "JSON used sparingly"
    level = Level.JUSTIFY

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        a = analyze(schema)
        for t in schema.tables:
            for c in t.columns:
                ctype = a.base_type(c.type)
                if ctype.kind == "builtin" and ctype.name in ("json", "jsonb"):
                    yield self.finding(column_target(t, c), "JSON column needs a reason",
                                       "Waive with why it is not relational; comment its shape")


_IN_LIST = re.compile(r'^[\s(]*"?([A-Za-z_][A-Za-z0-9_]*)"?\s*\)?\s*(?:::\s*[\w ]+)?\s*'
                      r"(?:in\s*\(|=\s*any\s*\()", re.I)
_TEXTUAL = frozenset({"text", "varchar", "char", "citext"})


@register
class NativeEnum(Rule):
    """Closed value sets use a native enum type.

    ``status text CHECK (status IN (...))`` repeats the list in every table that uses it and
    the ORM sees a plain string. A native enum is one named type, typed in generated code.
    Enums of more than 20 values, or values users edit, belong in a lookup table instead.

    Bad:
        status text NOT NULL CHECK (status IN ('new', 'paid', 'shipped'))

    Good:
        CREATE TYPE order_status AS ENUM ('new', 'paid', 'shipped');
        status order_status NOT NULL
    """

    id = "TY-07"
    name = "Closed value sets use a native enum"
    level = Level.JUSTIFY

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        a = analyze(schema)
        for t in schema.tables:
            for ck in t.checks:
                m = _IN_LIST.match(ck.expression)
                c = t.column_named(m.group(1)) if m else None
                if c is None:
                    continue
                ctype = a.base_type(c.type)
                if ctype.kind == "builtin" and ctype.name in _TEXTUAL and not ctype.array_dims:
                    yield self.finding(column_target(t, c, (ck.uid,)),
                                       "Value list in a CHECK instead of an enum",
                                       "Create an enum type for the values")
        for e in schema.enums:
            if len(e.values) > 20:
                yield self.finding(enum_target(e), f"Enum has {len(e.values)} values",
                                   "Use a lookup table with an FK instead")


@register
class MoneyType(Rule):
    """Money is ``numeric(p,s)``, never ``money`` or floating point.

    ``money`` depends on the ``lc_monetary`` setting and loses the currency; ``real`` and
    ``double precision`` cannot represent 0.10 exactly, so sums drift.

    Bad:
        price double precision NOT NULL

    Good:
        price numeric(12,2) NOT NULL
    """

    id = "TY-08"
    name = "Money"
    level = Level.BLOCK
    levels_note = "BLOCK for the money type; JUSTIFY for float on money-named columns"

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        a = analyze(schema)
        for t in schema.tables:
            for c in t.columns:
                ctype = a.base_type(c.type)
                if ctype.kind != "builtin":
                    continue
                if ctype.name == "money":
                    yield self.finding(column_target(t, c), "money type",
                                       "Use numeric(p,s) and store the currency")
                elif ctype.name in ("real", "double precision") and is_money_named(c.name):
                    yield self.finding(column_target(t, c), f"Amount stored as {ctype.name}",
                                       "Use numeric(p,s)", Level.JUSTIFY)


_LARGE = frozenset({"bytea", "json", "jsonb", "xml", "tsvector"})


@register
class LargeObjects(Rule):
    """A table carries at most two large-object columns.

    Large values (``bytea``, JSON, ``xml``, ``tsvector``) are stored out of line (TOAST);
    several of them in one table make every wide read expensive. Split them into a 1:1 side
    table read only when needed. (``text`` is not counted: it is the normal string type.)

    Bad:
        document (id, title, pdf bytea, preview bytea, metadata jsonb)

    Good:
        document (id, title, metadata jsonb); document_file (document_id, pdf, preview)
    """

    id = "TY-09"
    name = "Several large-object columns in one table"
    level = Level.ADVISE

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        a = analyze(schema)
        for t in schema.tables:
            n = sum(1 for c in t.columns if a.builtin(c) in _LARGE)
            if n > 2:
                yield self.finding(table_target(t), f"{n} large-object columns",
                                   "Move rarely read large columns to a 1:1 side table")


def _named_columns(schema: Schema, uids: frozenset[str],
                   ) -> dict[str, dict[str, tuple[str, str, ColumnType]]]:
    """Table uid → column uid → (the table's qualified name, the column's name and type),
    for the tables ``uids`` that ``schema`` has."""
    return {t.uid: {c.uid: (t.qualified_name, c.name, c.type) for c in t.columns}
            for t in tables_in(schema, uids)}


@register
class SameNameSameType(Rule):
    """Columns with the same name have the same type across tables.

    ``status`` as ``text`` here and ``varchar(20)`` there, or ``amount`` with different
    scales, means joins need casts and values do not fit when they move between tables.
    Primary ``id`` columns and audit columns are covered by other rules.

    Bad:
        invoice.amount numeric(12,2); payment.amount numeric(10,4)

    Good:
        invoice.amount numeric(12,2); payment.amount numeric(12,2)
    """

    id = "TY-10"
    name = "Same-named columns share a type"
    level = Level.JUSTIFY

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        return self._check(schema, None)

    def recheck(self, old: Schema, new: Schema, changed: frozenset[str], config: Config,
                ) -> tuple[Callable[[Finding], bool], Iterable[Finding]]:
        # A finding depends on the columns of its name (their tables' names and uids,
        # their types' spellings): only the names of the columns that differ are checked
        # again, and the findings on the columns of those names in ``old`` go.
        names: set[str] = set()
        was, now = _named_columns(old, changed), _named_columns(new, changed)
        for uid in changed:
            before, after = was.get(uid, {}), now.get(uid, {})
            for key in before.keys() | after.keys():
                a, b = before.get(key), after.get(key)
                if a != b:
                    names.update(x[1] for x in (a, b) if x is not None)
        if not names:
            return (lambda f: True), ()
        stale = {c.uid for t in old.tables for c in t.columns if c.name in names}
        return (lambda f: f.target.uid not in stale), self._check(new, names)

    def _check(self, schema: Schema, only: set[str] | None) -> Iterator[Finding]:
        """The findings on the columns named ``only`` (None: every name)."""
        groups: dict[str, list[tuple[Table, Column, str]]] = {}
        spelled: dict[ColumnType, str] = {}
        for t in schema.tables:
            for c in t.columns:
                if only is not None and c.name not in only:
                    continue
                if c.name != "id" and c.name not in AUDIT_COLUMNS:
                    spelling = spelled.get(c.type)
                    if spelling is None:
                        spelling = spelled[c.type] = c.type.short(schema)
                    groups.setdefault(c.name, []).append((t, c, spelling))
        for members in groups.values():
            if len(members) < 2:
                continue
            counts = Counter(spelling for _, _, spelling in members)
            if len(counts) < 2:
                continue
            usual = min(counts, key=lambda s: (-counts[s], s))
            for t, c, spelling in members:
                if spelling != usual:
                    yield self.finding(column_target(t, c),
                                       f"{c.name[:20]} is {spelling[:20]}; elsewhere {usual[:20]}",
                                       f"Use {usual} like the other "
                                       f"{counted(counts[usual], 'column')}")
