"""Rendering of table and column ops as Alembic operations (keys, constraints and indexes:
:mod:`modeler.codegen.migration_keys`).

Each renderer gets the op and a :class:`RenderCtx` holding the snapshot before and after the
op, and returns statements. On tables that existed before the revision (``existing``) and
when safe forms are on, locks are kept short: indexes are built ``CONCURRENTLY``, FKs and
CHECKs are added ``NOT VALID`` then validated, primary keys and uniques are attached to an
index built concurrently, ``SET NOT NULL`` rides on a validated CHECK, and a new NOT NULL
column without default is added with a constant default that is dropped right after (the
constant fills the existing rows; the design says "no default", so it does not stay).

A column's ``backfill`` (rule MG-09) replaces that placeholder on tables that existed before
the revision, safe forms or not: expand (the column added nullable), backfill (``UPDATE``
every row, or the rows holding NULL when an existing column becomes NOT NULL), contract
(``SET NOT NULL``; a new FK on the column follows, ``NOT VALID`` then validated).
"""

from __future__ import annotations

from dataclasses import replace

from modeler.codegen.extras import compression_sql
from modeler.codegen.migration_code import (
    Call,
    Lit,
    Stmt,
    code,
    comment,
    condition,
    execute,
    ident,
    lit,
    move_sql,
    qname,
    sql_expr,
    sql_str,
    type_sql,
)
from modeler.codegen.migration_ctx import (
    RenderCtx,
    comment_sql,
    f,
    pk_label,
    schema_kw,
    tq,
)
from modeler.codegen.migration_dependents import (
    kept_indexes_reading,
    referencing_foreign_keys,
)
from modeler.codegen.migration_keys import (
    add_check,
    add_foreign_key,
    add_index,
    add_unique,
    drop_constraint,
    unique_call,
)
from modeler.codegen.migration_serial import (
    called_sequence,
    identity_from_sequence_sql,
    sequence_from_identity_sql,
)
from modeler.codegen.migration_types import create_raw_object
from modeler.codegen.specs import identity_kwargs, needs_autoincrement_off
from modeler.codegen.sqlwriter import (
    backfill_sql,
    default_sql,
    expr,
    identity_fill_sql,
    identity_options_sql,
    identity_past_rows_sql,
    set_not_null_sql,
)
from modeler.schema import naming
from modeler.schema.identity import options_sql
from modeler.schema.model import (
    Column,
    ColumnType,
    Schema,
    Table,
)
from modeler.schema.sqlexpr import ExpressionError, column_refs, partition_key

# --- columns ----------------------------------------------------------------------------------

def column_call(c: Column, ctx: RenderCtx, *, default: str | None = None,
                nullable: bool | None = None, table: Table | None = None) -> Call:
    """``sa.Column(...)``; with ``table``, a lone integer primary key without identity gets
    ``autoincrement=False`` (else SQLAlchemy makes it SERIAL, which the design is not)."""
    args: list[str | Call | Lit] = [lit(c.name), ctx.type_code(c.type, c.collation)]
    if c.identity is not None:
        options = tuple((k, repr(v)) for k, v in identity_kwargs(c))
        args.append(Call("sa.Identity", (), (("always", "True"), *options))
                    if c.identity == "always" else Call("sa.Identity", (), options))
    if c.generated is not None:
        args.append(Call("sa.Computed", (sql_expr(expr(c.generated)),),
                         (("persisted", "True"),)))
    kwargs: list[tuple[str, str | Call | Lit]] = [
        ("nullable", lit(c.nullable if nullable is None else nullable))]
    default = c.default if default is None else default
    if default is not None:
        kwargs.append(("server_default", sql_expr(default_sql(default))))
    if c.comment:
        kwargs.append(("comment", Lit(c.comment)))
    if table is not None and default is None and needs_autoincrement_off(table, c):
        kwargs.append(("autoincrement", "False"))
    return Call("sa.Column", tuple(args), tuple(kwargs))


_CONSTANTS = {"numeric": "0", "text": "''", "boolean": "false", "date": "CURRENT_DATE",
              "time": "now()", "uuid": "gen_random_uuid()", "jsonb": "'{}'", "json": "'{}'",
              "bytea": "''", "interval": "'0'", "inet": "'0.0.0.0'", "cidr": "'0.0.0.0/32'"}
