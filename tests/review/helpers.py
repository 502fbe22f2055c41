"""Designs and edits for the review tests (every design here passes the version gate)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from modeler.schema import model as m
from modeler.schema.builder import SchemaBuilder
from modeler.web import models as db
from modeler.web.editing import apply_edit


def good_schema() -> m.Schema:
    b = SchemaBuilder(name="shop")
    c = b.table("customer", comment="People who buy things")
    c.column("id", "bigint", identity="always", pk=True).column(
        "full_name", "text", comment="What the customer is called").timestamps()
    o = b.table("purchase", comment="An order placed by a customer")
    o.column("id", "bigint", identity="always", pk=True).column("customer_id", "bigint")
    o.timestamps().index("customer_id")
    b.relationship("purchase", ["customer_id"], "customer", on_delete="RESTRICT",
                   on_update="NO ACTION")
    return b.build()


def new_table(name: str, *, pk: bool = True) -> m.Table:
    """A table that passes the rules (or, with ``pk=False``, breaks KR-01, a BLOCK rule)."""
    b = SchemaBuilder()
    t = b.table(name, comment=f"The {name} records of the shop")
    if pk:
        t.column("id", "bigint", identity="always", pk=True)
    else:
        t.column("label", "text", comment="What it is called")
    t.timestamps()
    return b.build().tables[0]


def add_table(name: str, *, pk: bool = True) -> Callable[[m.Schema], m.Schema]:
    def change(s: m.Schema) -> m.Schema:
        return m.normalized(replace(s, tables=(*s.tables, new_table(name, pk=pk))))
    return change


def rename_column(table: str, column: str, new: str) -> Callable[[m.Schema], m.Schema]:
    def change(s: m.Schema) -> m.Schema:
        t = s.table_named(table)
        assert t is not None
        cols = tuple(replace(c, name=new) if c.name == column else c for c in t.columns)
        return m.normalized(replace(s, tables=tuple(replace(x, columns=cols) if x.uid == t.uid
                                                    else x for x in s.tables)))
    return change


def set_comment(table: str, comment: str) -> Callable[[m.Schema], m.Schema]:
    def change(s: m.Schema) -> m.Schema:
        return m.normalized(replace(s, tables=tuple(
            replace(t, comment=comment) if t.name == table else t for t in s.tables)))
    return change


def edit(design: db.Design, actor: Any, change: Callable[[m.Schema], m.Schema]) -> None:
    """An edit of a design through the one write path (the rule gate off, as fixes do)."""
    apply_edit(design=design, actor=actor, action="test.edit", summary="test edit",
               target_uid=None, change=change, gated=False)


def add_column(table: str, name: str, type_: str = "text", **kw: Any,
               ) -> Callable[[m.Schema], m.Schema]:
    def change(s: m.Schema) -> m.Schema:
        from modeler.schema.builder import stable_uid

        col = m.Column(uid=stable_uid("column", "public", table, name), name=name,
                       type=m.ColumnType(name=type_), **kw)
        return m.normalized(replace(s, tables=tuple(
            replace(t, columns=(*t.columns, col)) if t.name == table else t
            for t in s.tables)))
    return change


def waive(design: db.Design, actor: Any, schema: m.Schema, rule: str) -> None:
    """A waiver (as the waive view writes it) for the ``rule`` finding of ``schema``."""
    from modeler import rules
    from modeler.web import ruling

    finding = next(f for f in ruling.lint_project(schema, design.project, design)
                   if f.rule == rule)
    w = rules.make_waiver(schema, finding, "Customers may share an address in this shop.",
                          actor.get_username(), "2026-01-01T00:00:00")
    db.Waiver.objects.create(project=design.project, design=design, rule=w.rule,
                             target_key=w.target_key, fingerprint=w.fingerprint,
                             justification=w.justification, author=actor,
                             target_path=finding.target.path)
