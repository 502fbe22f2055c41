"""Issue 17: where `manage.py export_bundle` spends its CPU, stage by stage.

    .venv/bin/python bench/export_stages.py [--corpus musicbrainz] [--runs 5] [--laid-out]

Imports the corpus SQL schema (../shared/corpus) as a project's first version in a scratch
SQLite application (as bench/vs_tools.py does, without PostgreSQL), then runs the command
``--runs`` times, each in a fresh process (imports and first-call costs included), and
prints the median CPU of each stage: Django's start, the command's imports, reading the
version, the diagram (its Python on its own thread, and Graphviz's child processes), the
plan, models, DESIGN.md, schema.sql (and its SQLAlchemy metadata), the Alembic revisions
and the zip. CPU, not wall time: the machine may be shared. The stages run inside others
(schema.sql holds the metadata; build_bundle holds the renderers), so they do not add up.
"""

from __future__ import annotations

import argparse
import functools
import importlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# (module, function, label): timed with the CPU of the thread that runs it
STAGES = (
    ("modeler.web.exporting", "version_inputs", "versions' JSON -> inputs"),
    ("modeler.web.diagrams", "static_svg", "diagram: Python (own thread)"),
    ("modeler.codegen.bundle", "build_plan", "plan"),
    ("modeler.codegen.bundle", "render_models", "models.py"),
    ("modeler.codegen.bundle", "render_design_doc", "DESIGN.md"),
    ("modeler.codegen.ddl", "metadata_from_schema", "schema.sql: SQLAlchemy metadata"),
    ("modeler.codegen.bundle", "schema_sql", "schema.sql (all)"),
    ("modeler.codegen.bundle", "render_revisions", "Alembic revisions"),
    ("modeler.web.exporting", "write_zip", "zip"),
    ("modeler.web.exporting", "build_bundle", "build_bundle (all)"),
)


def child(slug: str) -> None:
    """One export in this process; prints its stages' CPU as JSON."""
    import resource

    start = time.process_time()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "modeler.settings")
    import django

    django.setup()
    spent: defaultdict[str, float] = defaultdict(float)
    spent["Python + Django start"] = time.process_time() - start
    t = time.process_time()
    from django.core.management import call_command

    from modeler.web import diagrams, exporting  # noqa: F401 - what the command imports

    spent["imports"] = time.process_time() - t

    def timed(f: Callable[..., Any], label: str) -> Callable[..., Any]:
        @functools.wraps(f)
        def run(*args: Any, **kwargs: Any) -> Any:
            t0 = time.thread_time()
            try:
                return f(*args, **kwargs)
            finally:
                spent[label] += time.thread_time() - t0
        return run

    for module, name, label in STAGES:
        mod = importlib.import_module(module)
        setattr(mod, name, timed(getattr(mod, name), label))
    with open(os.devnull, "w") as sink:
        call_command("export_bundle", slug, "--out", os.devnull, stdout=sink)
    spent["process (all threads)"] = time.process_time() - start
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    spent["diagram: Graphviz (child processes)"] = children.ru_utime + children.ru_stime
    print(json.dumps(spent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default="musicbrainz")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    from bench.vs_tools import PYTHON, App

    with tempfile.TemporaryDirectory(prefix="bench-export-") as tmp:
        app = App(Path(tmp))
        app.python(
            "from django.contrib.auth import get_user_model\n"
            "from modeler.web.importing import import_project\n"
            "from tests.fidelity.roundtrip import SQL_SCHEMAS, import_spec\n"
            f"import_project(result=import_spec(SQL_SCHEMAS[{args.corpus!r}]), "
            f"slug={args.corpus!r}, name=None, source='sql', owner=get_user_model()"
            ".objects.filter(is_superuser=True).first())\n")
        runs: list[dict[str, float]] = []
        for i in range(args.runs):
            done = subprocess.run([PYTHON, __file__, "--child", args.corpus], env=app.env,
                                  cwd=ROOT, capture_output=True, text=True, check=True)
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(f"  run {i + 1}/{args.runs}: {runs[-1]['process (all threads)']:.2f} s",
                  flush=True)
    print(f"export_bundle {args.corpus}: median CPU seconds of {args.runs} fresh processes "
          f"(load average {os.getloadavg()[0]:.2f})")
    for label in runs[0]:
        print(f"  {label:38} {statistics.median(r.get(label, 0.0) for r in runs):6.3f}")


if __name__ == "__main__":
    main()
