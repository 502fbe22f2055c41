"""Issue 17: CPU time (``time.process_time``; Graphviz subprocesses apart) of the drawing work
of one add-column edit, without Django: ``plan`` (graph, positions, sizes) and
``patch.manifest``, then the patch render, on a pinned synthetic design.

    .venv/bin/python bench/diagram_edit_cpu.py [--sizes 300 1000] [--edits 10]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from synthetic import laid_out, with_column

from modeler.diagram import patch
from modeler.diagram.layout import plan
from modeler.diagram.options import ViewOptions
from modeler.diagram.render import MemoryCache, render_job


def children() -> float:
    t = os.times()
    return t.children_user + t.children_system


def run(n: int, edits: int) -> None:
    mem = MemoryCache()
    schema = laid_out(n, mem)
    options = ViewOptions(detail="all")
    old = patch.manifest(plan(schema, options, cache=mem))
    gc.collect()
    plan_t, man_t, patch_t, kids = [], [], [], []
    for i in range(edits + 2):
        schema = with_column(schema, i)
        c0, t0 = children(), time.process_time()
        drawn = plan(schema, options, cache=mem)
        t1 = time.process_time()
        new = patch.manifest(drawn)
        t2 = time.process_time()
        changes = patch.changes(old, new)
        assert changes is not None
        render_job(patch.patch_job(drawn, changes.changed), "svg", cache=mem)
        t3 = time.process_time()
        old = new
        if i >= 2:
            plan_t.append(t1 - t0)
            man_t.append(t2 - t1)
            patch_t.append(t3 - t2)
            kids.append(children() - c0)
    med = statistics.median
    print(f"{n} tables, {edits} edits, median CPU: plan {med(plan_t) * 1000:.1f} ms, manifest "
          f"{med(man_t) * 1000:.1f} ms, changes + patch render {med(patch_t) * 1000:.1f} ms "
          f"(+ Graphviz {med(kids) * 1000:.0f} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 1000])
    parser.add_argument("--edits", type=int, default=10)
    args = parser.parse_args()
    for n in args.sizes:
        run(n, args.edits)


if __name__ == "__main__":
    main()
