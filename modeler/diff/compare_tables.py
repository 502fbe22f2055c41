"""The table-level phases of the differ: keys, constraints, indexes, tables and columns.

Every phase compares the *running* state (the old snapshot with all ops so far applied)
with the new snapshot and emits ops; ops that remove something carry the object as it is in
the running state, so each op reverses exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from modeler.diff.base import Change, Op, changes_between
from modeler.diff.ops_constraint import (
    AddCheck,
    AddForeignKey,
    AddIndex,
    AddPrimaryKey,
    AddUnique,
    DropCheck,
    DropForeignKey,
    DropIndex,
    DropPrimaryKey,
    DropUnique,
    RenameForeignKey,
    RenamePrimaryKey,
    RenameTableElement,
)
from modeler.diff.ops_table import (
    COLUMN_DB_FIELDS,
    AddColumn,
    AlterColumn,
    CreateTable,
    DropColumn,
    DropTable,
    RenameColumn,
    RenameTable,
    ReorderColumns,
)
from modeler.diff.order import order_renames, tables_in_fk_order
from modeler.schema import naming, sqlexpr
from modeler.schema.model import Relationship, Schema, Table

INDEX_DEF = ("parts", "unique", "method", "where", "include", "nulls_not_distinct")
UNIQUE_DEF = ("columns", "nulls_not_distinct", "deferrable", "initially_deferred")
CHECK_DEF = ("expression",)
FK_DEF = ("child_table", "child_columns", "parent_table", "parent_columns", "on_delete",
          "on_update", "deferrable", "initially_deferred", "match")
ELEMENT_DEF = {"indexes": INDEX_DEF, "uniques": UNIQUE_DEF, "checks": CHECK_DEF}
_DROP = {"indexes": DropIndex, "uniques": DropUnique, "checks": DropCheck}
_ADD = {"indexes": AddIndex, "uniques": AddUnique, "checks": AddCheck}


@dataclass
class Ctx:
    """The running state of one diff and the ops emitted so far."""

    state: Schema
    new: Schema
    ops: list[Op] = field(default_factory=list)

    def emit(self, op: Op) -> None:
        self.state = op.apply(self.state)
        self.ops.append(op)

    def new_table(self, uid: str) -> Table | None:
        return _table_or_none(self.new, uid)

    def state_table(self, uid: str) -> Table | None:
        return _table_or_none(self.state, uid)

    def shared_tables(self) -> list[tuple[Table, Table]]:
        """(state table, new table) for tables in both, in the state's order."""
        out = []
        for t in self.state.tables:
            n = self.new_table(t.uid)
            if n is not None:
                out.append((t, n))
        return out

    def shared_by_depth(self, *, deepest_first: bool) -> list[tuple[Table, Table]]:
        """:meth:`shared_tables` by partition depth in the state (stable otherwise): elements
        of attached partitions are added before their parent's (PostgreSQL then attaches
        them instead of creating copies) and dropped after (the parent's drop takes the
        attached copies along)."""
        pairs = self.shared_tables()
        if not any(t.partition_of for t, _ in pairs):
            return pairs
        depth = {t.uid: self.state.partition_depth(t.uid) for t, _ in pairs}
        return sorted(pairs, key=lambda p: -depth[p[0].uid] if deepest_first
                      else depth[p[0].uid])


def _table_or_none(schema: Schema, uid: str) -> Table | None:
    try:
        return schema.table(uid)
    except KeyError:
        return None


def column_renames(old: Table, new: Table) -> dict[str, str]:
    """Old name -> new name of the columns of ``old`` that ``new`` renames."""
    names = {c.uid: c.name for c in new.columns}
    return {c.name: names[c.uid] for c in old.columns
            if c.uid in names and names[c.uid] != c.name}


def same(a: Any, b: Any, fields: tuple[str, ...]) -> bool:
    return all(getattr(a, f) == getattr(b, f) for f in fields)


