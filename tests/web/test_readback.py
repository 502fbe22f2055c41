"""Issue 17: render_diagram's stored drawing read back without Django
(:mod:`modeler.web.readback`, which manage.py runs before Django starts): the same file and
the same line as the command, and anything it cannot be sure of left to the command.
Whole processes on a fresh SQLite file, as a user runs them."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[2]
SQL = """
CREATE TABLE author (id serial PRIMARY KEY, name varchar(100) NOT NULL);
CREATE TABLE book (id serial PRIMARY KEY, author_id integer NOT NULL REFERENCES author (id),
                   title text NOT NULL);
"""


def _env(tmp_path: Path) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "MODELER_DATA_DIR": str(tmp_path / "data"), "SECRET_KEY": "test-only",
           "DJANGO_SETTINGS_MODULE": "modeler.settings", "MODELER_ADMIN_PASSWORD": "pw-root-1!x",
           "LOG_LEVEL": "WARNING"}
    env.pop("CACHE_URL", None)  # the local-memory cache: renders kept on disk
    return env


def _manage(tmp_path: Path, *argv: str) -> str:
    done = subprocess.run([sys.executable, str(ROOT / "manage.py"), *argv], cwd=ROOT,
                          env=_env(tmp_path), capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done.stdout


def _readback(tmp_path: Path, *argv: str) -> tuple[bool, str, set[str]]:
    """readback.main(['manage.py', *argv]) in a process of its own: whether it did the
    work, what it printed and the modules it loaded."""
    script = ("import sys\nfrom modeler.web.readback import main\n"
              f"done = main(['manage.py', *{list(argv)!r}])\n"
              "sys.stderr.write(repr(done) + '\\n' + '\\n'.join(sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=_env(tmp_path),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    flag, *modules = done.stderr.split("\n")
    return flag == "True", done.stdout, set(modules)


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp_path = tmp_path_factory.mktemp("readback")
    _manage(tmp_path, "migrate", "-v", "0")
    _manage(tmp_path, "ensure_admin")
    schema = tmp_path / "s.sql"
    schema.write_text(SQL)
    _manage(tmp_path, "import_schema", "--project", "lib", "--format", "sql", str(schema))
    return tmp_path


def test_the_drawing_import_schema_stored_is_read_back_without_django(imported: Path) -> None:
    out = imported / "fast.svg"
    did, said, modules = _readback(imported, "render_diagram", "lib", "--out", str(out))
    assert did
    assert not [m for m in modules if m.startswith(("django", "modeler.diagram", "pglast"))]
    # the command itself: manage.py reads back before Django starts unless an option of
    # Django's is given (-v 1 is the default verbosity: the same line)
    command = _manage(imported, "render_diagram", "lib", "--out", str(imported / "cmd.svg"),
                      "-v", "1")
    assert out.read_bytes() == (imported / "cmd.svg").read_bytes()
    assert out.read_bytes().startswith(b"<svg")
    assert said == command.replace("cmd.svg", "fast.svg")


def test_a_view_the_command_drew_is_read_back_too(imported: Path) -> None:
    view = ("--detail", "names", "--direction=TB", "--focus", "book", "--depth", "0",
            "--format", "dot")
    assert not _readback(imported, "render_diagram", "lib", *view, "--out",
                         str(imported / "no.dot"))[0]  # not drawn yet
    assert not (imported / "no.dot").exists()
    _manage(imported, "render_diagram", "lib", *view, "--out", str(imported / "cmd.dot"))
    did, _, _ = _readback(imported, "render_diagram", "lib", *view, "--out",
                          str(imported / "fast.dot"))
    assert did and (imported / "fast.dot").read_bytes() == (imported / "cmd.dot").read_bytes()


@pytest.mark.parametrize("argv", [
    ("render_diagram", "nobody", "--out", "x.svg"),  # no such project: the command says so
    ("render_diagram", "lib", "--out", "x.svg", "-v", "2"),  # Django's options
    ("render_diagram", "lib", "--out", "x.svg", "--help"),
    ("render_diagram", "lib", "--form", "svg", "--out", "x.svg"),  # an abbreviation
    ("render_diagram", "lib", "--format", "gif", "--out", "x.svg"),
    ("render_diagram", "lib", "--depth", "-1", "--out", "x.svg"),
    ("render_diagram", "lib", "--depth", "two", "--out", "x.svg"),
    ("render_diagram", "lib", "lib", "--out", "x.svg"),
    ("render_diagram", "lib"),  # no --out
    ("render_diagram", "lib", "--out", "missing-dir/x.svg"),
    ("export_bundle", "lib", "--out", "x.zip"),
])
def test_anything_else_is_left_to_the_command(imported: Path, argv: tuple[str, ...]) -> None:
    argv = tuple(str(imported / a) if a.startswith(("x.", "missing-dir")) else a
                 for a in argv)
    did, said, _ = _readback(imported, *argv)
    assert not did and said == ""
    assert not list(imported.glob("x.*"))


def test_a_changed_design_or_an_emptied_store_is_drawn_by_the_command(imported: Path,
                                                                      tmp_path: Path) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(imported, copy)
    out = str(copy / "x.svg")
    assert _readback(copy, "render_diagram", "lib", "--out", out)[0]
    con = sqlite3.connect(copy / "db.sqlite3")
    with con:
        con.execute("UPDATE web_design SET revision = revision + 1")
    con.close()
    assert not _readback(copy, "render_diagram", "lib", "--out", out)[0]
    _manage(copy, "render_diagram", "lib", "--out", out)  # drawn and stored again
    assert _readback(copy, "render_diagram", "lib", "--out", out)[0]
    shutil.rmtree(copy / "data" / "diagram-cache")
    assert not _readback(copy, "render_diagram", "lib", "--out", out)[0]


def test_another_cache_or_database_is_left_to_the_command(imported: Path) -> None:
    out = str(imported / "x.svg")
    script = ("import os, sys\nfrom modeler.web.readback import main\n"
              f"sys.exit(0 if not main(['manage.py', 'render_diagram', 'lib', '--out', {out!r}]) "
              "else 3)\n")
    for extra in ({"CACHE_URL": "redis://127.0.0.1:6379/15"},
                  {"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}):
        env = {**_env(imported), **extra}
        done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
    assert not list(imported.glob("x.*"))


@pytest.mark.parametrize("name", ["a#b", "a?b", "a%41b"])
def test_a_database_path_with_uri_characters_is_read_as_that_file(imported: Path,
                                                                   tmp_path: Path,
                                                                   name: str) -> None:
    """SQLite's URI syntax: '#', '?' and '%' in the path are quoted (the read opened
    another file, a stray empty one created there, e.g. 'a' for 'a#b/db.sqlite3')."""
    copy = tmp_path / name
    shutil.copytree(imported, copy)
    out = str(copy / "x.svg")
    env = {**_env(copy), "DATABASE_URL": f"sqlite:///{quote(str(copy / 'db.sqlite3'))}"}
    script = ("import sys\nfrom modeler.web.readback import main\n"
              f"sys.exit(0 if main(['manage.py', 'render_diagram', 'lib', '--out', {out!r}]) "
              "else 3)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]
