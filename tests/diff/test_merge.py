"""Three-way merge: non-overlapping changes combine, overlapping ones are conflicts."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given

from modeler.diff.merge import merge
from modeler.schema import model as m
from tests.diff.test_diff_examples import edit_column, edit_table, shop
from tests.strategies import schema_pairs


@given(schema_pairs())
def test_one_sided_changes_merge_cleanly(pair: tuple[m.Schema, m.Schema]) -> None:
    a, b = pair
    for ours, theirs in ((a, b), (b, a), (b, b)):
        result = merge(a, ours, theirs)
        assert result.schema == b
        assert result.clean, result.conflicts


def test_non_overlapping_changes_both_land() -> None:
    base = shop()
    ours = edit_table(base, "customer", name="client")
    theirs = edit_column(base, "order_", "status", comment="Lifecycle")
    t = theirs.table_named("order_")
    assert t is not None
    theirs = edit_table(theirs, "order_", columns=(*t.columns, m.Column(
        "c-note", "note", m.ColumnType(name="text"), nullable=True)))
    result = merge(base, ours, theirs)
    assert result.clean
    assert result.schema.table_named("client") is not None
    order = result.schema.table_named("order_")
    assert order is not None
    assert [c.name for c in order.columns] == ["id", "customer_id", "status", "note"]
    assert order.column_named("status").comment == "Lifecycle"  # type: ignore[union-attr]


def test_both_sides_add_columns_in_place() -> None:
    base = shop()
    t = base.table_named("customer")
    assert t is not None
    ours = edit_table(base, "customer", columns=(*t.columns, m.Column(
        "c-a", "a", m.ColumnType(name="text"))))
    theirs = edit_table(base, "customer", columns=(t.columns[0], m.Column(
        "c-b", "b", m.ColumnType(name="text")), *t.columns[1:]))
    result = merge(base, ours, theirs)
    assert result.clean
    merged = result.schema.table_named("customer")
    assert merged is not None
    assert [c.name for c in merged.columns] == ["id", "b", "email", "a"]


def test_same_field_changed_twice_is_a_conflict() -> None:
    base = shop()
    ours = edit_column(base, "customer", "email", nullable=True, comment="mine")
    theirs = edit_column(base, "customer", "email", comment="theirs")
    result = merge(base, ours, theirs)
    (conflict,) = result.conflicts
    assert conflict.kind == "field" and conflict.field == "comment"
    assert (conflict.base, conflict.ours, conflict.theirs) == ("", "mine", "theirs")
    assert "comment" in conflict.describe()
    email = result.schema.table_named("customer").column_named("email")  # type: ignore[union-attr]
    assert email is not None and email.nullable and email.comment == "mine"


def test_delete_versus_modify_keeps_the_element() -> None:
    base = shop()
    ours = m.normalized(replace(base, relationships=()))
    rel = base.relationships[0]
    theirs = m.normalized(replace(base, relationships=(replace(rel, on_delete="CASCADE"),)))
    result = merge(base, ours, theirs)
    (conflict,) = result.conflicts
    assert conflict.kind == "delete-modify" and conflict.ours is None
    assert result.schema.relationships == theirs.relationships


def test_reference_to_removed_element_is_reported() -> None:
    base = shop()
    t = base.table_named("customer")
    assert t is not None
    ours = edit_table(base, "customer", columns=t.columns[:1])
    theirs = edit_table(base, "customer", indexes=(m.Index(
        "ix-e", "ix_customer_email", (m.IndexPart(column=t.columns[1].uid),)),))
    result = merge(base, ours, theirs)
    assert [c.kind for c in result.conflicts] == ["dangling"]
