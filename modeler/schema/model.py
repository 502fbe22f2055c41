"""Immutable snapshot of one design: the value every pure function of the product works on.

Pure Python: no Django, no SQLAlchemy (a test enforces it). Every design element carries a
stable ``uid`` (a UUID string) that survives renames; cross-references (an FK's columns, an
index's columns, a column's enum) are by uid, so a rename changes exactly one element.
Collections are tuples in a canonical order so that equal designs compare equal:
tables by (namespace, name); columns by position; everything else by name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields, replace
from functools import cached_property
from itertools import pairwise
from typing import Any, Literal, TypeVar

from modeler.identity_memo import IdentityMemo
from modeler.schema.collations import format_ref
from modeler.schema.types import CATALOG, type_info

TableKind = Literal["entity", "junction", "lookup", "append_only"]
DeleteStrategy = Literal["hard", "soft"]
Identity = Literal["always", "by default"]
Compression = Literal["pglz", "lz4"]
Searchable = Literal["none", "fulltext", "substring"]
Cardinality = Literal["one-to-one", "one-to-many", "many-to-many"]
FkAction = Literal["CASCADE", "RESTRICT", "NO ACTION", "SET NULL", "SET DEFAULT", "UNSPECIFIED"]
FkMatch = Literal["SIMPLE", "FULL"]  # PostgreSQL does not implement MATCH PARTIAL
IndexMethod = Literal["btree", "hash", "gin", "gist", "brin", "spgist"]
TypeKind = Literal["builtin", "enum", "domain", "custom"]
Provider = Literal["generic", "neon"]
PkPolicy = Literal["identity", "uuid"]
CollationProvider = Literal["libc", "icu", "builtin"]

TABLE_KINDS: tuple[str, ...] = ("entity", "junction", "lookup", "append_only")
DELETE_STRATEGIES: tuple[str, ...] = ("hard", "soft")
IDENTITIES: tuple[str, ...] = ("always", "by default")
COMPRESSIONS: tuple[str, ...] = ("pglz", "lz4")  # a column's COMPRESSION (PostgreSQL 14+)
SEARCHABLE: tuple[str, ...] = ("none", "fulltext", "substring")
CARDINALITIES: tuple[str, ...] = ("one-to-one", "one-to-many", "many-to-many")
FK_ACTIONS: tuple[str, ...] = ("CASCADE", "RESTRICT", "NO ACTION", "SET NULL", "SET DEFAULT",
                               "UNSPECIFIED")
# MATCH SIMPLE (the default): a row with any FK column NULL is not checked; MATCH FULL: the
# FK columns are all NULL or none, and a row with none NULL must reference a parent
FK_MATCHES: tuple[str, ...] = ("SIMPLE", "FULL")
INDEX_METHODS: tuple[str, ...] = ("btree", "hash", "gin", "gist", "brin", "spgist")
TYPE_KINDS: tuple[str, ...] = ("builtin", "enum", "domain", "custom")
PROVIDERS: tuple[str, ...] = ("generic", "neon")
PK_POLICIES: tuple[str, ...] = ("identity", "uuid")
COLLATION_PROVIDERS: tuple[str, ...] = ("libc", "icu", "builtin")
PARTITION_METHODS: tuple[str, ...] = ("RANGE", "LIST", "HASH")


def qualified_name(namespace: str | None, name: str) -> str:
    """How people read an element's name: ``name`` in ``public`` (or none), else
    ``namespace.name`` (unquoted: for messages, paths and change lists, not for SQL)."""
    return name if namespace in (None, "public") else f"{namespace}.{name}"


class Namespaced:
    """Base of the elements that live in a namespace (tables, enums, domains, collations,
    sequences): their :attr:`qualified_name`."""

    __slots__ = ()
    name: str
    namespace: str

    @property
    def qualified_name(self) -> str:
        return qualified_name(self.namespace, self.name)


@dataclass(frozen=True, slots=True)
class ColumnType:
    """A column's type.

    ``builtin``: ``name`` is a catalog key (``varchar``, ``timestamptz``) with its parameters.
    ``enum`` / ``domain``: ``ref`` is the uid of an EnumType / Domain of the same design
    (``name`` is always empty: the referenced object owns the name).
    ``custom``: ``name`` is a type declared by an extension, spelled as PostgreSQL prints it
    (``citext``, ``geometry(Point,4326)``).
    ``array_dims`` > 0 makes it an array of that many dimensions.
    """

    kind: TypeKind = "builtin"
    name: str = "text"
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    array_dims: int = 0
    ref: str | None = None

    def __post_init__(self) -> None:
        if self.kind == "builtin" and self.name not in CATALOG:
            raise ValueError(f"unknown type {self.name!r}")
        if self.kind in ("enum", "domain"):
            if not self.ref:
                raise ValueError(f"a {self.kind} type needs a ref")
            if self.name:  # the referenced object owns the name (renames must not go stale)
                object.__setattr__(self, "name", "")

    def sql(self, schema: Schema | None = None) -> str:
        """PostgreSQL spelling (``character varying(20)[]``); enums/domains need ``schema``."""
        if self.kind == "builtin":
            info = type_info(self.name)
            base = info.pg_name
            if info.takes_length and self.length is not None:
                base = f"{base}({self.length})"
            elif self.precision is not None and info.takes_precision:
                if info.takes_scale and self.scale is not None:
                    base = f"{base}({self.precision},{self.scale})"
                else:
                    base = f"{base}({self.precision})"
                if self.name in ("time", "timetz", "timestamp", "timestamptz"):
                    words = info.pg_name.split(" ", 1)
                    base = f"{words[0]}({self.precision})" + (
                        f" {words[1]}" if len(words) > 1 else "")
        elif self.kind in ("enum", "domain"):
            base = self.ref or ""
            if schema is not None and self.ref is not None:
                obj = schema.type_object(self.ref)
                if obj is not None:
                    base = obj.qualified_name
        else:
            base = self.name
        return base + "[]" * self.array_dims

    def short(self, schema: Schema | None = None) -> str:
        """Short spelling for the diagram and the editor (``varchar(20)``, ``timestamptz``)."""
        if self.kind != "builtin":
            return self.sql(schema)
        base = self.name
        if self.length is not None:
            base = f"{base}({self.length})"
        elif self.precision is not None:
            base = f"{base}({self.precision}" + (
                f",{self.scale})" if self.scale is not None else ")")
        return base + "[]" * self.array_dims


@dataclass(frozen=True, slots=True)
class Denormalization:
    """Why a column copies data held elsewhere (rule NF-07 wants all three)."""

    source_of_truth: str = ""
    mechanism: str = ""
    justification: str = ""


@dataclass(frozen=True, slots=True)
class IdentityOptions:
    """An identity column's sequence options, as CREATE SEQUENCE says them. None (False for
    ``cycle``) is PostgreSQL's default, which for START WITH, MINVALUE and MAXVALUE follows
    the column's type and the increment's sign: values equal to it are kept as None (see
    :mod:`modeler.schema.identity`), so a column has None options when all are defaults."""

    start: int | None = None
    increment: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    cache: int | None = None
    cycle: bool = False

    def short(self) -> str:
        """The options as SQL says them (``START WITH 1000 INCREMENT BY 10``)."""
        words = (("START WITH", self.start), ("INCREMENT BY", self.increment),
                 ("MINVALUE", self.min_value), ("MAXVALUE", self.max_value),
                 ("CACHE", self.cache))
        parts = [f"{word} {int(value)}" for word, value in words if value is not None]
        return " ".join([*parts, "CYCLE"] if self.cycle else parts)


@dataclass(frozen=True, slots=True)
class Column:
    uid: str
    name: str
    type: ColumnType
    nullable: bool = False
    default: str | None = None  # SQL expression text, as written (``now()``, ``'x'::text``)
    identity: Identity | None = None
    generated: str | None = None  # GENERATED ALWAYS AS (expr) STORED
    pk_order: int | None = None  # position inside the primary key; None = not in it
    comment: str = ""
    null_meaning: str = ""
    searchable: Searchable = "none"
    frequently_queried: bool = False
    denormalized: Denormalization | None = None
    # COLLATE: a collation reference as SQL spells it (``"C"``, ``musicbrainz.musicbrainz``;
    # see modeler.schema.collations); None: the type's default collation
    collation: str | None = None
    # a one-off SQL expression (sqlexpr kind "backfill": may read the row's other columns)
    # that the migration writes into the rows that exist when the column is added NOT
    # NULL, becomes NOT NULL or gets a mandatory FK (rule MG-09); None: no rows to fill
    backfill: str | None = None
    # COMPRESSION of the column's TOASTed values (PostgreSQL 14+); None: the server's
    # default_toast_compression
    compression: Compression | None = None
    # the identity's sequence options other than PostgreSQL's defaults (only with
    # ``identity``); None: all defaults
    identity_options: IdentityOptions | None = None

    @property
    def in_pk(self) -> bool:
        return self.pk_order is not None


@dataclass(frozen=True, slots=True)
class IndexPart:
    """One key of an index: a column (by uid) or an expression."""

    column: str | None = None
    expression: str | None = None
    descending: bool = False
    nulls: Literal["first", "last"] | None = None
    opclass: str | None = None
    collation: str | None = None

    def __post_init__(self) -> None:
        if (self.column is None) == (self.expression is None):
            raise ValueError("an index part is a column or an expression")


@dataclass(frozen=True, slots=True)
class Index:
    uid: str
    name: str
    parts: tuple[IndexPart, ...]
    unique: bool = False
    method: IndexMethod = "btree"
    where: str | None = None
    include: tuple[str, ...] = ()  # column uids
    nulls_not_distinct: bool = False
    comment: str = ""

    @property
    def column_uids(self) -> tuple[str | None, ...]:
        return tuple(p.column for p in self.parts)


@dataclass(frozen=True, slots=True)
class UniqueConstraint:
    uid: str
    name: str
    columns: tuple[str, ...]  # column uids, in order
    nulls_not_distinct: bool = False
    deferrable: bool = False
    initially_deferred: bool = False
    comment: str = ""


@dataclass(frozen=True, slots=True)
class CheckConstraint:
    uid: str
    name: str
    expression: str  # SQL boolean expression, without the CHECK keyword
    comment: str = ""


@dataclass(frozen=True, slots=True)
class OrderKey:
    column: str  # column uid
    descending: bool = False


@dataclass(frozen=True, slots=True)
class QueryPattern:
    """A declared way the table is queried (rule IX-02 wants an index that serves it)."""

    uid: str
    name: str
    equality: tuple[str, ...] = ()  # column uids
    range: str | None = None  # column uid
    order_by: tuple[OrderKey, ...] = ()
    hot: bool = False


@dataclass(frozen=True, slots=True)
class Position:
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class Table(Namespaced):
    uid: str
    name: str
    namespace: str = "public"
    comment: str = ""
    kind: TableKind = "entity"
    delete_strategy: DeleteStrategy = "hard"
    subject_area: str = ""
    color: str = ""
    position: Position | None = None
    pk_name: str | None = None  # None: the naming convention's pk_<table>
    columns: tuple[Column, ...] = ()
    indexes: tuple[Index, ...] = ()
    uniques: tuple[UniqueConstraint, ...] = ()
    checks: tuple[CheckConstraint, ...] = ()
    query_patterns: tuple[QueryPattern, ...] = ()
    # Declarative partitioning. ``partition_by``: a partitioned table's key, as
    # pg_get_partkeydef prints it (``RANGE (payment_date)``, ``LIST (kind)``). A partition
    # names its parent (``partition_of``, a table uid) and its bound as pg_get_expr prints
    # relpartbound (``FOR VALUES IN (true)``, ``FOR VALUES FROM (...) TO (...)``,
    # ``DEFAULT``). A partition holds its own copy of the parent's columns, keys, checks,
    # indexes and FKs, as the catalog does (PostgreSQL pairs them when it attaches it).
    partition_by: str | None = None
    partition_of: str | None = None
    partition_bound: str = ""
    # how many rows the table is expected to hold (design metadata); None: not said
    expected_rows: int | None = None

    @property
    def is_partition(self) -> bool:
        return self.partition_of is not None

    @property
    def primary_key(self) -> tuple[Column, ...]:
        return tuple(sorted((c for c in self.columns if c.pk_order is not None),
                            key=lambda c: c.pk_order or 0))

    def column(self, uid: str) -> Column:
        for c in self.columns:
            if c.uid == uid:
                return c
        raise KeyError(uid)

    def column_named(self, name: str) -> Column | None:
        for c in self.columns:
            if c.name == name:
                return c
        return None


@dataclass(frozen=True, slots=True)
class Relationship:
    """A foreign key from ``child_columns`` of the child table to the parent's key columns."""

    uid: str
    name: str
    child_table: str  # table uid
    child_columns: tuple[str, ...]  # column uids
    parent_table: str
    parent_columns: tuple[str, ...]
    cardinality: Cardinality = "one-to-many"
    optional: bool = False
    on_delete: FkAction = "UNSPECIFIED"
    on_update: FkAction = "UNSPECIFIED"
    deferrable: bool = False
    initially_deferred: bool = False
    comment: str = ""
    match: FkMatch = "SIMPLE"  # MATCH FULL | SIMPLE (see FK_MATCHES)


