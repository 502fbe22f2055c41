"""Run the generative differential test longer and print what fails.

    .venv/bin/python bench/differential.py [--examples N] [--seed S] [--drizzle | --versions]
        [--extended] [--changes N]

Each example: Hypothesis writes random valid DDL (tests/fidelity/ddlgen.py), PostgreSQL
loads it, the product imports it from the SQL text and from the live database, and each
import's bundle must upgrade to the same catalog, pass ``alembic check``, go down to an empty
database and come back identical (tests/fidelity/differential.py). Prints one line per
example, the failures with their script saved under /tmp, and the totals.

``--drizzle``: each import's Drizzle bundle too (tests/drizzle/differential.py):
``drizzle-kit migrate`` to the same catalog, ``generate`` finds no change, ``check`` passes,
rollback to empty and migrate again; every bundle is type-checked (``tsc --noEmit``, strict)
in one program at the end. ``--versions``: designs of several versions instead (a script
and ``--changes`` mutations of it, ddlgen.evolutions): the Alembic revisions and the Drizzle
migrations must build PostgreSQL's catalog of each version, and the Drizzle ones roll back
step by step.
``--extended``: scripts with more column types, indexes, keys, a sequence, a second schema
and a view (ddlgen's ``extended``).
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

from tests.fidelity.ddlgen import evolutions, scripts
from tests.fidelity.differential import Outcome, Refused, round_trip
from tests.pgtemp import temp_postgres


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=30)
    parser.add_argument("--seed", type=int, default=random.randrange(1 << 30))
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--drizzle", action="store_true",
                      help="the Drizzle bundles' round trips and tsc too")
    mode.add_argument("--versions", action="store_true",
                      help="two-version designs through Alembic and Drizzle")
    parser.add_argument("--extended", action="store_true",
                        help="scripts with more types and objects (ddlgen extended=True)")
    parser.add_argument("--changes", type=int, default=1,
                        help="with --versions: the versions after the first")
    args = parser.parse_args()
    totals = {"ok": 0, "failed": 0, "refused": 0}
    failed: set[int] = set()
    start = time.perf_counter()
    node_modules: Path | None = None
    if args.drizzle or args.versions:
        from tests.drizzle import differential as dd
        from tests.drizzle.toolchain import ensure_toolchain

        node_modules = ensure_toolchain()
        tmp = dd.temporary_bundles()
        bundles = dd.Bundles(Path(tmp.name))

    texts: dict[int, str] = {}

    def save(n: int) -> Path:
        path = Path(f"/tmp/differential-{args.seed}-{n}.sql")
        path.write_text(texts[n])
        return path

    def report(n: int, outcome: Outcome, text: str) -> None:
        texts[n] = text
        if outcome.failures:
            totals["failed"] += 1
            failed.add(n)
            path = save(n)
            print(f"{n:4} FAILED ({path}):")
            for failure in outcome.failures:
                print("       " + failure.replace("\n", "\n       "))
        else:
            totals["ok"] += 1
            print(f"{n:4} ok")

    with temp_postgres() as server:
        @seed(args.seed)
        @settings(max_examples=args.examples, deadline=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck), database=None)
        @given(st.data())
        def run(data: st.DataObject) -> None:
            n = sum(totals.values()) + 1
            try:
                if args.versions:
                    assert node_modules is not None
                    script, changes = data.draw(evolutions(args.extended, args.changes))
                    text = script + "".join(
                        f"\n-- version {k}: the one before and then\n{change}"
                        for k, change in enumerate(changes, start=2))
                    outcome = dd.versions_round_trip(server, script, changes, node_modules,
                                                     bundles, f"e{n}")
                else:
                    text = data.draw(scripts(args.extended))
                    outcome = round_trip(server, text)
                    if node_modules is not None:
                        more = dd.round_trip(server, text, node_modules, bundles, f"e{n}")
                        outcome.failures += [f"drizzle {f}" for f in more.failures]
            except Refused as exc:
                totals["refused"] += 1
                print(f"{n:4} refused by PostgreSQL: {str(exc).splitlines()[0][:100]}")
                return
            report(n, outcome, text)

        run()
    if node_modules is not None:
        started = time.perf_counter()
        errors = dd.typecheck(bundles)
        print(f"tsc --noEmit over {len(bundles.dirs)} bundles: "
              f"{time.perf_counter() - started:.0f} s, {len(errors)} with errors")
        for name, lines in sorted(errors.items()):
            n = int(name.split("-")[0][1:])
            if n not in failed:
                failed.add(n)
                totals["failed"] += 1
                totals["ok"] -= 1
            print(f"{n:4} FAILED tsc ({name}, script {save(n)}):")
            for line in lines[:8]:
                print("       " + line)
        tmp.cleanup()
    print(f"seed {args.seed}: {totals['ok']} ok, {totals['failed']} failed, "
          f"{totals['refused']} refused by PostgreSQL, {time.perf_counter() - start:.0f} s")


if __name__ == "__main__":
    main()
