"""A mutable, name-keyed draft of a design that importers fill statement by statement.

SQL scripts create a table and add its key three files later; DBML refers to tables before
they are declared. Importers therefore work on this draft (everything keyed by name), and
:func:`modeler.importers.build.build_schema` turns the finished draft into an immutable,
uid-keyed :class:`~modeler.schema.model.Schema` in one pass.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from modeler.importers.pgnames import choose_name
from modeler.importers.result import ImportWarning
from modeler.schema import model as m

QName = tuple[str, str]  # (namespace, name)


@dataclass
class DraftColumn:
    """A column by name; the type is already final."""

    name: str
    type: m.ColumnType
    nullable: bool = True
    default: str | None = None
    identity: m.Identity | None = None
    generated: str | None = None
    comment: str = ""
    inherited: bool = False  # copied from an INHERITS parent (a redefinition merges)
    collation: str | None = None  # a reference (modeler.schema.collations)
    compression: m.Compression | None = None
    # an identity's sequence options as given (the snapshot keeps the non-defaults)
    identity_options: m.IdentityOptions | None = None


@dataclass
class DraftIndexPart:
    """One index key: a column name or an expression."""

    column: str | None = None  # column name
    expression: str | None = None
    descending: bool = False
    nulls: Literal["first", "last"] | None = None
    opclass: str | None = None
    collation: str | None = None


@dataclass
class DraftIndex:
    """An index (not a constraint) by name."""

    name: str
    parts: list[DraftIndexPart]
    unique: bool = False
    method: m.IndexMethod = "btree"
    where: str | None = None
    include: list[str] = field(default_factory=list)
    nulls_not_distinct: bool = False
    comment: str = ""
    attached_to: str | None = None  # on a partition: the parent's index it is attached to

    def definition(self) -> tuple[object, ...]:
        """What PostgreSQL compares to pair a partition's index with its parent's."""
        return (tuple((p.column, p.expression, p.descending, p.nulls, p.opclass, p.collation)
                      for p in self.parts), self.unique, self.method, self.where,
                tuple(self.include), self.nulls_not_distinct)


@dataclass
class DraftUnique:
    """A UNIQUE constraint by name, over column names."""

    name: str
    columns: list[str]
    nulls_not_distinct: bool = False
    deferrable: bool = False
    initially_deferred: bool = False
    comment: str = ""


@dataclass
class DraftCheck:
    """A CHECK constraint by name."""

    name: str
    expression: str
    comment: str = ""


@dataclass
class DraftTable:
    """A table by name with its keys, indexes and checks."""

    namespace: str
    name: str
    comment: str = ""
    kind: m.TableKind = "entity"
    subject_area: str = ""
    color: str = ""
    pk_name: str | None = None
    pk_columns: list[str] = field(default_factory=list)
    pk_comment: str = ""
    columns: dict[str, DraftColumn] = field(default_factory=dict)
    indexes: list[DraftIndex] = field(default_factory=list)
    uniques: list[DraftUnique] = field(default_factory=list)
    checks: list[DraftCheck] = field(default_factory=list)
    sql: str = ""  # the statement that created it
    partition_by: str | None = None  # RANGE|LIST|HASH (...)
    partition_of: QName | None = None  # the parent table, for a partition
    partition_bound: str = ""  # FOR VALUES ... | DEFAULT
    inherits: list[QName] = field(default_factory=list)  # INHERITS parents (not modelled)
    file: str = ""  # where it was declared, for warnings
    line: int | None = None

    @property
    def qname(self) -> QName:
        return (self.namespace, self.name)

    def index_named(self, name: str) -> DraftIndex | None:
        return next((i for i in self.indexes if i.name == name), None)

    def unique_named(self, name: str) -> DraftUnique | None:
        return next((u for u in self.uniques if u.name == name), None)

    def check_named(self, name: str) -> DraftCheck | None:
        return next((c for c in self.checks if c.name == name), None)


@dataclass
class DraftForeignKey:
    """An FK by table/column names; file and line for warnings."""

    name: str
    child: QName
    child_columns: list[str]
    parent: QName
    parent_columns: list[str] | None  # None: the parent's primary key
    on_delete: m.FkAction = "UNSPECIFIED"
    on_update: m.FkAction = "UNSPECIFIED"
    deferrable: bool = False
    initially_deferred: bool = False
    match: m.FkMatch = "SIMPLE"
    comment: str = ""
    cardinality: m.Cardinality | None = None  # None: derived from the child's keys
    file: str = ""
    line: int | None = None
    not_valid: bool = False  # added NOT VALID and not validated since (not modelled)


@dataclass
class DraftEnum:
    """An enum type with its labels in order."""

    namespace: str
    name: str
    labels: list[str]
    comment: str = ""


@dataclass
class DraftDomain:
    """A domain with (name, expression) checks."""

    namespace: str
    name: str
    base: m.ColumnType
    not_null: bool = False
    default: str | None = None
    checks: list[tuple[str, str]] = field(default_factory=list)
    comment: str = ""


@dataclass
class DraftSequence:
    """A sequence; ``owned_by`` names the owning column."""

    namespace: str
    name: str
    data_type: str = "bigint"
    start: int | None = None
    increment: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    cache: int | None = None
    cycle: bool = False
    owned_by: tuple[str, str, str] | None = None  # (namespace, table, column)


@dataclass
class DraftCollation:
    """A CREATE COLLATION."""

    namespace: str
    name: str
    provider: m.CollationProvider = "libc"
    locale: str | None = None
    lc_collate: str | None = None
    lc_ctype: str | None = None
    deterministic: bool = True
    rules: str | None = None
    comment: str = ""


@dataclass
class DraftRaw:
    """A statement kept as SQL (view, function, trigger...)."""

    kind: str
    namespace: str
    name: str
    sql: str
    search_path: str | None = None  # the setting it was written under (SQL imports)


@dataclass
class Draft:
    """Everything imported so far, by name; plus warnings and counters."""

    tables: dict[QName, DraftTable] = field(default_factory=dict)
    fks: list[DraftForeignKey] = field(default_factory=list)
    enums: dict[QName, DraftEnum] = field(default_factory=dict)
    domains: dict[QName, DraftDomain] = field(default_factory=dict)
    sequences: dict[QName, DraftSequence] = field(default_factory=dict)
    extensions: dict[str, str | None] = field(default_factory=dict)
    collations: dict[QName, DraftCollation] = field(default_factory=dict)
    raws: list[DraftRaw] = field(default_factory=list)
    warnings: list[ImportWarning] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)
    project_name: str = ""
    # relation names (tables, indexes, sequences, views) and constraint names per namespace,
    # for choosing the names PostgreSQL would choose
    relnames: dict[str, set[str]] = field(default_factory=dict)
    connames: dict[str, set[str]] = field(default_factory=dict)

    def warn(self, file: str, line: int | None, kind: str, message: str,
             sql: str | None = None) -> None:
        self.warnings.append(ImportWarning(file, line, kind, message, sql))

    # -- names ---------------------------------------------------------------------------
    def rel_taken(self, namespace: str, name: str) -> bool:
        return name in self.relnames.get(namespace, ())

    def con_taken(self, namespace: str, name: str) -> bool:
        return name in self.connames.get(namespace, ())

    def claim_rel(self, namespace: str, name: str) -> None:
        self.relnames.setdefault(namespace, set()).add(name)

    def claim_con(self, namespace: str, name: str) -> None:
        self.connames.setdefault(namespace, set()).add(name)

    def release_rel(self, namespace: str, name: str) -> None:
        self.relnames.get(namespace, set()).discard(name)

    def release_con(self, namespace: str, name: str) -> None:
        self.connames.get(namespace, set()).discard(name)

    # -- tables --------------------------------------------------------------------------
    def add_table(self, table: DraftTable) -> DraftTable:
        self.tables[table.qname] = table
        self.claim_rel(table.namespace, table.name)
        return table

    def partitions(self, qname: QName) -> list[DraftTable]:
        """The tables attached as partitions of ``qname``."""
        return [t for t in self.tables.values() if t.partition_of == qname]

    def drop_table(self, qname: QName) -> None:
        table = self.tables.pop(qname, None)
        if table is None:
            return
        for part in self.partitions(qname):  # DROP TABLE takes the partitions along
            self.drop_table(part.qname)
        ns = table.namespace
        self.release_rel(ns, table.name)
        for idx in table.indexes:
            self.release_rel(ns, idx.name)
        for uq in table.uniques:
            self.release_rel(ns, uq.name)
            self.release_con(ns, uq.name)
        for ck in table.checks:
            self.release_con(ns, ck.name)
        if table.pk_name:
            self.release_rel(ns, table.pk_name)
            self.release_con(ns, table.pk_name)
        for fk in [f for f in self.fks if f.child == qname]:
            self.release_con(ns, fk.name)
        self.fks = [f for f in self.fks if f.child != qname]
        for key, seq in list(self.sequences.items()):
            if seq.owned_by is not None and seq.owned_by[:2] == qname:
                self.drop_sequence(key)

    def drop_sequence(self, qname: QName) -> None:
        if self.sequences.pop(qname, None) is not None:
            self.release_rel(*qname)

    def add_sequence(self, seq: DraftSequence) -> DraftSequence:
        self.sequences[(seq.namespace, seq.name)] = seq
        self.claim_rel(seq.namespace, seq.name)
        return seq

    def table_of_index(self, namespace: str, index: str) -> DraftTable | None:
        """The table in ``namespace`` holding an index (or PK/unique) named ``index``."""
        for t in self.tables.values():
            if t.namespace != namespace:
                continue
            if t.pk_name == index or t.index_named(index) or t.unique_named(index):
                return t
        return None

    def add_raw(self, kind: str, namespace: str, name: str, sql: str,
                search_path: str | None = None) -> None:
        self.raws.append(DraftRaw(kind, namespace, name, sql, search_path))
        if kind in ("view", "materialized view", "partition", "foreign table", "table"):
            self.claim_rel(namespace, name)


def choose_relation_name(draft: Draft, ns: str, name1: str, name2: str | None,
                         label: str) -> str:
    """Claim the relation name (index, sequence, key) PostgreSQL would choose."""
    name = choose_name(name1, name2, label,
                       lambda n: draft.rel_taken(ns, n) or draft.con_taken(ns, n))
    draft.claim_rel(ns, name)
    return name


def choose_constraint_name(draft: Draft, ns: str, name1: str, name2: str | None,
                           label: str) -> str:
    """Claim the constraint name (CHECK, FK) PostgreSQL would choose."""
    name = choose_name(name1, name2, label, lambda n: draft.con_taken(ns, n))
    draft.claim_con(ns, name)
    return name
