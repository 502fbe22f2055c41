"""Issue 17: what manage.py does before a command starts.

- ``check``, ``help`` and ``export_bundle`` run without the garbage collector (short-lived:
  what they make stays alive to the exit); any other command keeps it (a server or a worker
  runs for days).
- The modules the export's helper and the command share are imported before the fork
  (:data:`modeler.codegen.prefork.SHARED`): never Django, SQLAlchemy or a module that starts
  a thread (the fork would copy a half-set-up Django, or locks held by another thread).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _collector_at_exit(tmp_path: Path, *argv: str) -> str:
    """``manage.py *argv`` on a fresh SQLite file; whether the collector was on at exit."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "MODELER_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "modeler.settings"}
    out = tmp_path / "gc.txt"
    script = ("import atexit, gc, runpy, sys\n"
              f"atexit.register(lambda: open({str(out)!r}, 'w').write(str(gc.isenabled())))\n"
              f"sys.argv = ['manage.py', *{list(argv)!r}]\n"
              f"runpy.run_path({str(ROOT / 'manage.py')!r}, run_name='__main__')\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return out.read_text()


@pytest.mark.parametrize("argv", [("check",), ("help",)])
def test_short_lived_commands_run_without_the_collector(tmp_path: Path,
                                                        argv: tuple[str, ...]) -> None:
    assert _collector_at_exit(tmp_path, *argv) == "False"


@pytest.mark.parametrize("argv", [("shell", "-c", "pass"), ("showmigrations", "web")])
def test_other_commands_keep_the_collector(tmp_path: Path, argv: tuple[str, ...]) -> None:
    assert _collector_at_exit(tmp_path, *argv) == "True"


def test_what_is_imported_before_the_fork_is_safe() -> None:
    script = ("import sys, threading\n"
              "from modeler.codegen import prefork\n"
              "import importlib\n"
              "for name in prefork.SHARED:\n"
              "    importlib.import_module(name)\n"
              "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
              "('django', 'sqlalchemy', 'alembic', 'pglast', 'psycopg'))\n"
              "print(threading.active_count(), bad)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "1 []"
