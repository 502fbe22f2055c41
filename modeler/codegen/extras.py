"""DDL for what SQLAlchemy's table metadata does not create: namespaces, extensions,
collations, enum and domain types, standalone sequences, partitions being attached, the
``updated_at`` trigger, comments on types, collations, indexes and constraints.

The same statements are written into ``schema.sql`` and attached to the models' metadata as
``before_create`` / ``after_create`` DDL, so that ``Base.metadata.create_all()`` builds exactly
the catalog the migrations build (the export tests compare the two with ``pg_dump -s``).
"""

from __future__ import annotations

from modeler.codegen.sqlwriter import (
    attach_sql,
    collation_sql,
    comment_sql,
    create_domain_sql,
    create_enum_sql,
    create_sequence_sql,
    ident,
    qname,
    table_name,
    updated_at_function,
    updated_at_function_drop_sql,
    updated_at_function_sql,
    updated_at_trigger_sql,
)
from modeler.schema.graph import domains_in_base_order
from modeler.schema.model import CheckConstraint, Column, Schema, Table, UniqueConstraint
from modeler.schema.updated_at import self_maintained


def namespaces(schema: Schema) -> list[str]:
    """Non-public namespaces used by the design, sorted."""
    found = {t.namespace for t in schema.tables} | {e.namespace for e in schema.enums}
    found |= {d.namespace for d in schema.domains} | {s.namespace for s in schema.sequences}
    found |= {e.namespace for e in schema.extensions if e.namespace}
    found |= {c.namespace for c in schema.collations}
    return sorted(found - {"public", ""})


def raw_namespaces(schema: Schema) -> list[str]:
    """Namespaces only kept SQL lives in (a view in ``hr`` over tables elsewhere), sorted:
    :func:`namespaces` leaves them out (schema.ts declares no ``pgSchema`` for them, so the
    Drizzle snapshots do not list them); the Alembic revisions, ``schema.sql`` and the
    Drizzle migration create them."""
    found = {o.namespace for o in schema.raw_objects} - set(namespaces(schema))
    return sorted(found - {"public", ""})


# PostgreSQL 13 is the first to accept a row trigger on a partitioned table (it clones it to
# every partition, those attached later included, and takes the clone off one detached)
ROW_TRIGGERS_ON_PARTITIONED = 13


def updated_at_tables(schema: Schema, own: frozenset[str] | None = None) -> list[Table]:
    """Tables that carry the trigger maintaining their ``updated_at`` (settings: trigger
    mode). A partitioned table's partitions have it from their root's, cloned by PostgreSQL
    13 and later (one of their own would run a second time per row); below 13 (the
    project's target version) a partitioned table cannot have it, so each leaf partition
    has its own. A table whose kept SQL maintains its ``updated_at`` itself has none
    (:func:`modeler.schema.updated_at.self_maintained`; ``own``: those tables' uids, when
    the caller decides them)."""
    if schema.settings.updated_at_mode != "trigger":
        return []
    on_parent = schema.settings.pg_version >= ROW_TRIGGERS_ON_PARTITIONED
    if own is None:  # a kept trigger of its own does more: it alone runs
        own = self_maintained(schema)
    return [t for t in schema.tables if t.column_named("updated_at") is not None
            and (t.partition_of is None if on_parent else t.partition_by is None)
            and t.uid not in own]


def partitions_in_attach_order(schema: Schema) -> list[Table]:
    """The partitions, deepest first (as the differ attaches them)."""
    parts = [t for t in schema.tables if t.partition_of is not None]
    return sorted(parts, key=lambda t: (-schema.partition_depth(t.uid), t.namespace, t.name))


