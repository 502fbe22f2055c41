"""Decisions shared by every generator: Python names, FK cycles, creation order.

A :class:`ModelPlan` is computed once per schema; the models renderer, the metadata builder,
the DDL writer and DESIGN.md all read it, so a class or attribute is spelled the same way in
``models.py`` and in the usage examples of ``DESIGN.md``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from modeler.codegen import pynames
from modeler.codegen.sqltypes import type_expr
from modeler.schema.graph import cyclic_components, tables_in_fk_order
from modeler.schema.model import EnumType, Relationship, Schema, Table

# Names the models module binds besides the imports of the column types.
MODULE_NAMES = frozenset({
    "annotations", "sa", "postgresql", "enum", "datetime", "Decimal", "UUID", "Any", "Range",
    "Mapped", "mapped_column", "relationship", "DeclarativeBase", "Base", "NAMING_CONVENTION",
    "_enum_values", "_execute", "_stmt", "_BEFORE_CREATE", "_AFTER_CREATE", "_AFTER_DROP",
    "Callable",
})
# Builtins that appear inside class bodies (annotations): attributes must not shadow them.
ANNOTATION_BUILTINS = frozenset({"int", "str", "bool", "float", "bytes", "list", "dict"})


@dataclass(frozen=True)
class EnumPlan:
    enum: EnumType
    class_name: str
    members: tuple[tuple[str, str], ...]  # (member name, label)


@dataclass(frozen=True)
class RelPlan:
    """One FK seen from both ends: ``child_attr`` on the child class, ``parent_attr`` on the
    parent class (a list unless one-to-one)."""

    rel: Relationship
    child_attr: str
    parent_attr: str
    self_ref: bool
    fk_hint: bool  # foreign_keys= needed (several FK paths between the two tables)
    use_alter: bool  # part of an FK cycle: created by ALTER TABLE after both tables
    child_overlaps: tuple[str, ...] = ()
    parent_overlaps: tuple[str, ...] = ()

    @property
    def passive_deletes(self) -> bool:
        return self.rel.on_delete in ("CASCADE", "SET NULL")


@dataclass
class TablePlan:
    table: Table
    class_name: str
    attrs: dict[str, str] = field(default_factory=dict)  # column uid -> attribute name
    many_to_one: list[RelPlan] = field(default_factory=list)
    one_to_many: list[RelPlan] = field(default_factory=list)


@dataclass
class ModelPlan:
    schema: Schema
    tables: list[TablePlan]
    by_uid: dict[str, TablePlan]
    enums: dict[str, EnumPlan]
    rels: list[RelPlan]
    type_exprs: dict[str, tuple[str, frozenset[str]]]  # column uid -> (expr, imports)
    creation_order: list[str]  # table uids, parents first (cycle FKs ignored)

    def attr(self, column_uid: str) -> str:
        return self.by_uid[self.schema.table_of_column(column_uid).uid].attrs[column_uid]


def _type_cache(schema: Schema) -> dict[str, tuple[str, frozenset[str]]]:
    cache: dict[object, tuple[str, frozenset[str]]] = {}
    out: dict[str, tuple[str, frozenset[str]]] = {}
    for t in schema.tables:
        for c in t.columns:
            key = (c.type, c.collation)
            if key not in cache:
                expr, imports = type_expr(c.type, schema, c.collation)
                cache[key] = (expr, frozenset(imports))
            out[c.uid] = cache[key]
    return out


def cycle_relationships(schema: Schema) -> frozenset[str]:
    """Uids of FKs between distinct tables of one strongly connected component."""
    edges: dict[str, set[str]] = {}
    for r in schema.relationships:
        if r.child_table != r.parent_table:
            edges.setdefault(r.child_table, set()).add(r.parent_table)
    comp = {uid: n for n, members in enumerate(cyclic_components(edges)) for uid in members}
    return frozenset(r.uid for r in schema.relationships
                     if r.child_table != r.parent_table
                     and r.child_table in comp
                     and comp[r.child_table] == comp.get(r.parent_table))


def creation_order(schema: Schema, skip: Iterable[str] = ()) -> list[str]:
    """Table uids so that parents come before children (Kahn; ties in schema order)."""
    skipped = set(skip)
    return [t.uid for t in tables_in_fk_order(
        schema.tables, [r for r in schema.relationships if r.uid not in skipped])]


def _enum_plans(schema: Schema, taken: set[str]) -> dict[str, EnumPlan]:
    alloc = pynames.Allocator(taken)
    plans: dict[str, EnumPlan] = {}
    for e in schema.enums:
        wanted = pynames.pascal(e.name if e.namespace == "public" else f"{e.namespace}_{e.name}")
        if wanted in taken or wanted in pynames.PY_BUILTINS:  # True, None, Warning...
            wanted += "Enum"
        members = pynames.Allocator({"MRO"})
        plans[e.uid] = EnumPlan(e, alloc.take(wanted),
                                tuple((members.take(pynames.constant(v.label)), v.label)
                                      for v in e.values))
    return plans


def _class_names(schema: Schema) -> dict[str, str]:
    alloc = pynames.Allocator(MODULE_NAMES | pynames.PY_BUILTINS)
    names: dict[str, str] = {}
    plain = [pynames.pascal(t.name) for t in schema.tables]
    clashes = {n for n, k in Counter(plain).items() if k > 1}
    for t, wanted in zip(schema.tables, plain, strict=True):
        if wanted in clashes and t.namespace != "public":
            wanted = pynames.pascal(f"{t.namespace}_{t.name}")
        if wanted in alloc.taken:
            wanted += "Model"
        names[t.uid] = alloc.take(wanted)
    return names


def _column_attrs(table: Table, reserved: frozenset[str]) -> dict[str, str]:
    alloc = pynames.Allocator()
    return {c.uid: alloc.take(pynames.identifier(c.name, reserved=reserved))
            for c in table.columns}


def build_plan(schema: Schema) -> ModelPlan:
    """Compute every name and structural decision for ``schema``."""
    types = _type_cache(schema)
    imported: set[str] = set()
    for _, imports in set(types.values()):
        imported |= pynames.import_names(imports)
    class_names = _class_names(schema)
    enums = _enum_plans(schema, set(class_names.values()) | MODULE_NAMES | imported)
    module_level = (MODULE_NAMES | imported | ANNOTATION_BUILTINS | set(class_names.values())
                    | {p.class_name for p in enums.values()} | pynames.DECLARATIVE_RESERVED)
    tables = [TablePlan(t, class_names[t.uid], _column_attrs(t, frozenset(module_level)))
              for t in schema.tables]
    by_uid = {p.table.uid: p for p in tables}
    cyc = cycle_relationships(schema)
    rels = _rel_plans(schema, by_uid, cyc, frozenset(module_level))
    for rp in rels:
        by_uid[rp.rel.child_table].many_to_one.append(rp)
        by_uid[rp.rel.parent_table].one_to_many.append(rp)
    return ModelPlan(schema, tables, by_uid, enums, rels, types, creation_order(schema, cyc))


def _fk_stem(schema: Schema, rel: Relationship) -> str:
    """``customer_id`` → ``customer``; composite ``from_warehouse, from_bin`` → ``from_bin``
    (shared leading words + parent name); otherwise the parent table's name."""
    parent = pynames.snake(schema.table(rel.parent_table).name)
    if len(rel.child_columns) > 1:
        words = [pynames.snake(schema.column(c).name).split("_") for c in rel.child_columns]
        common: list[str] = []
        for group in zip(*words, strict=False):
            if len(set(group)) != 1:
                break
            common.append(group[0])
        prefix = "_".join(common)
        if prefix and prefix != parent:
            return f"{prefix}_{parent}"
    if len(rel.child_columns) == 1:
        name = pynames.snake(schema.column(rel.child_columns[0]).name)
        for suffix in ("_id", "_uid", "_uuid", "_key", "_code", "_fk"):
            if name.endswith(suffix) and len(name) > len(suffix):
                return name[: -len(suffix)]
    return parent


