"""The editor's checks in :mod:`modeler.schema.actions`, through the element views: what the
column form's key and Unique boxes store, where a new column lands, and an enum relabel
keeping the identity of its kept labels (the pure cases: tests/schema/test_actions_checks.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from modeler.schema import model as m
from modeler.web import services
from modeler.web.diagrams import row_version
from modeler.web.snapshot import snapshot

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def project(user: Any) -> Any:
    return services.project_create(name="Shop", slug="shop", owner=user)


@pytest.fixture
def editor(client: Client, user: Any, project: Any) -> Client:
    client.force_login(user)
    return client


def _schema(project: Any) -> m.Schema:
    return snapshot(services.main_design(project))


def _customer(editor: Client, project: Any) -> m.Table:
    response = editor.post(reverse("table_add", args=["shop"]), {
        "new-name": "customer", "new-namespace": "public", "new-comment": "People who buy things",
        "new-kind": "entity", "new-delete_strategy": "hard"}, **HX)
    assert response.status_code == 200
    t = _schema(project).table_named("customer")
    assert t is not None
    return t


def _column(prefix: str, name: str, **boxes: str) -> dict[str, str]:
    return {f"{prefix}-name": name, f"{prefix}-type": "text", f"{prefix}-searchable": "none",
            f"{prefix}-comment": "For the tests", **{f"{prefix}-{k}": v for k, v in
                                                     boxes.items()}}


def test_the_column_forms_key_and_unique_boxes(editor: Client, project: Any) -> None:
    t = _customer(editor, project)
    response = editor.post(reverse("column_add", args=["shop", t.uid]),
                           _column("col", "code", primary_key="on", unique="on"), **HX)
    assert response.status_code == 200, response.content.decode()[:2000]
    t = _schema(project).table(t.uid)
    assert [c.name for c in t.columns] == ["id", "code", "created_at", "updated_at"]
    code = t.columns[1]
    assert [c.pk_order for c in t.columns] == [1, 2, None, None]  # after the key's others
    assert [(u.name, u.columns) for u in t.uniques] == [("uq_customer_code", (code.uid,))]

    prefix = f"c{code.uid[:8]}"
    response = editor.post(reverse("column_update", args=["shop", code.uid]), {
        **_column(prefix, "code"),
        f"{prefix}-version": str(row_version("column", services.main_design(project),
                                             code.uid))}, **HX)
    assert response.status_code == 200, response.content.decode()[:2000]
    t = _schema(project).table(t.uid)
    assert t.column(code.uid).pk_order is None and t.uniques == ()  # both boxes off


def test_an_enum_relabel_keeps_the_uids_of_kept_labels(editor: Client, project: Any) -> None:
    response = editor.post(reverse("enum_add", args=["shop"]), {
        "enum-name": "status", "enum-namespace": "public", "enum-values": "new\npaid"}, **HX)
    assert response.status_code == 200
    old = _schema(project).enums[0]
    response = editor.post(reverse("enum_update", args=["shop", old.uid]), {
        "enum-name": "status", "enum-namespace": "public", "enum-values": "paid\nsent",
        "enum-version": str(row_version("enum", services.main_design(project), old.uid))},
        **HX)
    assert response.status_code == 200, response.content.decode()[:2000]
    new = _schema(project).enum(old.uid)
    assert new.labels == ("paid", "sent")
    assert new.values[0].uid == old.values[1].uid  # paid is the same value
    assert new.values[1].uid not in {v.uid for v in old.values}