@dataclass(frozen=True, slots=True)
class EnumValue:
    uid: str
    label: str


@dataclass(frozen=True, slots=True)
class EnumType(Namespaced):
    uid: str
    name: str
    values: tuple[EnumValue, ...]
    namespace: str = "public"
    comment: str = ""

    @property
    def labels(self) -> tuple[str, ...]:
        return tuple(v.label for v in self.values)


@dataclass(frozen=True, slots=True)
class DomainCheck:
    name: str
    expression: str


@dataclass(frozen=True, slots=True)
class Domain(Namespaced):
    uid: str
    name: str
    base: ColumnType
    namespace: str = "public"
    not_null: bool = False
    default: str | None = None
    checks: tuple[DomainCheck, ...] = ()
    comment: str = ""


@dataclass(frozen=True, slots=True)
class Collation(Namespaced):
    """A ``CREATE COLLATION``. ``locale`` sets both LC_COLLATE and LC_CTYPE (the ICU locale
    for ``provider="icu"``); ``lc_collate``/``lc_ctype`` are the libc pair when they differ;
    ``rules`` are ICU tailoring rules (PostgreSQL 16+). Columns and index keys refer to it by
    :attr:`ref` (see :mod:`modeler.schema.collations`)."""

    uid: str
    name: str
    namespace: str = "public"
    provider: CollationProvider = "libc"
    locale: str | None = None
    lc_collate: str | None = None
    lc_ctype: str | None = None
    deterministic: bool = True
    rules: str | None = None
    comment: str = ""

    @property
    def ref(self) -> str:
        """How columns spell it after COLLATE (always schema-qualified)."""
        return format_ref(self.namespace, self.name)


