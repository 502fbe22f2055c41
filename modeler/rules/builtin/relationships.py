"""Keys and relationships (KR), part 2: FK types and targets, implied references, FK cycles,
junction tables."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from modeler.rules.analysis import analyze, cyclic_components
from modeler.rules.builtin.keys import columns_of
from modeler.rules.core import (
    Config,
    Finding,
    Level,
    Rule,
    Target,
    column_target,
    on_tables,
    register,
    relationship_target,
    table_target,
    tables_in,
)
from modeler.schema.model import ColumnType, Relationship, Schema, Table


def _type_key(t: ColumnType) -> tuple[object, ...]:
    return (t.kind, t.name, t.length, t.precision, t.scale, t.array_dims, t.ref)


@register
class ForeignKeyType(Rule):
    """A foreign key column has exactly the type of the column it references.

    A ``integer`` column pointing at a ``bigint`` key fails once ids pass 2^31; a
    ``varchar(20)`` pointing at ``varchar(40)`` rejects valid keys; mismatched types also
    stop PostgreSQL from using the index on joins as well as it could.

    Bad:
        order.customer_id integer REFERENCES customer(id)  -- customer.id is bigint

    Good:
        order.customer_id bigint REFERENCES customer(id)
    """

    id = "KR-06"
    name = "FK type equals referenced type"
    level = Level.BLOCK

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        a = analyze(schema)
        for r in schema.relationships:
            child = columns_of(schema, r.child_columns)
            parent = columns_of(schema, r.parent_columns)
            if child is None or parent is None:
                continue
            for c, p in zip(child, parent, strict=False):
                if _type_key(c.type) == _type_key(p.type):
                    continue
                if _type_key(a.base_type(c.type)) == _type_key(a.base_type(p.type)):
                    continue
                yield self.finding(
                    relationship_target(schema, r),
                    f"{c.name} is {c.type.short(schema)}, {p.name} is {p.type.short(schema)}",
                    f"Make {c.name} {p.type.short(schema)}")
                break


@register
class ForeignKeyTarget(Rule):
    """A foreign key references the primary key or a complete UNIQUE key.

    PostgreSQL refuses anything else, and a reference to a non-unique column would not say
    which parent row is meant.

    Bad:
        order.customer_email REFERENCES customer(email)  -- email not UNIQUE

    Good:
        order.customer_id REFERENCES customer(id)  -- the primary key
    """

    id = "KR-07"
    name = "FK target is a PK or full UNIQUE"
    level = Level.BLOCK

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        a = analyze(schema)
        for r in schema.relationships:
            try:
                parent = schema.table(r.parent_table)
            except KeyError:
                continue
            if frozenset(r.parent_columns) not in a.unique_sets(parent):
                yield self.finding(relationship_target(schema, r),
                                   f"FK target in {parent.name} is not a PK or UNIQUE key",
                                   "Reference the primary key or add a UNIQUE constraint")


@register
class ImpliedReference(Rule):
    """A ``<table>_id`` column is a foreign key.

    A column named after another table's key that the database does not check is a
    relationship in disguise: nothing stops it from pointing at rows that never existed.

    Bad:
        CREATE TABLE invoice (id bigint PRIMARY KEY, customer_id bigint NOT NULL);

    Good:
        CREATE TABLE invoice (
            id bigint PRIMARY KEY,
            customer_id bigint NOT NULL REFERENCES customer ON DELETE RESTRICT
        );
    """

    id = "KR-08"
    name = "Implied reference without FK"
    level = Level.JUSTIFY

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        return self._check(schema, schema.tables)

    def recheck(self, old: Schema, new: Schema, changed: frozenset[str], config: Config,
                ) -> tuple[Callable[[Finding], bool], Iterable[Finding]] | None:
        # a table's findings: the table, the FK columns and the names of the tables (the
        # same when the changed tables' names are)
        if ({t.name for t in tables_in(old, changed)}
                != {t.name for t in tables_in(new, changed)}):
            return None
        return on_tables(changed, self._check(new, tables_in(new, changed)))

    def _check(self, schema: Schema, tables: Iterable[Table]) -> Iterator[Finding]:
        a = analyze(schema)
        names = a.tables_by_plain_name
        for t in tables:
            for c in t.columns:
                if not c.name.endswith("_id") or c.uid in a.fk_columns or c.in_pk:
                    continue
                other = names.get(c.name[:-3])
                if other is not None:
                    yield self.finding(column_target(t, c),
                                       f"{c.name} looks like a reference to {other.name}",
                                       f"Add a foreign key to {other.name}")


@register
class CycleResolvable(Rule):
    """Foreign key cycles have an insert order.

    When every FK in a cycle is NOT NULL and not deferrable, no row of the cycle can be
    inserted first (a MATCH FULL FK is NOT NULL when any of its columns is). Other cycles
    work but need a note: the export breaks them with ``use_alter`` and application code
    must insert in two steps. A nullable or deferrable self-reference (a tree) is fine.

    Bad:
        department.manager_id bigint NOT NULL REFERENCES employee
        employee.department_id bigint NOT NULL REFERENCES department

    Good:
        department.manager_id bigint NULL REFERENCES employee  -- set after insert
        employee.department_id bigint NOT NULL REFERENCES department
    """

    id = "KR-10"
    name = "FK cycles are resolvable"
    level = Level.BLOCK
    levels_note = "BLOCK when no insert order exists; JUSTIFY for other multi-table cycles"

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        a = analyze(schema)
        for comp in a.cycles:
            members = frozenset(comp)
            rels = sorted((r for t in comp for r in schema.relationships_of(t)
                           if r.parent_table in members), key=lambda r: (r.name, r.uid))
            hard = [r for r in rels if not r.deferrable and _cannot_be_unset(schema, r)]
            edges: dict[str, set[str]] = {}
            for r in hard:
                edges.setdefault(r.child_table, set()).add(r.parent_table)
            hard_cycles = cyclic_components(edges)
            for hc in hard_cycles:
                inner = [r for r in hard if r.child_table in hc and r.parent_table in hc]
                yield self.finding(_cycle_target(schema, inner),
                                   f"FK cycle {_names(schema, hc)} has no insert order",
                                   "Make one FK nullable or DEFERRABLE INITIALLY DEFERRED")
            if not hard_cycles and len(comp) > 1:
                yield self.finding(_cycle_target(schema, rels),
                                   f"FK cycle {_names(schema, comp)} needs a note",
                                   "Waive with how rows of the cycle get inserted",
                                   Level.JUSTIFY)


def _cannot_be_unset(schema: Schema, r: Relationship) -> bool:
    """Whether every row must reference a parent: under MATCH SIMPLE when all the FK's
    columns are NOT NULL (one NULL column leaves the row unchecked); under MATCH FULL when
    any is (the columns are all NULL or none)."""
    cols = columns_of(schema, r.child_columns)
    if cols is None:
        return False
    not_null = [not c.nullable for c in cols]
    return any(not_null) if r.match == "FULL" else all(not_null)


def _cycle_target(schema: Schema, rels: list[Relationship]) -> Target:
    first = relationship_target(schema, rels[0])
    return Target(first.kind, first.path, first.uid, first.table_uid,
                  tuple(r.uid for r in rels[1:]))


def _names(schema: Schema, uids: tuple[str, ...]) -> str:
    names = sorted(schema.table(u).name for u in uids)
    text = " ↔ ".join(names[:3]) + (" …" if len(names) > 3 else "")
    return text if len(text) <= 40 else text[:39] + "…"


@register
class JunctionShape(Rule):
    """A junction table links two parents with NOT NULL FKs whose pair is a key.

    A junction row with a missing side links nothing, and without a key on the pair the
    same link can be stored twice.

    Bad:
        CREATE TABLE tagging (id bigint PRIMARY KEY, post_id bigint NULL REFERENCES post,
                              tag_id bigint NULL REFERENCES tag);

    Good:
        CREATE TABLE tagging (post_id bigint NOT NULL REFERENCES post,
                              tag_id bigint NOT NULL REFERENCES tag,
                              PRIMARY KEY (post_id, tag_id));
    """

    id = "KR-11"
    name = "Junction table shape"
    level = Level.BLOCK

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        a = analyze(schema)
        for t in schema.tables:
            if t.kind != "junction":
                continue
            rels = schema.relationships_of(t.uid)
            if len(rels) < 2:
                yield self.finding(table_target(t), "Junction table needs two foreign keys",
                                   "Add an FK to each linked table")
                continue
            by_uid = {c.uid: c for c in t.columns}
            for c in sorted({by_uid[u].name: by_uid[u] for r in rels for u in r.child_columns
                             if u in by_uid}.values(), key=lambda c: c.name):
                if c.nullable:
                    yield self.finding(column_target(t, c), "Junction FK column is nullable",
                                       "Make it NOT NULL")
            fk_sets = [frozenset(r.child_columns) for r in rels]
            union = frozenset().union(*fk_sets)
            if not any(u <= union and sum(1 for s in fk_sets if s <= u) >= 2
                       for u in a.unique_sets(t)):
                yield self.finding(table_target(t), "FK column pair is neither PK nor UNIQUE",
                                   "Make the pair the primary key")
