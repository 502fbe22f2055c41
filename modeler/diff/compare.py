"""``diff(old, new)``: the ops that turn one snapshot into another, in a safe order.

Set algebra on stable uids at each level (the way Alembic's autogenerate compares keys, but
renames are detected because uids survive them). Order:

1. namespaces, extensions, collations, sequences (unowned), enums (renames, new types) and
   domains are created or changed first, so tables can use them; a type, collation or
   sequence that goes while a new one takes its name is first renamed out of the way;
2. raw objects (views) that change are dropped, partitions that go, move or change bound
   are detached (see :mod:`modeler.diff.compare_partitions`), then FKs that go or change,
   then indexes and
   constraints, primary keys, tables (children first) and columns; then enum values are
   renamed and added — after the drops, so that the reversed ops recreate dropped columns
   while their old labels exist (changing defaults of enum columns are unset before);
3. renames (temporary names break swaps), column changes, new columns, new tables (parents
   first), keys, constraints, indexes, and finally every new FK — FK cycles need nothing
   special because all tables exist by then; then partitions are attached;
4. comments and design-only metadata, then late removals: sequence ownership, enum values,
   domains, enums, sequences, collations, extensions; raw objects are created last, unused
   namespaces dropped.

Ops that remove something carry the object as it is at that point of the sequence, so
``reverse_all`` replays the exact mirror image.
"""

from __future__ import annotations

from modeler.diff.base import Op, changes_between
from modeler.diff.compare_partitions import attach_partitions, detach_partitions
from modeler.diff.compare_tables import (
    Ctx,
    add_columns,
    add_foreign_keys,
    add_keys_and_elements,
    alter_columns,
    create_tables,
    drop_columns,
    drop_foreign_keys,
    drop_table_elements,
    drop_tables,
    rename_columns,
    rename_elements,
    rename_tables,
    unset_enum_defaults,
)
from modeler.diff.compare_types import (
    add_enum_values,
    change_collations,
    change_domains,
    change_extensions,
    change_raw_objects,
    change_sequences,
    create_enums,
    drop_enums,
    drop_sequences,
    free_names,
    late_enum_values,
    late_sequence_owners,
    rebase_domains,
    rename_enum_values,
    rename_enums,
)
from modeler.diff.ops_table import (
    COLUMN_META_FIELDS,
    RELATIONSHIP_META_FIELDS,
    SCHEMA_META_FIELDS,
    TABLE_META_FIELDS,
    SetComment,
    SetMetadata,
)
from modeler.diff.ops_types import CreateNamespace, DropNamespace
from modeler.schema.model import Schema, normalized


def namespaces(schema: Schema) -> set[str]:
    """Namespaces the design's elements live in (``public`` excluded)."""
    found = {t.namespace for t in schema.tables}
    for group in (schema.enums, schema.domains, schema.sequences, schema.raw_objects,
                  schema.collations):
        found |= {x.namespace for x in group}
    found |= {e.namespace for e in schema.extensions if e.namespace}
    return found - {"public"}


def _comments(ctx: Ctx) -> None:
    for old, new in ctx.shared_tables():
        if old.comment != new.comment:
            ctx.emit(SetComment("table", None, old.uid, old.qualified_name, old.comment,
                                new.comment))
        for coll, target in (("indexes", "index"), ("uniques", "unique"), ("checks", "check")):
            wanted = {e.uid: e for e in getattr(new, coll)}
            for e in getattr(old, coll):
                n = wanted[e.uid]
                if e.comment != n.comment:
                    ctx.emit(SetComment(target, old.uid, e.uid, e.name,  # type: ignore[arg-type]  # target: the collection's kind, from the loop's table
                                        e.comment, n.comment))
    new_rels = {r.uid: r for r in ctx.new.relationships}
    for rel in ctx.state.relationships:
        if rel.comment != new_rels[rel.uid].comment:
            ctx.emit(SetComment("relationship", rel.child_table, rel.uid, rel.name,
                                rel.comment, new_rels[rel.uid].comment))
    new_enums = {e.uid: e for e in ctx.new.enums}
    for enum in ctx.state.enums:
        n = new_enums.get(enum.uid)
        if n is not None and enum.comment != n.comment:
            ctx.emit(SetComment("enum", None, enum.uid, enum.qualified_name, enum.comment,
                                n.comment))


