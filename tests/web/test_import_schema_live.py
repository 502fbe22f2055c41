"""import_schema --url: the catalog is read on a thread while the command loads the saving
side (issue 17); what it imports, its errors and its timeouts are those of the web's import."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from modeler.web import services
from modeler.web.importing import live_timeouts
from modeler.web.management.commands import import_schema
from modeler.web.models import Project
from modeler.web.snapshot import snapshot

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]

DDL = """
CREATE TABLE author (id serial PRIMARY KEY, name varchar(100) NOT NULL);
CREATE TABLE book (id serial PRIMARY KEY, author_id integer NOT NULL REFERENCES author (id));
CREATE SCHEMA extra;
CREATE TABLE extra.note (id int PRIMARY KEY, book_id int REFERENCES book);
"""


def test_import_from_a_live_database(django_user_model: Any, pg_url: str,
                                     tmp_path: Path) -> None:
    django_user_model.objects.create_superuser(username="root", password="pw-root-1!")
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(DDL)  # type: ignore[arg-type]
    out = StringIO()
    call_command("import_schema", "--project", "live", "--url", pg_url, "--schema", "public",
                 "--diagram", str(tmp_path / "d.svg"), stdout=out)
    assert "into project live as version 1" in out.getvalue()
    schema = snapshot(services.main_design(Project.objects.get(slug="live")))
    assert sorted(t.name for t in schema.tables) == ["author", "book"]  # public only
    assert len(schema.relationships) == 1 and all(t.position for t in schema.tables)
    drawn = (tmp_path / "d.svg").read_text()
    assert all(f'data-uid="{t.uid}"' in drawn for t in schema.tables)


def test_a_failed_read_is_reported_and_imports_nothing(django_user_model: Any, pg_url: str,
                                                       capsys: pytest.CaptureFixture[str],
                                                       ) -> None:
    django_user_model.objects.create_superuser(username="root", password="pw-root-1!")
    bad = pg_url.rsplit("/", 1)[0] + "/no_such_database_here"
    err = StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("import_schema", "--project", "nope", "--url", bad, stderr=err)
    assert exit_.value.code == 1
    assert "import failed" in err.getvalue() and "no_such_database_here" in err.getvalue()
    assert not Project.objects.filter(slug="nope").exists()
    with pytest.raises(CommandError, match="either --url or --format"):
        call_command("import_schema", "--project", "nope", "--url", pg_url, "--format", "sql",
                     stdout=StringIO())


@override_settings(LIVE_IMPORT_CONNECT_TIMEOUT=3, LIVE_IMPORT_STATEMENT_TIMEOUT=7,
                   LIVE_IMPORT_TIMEOUT=11)
def test_the_command_keeps_the_webs_timeouts() -> None:
    assert import_schema.live_timeouts() == live_timeouts()
    assert import_schema.live_timeouts().total == 11.0