@dataclass(frozen=True, slots=True)
class Extension:
    uid: str
    name: str
    namespace: str | None = None  # WITH SCHEMA, when given


@dataclass(frozen=True, slots=True)
class Sequence(Namespaced):
    uid: str
    name: str
    namespace: str = "public"
    data_type: str = "bigint"
    start: int | None = None
    increment: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    cache: int | None = None
    cycle: bool = False
    owned_by_table: str | None = None  # table uid
    owned_by_column: str | None = None  # column uid


@dataclass(frozen=True, slots=True)
class RawObject:
    """Something the model does not represent (a view, a function, a trigger), kept as SQL so
    the export can carry it (baseline revision) and DESIGN.md can list it."""

    uid: str
    kind: str  # view | materialized view | function | trigger | policy | rule | other
    name: str
    sql: str
    namespace: str = "public"
    # the search_path the SQL was written under (as SHOW search_path prints it; SQL imports
    # record it): the export replays the SQL under it. None: not known (other sources)
    search_path: str | None = None


@dataclass(frozen=True, slots=True)
class Settings:
    """Project settings the pure functions need (rules, codegen)."""

    pg_version: int = 16
    provider: Provider = "generic"
    pk_policy: PkPolicy = "identity"
    updated_at_mode: Literal["trigger", "orm"] = "trigger"


