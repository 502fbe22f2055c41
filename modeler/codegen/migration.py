"""Alembic revision files from two snapshots.

``upgrade()`` renders ``diff(old, new)``; ``downgrade()`` renders the reversed ops, so the
downgrade is real and mechanical. Each op is rendered knowing the snapshot just before and
just after it (the renderer replays the ops), which gives every statement the names of the
moment. Each op class has one renderer, registered with its kind (creates, drops, alters) in
:mod:`modeler.codegen.migration_ops` (Alembic's ``renderers.dispatch_for`` shape); the
imports a revision needs are those its statements' calls record while they are rendered.
Schema objects Alembic has no operation for (enums, domains, sequences, extensions, comments
on constraints) go through ``op.execute`` with identifiers quoted by one function.

When the design has ``updated_at_mode == "trigger"``, every table with an ``updated_at``
column gets a ``BEFORE UPDATE`` trigger calling one shared ``set_updated_at()`` function (a
partitioned table's family one: on the parent from PostgreSQL 13, on each leaf below, see
:func:`modeler.codegen.extras.updated_at_tables`); the function is created by the first
statement that needs it and dropped once nothing does, in either direction. It is named
otherwise (``public.set_updated_at_1()``...) while the design keeps a routine of that name
(:func:`modeler.codegen.sqlwriter.updated_at_function`), and renamed by the revision whose
ends name it differently (:func:`_function_names`).

Revisions that touch tables which already existed use low-lock forms (see
:mod:`modeler.codegen.migration_tables` and :mod:`modeler.codegen.migration_keys`) and start
with ``SET lock_timeout`` / ``SET statement_timeout``, reset at the end.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

import pglast

from modeler.codegen.extras import ROW_TRIGGERS_ON_PARTITIONED, updated_at_tables
from modeler.codegen.migration_code import (
    Stmt,
    execute,
    ident,
    lit,
    render_body,
    sql_str,
)
from modeler.codegen.migration_ctx import Namesakes, RenderCtx, tq
from modeler.codegen.migration_ops import RENDERERS
from modeler.codegen.migration_types import sequence_alteration
from modeler.codegen.pysource import Imports
from modeler.codegen.sqlwriter import (
    free_function_name,
    kept_routines,
    trigger_name,
    updated_at_function_drop_sql,
    updated_at_function_rename_sql,
    updated_at_function_sql,
    updated_at_trigger_sql,
)
from modeler.diff import (
    AddEnumValue,
    AlterSequence,
    CreateDomain,
    CreateRawObject,
    CreateSequence,
    CreateTable,
    DropExtension,
    DropRawObject,
    DropSequence,
    DropTable,
    Op,
    RemoveEnumValue,
    RenameEnum,
    RenameEnumValue,
    ReorderEnumValues,
    apply_all,
    diff,
    reverse_all,
)
from modeler.diff.base import apply_changes
from modeler.diff.compare import namespaces
from modeler.schema import sqlexpr
from modeler.schema.model import Schema, Table, normalized
from modeler.schema.model import Sequence as SequenceObj
from modeler.schema.updated_at import self_maintained

LOCK_TIMEOUT = "5s"  # fail fast instead of queueing behind long transactions
STATEMENT_TIMEOUT = "15min"  # generous: CONCURRENTLY builds on big tables take a while


def _trigger_tables(schema: Schema, own: frozenset[str] | None = None) -> dict[str, Table]:
    """The tables carrying the ``updated_at`` trigger (:func:`extras.updated_at_tables`:
    a partitioned table's or its leaves', by the target version; ``own``: the tables left
    to their own trigger, default those of ``schema``) by uid."""
    return {t.uid: t for t in updated_at_tables(schema, own)}


class _TriggerTables:
    """``_trigger_tables`` along a chain of snapshots, each the previous one plus an op:
    recomputed only when an op replaced the tables or the kept objects (most ops, enums
    and sequences, leave the very same tuples)."""

    def __init__(self, start: Schema, own: frozenset[str]) -> None:
        self.tables, self.settings = start.tables, start.settings
        self.own = own  # the tables left to their own trigger between start and end
        self.final = False
        self.found = _trigger_tables(start)

    def of(self, schema: Schema, final: bool = False) -> dict[str, Table]:
        """The trigger tables of ``schema``, a state within the revision: the tables left
        to their own trigger at its start or at its end have none there (a kept trigger
        dropped before its table, as a downgrade does, is no reason to make one for a
        moment), except at its end (``final``), where they are its end's."""
        if schema.tables is not self.tables or schema.settings != self.settings \
                or final != self.final:
            self.tables, self.settings, self.final = schema.tables, schema.settings, final
            self.found = _trigger_tables(schema, None if final else self.own)
        return self.found