def pk_of(table: Table) -> tuple[tuple[str, int], ...]:
    return tuple((c.uid, c.pk_order) for c in table.primary_key if c.pk_order is not None)


def pk_label(table: Table) -> str:
    return table.pk_name or naming.pk_name(table.name)


def _pk_names(table: Table) -> tuple[str, ...]:
    return tuple(c.name for c in table.primary_key)


def _table_names(schema: Schema) -> dict[str, str]:
    """Qualified table names by uid (FK ops leave tables alone: one lookup serves a loop)."""
    return {t.uid: t.qualified_name for t in schema.tables}


def _fk_names(names: dict[str, str], rel: Relationship) -> tuple[str, str]:
    return names.get(rel.child_table, "?"), names.get(rel.parent_table, "?")


# --- removals -------------------------------------------------------------------------------

def _keys_recreated(ctx: Ctx) -> set[tuple[str, frozenset[str]]]:
    """(table uid, column set) of primary keys and unique keys that are dropped: an FK that
    references one of them must go first and come back after."""
    out: set[tuple[str, frozenset[str]]] = set()
    for old, new in ctx.shared_tables():
        if pk_of(old) != pk_of(new):
            out.add((old.uid, frozenset(u for u, _ in pk_of(old))))
        new_uniques = {u.uid: u for u in new.uniques}
        for u in old.uniques:
            n = new_uniques.get(u.uid)
            if n is None or not same(u, n, UNIQUE_DEF):
                out.add((old.uid, frozenset(u.columns)))
        new_indexes = {i.uid: i for i in new.indexes}
        for i in old.indexes:
            ni = new_indexes.get(i.uid)
            if i.unique and (ni is None or not same(i, ni, INDEX_DEF)):
                out.add((old.uid, frozenset(c for c in i.column_uids if c)))
    return out


def _retyped(ctx: Ctx, rel: Relationship) -> bool:
    """Does a column of the FK change type? (PostgreSQL refuses to retype either end.)"""
    for table_uid, cols in ((rel.child_table, rel.child_columns),
                            (rel.parent_table, rel.parent_columns)):
        old, new = ctx.state_table(table_uid), ctx.new_table(table_uid)
        if old is None or new is None:
            continue
        types = {c.uid: c.type for c in new.columns}
        if any(c.uid in cols and types.get(c.uid, c.type) != c.type for c in old.columns):
            return True
    return False


def drop_foreign_keys(ctx: Ctx) -> None:
    """FKs that disappear, change definition, hang on a key that is recreated, or join
    columns whose type changes."""
    new_rels = {r.uid: r for r in ctx.new.relationships}
    recreated = _keys_recreated(ctx)
    names = _table_names(ctx.state)
    # a parent's FK before the copies on its attached partitions (its drop takes them along)
    depth = {t.uid: ctx.state.partition_depth(t.uid) for t in ctx.state.tables
             if t.partition_of is not None}
    for rel in sorted(ctx.state.relationships, key=lambda r: depth.get(r.child_table, 0)):
        n = new_rels.get(rel.uid)
        if (n is not None and same(rel, n, FK_DEF)
                and (rel.parent_table, frozenset(rel.parent_columns)) not in recreated
                and not _retyped(ctx, rel)):
            continue
        ctx.emit(DropForeignKey(rel, *_fk_names(names, rel)))


def drop_table_elements(ctx: Ctx) -> None:
    """Indexes, uniques and checks that disappear or change definition (an expression that
    only follows a column rename is no change: ``RENAME COLUMN`` rewrites it)."""
    for old, new in ctx.shared_by_depth(deepest_first=False):
        follows = sqlexpr.rename_in_table(old, column_renames(old, new))
        for coll, fields in ELEMENT_DEF.items():
            wanted = {e.uid: e for e in getattr(new, coll)}
            after = {e.uid: e for e in getattr(follows, coll)}
            for e in getattr(old, coll):
                n = wanted.get(e.uid)
                if n is None or not same(after[e.uid], n, fields):
                    ctx.emit(_DROP[coll](old.uid, old.qualified_name, e))
    for old, new in ctx.shared_by_depth(deepest_first=False):
        if pk_of(old) != pk_of(new) and pk_of(old):
            ctx.emit(DropPrimaryKey(old.uid, old.qualified_name, pk_label(old), pk_of(old),
                                    _pk_names(old)))