@dataclass(frozen=True)
class Schema:
    """A whole design. Build with :func:`normalized` (or the builder) to get canonical order."""

    tables: tuple[Table, ...] = ()
    relationships: tuple[Relationship, ...] = ()
    enums: tuple[EnumType, ...] = ()
    domains: tuple[Domain, ...] = ()
    extensions: tuple[Extension, ...] = ()
    sequences: tuple[Sequence, ...] = ()
    raw_objects: tuple[RawObject, ...] = ()
    settings: Settings = field(default_factory=Settings)
    name: str = ""
    collations: tuple[Collation, ...] = ()

    # Lookup tables, built once per snapshot (dataclass fields are frozen, the cache is not
    # part of equality or hashing).
    @cached_property
    def _index(self) -> _SchemaIndex:
        return _SchemaIndex(self)

    def __hash__(self) -> int:
        """The dataclass hash of every field, computed once per snapshot (caches of lint
        results key on it; hashing the whole tree costs milliseconds on a big design)."""
        cached: int | None = self.__dict__.get("_hash")
        if cached is None:
            # each table's hash once per table object (an edit's snapshot shares them all
            # but one with the snapshot before it); equal schemas still hash equal
            cached = hash((tuple(_table_hash(t) for t in self.tables),
                           *(getattr(self, f.name) for f in fields(self) if f.name != "tables")))
            self.__dict__["_hash"] = cached
        return cached

    def table(self, uid: str) -> Table:
        return self._index.tables[uid]

    def table_named(self, name: str, namespace: str = "public") -> Table | None:
        return self._index.tables_by_name.get((namespace, name))

    def column(self, uid: str) -> Column:
        return self._index.columns[uid][1]

    def table_of_column(self, uid: str) -> Table:
        return self._index.columns[uid][0]

    def type_object(self, uid: str) -> EnumType | Domain | None:
        return self._index.types.get(uid)

    def enum(self, uid: str) -> EnumType:
        obj = self._index.types[uid]
        assert isinstance(obj, EnumType)
        return obj

    def domain(self, uid: str) -> Domain:
        obj = self._index.types[uid]
        assert isinstance(obj, Domain)
        return obj

    def relationships_of(self, table_uid: str) -> tuple[Relationship, ...]:
        """FKs whose child is ``table_uid``."""
        return self._index.outgoing.get(table_uid, ())

    def references_to(self, table_uid: str) -> tuple[Relationship, ...]:
        """FKs whose parent is ``table_uid``."""
        return self._index.incoming.get(table_uid, ())

    def partitions_of(self, table_uid: str) -> tuple[Table, ...]:
        """The tables attached as partitions of ``table_uid`` (by name)."""
        return tuple(t for t in self.tables if t.partition_of == table_uid)

    def partition_depth(self, table_uid: str) -> int:
        """0 for a table that is not a partition, 1 for a partition, 2 for a partition of a
        partition..."""
        depth, seen = 0, {table_uid}
        parent = self._index.tables[table_uid].partition_of
        while parent is not None and parent in self._index.tables and parent not in seen:
            depth += 1
            seen.add(parent)
            parent = self._index.tables[parent].partition_of
        return depth

    def locate(self, uid: str) -> Located | None:
        """The element ``uid`` (any kind that has a uid: table, column, enum, domain,
        relationship, index, unique, check, query pattern, extension) with its kind and the
        table that holds it; None when the design has no such element."""
        idx = self._index
        table = idx.tables.get(uid)
        if table is not None:
            return Located("table", table, table)
        pair = idx.columns.get(uid)
        if pair is not None:
            return Located("column", pair[1], pair[0])
        return idx.others.get(uid)


