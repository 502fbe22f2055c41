"""The DBML reference implementation's own test inputs through our DBML import and export.

For every input of ``../shared/corpus/holistics-dbml-tests`` (the reference implementation's
parser, importer, exporter and interpreter test inputs, ``INDEX.tsv`` saying which it accepts):
whether the import accepted it (no warning), warned (imported, with warnings), or refused it
(the file, line and reason); for the imported DBML inputs, whether the export bundle upgrades
an empty PostgreSQL database (``alembic upgrade head``). Then the totals. SQL inputs are not
DBML: they are expected to be refused.

    .venv/bin/python bench/dbml_reference.py [--no-upgrade] [--verbose]

Needs PostgreSQL's server binaries (a throw-away cluster is started) unless ``--no-upgrade``;
``TEST_DATABASE_URL`` points at a server of your own instead.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections import Counter
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.importers import dbml_reference as ref
from tests.pgtemp import PgServer, external_postgres, temp_postgres

WIDTH = 44


def _server(wanted: bool) -> AbstractContextManager[PgServer | None]:
    if not wanted:
        return nullcontext(None)
    url = os.environ.get("TEST_DATABASE_URL")
    return external_postgres(url) if url else temp_postgres()


def _upgrade(o: ref.Outcome) -> str:
    if o.upgrade is None:
        return "-"
    if o.upgrade == "":
        return "upgrades"
    return "warned why not" if ref.warned_why(o) else "FAILS"


def _line(o: ref.Outcome) -> str:
    item = o.input
    name = item.short if len(item.short) <= WIDTH else item.short[:WIDTH - 3] + "..."
    verdict = "valid" if item.valid else "invalid"
    what = {"warned": f"warned ({len(o.messages)})", "refused": "refused"}.get(o.status,
                                                                            o.status)
    return f"{item.format:5} {verdict:8} {name:{WIDTH}} {what:13} {_upgrade(o)}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-upgrade", action="store_true", help="import only")
    parser.add_argument("--verbose", action="store_true",
                        help="print the warnings and refusals")
    args = parser.parse_args()
    if not ref.inputs():
        print(f"the holistics-dbml-tests corpus is not on this machine ({ref.CORPUS})")
        return 1
    started = time.perf_counter()
    with _server(not args.no_upgrade) as server:
        outcomes = sorted(ref.run_all(server), key=lambda o: (o.input.format, o.input.name))
    seconds = time.perf_counter() - started
    print(f"{'fmt':5} {'ref.':8} {'input':{WIDTH}} {'import':13} export")
    for o in outcomes:
        print(_line(o))
        if args.verbose:
            for message in o.messages:
                print(f"{'':15}{message[:160]}")
    _totals(outcomes, seconds)
    bad = [o for o in outcomes if o.status == "crashed" or _upgrade(o) == "FAILS"
           or (o.input.format == "dbml" and o.input.valid and o.status == "refused")]
    return 1 if bad else 0


def _totals(outcomes: list[ref.Outcome], seconds: float) -> None:
    print()
    for fmt, valid in (("dbml", True), ("dbml", False), ("sql", True), ("sql", False)):
        group = [o for o in outcomes if o.input.format == fmt and o.input.valid == valid]
        if not group:
            continue
        status = Counter(o.status for o in group)
        upgrades = Counter(_upgrade(o) for o in group if o.upgrade is not None)
        label = f"{fmt} inputs the reference calls {'valid' if valid else 'invalid'}"
        counts = ", ".join(f"{status[k]} {k}" for k in ("accepted", "warned", "refused",
                                                         "crashed") if status[k])
        print(f"{label}: {len(group)}: {counts}")
        if upgrades:
            print(f"{'':4}export: {', '.join(f'{n} {k}' for k, n in sorted(upgrades.items()))}")
    print(f"{len(outcomes)} inputs in {seconds:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
