"""Issue #17: a snapshot read from the rows shares the unchanged parts of the snapshot this
process held before (another web process made the edit): the same value, the old objects,
so that what was memoised by object for them serves the new snapshot."""

from __future__ import annotations

import itertools
from dataclasses import replace
from typing import Any

import pytest

from modeler.schema import actions
from modeler.schema import model as m
from modeler.web import models as db
from modeler.web import services
from modeler.web.snapshot import CACHE, materialize, shared, snapshot, snapshot_uncached
from modeler.web.store import sync

pytestmark = pytest.mark.django_db
_COUNTER = itertools.count()


def _design(user: Any) -> db.Design:
    project = services.project_create(name="s", slug=f"sh{next(_COUNTER)}", owner=user)
    return services.main_design(project)


def _schema() -> tuple[m.Schema, str, str]:
    s, a = actions.add_table(m.Schema(), name="alpha", comment="A.")
    s, b = actions.add_table(s, name="beta", comment="B.")
    s = actions.draw_relationship(s, child_uid=b, parent_uid=a)
    s = actions.save_enum(s, uid=actions.new_uid(), name="mood", namespace="public",
                          labels=["ok", "sad"], comment="", existing=False)
    return s, a, b


def test_a_read_after_another_process_wrote_shares_the_unchanged_tables(
        django_user_model: Any) -> None:
    user = django_user_model.objects.create_user("sh1")
    design = _design(user)
    s, a, b = _schema()
    materialize(s, design)
    before = snapshot(design.pk)  # what this process holds
    # another process's edit: the rows change, this process's cache learns nothing of it
    edited = actions.add_column(before, a, m.Column(uid=actions.new_uid(), name="note",
                                                    type=m.ColumnType(name="text"),
                                                    comment="n"))
    sync(design, before, edited, validated=True)
    after = snapshot(design.pk)
    assert after == edited == snapshot_uncached(design.pk)
    assert after.table(b) is before.table(b)  # unchanged: the object this process had
    assert after.table(a) is not before.table(a) and after.table(a) == edited.table(a)
    assert after.relationships is before.relationships
    assert after.enums is before.enums
    # read again at that revision: the cached one
    assert snapshot(design.pk) is after


def test_without_a_snapshot_held_nothing_is_shared(django_user_model: Any) -> None:
    user = django_user_model.objects.create_user("sh2")
    design = _design(user)
    s, a, _ = _schema()
    materialize(s, design)
    held = snapshot(design.pk)
    CACHE.clear()
    fresh = snapshot(design.pk)
    assert fresh == held and fresh.table(a) is not held.table(a)


def test_shared_keeps_what_differs() -> None:
    s, a, b = _schema()
    moved = replace(s, tables=tuple(replace(t, position=m.Position(x=5, y=7))
                                    if t.uid == a else t for t in s.tables))
    # a copy that shares nothing with ``s``
    copy = replace(moved, tables=tuple(replace(t) for t in moved.tables),
                   relationships=tuple(replace(r) for r in moved.relationships))
    out = shared(copy, s)
    assert out == moved
    assert out.table(a) is copy.table(a)  # moved: not the old object
    assert out.table(b) is s.table(b)
    assert out.relationships is s.relationships
    # an element gone, one added
    fewer = replace(s, tables=tuple(t for t in s.tables if t.uid != a), relationships=())
    assert shared(fewer, s) == fewer
    assert shared(s, fewer) == s and shared(s, fewer).table(b) is fewer.table(b)


def test_the_next_read_after_an_edit_is_the_edits_own_snapshot(django_user_model: Any) -> None:
    """What an edit validated, linted and drew is what the next request reads (the same
    object: what was memoised for it serves again), when it is in canonical order."""
    from modeler.web.editing import apply_edit

    user = django_user_model.objects.create_user("sh3")
    design = _design(user)
    s, a, _ = _schema()
    materialize(s, design)
    out = apply_edit(design=design, actor=user, action="column.add", summary="added",
                     target_uid=a, change=lambda x: actions.add_column(
                         x, a, m.Column(uid=actions.new_uid(), name="note",
                                        type=m.ColumnType(name="text"), comment="n")))
    assert m.normalized(out.new) == out.new
    assert snapshot(design.pk) is out.new
    assert snapshot_uncached(design.pk) == out.new
    # a result out of canonical order is cached in that order
    shuffled = replace(out.new, tables=tuple(reversed(out.new.tables)))
    from modeler.web.snapshot import canonical

    assert canonical(shuffled) is not shuffled and canonical(shuffled) == out.new