ElementKind = Literal["table", "column", "enum", "domain", "relationship", "index", "unique",
                      "check", "query_pattern", "extension"]
Element = (Table | Column | EnumType | Domain | Relationship | Index | UniqueConstraint
           | CheckConstraint | QueryPattern | Extension)


@dataclass(frozen=True, slots=True)
class Located:
    """What :meth:`Schema.locate` found: the element, its kind, and the table holding it
    (the table itself for a table, the child table for a relationship, None for data types
    and extensions)."""

    kind: ElementKind
    element: Element
    table: Table | None


# `slots=True` dataclasses have no __dict__, so cached_property cannot store on Schema;
# Schema is declared without slots for that reason and the index lives in its __dict__.
class _SchemaIndex:
    """Lookups of one snapshot, each built on first use: code that applies many small
    edits (the migration renderer, the differ) asks a fresh snapshot for one table, and
    must not pay for a map of every column each time."""

    __slots__ = ("_columns", "_incoming", "_others", "_outgoing", "_schema", "_tables",
                 "_tables_by_name", "_types")

    def __init__(self, schema: Schema) -> None:
        self._schema = schema
        self._tables: dict[str, Table] | None = None
        self._tables_by_name: dict[tuple[str, str], Table] | None = None
        self._columns: dict[str, tuple[Table, Column]] | None = None
        self._types: dict[str, EnumType | Domain] | None = None
        self._outgoing: dict[str, tuple[Relationship, ...]] | None = None
        self._incoming: dict[str, tuple[Relationship, ...]] | None = None
        self._others: dict[str, Located] | None = None

    @property
    def tables(self) -> dict[str, Table]:
        if self._tables is None:
            self._tables = {t.uid: t for t in self._schema.tables}
        return self._tables

    @property
    def tables_by_name(self) -> dict[tuple[str, str], Table]:
        if self._tables_by_name is None:
            self._tables_by_name = {(t.namespace, t.name): t for t in self._schema.tables}
        return self._tables_by_name

    @property
    def columns(self) -> dict[str, tuple[Table, Column]]:
        if self._columns is None:
            self._columns = {c.uid: (t, c) for t in self._schema.tables for c in t.columns}
        return self._columns

    @property
    def types(self) -> dict[str, EnumType | Domain]:
        if self._types is None:
            types: dict[str, EnumType | Domain] = {e.uid: e for e in self._schema.enums}
            types.update({d.uid: d for d in self._schema.domains})
            self._types = types
        return self._types

    @property
    def outgoing(self) -> dict[str, tuple[Relationship, ...]]:
        if self._outgoing is None:
            self._relationships()
        assert self._outgoing is not None
        return self._outgoing

    @property
    def incoming(self) -> dict[str, tuple[Relationship, ...]]:
        if self._incoming is None:
            self._relationships()
        assert self._incoming is not None
        return self._incoming

    @property
    def others(self) -> dict[str, Located]:
        """Elements other than tables and columns by uid (the first one wins: data types,
        relationships, then each table's indexes, uniques, checks, query patterns)."""
        if self._others is None:
            found: dict[str, Located] = {}
            for uid, obj in self.types.items():
                kind: ElementKind = "enum" if isinstance(obj, EnumType) else "domain"
                found.setdefault(uid, Located(kind, obj, None))
            for r in self._schema.relationships:
                found.setdefault(r.uid, Located("relationship", r, self.tables.get(r.child_table)))
            for t in self._schema.tables:
                for kind, items in (("index", t.indexes), ("unique", t.uniques),
                                    ("check", t.checks), ("query_pattern", t.query_patterns)):
                    for x in items:
                        found.setdefault(x.uid, Located(kind, x, t))
            for e in self._schema.extensions:
                found.setdefault(e.uid, Located("extension", e, None))
            self._others = found
        return self._others

    def _relationships(self) -> None:
        out: dict[str, list[Relationship]] = {}
        inc: dict[str, list[Relationship]] = {}
        for r in self._schema.relationships:
            out.setdefault(r.child_table, []).append(r)
            inc.setdefault(r.parent_table, []).append(r)
        self._outgoing = {k: tuple(v) for k, v in out.items()}
        self._incoming = {k: tuple(v) for k, v in inc.items()}