def drop_tables(ctx: Ctx, old_relationships: tuple[Relationship, ...]) -> None:
    gone = [t for t in ctx.state.tables if ctx.new_table(t.uid) is None]
    for t in reversed(tables_in_fk_order(gone, old_relationships)):
        ctx.emit(DropTable(ctx.state.table(t.uid)))


def retyped_columns(old: Schema, new: Schema) -> dict[str, set[str]]:
    """By table uid, the names (in ``old``) of the columns whose type changes between ``old``
    and ``new``: their type or collation, or their enum loses or reorders labels, or their
    domain changes base (both are recreated and the column moved to the new one). PostgreSQL
    refuses ALTER COLUMN ... TYPE under a generated column reading one, or a view, rule,
    policy or trigger naming its table (see :func:`drop_generation` and
    :func:`modeler.diff.compare_types.over_retyped_columns`)."""
    new_enums = {e.uid: e for e in new.enums}
    recreated = set()
    for e in old.enums:
        other = new_enums.get(e.uid)
        if other is None:
            continue
        was, now = [v.uid for v in e.values], [v.uid for v in other.values]
        if not set(was) <= set(now) or [u for u in now if u in set(was)] != was:
            recreated.add(e.uid)
    new_domains = {d.uid: d for d in new.domains}
    recreated |= {d.uid for d in old.domains
                  if d.uid in new_domains and new_domains[d.uid].base != d.base}
    new_tables = {t.uid: t for t in new.tables}
    out: dict[str, set[str]] = {}
    for table in old.tables:
        later = new_tables.get(table.uid)
        if later is None:
            continue
        columns = {c.uid: c for c in later.columns}
        names = {c.name for c in table.columns if c.uid in columns and (
            (columns[c.uid].type, columns[c.uid].collation) != (c.type, c.collation)
            or c.type.ref in recreated)}
        if names:
            out[table.uid] = names
    return out


def _reads(generated: str, names: set[str]) -> bool:
    try:
        return any(parts and parts[-1] in names for parts in sqlexpr.column_refs(generated))
    except sqlexpr.ExpressionError:
        return True  # unreadable: as if it read them (dropping and adding it again is safe)


def drop_generation(ctx: Ctx) -> None:
    """A generated column that becomes a plain one loses its expression before any column is
    dropped or renamed: PostgreSQL refuses to drop a column a generation expression reads, and
    the downgrade (this in reverse) restores the expression after the renames are undone, so
    its names bind to the columns they named (not to a later column renamed to that name).
    So does one that reads a column whose type changes (PostgreSQL refuses to retype it
    under the expression): :func:`alter_columns` gives it back after the retyping."""
    retyped = retyped_columns(ctx.state, ctx.new)
    back = retyped_columns(ctx.new, ctx.state)  # the downgrade's retyping (ops reversed)
    for old, new in ctx.shared_tables():
        wanted = {c.uid: c for c in new.columns}
        names = set(retyped.get(old.uid, set()))
        if old.uid in back:  # by their names here
            renamed = {c.name: c.uid for c in new.columns}
            uids = {renamed[n] for n in back[old.uid] if n in renamed}
            names |= {c.name for c in old.columns if c.uid in uids}
        for c in old.columns:
            n = wanted.get(c.uid)
            if n is not None and c.generated is not None and (
                    n.generated is None or (names and _reads(c.generated, names))):
                ctx.emit(AlterColumn(old.uid, old.qualified_name, c.uid, c.name,
                                     (Change("generated", c.generated, None),)))


