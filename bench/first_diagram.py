"""Issue 17: database -> first diagram, whole processes, CPU and wall (ours only).

    .venv/bin/python bench/first_diagram.py [--rounds 5] [--corpus musicbrainz]
                                            [--url postgresql://...] [--root CHECKOUT]

Per round: ``import_schema --url`` into a new project, then ``render_diagram`` of it (the
"first diagram" pair of bench/vs_tools.py; no earlier render kept; and, before it, the
stored drawing read back by :mod:`modeler.web.readback` alone, which manage.py runs before
Django starts once it calls it), the same in one process
(``import_schema --url --diagram FILE``), and ``render_diagram`` of a project laid out
before the rounds (its previous render kept: drawn once, untimed, just before). Prints medians of
wall and CPU seconds (user + system of the process and the Graphviz runs it waited for):
on a busy machine CPU is the steadier figure.
``--stages``: also one import in a process of its own, its CPU seconds stage by stage
(start-up, imports, catalog read, statements and model, first layout, saving, drawing; own
CPU and Graphviz's), for where the time goes.
``--url``: an already loaded database (else the corpus is loaded into a throw-away
PostgreSQL, as vs_tools.py does); ``--root``: another checkout of the project (e.g. a
``git worktree`` of an older commit) to time instead, for before/after figures.
``--no-bytecode``: our commands compile their modules as the environment says (see
vs_tools.py; by default the bytecode is compiled once and kept in .cache/).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from vs_tools import PYTHON, SCHEMA_OF, App, T, bytecode_note, lay_out, median, timed


class Checkout(App):
    """:class:`App` running ``manage.py`` of another checkout."""

    def __init__(self, work: Path, root: Path, bytecode: bool = False) -> None:
        self.root = root
        super().__init__(work, bytecode)
        self.env["PYTHONPATH"] = str(root)

    def argv(self, *args: str) -> list[str]:
        return [PYTHON, str(self.root / "manage.py"), *args]

    def manage(self, *args: str) -> T:
        return timed(self.argv(*args), {**self.env, "PYTHONPATH": str(self.root)})


STAGES = r"""
import os, resource, sys, time
def cpu():
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime, c.ru_utime + c.ru_stime, time.perf_counter()
last = [cpu()]
rows = []
def mark(label):
    now = cpu()
    rows.append((label, now[0] - last[0][0], now[1] - last[0][1], now[2] - last[0][2]))
    last[0] = now
import django
django.setup()
import gc
gc.disable()  # as import_schema runs (no collection to its exit)
mark("start-up (django.setup)")
import modeler.importers.live as live
from modeler.web import importing
if hasattr(live, "preload"):  # the SQL importer (an older checkout imports it with live)
    live.preload()
mark("imports")
run_import = live._import
def timed_import(*args, **kwargs):
    mark("catalog read")
    result = run_import(*args, **kwargs)
    mark("statements and model")
    return result
live._import = timed_import
schemas = [s for s in sys.argv[3:]] or None
result = live.import_live(sys.argv[1], schemas=schemas)
from dataclasses import replace
result = replace(result, schema=importing.first_layout(result.schema))
mark("first layout")
from django.contrib.auth import get_user_model
owner = get_user_model().objects.filter(is_superuser=True).order_by("pk").first()
importing.import_project(result=result, slug=sys.argv[2], name=None, owner=owner,
                         source="bench")
mark("save (materialize, version 1)")
from modeler.diagram.options import ViewOptions
from modeler.web.rendercache import command_render
command_render(result.schema, ViewOptions(), "svg")
mark("drawing (a child of import_schema)")
for label, own, graphviz, wall in rows:
    print(f"  {label:36} CPU {own:5.2f} s + Graphviz {graphviz:5.2f} s   wall {wall:5.2f} s")
