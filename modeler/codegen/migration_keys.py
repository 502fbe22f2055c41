"""Rendering of key, constraint and index ops (primary keys, FKs, uniques, checks,
indexes), with the low-lock forms used on tables that existed before the revision."""

from __future__ import annotations

from modeler.codegen.migration_code import (
    Call,
    Lit,
    Seq,
    Stmt,
    autocommit,
    code,
    condition,
    execute,
    ident,
    lit,
    qname,
    sql_expr,
)
from modeler.codegen.migration_ctx import (
    RenderCtx,
    comment_sql,
    f,
    names_list,
    pk_label,
    schema_kw,
    tq,
)
from modeler.codegen.sqlwriter import expr, index_part_sql
from modeler.schema.model import (
    CheckConstraint,
    Index,
    IndexPart,
    Relationship,
    Table,
    UniqueConstraint,
)


def unique_call(u: UniqueConstraint, table: Table) -> Call:
    kwargs: list[tuple[str, str | Call | Lit]] = [("name", f(u.name))]
    kwargs += _deferrable(u.deferrable, u.initially_deferred)
    if u.nulls_not_distinct:
        kwargs.append(("postgresql_nulls_not_distinct", "True"))
    return Call("sa.UniqueConstraint", tuple(lit(table.column(c).name) for c in u.columns),
                tuple(kwargs))


def _deferrable(deferrable: bool, deferred: bool) -> list[tuple[str, str | Call | Lit]]:
    out: list[tuple[str, str | Call | Lit]] = []
    if deferrable:
        out.append(("deferrable", "True"))
        if deferred:
            out.append(("initially", lit("DEFERRED")))
    return out


def _part_sql(part: IndexPart, table: Table) -> str:
    return index_part_sql(ident(table.column(part.column).name) if part.column
                          else f"({expr(part.expression or '')})", part)


def _index_parts(ix: Index, table: Table) -> Seq:
    items: list[str | Call] = []
    for p in ix.parts:
        plain = p.column and not (p.collation or p.opclass or p.descending or p.nulls)
        items.append(lit(table.column(p.column).name) if plain and p.column
                     else sql_expr(_part_sql(p, table)))
    return Seq(tuple(items))


def add_index(table: Table, ix: Index, ctx: RenderCtx, *, name: str | None = None,
              unique: bool | None = None) -> list[Stmt]:
    safe = ctx.is_safe(table.uid)
    kwargs: list[tuple[str, str | Call | Lit]] = []
    if ix.unique if unique is None else unique:
        kwargs.append(("unique", "True"))
    kwargs += schema_kw(table.namespace)
    if ix.method != "btree":
        kwargs.append(("postgresql_using", lit(ix.method)))
    if ix.where:
        kwargs.append(("postgresql_where", sql_expr(expr(ix.where))))
    if ix.include:
        kwargs.append(("postgresql_include",
                       names_list([table.column(c).name for c in ix.include])))
    if ix.nulls_not_distinct:
        kwargs.append(("postgresql_nulls_not_distinct", "True"))
    if safe:
        kwargs.append(("postgresql_concurrently", "True"))
    call = Call("op.create_index", (f(name or ix.name), lit(table.name),
                                    _index_parts(ix, table)), tuple(kwargs))
    out = [autocommit(call) if safe else code(call)]
    if ix.comment and name is None:
        out.append(execute(comment_sql(f"INDEX {qname(table.namespace, ix.name)}", ix.comment)))
    return out


def _if_exists(table: Table, ctx: RenderCtx) -> tuple[tuple[str, str], ...]:
    """On an attached partition, a copy of the parent's index or constraint goes with the
    parent's (dropped first): ``if_exists`` then skips it."""
    return (("if_exists", "True"),) if ctx.attached(table.uid) else ()


def drop_index(table: Table, ix: Index, ctx: RenderCtx) -> list[Stmt]:
    safe = ctx.is_safe(table.uid)
    kwargs = (("table_name", lit(table.name)), *schema_kw(table.namespace),
              *_if_exists(table, ctx))
    if safe:
        kwargs += (("postgresql_concurrently", "True"),)
    call = Call("op.drop_index", (f(ix.name),), kwargs)
    return [autocommit(call) if safe else code(call)]


def add_unique(table: Table, u: UniqueConstraint, ctx: RenderCtx) -> list[Stmt]:
    cols = [table.column(c).name for c in u.columns]
    out: list[Stmt]
    if ctx.is_safe(table.uid):
        ix = Index(u.uid, u.name, tuple(IndexPart(column=c) for c in u.columns), unique=True,
                   nulls_not_distinct=u.nulls_not_distinct)
        defer = (" DEFERRABLE" + (" INITIALLY DEFERRED" if u.initially_deferred else "")
                 if u.deferrable else "")
        out = [*add_index(table, ix, ctx),
               execute(f"ALTER TABLE {tq(table)} ADD CONSTRAINT {ident(u.name)} "
                       f"UNIQUE USING INDEX {ident(u.name)}{defer}")]
    else:
        kwargs = [*schema_kw(table.namespace), *_deferrable(u.deferrable, u.initially_deferred)]
        if u.nulls_not_distinct:
            kwargs.append(("postgresql_nulls_not_distinct", "True"))
        out = [code(Call("op.create_unique_constraint",
                         (f(u.name), lit(table.name), names_list(cols)), tuple(kwargs)))]
    if u.comment:
        out.append(execute(comment_sql(f"CONSTRAINT {ident(u.name)} ON {tq(table)}",
                                       u.comment)))
    return out