_GROUPS = {"smallint": "numeric", "integer": "numeric", "bigint": "numeric", "real": "numeric",
           "double precision": "numeric", "money": "numeric", "varchar": "text",
           "char": "text", "citext": "text", "timestamp": "time", "timestamptz": "time",
           "timetz": "time"}


def constant_default(ctype: ColumnType, schema: Schema) -> str | None:
    """A constant that any existing row can take while a NOT NULL column is added."""
    if ctype.array_dims:
        return "'{}'"
    if ctype.kind == "enum":
        labels = schema.enum(ctype.ref or "").labels
        return sql_str(labels[0]) if labels else None
    if ctype.kind == "domain":
        dom = schema.domain(ctype.ref or "")
        return dom.default or constant_default(dom.base, schema)
    if ctype.kind != "builtin":
        return None
    return _CONSTANTS.get(_GROUPS.get(ctype.name, ctype.name))


def follows_parent(table: Table, what: str, ctx: RenderCtx) -> list[Stmt] | None:
    """A column change on an attached partition: PostgreSQL makes it through the parent
    (a partition cannot add, drop, rename or retype its columns on its own)."""
    if not ctx.attached(table.uid):
        return None
    return [comment(f"{what}: done through the parent table of partition {table.name}")]


def add_column(table: Table, c: Column, ctx: RenderCtx) -> list[Stmt]:
    followed = follows_parent(table, f"add column {table.name}.{c.name}", ctx)
    if followed is not None:
        return followed
    if c.compression:  # not a Column argument: the column is added, then SET COMPRESSION
        return [*add_column(table, replace(c, compression=None), ctx),
                execute(compression_sql(table, c))]
    kw = schema_kw(table.namespace)
    if backfills(c) and table.uid in ctx.existing:
        return add_backfilled_column(table, c, ctx)
    plain = c.nullable or c.default or c.identity or c.generated
    if plain or not ctx.is_safe(table.uid):
        return [code(Call("op.add_column", (lit(table.name), column_call(c, ctx)), kw))]
    const = constant_default(c.type, ctx.after)
    alter = ("op.alter_column", (lit(table.name), lit(c.name)))
    if const is None:
        return [comment(f"no constant fits {c.type.short(ctx.after)}: backfill "
                        f"{table.name}.{c.name} before the NOT NULL below"),
                code(Call("op.add_column", (lit(table.name), column_call(c, ctx, nullable=True)),
                          kw)),
                *set_not_null(table, c.name, ctx)]
    return [comment(f"existing rows get {const}; the default is dropped right after"),
            code(Call("op.add_column", (lit(table.name), column_call(c, ctx, default=const)),
                      kw)),
            code(Call(alter[0], alter[1], (("server_default", "None"), *kw)))]


def backfills(c: Column) -> bool:
    """Does the column's backfill fill rows (a NOT NULL column the database does not fill
    itself)?"""
    return (c.backfill is not None and not c.nullable and c.identity is None
            and c.generated is None)


def add_backfilled_column(table: Table, c: Column, ctx: RenderCtx) -> list[Stmt]:
    """Expand, backfill, contract: the column is added nullable (with its default, if any),
    every existing row gets the column's backfill, then the column becomes NOT NULL (a new
    FK on it comes after, ``NOT VALID`` then validated, on the filled rows)."""
    assert c.backfill is not None
    return [comment(f"existing rows of {table.name} get the backfill of {c.name}, then "
                    "NOT NULL"),
            code(Call("op.add_column", (lit(table.name), column_call(c, ctx, nullable=True)),
                      schema_kw(table.namespace))),
            execute(backfill_sql(table, c.name, c.backfill, only_null=False)),
            *set_not_null(table, c.name, ctx)]


