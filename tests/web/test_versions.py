"""Versions: the gate, numbering, CLI, compare, restore, and the export bundle download."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from modeler.schema import model as m
from modeler.schema.actions import keep_conventional_names
from modeler.web import services
from modeler.web.editing import apply_edit
from modeler.web.models import Version
from modeler.web.snapshot import materialize, snapshot
from modeler.web.versions import version_save
from tests.web.test_rules_web import good_schema

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(user: Any) -> Any:
    p = services.project_create(name="Shop", slug="shop", owner=user)
    materialize(good_schema(), services.main_design(p))
    return p


def test_version_gate_and_numbering(client: Client, user: Any, project: Any) -> None:
    client.force_login(user)
    short = client.post(reverse("version_save", args=["shop"]), {"message": "v1"})
    assert short.status_code == 422 and b"DC-03" in short.content
    assert not Version.objects.exists()
    ok = client.post(reverse("version_save", args=["shop"]),
                     {"message": "First cut of customers and orders"})
    assert ok.status_code == 302
    v = Version.objects.get()
    assert v.number == 1 and v.author == user
    # nothing changed since version 1: refused, saying why, on the page and the CLI
    same = client.post(reverse("version_save", args=["shop"]),
                       {"message": "Second version, nothing new"})
    assert same.status_code == 422
    assert b"Nothing to save: the design is version 1 as it was saved" in same.content
    assert b"Fix the BLOCK findings" not in same.content
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("save_version", "shop", "-m", "Second version, nothing new", stderr=err)
    assert "Nothing to save" in err.getvalue() and Version.objects.count() == 1
    # a change makes a version again
    apply_edit(design=services.main_design(project), actor=user, action="test",
               summary="documented", target_uid=None, gated=False,
               change=lambda s: replace(s, tables=tuple(
                   replace(t, comment="People who buy from the shop.")
                   if t.name == "customer" else t
                   for t in s.tables)))
    out = StringIO()
    call_command("save_version", "shop", "-m", "Second version, customer documented",
                 stdout=out)
    assert out.getvalue().strip() == "2"


def test_blocked_design_cannot_be_versioned(user: Any, project: Any) -> None:
    materialize(good_schema(fk_index=False), services.main_design(project))
    err = StringIO()
    with pytest.raises(SystemExit) as info:
        call_command("save_version", "shop", "-m", "Missing an FK index here", stderr=err)
    assert info.value.code == 1
    assert "IX-01" in err.getvalue()
    assert not Version.objects.exists()


def test_compare_restore_and_export(client: Client, user: Any, project: Any,
                                   tmp_path: Path) -> None:
    version_save(project=project, actor=user, message="First cut of the shop design")
    design = services.main_design(project)
    schema = snapshot(design)
    purchase = schema.table_named("purchase")
    assert purchase is not None
    renamed = keep_conventional_names(schema, m.normalized(replace(schema, tables=tuple(
        replace(t, name="sale") if t.uid == purchase.uid else t for t in schema.tables))))
    assert renamed.table(purchase.uid).indexes[0].name == "ix_sale_customer_id"
    assert renamed.relationships[0].name == "fk_sale_customer_id_customer"
    materialize(renamed, design)
    version_save(project=project, actor=user, message="Rename purchase to sale")
    client.force_login(user)
    page = client.get(reverse("version_compare", args=["shop"]), {"a": 1, "b": 2})
    assert page.status_code == 200
    assert b"sale" in page.content and b"renamed" in page.content
    assert client.post(reverse("version_restore", args=["shop", 1])).status_code == 302
    assert snapshot(design).table_named("purchase") is not None
    response = client.get(reverse("version_export", args=["shop", 2]))
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    for expected in ("shop/models.py", "shop/db.py", "alembic.ini", "migrations/env.py",
                     "schema.sql", "DESIGN.md", "diagram.svg", "tests/test_migrations.py"):
        assert expected in names
    assert len([n for n in names if n.startswith("migrations/versions/")]) == 2
    again = client.get(reverse("version_export", args=["shop", 2]))
    assert again.content == response.content  # deterministic
    out = tmp_path / "b.zip"
    call_command("export_bundle", "shop", "--version", "2", "--out", str(out),
                 stdout=StringIO())
    assert out.read_bytes() == response.content


def test_viewer_downloads_but_cannot_save(client: Client, project: Any, user: Any,
                                         other_user: Any) -> None:
    from modeler.web.models import Membership

    version_save(project=project, actor=user, message="First cut of the shop design")
    Membership.objects.create(project=project, user=other_user, role="viewer")
    client.force_login(other_user)
    assert client.get(reverse("version_export", args=["shop", 1])).status_code == 200
    assert client.post(reverse("version_save", args=["shop"]),
                       {"message": "A viewer tries to save"}).status_code == 403
    assert client.post(reverse("version_restore", args=["shop", 1])).status_code == 403


def test_export_target_from_the_query_string(client: Client, user: Any, project: Any) -> None:
    version_save(project=project, actor=user, message="First cut of the shop design")
    client.force_login(user)
    response = client.get(reverse("version_export", args=["shop", 1]), {"target": "drizzle"})
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert 'filename="shop-v1-drizzle.zip"' in response["Content-Disposition"]
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert "src/db/schema.ts" in names and "drizzle/meta/_journal.json" in names
    assert "shop/models.py" not in names
    plain = client.get(reverse("version_export", args=["shop", 1]))
    assert 'filename="shop-v1.zip"' in plain["Content-Disposition"]
    # an unknown target is refused, saying which exist (tests/web/test_export_target_param.py)
    assert client.get(reverse("version_export", args=["shop", 1]),
                      {"target": "nonsense"}).status_code == 400
