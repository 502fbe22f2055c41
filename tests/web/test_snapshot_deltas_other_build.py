"""Snapshot deltas (modeler.web.snapshot) in the cache two builds share while a deployment
rolls (old workers finish their requests while new ones start; several hosts).

The deltas are pickled model objects, and the model's frozen dataclasses pickle their
fields by position: a delta another build published (its Column one field shorter, say)
would unpickle with fields missing or shifted, and a snapshot caught up through it would
raise AttributeError on every use (500s) or, worse, hold values in the wrong fields (edits
diff against it and write rows). So a delta's key carries the build's stamp (another
build's deltas are never looked up), and anything unexpected in what the cache gives back
is read from the rows instead (found by a review of 449ebe6)."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache

from modeler.schema import actions
from modeler.web import snapshot as sn
from modeler.web.snapshot import materialize, snapshot_at, snapshot_uncached
from tests.web.test_snapshot_deltas import (
    Capture,
    _column,
    _design,
    _edit,
    _elsewhere,
    _key,
    _schema,
)

pytestmark = pytest.mark.django_db


def _published(django_user_model: Any, capture: Capture, who: str) -> tuple[Any, Any, Any]:
    """A design edited once by "another process": its key before the edit, the snapshot
    that process held then, and the design."""
    user = django_user_model.objects.create_user(who)
    design = _design(user)
    s, a, _ = _schema()
    materialize(s, design)
    k0 = _key(design)
    held, _ = snapshot_at(design.pk)
    _edit(design, user, capture, lambda x: actions.add_column(x, a, _column("note")), a)
    return k0, held, design


def test_another_builds_delta_is_not_looked_up(
        django_user_model: Any, django_capture_on_commit_callbacks: Capture,
        settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    settings.SNAPSHOT_CACHE_VERIFY = False  # production
    stamp = sn._model_stamp()
    monkeypatch.setattr(sn, "_MODEL_STAMP", ["another-build"])
    k0, held, design = _published(django_user_model, django_capture_on_commit_callbacks, "ob1")
    k1 = _key(design)
    assert cache.get(sn._delta_key(design.pk, k1.revision)) is not None  # the other build's
    monkeypatch.setattr(sn, "_MODEL_STAMP", [stamp])  # this build
    assert cache.get(sn._delta_key(design.pk, k1.revision)) is None
    _elsewhere(k0, held)
    got, _ = snapshot_at(design.pk)
    assert got == snapshot_uncached(design.pk)
    assert any(c.name == "note" for t in got.tables for c in t.columns)


@pytest.mark.parametrize("garbage", [
    ("tables", ("items", (object(),), ())),  # an element that is not one
    ("tables", ("items",)),  # a shape this build does not know
    ("no_such_part", ("all", ())),
])
def test_a_delta_that_does_not_apply_reads_the_rows(
        django_user_model: Any, django_capture_on_commit_callbacks: Capture,
        settings: Any, garbage: tuple[str, Any]) -> None:
    settings.SNAPSHOT_CACHE_VERIFY = False  # production
    k0, held, design = _published(django_user_model, django_capture_on_commit_callbacks, "ob2")
    key = sn._delta_key(design.pk, _key(design).revision)
    before, after, _ = cache.get(key)
    cache.set(key, (before, after, dict([garbage])))
    _elsewhere(k0, held)
    got, _ = snapshot_at(design.pk)
    assert got == snapshot_uncached(design.pk)
