"""Property tests: the differ's ops reproduce the new snapshot and reverse exactly."""

from __future__ import annotations

from hypothesis import given

from modeler.diff import apply_all, diff, reverse_all
from modeler.schema import model as m
from tests.strategies import schema_pairs, schemas


@given(schema_pairs())
def test_apply_diff_gives_new(pair: tuple[m.Schema, m.Schema]) -> None:
    a, b = pair
    ops = diff(a, b)
    assert apply_all(ops, a) == b
    assert apply_all(reverse_all(ops), b) == a


@given(schemas())
def test_diff_from_empty_and_to_empty(s: m.Schema) -> None:
    empty = m.Schema()
    ops = diff(empty, s)
    assert apply_all(ops, empty) == s
    assert apply_all(reverse_all(ops), s) == empty
    assert apply_all(diff(s, empty), s) == empty
    assert diff(s, s) == ()


@given(schemas())
def test_schemas_are_valid(s: m.Schema) -> None:
    assert m.normalized(s) == s
    for t in s.tables:
        assert len({c.name for c in t.columns}) == len(t.columns)
        for c in t.columns:
            if c.type.ref:
                assert s.type_object(c.type.ref) is not None
    for r in s.relationships:
        parent = s.table(r.parent_table)
        assert r.parent_columns == tuple(c.uid for c in parent.primary_key)
        for cu, pu in zip(r.child_columns, r.parent_columns, strict=True):
            assert s.column(cu).type == s.column(pu).type
