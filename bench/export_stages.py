"""Issue 17: where `manage.py export_bundle` spends its CPU, stage by stage.

    .venv/bin/python bench/export_stages.py [--corpus musicbrainz] [--runs 5] [--cold]

Imports the corpus SQL schema (../shared/corpus) as a project's first version in a scratch
SQLite application (as bench/vs_tools.py does, without PostgreSQL), then runs the command
``--runs`` times, each in a fresh process (imports and first-call costs included), and
prints the median CPU of each stage: Django's start, the command's imports, reading the
version, the diagram (its Python on its own thread, and Graphviz's child processes), the
plan, models, DESIGN.md, the Alembic revisions and the zip in the command's process, and
schema.sql (SQLAlchemy's import, its metadata, the whole file) in the child process the
command forks for it. CPU, not wall time: the machine may be shared. The stages run inside
others (schema.sql holds the metadata; bundle_files holds the renderers), so they do not
add up. The export keeps a version's drawing and reads it back the next time: the first
run draws, the others read it back, unless ``--cold`` empties the store before each run.
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
from typing import Any, cast

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# (module, function, label): timed with the CPU of the thread that runs it
STAGES = (
    ("modeler.web.exporting", "version_schema", "version's JSON -> schema"),
    ("modeler.web.exporting", "version_inputs", "versions -> inputs"),
    ("modeler.web.management.commands.export_bundle", "static_svg",
     "diagram: Python (own thread)"),
    ("modeler.web.exporting", "build_plan", "plan (before the fork)"),
    ("modeler.codegen.models", "render_models", "models.py"),
    ("modeler.codegen.designdoc", "render_design_doc", "DESIGN.md"),
    ("modeler.codegen.bundle", "render_revisions", "Alembic revisions"),
    ("modeler.web.exporting", "bundle_files", "bundle_files (all but the zip)"),
    ("modeler.web.exporting", "write_zip", "zip: put together (deflating: own thread)"),
)
CHILD = "schema.sql: child process (all)"


def child(slug: str, number: str, report: str) -> None:
    """One export in this process; prints its stages' CPU as JSON (the stages of the
    schema.sql child process come back through the file ``report``)."""
    import resource

    start = time.process_time()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "modeler.settings")
    import django

    django.setup()
    spent: defaultdict[str, float] = defaultdict(float)
    spent["Python + Django start"] = time.process_time() - start
    t = time.process_time()
    from django.core.management import call_command

    from modeler.web import exporting  # what the command imports

    spent["imports"] = time.process_time() - t
    main_pid = os.getpid()
    # the renderers are imported after the fork, while the child works (timed here)
    t = time.process_time()
    from modeler.codegen import designdoc, migration, models  # noqa: F401

    spent["renderers' imports (after the fork)"] = time.process_time() - t

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

    from modeler.codegen import bundle

    text_of = bundle.schema_sql_text

    def schema_sql_text(*args: Any, **kwargs: Any) -> str:
        # imports SQLAlchemy where schema.sql is written (the child), as the command does
        t0 = time.thread_time()
        from modeler.codegen import ddl

        spent["schema.sql: SQLAlchemy import"] += time.thread_time() - t0
        if not hasattr(ddl.metadata_from_schema, "__wrapped__"):
            ddl.metadata_from_schema = timed(ddl.metadata_from_schema,
                                             "schema.sql: SQLAlchemy metadata")
        return cast(str, timed(text_of, "schema.sql (all)")(*args, **kwargs))

    setattr(bundle, "schema_sql_text", schema_sql_text)  # noqa: B010 - a stage's timer
    whole = exporting.design_schema_sql

    def design_schema_sql(*args: Any, **kwargs: Any) -> str:
        out = cast(str, whole(*args, **kwargs))
        if os.getpid() != main_pid:  # the forked child: its whole CPU and its stages
            spent[CHILD] = time.process_time()
            with open(report, "w") as f:
                json.dump({k: v for k, v in spent.items() if k.startswith("schema.sql")}, f)
        return out

    setattr(exporting, "design_schema_sql", design_schema_sql)  # noqa: B010 - as above
    args = ["export_bundle", slug, "--out", os.devnull]
    if number:
        args += ["--version", number]
    with open(os.devnull, "w") as sink:
        call_command(*args, stdout=sink)
    spent["process (all threads)"] = time.process_time() - start
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    if os.path.exists(report) and os.path.getsize(report):
        with open(report) as f:
            spent.update(json.load(f))
    spent["diagram: Graphviz (child processes)"] = (children.ru_utime + children.ru_stime
                                                    - spent.get(CHILD, 0.0))
    print(json.dumps(spent))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", default="musicbrainz")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--version", default="", help="the version to export (default: "
                        "the latest)")
    parser.add_argument("--cold", action="store_true",
                        help="empty the store of kept drawings before each run")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(*args.child)
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
        report = str(Path(tmp) / "child.json")
        for i in range(args.runs):
            if args.cold:
                app.forget_renders()
            Path(report).unlink(missing_ok=True)
            done = subprocess.run([PYTHON, __file__, "--child", args.corpus, args.version,
                                   report], env=app.env,
                                  cwd=ROOT, capture_output=True, text=True, check=True)
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(f"  run {i + 1}/{args.runs}: {runs[-1]['process (all threads)']:.2f} s",
                  flush=True)
    drawing = ("each drawn (--cold)" if args.cold
               else "the first drawn, the others read back")
    print(f"export_bundle {args.corpus}: median CPU seconds of {args.runs} fresh processes, "
          f"{drawing} (load average {os.getloadavg()[0]:.2f})")
    labels = list(dict.fromkeys(label for r in runs for label in r))
    for label in labels:
        print(f"  {label:38} {statistics.median(r.get(label, 0.0) for r in runs):6.3f}")


if __name__ == "__main__":
    main()
