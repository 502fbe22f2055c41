"""import_schema's drawing in a forked child (e4f7c5b): a fork the system refuses (EAGAIN:
a limit on processes; ENOMEM without overcommit) is not a failed import. It raised out of
the import's transaction (nothing imported, a traceback); the drawing is made on a thread
instead. The refusal is the system's, made to happen by replacing os.fork in the process:
a real one cannot be provoked reliably (root is exempt from RLIMIT_NPROC)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.web.test_import_drawing_fork import ROOT, SQL


def test_a_refused_fork_draws_on_a_thread(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "MODELER_DATA_DIR": str(tmp_path / "data"), "SECRET_KEY": "test-only",
           "DJANGO_SETTINGS_MODULE": "modeler.settings", "MODELER_ADMIN_PASSWORD": "pw-root-1!x",
           "LOG_LEVEL": "WARNING"}
    env.pop("CACHE_URL", None)
    schema = tmp_path / "s.sql"
    schema.write_text(SQL)

    def manage(*argv: str, refuse: bool = False) -> subprocess.CompletedProcess[str]:
        script = "import errno, os, runpy, sys\n"
        if refuse:
            script += ("def fork():\n"
                       "    raise OSError(errno.EAGAIN, os.strerror(errno.EAGAIN))\n"
                       "os.fork = fork\n")
        script += (f"sys.argv = ['manage.py', *{list(argv)!r}]\n"
                   f"runpy.run_path({str(ROOT / 'manage.py')!r}, run_name='__main__')\n")
        return subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)

    assert manage("migrate", "-v", "0").returncode == 0
    assert manage("ensure_admin").returncode == 0
    out = tmp_path / "d.svg"
    done = manage("import_schema", "--project", "lib", "--format", "sql", str(schema),
                  "--diagram", str(out), "-v", "2", refuse=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "imported " in done.stdout
    assert "the diagram was drawn while the design was saved" in done.stdout  # the thread's
    assert out.read_bytes().startswith(b"<svg")
