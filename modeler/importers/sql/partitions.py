"""Declarative partitioning: PARTITION BY, PARTITION OF, ATTACH / DETACH PARTITION.

The draft mirrors what the catalog ends up holding. A partition is a table of its own with
a copy of its parent's columns, CHECKs, primary key, uniques, indexes and FKs; PostgreSQL
makes those copies when a partition is created (``PARTITION OF``) or attached, and when the
parent gets a new key, index or FK without ``ONLY`` — each copy reuses a matching element the
partition already has, or is created under the name PostgreSQL chooses (``<table>_pkey``,
``<table>_<cols>_key``, ``<table>_<cols>_idx``; FKs and CHECKs keep the parent's name).
``ALTER INDEX parent_idx ATTACH PARTITION child_idx`` pairs two indexes that both exist.
"""

from __future__ import annotations

import copy
from typing import Any

from pglast import ast, parser

from modeler.importers import bounds
from modeler.importers.draft import (
    DraftCheck,
    DraftForeignKey,
    DraftTable,
    DraftUnique,
)
from modeler.importers.pgnames import index_column_names, name_addition
from modeler.importers.sql.collations import collation_ref
from modeler.importers.sql.constraints import attached, choose_rel
from modeler.importers.sql.context import Context
from modeler.importers.sql.deparse import expr_sql, index_column_label, names_of, quote_ident

ALL = frozenset({"columns", "checks", "pk", "uniques", "indexes", "fks"})
_STRATEGIES = {"r": "RANGE", "l": "LIST", "h": "HASH"}


def _strategy(value: Any) -> str:
    return _STRATEGIES.get(str(getattr(value, "value", value)), str(value).upper())


def spec_sql(ctx: Context, spec: Any, table: str) -> str:
    """``RANGE (payment_date)`` from a PartitionSpec (pg_get_partkeydef's spelling)."""
    items = []
    for elem in spec.partParams or ():
        if elem.name:
            text = quote_ident(elem.name)
        else:
            text = expr_sql(elem.expr)
            if not isinstance(elem.expr, ast.FuncCall):
                text = f"({text})"
        coll = names_of(elem.collation)
        if coll:
            ref = collation_ref(ctx, coll, f"partition key of {table}")
            text += f" COLLATE {ref}" if ref else ""
        opclass = names_of(elem.opclass)
        if opclass:
            text += " " + ".".join(quote_ident(n) for n in opclass)
        items.append(text)
    return f"{_strategy(spec.strategy)} ({', '.join(items)})"


def bound_sql(bound: Any) -> str:
    """``FOR VALUES ...`` or ``DEFAULT`` from a PartitionBoundSpec."""
    if bound.is_default:
        return "DEFAULT"

    def datums(items: Any) -> str:
        out = []
        for d in items or ():
            if isinstance(d, ast.ColumnRef) and names_of(d.fields) in (["minvalue"],
                                                                      ["maxvalue"]):
                out.append(names_of(d.fields)[0].upper())
            else:
                out.append(expr_sql(d))
        return ", ".join(out)

    strategy = str(bound.strategy)
    if strategy == "h":
        return f"FOR VALUES WITH (modulus {bound.modulus}, remainder {bound.remainder})"
    if strategy == "l":
        return f"FOR VALUES IN ({datums(bound.listdatums)})"
    return f"FOR VALUES FROM ({datums(bound.lowerdatums)}) TO ({datums(bound.upperdatums)})"


# --- creating and attaching ------------------------------------------------------------------

def create_partition(ctx: Context, node: Any, table: DraftTable) -> bool:
    """``CREATE TABLE table PARTITION OF parent [(options)] bound``: False when the parent is
    unknown (the caller keeps the statement as SQL)."""
    parent = ctx.find_table(node.inhRelations[0]) if node.inhRelations else None
    if parent is None:
        return False
    table.partition_of, table.partition_bound = parent.qname, bound_sql(node.partbound)
    clone_into(ctx, parent, table, frozenset({"columns"}))
    return True


def finish_partition(ctx: Context, table: DraftTable) -> None:
    """After the partition's own options and constraints: copy the parent's elements."""
    parent = ctx.draft.tables.get(table.partition_of) if table.partition_of else None
    if parent is not None:
        clone_into(ctx, parent, table, ALL - {"columns"})
        propagate(ctx, table, ALL)  # a partitioned partition hands them down too


def attach(ctx: Context, parent: DraftTable, cmd: Any) -> None:
    """``ALTER TABLE parent ATTACH PARTITION table bound``."""
    part = ctx.find_table(cmd.name)
    if part is None:
        ctx.warn("unresolved", f"ATTACH PARTITION {cmd.name.relname}: unknown table")
        return
    if parent.partition_by is None:
        ctx.warn("unresolved", f"ATTACH PARTITION: {parent.name} is not partitioned")
        return
    part.partition_of, part.partition_bound = parent.qname, bound_sql(cmd.bound)
    clone_into(ctx, parent, part, ALL)
    attached(ctx, parent, part)


def detach(ctx: Context, parent: DraftTable, cmd: Any) -> None:
    """``ALTER TABLE parent DETACH PARTITION table``: the copies stay, as the table's own."""
    part = ctx.find_table(cmd.name)
    if part is None or part.partition_of != parent.qname:
        ctx.warn("unresolved", f"DETACH PARTITION {cmd.name.relname}: not a partition of "
                 f"{parent.name}")
        return
    part.partition_of, part.partition_bound = None, ""
    for ix in part.indexes:
        ix.attached_to = None


