"""Alembic revision files from two snapshots.

``upgrade()`` renders ``diff(old, new)``; ``downgrade()`` renders the reversed ops, so the
downgrade is real and mechanical. Each op is rendered knowing the snapshot just before and
just after it (the renderer replays the ops), which gives every statement the names of the
moment. Schema objects Alembic has no operation for (enums, domains, sequences, extensions,
comments on constraints) go through ``op.execute`` with identifiers quoted by one function.

When the design has ``updated_at_mode == "trigger"``, every table with an ``updated_at``
column gets a ``BEFORE UPDATE`` trigger calling one shared ``set_updated_at()`` function; the
function is created by the first statement that needs it and dropped once nothing does, in
either direction.

Revisions that touch tables which already existed use low-lock forms (see
:mod:`modeler.codegen.migration_tables` and :mod:`modeler.codegen.migration_keys`) and start
with ``SET lock_timeout`` / ``SET statement_timeout``, reset at the end.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import replace

import pglast

from modeler.codegen.migration_code import (
    Call,
    Stmt,
    code,
    comment,
    execute,
    ident,
    lit,
    qname,
    render_body,
    sql_str,
)
from modeler.codegen.migration_ctx import (
    RenderCtx,
    pk_label,
    schema_kw,
    tq,
)
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
    sequence_alteration,
    set_comment,
)
from modeler.codegen.sqlwriter import (
    UPDATED_AT_FUNCTION,
    trigger_name,
    updated_at_function_sql,
    updated_at_trigger_sql,
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
    ReorderEnumValues,
    SetComment,
    SetMetadata,
    apply_all,
    diff,
    reverse_all,
)
from modeler.diff.base import apply_changes, find
from modeler.diff.compare import namespaces
from modeler.schema import sqlexpr
from modeler.schema.model import Schema, Table, normalized
from modeler.schema.model import Sequence as SequenceObj

LOCK_TIMEOUT = "5s"  # fail fast instead of queueing behind long transactions
STATEMENT_TIMEOUT = "15min"  # generous: CONCURRENTLY builds on big tables take a while


def _schema_ops(op: Op, ctx: RenderCtx) -> list[Stmt] | None:
    """Namespaces, extensions, types, sequences and raw objects (None: not one of those)."""
    b, a = ctx.before, ctx.after
    match op:
        case CreateNamespace(name=name):
            return [execute(f"CREATE SCHEMA IF NOT EXISTS {ident(name)}")]
        case DropNamespace(name=name):
            return [execute(f"DROP SCHEMA IF EXISTS {ident(name)}")]
        case CreateExtension(extension=ext):
            where = f" WITH SCHEMA {ident(ext.namespace)}" if ext.namespace else ""
            return [execute(f"CREATE EXTENSION IF NOT EXISTS {ident(ext.name)}{where} CASCADE")]
        case DropExtension(extension=ext):
            return drop_extension(ext.name, ctx.before)
        case AlterExtension(old=old_ext, new=ext):
            if old_ext.namespace == ext.namespace:
                return [comment(f"{op.describe()}: no SQL")]
            return [execute(f"ALTER EXTENSION {ident(ext.name)} SET SCHEMA "
                            f"{ident(ext.namespace or 'public')}")]
        case CreateCollation(collation=coll):
            return create_collation(coll)
        case DropCollation(collation=coll):
            return drop_collation(coll)
        case AlterCollation():
            return alter_collation(op, ctx)
        case CreateEnum(enum=enum):
            return create_enum(enum)
        case DropEnum(enum=enum):
            return [execute(f"DROP TYPE {enum_q(enum)}")]
        case RenameEnum(uid=uid):
            return rename_enum(find(b.enums, uid), find(a.enums, uid))
        case AddEnumValue():
            return add_enum_value(op, ctx)
        case RemoveEnumValue():
            return remove_enum_value(op, ctx)
        case ReorderEnumValues(enum_uid=uid):
            return recreate_enum(find(a.enums, uid), ctx, op.describe())
        case RenameEnumValue(enum_uid=uid, old_label=old, new_label=new):
            return [execute(f"ALTER TYPE {enum_q(find(a.enums, uid))} RENAME VALUE "
                            f"{sql_str(old)} TO {sql_str(new)}")]
        case CreateDomain(domain=dom):
            return create_domain(dom, a)
        case DropDomain(domain=dom):
            return [execute(f"DROP DOMAIN {qname(dom.namespace, dom.name)}")]
        case AlterDomain():
            return alter_domain(op, ctx)
        case CreateSequence(sequence=seq):
            return create_sequence(seq, a)
        case DropSequence(sequence=seq):
            return [execute(f"DROP SEQUENCE {qname(seq.namespace, seq.name)}")]
        case AlterSequence():
            return alter_sequence(op, ctx)
        case CreateRawObject(obj=obj):
            return create_raw_object(obj, ctx.search_path)
        case DropRawObject(obj=obj):
            return [*drop_runtime_objects(obj, ctx.before),
                    *drop_raw_object(public_first(obj), ctx.search_path)]
    return None


def _table_ops(op: Op, ctx: RenderCtx) -> list[Stmt]:
    b, a = ctx.before, ctx.after
    match op:
        case CreateTable(table=t):
            return create_table(t, ctx)
        case AttachPartition():
            return attach_partition(op, ctx)
        case DetachPartition():
            return detach_partition(op, ctx)
        case AlterPartitionKey():
            return alter_partition_key(op, ctx)
        case DropTable(table=t):
            ctx.is_safe(t.uid)
            return [code(Call("op.drop_table", (lit(t.name),), schema_kw(t.namespace)))]
        case RenameTable(uid=uid):
            return rename_table(b.table(uid), a.table(uid), ctx)
        case AddColumn(table_uid=uid, column=col):
            return add_column(a.table(uid), col, ctx)
        case DropColumn(table_uid=uid, column=col):
            t = b.table(uid)
            ctx.is_safe(uid)
            return follows_parent(t, op.describe(), ctx) or [
                code(Call("op.drop_column", (lit(t.name), lit(col.name)),
                          schema_kw(t.namespace)))]
        case RenameColumn(table_uid=uid, old_name=old, new_name=new):
            t = a.table(uid)
            ctx.is_safe(uid)
            followed = follows_parent(t, op.describe(), ctx)
            if followed is not None:
                return followed
            return [code(Call("op.alter_column", (lit(t.name), lit(old)),
                              (("new_column_name", lit(new)), *schema_kw(t.namespace)))),
                    *rename_identity_sequences(b.table(uid), t)]
        case AlterColumn(table_uid=uid, uid=col):
            return alter_column(a.table(uid), b.table(uid).column(col),
                                a.table(uid).column(col), ctx)
        case SetComment():
            return set_comment(op, ctx)
        case AddPrimaryKey(table_uid=uid):
            return add_primary_key(a.table(uid), ctx)
        case DropPrimaryKey(table_uid=uid):
            return drop_constraint(b.table(uid), pk_label(b.table(uid)), "primary", ctx)
        case RenamePrimaryKey(table_uid=uid):
            t_old, t_new = b.table(uid), a.table(uid)
            if t_old.primary_key and pk_label(t_old) != pk_label(t_new):
                return rename_constraint(t_new, pk_label(t_old), pk_label(t_new), ctx)
            return []
        case AddIndex(table_uid=uid, index=ix):
            return add_index(a.table(uid), ix, ctx)
        case DropIndex(table_uid=uid, index=ix):
            return drop_index(b.table(uid), ix, ctx)
        case AddUnique(table_uid=uid, constraint=u):
            return add_unique(a.table(uid), u, ctx)
        case DropUnique(table_uid=uid, constraint=u):
            return drop_constraint(b.table(uid), u.name, "unique", ctx)
        case AddCheck(table_uid=uid, constraint=k):
            return add_check(a.table(uid), k, ctx)
        case DropCheck(table_uid=uid, constraint=k):
            return drop_constraint(b.table(uid), k.name, "check", ctx)
        case RenameTableElement(collection=coll, table_uid=uid, old_name=old, new_name=new):
            return rename_constraint(a.table(uid), old, new, ctx, index=coll == "indexes")
        case AddForeignKey(relationship=rel):
            return add_foreign_key(rel, ctx)
        case DropForeignKey(relationship=rel):
            return drop_constraint(b.table(rel.child_table), rel.name, "foreignkey", ctx)
        case RenameForeignKey(table_uid=uid, old_name=old, new_name=new):
            return rename_constraint(a.table(uid), old, new, ctx)
    # design-only ops (column order, notes, diagram): no SQL
    return [comment(f"{op.describe()}: no SQL")]


def _trigger_tables(schema: Schema) -> dict[str, Table]:
    if schema.settings.updated_at_mode != "trigger":
        return {}
    return {t.uid: t for t in schema.tables if t.column_named("updated_at") is not None}


class _TriggerTables:
    """``_trigger_tables`` along a chain of snapshots, each the previous one plus an op:
    recomputed only when an op replaced the tables (most ops, raw objects, enums and
    sequences, leave the very same tuple)."""

    def __init__(self, start: Schema) -> None:
        self.tables, self.settings = start.tables, start.settings
        self.found = _trigger_tables(start)

    def of(self, schema: Schema) -> dict[str, Table]:
        if schema.tables is not self.tables or schema.settings != self.settings:
            self.tables, self.settings = schema.tables, schema.settings
            self.found = _trigger_tables(schema)
        return self.found


def _triggers(before: Schema, after: Schema, memo: _TriggerTables | None = None,
              ) -> list[Stmt]:
    """Trigger (and shared function) statements that follow one op. Trigger names and the
    function text come from :mod:`modeler.codegen.extras`, so that migrations and
    ``create_all`` build the same catalog. ``memo``: holds ``before``'s tables."""
    had = memo.found if memo is not None else _trigger_tables(before)
    has = memo.of(after) if memo is not None else _trigger_tables(after)
    out: list[Stmt] = []
    if has and not had:
        out.append(execute(updated_at_function_sql()))
    after_tables = {t.uid: t for t in after.tables}
    for uid, table in has.items():
        if uid not in had:
            out.append(execute(updated_at_trigger_sql(table)))
        elif trigger_name(had[uid]) != trigger_name(table):  # follows a table rename
            out.append(execute(f"ALTER TRIGGER {ident(trigger_name(had[uid]))} ON {tq(table)} "
                               f"RENAME TO {ident(trigger_name(table))}"))
    for uid, table in had.items():
        if uid not in has and uid in after_tables:
            out.append(execute(f"DROP TRIGGER IF EXISTS {ident(trigger_name(table))} ON "
                               f"{tq(after_tables[uid])}"))
    if had and not has:
        out.append(execute(f"DROP FUNCTION IF EXISTS {ident(UPDATED_AT_FUNCTION)}()"))
    return out


