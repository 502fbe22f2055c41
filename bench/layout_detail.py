"""What laying out with every column costs: a fresh layout of a synthetic design whose
nodes show table names only, key columns, or every column (what :func:`modeler.diagram.
layout` lays out with whatever the view shows, so that no detail level draws overlapping
tables). Before, a design whose view showed keys (``auto`` past 6,000 columns) was laid
out with its keys nodes.

Run: ``.venv/bin/python bench/layout_detail.py`` (``--tables 300``; ``--runs 3``). Prints
the fastest of the runs per detail, in seconds (``fallback_positions``, no cache).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from modeler.diagram import ViewOptions, build_graph
from modeler.diagram.layout import fallback_positions
from modeler.diagram.options import Detail
from modeler.diagram.sample import synthetic_schema


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    schema = synthetic_schema(args.tables)
    details: tuple[Detail, ...] = ("names", "keys", "all")
    times: dict[Detail, list[float]] = {d: [] for d in details}
    for _ in range(args.runs):
        for detail in details:
            options = ViewOptions(detail=detail)
            graph = build_graph(schema, options)
            start = time.perf_counter()
            fallback_positions(graph, options, timeout=300)
            times[detail].append(time.perf_counter() - start)
    for detail in details:
        print(f"{args.tables} tables, fresh layout with {detail:>5} nodes: "
              f"{min(times[detail]):.2f} s (runs: "
              f"{', '.join(f'{t:.2f}' for t in times[detail])})")


if __name__ == "__main__":
    main()
