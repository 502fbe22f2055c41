"""Collations, column collations and partitions survive rows → snapshot → rows."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from modeler.importers import import_sql
from modeler.web import services, store
from modeler.web.models import Collation, DbTable, Relationship
from modeler.web.snapshot import materialize, snapshot
from tests.codegen.designs import PARTITIONED_V1, PARTITIONED_V2

pytestmark = pytest.mark.django_db


def test_collations_and_partitions_round_trip_and_sync(user: Any) -> None:
    project = services.project_create(name="Parts", slug="parts", owner=user)
    design = services.main_design(project)
    v1 = replace(import_sql([("v1.sql", PARTITIONED_V1)]).schema, settings=project.settings,
                 name="parts")
    v2 = replace(import_sql([("v2.sql", PARTITIONED_V2)]).schema, settings=project.settings,
                 name="parts")
    materialize(v1, design)
    assert snapshot(design) == v1
    assert Collation.objects.filter(design=design).count() == 2
    parts = DbTable.objects.filter(design=design, partition_of__isnull=False)
    assert parts.count() == 8
    # several tables hold an FK of the same name (the partitions' copies of event's)
    assert Relationship.objects.filter(design=design, name="event_customer_id_fkey").count() > 1
    result = store.sync(design, v1, v2)
    assert not result.empty
    again = snapshot(design)
    assert again == v2
    old = again.table_named("event_old")
    assert old is not None and old.partition_of is None and old.partition_bound == ""
    customer = again.table_named("customer")
    code = customer.column_named("code") if customer is not None else None
    assert code is not None and code.collation == 'app."Natural ""Sort"""'
    assert [c.name for c in again.collations] == ["Natural \"Sort\""]
