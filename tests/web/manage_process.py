"""``manage.py`` run as a user runs it: a process of its own on a fresh SQLite file under a
test's ``tmp_path`` (data under ``tmp_path / "data"``, the local-memory cache), for the tests
of what the commands do before and after Django starts."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SQL = """
CREATE TABLE author (id serial PRIMARY KEY, name varchar(100) NOT NULL);
CREATE TABLE book (id serial PRIMARY KEY, author_id integer NOT NULL REFERENCES author (id),
                   title text NOT NULL);
"""


def manage_env(tmp_path: Path, **extra: str | None) -> dict[str, str]:
    """The environment: this one's, the database and data under ``tmp_path``, no shared
    cache (``CACHE_URL``); ``extra``: variables set besides (None: left as said)."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "MODELER_DATA_DIR": str(tmp_path / "data"), "SECRET_KEY": "test-only",
           "DJANGO_SETTINGS_MODULE": "modeler.settings", "MODELER_ADMIN_PASSWORD": "pw-root-1!x",
           "LOG_LEVEL": "WARNING"}
    env.pop("CACHE_URL", None)
    env.update({k: v for k, v in extra.items() if v is not None})
    return env


def manage(tmp_path: Path, *argv: str, before: str = "",
           env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``manage.py *argv``, which must succeed; ``before``: code run first in the process
    (``atexit``, ``errno``, ``os``, ``runpy`` and ``sys`` imported); ``env``: default
    :func:`manage_env`."""
    script = (f"import atexit, errno, os, runpy, sys\n{before}"
              f"sys.argv = ['manage.py', *{list(argv)!r}]\n"
              f"runpy.run_path({str(ROOT / 'manage.py')!r}, run_name='__main__')\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT,
                          env=env if env is not None else manage_env(tmp_path),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done


def ready(tmp_path: Path, sql: str = SQL) -> Path:
    """A migrated database with its administrator; ``sql`` written to ``s.sql`` (returned)
    for ``import_schema``."""
    manage(tmp_path, "migrate", "-v", "0")
    manage(tmp_path, "ensure_admin")
    schema = tmp_path / "s.sql"
    schema.write_text(sql)
    return schema


def modules_at_exit(out: Path) -> str:
    """``before`` code writing the modules loaded at the process's exit to ``out``."""
    return f"atexit.register(lambda: open({str(out)!r}, 'w').write('\\n'.join(sys.modules)))\n"
