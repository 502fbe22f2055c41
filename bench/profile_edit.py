"""Issue 17: CPU profile of one editor edit (POST add column with the drawing token ->
the panel and the diagram patch), in-process through Django's test Client against the
synthetic designs of ``bench/edit_roundtrip.py``.

    .venv/bin/python bench/profile_edit.py [--sizes 50 300 1000] [--edits 5] [--top 40]
        [--dump DIR] [--queries] [--postgres]

Prints, per size, the CPU time (``time.process_time``: the machine is shared, wall clock is
noise) of each measured edit, their median, and the cProfile of the last one sorted by
cumulative time and by own time, and the SQL statements per edit (``--queries``: the last
edit's, listed). ``--dump DIR`` writes the .prof files too.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import io
import os
import pstats
import statistics
import time


def _postgres() -> None:
    """``--postgres``: a throw-away PostgreSQL cluster (tests/pgtemp.py) for the run, before
    Django is set up (edit_roundtrip does it on import); removed at exit."""
    import atexit
    import contextlib
    import sys

    if "--postgres" not in sys.argv:
        return
    sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
    from tests.pgtemp import temp_postgres

    exits = contextlib.ExitStack()
    pg = exits.enter_context(temp_postgres())
    atexit.register(exits.close)
    os.environ["BENCH_DATABASE_URL"] = pg.create_database("profile")


_postgres()
import edit_roundtrip as er  # noqa: E402  # sets Django up against a scratch database
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


class GcClock:
    """CPU time spent in the cyclic garbage collector, and the collections per generation."""

    def __init__(self) -> None:
        self.spent = 0.0
        self.runs = [0, 0, 0]
        self._t0 = 0.0
        gc.callbacks.append(self)

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._t0 = time.process_time()
        else:
            self.spent += time.process_time() - self._t0
            self.runs[info["generation"]] += 1


class Phases:
    """CPU time (``time.thread_time``: the drawing runs on a worker thread) per wrapped
    function, inclusive of what it calls; a function nested in another is counted in both."""

    def __init__(self) -> None:
        self.spent: dict[str, float] = {}

    def wrap(self, owner: object, attr: str, label: str = "") -> None:
        fn = getattr(owner, attr)
        name = label or attr

        def timed(*args: object, **kw: object) -> object:
            t0 = time.thread_time()
            try:
                return fn(*args, **kw)
            finally:
                self.spent[name] = self.spent.get(name, 0.0) + time.thread_time() - t0

        setattr(owner, attr, timed)

    def install(self) -> None:
        from modeler import rules
        from modeler.diagram import patch
        from modeler.schema import validate
        from modeler.web import diagrams, editing, ruling, undo
        from modeler.web.views import elements

        for owner, attr, label in (
                (elements, "apply_edit", "apply_edit (all of the edit below)"),
                (elements, "snapshot_at", "snapshot_at (request start)"),
                (validate, "problems", "validate.problems"),
                (editing, "gate", "rules gate (lint old+new, gate_findings)"),
                (rules, "lint", "rules.lint (cache misses)"),
                (rules, "gate_findings", ""), (rules, "apply_waivers", ""),
                (ruling, "lint_project", "ruling.lint_project (badges, panel)"),
                (editing, "sync", "store.sync (row writes)"),
                (editing, "written", "snapshot.written"), (undo, "record", "undo.record"),
                (elements, "_done", "_done (panel + wait for the drawing)"),
                (elements, "editor_context", ""), (elements, "render", "template render"),
                (diagrams, "svg_later", "svg_later (caller's thread)"),
                (diagrams, "drawing", "diagrams.drawing (worker thread)"),
                (diagrams, "plan", "diagram plan"), (patch, "manifest", "patch.manifest"),
                (patch, "changes", "patch.changes"),
                (diagrams, "_patch", "diagrams._patch (render + groups)"),
                (diagrams, "_speculate", "diagrams._speculate (sizes read, guessed)"),
                (diagrams, "_patch_measured", "diagrams._patch_measured (one-pass patch)"),
                (diagrams, "build_graph", "  _speculate: build_graph"),
                (diagrams, "size_keys", "  _speculate: size_keys"),
                (diagrams, "_digest", "  _speculate: _digest (of every size key)"),
                (diagrams, "cache_get_many", "  _speculate: cache_get_many"),
                (diagrams, "_seen", "  _speculate: _seen (per table)")):
            self.wrap(owner, attr, label)

    def report(self, edits: int) -> str:
        return "\n".join(f"    {v / edits * 1000:7.1f} ms  {k}"
                         for k, v in sorted(self.spent.items(), key=lambda kv: -kv[1]))


def children() -> float:
    """CPU time of the finished child processes (Graphviz), user + system."""
    t = os.times()
    return t.children_user + t.children_system


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 300, 1000])
    parser.add_argument("--edits", type=int, default=5, help="measured edits per size")
    parser.add_argument("--warmup", type=int, default=2)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--dump", default="")
    parser.add_argument("--gc-off", action="store_true",
                        help="profile with the garbage collector off (its pauses land on "
                             "whichever function allocates)")
    parser.add_argument("--inline-drawing", action="store_true",
                        help="draw on the request's thread (DIAGRAM_THREADS off) so that "
                             "cProfile sees the drawing too")
    parser.add_argument("--gc-threshold", type=int, nargs=3, default=None,
                        help="gc.set_threshold for the run (default: the process's)")
    parser.add_argument("--quiet", action="store_true", help="CPU figures only")
    parser.add_argument("--postgres", action="store_true",
                        help="against a throw-away PostgreSQL cluster (the server's "
                             "binaries, as the tests use) instead of SQLite")
    parser.add_argument("--queries", action="store_true",
                        help="list the SQL statements of the last measured edit (with "
                             "BENCH_DATABASE_URL a PostgreSQL database: what PgBouncer pays "
                             "one round trip each)")
    args = parser.parse_args()
    if args.inline_drawing:
        from django.conf import settings

        settings.DIAGRAM_THREADS = 0
    if args.gc_threshold:
        gc.set_threshold(*args.gc_threshold)
    print(f"gc thresholds {gc.get_threshold()}")
    clock = GcClock()
    phases = Phases()
    phases.install()
    user = er.get_user_model().objects.create_user("profile")
    for n in args.sizes:
        b = er.Bench(n, user)
        er.cache.clear()
        b.diagram()
        if len(b.positions()) < n:
            from modeler.web import layoutjobs

            layoutjobs.wait(600)
        tables = b.tables()
        token = er.token_of(b.diagram())
        phases.spent.clear()
        cpu: list[float] = []
        kids: list[float] = []
        gcs: list[float] = []
        gen2 = 0
        prof = None
        counts: list[int] = []
        for i in range(args.warmup + args.edits):
            table = tables[(i * 37) % len(tables)]
            name = f"prof_c{i}"
            last = i == args.warmup + args.edits - 1
            prof = cProfile.Profile() if last and not args.quiet else None
            if prof:
                measured = dict(phases.spent)
            t0, c0 = time.process_time(), children()
            g0, r0 = clock.spent, list(clock.runs)
            if prof:
                if args.gc_off:
                    gc.disable()
                prof.enable()
            with CaptureQueriesContext(connection) as queries:
                body = b.add_column(table.uid, name, token)
            counts.append(len(queries.captured_queries))
            if prof:
                prof.disable()
                gc.enable()
            spent = time.process_time() - t0
            child = children() - c0
            assert "data-patch=" in body and f">{name}<" in body, "no patch in the response"
            token = er.token_of(body)
            if i == args.warmup - 1:
                phases.spent.clear()
            if i >= args.warmup and not prof:
                cpu.append(spent)
                kids.append(child)
                gcs.append(clock.spent - g0)
                gen2 += clock.runs[2] - r0[2]
        print(f"{n} tables: one add-column POST, CPU (process_time) per edit "
              f"{', '.join(f'{c * 1000:.0f}' for c in cpu)} ms; median "
              f"{statistics.median(cpu) * 1000:.0f} ms, of which garbage collection "
              f"{statistics.median(gcs) * 1000:.0f} ms ({gen2} full collections in "
              f"{len(cpu)} edits) (+ Graphviz subprocesses "
              f"{statistics.median(kids) * 1000:.0f} ms); response {len(body) / 1024:.1f} KB")
        print(f"  SQL statements per edit: {', '.join(map(str, counts[args.warmup:]))}")
        if args.queries:
            print("\n".join(f"    {q['sql'][:150]}" for q in queries.captured_queries))
        if prof:
            phases.spent = measured
        print(f"  CPU per edit by phase (thread time, inclusive), mean of "
              f"{len(cpu)} edits:\n{phases.report(len(cpu))}")
        if prof:
            if args.dump:
                prof.dump_stats(f"{args.dump}/edit-{n}.prof")
            for key in ("cumulative", "tottime"):
                out = io.StringIO()
                pstats.Stats(prof, stream=out).sort_stats(key).print_stats(args.top)
                print(f"--- {n} tables, sorted by {key}")
                print(out.getvalue())


if __name__ == "__main__":
    main()
