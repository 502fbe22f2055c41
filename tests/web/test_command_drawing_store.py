"""Issue 17: import_schema stores render_diagram's default drawing of the design it saved
(drawn by a forked child while the design is saved), and render_diagram reads a drawing of
an unchanged design back by the design's revision stamp, without reading the design or
importing the drawing code. Whole processes on a fresh SQLite file, as a user runs them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SQL = """
CREATE TABLE author (id serial PRIMARY KEY, name varchar(100) NOT NULL);
CREATE TABLE book (id serial PRIMARY KEY, author_id integer NOT NULL REFERENCES author (id),
                   title text NOT NULL);
"""


def _manage(tmp_path: Path, *argv: str, path: str | None = None,
            modules: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "MODELER_DATA_DIR": str(tmp_path / "data"), "SECRET_KEY": "test-only",
           "DJANGO_SETTINGS_MODULE": "modeler.settings", "MODELER_ADMIN_PASSWORD": "pw-root-1!x",
           "LOG_LEVEL": "WARNING"}
    env.pop("CACHE_URL", None)  # the local-memory cache: renders kept on disk
    if path is not None:
        env["PATH"] = path
    script = "import runpy, sys\n"
    if modules is not None:  # the modules loaded when the process exits
        script += ("import atexit\natexit.register(lambda: open("
                   f"{str(modules)!r}, 'w').write('\\n'.join(sys.modules)))\n")
    script += (f"sys.argv = ['manage.py', *{list(argv)!r}]\n"
               f"runpy.run_path({str(ROOT / 'manage.py')!r}, run_name='__main__')\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done


def test_import_stores_the_drawing_render_diagram_reads_back(tmp_path: Path) -> None:
    _manage(tmp_path, "migrate", "-v", "0")
    _manage(tmp_path, "ensure_admin")
    schema = tmp_path / "s.sql"
    schema.write_text(SQL)
    done = _manage(tmp_path, "import_schema", "--project", "lib", "--format", "sql",
                   str(schema), "--diagram", str(tmp_path / "import.svg"), "-v", "2")
    assert "the diagram was drawn while the design was saved" in done.stdout
    imported = (tmp_path / "import.svg").read_bytes()
    assert imported.startswith(b"<svg") and b"author" in imported

    # the first render_diagram after the import reads the stored drawing: no Graphviz on
    # PATH, no drawing code imported
    modules = tmp_path / "modules.txt"
    _manage(tmp_path, "render_diagram", "lib", "--out", str(tmp_path / "hit.svg"),
            path=str(tmp_path / "no-graphviz-here"), modules=modules)
    assert (tmp_path / "hit.svg").read_bytes() == imported
    loaded = set(modules.read_text().split("\n"))
    assert not [m for m in loaded if m.startswith(("modeler.diagram", "pglast", "psycopg"))]

    # and it is what a fresh drawing of the stored design gives (the store emptied)
    shutil.rmtree(tmp_path / "data" / "diagram-cache")
    _manage(tmp_path, "render_diagram", "lib", "--out", str(tmp_path / "fresh.svg"))
    assert (tmp_path / "fresh.svg").read_bytes() == imported

    # another view is drawn, not read back: names only differs from the stored drawing
    _manage(tmp_path, "render_diagram", "lib", "--detail", "names", "--out",
            str(tmp_path / "names.svg"))
    names = (tmp_path / "names.svg").read_bytes()
    assert names.startswith(b"<svg") and names != imported
