"""Run the generative differential test longer and print what fails.

    .venv/bin/python bench/differential.py [--examples N] [--seed S]

Each example: Hypothesis writes random valid DDL (tests/fidelity/ddlgen.py), PostgreSQL
loads it, the product imports it from the SQL text and from the live database, and each
import's bundle must upgrade to the same catalog, pass ``alembic check``, go down to an empty
database and come back identical (tests/fidelity/differential.py). Prints one line per
example, the failures with their script saved under /tmp, and the totals.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from tests.fidelity.ddlgen import scripts
from tests.fidelity.differential import Refused, round_trip
from tests.pgtemp import temp_postgres


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=30)
    parser.add_argument("--seed", type=int, default=random.randrange(1 << 30))
    args = parser.parse_args()
    totals = {"ok": 0, "failed": 0, "refused": 0}
    start = time.perf_counter()
    with temp_postgres() as server:
        @seed(args.seed)
        @settings(max_examples=args.examples, deadline=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck), database=None)
        @given(st.data())
        def run(data: st.DataObject) -> None:
            script = data.draw(scripts())
            n = sum(totals.values()) + 1
            try:
                outcome = round_trip(server, script)
            except Refused as exc:
                totals["refused"] += 1
                print(f"{n:4} refused by PostgreSQL: {str(exc).splitlines()[0][:100]}")
                return
            if outcome.failures:
                totals["failed"] += 1
                path = Path(f"/tmp/differential-{args.seed}-{n}.sql")
                path.write_text(script)
                print(f"{n:4} FAILED ({path}):")
                for failure in outcome.failures:
                    print("       " + failure.replace("\n", "\n       "))
            else:
                totals["ok"] += 1
                print(f"{n:4} ok")

        run()
    print(f"seed {args.seed}: {totals['ok']} ok, {totals['failed']} failed, "
          f"{totals['refused']} refused by PostgreSQL, {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
