"""Issue 17: import_schema stores render_diagram's default drawing of the design it saved
(drawn by a forked child while the design is saved), and render_diagram reads a drawing of
an unchanged design back by the design's revision stamp, without reading the design or
importing the drawing code. Whole processes on a fresh SQLite file, as a user runs them."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from tests.web.manage_process import manage, manage_env, modules_at_exit, ready


def _manage(tmp_path: Path, *argv: str, path: str | None = None,
            modules: Path | None = None) -> subprocess.CompletedProcess[str]:
    # the local-memory cache (manage_env): renders kept on disk
    return manage(tmp_path, *argv, before=modules_at_exit(modules) if modules else "",
                  env=manage_env(tmp_path, PATH=path))


def test_import_stores_the_drawing_render_diagram_reads_back(tmp_path: Path) -> None:
    schema = ready(tmp_path)
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
