"""store.sync skips the tables an edit left alone (the same object in old and new, or an
equal one) without writing anything else than a comparison of every table would."""

from __future__ import annotations

import dataclasses
import itertools
from typing import Any

import pytest
from django.apps import apps
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from modeler.schema import model as m
from modeler.schema import serialize
from modeler.web import models as db
from modeler.web import services
from modeler.web.snapshot import materialize, snapshot_uncached
from modeler.web.store import sync
from tests.diff.mutations import mutate
from tests.strategies import schemas
from tests.web.test_fieldmap import _names

pytestmark = pytest.mark.django_db
_COUNTER = itertools.count()


def _rows(design: db.Design) -> dict[tuple[str, str], tuple[tuple[str, str], ...]]:
    """Every element row of ``design`` by model and uid: its fields but keys to other rows
    (numbered per design) and the times (the version says whether it was written)."""
    out: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {}
    for model in apps.get_app_config("web").get_models():
        if not issubclass(model, db.Element):
            continue
        names = [f.attname for f in model._meta.concrete_fields
                 if f.attname not in ("id", "created_at", "updated_at")
                 and not f.attname.endswith("_id")]
        for row in model._default_manager.filter(design=design).values(*names):
            out[model.__name__, str(row["uid"])] = tuple(sorted(
                (k, str(v)) for k, v in row.items()))
    return out


def _design(user: Any) -> db.Design:
    project = services.project_create(name="p", slug=f"su{next(_COUNTER)}", owner=user)
    return services.main_design(project)


@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture],
          deadline=None)
@given(data=st.data())
def test_shared_tables_write_what_equal_copies_write(django_user_model: Any,
                                                     data: Any) -> None:
    """sync(a → b) where b shares a's unchanged tables (as an edit's snapshot does) and
    sync(a' → b') for copies that share nothing (every table compared field by field) write
    the same rows, versions included; the rows of unchanged tables keep their version."""
    user, _ = django_user_model.objects.get_or_create(username="store-unchanged")
    shared, copied = _design(user), _design(user)

    def here(design: db.Design, s: m.Schema) -> m.Schema:
        return m.normalized(dataclasses.replace(s, settings=design.project.settings,
                                                name=design.project.slug))
    first = data.draw(schemas())
    second = mutate(data.draw, first)
    a, b = here(shared, first), here(shared, second)
    old_names = _names(a)
    assume(all(old_names.get(k, u) == u for k, u in _names(b).items()))
    a2, b2 = (serialize.loads(serialize.dumps(here(copied, s))) for s in (first, second))
    assert not any(x is y for x, y in zip(a2.tables, b2.tables, strict=False))
    for design, old, new in ((shared, a, b), (copied, a2, b2)):
        materialize(old, design)
        before = _rows(design)
        result = sync(design, old, new)
        assert snapshot_uncached(design.pk).tables == new.tables
        after = _rows(design)
        olds = {t.uid: t for t in old.tables}
        elements: list[m.Element] = []
        for t in new.tables:
            if olds.get(t.uid) == t:
                elements += (t, *t.columns, *t.indexes, *t.uniques, *t.checks,
                             *t.query_patterns)
        left_alone = {x.uid for x in elements}
        assert not left_alone & result.touched
        for key, row in after.items():
            if key[1] in left_alone:
                assert before[key] == row
    assert _rows(shared) == _rows(copied)


def test_an_edit_of_one_table_writes_its_rows_only(user: Any) -> None:
    """Adding a column to one table of three writes that column's row, nothing else."""
    design = _design(user)
    uid = iter(f"00000000-0000-4000-8000-{n:012d}" for n in itertools.count(1))
    text = m.ColumnType(name="text")
    tables = tuple(m.Table(uid=next(uid), name=f"t{n}", columns=(
        m.Column(uid=next(uid), name="id", type=m.ColumnType(name="bigint"), pk_order=1),
        m.Column(uid=next(uid), name="label", type=text, nullable=True)))
        for n in range(3))
    a = m.normalized(m.Schema(tables=tables, settings=design.project.settings,
                              name=design.project.slug))
    added = m.Column(uid=next(uid), name="note", type=text, nullable=True)
    b = dataclasses.replace(a, tables=(a.tables[0], dataclasses.replace(
        a.tables[1], columns=(*a.tables[1].columns, added)), a.tables[2]))
    materialize(a, design)
    before = _rows(design)
    result = sync(design, a, b)
    assert (result.created, result.changed, result.deleted) == (1, 0, 0)
    assert result.touched == {added.uid}
    after = _rows(design)
    assert {k: v for k, v in after.items() if k[1] != added.uid} == before
    assert snapshot_uncached(design.pk).tables == b.tables
