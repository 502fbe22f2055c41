"""Issue 3 benchmark: snapshot + serialize a 1,000-table / 10,000-column design.

Prints the time to read the design from the database into a snapshot, the time to serialize it
to canonical JSON, and the number of queries. Goal: under 0.5 s, under 10 queries.

    .venv/bin/python bench/snapshot.py [--tables 1000]
"""

from __future__ import annotations

import argparse
import statistics
import time

import _django

_django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from synthetic import synthetic  # noqa: E402

from modeler.schema import serialize  # noqa: E402
from modeler.web import services  # noqa: E402
from modeler.web.snapshot import materialize, snapshot  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tables", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    user = get_user_model().objects.create_user("bench")
    project = services.project_create(name="bench", slug="bench", owner=user)
    design = services.main_design(project)
    schema = synthetic(args.tables)
    n_columns = sum(len(t.columns) for t in schema.tables)
    t0 = time.perf_counter()
    materialize(schema, design)
    print(f"materialize {args.tables} tables / {n_columns} columns: "
          f"{time.perf_counter() - t0:.2f} s")
    snap_times, json_times = [], []
    for _ in range(args.runs):
        with CaptureQueriesContext(connection) as queries:
            t0 = time.perf_counter()
            snap = snapshot(design)
            t1 = time.perf_counter()
        text = serialize.dumps(snap)
        t2 = time.perf_counter()
        snap_times.append(t1 - t0)
        json_times.append(t2 - t1)
    assert snap.tables == schema.tables and snap.relationships == schema.relationships
    total = [a + b for a, b in zip(snap_times, json_times, strict=True)]
    print(f"snapshot: median {statistics.median(snap_times) * 1000:.0f} ms")
    print(f"serialize: median {statistics.median(json_times) * 1000:.0f} ms "
          f"({len(text) / 1e6:.1f} MB JSON)")
    print(f"snapshot + serialize: median {statistics.median(total) * 1000:.0f} ms, "
          f"max {max(total) * 1000:.0f} ms")
    print(f"queries: {len(queries)}")


if __name__ == "__main__":
    main()