def _triggers(before: Schema, after: Schema, memo: _TriggerTables | None = None,
              final: bool = False, fn: str = "") -> list[Stmt]:
    """Trigger (and shared function) statements that follow one op. Trigger names and the
    function text come from :mod:`modeler.codegen.extras`, so that migrations and
    ``create_all`` build the same catalog. ``memo``: holds ``before``'s tables; ``final``:
    the op is the revision's last; ``fn``: the function's name within the revision
    (:func:`_function_names`; default: ``after``'s)."""
    fn = fn or _function_names(before, after)[1]
    had = memo.found if memo is not None else _trigger_tables(before)
    has = memo.of(after, final) if memo is not None else _trigger_tables(after)
    out: list[Stmt] = []
    if has and not had:
        out.append(execute(updated_at_function_sql(fn)))
    after_tables = {t.uid: t for t in after.tables}
    for uid, table in has.items():
        if uid not in had:
            out.append(execute(updated_at_trigger_sql(table, fn)))
        elif trigger_name(had[uid]) != trigger_name(table):  # follows a table rename
            out.append(execute(f"ALTER TRIGGER {ident(trigger_name(had[uid]))} ON {tq(table)} "
                               f"RENAME TO {ident(trigger_name(table))}"))
    for uid, table in had.items():
        if uid not in has and uid in after_tables:
            out.append(execute(f"DROP TRIGGER IF EXISTS {ident(trigger_name(table))} ON "
                               f"{tq(after_tables[uid])}"))
    if had and not has:
        out.append(execute(updated_at_function_drop_sql(fn)))
    return out


def _function_names(start: Schema, end: Schema) -> tuple[str, str, str]:
    """The export's function's name at the start of a revision, within it (what its ops
    create, call and drop) and at its end (:func:`sqlwriter.updated_at_function`: another
    than a routine the design keeps). Within, it must clash with no kept routine of either
    side (the ops create and drop those): the end's name when the start keeps none of it
    (renamed first), else the start's when the end keeps none of it (renamed last), else
    one that neither keeps (renamed first and last)."""
    kept_start, kept_end = kept_routines(start), kept_routines(end)
    old, new = free_function_name(kept_start), free_function_name(kept_end)
    if old == new or new not in kept_start:
        return old, new, new
    if old not in kept_end:
        return old, old, new
    return old, free_function_name(kept_start | kept_end), new


def _creates(op: Op) -> bool:
    """Ops whose rendering needs no snapshot of the moment: creations read the end state,
    drops (:func:`_drops`) the start state (no renames in between). A revision made of one
    kind only (a baseline and its downgrade) is rendered without replaying the ops one by
    one. The kinds are registered with the renderers (:mod:`modeler.codegen.migration_ops`)."""
    return RENDERERS.kind(op) in ("creates", "either")


def _drops(op: Op) -> bool:
    return RENDERERS.kind(op) in ("drops", "either")


_OWNER_FIELDS = frozenset({"owned_by_table", "owned_by_column"})


def _owner_change(op: Op) -> bool:
    """A sequence's ``OWNED BY`` and nothing else: the differ creates sequences unowned and
    owns them once their table exists (and releases them first on the way down)."""
    return isinstance(op, AlterSequence) and all(c.field in _OWNER_FIELDS for c in op.changes)


def _static(ops: Sequence[Op], start: Schema, end: Schema | None) -> bool:
    """Can ``ops`` be rendered against the end state (``start`` for what they drop) instead
    of applying them one by one? Yes when they only create, or only drop, besides sequence
    owners (a baseline of an existing database, and its downgrade)."""
    if end is None or _trigger_rule(start) != _trigger_rule(end):
        return False
    # a table on both sides that gains or loses a kept updated_at trigger of its own loses
    # or gains the export's: step by step (_triggers), which sees the change
    both = {t.uid for t in start.tables} & {t.uid for t in end.tables}
    if both and self_maintained(start) & both != self_maintained(end) & both:
        return False
    rest = [op for op in ops if not _owner_change(op)]
    return all(_creates(op) for op in rest) or all(_drops(op) for op in rest)


def first_values(ops: Sequence[Op], start: Schema) -> set[int]:
    """Indexes of the ``ops`` adding an enum value that are rendered ahead of all others.
    ``ALTER TYPE ... ADD VALUE`` runs in an autocommit block (a value cannot be used in the
    transaction that adds it), which commits what ran before it: first, a failure later in
    the revision leaves nothing but the values behind, and the revision runs again (``ADD
    VALUE IF NOT EXISTS``). Only where nothing else of the revision renames the enum or its
    values, removes or reorders them (the value's neighbour and the type are named as at
    the start) and the label is new to the enum."""
    touched = {op.uid if isinstance(op, RenameEnum) else op.enum_uid for op in ops
               if isinstance(op, RenameEnum | RenameEnumValue | RemoveEnumValue
                             | ReorderEnumValues)}
    labels = {e.uid: set(e.labels) for e in start.enums}
    adds = [(i, op) for i, op in enumerate(ops) if isinstance(op, AddEnumValue)]
    touched |= {op.enum_uid for _, op in adds
                if op.enum_uid not in labels or op.value.label in labels[op.enum_uid]}
    return {i for i, op in adds if op.enum_uid not in touched}


