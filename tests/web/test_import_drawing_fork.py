"""Issue 17: import_schema draws render_diagram's stored drawing in a forked child while the
design is saved (the drawing's Python on the other CPU), and on a thread where a fork is not
safe (a shared Redis cache): the same bytes either way, and no child left behind. Whole
processes on a fresh SQLite file, as a user runs them."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.web.manage_process import manage, manage_env, ready


def _manage(tmp_path: Path, *argv: str, forks: Path | None = None,
            cache_url: str | None = None) -> str:
    before = ""
    if forks is not None:  # each fork leaves a line: who forked
        before = ("_fork = os.fork\n"
                  "def fork():\n"
                  "    pid = _fork()\n"
                  f"    if pid:\n        open({str(forks)!r}, 'a').write('fork\\n')\n"
                  "    return pid\n"
                  "os.fork = fork\n")
    return manage(tmp_path, *argv, before=before,
                  env=manage_env(tmp_path, CACHE_URL=cache_url)).stdout


def _redis_up() -> bool:
    import socket

    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1).close()
    except OSError:
        return False
    return True


def test_the_drawing_is_made_by_a_forked_child_and_is_the_command_s(tmp_path: Path) -> None:
    schema = ready(tmp_path)
    forks = tmp_path / "forks.txt"
    said = _manage(tmp_path, "import_schema", "--project", "lib", "--format", "sql",
                   str(schema), "--diagram", str(tmp_path / "import.svg"), "-v", "2",
                   forks=forks)
    assert "the diagram was drawn while the design was saved" in said
    assert forks.read_text() == "fork\n"  # Graphviz runs by posix_spawn/vfork, not os.fork
    drawn = (tmp_path / "import.svg").read_bytes()
    assert drawn.startswith(b"<svg") and b"author" in drawn
    # the stored drawing is the child's, read back by render_diagram; and a fresh drawing of
    # the stored design is the same bytes
    _manage(tmp_path, "render_diagram", "lib", "--out", str(tmp_path / "back.svg"))
    assert (tmp_path / "back.svg").read_bytes() == drawn
    for f in (tmp_path / "data" / "diagram-cache").iterdir():
        f.unlink()
    _manage(tmp_path, "render_diagram", "lib", "--out", str(tmp_path / "fresh.svg"))
    assert (tmp_path / "fresh.svg").read_bytes() == drawn


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_with_a_shared_cache_the_drawing_is_made_on_a_thread(tmp_path: Path) -> None:
    schema = ready(tmp_path)
    forks = tmp_path / "forks.txt"
    said = _manage(tmp_path, "import_schema", "--project", "lib", "--format", "sql",
                   str(schema), "--diagram", str(tmp_path / "import.svg"), "-v", "2",
                   forks=forks, cache_url="redis://127.0.0.1:6379/14")
    assert "the diagram was drawn while the design was saved" in said
    assert not forks.exists()
    _manage(tmp_path, "render_diagram", "lib", "--out", str(tmp_path / "plain.svg"))
    assert (tmp_path / "import.svg").read_bytes() == (tmp_path / "plain.svg").read_bytes()
