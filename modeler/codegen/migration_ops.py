"""The renderer of each op class, registered in :data:`RENDERERS` (Alembic's
``renderers.dispatch_for`` shape; see :class:`modeler.codegen.migration_ctx.Renderers`).

Each renderer gets the op and the :class:`RenderCtx` holding the snapshots just before and
just after it, and returns statements; its ``kind`` says whether the op creates, drops, fits
either kind of revision (no SQL) or alters (needs the snapshots of the moment). Schema objects
Alembic has no operation for (enums, domains, sequences, extensions, comments on constraints)
go through ``op.execute``; the work is done by the ``migration_*`` parts, registered here.
A new op class without a renderer is an error (:class:`MissingRenderer`), and
``tests/codegen/test_migration_dispatch.py`` checks that every op class of
:mod:`modeler.diff` has one.
"""

from __future__ import annotations

import functools

from modeler.codegen.migration_code import (
    Call,
    Stmt,
    code,
    comment,
    execute,
    ident,
    lit,
    qname,
    sql_str,
)
from modeler.codegen.migration_ctx import Deferred, RenderCtx, Renderers, pk_label, schema_kw
from modeler.codegen.migration_keys import (
    add_check,
    add_foreign_key,
    add_index,
    add_primary_key,
    add_unique,
    drop_constraint,
    drop_index,
    rename_constraint,
)
from modeler.codegen.migration_partition import (
    alter_collation,
    alter_partition_key,
    attach_partition,
    create_collation,
    detach_partition,
    drop_collation,
)
from modeler.codegen.migration_runtime import (
    drop_extension,
    drop_runtime_objects,
    public_first,
)
from modeler.codegen.migration_tables import (
    add_column,
    alter_column,
    create_table,
    follows_parent,
    rename_identity_sequences,
    rename_table,
)
from modeler.codegen.migration_types import (
    add_enum_value,
    alter_domain,
    alter_sequence,
    create_domain,
    create_enum,
    create_raw_object,
    create_sequence,
    drop_raw_object,
    enum_q,
    recreate_enum,
    remove_enum_value,
    rename_enum,
    set_comment,
)
from modeler.diff import (
    AddCheck,
    AddColumn,
    AddEnumValue,
    AddForeignKey,
    AddIndex,
    AddPrimaryKey,
    AddUnique,
    AlterCollation,
    AlterColumn,
    AlterDomain,
    AlterExtension,
    AlterPartitionKey,
    AlterSequence,
    AttachPartition,
    CreateCollation,
    CreateDomain,
    CreateEnum,
    CreateExtension,
    CreateNamespace,
    CreateRawObject,
    CreateSequence,
    CreateTable,
    DetachPartition,
    DropCheck,
    DropCollation,
    DropColumn,
    DropDomain,
    DropEnum,
    DropExtension,
    DropForeignKey,
    DropIndex,
    DropNamespace,
    DropPrimaryKey,
    DropRawObject,
    DropSequence,
    DropTable,
    DropUnique,
    Op,
    RemoveEnumValue,
    RenameColumn,
    RenameEnum,
    RenameEnumValue,
    RenameForeignKey,
    RenamePrimaryKey,
    RenameTable,
    RenameTableElement,
    ReorderColumns,
    ReorderEnumValues,
    SetComment,
    SetMetadata,
)
from modeler.diff.base import find

RENDERERS = Renderers()
on = RENDERERS.dispatch_for


def no_sql(op: Op) -> list[Stmt]:
    return [comment(f"{op.describe()}: no SQL")]


# --- namespaces, extensions, collations ------------------------------------------------------

@on(CreateNamespace, kind="creates")
def _create_namespace(op: CreateNamespace, ctx: RenderCtx) -> list[Stmt]:
    return [execute(f"CREATE SCHEMA IF NOT EXISTS {ident(op.name)}")]


@on(DropNamespace, kind="drops")
def _drop_namespace(op: DropNamespace, ctx: RenderCtx) -> list[Stmt]:
    return [execute(f"DROP SCHEMA IF EXISTS {ident(op.name)}")]


@on(CreateExtension, kind="creates")
def _create_extension(op: CreateExtension, ctx: RenderCtx) -> list[Stmt]:
    ext = op.extension
    where = f" WITH SCHEMA {ident(ext.namespace)}" if ext.namespace else ""
    return [execute(f"CREATE EXTENSION IF NOT EXISTS {ident(ext.name)}{where} CASCADE")]


@on(DropExtension, kind="drops")
def _drop_extension(op: DropExtension, ctx: RenderCtx) -> list[Stmt]:
    return drop_extension(op.extension.name, ctx.before)


@on(AlterExtension, kind="alters")
def _alter_extension(op: AlterExtension, ctx: RenderCtx) -> list[Stmt]:
    if op.old.namespace == op.new.namespace:
        return no_sql(op)
    return [execute(f"ALTER EXTENSION {ident(op.new.name)} SET SCHEMA "
                    f"{ident(op.new.namespace or 'public')}")]


