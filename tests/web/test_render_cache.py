"""render_diagram reads a laid-out design's previous render back (issue 17): the second
run of an unchanged design needs no Graphviz and writes the same bytes; a changed design
is drawn again. The store keeps at most MAX_FILES renders."""

from __future__ import annotations

from dataclasses import replace
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings

from modeler.diagram import RenderError, moved
from modeler.web import rendercache, services
from modeler.web.editing import apply_edit
from modeler.web.models import Project
from modeler.web.rendercache import CommandCache

pytestmark = pytest.mark.django_db

SQL = """
CREATE TABLE author (id serial PRIMARY KEY, name varchar(100) NOT NULL);
CREATE TABLE book (id serial PRIMARY KEY, author_id integer NOT NULL REFERENCES author (id));
"""


def _render(out: Path) -> bytes:
    call_command("render_diagram", "lib", "--out", str(out), stdout=StringIO())
    return out.read_bytes()


@pytest.fixture
def programs_only() -> Any:
    """The Graphviz programs draw, as in a command's process (the test suite has the web
    workers' warm Graphviz on, which needs no program on the PATH)."""
    from modeler.diagram import warm

    was = warm.enabled()
    warm.enable(False)
    yield
    warm.enable(was)


def test_an_unchanged_design_is_not_drawn_again(django_user_model: Any, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch,
                                                programs_only: None) -> None:
    django_user_model.objects.create_superuser(username="root", password="pw-root-1!")
    f = tmp_path / "s.sql"
    f.write_text(SQL)
    call_command("import_schema", "--project", "lib", "--format", "sql", str(f),
                 stdout=StringIO())
    with override_settings(DATA_DIR=tmp_path / "data"):
        cache.clear()  # not the drawing the import stored: drawn here
        first = _render(tmp_path / "1.svg")
        assert len(list((tmp_path / "data" / "diagram-cache").iterdir())) >= 1
        cache.clear()  # as a new process: only the files are left
        monkeypatch.setenv("PATH", str(tmp_path / "no-graphviz-here"))
        assert _render(tmp_path / "2.svg") == first
        # a changed design (a table moved) is drawn again (and here, without Graphviz, fails)
        design = services.main_design(Project.objects.get(slug="lib"))
        apply_edit(design=design, actor=None, action="diagram.layout", summary="moved",
                   target_uid=None, log=False, gated=False, change=lambda s: replace(
                       s, tables=tuple(replace(t, position=t.position and moved(
                           t.position, 40, 0)) for t in s.tables)))
        cache.clear()
        with pytest.raises(RenderError):
            _render(tmp_path / "3.svg")


def test_the_store_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rendercache, "MAX_FILES", 3)
    store = CommandCache(tmp_path)
    for i in range(5):
        store.set(f"k{i}", b"x" * i)
    assert len(list(tmp_path.iterdir())) == 3
    cache.clear()
    assert store.get("k4") == b"xxxx" and store.get("k0") is None