def set_not_null(table: Table, column: str, ctx: RenderCtx) -> list[Stmt]:
    kw = schema_kw(table.namespace)
    if not ctx.is_safe(table.uid):
        return [code(Call("op.alter_column", (lit(table.name), lit(column)),
                          (("nullable", "False"), *kw)))]
    check = naming.truncate(f"{table.name}_{column}_not_null")
    return [execute(f"ALTER TABLE {tq(table)} ADD CONSTRAINT {ident(check)} "
                    f"CHECK ({ident(column)} IS NOT NULL) NOT VALID"),
            execute(f"ALTER TABLE {tq(table)} VALIDATE CONSTRAINT {ident(check)}"),
            execute(set_not_null_sql(table, column)),
            execute(f"ALTER TABLE {tq(table)} DROP CONSTRAINT {ident(check)}")]


_FAMILIES = ({"smallint", "integer", "bigint", "numeric", "real", "double precision"},
             {"text", "varchar", "char", "citext"}, {"date", "timestamp", "timestamptz"},
             {"json", "jsonb"}, {"bit", "varbit"}, {"inet", "cidr"})


def _family(ctype: ColumnType, schema: Schema) -> str:
    if ctype.kind == "domain":
        return _family(schema.domain(ctype.ref or "").base, schema)
    for n, fam in enumerate(_FAMILIES):
        if ctype.kind == "builtin" and ctype.name in fam:
            return f"f{n}"
    return f"{ctype.kind}:{ctype.name}:{ctype.ref}"


def _using(column: str, old: ColumnType, new: ColumnType, schema: Schema) -> str:
    """A cast for ``ALTER COLUMN ... TYPE``: direct within a family of types that cast to each
    other (numbers, strings, dates), else through text, which every type reads and writes."""
    target = type_sql(new, schema)
    if old.array_dims == new.array_dims and _family(old, schema) == _family(new, schema):
        return f"{ident(column)}::{target}"
    return f"{ident(column)}::text::{target}"


def alter_column(table: Table, before: Column, after: Column, ctx: RenderCtx) -> list[Stmt]:
    """Type, NOT NULL, default, identity, generated and comment changes, in an order that
    works: default off, identity off, type, NOT NULL, identity on, default on, comment."""
    out: list[Stmt] = []
    kw = schema_kw(table.namespace)
    target = (lit(table.name), lit(after.name))
    col = f"ALTER TABLE {tq(table)} ALTER COLUMN {ident(after.name)}"
    ctx.is_safe(table.uid)
    if ctx.attached(table.uid):  # type, collation, NOT NULL, expression follow the parent
        before = replace(before, type=after.type, collation=after.collation,
                         nullable=after.nullable, generated=after.generated,
                         identity=after.identity, identity_options=after.identity_options)
    if before.generated != after.generated:
        return _regenerate(table, before, after, ctx)
    retype = before.type != after.type or before.collation != after.collation
    dropped = before.default is not None and (retype or after.default is None
                                              or after.identity is not None)
    if dropped:
        out.append(code(Call("op.alter_column", target, (("server_default", "None"), *kw))))
    if before.identity is not None and after.identity is None:
        serial = called_sequence(after, ctx.after)  # the way down of TY-04's fix
        if serial is not None and table.uid in ctx.existing:
            out.append(execute(sequence_from_identity_sql(table, before, serial)))
        out.append(execute(f"{col} DROP IDENTITY IF EXISTS"))
    if retype:
        out.append(code(Call("op.alter_column", target, (
            ("type_", ctx.type_code(after.type, after.collation)),
            ("existing_type", ctx.type_code(before.type, before.collation)),
            ("postgresql_using", Lit(_using(after.name, before.type, after.type, ctx.after))),
            *kw))))
    if before.nullable != after.nullable:
        if after.nullable:
            out.append(code(Call("op.alter_column", target, (("nullable", "True"), *kw))))
        else:
            if backfills(after):  # the rows holding NULL get the backfill first
                assert after.backfill is not None
                out.append(execute(backfill_sql(table, after.name, after.backfill,
                                                only_null=True)))
            elif (after.identity is not None and before.identity is None
                  and table.uid in ctx.existing):  # numbers, which the identity goes past
                out.append(execute(identity_fill_sql(table, after)))
            out.extend(set_not_null(table, after.name, ctx))
    if after.identity is not None and before.identity != after.identity:
        kind = "ALWAYS" if after.identity == "always" else "BY DEFAULT"
        verb = (f"ADD GENERATED {kind} AS IDENTITY{options_sql(after.identity_options)}"
                if before.identity is None else f"SET GENERATED {kind}")
        out.append(execute(f"{col} {verb}"))
        serial = called_sequence(before, ctx.before) if before.identity is None else None
        if serial is not None:  # a serial made one (TY-04): it goes on where it was
            out += [execute(sql) for sql in identity_from_sequence_sql(table, after, serial)]
        elif before.identity is None:  # the rows' ids are not handed out again
            out.append(execute(identity_past_rows_sql(table, after)))
    if before.identity is not None and after.identity is not None:
        options = identity_options_sql(table, after, before.identity_options)
        if options is not None:
            out.append(execute(options))
    if after.default is not None and (after.default != before.default or dropped):
        out.append(code(Call("op.alter_column", target,
                             (("server_default", sql_expr(default_sql(after.default))),
                              *kw))))
    if before.compression != after.compression:
        out.append(execute(compression_sql(table, after)))
    if before.comment != after.comment:
        out.append(code(Call("op.alter_column", target,
                             (("comment", Lit(after.comment) if after.comment else "None"),
                              ("existing_comment",
                               Lit(before.comment) if before.comment else "None"), *kw))))
    return out


