"""Imports in the app: CLI and web (upload/paste → preview → confirm), the baseline version,
grandfathered findings, bad input and size limits; nothing half-created."""

from __future__ import annotations

import json
from dataclasses import replace
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import reverse

from modeler.web import services
from modeler.web.editing import apply_edit
from modeler.web.models import DbTable, PendingImport, Project, Version
from modeler.web.snapshot import snapshot

pytestmark = pytest.mark.django_db

LEGACY = """
-- a legacy schema: no timestamps, serial keys, an FK without actions
CREATE TABLE author (id serial PRIMARY KEY, name varchar(100) NOT NULL);
CREATE TABLE book (
    id serial PRIMARY KEY,
    author_id integer NOT NULL REFERENCES author (id),
    title text NOT NULL
);
CREATE VIEW book_titles AS SELECT title FROM book;
COMMENT ON TABLE author IS 'People who write books';
"""


@pytest.fixture
def admin(django_user_model: Any) -> Any:
    return django_user_model.objects.create_superuser(username="root", password="pw-root-1!")


def test_cli_import_creates_baseline(admin: Any, tmp_path: Path) -> None:
    f = tmp_path / "legacy.sql"
    f.write_text(LEGACY)
    out = StringIO()
    call_command("import_schema", "--project", "legacy", "--format", "sql", str(f), stdout=out)
    text = out.getvalue()
    assert "warning:" in text and "book_titles" in text  # the view is reported with its line
    project = Project.objects.get(slug="legacy")
    assert project.owner == admin
    version = Version.objects.get(project=project)
    assert version.number == 1 and version.baseline
    schema = snapshot(services.main_design(project))
    assert {t.name for t in schema.tables} == {"author", "book"}
    assert any(r.kind == "view" for r in schema.raw_objects)
    # findings are reported but grandfathered: lint exits 0 and marks them
    lint = StringIO()
    call_command("lint_schema", "legacy", format="json", stdout=lint)
    findings = json.loads(lint.getvalue())
    assert findings and all(f["waived"] for f in findings if f["level"] != "advise")
    # nothing changed since the import: nothing to save, and saying so is no traceback
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("save_version", "legacy", "-m", "Second version after the import",
                     stdout=StringIO(), stderr=err)
    assert "Nothing to save: the design is version 1" in err.getvalue()
    assert Version.objects.filter(project=project).count() == 1
    # a later version with a change passes the gate for the grandfathered findings
    apply_edit(design=services.main_design(project), actor=admin, action="table.edit",
               summary="documented author", target_uid=None, gated=False,
               change=lambda s: replace(s, tables=tuple(
                   replace(t, comment="People who wrote the books.") if t.name == "author" else t
                   for t in s.tables)))
    call_command("save_version", "legacy", "-m", "Second version after the import",
                 stdout=StringIO())
    assert Version.objects.filter(project=project).count() == 2


def test_cli_import_failure_creates_nothing(admin: Any, tmp_path: Path) -> None:
    bad = tmp_path / "bad.sql"
    bad.write_text("CREATE TABLE ok (id int);\nCREATE TABLE broken (id int,,);\n")
    err = StringIO()
    with pytest.raises(SystemExit) as info:
        call_command("import_schema", "--project", "bad", "--format", "sql", str(bad),
                     stderr=err)
    assert info.value.code == 1
    assert "bad.sql:2" in err.getvalue()
    mysql = tmp_path / "my.sql"
    mysql.write_text("CREATE TABLE `t` (`id` int NOT NULL AUTO_INCREMENT, PRIMARY KEY (`id`))"
                     " ENGINE=InnoDB;")
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("import_schema", "--project", "bad", "--format", "sql", str(mysql),
                     stderr=err)
    assert "PostgreSQL" in err.getvalue()
    assert not Project.objects.exists() and not DbTable.objects.exists()


def test_web_import_preview_then_confirm(client: Client, user: Any) -> None:
    client.force_login(user)
    upload = SimpleUploadedFile("legacy.sql", LEGACY.encode(), content_type="text/plain")
    response = client.post(reverse("import_start"), {
        "name": "Legacy", "slug": "legacy", "format": "sql", "files": upload})
    assert response.status_code == 302
    pending = PendingImport.objects.get()
    assert not Project.objects.exists()  # nothing created before confirmation
    page = client.get(response.url)
    assert page.status_code == 200 and b"book_titles" in page.content
    assert b"tables" in page.content
    done = client.post(reverse("import_confirm", args=[pending.pk]))
    assert done.status_code == 302
    assert Project.objects.get(slug="legacy").owner == user
    assert not PendingImport.objects.exists()


def test_web_import_errors(client: Client, user: Any, other_user: Any) -> None:
    client.force_login(user)
    response = client.post(reverse("import_start"), {
        "name": "X", "slug": "x", "format": "sql", "text": "CREATE TABLE t (id int,,);"})
    assert response.status_code == 422 and b"Import failed" in response.content
    assert b"pasted:1" in response.content
    response = client.post(reverse("import_start"), {
        "name": "X", "slug": "x", "format": "sql", "text": "SELECT 1;"})
    assert response.status_code == 422 and b"nothing a design holds" in response.content
    binary = SimpleUploadedFile("dump.sql", b"CREATE TABLE t (a int);\n\xff\xfe\x00garbage")
    response = client.post(reverse("import_start"), {"name": "X", "slug": "x",
                                                     "format": "sql", "files": binary})
    assert response.status_code == 422
    assert b"dump.sql: not UTF-8 text (byte 24 on line 2 is 0xff)" in response.content
    response = client.post(reverse("import_start"), {"name": "X", "slug": "x",
                                                     "format": "sql"})
    assert response.status_code == 422 and b"Upload a file" in response.content
    with override_settings(MODELER_MAX_UPLOAD_BYTES=100):
        big = SimpleUploadedFile("big.sql", b"-- x\n" * 100)
        response = client.post(reverse("import_start"), {"name": "X", "slug": "x",
                                                         "format": "sql", "files": big})
    assert response.status_code == 422 and b"the limit is" in response.content
    assert not PendingImport.objects.exists() and not Project.objects.exists()
    # somebody else's pending import is not visible
    client.post(reverse("import_start"), {"name": "Y", "slug": "y", "format": "dbml",
                                          "text": "Table t {\n  id int [pk]\n}\n"})
    pending = PendingImport.objects.get()
    client.force_login(other_user)
    assert client.get(reverse("import_preview", args=[pending.pk])).status_code == 404
    assert client.post(reverse("import_confirm", args=[pending.pk])).status_code == 404
