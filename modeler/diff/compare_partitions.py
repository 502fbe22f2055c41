"""The partitioning phases of the differ (see :mod:`modeler.diff.compare` for the order).

A partition is created as a plain table with its own copy of the parent's keys, indexes and
FKs, and attached at the very end (after every FK exists); a partition that goes, moves to
another parent or gets another bound is detached first (before anything is dropped). While
detached, a partition's elements are its own, so they can be dropped and added in any order;
PostgreSQL pairs them with the parent's when it attaches the table (as pg_dump relies on).
"""

from __future__ import annotations

from modeler.diff.compare_tables import Ctx
from modeler.diff.ops_partition import AlterPartitionKey, AttachPartition, DetachPartition
from modeler.schema.model import Schema, Table


def _where(t: Table) -> tuple[str | None, str]:
    return t.partition_of, t.partition_bound


def _name(schema: Schema, uid: str | None) -> str:
    try:
        return schema.table(uid or "").qualified_name
    except KeyError:
        return "?"


def detach_partitions(ctx: Ctx) -> None:
    """Partitions that go, move or change bound: detached first (deepest first), then new
    partition keys (which PostgreSQL cannot change in place)."""
    leaving = []
    for t in ctx.state.tables:
        n = ctx.new_table(t.uid)
        if t.partition_of is not None and (n is None or _where(n) != _where(t)):
            leaving.append(t)
    depth = {t.uid: ctx.state.partition_depth(t.uid) for t in leaving}
    for t in sorted(leaving, key=lambda t: -depth[t.uid]):
        ctx.emit(DetachPartition(t.uid, t.qualified_name, t.partition_of or "",
                                 _name(ctx.state, t.partition_of), t.partition_bound))
    for old, new in ctx.shared_tables():
        if old.partition_by != new.partition_by:
            ctx.emit(AlterPartitionKey(old.uid, old.qualified_name, old.partition_by,
                                       new.partition_by))


def attach_partitions(ctx: Ctx) -> None:
    """Partitions that arrive, move or change bound: attached last (deepest first)."""
    arriving = []
    for n in ctx.new.tables:
        t = ctx.state_table(n.uid)
        if n.partition_of is not None and t is not None and _where(t) != _where(n):
            arriving.append(n)
    depth = {t.uid: ctx.new.partition_depth(t.uid) for t in arriving}
    for n in sorted(arriving, key=lambda t: (-depth[t.uid], t.namespace, t.name)):
        ctx.emit(AttachPartition(n.uid, n.qualified_name, n.partition_of or "",
                                 _name(ctx.new, n.partition_of), n.partition_bound))