def drop_columns(ctx: Ctx) -> None:
    drop_generation(ctx)
    for old, new in ctx.shared_tables():
        keep = {c.uid for c in new.columns}
        gone = [c for c in reversed(old.columns) if c.uid not in keep]
        # generated columns first: they depend on the plain ones (and the downgrade, which
        # runs this in reverse, then re-adds them after the columns they read)
        gone.sort(key=lambda c: c.generated is None)
        for c in gone:
            if c.uid not in keep:
                table = ctx.state.table(old.uid)
                pos = [x.uid for x in table.columns].index(c.uid)
                ctx.emit(DropColumn(old.uid, table.qualified_name, table.columns[pos], pos))


# --- renames --------------------------------------------------------------------------------

def _tmp(name: str, n: int) -> str:
    return naming.truncate(f"{name}_tmp{n}" if n else f"{name}_tmp")


def rename_tables(ctx: Ctx) -> None:
    renames = [(n.uid, (o.namespace, o.name), (n.namespace, n.name))
               for o, n in ctx.shared_tables()]
    occupied = [(t.namespace, t.name) for t in ctx.state.tables]
    for uid, (ons, oname), (nns, nname) in order_renames(
            renames, occupied, lambda k, n: (k[0], _tmp(k[1], n))):
        ctx.emit(RenameTable(uid, oname, nname, ons, nns))


def rename_columns(ctx: Ctx) -> None:
    for old, new in ctx.shared_tables():
        wanted = {c.uid: c.name for c in new.columns}
        renames = [(c.uid, c.name, wanted[c.uid]) for c in old.columns if c.uid in wanted]
        for uid, oname, nname in order_renames(renames, [c.name for c in old.columns], _tmp):
            ctx.emit(RenameColumn(old.uid, old.qualified_name, uid, oname, nname))


def rename_elements(ctx: Ctx) -> None:
    """Indexes, uniques, checks and FKs with the same definition and a new name; index-like
    names are unique per namespace, constraint names per table."""
    Key = tuple[str, str, str]
    renames: list[tuple[str, Key, Key]] = []
    occupied: list[Key] = []
    where: dict[str, tuple[str, Table]] = {}
    for old, new in ctx.shared_tables():
        for coll in ELEMENT_DEF:
            scope = (("rel", old.namespace) if coll != "checks" else ("con", old.uid))
            wanted = {e.uid: e.name for e in getattr(new, coll)}
            for e in getattr(old, coll):
                occupied.append((*scope, e.name))
                if e.uid in wanted:
                    renames.append((e.uid, (*scope, e.name), (*scope, wanted[e.uid])))
                    where[e.uid] = (coll, old)
    new_rels = {r.uid: r for r in ctx.new.relationships}
    for rel in ctx.state.relationships:
        occupied.append(("con", rel.child_table, rel.name))
        if rel.uid in new_rels:
            renames.append((rel.uid, ("con", rel.child_table, rel.name),
                            ("con", rel.child_table, new_rels[rel.uid].name)))
            where[rel.uid] = ("fk", ctx.state.table(rel.child_table))
    for uid, (_, _, oname), (_, _, nname) in order_renames(
            renames, occupied, lambda k, n: (k[0], k[1], _tmp(k[2], n))):
        coll, table = where[uid]
        if coll == "fk":
            ctx.emit(RenameForeignKey(uid, table.uid, table.qualified_name, oname, nname))
        else:
            ctx.emit(RenameTableElement(coll, table.uid, table.qualified_name,  # type: ignore[arg-type]  # coll: a table collection name (not fk here)
                                        uid, oname, nname))
    for old, new in ctx.shared_tables():
        if old.pk_name != new.pk_name:
            ctx.emit(RenamePrimaryKey(old.uid, old.qualified_name, old.pk_name, new.pk_name))