def _regenerate(table: Table, before: Column, after: Column, ctx: RenderCtx) -> list[Stmt]:
    """A generation expression change: DROP EXPRESSION, SET EXPRESSION (PostgreSQL 17) or
    drop and add the column again with what depends on it."""
    col = f"ALTER TABLE {tq(table)} ALTER COLUMN {ident(after.name)}"
    if after.generated is None or (before.generated is not None
                                   and ctx.after.settings.pg_version >= 17):
        rest = alter_column(table, replace(before, generated=after.generated), after, ctx)
    if after.generated is None:
        return [execute(f"{col} DROP EXPRESSION"), *rest]
    if before.generated is not None and ctx.after.settings.pg_version >= 17:
        return [execute(f"{col} SET EXPRESSION AS ({expr(after.generated)})"), *rest]
    kw = schema_kw(table.namespace)
    # the FKs of other tables referencing it would make the DROP COLUMN fail: dropped first
    referencing = referencing_foreign_keys(ctx.before, ctx.before.table(table.uid), before)
    out = [comment(f"{table.name}.{after.name} gets a new generation expression: "
                   "dropped and added again"),
           *(s for rel in referencing for s in drop_constraint(
               ctx.before.table(rel.child_table), rel.name, "foreignkey", ctx)),
           code(Call("op.drop_column", (lit(table.name), lit(after.name)), kw)),
           code(Call("op.add_column", (lit(table.name), column_call(after, ctx)), kw))]
    out += [execute(compression_sql(table, after))] if after.compression else []
    new_table = ctx.after.table(table.uid)
    for ix in new_table.indexes:
        if after.uid in ix.column_uids or after.uid in ix.include:
            out.extend(add_index(new_table, ix, ctx))
    for u in new_table.uniques:
        if after.uid in u.columns:
            out.extend(add_unique(new_table, u, ctx))
    # DROP COLUMN took the CHECK constraints naming it with it
    out += [s for k in new_table.checks if _names(k.expression, after.name)
            for s in add_check(new_table, k, ctx)]
    # and the kept indexes reading it, which DROP COLUMN took with it
    for obj in kept_indexes_reading(ctx.before, ctx.before.table(table.uid), before.name):
        out.extend(create_raw_object(obj, ctx.search_path))
    for rel in ctx.after.relationships:
        if after.uid in rel.child_columns:
            out.extend(add_foreign_key(rel, ctx))
    out += [s for rel in referencing_foreign_keys(ctx.after, new_table, after)
            for s in add_foreign_key(rel, ctx)]
    return out


def _names(expression: str, column: str) -> bool:
    """Whether ``expression`` reads ``column`` (an unreadable one: not known to)."""
    try:
        return any(parts and parts[-1] == column for parts in column_refs(expression))
    except ExpressionError:
        return False


# --- tables -----------------------------------------------------------------------------------

