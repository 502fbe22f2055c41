"""Build snapshots by name, with deterministic uids.

Importers, tests and benchmarks describe designs with names (``customer.email``); the builder
resolves names to uids (uuid5 of the element's path, so the same input gives the same uids)
and returns a normalized :class:`~modeler.schema.model.Schema`.

    b = SchemaBuilder()
    customer = b.table("customer", comment="People who buy things")
    customer.column("id", "bigint", identity="always", pk=True)
    customer.column("email", "varchar", length=320)
    customer.timestamps()
    order = b.table("order_", comment="A purchase by a customer")
    ...
    b.relationship("order_", ["customer_id"], "customer", on_delete="RESTRICT",
                   on_update="NO ACTION")
    schema = b.build()
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from modeler.schema import model as m
from modeler.schema import naming

UID_NAMESPACE = uuid.UUID("5f0c3d2e-8a1b-4c7d-9e6f-0a1b2c3d4e5f")


def stable_uid(*path: str) -> str:
    """A uid derived from a path of names: the same path always gives the same uid."""
    return str(uuid.uuid5(UID_NAMESPACE, "\x1f".join(path)))


@dataclass
class TableBuilder:
    owner: SchemaBuilder
    table: m.Table
    columns: list[m.Column] = field(default_factory=list)
    indexes: list[m.Index] = field(default_factory=list)
    uniques: list[m.UniqueConstraint] = field(default_factory=list)
    checks: list[m.CheckConstraint] = field(default_factory=list)
    patterns: list[m.QueryPattern] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.table.name

    def _path(self, *more: str) -> tuple[str, ...]:
        return (self.table.namespace, self.table.name, *more)

    def col_uid(self, name: str) -> str:
        for c in self.columns:
            if c.name == name:
                return c.uid
        raise KeyError(f"{self.table.name}.{name}: no such column")

    def column(self, name: str, type_: str = "text", *, length: int | None = None,
               precision: int | None = None, scale: int | None = None, array_dims: int = 0,
               enum: str | None = None, domain: str | None = None, custom: str | None = None,
               pk: bool = False, **kw: Any) -> TableBuilder:
        """Add a column. ``enum``/``domain`` name a type added to the builder beforehand."""
        if enum is not None:
            ctype = m.ColumnType(kind="enum", name=enum, ref=self.owner.type_uid("enum", enum),
                                 array_dims=array_dims)
        elif domain is not None:
            ctype = m.ColumnType(kind="domain", name=domain,
                                 ref=self.owner.type_uid("domain", domain), array_dims=array_dims)
        elif custom is not None:
            ctype = m.ColumnType(kind="custom", name=custom, array_dims=array_dims)
        else:
            ctype = m.ColumnType(name=type_, length=length, precision=precision, scale=scale,
                                 array_dims=array_dims)
        if pk:
            kw["pk_order"] = 1 + sum(1 for c in self.columns if c.pk_order is not None)
        self.columns.append(m.Column(uid=stable_uid("column", *self._path(name)), name=name,
                                     type=ctype, **kw))
        return self

    def timestamps(self) -> TableBuilder:
        """``created_at``/``updated_at timestamptz NOT NULL DEFAULT now()``."""
        for name in ("created_at", "updated_at"):
            self.column(name, "timestamptz", default="now()")
        return self

    def index(self, *cols: str, name: str | None = None, unique: bool = False,
              expressions: tuple[str, ...] = (), **kw: Any) -> TableBuilder:
        """Index on columns (``"-col"`` for descending) and/or expressions."""
        parts = [m.IndexPart(column=self.col_uid(c.lstrip("-")), descending=c.startswith("-"))
                 for c in cols]
        parts += [m.IndexPart(expression=e) for e in expressions]
        labels = [c.lstrip("-") for c in cols] or ["expr"]
        name = name or naming.ix_name(self.table.name, labels)
        if "include" in kw:
            kw["include"] = tuple(self.col_uid(c) for c in kw["include"])
        self.indexes.append(m.Index(uid=stable_uid("index", *self._path(name)), name=name,
                                    parts=tuple(parts), unique=unique, **kw))
        return self

    def unique(self, *cols: str, name: str | None = None, **kw: Any) -> TableBuilder:
        name = name or naming.uq_name(self.table.name, cols)
        self.uniques.append(m.UniqueConstraint(
            uid=stable_uid("unique", *self._path(name)), name=name,
            columns=tuple(self.col_uid(c) for c in cols), **kw))
        return self

    def check(self, name: str, expression: str) -> TableBuilder:
        self.checks.append(m.CheckConstraint(uid=stable_uid("check", *self._path(name)),
                                             name=name, expression=expression))
        return self

    def query_pattern(self, name: str, equality: tuple[str, ...] = (),
                      range_: str | None = None, order_by: tuple[str, ...] = (),
                      hot: bool = False) -> TableBuilder:
        self.patterns.append(m.QueryPattern(
            uid=stable_uid("pattern", *self._path(name)), name=name,
            equality=tuple(self.col_uid(c) for c in equality),
            range=self.col_uid(range_) if range_ else None,
            order_by=tuple(m.OrderKey(self.col_uid(c.lstrip("-")), c.startswith("-"))
                           for c in order_by),
            hot=hot))
        return self

    def build(self) -> m.Table:
        return replace(self.table, columns=tuple(self.columns), indexes=tuple(self.indexes),
                       uniques=tuple(self.uniques), checks=tuple(self.checks),
                       query_patterns=tuple(self.patterns))


class SchemaBuilder:
    def __init__(self, settings: m.Settings | None = None, name: str = "") -> None:
        self.settings = settings or m.Settings()
        self.name = name
        self.tables: dict[tuple[str, str], TableBuilder] = {}
        self.relationships: list[m.Relationship] = []
        self.enums: list[m.EnumType] = []
        self.domains: list[m.Domain] = []
        self.extensions: list[m.Extension] = []
        self.sequences: list[m.Sequence] = []
        self.raw_objects: list[m.RawObject] = []

    def type_uid(self, kind: str, qualified: str) -> str:
        ns, _, name = qualified.rpartition(".")
        ns = ns or "public"
        pool: list[Any] = self.enums if kind == "enum" else self.domains
        for obj in pool:
            if obj.namespace == ns and obj.name == name:
                return str(obj.uid)
        raise KeyError(f"no {kind} named {qualified}")

    def table(self, name: str, namespace: str = "public", **kw: Any) -> TableBuilder:
        key = (namespace, name)
        if key in self.tables:
            raise ValueError(f"table {namespace}.{name} exists")
        tb = TableBuilder(self, m.Table(uid=stable_uid("table", namespace, name), name=name,
                                        namespace=namespace, **kw))
        self.tables[key] = tb
        return tb

    def get(self, name: str, namespace: str = "public") -> TableBuilder:
        return self.tables[(namespace, name)]

    def enum(self, name: str, labels: list[str] | tuple[str, ...], namespace: str = "public",
             **kw: Any) -> SchemaBuilder:
        values = tuple(m.EnumValue(uid=stable_uid("enum-value", namespace, name, label),
                                   label=label) for label in labels)
        self.enums.append(m.EnumType(uid=stable_uid("enum", namespace, name), name=name,
                                     values=values, namespace=namespace, **kw))
        return self

    def domain(self, name: str, base: str, namespace: str = "public",
               checks: tuple[tuple[str, str], ...] = (), **kw: Any) -> SchemaBuilder:
        base_kw = {k: kw.pop(k) for k in ("length", "precision", "scale") if k in kw}
        self.domains.append(m.Domain(
            uid=stable_uid("domain", namespace, name), name=name, namespace=namespace,
            base=m.ColumnType(name=base, **base_kw),
            checks=tuple(m.DomainCheck(n, e) for n, e in checks), **kw))
        return self

    def extension(self, name: str, namespace: str | None = None) -> SchemaBuilder:
        self.extensions.append(m.Extension(uid=stable_uid("extension", name), name=name,
                                           namespace=namespace))
        return self

    def relationship(self, child: str, child_columns: list[str] | tuple[str, ...], parent: str,
                     parent_columns: list[str] | tuple[str, ...] | None = None, *,
                     name: str | None = None, child_ns: str = "public",
                     parent_ns: str = "public", **kw: Any) -> SchemaBuilder:
        """An FK; ``parent_columns`` defaults to the parent's primary key."""
        c, p = self.tables[(child_ns, child)], self.tables[(parent_ns, parent)]
        if parent_columns is None:
            pk = sorted((col for col in p.columns if col.pk_order is not None),
                        key=lambda col: col.pk_order or 0)
            parent_columns = [col.name for col in pk]
        name = name or naming.fk_name(child, child_columns, parent)
        if "optional" not in kw:
            kw["optional"] = any(
                col.nullable for col in c.columns if col.name in set(child_columns))
        self.relationships.append(m.Relationship(
            uid=stable_uid("relationship", child_ns, child, name), name=name,
            child_table=c.table.uid, child_columns=tuple(c.col_uid(x) for x in child_columns),
            parent_table=p.table.uid,
            parent_columns=tuple(p.col_uid(x) for x in parent_columns), **kw))
        return self

    def build(self) -> m.Schema:
        return m.normalized(m.Schema(
            tables=tuple(tb.build() for tb in self.tables.values()),
            relationships=tuple(self.relationships), enums=tuple(self.enums),
            domains=tuple(self.domains), extensions=tuple(self.extensions),
            sequences=tuple(self.sequences), raw_objects=tuple(self.raw_objects),
            settings=self.settings, name=self.name))