# Ops whose rendering needs no snapshot of the moment: creations read the end state, drops
# the start state (no renames in between). A revision made of one kind only (a baseline and
# its downgrade) is rendered without replaying the ops one by one.
_CREATIONS = (CreateNamespace, CreateExtension, CreateCollation, CreateEnum, CreateDomain,
              CreateSequence, CreateTable, AddIndex, AddUnique, AddCheck, AddPrimaryKey,
              AddForeignKey, AttachPartition, CreateRawObject, SetComment, SetMetadata)
_DROPS = (DropNamespace, DropExtension, DropCollation, DropEnum, DropDomain, DropSequence,
          DropTable, DropIndex, DropUnique, DropCheck, DropPrimaryKey, DropForeignKey,
          DetachPartition, DropRawObject, SetMetadata)


_OWNER_FIELDS = frozenset({"owned_by_table", "owned_by_column"})


def _owner_change(op: Op) -> bool:
    """A sequence's ``OWNED BY`` and nothing else: the differ creates sequences unowned and
    owns them once their table exists (and releases them first on the way down)."""
    return isinstance(op, AlterSequence) and all(c.field in _OWNER_FIELDS for c in op.changes)


def _static(ops: Sequence[Op], start: Schema, end: Schema | None) -> bool:
    """Can ``ops`` be rendered against the end state (``start`` for what they drop) instead
    of applying them one by one? Yes when they only create, or only drop, besides sequence
    owners (a baseline of an existing database, and its downgrade)."""
    if end is None or (start.settings.updated_at_mode != end.settings.updated_at_mode):
        return False
    rest = [op for op in ops if not _owner_change(op)]
    return (all(isinstance(op, _CREATIONS) for op in rest)
            or all(isinstance(op, _DROPS) for op in rest))