"""


def stages(app: App, url: str, slug: str, schemas: list[str]) -> str:
    """The :data:`STAGES` script's table: one import, stage by stage, in its own process."""
    import subprocess

    app.forget_renders()
    done = subprocess.run([PYTHON, "-c", STAGES, url, slug, *schemas], env=app.env,
                          cwd=str(getattr(app, "root", Path(__file__).resolve().parents[1])),
                          capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        raise RuntimeError(done.stderr[-2000:])
    return done.stdout.rstrip()


def readback(app: App, slug: str, out: Path) -> T:
    """The stored drawing read back without Django (:mod:`modeler.web.readback`), in a
    process of its own, as ``manage.py render_diagram`` runs it before Django starts once
    manage.py calls it; fails loudly when it leaves the render to the command."""
    code = ("import sys\nfrom modeler.web.readback import main\n"
            f"sys.exit(0 if main(['manage.py', 'render_diagram', {slug!r}, '--format', 'svg', "
            f"'--out', {str(out)!r}]) else 1)\n")
    return timed([PYTHON, "-c", code], {**app.env, "PYTHONPATH": str(getattr(
        app, "root", Path(__file__).resolve().parents[1]))})


def show(label: str, values: list[T]) -> str:
    m = median(values)
    return (f"{label:30} wall {m.wall:5.2f} s   CPU {m.cpu:5.2f} s   "
            f"(CPU min {min(v.cpu for v in values):.2f}, max {max(v.cpu for v in values):.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--corpus", default="musicbrainz")
    parser.add_argument("--url", help="a database with the corpus loaded already")
    parser.add_argument("--root", type=Path, help="checkout to time (default: this one)")
    parser.add_argument("--stages", action="store_true",
                        help="also the CPU of each stage of one import (in-process)")
    parser.add_argument("--no-bytecode", action="store_true",
                        help="run our commands as the environment says (see vs_tools.py)")
    args = parser.parse_args()
    pg_schema = SCHEMA_OF.get(args.corpus, "public")
    schema_args = [] if pg_schema == "public" else ["--schema", pg_schema]
    with ExitStack() as stack:
        url = args.url
        if not url:
            from tests.fidelity.roundtrip import SQL_SCHEMAS, load_original
            from tests.pgtemp import temp_postgres

            server = stack.enter_context(temp_postgres())
            url = server.create_database(args.corpus.replace("-", "_"))
            load_original(server, url, SQL_SCHEMAS[args.corpus])
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-first-")))
        bytecode = not args.no_bytecode
        app = (Checkout(work, args.root.resolve(), bytecode) if args.root
               else App(work, bytecode))
        app.manage("import_schema", "--project", "laid", "--url", url, *schema_args)
        lay_out(app, "laid")
        imports: list[T] = []
        renders: list[T] = []
        readbacks: list[T] = []
        ones: list[T] = []
        laid: list[T] = []
        for i in range(args.rounds):
            slug = f"p{i}"
            app.forget_renders()  # a first diagram: no earlier render of the same drawing
            ones.append(app.manage("import_schema", "--project", f"one{i}", "--url", url,
                                   *schema_args, "--diagram", str(work / f"one{i}.svg")))
            app.forget_renders()
            imports.append(app.manage("import_schema", "--project", slug, "--url", url,
                                      *schema_args))
            if (Path(getattr(app, "root", Path(__file__).resolve().parents[1]))
                    / "modeler" / "web" / "readback.py").is_file():
                readbacks.append(readback(app, slug, work / f"{slug}-readback.svg"))
            renders.append(app.manage("render_diagram", slug, "--format", "svg", "--out",
                                      str(work / f"{slug}.svg")))
            warm = ("render_diagram", "laid", "--format", "svg", "--out", str(work / "laid.svg"))
            app.manage(*warm)  # its previous render kept (the rounds empty the store)
            laid.append(app.manage(*warm))
        print(f"{args.corpus}, {args.rounds} rounds, load average {os.getloadavg()[0]:.2f}, "
              f"{args.root or 'this checkout'}; {bytecode_note(bytecode)}")
        print(show("import_schema --url", imports))
        print(show("render_diagram (after import)", renders))
        print(show("  first diagram (the pair)", [a + b for a, b in zip(imports, renders,
                                                                         strict=True)]))
        if readbacks:
            print(show("  render_diagram read back", readbacks)
                  + "   (modeler.web.readback alone: what manage.py runs first when it calls "
                  "it)")
        print(show("import_schema --url --diagram", ones))
        print(show("render_diagram (laid out, warm)", laid))
        if args.stages:
            print("one import, stage by stage:")
            print(stages(app, url, "stages", [pg_schema] if pg_schema != "public" else []))


if __name__ == "__main__":
    main()
