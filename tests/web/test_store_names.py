"""store.sync writes any old -> new pair whose both ends are valid designs, in whatever order
its rows' unique names need: names swapped between two elements, a dropped element's name
taken by a new one or by a renamed one, in one edit (text mode, a merge and undo make such
pairs)."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import pytest

from modeler.schema import model as m
from modeler.web import models as db
from modeler.web import services
from modeler.web.snapshot import materialize, snapshot_uncached
from modeler.web.store import sync

pytestmark = pytest.mark.django_db
_COUNTER = itertools.count()
_UID = (f"00000000-0000-4000-8000-{n:012d}" for n in itertools.count(1))
TEXT = m.ColumnType(name="text")


def _design(user: Any) -> db.Design:
    project = services.project_create(name="p", slug=f"sn{next(_COUNTER)}", owner=user)
    return services.main_design(project)


def _table(name: str, *cols: str) -> m.Table:
    return m.Table(uid=next(_UID), name=name, columns=(
        m.Column(uid=next(_UID), name="id", type=m.ColumnType(name="bigint"), pk_order=1),
        *(m.Column(uid=next(_UID), name=c, type=TEXT, nullable=True) for c in cols)))


def _schema(design: db.Design, *tables: m.Table, enums: tuple[m.EnumType, ...] = ()
            ) -> m.Schema:
    return m.normalized(m.Schema(tables=tables, enums=enums, settings=design.project.settings,
                                 name=design.project.slug))


def _renamed(x: Any, name: str) -> Any:
    return dataclasses.replace(x, name=name)


def _check(design: db.Design, old: m.Schema, new: m.Schema) -> None:
    materialize(old, design)
    sync(design, old, new)
    got = snapshot_uncached(design.pk)
    assert got.tables == new.tables
    assert got.enums == new.enums


def test_two_tables_swap_names(user: Any) -> None:
    design = _design(user)
    a, b = _table("a", "x"), _table("b", "y")
    _check(design, _schema(design, a, b),
           _schema(design, _renamed(a, "b"), _renamed(b, "a")))


def test_two_columns_swap_names(user: Any) -> None:
    design = _design(user)
    t = _table("t", "x", "y")
    idc, x, y = t.columns
    new = dataclasses.replace(t, columns=(idc, _renamed(x, "y"), _renamed(y, "x")))
    _check(design, _schema(design, t), _schema(design, new))


def test_a_dropped_columns_name_is_taken_by_a_new_column(user: Any) -> None:
    design = _design(user)
    t = _table("t", "x")
    fresh = m.Column(uid=next(_UID), name="x", type=m.ColumnType(name="integer"),
                     nullable=True)
    new = dataclasses.replace(t, columns=(t.columns[0], fresh))
    _check(design, _schema(design, t), _schema(design, new))


def test_a_dropped_tables_name_is_taken_by_a_new_table(user: Any) -> None:
    design = _design(user)
    old, other = _table("t", "x"), _table("u")
    _check(design, _schema(design, old, other), _schema(design, _table("t", "y"), other))


def test_a_dropped_tables_name_is_taken_by_a_renamed_table(user: Any) -> None:
    design = _design(user)
    a, b = _table("a"), _table("b")
    _check(design, _schema(design, a, b), _schema(design, _renamed(b, "a")))


def test_a_dropped_columns_name_is_taken_by_a_renamed_column(user: Any) -> None:
    design = _design(user)
    t = _table("t", "x", "y")
    new = dataclasses.replace(t, columns=(t.columns[0], _renamed(t.columns[2], "x")))
    _check(design, _schema(design, t), _schema(design, new))


def test_a_dropped_enums_name_is_taken_by_a_new_enum(user: Any) -> None:
    design = _design(user)
    e1 = m.EnumType(uid=next(_UID), name="mood",
                    values=(m.EnumValue(next(_UID), "sad"), m.EnumValue(next(_UID), "happy")))
    e2 = m.EnumType(uid=next(_UID), name="mood", values=(m.EnumValue(next(_UID), "meh"),))
    _check(design, _schema(design, _table("t"), enums=(e1,)),
           _schema(design, _table("u"), enums=(e2,)))


def test_restoring_a_version_after_a_table_was_dropped_and_made_again(user: Any) -> None:
    """The user's way into such a pair: version 1 has table ``t``; ``t`` is dropped and a
    new ``t`` is made (another uid); restoring version 1 drops the new one and brings the
    old one back, under the same name, in one edit."""
    from modeler.web.editing import apply_edit
    from modeler.web.versions import version_restore, version_save

    design = _design(user)
    first = _table("t", "x")
    materialize(_schema(design, first, _table("keep")), design)
    version_save(project=design.project, actor=user, message="one", baseline=True,
                 design=design)

    def remake(s: m.Schema) -> m.Schema:
        again = _table("t", "y")
        return dataclasses.replace(s, tables=tuple(again if t.name == "t" else t
                                                   for t in s.tables))
    apply_edit(design=design, actor=user, action="t", summary="remake t", target_uid=None,
               change=remake, gated=False)
    remade = snapshot_uncached(design.pk).table_named("t")
    assert remade is not None and remade.uid != first.uid
    version_restore(project=design.project, actor=user, number=1)
    back = snapshot_uncached(design.pk).table_named("t")
    assert back is not None and back.uid == first.uid
    assert [c.name for c in back.columns] == ["id", "x"]