def _trigger_rule(schema: Schema) -> tuple[str, bool]:
    """What decides which tables carry the ``updated_at`` trigger besides the tables: the
    mode, and whether a partitioned table can (:func:`extras.updated_at_tables`)."""
    settings = schema.settings
    return settings.updated_at_mode, settings.pg_version >= ROW_TRIGGERS_ON_PARTITIONED


def _static_owner(op: AlterSequence, sequences: dict[str, SequenceObj], start: Schema,
                  end: Schema, end_tables: frozenset[str]) -> list[Stmt]:
    """An owner change in a static revision: ``sequences`` (uid -> the sequence as the ops so
    far left it) gives the before and after; the owner table is named from the end state, or
    from the start when the revision drops it (tables are neither renamed nor altered in a
    static revision, so both name it as the step-by-step state would). ``end_tables``: the
    uids of the end state's tables (computed once for the revision's owner changes)."""
    before = sequences[op.uid]
    after = sequences[op.uid] = apply_changes(before, op.changes)
    owner = after.owned_by_table
    schema = start if owner is not None and owner not in end_tables else end
    return sequence_alteration(op, before, after, schema)


_DROPPED = ("tables", "sequences", "raw_objects", "extensions")


class _Without:
    """``start`` less the tables, sequences, kept objects and extensions a static revision
    dropped so far: the state before a kept object's drop as far as its renderer reads it
    (names of the tables, sequences and kept objects left), as applying the drops one by one
    gives. Each drop takes its elements out of the collections by their place (a revision
    that drops musicbrainz drops 593 kept objects, and filtering every collection again for
    each cost 200,000 steps)."""

    def __init__(self, start: Schema) -> None:
        self.start = start
        self.left: dict[str, dict[int, Any]] = {
            name: dict(enumerate(getattr(start, name))) for name in _DROPPED}
        self.places: dict[str, list[tuple[str, int]]] = {}
        for name, items in self.left.items():
            for n, item in items.items():
                self.places.setdefault(item.uid, []).append((name, n))
        self.dropped = False
        self._schema: Schema | None = None

    def present(self, uid: str) -> bool:
        """Whether the element ``uid`` of ``start`` is not dropped (yet)."""
        return uid in self.places

    def drop(self, uid: str) -> None:
        self.dropped = True
        for name, n in self.places.pop(uid, ()):
            del self.left[name][n]
            self._schema = None

    def schema(self) -> Schema:
        if self._schema is None:
            left = self.left
            self._schema = replace(self.start, tables=tuple(left["tables"].values()),
                                   sequences=tuple(left["sequences"].values()),
                                   raw_objects=tuple(left["raw_objects"].values()),
                                   extensions=tuple(left["extensions"].values()))
        return self._schema


def _static_triggers(op: Op, had: dict[str, Table], has: dict[str, Table],
                     fn: str) -> list[Stmt]:
    """What :func:`_triggers` says after a creation or a drop: ``had`` (the trigger tables so
    far) is updated in place from ``has`` (those of the end state); ``fn``: the function's
    name within the revision."""
    out: list[Stmt] = []
    if isinstance(op, CreateTable) and op.table.uid in has:
        if not had:
            out.append(execute(updated_at_function_sql(fn)))
        had[op.table.uid] = op.table
        out.append(execute(updated_at_trigger_sql(op.table, fn)))
    elif isinstance(op, DropTable) and op.table.uid in had:
        del had[op.table.uid]
        if not had:
            out.append(execute(updated_at_function_drop_sql(fn)))
    return out


def search_path(start: Schema, end: Schema) -> str | None:
    """``public`` then the other namespaces of the design, when it has any: expressions
    (CHECKs, defaults, index keys) and kept SQL may name their functions and types without a
    namespace, as the script they were imported from could (``SET search_path = app``).
    The Alembic revisions and the drizzle migrations set the same one."""
    found = sorted((namespaces(start) | namespaces(end)) - {"public"})
    return ", ".join(["public", *(ident(n) for n in found)]) if found else None


