"""import_schema lays the diagram out once, as the web's import job does (issue 17: the
import and render_diagram share the work): every table is placed in the design and in
version 1, and render_diagram draws those positions (above 150 tables, where the command's
default view shows no relationship names either, the very drawing a fresh layout gave)."""

from __future__ import annotations

from dataclasses import replace
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from modeler.diagram import ViewOptions
from modeler.web import diagrams, services
from modeler.web.models import Project, Version
from modeler.web.snapshot import snapshot
from modeler.web.versions import version_schema

pytestmark = pytest.mark.django_db

SQL = """
CREATE TABLE author (id serial PRIMARY KEY, name varchar(100) NOT NULL);
CREATE TABLE book (id serial PRIMARY KEY, author_id integer NOT NULL REFERENCES author (id),
                   title text NOT NULL);
CREATE TABLE review (id serial PRIMARY KEY, book_id integer REFERENCES book (id));
"""


def test_cli_import_stores_the_first_layout(django_user_model: Any, tmp_path: Path) -> None:
    django_user_model.objects.create_superuser(username="root", password="pw-root-1!")
    f = tmp_path / "s.sql"
    f.write_text(SQL)
    call_command("import_schema", "--project", "laid", "--format", "sql", str(f),
                 stdout=StringIO())
    project = Project.objects.get(slug="laid")
    schema = snapshot(services.main_design(project))
    assert len(schema.tables) == 3 and all(t.position for t in schema.tables)
    version = version_schema(Version.objects.get(project=project, number=1))
    assert {t.uid: t.position for t in version.tables} == \
        {t.uid: t.position for t in schema.tables}
    # the stored layout is the one a fresh layout of the default view computes
    unplaced = replace(schema, tables=tuple(replace(t, position=None) for t in schema.tables))
    fresh = diagrams.ensure_positions(unplaced,
                                      diagrams.view_options(diagrams.DEFAULT_PREFS, schema))
    assert {t.uid: t.position for t in fresh.tables} == \
        {t.uid: t.position for t in schema.tables}
    out = tmp_path / "d.svg"
    call_command("render_diagram", "laid", "--out", str(out), stdout=StringIO())
    drawn = out.read_text()
    assert all(f'data-uid="{t.uid}"' in drawn for t in schema.tables)
    # drawn at the stored places: what the editor's default view (no relationship names)
    # draws for the same tables, no fresh layout
    body, _ = diagrams.export(unplaced, ViewOptions(edge_labels=False), "svg")
    pinned, _ = diagrams.export(schema, ViewOptions(edge_labels=False), "svg")
    assert body == pinned


def test_cli_import_writes_the_diagram(django_user_model: Any, tmp_path: Path) -> None:
    """``--diagram FILE``: render_diagram's default drawing, in the import's process."""
    django_user_model.objects.create_superuser(username="root", password="pw-root-1!")
    f = tmp_path / "s.sql"
    f.write_text(SQL)
    out = StringIO()
    call_command("import_schema", "--project", "one", "--format", "sql", str(f),
                 "--diagram", str(tmp_path / "one.svg"), stdout=out)
    assert f"wrote {tmp_path / 'one.svg'}" in out.getvalue()
    call_command("render_diagram", "one", "--out", str(tmp_path / "two.svg"),
                 stdout=StringIO())
    drawn = (tmp_path / "one.svg").read_bytes()
    assert drawn.startswith(b"<svg") and drawn == (tmp_path / "two.svg").read_bytes()
    call_command("import_schema", "--project", "png", "--format", "sql", str(f),
                 "--diagram", str(tmp_path / "one.png"), stdout=StringIO())
    assert (tmp_path / "one.png").read_bytes().startswith(b"\x89PNG")
