"""store.insert writes the rows Django's bulk_create writes (every field of every element
model, created_at/updated_at aside), on a generated design of every element kind."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import pytest
from django.db.models import Model
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modeler.schema import model as m
from modeler.web import models as db
from modeler.web import services, store
from modeler.web.snapshot import materialize, snapshot_uncached
from tests.strategies import schemas
from tests.web.test_store_unchanged import _rows

pytestmark = pytest.mark.django_db
_COUNTER = itertools.count()


def _design(user: Any) -> db.Design:
    project = services.project_create(name="p", slug=f"si{next(_COUNTER)}", owner=user)
    return services.main_design(project)


def _bulk_create(model: type[Model], rows: list[dict[str, Any]]) -> None:
    model._default_manager.bulk_create([model(**r) for r in rows])


@settings(max_examples=15, suppress_health_check=[HealthCheck.function_scoped_fixture],
          deadline=None)
@given(data=st.data())
def test_insert_writes_what_bulk_create_writes(django_user_model: Any, data: Any,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    user, _ = django_user_model.objects.get_or_create(username="store-insert")
    fast, slow = _design(user), _design(user)
    drawn = data.draw(schemas())

    def here(design: db.Design) -> m.Schema:
        return m.normalized(dataclasses.replace(drawn, settings=design.project.settings,
                                                name=design.project.slug))
    materialize(here(fast), fast)
    with monkeypatch.context() as patch:
        patch.setattr(store, "insert", _bulk_create)
        materialize(here(slow), slow)
    assert _rows(fast) == _rows(slow)
    assert snapshot_uncached(fast.pk) == dataclasses.replace(snapshot_uncached(slow.pk),
                                                             name=fast.project.slug)


def test_a_row_without_a_required_value_is_refused(user: Any) -> None:
    with pytest.raises(ValueError, match=r"DbTable\.name: no value"):
        store.insert(db.DbTable, [{"design_id": _design(user).pk, "uid": "0" * 32}])
