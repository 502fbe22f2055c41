"""What a fix's diff ops mean to people and to other fixes.

A rule's fix is a pure change of the design; what it does is ``diff(old, fixed)`` (see
:mod:`modeler.diff`). :func:`preview_lines` says it in the fix preview's words (one line per
changed element: a foreign key dropped and added again to change its actions reads as one
change), :func:`claims` lists what it touches or takes so that independent fixes can be
combined without stepping on each other (:func:`modeler.rules.fixes.combine`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields, replace

from modeler.diff import (
    AddColumn,
    AddForeignKey,
    AddIndex,
    AlterColumn,
    AlterSequence,
    Change,
    CreateExtension,
    DropForeignKey,
    DropIndex,
    DropSequence,
    Op,
    RenameColumn,
    RenameForeignKey,
    RenamePrimaryKey,
    RenameTable,
    RenameTableElement,
    SetMetadata,
    apply_all,
    diff,
)
from modeler.schema import naming
from modeler.schema.model import (
    ColumnType,
    Relationship,
    Schema,
    Table,
    qualified_name,
)


def _changed(before: Mapping[str, object], after: Mapping[str, object]) -> set[str]:
    """Uids of what is new, gone or another object (edits keep what they leave alone)."""
    return {u for u in before.keys() | after.keys() if before.get(u) is not after.get(u)}


def _part(schema: Schema, tables: set[str], rels: set[str], seqs: set[str]) -> Schema:
    return replace(schema, tables=tuple(t for t in schema.tables if t.uid in tables),
                   relationships=tuple(r for r in schema.relationships if r.uid in rels),
                   sequences=tuple(s for s in schema.sequences if s.uid in seqs))


def fix_diff(old: Schema, new: Schema) -> tuple[Op, ...]:
    """``diff(old, new)`` for a fix, which changes a few elements of what may be a large
    design: the differ sees only the tables, foreign keys and sequences that change, the
    foreign keys that touch those tables, the tables at their ends and partition parents and
    children, and everything else but tables, FKs and sequences whole. The ops are checked
    to lead from ``old`` to ``new`` (as they do when both are normalized, as edits leave
    them); when they do not, the whole diff is taken."""
    rels_before = {r.uid: r for r in old.relationships}
    rels_after = {r.uid: r for r in new.relationships}
    both = [*old.relationships, *new.relationships]
    tables = _changed({t.uid: t for t in old.tables}, {t.uid: t for t in new.tables})
    seqs = _changed({s.uid: s for s in old.sequences}, {s.uid: s for s in new.sequences})
    rels = _changed(rels_before, rels_after)
    rels |= {r.uid for r in both if r.child_table in tables or r.parent_table in tables}
    keep = set(tables) | {u for r in both if r.uid in rels for u in (r.child_table,
                                                                     r.parent_table)}
    keep |= {s.owned_by_table for s in (*old.sequences, *new.sequences)
             if s.uid in seqs and s.owned_by_table is not None}
    for design in (old, new):
        keep |= {t.uid for t in design.tables if t.partition_of in tables}
        parents = {t.uid: t.partition_of for t in design.tables}
        for uid in list(keep):
            parent = parents.get(uid)
            while parent is not None:
                keep.add(parent)
                parent = parents.get(parent)
    if len(keep) == len(old.tables):
        return diff(old, new)
    seqs |= {s.uid for s in (*old.sequences, *new.sequences) if s.owned_by_table in keep}
    ops = diff(_part(old, keep, rels, seqs), _part(new, keep, rels, seqs))
    try:
        if apply_all(ops, old) == new:
            return ops
    except (KeyError, ValueError):  # pragma: no cover - the full diff says what it is
        pass
    return diff(old, new)


def show(value: object, schema: Schema) -> str:
    """A field value as the preview spells it."""
    if isinstance(value, ColumnType):
        return value.short(schema)
    if value is None:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def _table(schema: Schema, uid: str) -> Table | None:
    try:
        return schema.table(uid)
    except KeyError:
        return None


def _label(old: Schema, new: Schema, table_uid: str) -> str:
    t = _table(old, table_uid) or _table(new, table_uid)
    return t.qualified_name if t is not None else table_uid


def _changes(changes: Iterable[Change], schema: Schema) -> str:
    return ", ".join(f"{c.field} {show(c.old, schema)} → {show(c.new, schema)}"
                     for c in changes)


def _add_column(op: AddColumn, old: Schema, new: Schema) -> str:
    c = op.column
    bits = [c.type.short(new), "NULL" if c.nullable else "NOT NULL"]
    if c.default is not None:
        bits.append(f"DEFAULT {c.default}")
    return f"Add column {_label(old, new, op.table_uid)}.{c.name} {' '.join(bits)}"


def _add_index(op: AddIndex, old: Schema, new: Schema) -> str:
    t = _table(new, op.table_uid)
    names = {c.uid: c.name for c in t.columns} if t is not None else {}
    keys = [p.expression or "" if p.column is None else
            names.get(p.column, p.column) + (" DESC" if p.descending else "")
            for p in op.index.parts]
    kind = "unique index" if op.index.unique else "index"
    using = "" if op.index.method == "btree" else f" USING {op.index.method}"
    return (f"Add {kind} {op.index.name} on {_label(old, new, op.table_uid)}{using} "
            f"({', '.join(keys)})")


def _rename_pk(op: RenamePrimaryKey, old: Schema, new: Schema) -> str:
    t = _table(old, op.table_uid) or _table(new, op.table_uid)
    name = op.new_name or (naming.pk_name(t.name) if t is not None else "the convention's name")
    return f"Rename the primary key of {_label(old, new, op.table_uid)} to {name}"


def _rename_element(op: RenameTableElement, old: Schema, new: Schema) -> str:
    what = "index" if op.collection == "indexes" else "constraint"
    return (f"Rename {what} {_label(old, new, op.table_uid)}.{op.old_name} "
            f"to {op.new_name}")


def _line(op: Op, old: Schema, new: Schema) -> str:
    match op:
        case AddColumn():
            return _add_column(op, old, new)
        case RenameColumn():
            return (f"Rename column {_label(old, new, op.table_uid)}.{op.old_name} "
                    f"to {op.new_name}")
        case RenameTable():
            return (f"Rename table {qualified_name(op.old_namespace, op.old_name)} "
                    f"to {op.new_name}")
        case RenamePrimaryKey():
            return _rename_pk(op, old, new)
        case AddIndex():
            return _add_index(op, old, new)
        case DropIndex():
            return f"Drop index {op.index.name} on {_label(old, new, op.table_uid)}"
        case RenameTableElement():
            return _rename_element(op, old, new)
        case RenameForeignKey():
            return f"Rename foreign key {op.old_name} to {op.new_name}"
        case DropSequence():
            return f"Drop sequence {op.sequence.qualified_name}"
        case CreateExtension():
            return f"Add extension {op.extension.name}"
    text = op.describe()
    return text[:1].upper() + text[1:]


def _column_key(op: Op) -> str | None:
    """The column whose field changes ``op`` makes (database or design-only fields)."""
    if isinstance(op, AlterColumn) or (isinstance(op, SetMetadata) and op.target == "column"):
        return op.uid
    return None


def _fk_key(op: Op) -> str | None:
    """The foreign key ``op`` changes: PostgreSQL changes its actions by dropping and adding
    it again, the design by setting fields (design-only ones through SetMetadata)."""
    if isinstance(op, DropForeignKey | AddForeignKey):
        return op.relationship.uid
    if isinstance(op, SetMetadata) and op.target == "relationship":
        return op.uid
    return None


def _column_change(uid: str, old: Schema, new: Schema, ops: Sequence[Op]) -> str:
    mine = [op for op in ops if isinstance(op, AlterColumn | SetMetadata) and op.uid == uid]
    changes = [c for op in mine for c in op.changes]
    table = mine[0].table_uid or ""
    try:
        name = old.column(uid).name
    except KeyError:
        name = uid
    return f"Change {_label(old, new, table)}.{name}: {_changes(changes, old)}"


def _fk_change(uid: str, old: Schema, new: Schema) -> str | None:
    before = next((r for r in old.relationships if r.uid == uid), None)
    after = next((r for r in new.relationships if r.uid == uid), None)
    if before is None or after is None:
        return None  # added or dropped: the op says it
    changes = [Change(f.name, getattr(before, f.name), getattr(after, f.name))
               for f in fields(Relationship) if f.name not in ("uid", "name")
               and getattr(before, f.name) != getattr(after, f.name)]
    if not changes:
        return None  # dropped and added again unchanged (its key was recreated)
    return f"Change foreign key {before.name}: {_changes(changes, old)}"


def preview_lines(old: Schema, ops: Sequence[Op]) -> tuple[str, ...]:
    """One line per change ``ops`` make to ``old``, for the fix preview (names as in
    ``old``); an element's field changes read as one line, where its first op is, and a
    sequence dropped is not also altered."""
    new = apply_all(tuple(ops), old)
    out: list[str] = []
    dropped = {op.sequence.uid for op in ops if isinstance(op, DropSequence)}
    seen: set[str] = set()
    for op in ops:
        if isinstance(op, AlterSequence) and op.uid in dropped:
            continue  # released by its column before the drop: the drop says it
        col, fk = _column_key(op), _fk_key(op)
        if col is not None or fk is not None:
            key = col or fk or ""
            if key in seen:
                continue
            seen.add(key)
            line = (_column_change(key, old, new, ops) if col is not None
                    else _fk_change(key, old, new))
            if line is not None:
                out.append(line)
                continue
        out.append(_line(op, old, new))
    return tuple(out)


def _namespace(schema: Schema, table_uid: str) -> str:
    t = _table(schema, table_uid)
    return t.namespace if t is not None else "public"


def _op_claims(op: Op, schema: Schema) -> set[str]:
    match op:
        case AddColumn():
            return {f"col:{op.table_uid}:{op.column.name}", f"el:{op.column.uid}"}
        case RenameColumn():
            return {f"el:{op.uid}", f"col:{op.table_uid}:{op.new_name}"}
        case RenameTable():
            return {f"el:{op.uid}", f"rel:{op.new_namespace}:{op.new_name}"}
        case RenamePrimaryKey():
            t = _table(schema, op.table_uid)
            name = op.new_name or naming.pk_name(t.name if t is not None else op.table_name)
            return {f"el:{op.table_uid}:pk", f"rel:{_namespace(schema, op.table_uid)}:{name}",
                    f"con:{op.table_uid}:{name}"}
        case AddIndex():
            ix = op.index
            cols = ",".join(sorted(p.column or f"expr:{p.expression}" for p in ix.parts))
            return {f"rel:{_namespace(schema, op.table_uid)}:{ix.name}", f"el:{ix.uid}",
                    f"ixcols:{op.table_uid}:{ix.method}:{cols}"}
        case RenameTableElement():
            keys = {f"el:{op.uid}"}
            if op.collection != "checks":
                keys.add(f"rel:{_namespace(schema, op.table_uid)}:{op.new_name}")
            if op.collection != "indexes":
                keys.add(f"con:{op.table_uid}:{op.new_name}")
            return keys
        case RenameForeignKey():
            return {f"el:{op.uid}", f"con:{op.table_uid}:{op.new_name}"}
        case CreateExtension():
            return {f"ext:{op.extension.name}"}
        case DropSequence():
            return {f"el:{op.sequence.uid}"}
        case DropIndex():
            return {f"el:{op.index.uid}"}
        case AddForeignKey() | DropForeignKey():
            return {f"el:{op.relationship.uid}"}
    entry = op.summary()
    return {f"el:{entry.uid}"} if entry is not None else {f"op:{op!r}"}


def claims(schema: Schema, ops: Iterable[Op]) -> frozenset[str]:
    """Keys of what ``ops`` (applied to ``schema``) touch or take: ``el:<uid>`` for a changed
    element, ``col:``/``rel:``/``con:``/``ext:`` keys for names they introduce, ``ixcols:``
    for the columns a new index covers."""
    return frozenset().union(*(_op_claims(op, schema) for op in ops))