def pre_create(schema: Schema) -> list[str]:
    """Statements that must run before the tables are created."""
    out = [f"CREATE SCHEMA IF NOT EXISTS {ident(ns)}" for ns in namespaces(schema)]
    for ext in schema.extensions:
        with_schema = f" WITH SCHEMA {ident(ext.namespace)}" if ext.namespace else ""
        out.append(f"CREATE EXTENSION IF NOT EXISTS {ident(ext.name)}{with_schema} CASCADE")
    out += [collation_sql(c) for c in schema.collations]
    out += [create_enum_sql(e) for e in schema.enums]
    out += [create_domain_sql(d, schema) for d in domains_in_base_order(schema.domains)]
    out += [create_sequence_sql(s, schema, owned=False) for s in schema.sequences]
    return out

def post_create(schema: Schema) -> list[str]:
    """Statements that must run after the tables exist (partitions are created plain, with
    their own keys, indexes and FKs, and attached here)."""
    out = [attach_sql(schema.table(t.partition_of or ""), t, t.partition_bound)
           for t in partitions_in_attach_order(schema)]
    trig = updated_at_tables(schema)
    if trig:
        name = updated_at_function(schema)
        out.append(updated_at_function_sql(name))
        out += [updated_at_trigger_sql(t, name) for t in trig]
    for s in schema.sequences:
        if s.owned_by_table and s.owned_by_column:
            t, c = schema.table(s.owned_by_table), schema.column(s.owned_by_column)
            out.append(f"ALTER SEQUENCE {qname(s.namespace, s.name)} OWNED BY "
                       f"{table_name(t)}.{ident(c.name)}")
    out += [compression_sql(t, c) for t in schema.tables for c in t.columns if c.compression]
    out += comments(schema)
    return out


def compression_sql(t: Table, c: Column) -> str:
    """A column's COMPRESSION, set after the table exists (SQLAlchemy's ``Column`` cannot
    say it; the migrations and ``create_all`` both run this)."""
    return (f"ALTER TABLE {table_name(t)} ALTER COLUMN {ident(c.name)} "
            f"SET COMPRESSION {c.compression or 'default'}")


def comments(schema: Schema) -> list[str]:
    """COMMENT ON statements for types, domains, indexes and constraints (table and column
    comments travel with the table metadata)."""
    out = [comment_sql(f"TYPE {qname(e.namespace, e.name)}", e.comment)
           for e in schema.enums if e.comment]
    out += [comment_sql(f"DOMAIN {qname(d.namespace, d.name)}", d.comment)
            for d in schema.domains if d.comment]
    out += [comment_sql(f"COLLATION {c.ref}", c.comment) for c in schema.collations if c.comment]
    for t in schema.tables:
        target = table_name(t)
        out += [comment_sql(f"INDEX {qname(t.namespace, i.name)}", i.comment)
                for i in t.indexes if i.comment]
        named: list[UniqueConstraint | CheckConstraint] = [*t.uniques, *t.checks]
        out += [comment_sql(f"CONSTRAINT {ident(c.name)} ON {target}", c.comment)
                for c in sorted(named, key=lambda c: c.name) if c.comment]
    for r in schema.relationships:
        if r.comment:
            out.append(comment_sql(f"CONSTRAINT {ident(r.name)} ON "
                                   f"{table_name(schema.table(r.child_table))}", r.comment))
    return out


def post_drop(schema: Schema) -> list[str]:
    """Statements that undo :func:`pre_create` / :func:`post_create` after the tables are gone
    (extensions and namespaces stay: other objects may use them)."""
    out: list[str] = []
    if updated_at_tables(schema):
        out.append(updated_at_function_drop_sql(updated_at_function(schema)))
    out += [f"DROP SEQUENCE IF EXISTS {qname(s.namespace, s.name)}"
            for s in reversed(schema.sequences)]
    out += [f"DROP DOMAIN IF EXISTS {qname(d.namespace, d.name)}"
            for d in reversed(domains_in_base_order(schema.domains))]
    out += [f"DROP TYPE IF EXISTS {qname(e.namespace, e.name)}" for e in reversed(schema.enums)]
    out += [f"DROP COLLATION IF EXISTS {c.ref}" for c in reversed(schema.collations)]
    return out