def add_check(table: Table, k: CheckConstraint, ctx: RenderCtx) -> list[Stmt]:
    out: list[Stmt]
    if ctx.is_safe(table.uid):
        out = [execute(f"ALTER TABLE {tq(table)} ADD CONSTRAINT {ident(k.name)} "
                       f"CHECK ({expr(k.expression)}) NOT VALID"),
               execute(f"ALTER TABLE {tq(table)} VALIDATE CONSTRAINT {ident(k.name)}")]
    else:
        out = [code(Call("op.create_check_constraint",
                         (f(k.name), lit(table.name), condition(expr(k.expression))),
                         schema_kw(table.namespace)))]
    if k.comment:
        out.append(execute(comment_sql(f"CONSTRAINT {ident(k.name)} ON {tq(table)}",
                                       k.comment)))
    return out


def drop_constraint(table: Table, name: str, type_: str, ctx: RenderCtx) -> list[Stmt]:
    ctx.is_safe(table.uid)
    return [code(Call("op.drop_constraint", (f(name), lit(table.name)),
                      (("type_", lit(type_)), *schema_kw(table.namespace),
                       *_if_exists(table, ctx))))]


def rename_constraint(table: Table, old: str, new: str, ctx: RenderCtx, *,
                      index: bool = False) -> list[Stmt]:
    ctx.is_safe(table.uid)
    if index:
        return [execute(f"ALTER INDEX {qname(table.namespace, old)} RENAME TO {ident(new)}")]
    return [execute(f"ALTER TABLE {tq(table)} RENAME CONSTRAINT {ident(old)} TO {ident(new)}")]


def add_primary_key(table: Table, ctx: RenderCtx) -> list[Stmt]:
    name, cols = pk_label(table), [c.name for c in table.primary_key]
    if ctx.is_safe(table.uid):
        ix = Index(table.uid, name, tuple(IndexPart(column=c.uid) for c in table.primary_key),
                   unique=True)
        return [*add_index(table, ix, ctx),
                execute(f"ALTER TABLE {tq(table)} ADD CONSTRAINT {ident(name)} "
                        f"PRIMARY KEY USING INDEX {ident(name)}")]
    return [code(Call("op.create_primary_key", (f(name), lit(table.name), names_list(cols)),
                      schema_kw(table.namespace)))]


def _action(word: str, action: str) -> str:
    return "" if action == "UNSPECIFIED" else f" ON {word} {action}"


def _match(rel: Relationship) -> str:
    """`` MATCH FULL``; nothing for MATCH SIMPLE, PostgreSQL's default."""
    return "" if rel.match == "SIMPLE" else f" MATCH {rel.match}"


def add_foreign_key(rel: Relationship, ctx: RenderCtx) -> list[Stmt]:
    child, parent = ctx.after.table(rel.child_table), ctx.after.table(rel.parent_table)
    ccols = [child.column(c).name for c in rel.child_columns]
    pcols = [parent.column(c).name for c in rel.parent_columns]
    out: list[Stmt]
    # Alembic's create_foreign_key names the parent's columns "schema.table.column", which
    # SQLAlchemy reads as other parts when a name holds a dot: written as SQL then
    dotted = any("." in n for n in (parent.namespace, parent.name, *pcols))
    if ctx.is_safe(child.uid) or dotted:
        defer = (" DEFERRABLE" + (" INITIALLY DEFERRED" if rel.initially_deferred else "")
                 if rel.deferrable else "")
        sql = (f"ALTER TABLE {tq(child)} ADD CONSTRAINT {ident(rel.name)} FOREIGN KEY "
               f"({', '.join(map(ident, ccols))}) REFERENCES {tq(parent)} "
               f"({', '.join(map(ident, pcols))}){_match(rel)}"
               f"{_action('DELETE', rel.on_delete)}{_action('UPDATE', rel.on_update)}{defer}")
        out = [execute(f"{sql} NOT VALID"),
               execute(f"ALTER TABLE {tq(child)} VALIDATE CONSTRAINT {ident(rel.name)}")] \
            if ctx.is_safe(child.uid) else [execute(sql)]
    else:
        kwargs: list[tuple[str, str | Call | Lit]] = [
            *schema_kw(child.namespace, "source_schema"),
            *schema_kw(parent.namespace, "referent_schema")]
        if rel.on_delete != "UNSPECIFIED":
            kwargs.append(("ondelete", lit(rel.on_delete)))
        if rel.on_update != "UNSPECIFIED":
            kwargs.append(("onupdate", lit(rel.on_update)))
        kwargs += _deferrable(rel.deferrable, rel.initially_deferred)
        if rel.match != "SIMPLE":
            kwargs.append(("match", lit(rel.match)))
        out = [code(Call("op.create_foreign_key",
                         (f(rel.name), lit(child.name), lit(parent.name), names_list(ccols),
                          names_list(pcols)), tuple(kwargs)))]
    if rel.comment:
        out.append(execute(comment_sql(f"CONSTRAINT {ident(rel.name)} ON {tq(child)}",
                                       rel.comment)))
    return out
