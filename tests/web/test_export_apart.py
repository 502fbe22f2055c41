"""Issue 17: export_bundle writes schema.sql in a forked child process and keeps a version's
drawing for its next export; the bundle's bytes are those of an export without either (the
web download: tests/web/test_versions.py compares them)."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from modeler.web import exporting, services
from modeler.web.rendercache import CommandCache
from modeler.web.snapshot import materialize
from modeler.web.versions import version_save
from tests.web.test_rules_web import good_schema

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db

# run in a process of its own: pytest's may have threads, where forked() does not fork
FORK_SCRIPT = r"""
import os, sys, threading, time
import django
django.setup()
from modeler.web.exporting import forked

me = os.getpid()
with forked(lambda: f"{os.getpid()} caf\u00e9 \udc80") as text:
    made = text()
pid, rest = made.split(" ", 1)
assert int(pid) != me, "not made in a child"
assert rest == "caf\u00e9 \udc80", rest  # any text comes back as it was

def fails_in_child() -> str:
    if os.getpid() != me:
        raise ValueError("boom")
    return "made here"

with forked(fails_in_child) as text:
    assert text() == "made here"  # the child failed: the work ran here

with forked(lambda: "x" * 1_000_000) as text:  # more than a pipe holds, never asked for
    pass
try:
    os.waitpid(-1, os.WNOHANG)
    raise AssertionError("a child is left")
except ChildProcessError:
    pass

stop = threading.Event()
threading.Thread(target=stop.wait).start()
with forked(lambda: str(os.getpid())) as text:
    assert text() == str(me)  # another thread runs: no fork
stop.set()
print("ok")
"""


def test_forked_work_comes_back_from_a_child(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "MODELER_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "modeler.settings"}
    done = subprocess.run([sys.executable, "-c", FORK_SCRIPT], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"


@pytest.fixture
def project(user: Any) -> Any:
    p = services.project_create(name="Shop", slug="shop", owner=user)
    materialize(good_schema(), services.main_design(p))
    return p


def _files(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_the_export_reads_a_versions_drawing_back(user: Any, project: Any,
                                                   tmp_path: Path) -> None:
    version = version_save(project=project, actor=user, message="First cut of the shop design")
    first, second = tmp_path / "a.zip", tmp_path / "b.zip"
    call_command("export_bundle", "shop", "--out", str(first), stdout=StringIO())
    drawn = _files(first)["diagram.svg"]
    assert drawn.startswith(b"<svg") or b"<svg" in drawn[:300]
    # the drawing is kept under the version's JSON: what is kept is what the next export
    # writes (a marker put in its place shows it is read, not drawn again)
    hit, _ = exporting.kept_drawing(version, lambda schema: "")
    assert hit is not None and hit.encode() == drawn
    CommandCache().set(exporting.drawing_key(version), b"<svg>kept</svg>")
    call_command("export_bundle", "shop", "--out", str(second), stdout=StringIO())
    files = _files(second)
    assert files["diagram.svg"] == b"<svg>kept</svg>"
    assert {k: v for k, v in files.items() if k != "diagram.svg"} == {
        k: v for k, v in _files(first).items() if k != "diagram.svg"}
    # the web download draws (no store): the bytes of the first export
    body = exporting.bundle(project, version.number, diagram_svg=_static_svg)[1]
    assert _files_of(body) == _files(first)


def _static_svg(schema: Any) -> str:
    from modeler.web.diagrams import static_svg

    return static_svg(schema)


def _files_of(body: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(body)) as z:
        return {n: z.read(n) for n in z.namelist()}


def test_forked_work_runs_once_where_no_child_is_forked() -> None:
    """Where no child is forked (another thread runs, or the fork is refused) the work runs
    here once, however often its text is asked for: the export asks twice (models.py and
    schema.sql are both in it), and made both files twice."""
    import threading

    from modeler.codegen.prefork import forked

    runs: list[int] = []

    def work() -> str:
        runs.append(1)
        return "text"

    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        with forked(work) as text:
            assert text() == text() == "text"
    finally:
        stop.set()
        other.join()
    assert len(runs) == 1


def test_the_export_reads_render_diagrams_drawing_of_the_same_view(
        user: Any, project: Any, tmp_path: Path, settings: Any) -> None:
    """Issue 17: the bundle's drawing is render_diagram's default view of the same design,
    byte for byte; a design drawn by render_diagram in another process (its whole render
    kept on disk, Django's local-memory cache gone with that process) is read back by the
    export instead of being drawn again."""
    from django.core.cache import cache

    from modeler.diagram.layout import render_dot
    from modeler.diagram.options import ViewOptions
    from modeler.web.snapshot import snapshot

    settings.DATA_DIR = str(tmp_path)  # the commands' store on disk, this test's own
    version_save(project=project, actor=user, message="First cut of the shop design")
    drawn = tmp_path / "drawn.svg"
    call_command("render_diagram", "shop", "--format", "svg", "--out", str(drawn),
                 stdout=StringIO())
    schema = snapshot(services.main_design(project))
    key = render_dot(schema, ViewOptions(), cache=CommandCache()).key("svg")
    store = CommandCache()
    assert store.get(key) == drawn.read_bytes()  # render_diagram kept its render
    # a marker in its place on disk shows the export reads it, not Graphviz
    store.set(key, b"<svg>drawn by render_diagram</svg>")
    cache.clear()  # as a new process sees it: only the file on disk is left
    out = tmp_path / "shop.zip"
    call_command("export_bundle", "shop", "--out", str(out), stdout=StringIO())
    assert _files(out)["diagram.svg"] == b"<svg>drawn by render_diagram</svg>"
