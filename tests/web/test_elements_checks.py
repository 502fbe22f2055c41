"""The editor's checks in :mod:`modeler.schema.actions`, through the element views: what the
column form's key and Unique boxes store, where a new column lands, and an enum relabel
keeping the identity of its kept labels (the pure cases: tests/schema/test_actions_checks.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from modeler.web import services
from modeler.web.diagrams import row_version
from tests.web import test_editor
from tests.web.test_editor import HX, add_table, col_data, schema_of, table_uid

pytestmark = pytest.mark.django_db
# the editor tests' fixtures: the project "shop" and a client logged in as its owner
project, editor = test_editor.project, test_editor.editor


def test_the_column_forms_key_and_unique_boxes(editor: Client, project: Any) -> None:
    add_table(editor, "customer")
    uid = table_uid(project, "customer")
    response = editor.post(reverse("column_add", args=["shop", uid]),
                           col_data("code", primary_key="on", unique="on",
                                    comment="For the tests"), **HX)
    assert response.status_code == 200, response.content.decode()[:2000]
    t = schema_of(project).table(uid)
    assert [c.name for c in t.columns] == ["id", "code", "created_at", "updated_at"]
    code = t.columns[1]
    assert [c.pk_order for c in t.columns] == [1, 2, None, None]  # after the key's others
    assert [(u.name, u.columns) for u in t.uniques] == [("uq_customer_code", (code.uid,))]

    prefix = f"c{code.uid[:8]}"
    version = row_version("column", services.main_design(project), code.uid)
    response = editor.post(reverse("column_update", args=["shop", code.uid]), {
        f"{prefix}-{k.removeprefix('col-')}": v
        for k, v in {**col_data("code", comment="For the tests"),
                     "col-version": str(version)}.items()}, **HX)
    assert response.status_code == 200, response.content.decode()[:2000]
    t = schema_of(project).table(uid)
    assert t.column(code.uid).pk_order is None and t.uniques == ()  # both boxes off


def test_an_enum_relabel_keeps_the_uids_of_kept_labels(editor: Client, project: Any) -> None:
    response = editor.post(reverse("enum_add", args=["shop"]), {
        "enum-name": "status", "enum-namespace": "public", "enum-values": "new\npaid"}, **HX)
    assert response.status_code == 200
    old = schema_of(project).enums[0]
    response = editor.post(reverse("enum_update", args=["shop", old.uid]), {
        "enum-name": "status", "enum-namespace": "public", "enum-values": "paid\nsent",
        "enum-version": str(row_version("enum", services.main_design(project), old.uid))},
        **HX)
    assert response.status_code == 200, response.content.decode()[:2000]
    new = schema_of(project).enum(old.uid)
    assert new.labels == ("paid", "sent")
    assert new.values[0].uid == old.values[1].uid  # paid is the same value
    assert new.values[1].uid not in {v.uid for v in old.values}
