"""Rendering of collation and partitioning ops (see :mod:`modeler.codegen.migration`)."""

from __future__ import annotations

from modeler.codegen.migration_code import Call, Lit, Stmt, comment, execute, ident
from modeler.codegen.migration_ctx import RenderCtx, comment_sql, tq
from modeler.codegen.sqlwriter import attach_sql, collation_sql, detach_sql, type_sql
from modeler.diff import AlterCollation, AlterPartitionKey, AttachPartition, DetachPartition
from modeler.diff.base import find
from modeler.schema.collations import format_ref, quote
from modeler.schema.model import Collation, Schema


def create_collation(c: Collation) -> list[Stmt]:
    out = [execute(collation_sql(c))]
    if c.comment:
        out.append(execute(comment_sql(f"COLLATION {c.ref}", c.comment)))
    return out


def drop_collation(c: Collation) -> list[Stmt]:
    return [execute(f"DROP COLLATION {c.ref}")]


def _users(schema: Schema, ref: str) -> list[tuple[str, str]]:
    """(table, column) of the columns that use collation ``ref``."""
    return [(tq(t), c.name) for t in schema.tables for c in t.columns if c.collation == ref]


def alter_collation(op: AlterCollation, ctx: RenderCtx) -> list[Stmt]:
    """Rename / move (``ALTER COLLATION``), comment, or a new definition: CREATE COLLATION
    cannot be altered, so the new one is created beside the old, the columns move over (their
    type is rewritten with the new COLLATE), the old one goes and the new one takes its name."""
    before, after = find(ctx.before.collations, op.uid), find(ctx.after.collations, op.uid)
    fields = {c.field for c in op.changes}
    out: list[Stmt] = []
    if before.namespace != after.namespace:
        out.append(execute(f"ALTER COLLATION {before.ref} SET SCHEMA {quote(after.namespace)}"))
    if before.name != after.name:
        old = format_ref(after.namespace, before.name)
        out.append(execute(f"ALTER COLLATION {old} RENAME TO {quote(after.name)}"))
    if op.redefines:
        out += _redefine(before, after, ctx)
    if "comment" in fields:
        out.append(execute(comment_sql(f"COLLATION {after.ref}", after.comment)))
    return out


def _redefine(before: Collation, after: Collation, ctx: RenderCtx) -> list[Stmt]:
    tmp = f"{after.name}_new"[:63]
    tmp_ref = format_ref(after.namespace, tmp)
    out = [comment(f"collation {after.qualified_name} gets a new definition: created again, "
                   "its columns move over (indexes on them are rebuilt)"),
           execute(collation_sql(after, tmp_ref))]
    users = _users(ctx.after, after.ref)
    types = {(tq(t), c.name): type_sql(c.type, ctx.after) for t in ctx.after.tables
             for c in t.columns}
    for table, column in users:
        out.append(execute(f"ALTER TABLE {table} ALTER COLUMN {ident(column)} TYPE "
                           f"{types[(table, column)]} COLLATE {tmp_ref}"))
    out.append(execute(f"DROP COLLATION {after.ref}"))
    out.append(execute(f"ALTER COLLATION {tmp_ref} RENAME TO {quote(after.name)}"))
    return out


def attach_partition(op: AttachPartition, ctx: RenderCtx) -> list[Stmt]:
    table, parent = ctx.after.table(op.table_uid), ctx.after.table(op.parent_uid)
    return [execute(attach_sql(parent, table, op.bound))]


def detach_partition(op: DetachPartition, ctx: RenderCtx) -> list[Stmt]:
    table, parent = ctx.before.table(op.table_uid), ctx.before.table(op.parent_uid)
    return [execute(detach_sql(parent, table))]


def alter_partition_key(op: AlterPartitionKey, ctx: RenderCtx) -> list[Stmt]:
    """PostgreSQL has no ALTER for a partition key: the migration stops and says so."""
    message = (f"{op.table_name}: the partitioning changes ({op.old or 'none'} -> "
               f"{op.new or 'none'}); PostgreSQL cannot change it in place. Rebuild the "
               "table by hand (create the new one, copy the rows, swap the names) and mark "
               "this revision done with 'alembic stamp'.")
    return [comment(op.describe()), Stmt("code", Call("raise RuntimeError", (Lit(message),)))]