@on(CreateCollation, kind="creates")
def _create_collation(op: CreateCollation, ctx: RenderCtx) -> list[Stmt]:
    return create_collation(op.collation)


@on(DropCollation, kind="drops")
def _drop_collation(op: DropCollation, ctx: RenderCtx) -> list[Stmt]:
    return drop_collation(op.collation)


on(AlterCollation, kind="alters")(alter_collation)


# --- enums, domains, sequences, kept SQL -----------------------------------------------------

@on(CreateEnum, kind="creates")
def _create_enum(op: CreateEnum, ctx: RenderCtx) -> list[Stmt]:
    return create_enum(op.enum)


@on(DropEnum, kind="drops")
def _drop_enum(op: DropEnum, ctx: RenderCtx) -> list[Stmt]:
    return [execute(f"DROP TYPE {enum_q(op.enum)}")]


@on(RenameEnum, kind="alters")
def _rename_enum(op: RenameEnum, ctx: RenderCtx) -> list[Stmt]:
    return rename_enum(find(ctx.before.enums, op.uid), find(ctx.after.enums, op.uid))


on(AddEnumValue, kind="alters")(add_enum_value)
on(RemoveEnumValue, kind="alters")(remove_enum_value)


@on(ReorderEnumValues, kind="alters")
def _reorder_enum_values(op: ReorderEnumValues, ctx: RenderCtx) -> list[Stmt]:
    return recreate_enum(find(ctx.after.enums, op.enum_uid), ctx, op.describe())


@on(RenameEnumValue, kind="alters")
def _rename_enum_value(op: RenameEnumValue, ctx: RenderCtx) -> list[Stmt]:
    return [execute(f"ALTER TYPE {enum_q(find(ctx.after.enums, op.enum_uid))} RENAME VALUE "
                    f"{sql_str(op.old_label)} TO {sql_str(op.new_label)}")]


@on(CreateDomain, kind="creates")
def _create_domain(op: CreateDomain, ctx: RenderCtx) -> list[Stmt]:
    return create_domain(op.domain, ctx.after)


@on(DropDomain, kind="drops")
def _drop_domain(op: DropDomain, ctx: RenderCtx) -> list[Stmt]:
    return [execute(f"DROP DOMAIN {qname(op.domain.namespace, op.domain.name)}")]


on(AlterDomain, kind="alters")(alter_domain)


@on(CreateSequence, kind="creates")
def _create_sequence(op: CreateSequence, ctx: RenderCtx) -> list[Stmt]:
    return create_sequence(op.sequence, ctx.after)


@on(DropSequence, kind="drops")
def _drop_sequence(op: DropSequence, ctx: RenderCtx) -> list[Stmt]:
    return [execute(f"DROP SEQUENCE {qname(op.sequence.namespace, op.sequence.name)}")]


on(AlterSequence, kind="alters")(alter_sequence)


@on(CreateRawObject, kind="creates")
def _create_raw_object(op: CreateRawObject, ctx: RenderCtx) -> list[Stmt]:
    return create_raw_object(op.obj, ctx.search_path)


@on(DropRawObject, kind="drops")
def _drop_raw_object(op: DropRawObject, ctx: RenderCtx) -> list[Stmt]:
    # what is around it, read only for a view made again (its namesakes are indexed)
    raws = ctx.before.raw_objects

    @functools.cache
    def place() -> int:
        return next((i for i, o in enumerate(raws) if o.uid == op.obj.uid), len(raws))

    return [*drop_runtime_objects(op.obj, ctx.before),
            *drop_raw_object(public_first(op.obj), ctx.search_path,
                             Deferred(lambda: [public_first(o) for o in raws[:place()]]),
                             Deferred(lambda: [public_first(o) for o in raws[place() + 1:]]),
                             namesakes=ctx.namesakes().before(op.obj, prepare=public_first))]


# --- tables and partitions -------------------------------------------------------------------

@on(CreateTable, kind="creates")
def _create_table(op: CreateTable, ctx: RenderCtx) -> list[Stmt]:
    return create_table(op.table, ctx)


@on(DropTable, kind="drops")
def _drop_table(op: DropTable, ctx: RenderCtx) -> list[Stmt]:
    t = op.table
    ctx.is_safe(t.uid)
    return [code(Call("op.drop_table", (lit(t.name),), schema_kw(t.namespace)))]


@on(RenameTable, kind="alters")
def _rename_table(op: RenameTable, ctx: RenderCtx) -> list[Stmt]:
    return rename_table(ctx.before.table(op.uid), ctx.after.table(op.uid), ctx)


on(AttachPartition, kind="creates")(attach_partition)
on(DetachPartition, kind="drops")(detach_partition)
on(AlterPartitionKey, kind="alters")(alter_partition_key)
on(SetComment, kind="creates")(set_comment)


# --- columns ---------------------------------------------------------------------------------

@on(AddColumn, kind="alters")
def _add_column(op: AddColumn, ctx: RenderCtx) -> list[Stmt]:
    return add_column(ctx.after.table(op.table_uid), op.column, ctx)


