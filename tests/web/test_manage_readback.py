"""Issue 17: ``manage.py render_diagram`` of a drawing stored already reads it back without
starting Django (modeler.web.readback, called by manage.py first); the same bytes and line
as the command, which still draws whatever is not stored."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SQL = """
CREATE TABLE author (id integer PRIMARY KEY, name text NOT NULL);
CREATE TABLE book (id integer PRIMARY KEY, title text NOT NULL,
                   author_id integer NOT NULL REFERENCES author (id));
"""


def _run(tmp_path: Path, *argv: str) -> tuple[str, set[str]]:
    """``manage.py *argv`` as a user runs it: what it printed and the modules it loaded."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "MODELER_DATA_DIR": str(tmp_path / "data"), "SECRET_KEY": "test-only",
           "DJANGO_SETTINGS_MODULE": "modeler.settings", "LOG_LEVEL": "WARNING",
           "MODELER_ADMIN_PASSWORD": "pw-root-1!x"}
    env.pop("CACHE_URL", None)
    modules = tmp_path / "modules.txt"
    script = ("import atexit, runpy, sys\n"
              f"atexit.register(lambda: open({str(modules)!r}, 'w').write("
              "'\\n'.join(sys.modules)))\n"
              f"sys.argv = ['manage.py', *{list(argv)!r}]\n"
              f"runpy.run_path({str(ROOT / 'manage.py')!r}, run_name='__main__')\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout, set(modules.read_text().split("\n"))


def test_a_stored_drawing_is_read_back_without_django(tmp_path: Path) -> None:
    _run(tmp_path, "migrate", "-v", "0")
    _run(tmp_path, "ensure_admin")
    schema = tmp_path / "s.sql"
    schema.write_text(SQL)
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