def render_ops(ops: Sequence[Op], start: Schema, *, safe: bool,
               end: Schema | None = None) -> tuple[list[Stmt], set[str]]:
    """Statements for ``ops`` applied to ``start`` (giving ``end``, when known), and the
    imports their code needs."""
    final_state = end or apply_all(tuple(ops), start)
    ctx = RenderCtx(before=start, after=start, existing=frozenset(t.uid for t in start.tables),
                    safe=safe, search_path=search_path(start, final_state))
    stmts: list[Stmt] = []
    raw: list[int] = []  # where statements of raw objects start and end
    static = end is not None and _static(ops, start, end)
    had: dict[str, Table] = {}
    has: dict[str, Table] = {}
    if static and end is not None:
        ctx.after = end
        had, has = _trigger_tables(start), _trigger_tables(end)
    memo = None if static else _TriggerTables(
        start, self_maintained(start) | self_maintained(final_state))
    sequences = {q.uid: q for q in start.sequences} if static else {}
    end_tables = frozenset(t.uid for t in end.tables) if static and end is not None else frozenset()
    dropped = _Without(start)
    if static:
        ctx.kept = Namesakes(start.raw_objects, dropped.present)
    # the export's function renamed before the ops and after them when its name changes
    # (a kept routine of its name comes or goes), while it exists
    first, within, then = _function_names(start, final_state)
    if first != within and _trigger_tables(start):
        stmts.extend(ctx.take([execute(updated_at_function_rename_sql(first, within))]))
    last = len(ops) - 1
    ahead = first_values(ops, start)
    values: list[Stmt] = []  # the statements of those ops, put first
    for i, op in enumerate(ops):
        if not static:
            ctx.before, ctx.after = ctx.after, op.apply(ctx.after)
        elif isinstance(op, CreateSequence):
            sequences[op.sequence.uid] = op.sequence
        elif isinstance(op, AlterSequence) and end is not None:
            stmts.extend(ctx.take(_static_owner(op, sequences, start, end, end_tables)))
            continue
        elif isinstance(op, DropRawObject | DropExtension) and dropped.dropped:
            ctx.before = dropped.schema()
        rendered = RENDERERS.render(op, ctx)
        if static:
            ctx.before = start
            if isinstance(op, DropTable | DropSequence | DropRawObject):
                dropped.drop(op.table.uid if isinstance(op, DropTable) else
                             op.sequence.uid if isinstance(op, DropSequence) else op.obj.uid)
            elif isinstance(op, DropExtension):  # what migration_runtime.drop_extension reads
                dropped.drop(op.extension.uid)
        if isinstance(op, CreateRawObject):
            raw += [len(stmts), len(stmts) + len(rendered)]
        (values if i in ahead else stmts).extend(rendered)
        stmts.extend(ctx.take(_static_triggers(op, had, has, within) if static
                              else _triggers(ctx.before, ctx.after, memo, i == last, within)))
    if within != then and _trigger_tables(final_state):
        stmts.extend(ctx.take([execute(updated_at_function_rename_sql(within, then))]))
    def setting(sql: str) -> Stmt:  # a SET around the ops' statements
        return ctx.take([execute(sql)])[0]

    if raw:  # as pg_dump does: a function may call one created after it
        stmts = [*stmts[:raw[0]], setting("SET check_function_bodies = false"),
                 *stmts[raw[0]:raw[-1]], setting("RESET check_function_bodies"),
                 *stmts[raw[-1]:]]
    stmts = values + stmts
    if ctx.search_path:
        stmts = [setting(f"SET search_path = {ctx.search_path}"), *stmts,
                 setting("RESET search_path")]
    if ctx.touched:
        stmts = [setting(f"SET lock_timeout = {sql_str(LOCK_TIMEOUT)}"),
                 setting(f"SET statement_timeout = {sql_str(STATEMENT_TIMEOUT)}"),
                 *stmts, setting("RESET statement_timeout"), setting("RESET lock_timeout")]
    return stmts, set(ctx.imports.lines)


def _doc(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"')


def _bullets(lines: Iterable[str]) -> list[str]:
    out = []
    for line in lines:
        text = _doc(line)
        if len(text) <= 94 and text.isprintable() and not text.endswith(" ") and text:
            out.append("- " + text)  # what textwrap gives a line that fits (most of them)
        else:
            out += textwrap.wrap(text, width=96, initial_indent="- ",
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
        lines += ["", "Notes and waivers:", *_bullets(notes)]  # as DESIGN.md says
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
    if not all(_creates(op) for op in ops):
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
    imports = Imports(["from collections.abc import Sequence", "from alembic import op",
                       *up_imports, *down_imports])
    lines = [*_docstring(message, revision, down_revision, created, ops, notes), "",
             imports.render(),
             f"revision: str = {lit(revision)}",
             f"down_revision: str | Sequence[str] | None = {lit(down_revision)}",
             "branch_labels: str | Sequence[str] | None = None",
             "depends_on: str | Sequence[str] | None = None", "", "",
             "def upgrade() -> None:", *up_lines, "", "",
             "def downgrade() -> None:", *down_lines, ""]
    return "\n".join(lines)