def _static_owner(op: AlterSequence, sequences: dict[str, SequenceObj], start: Schema,
                  end: Schema) -> list[Stmt]:
    """An owner change in a static revision: ``sequences`` (uid -> the sequence as the ops so
    far left it) gives the before and after; the owner table is named from the end state, or
    from the start when the revision drops it (tables are neither renamed nor altered in a
    static revision, so both name it as the step-by-step state would)."""
    before = sequences[op.uid]
    after = sequences[op.uid] = apply_changes(before, op.changes)
    owner = after.owned_by_table
    schema = start if owner is not None and not any(t.uid == owner for t in end.tables) else end
    return sequence_alteration(op, before, after, schema)


def _without(schema: Schema, dropped: set[str]) -> Schema:
    """``schema`` less the tables, sequences and kept objects a static revision dropped so
    far: the state before a kept object's drop as far as its renderer reads it (names of
    the tables, sequences and kept objects left), as applying the drops one by one gives."""
    return replace(schema, tables=tuple(t for t in schema.tables if t.uid not in dropped),
                   sequences=tuple(q for q in schema.sequences if q.uid not in dropped),
                   raw_objects=tuple(r for r in schema.raw_objects if r.uid not in dropped),
                   extensions=tuple(e for e in schema.extensions if e.uid not in dropped))