@on(DropColumn, kind="alters")
def _drop_column(op: DropColumn, ctx: RenderCtx) -> list[Stmt]:
    t = ctx.before.table(op.table_uid)
    ctx.is_safe(op.table_uid)
    return follows_parent(t, op.describe(), ctx) or [
        code(Call("op.drop_column", (lit(t.name), lit(op.column.name)),
                  schema_kw(t.namespace)))]


@on(RenameColumn, kind="alters")
def _rename_column(op: RenameColumn, ctx: RenderCtx) -> list[Stmt]:
    t = ctx.after.table(op.table_uid)
    ctx.is_safe(op.table_uid)
    followed = follows_parent(t, op.describe(), ctx)
    if followed is not None:
        return followed
    return [code(Call("op.alter_column", (lit(t.name), lit(op.old_name)),
                      (("new_column_name", lit(op.new_name)), *schema_kw(t.namespace)))),
            *rename_identity_sequences(ctx.before.table(op.table_uid), t)]


@on(AlterColumn, kind="alters")
def _alter_column(op: AlterColumn, ctx: RenderCtx) -> list[Stmt]:
    after = ctx.after.table(op.table_uid)
    return alter_column(after, ctx.before.table(op.table_uid).column(op.uid),
                        after.column(op.uid), ctx)


# --- keys, constraints, indexes --------------------------------------------------------------

@on(AddPrimaryKey, kind="creates")
def _add_primary_key(op: AddPrimaryKey, ctx: RenderCtx) -> list[Stmt]:
    return add_primary_key(ctx.after.table(op.table_uid), ctx)


@on(DropPrimaryKey, kind="drops")
def _drop_primary_key(op: DropPrimaryKey, ctx: RenderCtx) -> list[Stmt]:
    t = ctx.before.table(op.table_uid)
    return drop_constraint(t, pk_label(t), "primary", ctx)


@on(RenamePrimaryKey, kind="alters")
def _rename_primary_key(op: RenamePrimaryKey, ctx: RenderCtx) -> list[Stmt]:
    t_old, t_new = ctx.before.table(op.table_uid), ctx.after.table(op.table_uid)
    if t_old.primary_key and pk_label(t_old) != pk_label(t_new):
        return rename_constraint(t_new, pk_label(t_old), pk_label(t_new), ctx)
    return []


@on(AddIndex, kind="creates")
def _add_index(op: AddIndex, ctx: RenderCtx) -> list[Stmt]:
    return add_index(ctx.after.table(op.table_uid), op.index, ctx)


@on(DropIndex, kind="drops")
def _drop_index(op: DropIndex, ctx: RenderCtx) -> list[Stmt]:
    return drop_index(ctx.before.table(op.table_uid), op.index, ctx)


@on(AddUnique, kind="creates")
def _add_unique(op: AddUnique, ctx: RenderCtx) -> list[Stmt]:
    return add_unique(ctx.after.table(op.table_uid), op.constraint, ctx)


@on(DropUnique, kind="drops")
def _drop_unique(op: DropUnique, ctx: RenderCtx) -> list[Stmt]:
    return drop_constraint(ctx.before.table(op.table_uid), op.constraint.name, "unique", ctx)


@on(AddCheck, kind="creates")
def _add_check(op: AddCheck, ctx: RenderCtx) -> list[Stmt]:
    return add_check(ctx.after.table(op.table_uid), op.constraint, ctx)


@on(DropCheck, kind="drops")
def _drop_check(op: DropCheck, ctx: RenderCtx) -> list[Stmt]:
    return drop_constraint(ctx.before.table(op.table_uid), op.constraint.name, "check", ctx)


@on(RenameTableElement, kind="alters")
def _rename_table_element(op: RenameTableElement, ctx: RenderCtx) -> list[Stmt]:
    return rename_constraint(ctx.after.table(op.table_uid), op.old_name, op.new_name, ctx,
                             index=op.collection == "indexes")


@on(AddForeignKey, kind="creates")
def _add_foreign_key(op: AddForeignKey, ctx: RenderCtx) -> list[Stmt]:
    return add_foreign_key(op.relationship, ctx)


@on(DropForeignKey, kind="drops")
def _drop_foreign_key(op: DropForeignKey, ctx: RenderCtx) -> list[Stmt]:
    rel = op.relationship
    return drop_constraint(ctx.before.table(rel.child_table), rel.name, "foreignkey", ctx)


@on(RenameForeignKey, kind="alters")
def _rename_foreign_key(op: RenameForeignKey, ctx: RenderCtx) -> list[Stmt]:
    return rename_constraint(ctx.after.table(op.table_uid), op.old_name, op.new_name, ctx)


# --- design only (column order, notes, diagram) ----------------------------------------------

@on(ReorderColumns, kind="alters")
@on(SetMetadata, kind="either")
def _design_only(op: Op, ctx: RenderCtx) -> list[Stmt]:
    return no_sql(op)
