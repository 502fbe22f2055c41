"""The commands that take a project slug and a version number look them up in one place
(``selectors.version_for``, issue #15), with the same messages as before."""

from __future__ import annotations

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from modeler.web import selectors, services
from modeler.web.snapshot import materialize
from modeler.web.versions import version_save
from tests.review.helpers import add_table, edit, good_schema

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(user: Any) -> Any:
    project = services.project_create(name="Shop", slug="shop", owner=user)
    materialize(good_schema(), services.main_design(project))
    version_save(project=project, actor=user, message="First version of the shop")
    edit(services.main_design(project), user, add_table("product"))
    version_save(project=project, actor=user, message="The shop sells products now")
    return project


def test_version_for_is_the_latest_by_default(project: Any) -> None:
    assert selectors.version_for("shop").number == 2
    assert selectors.version_for("shop", 1).number == 1
    assert selectors.version_for("shop", 1).project == project
    with pytest.raises(LookupError, match="no project 'nope'"):
        selectors.version_for("nope", 1)
    with pytest.raises(LookupError, match="no such version"):
        selectors.version_for("shop", 9)


@pytest.mark.parametrize("command", ["export_dbml", "export_bundle"])
def test_export_commands_say_what_is_missing(project: Any, command: str,
                                             tmp_path: Path) -> None:
    out = ["--out", str(tmp_path / "x")]
    with pytest.raises(CommandError, match="no project 'nope'"):
        call_command(command, "nope", *out)
    with pytest.raises(CommandError, match=r"no such version \(save one with save_version"):
        call_command(command, "shop", "--version", "9", *out)


def test_export_dbml_takes_the_version_asked(project: Any) -> None:
    first, latest = StringIO(), StringIO()
    call_command("export_dbml", "shop", "--version", "1", stdout=first)
    call_command("export_dbml", "shop", stdout=latest)
    assert "product" not in first.getvalue() and "product" in latest.getvalue()


@pytest.mark.parametrize("command", ["lint_schema", "render_diagram", "save_version"])
def test_project_commands_say_which_project_is_missing(command: str, tmp_path: Path) -> None:
    args = {"render_diagram": ["--out", str(tmp_path / "d.svg")],
            "save_version": ["-m", "A version message"]}.get(command, [])
    with pytest.raises(CommandError, match="no project 'nope'"):
        call_command(command, "nope", *args)


@pytest.mark.parametrize("command", ["export_bundle", "export_dbml", "render_diagram"])
def test_an_output_path_that_cannot_be_written_is_said_before_the_work(
        project: Any, command: str, tmp_path: Path) -> None:
    """A missing directory or a directory given as the file: a CommandError naming the
    option and why, before anything is made (it was a traceback after the whole export)."""
    with pytest.raises(CommandError, match=r"--out .*: there is no directory .*nowhere"):
        call_command(command, "shop", "--out", str(tmp_path / "nowhere" / "x.zip"))
    with pytest.raises(CommandError, match=r"--out .*: is a directory; give a file name"):
        call_command(command, "shop", "--out", str(tmp_path))
    (tmp_path / "ro").mkdir()
    (tmp_path / "ro" / "x").mkdir()  # a write that fails when it happens: said as well
    from modeler.web.management.commands import _output

    with pytest.raises(CommandError, match=r"--out .*: cannot write it \(Is a directory\)"):
        _output.write_out(tmp_path / "ro" / "x", b"data")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ro"]


def test_import_schema_checks_its_diagram_path_before_importing(user: Any,
                                                               tmp_path: Path) -> None:
    (tmp_path / "a.sql").write_text("CREATE TABLE a (id int PRIMARY KEY);")
    with pytest.raises(CommandError, match=r"--diagram .*: there is no directory"):
        call_command("import_schema", "--project", "imp", "--owner", user.username,
                     "--format", "sql", str(tmp_path / "a.sql"),
                     "--diagram", str(tmp_path / "no" / "d.svg"))
    from modeler.web.models import Project

    assert not Project.objects.filter(slug="imp").exists()  # nothing imported
