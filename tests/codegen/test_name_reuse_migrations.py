"""Migrations between designs that hand names around: tables, indexes, uniques, checks and
enums swapping names or taking the name a dropped or renamed element gave up. PostgreSQL
refuses two relations (tables, indexes, sequences) or two constraints of a table with one
name at any moment, so the revision must free a name before it is taken, both ways."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import pytest

from modeler.schema import actions
from modeler.schema import model as m
from tests.codegen.test_migration_render import migrate_both_ways
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres


def _base() -> tuple[m.Schema, str, str]:
    s, a = actions.add_table(m.Schema(), name="account", comment="A.")
    s, b = actions.add_table(s, name="shipment", comment="B.")
    for t in (a, b):
        for col in ("code", "label"):
            s = actions.add_column(s, t, m.Column(uid=actions.new_uid(), name=col,
                                                  type=m.ColumnType(name="text"),
                                                  comment="c", nullable=False))
    return s, a, b


def _table(s: m.Schema, uid: str) -> m.Table:
    return next(t for t in s.tables if t.uid == uid)


def _col(s: m.Schema, uid: str, name: str) -> str:
    return next(c.uid for c in _table(s, uid).columns if c.name == name)


def _edit(s: m.Schema, uid: str, fn: Callable[[m.Table], m.Table]) -> m.Schema:
    return replace(s, tables=tuple(fn(t) if t.uid == uid else t for t in s.tables))


def _index(s: m.Schema, uid: str, name: str, col: str, iuid: str) -> m.Schema:
    idx = m.Index(uid=iuid, name=name, parts=(m.IndexPart(column=_col(s, uid, col)),))
    return _edit(s, uid, lambda t: replace(t, indexes=(*t.indexes, idx)))


def _rename_index(s: m.Schema, uid: str, iuid: str, name: str) -> m.Schema:
    return _edit(s, uid, lambda t: replace(t, indexes=tuple(
        replace(i, name=name) if i.uid == iuid else i for i in t.indexes)))


def _drop_index(s: m.Schema, uid: str, iuid: str) -> m.Schema:
    return _edit(s, uid, lambda t: replace(t, indexes=tuple(
        i for i in t.indexes if i.uid != iuid)))


def _rename_table(s: m.Schema, uid: str, name: str) -> m.Schema:
    return _edit(s, uid, lambda t: replace(t, name=name))


def _pairs() -> dict[str, tuple[m.Schema, m.Schema]]:
    s, a, b = _base()
    one = _index(_index(s, a, "ix_one", "code", "i1"), a, "ix_two", "label", "i2")
    out = {}
    # two indexes of a table swap names
    out["index swap"] = (one, _rename_index(_rename_index(one, a, "i1", "ix_two"), a, "i2",
                                            "ix_one"))
    # an index renamed, a new one takes its old name
    out["index name reused"] = (one, _index(_rename_index(one, a, "i1", "ix_old"), a,
                                            "ix_one", "label", "i3"))
    # an index dropped, a new one on another column takes its name
    out["index dropped and reused"] = (one, _index(_drop_index(one, a, "i1"), b, "ix_one",
                                                   "code", "i4"))
    # two tables swap names (and so their sequences, keys, triggers)
    tw = _index(_index(s, a, "ix_account_0", "code", "i5"), b, "ix_shipment_0", "code", "i6")
    out["table swap"] = (tw, _rename_table(_rename_table(tw, a, "shipment"), b, "account"))
    # a table renamed away, another takes its name and a new index takes its index's name
    moved = _rename_index(_rename_table(tw, a, "ledger"), a, "i5", "ix_ledger_0")
    out["table name reused"] = (tw, _index(_rename_table(moved, b, "account"), b,
                                           "ix_account_0", "label", "i7"))
    # a table dropped, another renamed to its name taking an index name the dropped one had
    gone = replace(tw, tables=tuple(t for t in tw.tables if t.uid != a))
    out["table dropped and reused"] = (tw, _index(_rename_table(gone, b, "account"), b,
                                                  "ix_account_0", "label", "i8"))
    # an index renamed to the name a dropped index had, on another table
    out["index takes a dropped index's name"] = (
        tw, _rename_index(_drop_index(tw, a, "i5"), b, "i6", "ix_account_0"))
    # the same in a schema of their own, and a table moving out of it: its name, and its
    # indexes' names, are free in the old schema once it has moved
    app = replace(tw, tables=tuple(replace(t, namespace="app") for t in tw.tables))
    out["table moves out, another takes its names"] = (app, _index(_rename_table(
        _edit(app, a, lambda t: replace(t, namespace="public")), b, "account"), b,
        "ix_account_0", "label", "i9"))
    out["table moves in taking a dropped table's names"] = (app, _edit(
        replace(app, tables=tuple(t for t in app.tables if t.uid != a)), b,
        lambda t: replace(t, namespace="public", name="account", indexes=tuple(
            replace(i, name="ix_account_0") for i in t.indexes))))
    return out


PAIRS = _pairs()


@pytest.mark.parametrize("case", sorted(PAIRS))
@pytest.mark.parametrize("safe", [True, False])
def test_names_handed_around_migrate_both_ways(pg_server: PgServer, case: str,
                                               safe: bool) -> None:
    migrate_both_ways(pg_server, *PAIRS[case], safe=safe)
