"""Issue 17: where `manage.py export_bundle` spends its CPU, stage by stage, process by process.

    .venv/bin/python bench/export_stages.py [--corpus musicbrainz] [--runs 5] [--cold]

Imports the corpus SQL schema (../shared/corpus) as a project's first version in a scratch
SQLite application (as bench/vs_tools.py does, without PostgreSQL), then runs the command
``--runs`` times, each in a fresh process (imports and first-call costs included), as
manage.py runs it: the helper process (modeler.codegen.prefork) is forked first, imports
SQLAlchemy and the renderers while this one starts Django, gets the versions once the
command has read them, forks a child of its own for models.py and schema.sql and renders
the rest; the command adds the drawing and writes the zip. Printed: the median CPU of each
stage, by process: the command (Django's start, reading the version, the request, the
drawing kept from an earlier export, the zip), the helper (its imports, reading the
versions' JSON, the plan, the expressions' parse, the Alembic revisions, DESIGN.md, all its
files) and its child (models.py, schema.sql and its SQLAlchemy metadata). What both
processes import (``prefork.SHARED``) is imported once, before the fork: it counts in the
command's start. CPU, not wall
time: the machine may be shared. Stages run inside others (bundle_files holds the
renderers), so they do not add up; the processes run in parallel. The export keeps a
version's drawing and reads it back the next time: the first run draws, the others read
it back, unless ``--cold`` empties the store before each run.
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

# (process, module, function, label): timed with the CPU of the thread that runs it
STAGES = (
    ("command", "modeler.web.management.commands.export_bundle", "_version",
     "the version read (no rule report)"),
    ("command", "modeler.web.exporting", "version_records", "versions' rows"),
    ("command", "modeler.web.exporting", "findings_json", "rule report (stored JSON)"),
    ("command", "modeler.web.exporting", "request_bytes", "the helper's request"),
    ("command", "modeler.web.exporting", "kept_drawing", "drawing kept: read back"),
    ("command", "modeler.web.exporting", "version_schema", "version's JSON (to draw)"),
    ("command", "modeler.web.management.commands.export_bundle", "static_svg",
     "diagram: Python"),
    ("command", "modeler.web.exporting", "rehearsal_markdown", "REHEARSAL.md"),
    ("command", "modeler.codegen.prefork.Helper", "collect", "waiting for the helper"),
    ("command", "modeler.web.exporting", "write_zip", "zip: put together"),
    ("helper", "modeler.codegen.prefork", "read_request", "request read"),
    ("helper", "modeler.codegen.prefork.VersionRecord", "version_input",
     "versions' JSON -> schema"),
    ("helper", "modeler.codegen.plan", "build_plan", "plan"),
    ("helper", "modeler.codegen.sqlwriter", "parse_expressions", "expressions parsed"),
    ("helper", "modeler.codegen.bundle", "render_revisions", "Alembic revisions"),
    ("helper", "modeler.codegen.designdoc", "render_design_doc", "DESIGN.md"),
    ("helper", "modeler.codegen.bundle", "bundle_files",
     "bundle_files (all but models, schema.sql)"),
    ("helper", "modeler.codegen.prefork", "answer_bytes", "answer written"),
    ("child", "modeler.codegen.bundle", "design_models_py", "models.py"),
    ("child", "modeler.codegen.metadata", "metadata_from_schema",
     "schema.sql: SQLAlchemy metadata"),
    ("child", "modeler.codegen.bundle", "design_schema_sql", "schema.sql (all)"),
)


def child(slug: str, number: str, report: str) -> None:
    """One export as manage.py runs it, in this process, its helper and the helper's child;
    prints the stages' CPU as JSON (the others' come back through files named ``report``
    + ``.helper`` / ``.child``)."""
    import gc
    import resource

    gc.disable()  # as manage.py runs export_bundle
    from modeler.codegen import prefork

    start = time.process_time()
    spent: defaultdict[str, float] = defaultdict(float)
    role = ["command"]

    def dump(name: str) -> None:
        with open(f"{report}.{name}", "w") as f:
            json.dump({f"{name}: {k}": v for k, v in spent.items()}, f)

    # the helper: its imports (while this process starts Django), then its stages timed
    serve, helper_main = prefork.serve, prefork._child

    def timed_child(inbox: int) -> bytes:
        for module in prefork.PRELOADED:
            importlib.import_module(module)
        spent["imports (while Django starts; not prefork.SHARED)"] = time.process_time()
        for process, module, name, label in STAGES:
            if process != "command":
                _patch(module, name, label, spent, role, process)
        return helper_main(inbox)

    def timed_serve(request: bytes) -> bytes:
        role[0] = "helper"
        out = serve(request)
        spent["process (all threads)"] = time.process_time()
        dump("helper")
        return out

    setattr(prefork, "_child", timed_child)  # noqa: B010 - a stage's timer
    setattr(prefork, "serve", timed_serve)  # noqa: B010 - as above
    forked = prefork.forked

    def timed_forked(work: Callable[[], str]) -> Any:
        def timed_work() -> str:
            spent.clear()
            role[0] = "child"
            out = work()
            spent["process (all threads)"] = time.process_time()
            dump("child")
            return out
        return forked(timed_work)

    setattr(prefork, "forked", timed_forked)  # noqa: B010 - as above
    sys.argv = ["manage.py", "export_bundle", slug, "--out", os.devnull]
    if prefork.wanted(sys.argv):
        prefork.start()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "modeler.settings")
    import django

    django.setup()
    spent["Python + prefork.SHARED + Django start"] = time.process_time() - start
    t = time.process_time()
    from django.core.management import call_command

    from modeler.web import exporting  # noqa: F401 - what the command imports

    spent["imports"] = time.process_time() - t
    for process, module, name, label in STAGES:
        if process == "command":
            _patch(module, name, label, spent, role, process)
    args = ["export_bundle", slug, "--out", os.devnull]
    if number:
        args += ["--version", number]
    try:
        with open(os.devnull, "w") as sink:
            call_command(*args, stdout=sink)
    finally:
        prefork.stop()
    spent["process (all threads)"] = time.process_time() - start
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    out = {f"command: {k}": v for k, v in spent.items()}
    for name in ("helper", "child"):
        path = f"{report}.{name}"
        if os.path.exists(path) and os.path.getsize(path):
            with open(path) as f:
                out.update(json.load(f))
    helped = (out.get("helper: process (all threads)", 0.0)
              + out.get("child: process (all threads)", 0.0))
    out["command: diagram: Graphviz (child processes)"] = max(
        0.0, children.ru_utime + children.ru_stime - helped)
    print(json.dumps(out))


def _patch(module: str, name: str, label: str, spent: defaultdict[str, float],
           role: list[str], process: str) -> None:
    """Time ``module.name`` (a function, or a method when ``module`` ends with a class)
    into ``spent[label]`` in the process it runs in."""
    try:
        owner: Any = importlib.import_module(module)
    except ModuleNotFoundError:
        mod, _, cls = module.rpartition(".")
        owner = getattr(importlib.import_module(mod), cls)
    f = getattr(owner, name)

    @functools.wraps(f)
    def run(*args: Any, **kwargs: Any) -> Any:
        t0 = time.thread_time()
        try:
            return f(*args, **kwargs)
        finally:
            if role[0] == process:
                spent[label] += time.thread_time() - t0

    setattr(owner, name, run)
    # where the function was imported by name, the timer replaces it there too
    for other in ("modeler.web.exporting", "modeler.codegen.bundle", "modeler.codegen.prefork",
                  "modeler.codegen.ddl", "modeler.codegen.metadata"):
        mod_ = sys.modules.get(other)
        if mod_ is not None and mod_ is not owner and getattr(mod_, name, None) is f:
            setattr(mod_, name, run)


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
            for name in ("helper", "child"):
                Path(f"{report}.{name}").unlink(missing_ok=True)
            done = subprocess.run([PYTHON, __file__, "--child", args.corpus, args.version,
                                   report], env=app.env,
                                  cwd=ROOT, capture_output=True, text=True, check=True)
            runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
            print(f"  run {i + 1}/{args.runs}: command "
                  f"{runs[-1]['command: process (all threads)']:.2f} s, helper "
                  f"{runs[-1].get('helper: process (all threads)', 0.0):.2f} s, its child "
                  f"{runs[-1].get('child: process (all threads)', 0.0):.2f} s", flush=True)
    drawing = ("each drawn (--cold)" if args.cold
               else "the first drawn, the others read back")
    print(f"export_bundle {args.corpus}: median CPU seconds of {args.runs} fresh processes, "
          f"{drawing} (load average {os.getloadavg()[0]:.2f})")
    labels = list(dict.fromkeys(label for r in runs for label in r))
    for label in labels:
        print(f"  {label:58} {statistics.median(r.get(label, 0.0) for r in runs):6.3f}")


if __name__ == "__main__":
    main()