def unset_enum_defaults(ctx: Ctx) -> None:
    """Changing defaults of enum columns are dropped before enum labels change and set again
    after: then, in either direction, the old default goes before and the new one comes
    after the labels it names exist."""
    for old, new in ctx.shared_tables():
        wanted = {c.uid: c for c in new.columns}
        for c in old.columns:
            n = wanted.get(c.uid)
            if (n is None or c.default is None or c.default == n.default
                    or "enum" not in (c.type.kind, n.type.kind)):
                continue
            ctx.emit(AlterColumn(old.uid, old.qualified_name, c.uid, c.name,
                                 (Change("default", c.default, None),)))


# --- additions and changes --------------------------------------------------------------------

def alter_columns(ctx: Ctx) -> None:
    for old, new in ctx.shared_tables():
        have = {c.uid: c for c in old.columns}
        # a generation expression given (back) last: it reads the columns retyped before it
        for c in sorted(new.columns, key=lambda c: c.generated is not None
                        and have.get(c.uid) is not None
                        and have[c.uid].generated != c.generated):
            cur = have.get(c.uid)
            if cur is None:
                continue
            changes = changes_between(cur, c, COLUMN_DB_FIELDS)
            if any(ch.field == "nullable" for ch in changes):
                # the rows' one-off value goes with the NOT NULL it is for (the migration
                # reads it from the column as the op leaves it)
                changes += changes_between(cur, c, ("backfill",))
            if changes:
                ctx.emit(AlterColumn(old.uid, old.qualified_name, c.uid, c.name, changes))


def add_columns(ctx: Ctx) -> None:
    for old, new in ctx.shared_tables():
        have = {c.uid for c in old.columns}
        # generated columns last: their expression reads the others
        for c in sorted(new.columns, key=lambda c: c.generated is not None):
            if c.uid not in have:
                n = len(ctx.state.table(old.uid).columns)
                ctx.emit(AddColumn(old.uid, old.qualified_name, replace(c, pk_order=None), n))
    for old, new in ctx.shared_tables():
        if [c.uid for c in old.columns] != [c.uid for c in new.columns]:
            ctx.emit(ReorderColumns(old.uid, old.qualified_name,
                                    tuple(c.uid for c in old.columns),
                                    tuple(c.uid for c in new.columns)))


def create_tables(ctx: Ctx) -> None:
    fresh = [t for t in ctx.new.tables if ctx.state_table(t.uid) is None]
    for t in tables_in_fk_order(fresh, ctx.new.relationships):
        # a partition is created plain and attached once its keys and FKs exist
        ctx.emit(CreateTable(replace(t, partition_of=None, partition_bound="")))


def add_keys_and_elements(ctx: Ctx) -> None:
    for old, new in ctx.shared_by_depth(deepest_first=True):
        if pk_of(old) != pk_of(new) and pk_of(new):
            ctx.emit(AddPrimaryKey(new.uid, new.qualified_name, pk_label(new), pk_of(new),
                                   _pk_names(new)))
    for old, new in ctx.shared_by_depth(deepest_first=True):
        for coll in ELEMENT_DEF:
            have = {e.uid for e in getattr(old, coll)}
            for e in getattr(new, coll):
                if e.uid not in have:
                    ctx.emit(_ADD[coll](new.uid, new.qualified_name, e))


def add_foreign_keys(ctx: Ctx) -> None:
    """After every table exists, so FK cycles need nothing special; by child in FK order."""
    have = {r.uid for r in ctx.state.relationships}
    order = {t.uid: n for n, t in enumerate(tables_in_fk_order(ctx.new.tables,
                                                                ctx.new.relationships))}
    todo = [r for r in ctx.new.relationships if r.uid not in have]
    names = _table_names(ctx.state)
    # FKs of attached partitions before their parent's (PostgreSQL attaches them)
    depth = {t.uid: ctx.state.partition_depth(t.uid) for t in ctx.state.tables
             if t.partition_of is not None}
    for rel in sorted(todo, key=lambda r: (-depth.get(r.child_table, 0),
                                           order.get(r.child_table, 0), r.name, r.uid)):
        ctx.emit(AddForeignKey(rel, *_fk_names(names, rel)))