def attach_index(ctx: Context, parent_rv: Any, child_rv: Any) -> None:
    """``ALTER INDEX parent_idx ATTACH PARTITION child_idx``: both exist in the draft; the
    pairing is recorded (the export lets PostgreSQL pair indexes of the same definition)."""
    ns = parent_rv.schemaname or ctx.default_ns
    parent = ctx.draft.table_of_index(ns, parent_rv.relname)
    child_ns = child_rv.schemaname or ns
    child = ctx.draft.table_of_index(child_ns, child_rv.relname)
    if parent is None or child is None or child.partition_of != parent.qname:
        ctx.warn("unresolved", f"ALTER INDEX {parent_rv.relname} ATTACH PARTITION "
                 f"{child_rv.relname}: not an index of a partition of its table")
        return
    ix = child.index_named(child_rv.relname)
    if ix is not None:
        ix.attached_to = parent_rv.relname
    ctx.count("partition_indexes_attached")


def propagate(ctx: Context, table: DraftTable, kinds: frozenset[str]) -> None:
    """Hand ``table``'s new elements down to its partitions (and theirs)."""
    for part in ctx.draft.partitions(table.qname):
        clone_into(ctx, table, part, kinds)
        propagate(ctx, part, kinds)


def partitions_deep(ctx: Context, table: DraftTable) -> list[DraftTable]:
    """Every partition under ``table``, parents before their own partitions."""
    out: list[DraftTable] = []
    for part in ctx.draft.partitions(table.qname):
        out += [part, *partitions_deep(ctx, part)]
    return out


# --- copies of the parent's elements -----------------------------------------------------------

def clone_into(ctx: Context, parent: DraftTable, child: DraftTable,
               kinds: frozenset[str]) -> None:
    """Give ``child`` what it lacks of ``parent``'s elements of ``kinds``."""
    if "columns" in kinds:
        for col in parent.columns.values():
            if col.name not in child.columns:
                new = copy.copy(col)
                new.comment, new.inherited = "", True
                # PARTITION OF gives a partition no identity of its own (before PostgreSQL
                # 17; from 17 on, the partition shares its parent's, which attaching gives)
                new.identity, new.identity_options = None, None
                child.columns[col.name] = new
    if "checks" in kinds:
        for ck in parent.checks:
            if child.check_named(ck.name) is None:
                child.checks.append(DraftCheck(ck.name, ck.expression))
                ctx.draft.claim_con(child.namespace, ck.name)
    if "pk" in kinds and parent.pk_columns and not child.pk_columns:
        child.pk_columns = list(parent.pk_columns)
        child.pk_name = choose_rel(ctx, child.namespace, child.name, None, "pkey")
        ctx.draft.claim_con(child.namespace, child.pk_name)
        for c in child.pk_columns:
            if c in child.columns:
                child.columns[c].nullable = False
    if "uniques" in kinds:
        _clone_uniques(ctx, parent, child)
    if "indexes" in kinds:
        _clone_indexes(ctx, parent, child)
    if "fks" in kinds:
        _clone_fks(ctx, parent, child)


def _clone_uniques(ctx: Context, parent: DraftTable, child: DraftTable) -> None:
    for uq in parent.uniques:
        if any(u.columns == uq.columns for u in child.uniques):
            continue
        name = choose_rel(ctx, child.namespace, child.name, name_addition(uq.columns), "key")
        ctx.draft.claim_con(child.namespace, name)
        child.uniques.append(DraftUnique(name, list(uq.columns), uq.nulls_not_distinct,
                                         uq.deferrable, uq.initially_deferred))


def _label(part: Any) -> str:
    if part.column is not None:
        return str(part.column)
    try:
        node = bounds.parse_sql(f"SELECT {part.expression}")[0].stmt.targetList[0].val
    except (parser.ParseError, bounds.NestedTooDeeply):
        return "expr"
    return index_column_label(node)


def _clone_indexes(ctx: Context, parent: DraftTable, child: DraftTable) -> None:
    for ix in parent.indexes:
        match = next((c for c in child.indexes if c.attached_to in (None, ix.name)
                      and c.definition() == ix.definition()), None)
        if match is not None:
            match.attached_to = ix.name
            continue
        labels = [_label(p) for p in ix.parts] + list(ix.include)
        clone = copy.deepcopy(ix)
        clone.name = choose_rel(ctx, child.namespace, child.name,
                                name_addition(index_column_names(labels)), "idx")
        clone.comment, clone.attached_to = "", ix.name
        child.indexes.append(clone)


def _fk_key(fk: DraftForeignKey) -> tuple[object, ...]:
    return (tuple(fk.child_columns), fk.parent, tuple(fk.parent_columns or ()))


def _clone_fks(ctx: Context, parent: DraftTable, child: DraftTable) -> None:
    have = {_fk_key(f) for f in ctx.draft.fks if f.child == child.qname}
    for fk in [f for f in ctx.draft.fks if f.child == parent.qname]:
        if _fk_key(fk) in have:
            continue
        clone = copy.copy(fk)
        clone.child, clone.child_columns = child.qname, list(fk.child_columns)
        clone.comment = ""
        ctx.draft.fks.append(clone)
        have.add(_fk_key(clone))

