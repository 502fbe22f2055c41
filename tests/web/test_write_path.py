"""Every write of design rows goes through the write path (issue #15): the editor's first view
stores positions under the design's lock, on the rows as they are then."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from modeler.schema import model as m
from modeler.schema.builder import SchemaBuilder
from modeler.web import diagrams, services
from modeler.web.editing import apply_edit
from modeler.web.snapshot import materialize, snapshot

pytestmark = pytest.mark.django_db


def two_tables(user: Any) -> Any:
    project = services.project_create(name="Shop", slug="shop", owner=user)
    b = SchemaBuilder(name="shop")
    b.table("customer", comment="People who buy").column("id", "bigint", identity="always",
                                                          pk=True).timestamps()
    b.table("purchase", comment="What they buy").column("id", "bigint", identity="always",
                                                        pk=True).timestamps()
    materialize(b.build(), services.main_design(project))
    return project


def rename(schema: m.Schema, old: str, new: str) -> m.Schema:
    return replace(schema, tables=tuple(replace(t, name=new) if t.name == old else t
                                        for t in schema.tables))


def test_first_view_positions_keep_a_rename_committed_meanwhile(user: Any) -> None:
    project = two_tables(user)
    design = services.main_design(project)
    stale = snapshot(design)  # the editor's GET read this, then someone renamed a table
    assert not any(t.position for t in stale.tables)
    apply_edit(design=services.main_design(project), actor=user, action="table.rename",
               summary="renamed customer", target_uid=None,
               change=lambda s: rename(s, "customer", "client"))

    svg = diagrams.svg_for(stale, project, user, design, can_store=True)

    stored = snapshot(services.main_design(project))
    names = sorted(t.name for t in stored.tables)
    assert names == ["client", "purchase"]  # a plain store of the stale snapshot: "customer"
    assert all(t.position is not None for t in stored.tables)
    assert "client" in svg  # the drawing shows the design as stored


def test_first_view_positions_keep_a_place_given_meanwhile(user: Any) -> None:
    project = two_tables(user)
    design = services.main_design(project)
    stale = snapshot(design)
    dragged = m.Position(x=1234.0, y=567.0)
    apply_edit(design=services.main_design(project), actor=user, action="table.move",
               summary="moved customer", target_uid=None, gated=False,
               change=lambda s: replace(s, tables=tuple(
                   replace(t, position=dragged) if t.name == "customer" else t
                   for t in s.tables)))

    diagrams.svg_for(stale, project, user, design, can_store=True)

    stored = snapshot(services.main_design(project))
    customer = stored.table_named("customer")
    purchase = stored.table_named("purchase")
    assert customer is not None and customer.position == dragged
    assert purchase is not None and purchase.position is not None


def test_first_view_leaves_the_callers_revision(user: Any) -> None:
    """The page shows the snapshot it read: its revision stays the one of that snapshot, so
    the editor's poller fetches what was written since (the positions, a concurrent edit)."""
    project = two_tables(user)
    design = services.main_design(project)
    before = design.revision
    diagrams.svg_for(snapshot(design), project, user, design, can_store=True)
    assert design.revision == before
    assert services.main_design(project).revision == before + 1
