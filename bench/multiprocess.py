"""The multi-process scenario standalone (issue #18, part 3; the test is
tests/multiprocess/test_multiprocess.py): a throw-away PostgreSQL cluster, PgBouncer in
transaction mode, a private Redis, gunicorn with 3 workers and 2 RQ task workers, all on
127.0.0.1 on free ports; N clients edit one project for S seconds while two imports and an
export run, one gunicorn worker and the task worker running an import are killed. Prints the
p50/p95 of each request kind, what was killed, the counts, and every check that failed
(exit 1 then).

    .venv/bin/python bench/multiprocess.py [--seconds 30] [--clients 10]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.multiprocess import harness, load, scenario
from tests.pgtemp import temp_postgres


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--clients", type=int, default=10)
    args = parser.parse_args()
    why = harness.missing()
    if why:
        print(f"cannot run: {why}", file=sys.stderr)
        return 2
    began = time.monotonic()
    with temp_postgres() as pg, harness.stack(pg, clients=args.clients,
                                              password=scenario.PASSWORD) as st:
        print(f"start-up (s): {st.startup}")
        report = scenario.run(st, seconds=args.seconds, clients=args.clients)
        logs = "\n".join(f"--- {name}\n{st.log(name)[-3000:]}"
                         for name in ("gunicorn.log", "app.log", "task-worker-0.log",
                                      "task-worker-1.log", "task-worker-2.log"))
    print(f"{args.clients} clients editing for {args.seconds:.0f} s; sign-in "
          f"{report.results['login_wall']:.1f} s; load and imports "
          f"{report.results['wall']:.1f} s; everything {time.monotonic() - began:.1f} s")
    print(load.format_figures(report.figures))
    print("killed:", json.dumps(report.results["killed"]))
    print("counts:", json.dumps(report.counts))
    if report.problems:
        print(f"{len(report.problems)} checks failed:")
        print("\n".join(f"  {p}" for p in report.problems))
        print(logs)
        return 1
    print("every check held: acknowledged edits all in the design once and in the activity "
          "log, no 5xx, imports done or failed clean")
    return 0


if __name__ == "__main__":
    sys.exit(main())
