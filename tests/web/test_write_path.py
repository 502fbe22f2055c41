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


# ------------------------------------------------------------------ services for the views

def test_rule_level_set_records_the_change_and_refuses_a_silent_reset(user: Any) -> None:
    from modeler.web.editing import Refused
    from modeler.web.models import Activity, RuleSetting

    project = two_tables(user)
    stored = services.rule_level_set(project=project, actor=user, rule="dc-01",
                                     level="advise", reason="prototype phase only")
    assert stored is not None and stored.rule == "DC-01" and stored.level == "advise"
    with pytest.raises(Refused, match="Say why"):
        services.rule_level_set(project=project, actor=user, rule="DC-01", level="default")
    assert RuleSetting.objects.filter(project=project).count() == 1
    assert services.rule_level_set(project=project, actor=user, rule="DC-01",
                                   level="default", reason="the prototype is over") is None
    assert not RuleSetting.objects.filter(project=project).exists()
    assert [a.summary.split(" rule ")[0] for a in Activity.objects.filter(
        project=project, action="rules.level").order_by("id")] == ["lowered", "reset"]
    with pytest.raises(Refused, match="Pick a rule"):
        services.rule_level_set(project=project, actor=user, rule="XX-99", level="advise")


def test_rule_level_set_is_for_members_who_edit(user: Any, other_user: Any) -> None:
    from django.core.exceptions import PermissionDenied

    project = two_tables(user)
    with pytest.raises(PermissionDenied):
        services.rule_level_set(project=project, actor=other_user, rule="NF-08",
                                level="block")


def test_view_prefs_set_is_what_the_diagram_reads(user: Any) -> None:
    project = two_tables(user)
    prefs = {**diagrams.DEFAULT_PREFS, "direction": "TB", "depth": 2}
    services.view_prefs_set(project=project, user=user, options=prefs)
    services.view_prefs_set(project=project, user=user, options={**prefs, "depth": 3})
    assert diagrams.prefs_for(user, project) == {**prefs, "depth": 3}
