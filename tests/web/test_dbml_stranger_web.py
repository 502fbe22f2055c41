"""A stranger's DBML through the web and the commands: uploaded (preview, confirm), imported
by ``import_schema``, exported by ``export_bundle`` and ``export_dbml``, and typed into text
mode, where a preview and an apply of any drawn DBML answer a page (200, 409 or 422 with
the reason), never a 500. The versions pages take any version number in the URL."""

from __future__ import annotations

import io
import zipfile
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings

from modeler.importers import import_dbml
from modeler.web import services
from modeler.web.models import PendingImport, Project
from modeler.web.snapshot import snapshot_at
from tests.importers.dbml_strategies import dbml_documents
from tests.importers.test_dbml_stranger import STRANGE

pytestmark = pytest.mark.django_db
HX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def admin(django_user_model: Any) -> Any:
    return django_user_model.objects.create_superuser(username="root", password="pw-root-1!")


def test_upload_preview_confirm_then_text_mode_shows_no_change(client: Client,
                                                              user: Any) -> None:
    client.force_login(user)
    upload = SimpleUploadedFile("stranger.dbml", STRANGE.encode(), content_type="text/plain")
    started = client.post(reverse("import_start"), {
        "name": "Stranger", "slug": "stranger", "format": "dbml", "files": upload})
    assert started.status_code == 302, started.content.decode()[-2000:]
    page = client.get(started["Location"])
    assert page.status_code == 200 and "status_enum" in page.content.decode()
    done = client.post(reverse("import_confirm", args=[PendingImport.objects.get().pk]))
    assert done.status_code == 302
    project = Project.objects.get(slug="stranger")
    schema, revision = snapshot_at(services.main_design(project))
    assert {t.name for t in schema.tables} >= {"order", "line item", "status"}
    panel = client.get(reverse("textmode", args=["stranger"]), **HX)
    assert panel.status_code == 200
    preview = client.post(reverse("textmode_preview", args=["stranger"]),
                          {"text": _panel_text(panel.content.decode()),
                           "revision": str(revision)}, **HX)
    assert preview.status_code == 200, preview.content.decode()[-2000:]
    assert 'id="textmode-nothing"' in preview.content.decode(), \
        preview.content.decode()[-3000:]


def _panel_text(html: str) -> str:
    import html as html_lib
    import re

    found = re.search(r"<textarea[^>]*>(.*?)</textarea>", html, re.S)
    assert found is not None, html[:2000]
    return html_lib.unescape(found.group(1)).lstrip("\n")


@pytest.mark.parametrize(("text", "says"), [
    ('Table "a\\nb" {\n  id int\n}\n', "holds a line break"),
    ("Table t {\n  id int [pk, note: 'x\\0y']\n}\n", "NUL character"),
    ('Table "" {\n  id int\n}\n', "the table name is empty"),
])
def test_an_upload_refused_says_why_at_its_line(client: Client, user: Any, text: str,
                                                 says: str) -> None:
    client.force_login(user)
    response = client.post(reverse("import_start"), {
        "name": "Bad", "slug": "bad", "format": "dbml", "text": text})
    assert response.status_code == 422, response.status_code
    assert says in response.content.decode()
    assert not Project.objects.exists()


def test_commands_import_and_export_strange_dbml(admin: Any, tmp_path: Path) -> None:
    source = tmp_path / "stranger.dbml"
    source.write_text(STRANGE, encoding="utf-8")
    out = StringIO()
    call_command("import_schema", "--project", "stranger", "--format", "dbml", str(source),
                 stdout=out)
    assert "status_enum" in out.getvalue()  # the renamed enum's warning
    bundle = tmp_path / "b.zip"
    call_command("export_bundle", "stranger", "--target", "both", "--out", str(bundle),
                 stdout=StringIO())
    with zipfile.ZipFile(bundle) as z:
        names = z.namelist()
        for name in names:
            if name.endswith(".py"):
                compile(z.read(name).decode(), name, "exec")
    assert any(n.endswith("schema.ts") for n in names)
    dbml = tmp_path / "back.dbml"
    call_command("export_dbml", "stranger", "-o", str(dbml), stdout=StringIO())
    again = import_dbml([("back.dbml", dbml.read_text(encoding="utf-8"))])
    first = import_dbml([("stranger.dbml", STRANGE)])
    assert {(t.namespace, t.name) for t in again.schema.tables} == \
        {(t.namespace, t.name) for t in first.schema.tables}


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=dbml_documents(max_tables=3))
def test_text_mode_answers_any_dbml_with_a_page(text: str, client: Client, user: Any) -> None:
    from tests.textmode_fixtures import books_project

    project = Project.objects.filter(slug="books").first() or books_project(user)
    client.force_login(user)
    _, revision = snapshot_at(services.main_design(project))
    preview = client.post(reverse("textmode_preview", args=["books"]),
                          {"text": text, "revision": str(revision)}, **HX)
    assert preview.status_code in (200, 422), (preview.status_code, text)
    if preview.status_code != 200:
        return
    applied = client.post(reverse("textmode_apply", args=["books"]),
                          {"text": text, "revision": str(revision)}, **HX)
    assert applied.status_code in (200, 409, 422), (applied.status_code, text)


@pytest.mark.parametrize("number", ["99999999999999999999", "-1", "0", "abc", ""])
def test_versions_pages_take_any_number(client: Client, user: Any, number: str) -> None:
    from tests.textmode_fixtures import books_project

    books_project(user)
    client.force_login(user)
    compare = client.get(reverse("version_compare", args=["books"]), {"a": number, "b": "1"})
    if number:
        assert compare.status_code == 404
    else:  # no pick: back to the list, which says to pick two (tests/web/test_stranger_pages)
        assert compare.status_code == 302
        assert compare["Location"] == reverse("version_history", args=["books"])
    if number.isdigit():
        for path in ("dbml/", "export/", "restore/"):
            page = client.get(f"/p/books/versions/{number}/{path}")
            assert page.status_code == 404, (path, page.status_code)


def test_a_version_dbml_download_of_strange_dbml_reads_back(client: Client, user: Any) -> None:
    from modeler.web.versions import version_save

    client.force_login(user)
    started = client.post(reverse("import_start"), {
        "name": "Stranger", "slug": "stranger", "format": "dbml", "text": STRANGE})
    assert started.status_code == 302
    client.post(reverse("import_confirm", args=[PendingImport.objects.get().pk]))
    project = Project.objects.get(slug="stranger")
    numbers = list(project.versions.values_list("number", flat=True))
    number = max(numbers) if numbers else version_save(
        project=project, actor=user, message="the stranger's design", baseline=True).number
    body = client.get(reverse("version_dbml", args=["stranger", number]))
    assert body.status_code == 200
    back = import_dbml([("v.dbml", body.content.decode())])
    assert "order" in {t.name for t in back.schema.tables}
    assert io.BytesIO(body.content).read(7) == b"Project"
