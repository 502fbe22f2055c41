"""A kept view made again by a later CREATE OR REPLACE, given its previous definition back.

The undoing of a redefinition gives the object its previous definition back with CREATE OR
REPLACE (:func:`modeler.codegen.migration_types.drop_raw_object`). For a view PostgreSQL takes
that only while the columns stay as they are; the redefinition was taken by CREATE OR REPLACE
itself, so it can only have added columns at the end, and their removal is refused
(``cannot drop columns from view``, SQLSTATE 42P16, invalid_table_definition). Which columns
``SELECT *`` and expressions give is not known without the database, so the undoing tries
CREATE OR REPLACE and, where PostgreSQL refuses it, drops the view and makes it again, the
kept objects standing on it (views over it, their rules, triggers, policies, comments and
indexes) dropped before and made again after, in their order. Nothing else is dropped: DROP
VIEW without CASCADE fails loudly where something not kept still stands on the view."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from modeler.codegen.sqlwriter import ident, qname, raw_drop_sql, sql_str
from modeler.diff.compare_types import _names_in
from modeler.schema.model import RawObject

# kept objects that go with a view they stand on (their own drop named below, or none:
# a comment or an index goes with its object) and are made again by their own SQL
_STANDING = frozenset({"view", "materialized view", "trigger", "rule", "policy", "comment",
                       "index", "statistics"})
_ON_TABLE = {"trigger": "TRIGGER", "rule": "RULE", "policy": "POLICY"}


def standing_on(view: RawObject, others: Sequence[RawObject]) -> list[RawObject]:
    """The kept objects of ``others`` (in their order) that name ``view``, or name one that
    does in turn (a view over a view over it), of the kinds a DROP VIEW takes along."""
    named = _names_in((view, *others))
    names = {view.name.lower()}
    found: list[str] = []
    while True:
        more = [o.uid for o in others if o.uid not in found and o.kind in _STANDING
                and named[o.uid] & names]
        if not more:
            break
        found += more
        names |= {o.name.lower() for o in others if o.uid in more and o.name
                  and o.kind in ("view", "materialized view")}
    return [o for o in others if o.uid in found]


def remade_view_sql(view: RawObject, previous: RawObject, back: list[str],
                    standing: Sequence[RawObject],
                    sql_of: Callable[[RawObject], list[str]],
                    target: Callable[[RawObject], str | None]) -> str:
    """A DO block: nothing where the view is gone already (what it read went with CASCADE
    before it on the way down: a kept call's undoing empties the namespace its tables were
    made in); else ``back`` (the statements giving the view its previous definition with
    CREATE OR REPLACE). Where PostgreSQL refuses them for the view's columns, the objects
    ``standing`` on it are dropped (newest first), then the view, and the previous definition
    (``previous``) and the standing objects are made again (``sql_of`` gives an object's
    statements, ``target`` a trigger's, rule's or policy's table). Where the previous
    definition reads what is gone by now, the view and what stands on it go (as the first
    definition's undoing, which comes later, would drop them), with a warning."""
    name = qname(view.namespace or "public", view.name)
    drops: list[str] = []
    for obj in reversed(standing):
        table = target(obj) if obj.kind in _ON_TABLE else None
        if table is not None:
            drops.append(f"DROP {_ON_TABLE[obj.kind]} IF EXISTS {ident(obj.name)} ON {table}")
        elif obj.kind in ("view", "materialized view"):
            sql = raw_drop_sql(obj.kind, obj.namespace, obj.name, obj.sql)
            if sql:
                drops.append(sql)
    drops.append(f"DROP VIEW {name}")
    again = [*drops, *sql_of(previous), *(s for obj in standing for s in sql_of(obj))]
    gone = (f"{view.kind} {view.name}: its previous definition reads what is gone; "
            "dropped now, with what stands on it")

    def run(stmts: Sequence[str]) -> str:
        return "".join(f"  EXECUTE {sql_str(s)};\n" for s in stmts)

    body = (f"BEGIN\n  IF to_regclass({sql_str(name)}) IS NULL THEN\n    RETURN;\n  END IF;\n"
            f"{run(back)}EXCEPTION WHEN invalid_table_definition THEN\n{run(again)}"
            "  WHEN undefined_table OR undefined_column OR undefined_function"
            f" OR undefined_object THEN\n  RAISE WARNING '%', {sql_str(gone)};\n"
            f"{run(drops)}END")
    tag = "$remade$"
    while tag in body:
        tag = tag[:-1] + "_$"
    return f"DO {tag}\n{body}\n{tag}"
