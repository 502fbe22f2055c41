"""Issue 17: ``manage.py render_diagram`` of a drawing stored already reads it back without
starting Django (modeler.web.readback, called by manage.py first); the same bytes and line
as the command, which still draws whatever is not stored."""

from __future__ import annotations

from pathlib import Path

from tests.web.manage_process import manage, modules_at_exit, ready

SQL = """
CREATE TABLE author (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE book (id integer PRIMARY KEY, title text NOT NULL,
                   author_id integer NOT NULL REFERENCES author (id));
"""


def _run(tmp_path: Path, *argv: str) -> tuple[str, set[str]]:
    """``manage.py *argv`` as a user runs it: what it printed and the modules it loaded."""
    modules = tmp_path / "modules.txt"
    done = manage(tmp_path, *argv, before=modules_at_exit(modules))
    return done.stdout, set(modules.read_text().split("\n"))


def test_a_stored_drawing_is_read_back_without_django(tmp_path: Path) -> None:
    schema = ready(tmp_path, SQL)
    _run(tmp_path, "import_schema", "--project", "lib", "--format", "sql", str(schema))
    said, modules = _run(tmp_path, "render_diagram", "lib", "--out", str(tmp_path / "a.svg"))
    assert not [m for m in modules if m == "django" or m.startswith("django.")]
    # the command's own way (Django's -v option is left to it), drawing stored: same bytes
    told, modules = _run(tmp_path, "render_diagram", "lib", "--out", str(tmp_path / "b.svg"),
                         "-v", "1")
    assert "django" in modules
    assert (tmp_path / "a.svg").read_bytes() == (tmp_path / "b.svg").read_bytes()
    assert said == told.replace("b.svg", "a.svg")
    # a view never drawn: the command draws it
    said, modules = _run(tmp_path, "render_diagram", "lib", "--detail", "names", "--out",
                         str(tmp_path / "c.svg"))
    assert "django" in modules and (tmp_path / "c.svg").read_bytes().startswith(b"<svg")