def _rel_plans(schema: Schema, by_uid: dict[str, TablePlan], cyc: frozenset[str],
               reserved: frozenset[str]) -> list[RelPlan]:
    pair_count: dict[frozenset[str], int] = {}
    for r in schema.relationships:
        key = frozenset((r.child_table, r.parent_table))
        pair_count[key] = pair_count.get(key, 0) + 1
    scopes = {uid: pynames.Allocator(p.attrs.values(), base=reserved)
              for uid, p in by_uid.items()}
    child_names: dict[str, str] = {}
    for r in schema.relationships:
        wanted = pynames.identifier(_fk_stem(schema, r), reserved=reserved)
        if scopes[r.child_table].is_taken(wanted):
            wanted += "_ref"  # the stem is a column name (``from_bin``): keep both readable
        child_names[r.uid] = scopes[r.child_table].take(wanted)
    plans: list[RelPlan] = []
    for r in schema.relationships:
        child = pynames.snake(schema.table(r.child_table).name)
        several = pair_count[frozenset((r.child_table, r.parent_table))] > 1
        base = child if r.cardinality == "one-to-one" else pynames.plural(child)
        wanted = f"{_fk_stem(schema, r)}_{base}" if several else base
        parent_attr = scopes[r.parent_table].take(pynames.identifier(wanted, reserved=reserved))
        plans.append(RelPlan(r, child_names[r.uid], parent_attr,
                             r.child_table == r.parent_table, several, r.uid in cyc))
    return _with_overlaps(plans)


def _with_overlaps(plans: list[RelPlan]) -> list[RelPlan]:
    """Relationships of one child table sharing FK columns must name each other (SQLAlchemy
    warns otherwise that they write the same column)."""
    by_child: dict[str, list[RelPlan]] = {}
    for p in plans:
        by_child.setdefault(p.rel.child_table, []).append(p)
    out: list[RelPlan] = []
    for p in plans:
        others = [q for q in by_child[p.rel.child_table] if q is not p
                  and set(q.rel.child_columns) & set(p.rel.child_columns)]
        if not others:
            out.append(p)
            continue
        names = tuple(sorted({n for q in others for n in (q.child_attr, q.parent_attr)}))
        out.append(RelPlan(p.rel, p.child_attr, p.parent_attr, p.self_ref, p.fk_hint,
                           p.use_alter, names, names))
    return out

