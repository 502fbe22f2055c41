"""validate.problems reuses what it found in a table (and a relationship) object it checked
before: after checking a design, the problems of an edit of it are exactly those found with
nothing remembered, also when the edit breaks what the unchanged tables rely on."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from modeler.identity_memo import IdentityMemo
from modeler.schema import model as m
from modeler.schema import validate
from tests.diff.mutations import mutate
from tests.strategies import schemas


def _forgetting(s: m.Schema) -> list[str]:
    """problems(s) with nothing remembered from earlier checks."""
    validate._TABLES = IdentityMemo(validate._TABLES.size)
    validate._RELATIONSHIPS = IdentityMemo(validate._RELATIONSHIPS.size)
    return validate.problems(s)


def _without_types(s: m.Schema) -> m.Schema:
    """The enums and domains gone: columns of those types now name no type."""
    return dataclasses.replace(s, enums=(), domains=())


def _without_collations(s: m.Schema) -> m.Schema:
    return dataclasses.replace(s, collations=())


def _keyless_parents(s: m.Schema) -> m.Schema:
    """Every referenced table without its primary key (its FKs now match no key)."""
    parents = {r.parent_table for r in s.relationships}
    return dataclasses.replace(s, tables=tuple(
        dataclasses.replace(t, columns=tuple(dataclasses.replace(c, pk_order=None)
                                             for c in t.columns))
        if t.uid in parents else t for t in s.tables))


def _same_names(s: m.Schema) -> m.Schema:
    """The last table renamed as the first (two tables of one name)."""
    if len(s.tables) < 2:
        return s
    first, last = s.tables[0], s.tables[-1]
    return dataclasses.replace(s, tables=(*s.tables[:-1], dataclasses.replace(
        last, name=first.name, namespace=first.namespace)))


def _dropped_parent(s: m.Schema) -> m.Schema:
    """The first referenced table gone, its relationships kept."""
    if not s.relationships:
        return s
    gone = s.relationships[0].parent_table
    return dataclasses.replace(s, tables=tuple(t for t in s.tables if t.uid != gone))


def _extensions_and_raw_gone(s: m.Schema) -> m.Schema:
    return dataclasses.replace(s, extensions=(), raw_objects=())


DAMAGE: list[Callable[[m.Schema], m.Schema]] = [
    _without_types, _without_collations, _keyless_parents, _same_names, _dropped_parent,
    _extensions_and_raw_gone]


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_an_edit_finds_what_a_fresh_check_finds(data: Any) -> None:
    first = m.normalized(data.draw(schemas()))
    edited = mutate(data.draw, first)
    for damage in data.draw(st.lists(st.sampled_from(DAMAGE), max_size=2)):
        edited = damage(edited)
    edited = data.draw(st.sampled_from([edited, m.normalized(edited)]))
    validate.problems(first)
    remembered = validate.problems(edited)
    assert remembered == _forgetting(edited)
    # and back: the first design's tables were remembered in the other's context
    validate.problems(edited)
    assert validate.problems(first) == _forgetting(first)


def test_a_shared_table_is_checked_again_in_a_new_context() -> None:
    """A table whose column has an enum type: valid with the enum, refused without it,
    though the table object is the same."""
    uid = iter(f"00000000-0000-4000-8000-{n:012d}" for n in range(1, 10))
    mood = m.EnumType(uid=next(uid), name="mood",
                      values=(m.EnumValue(uid=next(uid), label="ok"),))
    table = m.Table(uid=next(uid), name="person", columns=(
        m.Column(uid=next(uid), name="id", type=m.ColumnType(name="bigint"), pk_order=1),
        m.Column(uid=next(uid), name="mood", type=m.ColumnType(
            kind="enum", name="mood", ref=mood.uid))))
    with_enum = m.Schema(tables=(table,), enums=(mood,))
    assert validate.problems(with_enum) == []
    assert validate.problems(dataclasses.replace(with_enum, enums=())) == [
        "column person.mood: its enum type does not exist"]
    assert validate.problems(with_enum) == []
