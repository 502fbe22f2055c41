"""ALTER TABLE / TYPE / DOMAIN / SEQUENCE ... SET SCHEMA: the object moves, as PostgreSQL
moves it (a table with its indexes, constraints and owned sequences; a type with the
columns of that type)."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

from pglast import ast, enums, parser

from modeler.importers.build import type_uid
from modeler.importers.draft import DraftEnum, DraftTable
from modeler.importers.sql.context import Context
from modeler.importers.sql.deparse import names_of, quote_ident
from modeler.importers.sql.enumrename import casts_follow
from modeler.importers.sql.tables import regclass_default
from modeler.schema import kept_renames
from modeler.schema import model as m

O = enums.ObjectType  # noqa: E741


def set_schema(ctx: Context, node: Any) -> None:
    """``ALTER ... SET SCHEMA``: a modelled table, enum, domain or sequence moves, and a kept
    view, materialized view or routine (:mod:`setschema_kept`); anything else is left where
    it is, with a warning."""
    ot, new = node.objectType, node.newschema
    if ot == O.OBJECT_TABLE and node.relation is not None:
        table = ctx.find_table(node.relation)
        if table is not None:
            if table.qname != (new, table.name):
                _move_table(ctx, table, new)
            return
    elif ot in (O.OBJECT_TYPE, O.OBJECT_DOMAIN) and node.object is not None:
        target = ctx.find_type(names_of(node.object))
        if target is not None:
            _move_type(ctx, target, new)
            return
    elif ot == O.OBJECT_SEQUENCE and node.relation is not None:
        rv = node.relation
        for ns in ctx.namespaces(rv.schemaname):
            if (ns, rv.relname) in ctx.draft.sequences:
                move_sequence(ctx, (ns, rv.relname), new)
                return
    from modeler.importers.sql.setschema_kept import move_kept

    if move_kept(ctx, node, new):
        return
    ctx.warn("unsupported", "ALTER ... SET SCHEMA not applied: the object is not modelled "
             "or unknown")


def _names(table: DraftTable) -> tuple[list[str], list[str]]:
    """The relation names (the table, its indexes and key indexes) and constraint names a
    table holds in its namespace."""
    rels = [table.name, *(i.name for i in table.indexes), *(u.name for u in table.uniques)]
    cons = [*(u.name for u in table.uniques), *(c.name for c in table.checks)]
    if table.pk_name:
        rels.append(table.pk_name)
        cons.append(table.pk_name)
    return rels, cons


def _move_table(ctx: Context, table: DraftTable, new: str) -> None:
    d, old = ctx.draft, table.qname
    rels, cons = _names(table)
    cons += [f.name for f in d.fks if f.child == old]
    for name in rels:
        d.release_rel(old[0], name)
    for name in cons:
        d.release_con(old[0], name)
    d.tables.pop(old)
    table.namespace = new
    d.add_table(table)
    for name in rels:
        d.claim_rel(new, name)
    for name in cons:
        d.claim_con(new, name)
    table_follows(ctx, old, table)
    for key, seq in list(d.sequences.items()):  # its owned sequences go along
        if seq.owned_by is not None and seq.owned_by[:2] == old:
            seq.owned_by = (new, table.name, seq.owned_by[2])
            move_sequence(ctx, key, new)


def table_follows(ctx: Context, old: tuple[str, str], table: DraftTable) -> None:
    """What names the table ``old`` (renamed or moved, now ``table``) names it anew: the
    foreign keys from and to it, its partitions and inheritance children, the kept
    statements on it and the kept SQL naming it (:func:`kept_sql_follows`)."""
    d = ctx.draft
    for fk in d.fks:
        if fk.child == old:
            fk.child = table.qname
        if fk.parent == old:
            fk.parent = table.qname
    for other in d.tables.values():
        if other.partition_of == old:
            other.partition_of = table.qname
        other.inherits = [table.qname if q == old else q for q in other.inherits]
    ctx.kept_on = [(raw, table.qname if rel == old else rel) for raw, rel in ctx.kept_on]
    kept_sql_follows(ctx, old, table.qname)


def kept_sql_follows(ctx: Context, old: tuple[str, str], new: tuple[str, str]) -> None:
    """The statements kept so far that name table ``old`` as a relation (views, triggers,
    policies, rules, indexes, statistics, ALTER TABLEs: :mod:`modeler.schema.kept_renames`)
    name it ``new`` (renamed or moved), as PostgreSQL, which keeps them parsed, renames them;
    they named a table that no longer exists, and the export failed at upgrade. Those kept
    later already name it anew; function bodies are left as written, as PostgreSQL leaves
    them."""
    d = ctx.draft
    tables = {*d.tables, old, *ctx.raw_relations}
    on = {id(raw): rel for raw, rel in ctx.kept_on}
    for raw in d.raws:
        if raw.kind not in kept_renames.FOLLOWING_KINDS:
            continue
        sql = kept_renames.renamed_sql(raw.sql, {old: new},
                                       kept_renames.path_of(raw.search_path), tables)
        if sql is not None and sql != raw.sql:
            raw.sql = sql
            if on.get(id(raw)) == new or (raw.namespace, raw.name) == old:
                raw.namespace = new[0]  # a trigger's, policy's or rule's is its table's
                if (raw.namespace, raw.name) == (new[0], old[1]) and \
                        raw.kind in ("alter table", "row security"):
                    raw.name = new[1]  # named after the table


def kept_columns_follow(ctx: Context, table: tuple[str, str], old: str, new: str) -> None:
    """The statements kept so far that name column ``old`` of ``table`` without doubt
    (:mod:`modeler.schema.kept_renames`) name it ``new``, as PostgreSQL renames it in them
    (called before the draft renames it)."""
    d = ctx.draft
    columns = {q: set(t.columns) for q, t in d.tables.items()}
    for raw in d.raws:
        if raw.kind in kept_renames.FOLLOWING_KINDS and old.lower() in raw.sql.lower():
            sql = kept_renames.columns_renamed(raw.sql, {table: {old: new}}, columns,
                                               kept_renames.path_of(raw.search_path))
            if sql is not None:
                raw.sql = sql


def move_sequence(ctx: Context, key: tuple[str, str], new: str,
                  name: str | None = None) -> None:
    """The sequence moves (to schema ``new``, renamed ``name`` if given: ``ALTER SEQUENCE
    ... RENAME TO`` too); the defaults calling it name it anew (a regclass constant follows
    the sequence, as pg_get_expr then prints it)."""
    d = ctx.draft
    seq = d.sequences.pop(key)
    d.release_rel(*key)
    seq.namespace, seq.name = new, name or seq.name
    d.add_sequence(seq)
    olds = {f"{quote_ident(key[0])}.{quote_ident(key[1])}"}
    if key[0] == "public":
        olds.add(quote_ident(key[1]))
    spelled = "|".join(re.escape(n.replace("'", "''")) for n in sorted(olds))
    called = re.compile(rf"\bnextval\('(?:{spelled})'")
    after = regclass_default(new, seq.name).split("'::", 1)[0] + "'"  # nextval('new.name'
    for table in d.tables.values():
        for col in table.columns.values():
            if col.default and "nextval" in col.default:
                col.default = called.sub(lambda _: after, col.default)


def _move_type(ctx: Context, target: Any, new: str) -> None:
    """An enum or domain moves; the columns and domains of that type follow it."""
    retarget_type(ctx, target, new, target.name)


def retarget_type(ctx: Context, target: Any, namespace: str, name: str) -> None:
    """The enum or domain ``target`` is now ``namespace.name`` (ALTER ... SET SCHEMA, or
    RENAME TO): filed under it, and every column and domain of that type, and a domain's
    kept checks, follow it."""
    d = ctx.draft
    kind = "enum" if isinstance(target, DraftEnum) else "domain"
    pool: dict[Any, Any] = d.enums if kind == "enum" else d.domains
    old, old_uid = (target.namespace, target.name), type_uid(kind, target.namespace,
                                                              target.name)
    pool.pop(old, None)
    target.namespace, target.name = namespace, name
    pool[(namespace, name)] = target
    new_uid = type_uid(kind, namespace, name)

    def moved(t: m.ColumnType) -> m.ColumnType:
        return dataclasses.replace(t, ref=new_uid) if t.ref == old_uid else t

    for table in d.tables.values():
        for col in table.columns.values():
            col.type = moved(col.type)
    for dom in d.domains.values():
        dom.base = moved(dom.base)
    if kind == "domain":
        kept_checks_follow(ctx, old, (namespace, name))
    else:
        enum_defaults_follow(ctx, target, old, {})
    casts_follow(ctx, old, (namespace, name))


def enum_defaults_follow(ctx: Context, enum: DraftEnum, old: tuple[str, str],
                         labels: dict[str, str]) -> None:
    """The defaults of ``enum``'s columns that are one of its labels, bare or cast to it (as
    it was named: ``old``), follow a rename of the enum or of labels (``labels``: old label
    -> new): PostgreSQL stores such a default as the enum's value, which shows the new
    names (ALTER TYPE ... RENAME VALUE, RENAME TO, SET SCHEMA)."""
    uid = type_uid("enum", enum.namespace, enum.name)
    for table in ctx.draft.tables.values():
        for col in table.columns.values():
            if col.type.ref == uid and not col.type.array_dims and col.default:
                col.default = _enum_literal(col.default, enum, old, labels)


def _enum_literal(text: str, enum: DraftEnum, old: tuple[str, str],
                  labels: dict[str, str]) -> str:
    try:
        node = parser.parse_sql(f"SELECT {text}")[0].stmt.targetList[0].val
    except (parser.ParseError, AttributeError, IndexError):
        return text
    cast = None
    if isinstance(node, ast.TypeCast):
        cast, node = node.typeName, node.arg
    if not (isinstance(node, ast.A_Const) and isinstance(node.val, ast.String)):
        return text
    label = labels.get(node.val.sval or "", node.val.sval or "")
    literal = "'" + label.replace("'", "''") + "'"
    if cast is None:
        return literal
    names = names_of(cast.names)
    if cast.arrayBounds or names[-1] != old[1] or (len(names) == 2 and names[0] != old[0]) \
            or len(names) > 2:
        return text
    qualified = (quote_ident(enum.namespace) + ".") if len(names) == 2 else ""
    return f"{literal}::{qualified}{quote_ident(enum.name)}"


def kept_checks_follow(ctx: Context, old: tuple[str, str], new: tuple[str, str]) -> None:
    """A domain's NOT VALID checks kept as SQL (``ALTER DOMAIN d ADD ...``, as the import
    writes them) follow the domain renamed or moved."""
    before = f"ALTER DOMAIN {quote_ident(old[0])}.{quote_ident(old[1])} "
    after = f"ALTER DOMAIN {quote_ident(new[0])}.{quote_ident(new[1])} "
    for raw in ctx.draft.raws:
        if raw.kind == "domain" and (raw.namespace, raw.name) == old \
                and raw.sql.startswith(before):
            raw.namespace, raw.name = new
            raw.sql = after + raw.sql[len(before):]
