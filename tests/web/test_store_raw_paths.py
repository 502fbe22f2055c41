"""The search_path a raw object was written under survives rows → snapshot → rows (else the
next version would drop and recreate every imported object)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from modeler.importers import import_sql
from modeler.web import services, store
from modeler.web.models import RawObject
from modeler.web.snapshot import materialize, snapshot

pytestmark = pytest.mark.django_db

SCRIPT = """CREATE SCHEMA app;
SET search_path = app, public, pg_catalog;
CREATE TABLE item (id int PRIMARY KEY);
CREATE FUNCTION ping() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql;
SELECT pg_catalog.set_config('search_path', '', false);
CREATE VIEW public.items AS SELECT id FROM app.item;
"""


def test_raw_object_paths_round_trip_and_sync(user: Any) -> None:
    project = services.project_create(name="Paths", slug="paths", owner=user)
    design = services.main_design(project)
    v1 = replace(import_sql([("p.sql", SCRIPT)]).schema, settings=project.settings,
                 name="paths")
    assert [o.search_path for o in v1.raw_objects] == ["app, public, pg_catalog", ""]
    materialize(v1, design)
    assert snapshot(design) == v1
    assert sorted(RawObject.objects.filter(design=design).values_list(
        "search_path", flat=True)) == ["", "app, public, pg_catalog"]
    fn, view = v1.raw_objects
    v2 = replace(v1, raw_objects=(replace(fn, search_path=None), view))
    assert not store.sync(design, v1, v2).empty
    assert snapshot(design) == v2