def _metadata(ctx: Ctx) -> None:
    for old, new in ctx.shared_tables():
        changes = changes_between(old, new, TABLE_META_FIELDS)
        if changes:
            ctx.emit(SetMetadata("table", None, old.uid, old.qualified_name, changes))
        have = {c.uid: c for c in old.columns}
        for c in new.columns:
            col_changes = changes_between(have[c.uid], c, COLUMN_META_FIELDS)
            if col_changes:
                ctx.emit(SetMetadata("column", old.uid, c.uid, f"{old.qualified_name}.{c.name}",
                                     col_changes))
    new_rels = {r.uid: r for r in ctx.new.relationships}
    for rel in ctx.state.relationships:
        rel_changes = changes_between(rel, new_rels[rel.uid], RELATIONSHIP_META_FIELDS)
        if rel_changes:
            ctx.emit(SetMetadata("relationship", rel.child_table, rel.uid, rel.name,
                                 rel_changes))


def diff(old: Schema, new: Schema) -> tuple[Op, ...]:
    """The ops that turn ``old`` into ``new`` (both taken in canonical order).

    ``apply_all(diff(a, b), a) == b`` for normalized snapshots, and reversing the ops turns
    ``b`` back into ``a``.
    """
    old, new = normalized(old), normalized(new)
    ctx = Ctx(state=old, new=new)
    for ns in sorted(namespaces(new) - namespaces(old)):
        ctx.emit(CreateNamespace(ns))
    change_extensions(ctx, early=True)
    free_names(ctx)
    change_collations(ctx, early=True)
    change_sequences(ctx)
    rename_enums(ctx)
    rename_enum_values(ctx)
    create_enums(ctx)
    change_domains(ctx, early=True)
    change_raw_objects(ctx, early=True)
    detach_partitions(ctx)
    drop_foreign_keys(ctx)
    drop_table_elements(ctx)
    drop_tables(ctx, old.relationships)
    drop_columns(ctx)
    unset_enum_defaults(ctx)
    add_enum_values(ctx)
    rename_tables(ctx)
    rename_columns(ctx)
    rename_elements(ctx)
    rebase_domains(ctx)
    alter_columns(ctx)
    add_columns(ctx)
    create_tables(ctx)
    add_keys_and_elements(ctx)
    add_foreign_keys(ctx)
    attach_partitions(ctx)
    _comments(ctx)
    _metadata(ctx)
    late_sequence_owners(ctx)
    late_enum_values(ctx)
    change_domains(ctx, early=False)
    drop_enums(ctx)
    drop_sequences(ctx)
    change_collations(ctx, early=False)
    change_extensions(ctx, early=False)
    change_raw_objects(ctx, early=False)
    for ns in sorted(namespaces(old) - namespaces(new)):
        ctx.emit(DropNamespace(ns))
    schema_changes = changes_between(ctx.state, new, SCHEMA_META_FIELDS)
    if schema_changes:
        ctx.emit(SetMetadata("schema", None, "", new.name or "project", schema_changes))
    if ctx.state != new:  # pragma: no cover - a differ bug; the property tests guard this
        raise AssertionError("diff() does not reproduce the new snapshot: "
                             f"{_first_difference(ctx.state, new)}")
    return tuple(ctx.ops)


def _first_difference(a: Schema, b: Schema) -> str:
    for f in ("tables", "relationships", "enums", "domains", "extensions", "sequences",
              "raw_objects", "settings", "name", "collations"):
        if getattr(a, f) != getattr(b, f):
            return f
    return "?"


def apply_all(ops: tuple[Op, ...] | list[Op], schema: Schema) -> Schema:
    """Apply ``ops`` in order (Django's ``state_forwards`` over a migration)."""
    for op in ops:
        schema = op.apply(schema)
    return schema


def reverse_all(ops: tuple[Op, ...] | list[Op]) -> tuple[Op, ...]:
    """The ops that undo ``ops``: each reversed, in reverse order."""
    return tuple(op.reverse() for op in reversed(ops))

