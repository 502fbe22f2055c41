"""The editor stores a column's backfill and a table's expected rows, and the version gate
refuses a change that leaves existing rows without a value (rule MG-09)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from modeler.schema import model as m
from modeler.web import services
from modeler.web.diagrams import row_version
from modeler.web.editing import Refused
from modeler.web.models import DbColumn, DbTable, Version
from modeler.web.snapshot import materialize, snapshot
from modeler.web.versions import version_save
from tests.web.test_rules_web import good_schema

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def project(user: Any) -> Any:
    p = services.project_create(name="Shop", slug="shop", owner=user)
    materialize(good_schema(), services.main_design(p))
    return p


@pytest.fixture
def editor(client: Client, user: Any, project: Any) -> Client:
    client.force_login(user)
    return client


def current(project: Any) -> m.Schema:
    return snapshot(services.main_design(project))


def _v(project: Any, kind: str, uid: str) -> str:
    """The stored version of an element, which every update form must send back."""
    return str(row_version(kind, services.main_design(project), uid))


def _table(project: Any, name: str) -> m.Table:
    t = current(project).table_named(name)
    assert t is not None
    return t


def col_data(name: str, type_: str = "text", prefix: str = "col", **extra: Any
             ) -> dict[str, Any]:
    return {f"{prefix}-name": name, f"{prefix}-type": type_, f"{prefix}-searchable": "none",
            **{f"{prefix}-{k}": v for k, v in extra.items()}}


def test_column_form_stores_the_backfill(editor: Client, project: Any) -> None:
    uid = _table(project, "customer").uid
    response = editor.post(reverse("column_add", args=["shop", uid]), col_data(
        "score", "integer", comment="Loyalty points", backfill="  0 + 1 "), **HX)
    assert response.status_code == 200, response.content.decode()[:3000]
    assert DbColumn.objects.get(name="score").backfill == "0 + 1"  # canonical form
    col = _table(project, "customer").column_named("score")
    assert col is not None and col.backfill == "0 + 1"
    # the edit form shows it, and an edit keeps or clears it
    page = editor.get(reverse("table_panel", args=["shop", uid]), {"column": col.uid}, **HX)
    prefix = f"c{col.uid[:8]}"
    assert f'name="{prefix}-backfill"'.encode() in page.content
    assert b"Backfill for existing rows" in page.content and b'value="0 + 1"' in page.content
    edit = col_data("score", "integer", prefix=prefix, comment="Loyalty points",
                    backfill="id * 2",  # the row's other columns may be read
                    version=_v(project, "column", col.uid))
    assert editor.post(reverse("column_update", args=["shop", col.uid]), edit,
                       **HX).status_code == 200
    assert DbColumn.objects.get(name="score").backfill == "id * 2"
    edit[f"{prefix}-backfill"] = ""
    edit[f"{prefix}-version"] = _v(project, "column", col.uid)
    assert editor.post(reverse("column_update", args=["shop", col.uid]), edit,
                       **HX).status_code == 200
    assert DbColumn.objects.get(name="score").backfill is None


def test_a_bad_backfill_is_refused(editor: Client, project: Any) -> None:
    uid = _table(project, "customer").uid
    for backfill, word in (("(SELECT 1)", b"subquery"), ("count(*)", b"aggregate"),
                           ("no_such_column", b"does not exist")):
        response = editor.post(reverse("column_add", args=["shop", uid]), col_data(
            "score", "integer", comment="Loyalty points", backfill=backfill), **HX)
        assert response.status_code == 422, backfill
        assert word in response.content, backfill
    assert not DbColumn.objects.filter(name="score").exists()


def test_relationship_form_stores_the_backfill_on_the_fk_column(editor: Client,
                                                                 project: Any) -> None:
    child, parent = _table(project, "purchase").uid, _table(project, "customer").uid
    response = editor.post(reverse("relationship_add", args=["shop"]), {
        "rel-child": child, "rel-parent": parent, "rel-column_names": "payer_id",
        "rel-cardinality": "one-to-many", "rel-backfill": "customer_id"}, **HX)
    assert response.status_code == 200, response.content.decode()[:3000]
    col = _table(project, "purchase").column_named("payer_id")
    assert col is not None and not col.nullable and col.backfill == "customer_id"
    assert DbColumn.objects.get(name="payer_id").backfill == "customer_id"


def test_table_form_stores_expected_rows(editor: Client, project: Any) -> None:
    t = _table(project, "customer")
    response = editor.post(reverse("table_update", args=["shop", t.uid]), {
        "tbl-name": "customer", "tbl-namespace": "public", "tbl-comment": t.comment,
        "tbl-kind": "entity", "tbl-delete_strategy": "hard", "tbl-expected_rows": "250000",
        "tbl-version": _v(project, "table", t.uid)},
        **HX)
    assert response.status_code == 200, response.content.decode()[:3000]
    assert DbTable.objects.get(name="customer").expected_rows == 250_000
    assert _table(project, "customer").expected_rows == 250_000
    # the "Edit table" section's form, as the panel fetches it when it is opened
    page = editor.get(reverse("table_panel", args=["shop", t.uid]), {"part": "table"},
                      **HX).content
    assert b"Expected rows" in page and b'value="250000"' in page
    panel = editor.get(reverse("table_panel", args=["shop", t.uid]), **HX).content
    assert b"about 250000 rows" in panel


def test_version_gate_wants_a_backfill(editor: Client, user: Any, project: Any) -> None:
    version_save(project=project, actor=user, message="First cut of customers and orders")
    uid = _table(project, "customer").uid
    assert editor.post(reverse("column_add", args=["shop", uid]), col_data(
        "tier", "text", comment="Loyalty tier"), **HX).status_code == 200
    with pytest.raises(Refused) as info:
        version_save(project=project, actor=user, message="Customers get a loyalty tier")
    assert any("MG-09" in r and "customer.tier" in r for r in info.value.reasons)
    col = _table(project, "customer").column_named("tier")
    assert col is not None
    prefix = f"c{col.uid[:8]}"
    assert editor.post(reverse("column_update", args=["shop", col.uid]), col_data(
        "tier", "text", prefix=prefix, comment="Loyalty tier", backfill="'bronze'",
        version=_v(project, "column", col.uid)),
        **HX).status_code == 200
    version_save(project=project, actor=user, message="Customers get a loyalty tier")
    assert Version.objects.count() == 2
