"""materialize → snapshot is the identity, for generated designs, on the real database."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from modeler.schema import model as m
from modeler.web import services
from modeler.web.snapshot import materialize, snapshot
from tests.strategies import schemas

pytestmark = pytest.mark.django_db
_COUNTER = itertools.count()


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture],
          deadline=None)
@given(schema=schemas())
def test_materialize_then_snapshot_is_identity(django_user_model: Any,
                                               schema: m.Schema) -> None:
    user, _ = django_user_model.objects.get_or_create(username="prop")
    project = services.project_create(name="p", slug=f"p{next(_COUNTER)}", owner=user)
    design = services.main_design(project)
    wanted = m.normalized(m.Schema(
        tables=schema.tables, relationships=schema.relationships, enums=schema.enums,
        domains=schema.domains, extensions=schema.extensions, sequences=schema.sequences,
        raw_objects=schema.raw_objects, settings=project.settings, name=project.slug,
        collations=schema.collations))
    materialize(wanted, design)
    assert snapshot(design) == wanted
