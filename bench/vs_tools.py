"""Issue 17: whole processes side by side with eralchemy2 and sqlacodegen, pair by pair.

    .venv/bin/python bench/vs_tools.py [--rounds 3] [--corpus musicbrainz,netbox]
                                       [--check-runs 10] [--pairs first,render,export,check]

What a user types, timed from process start to exit (wall clock), on the same live
databases in the same run. Each corpus schema (../shared/corpus) is loaded into a
throw-away PostgreSQL; our application runs on a scratch SQLite file. Per round, each pair
runs back to back (the order alternates between rounds), and the medians are compared:

  first diagram  ours: `import_schema --url` + `render_diagram --format svg` (a new project
                 each round, two processes, no earlier render kept); and "in one
                 process": `import_schema --url ... --diagram x.svg`
                                               vs  `eralchemy2 -i URL -s SCHEMA -o x.svg`
  laid-out render  ours: `render_diagram` of a project whose tables have positions (laid
                 out once before the rounds)   vs  eralchemy2 again (it has no saved layout);
                 "warm": an unchanged design's render is read back from the previous run's
                 (drawn once untimed first when the store may have been emptied), "cold":
                 that store emptied first
  export         ours: `export_bundle` (models, Alembic revision, DDL, DESIGN.md, diagram,
                 tests)                        vs  `sqlacodegen URL --schemas SCHEMA`;
                 the bundle's drawing is render_diagram's default view: after the render
                 pair it is read back from that command's store (with --pairs export alone,
                 from the previous round's export); "cold": the store emptied first, the
                 export draws it (Graphviz)
  check          `manage.py check` (goal: under 0.4 s)

Our commands run with their modules' bytecode compiled once and kept (in .cache/, as an
installed package or a checkout's ``__pycache__`` has it; the other tools' environment was
compiled by pip): ``--no-bytecode`` runs them as the environment says instead (with
PYTHONDONTWRITEBYTECODE set, as here and in the Dockerfile, every command compiles every
project module it imports). Ratios are theirs / ours (above 1: we are faster). Goals
(issue 17): first diagram >= 2x, laid-out render >= 5x, export >= 3x. The machine's load
average is printed with the figures: on a busy machine every figure is slower, ratios less
so.

eralchemy2 and sqlacodegen are not project dependencies: this script installs them (pinned,
from PyPI) into their own environment, .cache/bench-tools, the first time it runs.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.fidelity.roundtrip import (  # noqa: E402
    SQL_SCHEMAS,
    load_original,
    missing_extensions,
    unexpected_load_errors,
)
from tests.pgtemp import PgServer, temp_postgres  # noqa: E402

TOOLS = ROOT / ".cache" / "bench-tools"
TOOL_PINS = ("eralchemy2==1.4.1", "sqlacodegen==4.0.4", "psycopg[binary]==3.3.9")
PYTHON = str(ROOT / ".venv" / "bin" / "python")
MANAGE = str(ROOT / "manage.py")
# the PostgreSQL schema each corpus entry lives in
SCHEMA_OF = {"musicbrainz": "musicbrainz", "netbox": "public", "synapse": "public",
             "evergreen": "public", "mimic-iii": "mimiciii", "pagila": "public"}


def ensure_tools() -> Path:
    """The separate environment with eralchemy2 and sqlacodegen (made on first use)."""
    bin_dir = TOOLS / "bin"
    if not ((bin_dir / "eralchemy2").exists() and (bin_dir / "sqlacodegen").exists()):
        print(f"installing {', '.join(TOOL_PINS)} into {TOOLS} ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(TOOLS)], check=True)
        subprocess.run([str(bin_dir / "pip"), "install", "-q", *TOOL_PINS], check=True)
    return bin_dir


class T(NamedTuple):
    """One run: wall seconds (start to exit) and CPU seconds (user + system, the process
    and the ones it waited for, such as Graphviz)."""

    wall: float
    cpu: float

    def __add__(self, other: object) -> T:
        assert isinstance(other, T)
        return T(self.wall + other.wall, self.cpu + other.cpu)


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(argv: list[str], env: dict[str, str] | None = None, timeout: float = 900) -> T:
    """One process, start to exit; fails loudly when it fails."""
    c0, t0 = _cpu(), time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=timeout)
    elapsed = T(time.perf_counter() - t0, _cpu() - c0)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv[:4])} ... failed ({done.returncode}):\n"
                           f"{done.stdout[-1500:]}\n{done.stderr[-1500:]}")
    return elapsed


BYTECODE = ROOT / ".cache" / "bench-pycache"


def bytecode_env(env: dict[str, str], bytecode: bool) -> dict[str, str]:
    """``env`` for our processes: with ``bytecode``, the project's modules compiled once into
    :data:`BYTECODE` and read back from there (``PYTHONPYCACHEPREFIX``), as an installed
    package or a checkout's ``__pycache__`` has them, and as the other tools' environment
    has theirs (pip compiles what it installs); without, as ``env`` says (where
    ``PYTHONDONTWRITEBYTECODE`` is set, every process compiles every project module it
    imports, some 0.3 s of CPU per command)."""
    if not bytecode:
        return env
    out = {k: v for k, v in env.items() if k != "PYTHONDONTWRITEBYTECODE"}
    out["PYTHONPYCACHEPREFIX"] = str(BYTECODE)
    return out


def bytecode_note(bytecode: bool) -> str:
    if bytecode:
        return f"our modules' bytecode compiled once, kept in {BYTECODE} (--no-bytecode: not)"
    return ("our modules compiled by every process" if os.environ.get(
        "PYTHONDONTWRITEBYTECODE") else "our modules' bytecode as Python keeps it")


class App:
    """Our CLI against a scratch SQLite application database (``bytecode``: see
    :func:`bytecode_env`)."""

    def __init__(self, work: Path, bytecode: bool = False) -> None:
        self.work = work
        self.env = bytecode_env(
            {**os.environ, "DATABASE_URL": f"sqlite:///{work / 'app.sqlite3'}",
             "MODELER_DATA_DIR": str(work), "SECRET_KEY": "bench-only",
             "DJANGO_SETTINGS_MODULE": "modeler.settings",
             "MODELER_ADMIN_PASSWORD": "bench-only-password", "LOG_LEVEL": "WARNING"},
            bytecode)
        self.manage("migrate", "-v", "0")
        self.manage("ensure_admin")

    def argv(self, *args: str) -> list[str]:
        return [PYTHON, MANAGE, *args]

    def manage(self, *args: str) -> T:
        return timed(self.argv(*args), self.env)

    def forget_renders(self) -> None:
        """Drop the renders render_diagram keeps on disk (modeler.web.rendercache)."""
        shutil.rmtree(self.work / "diagram-cache", ignore_errors=True)

    def python(self, code: str) -> None:
        """Run Django code in a process of its own (set-up steps, not timed)."""
        done = subprocess.run([PYTHON, "-c", "import django; django.setup()\n" + code],
                              env=self.env, cwd=ROOT, capture_output=True, text=True,
                              timeout=900)
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-2000:])


def sa_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def median(values: list[T]) -> T:
    return T(statistics.median(v.wall for v in values), statistics.median(v.cpu for v in values))


def row(label: str, ours: list[T], theirs: list[T], other: str, goal: float) -> str:
    o, t = median(ours), median(theirs)
    ratio = t.wall / o.wall
    verdict = "goal met" if ratio >= goal else f"goal {goal:g}x NOT met"
    return (f"{label:34} ours {o.wall:6.2f} s   {other:11} {t.wall:6.2f} s   "
            f"ratio {ratio:5.2f}x  {verdict}   (CPU s: ours {o.cpu:.2f}, "
            f"{other} {t.cpu:.2f}, ratio {t.cpu / o.cpu:.2f}x)")


def lay_out(app: App, slug: str) -> None:
    """Give every table of the project's design a position and store them, as opening it
    in the editor does (its layout, run here once, before the rounds)."""
    app.python(
        "from dataclasses import replace\n"
        "from django.conf import settings\n"
        "from modeler.web import diagrams, services\n"
        "from modeler.web.editing import apply_edit\n"
        "from modeler.web.models import Project\n"
        "from modeler.web.snapshot import snapshot\n"
        f"design = services.main_design(Project.objects.get(slug={slug!r}))\n"
        "placed = diagrams.ensure_positions(snapshot(design),\n"
        "                                   timeout=settings.GRAPHVIZ_TIMEOUT)\n"
        "where = {t.uid: t.position for t in placed.tables}\n"
        "apply_edit(design=design, actor=None, action='diagram.layout', summary='laid out',\n"
        "           target_uid=None, log=False, gated=False, change=lambda s: replace(\n"
        "               s, tables=tuple(replace(t, position=where[t.uid]) for t in s.tables)))\n"
        "assert all(t.position for t in snapshot(design).tables)\n")


def bench_corpus(name: str, server: PgServer, app: App, tools: Path, rounds: int,
                 pairs: set[str], out: Path) -> list[str]:
    spec = SQL_SCHEMAS[name]
    missing = missing_extensions(server, spec)
    if missing:
        return [f"{name}: skipped, the server lacks extensions {', '.join(missing)}"]
    url = server.create_database(name.replace("-", "_"))
    errors = unexpected_load_errors(spec, load_original(server, url, spec))
    if errors:
        print(f"{name}: {len(errors)} unexpected psql errors while loading, e.g. {errors[0]}")
    pg_schema = SCHEMA_OF.get(name, "public")
    schema_args = [] if pg_schema == "public" else ["--schema", pg_schema]
    eralchemy = [str(tools / "eralchemy2"), "-i", sa_url(url), "-s", pg_schema,
                 "-o", str(out / f"{name}-eralchemy.svg")]
    acg = [str(tools / "sqlacodegen"), sa_url(url), "--schemas", pg_schema,
           "--outfile", str(out / f"{name}-sqlacodegen.py")]
    first_o: list[T] = []
    first_t: list[T] = []
    render_o: list[T] = []
    render_t: list[T] = []
    cold_o: list[T] = []
    one_o: list[T] = []
    one_t: list[T] = []
    cold_t: list[T] = []
    export_o: list[T] = []
    export_t: list[T] = []
    export_cold_o: list[T] = []
    export_cold_t: list[T] = []
    laid = f"{name}-laid"
    app.manage("import_schema", "--project", laid, "--url", url, *schema_args)
    lay_out(app, laid)
    for i in range(rounds):
        slug = f"{name}-{i}"
        svg = str(out / f"{slug}.svg")

        def ours_first(slug: str = slug, svg: str = svg) -> T:
            app.forget_renders()  # a first diagram: no earlier render of the same drawing
            return (app.manage("import_schema", "--project", slug, "--url", url,
                               *schema_args)
                    + app.manage("render_diagram", slug, "--format", "svg", "--out", svg))

        def ours_one(slug: str = slug, svg: str = svg) -> T:
            app.forget_renders()
            return app.manage("import_schema", "--project", f"{slug}-one", "--url", url,
                              *schema_args, "--diagram", svg)

        def ours_cold(svg: str = str(out / f"{laid}-cold.svg")) -> T:
            app.forget_renders()
            return app.manage("render_diagram", laid, "--format", "svg", "--out", svg)

        steps: list[tuple[list[T], Callable[[], T]]] = []
        if "first" in pairs:
            steps += [(first_o, ours_first), (first_t, lambda: timed(eralchemy)),
                      (one_o, ours_one), (one_t, lambda: timed(eralchemy))]
        def ours_warm(svg: str = str(out / f"{laid}.svg"), first_round: bool = i == 0) -> T:
            # its previous render kept: the first-diagram pairs empty the store, so the
            # laid-out project is drawn once, untimed, when it may have gone
            argv = ("render_diagram", laid, "--format", "svg", "--out", svg)
            if "first" in pairs or first_round:
                app.manage(*argv)
            return app.manage(*argv)

        if "render" in pairs:
            steps += [(render_o, ours_warm),
                      (render_t, lambda: timed(eralchemy)),
                      (cold_o, ours_cold), (cold_t, lambda: timed(eralchemy))]
        if "export" in pairs:
            def ours_export_cold() -> T:
                app.forget_renders()  # no drawing kept anywhere: the export draws it
                return app.manage("export_bundle", laid, "--out", str(out / f"{laid}.zip"))

            steps += [(export_o, lambda: app.manage("export_bundle", laid, "--out",
                                                    str(out / f"{laid}.zip"))),
                      (export_t, lambda: timed(acg)),
                      (export_cold_o, ours_export_cold), (export_cold_t, lambda: timed(acg))]
        # pair by pair, ours first on even rounds and theirs first on odd ones
        for k in range(0, len(steps), 2):
            pair = steps[k:k + 2] if i % 2 == 0 else steps[k:k + 2][::-1]
            for values, run in pair:
                values.append(run())
        print(f"  {name} round {i + 1}/{rounds} done", flush=True)
    lines = []
    if first_o:
        lines.append(row(f"{name}: database -> first diagram", first_o, first_t,
                         "eralchemy2", 2))
        lines.append(row(f"{name}:   in one process", one_o, one_t, "eralchemy2", 2))
    if render_o:
        lines.append(row(f"{name}: laid-out render_diagram", render_o, render_t,
                         "eralchemy2", 5))
        lines.append(row(f"{name}:   the same, cold", cold_o, cold_t, "eralchemy2", 5))
    if export_o:
        lines.append(row(f"{name}: export_bundle", export_o, export_t, "sqlacodegen", 3))
        lines.append(row(f"{name}:   the same, cold", export_cold_o, export_cold_t,
                         "sqlacodegen", 3))
    server.drop_database(url)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--corpus", default="musicbrainz,netbox")
    parser.add_argument("--check-runs", type=int, default=10)
    parser.add_argument("--pairs", default="first,render,export,check")
    parser.add_argument("--no-bytecode", action="store_true",
                        help="run our commands as the environment says (with "
                        "PYTHONDONTWRITEBYTECODE set, each compiles our modules afresh)")
    args = parser.parse_args()
    pairs = set(args.pairs.split(","))
    tools = ensure_tools()
    load = os.getloadavg()
    print(f"load average at start: {load[0]:.2f} on {os.cpu_count()} CPUs; "
          f"{bytecode_note(not args.no_bytecode)}", flush=True)
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="bench-vs-") as tmp:
        work = Path(tmp)
        app = App(work, bytecode=not args.no_bytecode)
        if "check" in pairs:
            checks = [app.manage("check") for _ in range(args.check_runs)]
            m = median(checks)
            lines.append(f"{'manage.py check':34} ours {m.wall:6.2f} s   (min "
                         f"{min(c.wall for c in checks):.2f} s, CPU {m.cpu:.2f} s; goal < "
                         f"0.40 s: {'met' if m.wall < 0.4 else 'NOT met'})")
            print(lines[-1], flush=True)
        if pairs - {"check"}:
            with temp_postgres() as server:
                for name in args.corpus.split(","):
                    lines += bench_corpus(name, server, app, tools, args.rounds, pairs, work)
    load = os.getloadavg()
    print(f"\nmedians of {args.rounds} rounds (load average at the end: {load[0]:.2f}); "
          "ratio = theirs / ours")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
