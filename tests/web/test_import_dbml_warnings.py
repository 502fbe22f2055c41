"""The DBML import's warnings about types PostgreSQL does not have reach the user: printed by
the import_schema command and listed by the web preview, each with its file and line."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from modeler.web import services
from modeler.web.models import Project
from modeler.web.snapshot import snapshot

pytestmark = pytest.mark.django_db

MYSQL_DBML = """Table users {
  id "int(10) unsigned" [pk, increment]
  created_at datetime
}

Table posts {
  id int [pk]
  user_id "int(10) unsigned" [ref: > users.id]
  kind "Code"
}
"""

WARNINGS = [
    'legacy.dbml:2: approximation: type "int(10) unsigned" is not a PostgreSQL type',
    'legacy.dbml:3: approximation: type "datetime" is not a PostgreSQL type',
    'legacy.dbml:9: approximation: type "Code" is not a PostgreSQL type',
]


@pytest.fixture
def admin(django_user_model: Any) -> Any:
    return django_user_model.objects.create_superuser(username="root", password="pw-root-1!")


def test_cli_prints_the_type_warnings_with_their_lines(admin: Any, tmp_path: Path) -> None:
    f = tmp_path / "legacy.dbml"
    f.write_text(MYSQL_DBML)
    out = StringIO()
    call_command("import_schema", "--project", "legacy", "--format", "dbml", str(f),
                 stdout=out)
    printed = [line for line in out.getvalue().splitlines() if line.startswith("warning: ")]
    assert [line.split(" (")[0].split(",")[0] for line in printed] == [
        f"warning: {w}" for w in WARNINGS]
    assert "imported as bigint; 2 columns: users.id, posts.user_id" in printed[0]
    schema = snapshot(services.main_design(Project.objects.get(slug="legacy")))
    users = schema.table_named("users")
    assert users is not None and users.columns[0].type.sql() == "bigint"


def test_web_preview_lists_the_type_warnings_with_their_lines(client: Client,
                                                              user: Any) -> None:
    client.force_login(user)
    page = client.post(reverse("import_start"), {
        "name": "Legacy", "slug": "legacy", "format": "dbml", "text": MYSQL_DBML},
        follow=True)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Warnings (3)" in html
    for line, message in (("pasted:2", "int(10) unsigned"), ("pasted:3", "datetime"),
                          ("pasted:9", "Code")):
        assert f"<td>{line}</td>" in html
        assert f"type &quot;{message}&quot; is not a PostgreSQL type" in html
    assert "imported as timestamp without time zone" in html