def _static_triggers(op: Op, had: dict[str, Table], has: dict[str, Table]) -> list[Stmt]:
    """What :func:`_triggers` says after a creation or a drop: ``had`` (the trigger tables so
    far) is updated in place from ``has`` (those of the end state)."""
    out: list[Stmt] = []
    if isinstance(op, CreateTable) and op.table.uid in has:
        if not had:
            out.append(execute(updated_at_function_sql()))
        had[op.table.uid] = op.table
        out.append(execute(updated_at_trigger_sql(op.table)))
    elif isinstance(op, DropTable) and op.table.uid in had:
        del had[op.table.uid]
        if not had:
            out.append(execute(f"DROP FUNCTION IF EXISTS {ident(UPDATED_AT_FUNCTION)}()"))
    return out


def _search_path(start: Schema, end: Schema) -> str | None:
    """``public`` then the other namespaces of the design, when it has any: expressions
    (CHECKs, defaults, index keys) and kept SQL may name their functions and types without a
    namespace, as the script they were imported from could (``SET search_path = app``)."""
    found = sorted((namespaces(start) | namespaces(end)) - {"public"})
    return ", ".join(["public", *(ident(n) for n in found)]) if found else None


def render_ops(ops: Sequence[Op], start: Schema, *, safe: bool,
               end: Schema | None = None) -> tuple[list[Stmt], set[str]]:
    """Statements for ``ops`` applied to ``start`` (giving ``end``, when known), and the
    imports their code needs."""
    ctx = RenderCtx(before=start, after=start, existing=frozenset(t.uid for t in start.tables),
                    safe=safe, search_path=_search_path(start, end or apply_all(tuple(ops), start)))
    stmts: list[Stmt] = []
    raw: list[int] = []  # where statements of raw objects start and end
    static = end is not None and _static(ops, start, end)
    had: dict[str, Table] = {}
    has: dict[str, Table] = {}
    if static and end is not None:
        ctx.after = end
        had, has = _trigger_tables(start), _trigger_tables(end)
    memo = None if static else _TriggerTables(start)
    sequences = {q.uid: q for q in start.sequences} if static else {}
    dropped: set[str] = set()
    for op in ops:
        if not static:
            ctx.before, ctx.after = ctx.after, op.apply(ctx.after)
        elif isinstance(op, CreateSequence):
            sequences[op.sequence.uid] = op.sequence
        elif isinstance(op, AlterSequence) and end is not None:
            stmts.extend(_static_owner(op, sequences, start, end))
            continue
        elif isinstance(op, DropRawObject | DropExtension) and dropped:
            ctx.before = _without(start, dropped)
        rendered = _schema_ops(op, ctx)
        if static:
            ctx.before = start
            if isinstance(op, DropTable | DropSequence | DropRawObject):
                dropped.add(op.table.uid if isinstance(op, DropTable) else
                            op.sequence.uid if isinstance(op, DropSequence) else op.obj.uid)
            elif isinstance(op, DropExtension):  # what migration_runtime.drop_extension reads
                dropped.add(op.extension.uid)
        if isinstance(op, CreateRawObject):
            raw += [len(stmts), len(stmts) + len(rendered or ())]
        stmts.extend(rendered if rendered is not None else _table_ops(op, ctx))
        stmts.extend(_static_triggers(op, had, has) if static
                     else _triggers(ctx.before, ctx.after, memo))
    if raw:  # as pg_dump does: a function may call one created after it
        stmts = [*stmts[:raw[0]], execute("SET check_function_bodies = false"),
                 *stmts[raw[0]:raw[-1]], execute("RESET check_function_bodies"),
                 *stmts[raw[-1]:]]
    if ctx.search_path:
        stmts = [execute(f"SET search_path = {ctx.search_path}"), *stmts,
                 execute("RESET search_path")]
    if ctx.touched:
        stmts = [execute(f"SET lock_timeout = {sql_str(LOCK_TIMEOUT)}"),
                 execute(f"SET statement_timeout = {sql_str(STATEMENT_TIMEOUT)}"),
                 *stmts, execute("RESET statement_timeout"), execute("RESET lock_timeout")]
    return stmts, ctx.imports


def _doc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def _bullets(lines: Iterable[str]) -> list[str]:
    out = []
    for line in lines:
        out += textwrap.wrap(_doc(line), width=96, initial_indent="- ",
                             subsequent_indent="  ") or ["-"]
    return out


