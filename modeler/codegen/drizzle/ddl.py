"""The SQL of a first revision (a whole design created on an empty database) and of its way
back (everything dropped), written through the one SQL writer.

A first revision creates everything; rendering it through Alembic's operations costs seconds
on a design of a thousand tables, so it is written directly, with the same spellings and in
the order ``schema.sql`` uses: :mod:`modeler.codegen.extras` before and after the tables,
tables parents first with their keys, checks and indexes, FKs closing a cycle once every
table exists, then the kept SQL the way the Alembic baseline replays it. The export tests
compare the catalog it builds with the Alembic bundle's.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import replace

from modeler.codegen import extras
from modeler.codegen.drizzle.shape import part_sql
from modeler.codegen.migration_code import Call, Lit, Stmt
from modeler.codegen.migration_ctx import Deferred, Namesakes
from modeler.codegen.migration_runtime import (
    drop_extension,
    drop_runtime_objects,
    public_first,
)
from modeler.codegen.migration_types import create_raw_object, drop_raw_object
from modeler.codegen.plan import ModelPlan
from modeler.codegen.specs import primary_key_name, server_default_sql
from modeler.codegen.sqlwriter import (
    comment_sql,
    detach_sql,
    expr,
    ident,
    qname,
    table_name,
    type_sql,
)
from modeler.diff.compare_types import early_raw_objects
from modeler.schema.collations import canonical as collation_sql
from modeler.schema.identity import options_sql
from modeler.schema.model import Column, Index, RawObject, Relationship, Schema, Table
from modeler.schema.runtime_objects import CALL_KINDS
from modeler.schema.sqlexpr import partition_key

_ACTIONS = ("CASCADE", "RESTRICT", "NO ACTION", "SET NULL", "SET DEFAULT")


def stmt_sql(stmt: Stmt) -> str | None:
    """The SQL of an ``op.execute(...)`` statement (None for anything else)."""
    call = stmt.code
    if stmt.kind == "comment" or not isinstance(call, Call) or call.func != "op.execute":
        return None
    arg = call.args[0]
    if isinstance(arg, Lit):
        return arg.value
    if isinstance(arg, Call) and arg.func == "sa.DDL" and isinstance(arg.args[0], Lit):
        return arg.args[0].value.replace("%%", "%")
    return None


def _column(schema: Schema, t: Table, c: Column) -> str:
    sql = f"{ident(c.name)} {type_sql(c.type, schema)}"
    if c.collation:
        sql += f" COLLATE {collation_sql(c.collation)}"
    if c.default is not None:
        sql += f" DEFAULT {server_default_sql(c.default)}"
    if c.generated:
        sql += f" GENERATED ALWAYS AS ({expr(c.generated)}) STORED"
    if c.identity:
        sql += f" GENERATED {c.identity.upper()} AS IDENTITY{options_sql(c.identity_options)}"
    if not c.nullable or c.in_pk:
        sql += " NOT NULL"
    return sql


def _defer(deferrable: bool, deferred: bool) -> str:
    if not deferrable:
        return ""
    return " DEFERRABLE INITIALLY " + ("DEFERRED" if deferred else "IMMEDIATE")


def _names(schema: Schema, uids: tuple[str, ...]) -> str:
    return ", ".join(ident(schema.column(u).name) for u in uids)


def foreign_key_sql(schema: Schema, rel: Relationship) -> str:
    parent = schema.table(rel.parent_table)
    sql = (f"CONSTRAINT {ident(rel.name)} FOREIGN KEY ({_names(schema, rel.child_columns)}) "
           f"REFERENCES {table_name(parent)} ({_names(schema, rel.parent_columns)})")
    if rel.match != "SIMPLE":  # drizzle-orm's foreignKey() cannot say it: the SQL does
        sql += f" MATCH {rel.match}"
    for word, action in (("DELETE", rel.on_delete), ("UPDATE", rel.on_update)):
        if action in _ACTIONS:
            sql += f" ON {word} {action}"
    return sql + _defer(rel.deferrable, rel.initially_deferred)


def create_table_sql(schema: Schema, t: Table, fks: list[Relationship]) -> str:
    items = [_column(schema, t, c) for c in t.columns]
    if t.primary_key:
        items.append(f"CONSTRAINT {ident(primary_key_name(t))} PRIMARY KEY "
                     f"({', '.join(ident(c.name) for c in t.primary_key)})")
    for u in t.uniques:
        nnd = " NULLS NOT DISTINCT" if u.nulls_not_distinct else ""
        items.append(f"CONSTRAINT {ident(u.name)} UNIQUE{nnd} ({_names(schema, u.columns)})"
                     + _defer(u.deferrable, u.initially_deferred))
    items += [f"CONSTRAINT {ident(k.name)} CHECK ({expr(k.expression)})" for k in t.checks]
    items += [foreign_key_sql(schema, rel) for rel in fks]
    body = ",\n".join(f"    {item}" for item in items)
    sql = f"CREATE TABLE {table_name(t)} (\n{body}\n)"
    if t.partition_by is not None:
        sql += f" PARTITION BY {partition_key(t.partition_by)}"
    return sql


def create_index_sql(schema: Schema, t: Table, ix: Index) -> str:
    sql = f"CREATE {'UNIQUE ' if ix.unique else ''}INDEX {ident(ix.name)} ON {table_name(t)}"
    if ix.method != "btree":
        sql += f" USING {ix.method}"
    sql += f" ({', '.join(part_sql(schema, p) for p in ix.parts)})"
    if ix.include:
        sql += f" INCLUDE ({_names(schema, ix.include)})"
    if ix.nulls_not_distinct:
        sql += " NULLS NOT DISTINCT"
    if ix.where:
        sql += f" WHERE {expr(ix.where)}"
    return sql


def _raw(stmts: list[Stmt]) -> list[str]:
    return [s for s in (stmt_sql(x) for x in stmts) if s is not None]


def create_all(schema: Schema, plan: ModelPlan, search_path: str | None) -> list[str]:
    """Statements that build ``schema`` on an empty database."""
    out = [f"CREATE SCHEMA IF NOT EXISTS {ident(ns)}" for ns in extras.raw_namespaces(schema)]
    out += extras.pre_create(schema)
    # as the Alembic revision (the differ): kept SQL a CHECK, default or index expression
    # may call (functions, types) before the tables, the rest after them
    early = early_raw_objects(schema)
    if schema.raw_objects:
        out.append("SET check_function_bodies = false")
    for obj in schema.raw_objects:
        if obj.uid in early:
            out += _raw(create_raw_object(obj, search_path))
    later: list[str] = []
    cycle = {rp.rel.uid for rp in plan.rels if rp.use_alter}
    for uid in plan.creation_order:
        t = schema.table(uid)
        fks = [r for r in schema.relationships_of(uid) if r.uid not in cycle]
        out.append(create_table_sql(schema, t, fks))
        out += [create_index_sql(schema, t, ix) for ix in t.indexes]
        if t.comment:
            out.append(comment_sql(f"TABLE {table_name(t)}", t.comment))
        out += [comment_sql(f"COLUMN {table_name(t)}.{ident(c.name)}", c.comment)
                for c in t.columns if c.comment]
    for rel in schema.relationships:
        if rel.uid in cycle:
            child = schema.table(rel.child_table)
            later.append(f"ALTER TABLE {table_name(child)} ADD {foreign_key_sql(schema, rel)}")
    out += later + extras.post_create(schema)
    if schema.raw_objects:
        for obj in schema.raw_objects:
            if obj.uid not in early:
                out += _raw(create_raw_object(obj, search_path))
        out.append("RESET check_function_bodies")
    return _with_path(out, search_path)


def _drop_kept(schema: Schema, early: set[str], search_path: str | None, *,
               early_ones: bool) -> list[str]:
    """The drops of the kept objects made before the tables (``early_ones``) or after them,
    newest first. A kept call first drops what it created at run time, judged against the
    design as it is at that drop, as the Alembic downgrade does: after the tables, the
    late objects after it are gone (evergreen's auditor.create_auditor() views on its
    tables); before them, only the early objects up to it are left (powa's DO block that
    creates a function; the tables are gone)."""
    out: list[str] = []
    raws = schema.raw_objects
    namesakes = Namesakes(raws)
    for i in range(len(raws) - 1, -1, -1):
        obj = raws[i]
        if (obj.uid in early) != early_ones:
            continue
        if obj.kind in CALL_KINDS:
            before = replace(schema, raw_objects=tuple(
                o for j, o in enumerate(raws)
                if (j <= i and o.uid in early if early_ones else j <= i or o.uid in early)))
            out += _raw(drop_runtime_objects(obj, before))
        out += _raw(drop_raw_object(
            public_first(obj), search_path,
            Deferred(functools.partial(_ahead, raws, i)),
            namesakes=namesakes.before(obj, i, public_first)))
    return out


def _ahead(raws: Sequence[RawObject], i: int) -> list[RawObject]:
    """The kept objects ahead of the ``i``-th, to be dropped as their search_path says."""
    return [public_first(o) for o in raws[:i]]


def drop_all(schema: Schema, plan: ModelPlan, search_path: str | None) -> list[str]:
    """Statements that take ``schema`` (as :func:`create_all` built it) away again."""
    out: list[str] = []
    early = early_raw_objects(schema)
    out += _drop_kept(schema, early, search_path, early_ones=False)
    # as the Alembic downgrade: a sequence leaves its owner first (DROP TABLE would take
    # it along while another table's default still calls it: evergreen's vandelay.queue_id_seq)
    out += [f"ALTER SEQUENCE {qname(s.namespace, s.name)} OWNED BY NONE"
            for s in reversed(schema.sequences) if s.owned_by_table and s.owned_by_column]
    cycle = {rp.rel.uid for rp in plan.rels if rp.use_alter}
    for rel in schema.relationships:
        if rel.uid in cycle:
            out.append(f"ALTER TABLE {table_name(schema.table(rel.child_table))} "
                       f"DROP CONSTRAINT {ident(rel.name)}")
    for t in reversed(extras.partitions_in_attach_order(schema)):
        out.append(detach_sql(schema.table(t.partition_of or ""), t))
    out += [f"DROP TABLE {table_name(schema.table(uid))}"
            for uid in reversed(plan.creation_order)]
    out += _drop_kept(schema, early, search_path, early_ones=True)
    out += extras.post_drop(schema)
    # as the Alembic downgrade: with what CREATE EXTENSION ... CASCADE installed along
    # (evergreen's earthdistance brought cube)
    for e in reversed(schema.extensions):
        out += _raw(drop_extension(e.name, schema))
    out += [f"DROP SCHEMA IF EXISTS {ident(ns)}" for ns in reversed(extras.namespaces(schema))]
    out += [f"DROP SCHEMA IF EXISTS {ident(ns)}" for ns in reversed(extras.raw_namespaces(schema))]
    return _with_path(out, search_path)


def _with_path(stmts: list[str], search_path: str | None) -> list[str]:
    if not search_path:
        return stmts
    return [f"SET search_path = {search_path}", *stmts, "RESET search_path"]