_T = TypeVar("_T")


def _in_order(items: Iterable[_T], key: Callable[[_T], Any]) -> tuple[_T, ...]:
    """``tuple(sorted(items, key=key))``, but the very tuple ``items`` when it is one in that
    order already (what an edit leaves almost everywhere): unchanged parts of a design keep
    their identity, so the memos keyed by identity (diagram nodes, labels) still hit."""
    if isinstance(items, tuple) and all(key(a) <= key(b) for a, b in pairwise(items)):
        return items
    return tuple(sorted(items, key=key))


def _table_hash(t: Table) -> int:
    """``hash(t)``, memoised by table object."""
    found = _TABLE_HASHES.get(t)
    return found if found is not None else _TABLE_HASHES.put(t, hash(t))


# small: an entry keeps its table alive (a few snapshots of a big design; the caches hold
# about as many anyway)
_TABLE_HASHES: IdentityMemo[Table, int] = IdentityMemo(5_000)
# tables known to be in canonical order (normalized runs twice per edit over every table)
_CANONICAL: IdentityMemo[Table, bool] = IdentityMemo(5_000)


def _table_sorted(t: Table) -> Table:
    if _CANONICAL.get(t):
        return t
    columns = tuple(t.columns)
    indexes = _in_order(t.indexes, lambda i: (i.name, i.uid))
    uniques = _in_order(t.uniques, lambda u: (u.name, u.uid))
    checks = _in_order(t.checks, lambda c: (c.name, c.uid))
    patterns = _in_order(t.query_patterns, lambda q: (q.name, q.uid))
    if (columns is t.columns and indexes is t.indexes and uniques is t.uniques
            and checks is t.checks and patterns is t.query_patterns):
        _CANONICAL.put(t, True)
        return t  # already canonical: the same object
    return replace(t, columns=columns, indexes=indexes, uniques=uniques, checks=checks,
                   query_patterns=patterns)


def normalized(schema: Schema) -> Schema:
    """The same design in canonical order (columns keep their given order). Parts that are
    in that order already are kept as they are (the same objects)."""
    return replace(
        schema,
        tables=_in_order(_tables_sorted(tuple(schema.tables)),
                         lambda t: (t.namespace, t.name, t.uid)),
        relationships=_in_order(schema.relationships, lambda r: (r.name, r.uid)),
        enums=_in_order(schema.enums, lambda e: (e.namespace, e.name, e.uid)),
        domains=_in_order(schema.domains, lambda d: (d.namespace, d.name, d.uid)),
        extensions=_in_order(schema.extensions, lambda e: (e.name, e.uid)),
        sequences=_in_order(schema.sequences, lambda s: (s.namespace, s.name, s.uid)),
        raw_objects=tuple(schema.raw_objects),
        collations=_in_order(schema.collations, lambda c: (c.namespace, c.name, c.uid)),
    )


def _tables_sorted(tables: tuple[Table, ...]) -> tuple[Table, ...]:
    """:func:`_table_sorted` of each table: the very tuple when every table is canonical."""
    out = tuple(_table_sorted(t) for t in tables)
    return tables if all(a is b for a, b in zip(out, tables, strict=True)) else out