def _docstring(message: str, revision: str, down_revision: str | None, created: str,
               ops: Sequence[Op], notes: Sequence[str]) -> list[str]:
    changes = [("(destructive) " if op.destructive else "") + op.describe() for op in ops]
    lines = [f'"""{_doc(message) or "Schema change"}', "",
             f"Revision ID: {_doc(revision)}", f"Revises: {_doc(down_revision or '')}".rstrip(),
             f"Create Date: {_doc(created)}", "", "Changes:",
             *(_bullets(changes) or ["- (none)"])]
    if notes:
        lines += ["", "Waivers:", *_bullets(notes)]
    return [*lines, '"""']


def _header_types(sql: str) -> set[str] | None:
    """The type names (last part, lower case) a kept CREATE FUNCTION's arguments and result
    use; None when the SQL is not one CREATE FUNCTION."""
    try:
        stmts = pglast.parse_sql(sql)
    except pglast.parser.ParseError:
        return None
    node = stmts[0].stmt if len(stmts) == 1 else None
    if not isinstance(node, pglast.ast.CreateFunctionStmt):
        return None
    names = [p.argType for p in node.parameters or ()] + [node.returnType]
    return {str(t.names[-1].sval).lower() for t in names if t is not None and t.names}


def _functions_before_domains(ops: Sequence[Op], schema: Schema) -> list[Op]:
    """A revision made only of creations (a baseline), with every kept function a domain's
    default or CHECK calls moved before the first such domain: the differ creates domains
    before any kept SQL, and PostgreSQL checks that the function exists. A function whose
    arguments or result use a type of the design (a domain, an enum, a table's row) stays
    where it is (it needs that type first). The reversed ops then drop the domain first."""
    if not all(isinstance(op, _CREATIONS) for op in ops):
        return list(ops)
    first_call: dict[str, int] = {}
    for i, op in enumerate(ops):
        if isinstance(op, CreateDomain):
            texts = [op.domain.default, *(c.expression for c in op.domain.checks)]
            for text in filter(None, texts):
                for _, name in sqlexpr.functions(text):
                    first_call.setdefault(name.lower(), i)
    if not first_call:
        return list(ops)
    design_types = {n.lower() for n in (*(d.name for d in schema.domains),
                                        *(e.name for e in schema.enums),
                                        *(t.name for t in schema.tables))}
    moved: dict[int, list[Op]] = {}
    gone: set[int] = set()
    for i, op in enumerate(ops):
        if not (isinstance(op, CreateRawObject) and op.obj.kind == "function"):
            continue
        at = first_call.get(op.obj.name.lower())
        types = _header_types(op.obj.sql) if at is not None and at < i else None
        if at is not None and types is not None and not types & design_types:
            moved.setdefault(at, []).append(op)
            gone.add(i)
    out: list[Op] = []
    for i, op in enumerate(ops):
        out += moved.get(i, [])
        if i not in gone:
            out.append(op)
    return out


def render_revision(*, old: Schema, new: Schema, revision: str, down_revision: str | None,
                    message: str, created: str, notes: Sequence[str] = (),
                    existing_tables_safe: bool = True) -> str:
    """Full text of a ``migrations/versions/<revision>_*.py`` file: a docstring listing the
    changes (``describe()``) and ``notes`` (waivers), the revision ids, ``upgrade()`` and a
    real ``downgrade()`` (the reversed ops)."""
    old, new = normalized(old), normalized(new)
    ops = _functions_before_domains(diff(old, new), new)
    up, up_imports = render_ops(ops, old, safe=existing_tables_safe, end=new)
    down, down_imports = render_ops(reverse_all(ops), new, safe=existing_tables_safe, end=old)
    up_lines, down_lines = render_body(up), render_body(down)
    body = "\n".join(up_lines + down_lines)
    imports = {"from alembic import op"} | up_imports | down_imports
    if "sa." in body:
        imports.add("import sqlalchemy as sa")
    imports = {i for i in imports if i.startswith("from alembic") or i.split()[-1] + "." in body}
    third = sorted(i for i in imports if i.startswith("import ")) + sorted(
        i for i in imports if i.startswith("from "))
    lines = [*_docstring(message, revision, down_revision, created, ops, notes), "",
             "from collections.abc import Sequence", "", *third, "",
             f"revision: str = {lit(revision)}",
             f"down_revision: str | Sequence[str] | None = {lit(down_revision)}",
             "branch_labels: str | Sequence[str] | None = None",
             "depends_on: str | Sequence[str] | None = None", "", "",
             "def upgrade() -> None:", *up_lines, "", "",
             "def downgrade() -> None:", *down_lines, ""]
    return "\n".join(lines)
