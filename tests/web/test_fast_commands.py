"""Issue 17: commands start without importing what they do not use.

The property, not a timing: ``manage.py check`` (which loads the URLconf) and a product
command's start imports neither SQLAlchemy, Alembic, pglast, psycopg nor the views; product
commands skip Django's system checks. The figures are printed by bench/commands.py.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import get_commands, load_command_class

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("sqlalchemy", "alembic", "pglast", "psycopg", "graphviz", "modeler.web.views",
         "modeler.review.views", "modeler.rehearsal", "modeler.codegen", "modeler.importers",
         "modeler.rules", "modeler.diagram")
PRODUCT = sorted(p.stem for p in (ROOT / "modeler/web/management/commands").glob("*.py")
                 if not p.stem.startswith("_"))


def _imported(tmp_path: Path, *argv: str) -> tuple[subprocess.CompletedProcess[str], set[str]]:
    """Run ``manage.py *argv`` on a fresh SQLite file; the modules loaded when it exits."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "MODELER_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "modeler.settings"}
    out = tmp_path / "modules.txt"
    script = ("import atexit, runpy, sys\n"
              f"atexit.register(lambda: open({str(out)!r}, 'w').write('\\n'.join(sys.modules)))\n"
              f"sys.argv = ['manage.py', *{list(argv)!r}]\n"
              f"runpy.run_path({str(ROOT / 'manage.py')!r}, run_name='__main__')\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    return done, set(out.read_text().split("\n")) if out.exists() else set()


def _heavy(names: set[str]) -> list[str]:
    return sorted(n for n in names if any(n == h or n.startswith(h + ".") for h in HEAVY))


def test_check_imports_no_library_and_no_view(tmp_path: Path) -> None:
    done, names = _imported(tmp_path, "check")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "System check identified no issues" in done.stdout
    assert "django.urls" in names and "modeler.urls" in names  # the URLconf was checked
    assert "modeler.web.models" in names
    assert _heavy(names) == []


@pytest.mark.parametrize("command", PRODUCT)
def test_product_command_starts_light(tmp_path: Path, command: str) -> None:
    done, names = _imported(tmp_path, command, "--help")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "usage:" in done.stdout
    assert f"modeler.web.management.commands.{command}" in names
    assert _heavy(names) == []


@pytest.mark.parametrize("command", PRODUCT)
def test_product_commands_skip_system_checks(command: str) -> None:
    assert get_commands()[command] == "modeler.web"
    assert load_command_class("modeler.web", command).requires_system_checks == []


def test_hard_coded_choices_match_the_modules() -> None:
    from modeler.codegen.bundle import TARGETS
    from modeler.web import diagrams
    from modeler.web.management.commands import export_bundle, render_diagram

    assert tuple(export_bundle.TARGETS) == tuple(TARGETS)
    assert sorted(render_diagram.FORMATS) == sorted(diagrams.FORMATS)


def test_every_lazy_view_exists() -> None:
    """The URLconf names views by module and name: every one of them imports and is a
    callable that is not itself lazy (a typo would otherwise surface on its first request)."""
    from django.urls import get_resolver
    from django.urls.resolvers import URLPattern, URLResolver

    from modeler.web.lazyviews import LazyView

    def patterns(resolver: URLResolver) -> list[URLPattern]:
        out: list[URLPattern] = []
        for p in resolver.url_patterns:
            out.extend(patterns(p) if isinstance(p, URLResolver) else [p])
        return out

    lazy = [p.callback for p in patterns(get_resolver()) if isinstance(p.callback, LazyView)]
    assert len(lazy) > 50
    for view in lazy:
        real = view.load()
        assert callable(real) and not isinstance(real, LazyView)
        assert real.__name__ == view.__name__ and real.__module__ == view.__module__


def test_the_drawing_side_loads_no_rules(tmp_path: Path) -> None:
    """The export's drawing (modeler.web.diagrams.static_svg, on its thread while the bundle
    is written) and the diagram module itself load no part of the rules engine: only the
    editor's badges need it, and they import it when they are set."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "MODELER_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "modeler.settings"}
    script = ("import sys, django\ndjango.setup()\n"
              "from modeler.web.diagrams import static_svg\n"
              "print(sorted(m for m in sys.modules if m.startswith('modeler.rules')))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize("command,once", [("render_diagram", True), ("export_bundle", True),
                                          ("import_schema", True), ("save_version", False)])
def test_drawing_commands_say_they_draw_once(tmp_path: Path, command: str,
                                             once: bool) -> None:
    """manage.py tells the SVG sanitiser (modeler.oneshot) that a drawing command draws one
    diagram and exits, so no memo of sanitised groups is kept; other commands do not."""
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
           "MODELER_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "modeler.settings"}
    out = tmp_path / "once.txt"
    script = ("import atexit, runpy, sys\n"
              "def said():\n"
              "    m = sys.modules.get('modeler.oneshot')\n"
              f"    open({str(out)!r}, 'w').write(str(bool(m and m.active())))\n"
              "atexit.register(said)\n"
              f"sys.argv = ['manage.py', {command!r}, '--help']\n"
              f"runpy.run_path({str(ROOT / 'manage.py')!r}, run_name='__main__')\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert out.read_text() == str(once)
