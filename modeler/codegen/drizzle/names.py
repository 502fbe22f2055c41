"""Every TypeScript name of the Drizzle export, decided once per design.

Tables, enums, namespaces, sequences and custom types are module-level consts of
``schema.ts``; columns are keys of their table; relations are keys of their table's
``relations()`` object and take the names the SQLAlchemy models use
(:mod:`modeler.codegen.plan`), camel-cased. No two names of one scope collide, and none
shadows what the modules import.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from modeler.codegen.drizzle.tsnames import Allocator, camel
from modeler.codegen.drizzle.tstypes import CustomType, column_type
from modeler.codegen.plan import ModelPlan
from modeler.schema.model import Relationship, Schema

# what schema.ts / relations.ts / index.ts may import or declare besides the design's names;
# then the parameters of schema.ts's table callbacks (t) and of relations.ts's relations()
# (one, many): a table const of one of these names would be shadowed there or declared twice
_MODULE_NAMES_WORDS = """
sql relations customType pgTable pgSchema pgEnum pgSequence primaryKey foreignKey unique
uniqueIndex index check smallint integer bigint numeric real doublePrecision text varchar char
boolean date time timestamp interval uuid json jsonb inet cidr macaddr macaddr8 point line
schema db Db createDb fullSchema AnyPgColumn PgDatabase PgQueryResultHKT ws Pool neon
neonConfig drizzle
t one many
"""
MODULE_NAMES = frozenset(_MODULE_NAMES_WORDS.split())
# what src/examples.ts imports, declares and binds next to the two tables it names (those of
# example_rel): names those two tables' consts cannot take
_EXAMPLE_WORDS = """
and asc eq gt neonHttpDb Db examples withJoin relational page inTransaction batched tx first
children http limit after size url
"""
EXAMPLE_NAMES = frozenset(_EXAMPLE_WORDS.split())


def example_rel(schema: Schema) -> Relationship | None:
    """The FK the usage examples use: the first between two distinct tables whose parent
    has a one-column primary key."""
    for rel in schema.relationships:
        parent = schema.table(rel.parent_table)
        if rel.child_table != rel.parent_table and len(parent.primary_key) == 1:
            return rel
    return None


@dataclass
class Names:
    tables: dict[str, str] = field(default_factory=dict)  # table uid -> const
    columns: dict[str, str] = field(default_factory=dict)  # column uid -> key
    enums: dict[str, str] = field(default_factory=dict)  # enum uid -> const
    namespaces: dict[str, str] = field(default_factory=dict)  # namespace -> const
    sequences: dict[str, str] = field(default_factory=dict)  # sequence uid -> const
    customs: dict[CustomType, str] = field(default_factory=dict)  # custom type -> const
    relations: dict[str, str] = field(default_factory=dict)  # table uid -> relations const
    child_attr: dict[str, str] = field(default_factory=dict)  # relationship uid -> key
    parent_attr: dict[str, str] = field(default_factory=dict)  # relationship uid -> key


def _suffixed(wanted: str, suffix: str, alloc: Allocator) -> str:
    return alloc.take(wanted + suffix if wanted in alloc.taken or wanted in MODULE_NAMES
                      else wanted)


def build_names(schema: Schema, plan: ModelPlan) -> Names:
    """All names of ``schema``'s Drizzle modules (``plan``: the SQLAlchemy naming plan)."""
    names = Names()
    alloc = Allocator(MODULE_NAMES)
    for ns in sorted({t.namespace for t in schema.tables} | {e.namespace for e in schema.enums}
                     | {s.namespace for s in schema.sequences} | _extra_namespaces(schema)):
        if ns != "public":
            names.namespaces[ns] = alloc.take(camel(ns, "ns") + "Schema")
    plain = [camel(t.name, "table") for t in schema.tables]
    clashes = {n for n, k in Counter(plain).items() if k > 1}
    rel = example_rel(schema)
    in_examples = {rel.child_table, rel.parent_table} if rel is not None else set()
    for t, wanted in zip(schema.tables, plain, strict=True):
        if wanted in clashes and t.namespace != "public":
            wanted = camel(f"{t.namespace}_{t.name}", "table")
        if t.uid in in_examples and wanted in EXAMPLE_NAMES:
            wanted += "Table"
        names.tables[t.uid] = _suffixed(wanted, "Table", alloc)
    for e in schema.enums:
        names.enums[e.uid] = _suffixed(camel(e.name, "enum"), "Enum", alloc)
    for s in schema.sequences:
        names.sequences[s.uid] = _suffixed(camel(s.name, "sequence"), "Seq", alloc)
    for t in schema.tables:
        for c in t.columns:
            ct = column_type(c.type, schema, c.collation)
            if ct.custom is not None and ct.custom not in names.customs:
                names.customs[ct.custom] = _suffixed(camel(ct.custom.sql, "custom"), "Type",
                                                     alloc)
    taken_rel = set(alloc.taken)
    for t in schema.tables:
        keys = Allocator(reserved=())
        for c in t.columns:
            names.columns[c.uid] = keys.take(camel(c.name, "column"))
        rel_const = Allocator(taken_rel).take(names.tables[t.uid] + "Relations")
        taken_rel.add(rel_const)
        names.relations[t.uid] = rel_const
    _relation_keys(schema, plan, names)
    return names


def _extra_namespaces(schema: Schema) -> set[str]:
    found = {d.namespace for d in schema.domains} | {c.namespace for c in schema.collations}
    return found | {e.namespace for e in schema.extensions if e.namespace}


def _relation_keys(schema: Schema, plan: ModelPlan, names: Names) -> None:
    scopes = {t.uid: Allocator({names.columns[c.uid] for c in t.columns}, reserved=())
              for t in schema.tables}
    for rp in plan.rels:
        names.child_attr[rp.rel.uid] = scopes[rp.rel.child_table].take(
            camel(rp.child_attr, "parent"))
    for rp in plan.rels:
        names.parent_attr[rp.rel.uid] = scopes[rp.rel.parent_table].take(
            camel(rp.parent_attr, "children"))
