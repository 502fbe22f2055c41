"""``ALTER TYPE ... RENAME VALUE`` reaches every expression of the script so far that spells
the label: PostgreSQL stored those literals as the enum's value, so its catalog (and a dump)
shows the new label in CHECKs, index keys and predicates, defaults (arrays too), generation
expressions, domain checks and the views, policies and rules kept as SQL. The design must
spell it the same, or its export builds the type with the new label and then fails on the
old one (invalid input value for enum). What counts as a label of the enum:
:mod:`modeler.schema.enumlabels`."""

from __future__ import annotations

from collections.abc import Callable

from modeler.importers.build import type_uid
from modeler.importers.draft import DraftEnum, DraftTable
from modeler.importers.sql.context import Context
from modeler.schema import model as m
from modeler.schema.enumlabels import (
    KEPT_KINDS,
    relabel_default,
    relabel_expression,
    retype_casts,
    table_relations,
)


def _table_expressions(table: DraftTable, ex: Callable[[str], str]) -> None:
    """``table``'s generation expressions, CHECKs, index keys and predicates rewritten by
    ``ex`` (its defaults are the caller's)."""
    for c in table.columns.values():
        if c.generated:
            c.generated = ex(c.generated)
    for k in table.checks:
        k.expression = ex(k.expression)
    for i in table.indexes:
        i.where = None if i.where is None else ex(i.where)
        for p in i.parts:
            p.expression = None if p.expression is None else ex(p.expression)


def labels_follow(ctx: Context, enum: DraftEnum, labels: dict[str, str]) -> None:
    """Rewrite the draft's expressions after ``enum``'s ``labels`` (old -> new) changed."""
    labels = {o: n for o, n in labels.items() if o != n}
    if not labels:
        return
    uid = type_uid("enum", enum.namespace, enum.name)
    name = (enum.namespace, enum.name)
    domains = {type_uid("domain", d.namespace, d.name): d for d in ctx.draft.domains.values()
               if d.base.ref == uid}

    def mine(t: m.ColumnType) -> bool:
        return t.ref == uid or (t.kind == "domain" and t.ref in domains)

    of_tables: list[tuple[str, str, set[str], set[str]]] = []
    for table in ctx.draft.tables.values():
        cols = {c.name for c in table.columns.values() if mine(c.type) and not c.type.array_dims}
        arrays = {c.name for c in table.columns.values() if mine(c.type) and c.type.array_dims}
        of_tables.append((table.namespace, table.name, cols, arrays))

        def ex(text: str, cols: set[str] = cols, arrays: set[str] = arrays) -> str:
            return relabel_expression(text, name, labels, columns=cols, array_columns=arrays)

        for c in table.columns.values():
            if c.default:
                c.default = (relabel_default(c.default, name, labels,
                                             array=bool(c.type.array_dims))
                             if mine(c.type) else ex(c.default))
        _table_expressions(table, ex)
    for d in domains.values():
        if d.default:
            d.default = relabel_default(d.default, name, labels, array=bool(d.base.array_dims))
        d.checks = [(n, relabel_expression(x, name, labels, columns={"value"}))
                    for n, x in d.checks]
    relations, every_col, every_array = table_relations(of_tables)
    for raw in ctx.draft.raws:
        if raw.kind in KEPT_KINDS:
            raw.sql = relabel_expression(raw.sql, name, labels, columns=every_col,
                                         array_columns=every_array, statement=True,
                                         relations=relations)


def casts_follow(ctx: Context, old: tuple[str, str], new: tuple[str, str]) -> None:
    """After an enum or domain ``old`` became ``new`` (``RENAME TO``, ``SET SCHEMA``): the
    casts to it in the draft's expressions name it as PostgreSQL then shows them."""
    if old == new:
        return

    def ex(text: str) -> str:
        return retype_casts(text, old, new)

    for table in ctx.draft.tables.values():
        for c in table.columns.values():
            c.default = c.default and ex(c.default)
        _table_expressions(table, ex)
    for d in ctx.draft.domains.values():
        d.default = d.default and ex(d.default)
        d.checks = [(n, ex(x)) for n, x in d.checks]
    for raw in ctx.draft.raws:
        if raw.kind in KEPT_KINDS:
            raw.sql = retype_casts(raw.sql, old, new, statement=True)