def create_table(t: Table, ctx: RenderCtx) -> list[Stmt]:
    args: list[str | Call | Lit] = [lit(t.name), *(column_call(c, ctx, table=t) for c in t.columns)]
    if t.primary_key:
        args.append(Call("sa.PrimaryKeyConstraint", tuple(lit(c.name) for c in t.primary_key),
                         (("name", f(pk_label(t))),)))
    args += [unique_call(u, t) for u in t.uniques]
    args += [Call("sa.CheckConstraint", (condition(expr(k.expression)),), (("name", f(k.name)),))
             for k in t.checks]
    kwargs: list[tuple[str, str | Call | Lit]] = list(schema_kw(t.namespace))
    if t.comment:
        kwargs.append(("comment", Lit(t.comment)))
    if t.partition_by is not None:
        kwargs.append(("postgresql_partition_by", Lit(partition_key(t.partition_by))))
    out = [code(Call("op.create_table", tuple(args), tuple(kwargs)))]
    out += [execute(compression_sql(t, c)) for c in t.columns if c.compression]
    for ix in t.indexes:
        out.extend(add_index(t, ix, ctx))
    for name, text in [(u.name, u.comment) for u in t.uniques] + [
            (k.name, k.comment) for k in t.checks]:
        if text:
            out.append(execute(comment_sql(f"CONSTRAINT {ident(name)} ON {tq(t)}", text)))
    return out


def rename_table(before: Table, after: Table, ctx: RenderCtx) -> list[Stmt]:
    """Rename and/or move a table; an implicit ``pk_<table>`` follows the name (through a
    temporary name when the table changes namespace: its index moves along)."""
    ctx.is_safe(before.uid)
    old_pk, new_pk = pk_label(before), pk_label(after)
    renamed_pk = bool(before.primary_key) and old_pk != new_pk
    if before.namespace == after.namespace:
        out = [code(Call("op.rename_table", (lit(before.name), lit(after.name)),
                         schema_kw(before.namespace)))]
        if renamed_pk:
            out.append(execute(f"ALTER TABLE {tq(after)} RENAME CONSTRAINT {ident(old_pk)} "
                               f"TO {ident(new_pk)}"))
        return out + rename_identity_sequences(before, after)
    tmp = naming.truncate(f"{after.name}_mv_{after.uid[:8]}")
    pk_tmp = naming.truncate(f"{new_pk}_mv_{after.uid[:8]}")
    out = []
    if renamed_pk:
        out.append(execute(f"ALTER TABLE {tq(before)} RENAME CONSTRAINT {ident(old_pk)} "
                           f"TO {ident(pk_tmp)}"))
    out += [execute(sql) for sql in move_sql("TABLE", before.namespace, before.name,
                                             after.namespace, after.name, tmp)]
    if renamed_pk:
        out.append(execute(f"ALTER TABLE {tq(after)} RENAME CONSTRAINT {ident(pk_tmp)} "
                           f"TO {ident(new_pk)}"))
    return out + rename_identity_sequences(before, after)


def identity_sequence_name(table: str, column: str) -> str:
    """The name PostgreSQL gives an identity column's sequence (``makeObjectName``:
    ``<table>_<column>_seq``, the longer of the two cut until it fits 63 bytes)."""
    t, c = table.encode(), column.encode()
    avail = naming.MAX_IDENTIFIER_BYTES - len("_seq") - 1
    tn, cn = len(t), len(c)
    while tn + cn > avail:
        if tn > cn:
            tn -= 1
        else:
            cn -= 1
    return (f"{t[:tn].decode(errors='ignore')}_{c[:cn].decode(errors='ignore')}_seq")


def rename_identity_sequences(before: Table, after: Table) -> list[Stmt]:
    """Identity sequences keep the name of the table and column they were created with; after
    a rename they follow (as ``create_all`` would name them). A moved table takes them to its
    new namespace already."""
    out = []
    old_cols = {c.uid: c for c in before.columns}
    for col in after.columns:
        old_col = old_cols.get(col.uid)
        if col.identity is None or old_col is None or old_col.identity is None:
            continue
        old = identity_sequence_name(before.name, old_col.name)
        new = identity_sequence_name(after.name, col.name)
        if old != new:
            out.append(execute(f"ALTER SEQUENCE {qname(after.namespace, old)} "
                               f"RENAME TO {ident(new)}"))
    return out
