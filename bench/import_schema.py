"""Import benchmarks: wall time and peak memory for the largest corpus inputs.

    .venv/bin/python bench/import_schema.py [--repeat 3] [--corpus DIR]

musicbrainz (13 SQL files in InitDb.pl order, 13,700 lines) and dbml-bench-18k (17,716 lines
of DBML) carry the 3-second goal; netbox (2.8 MB pg_dump with data) and evergreen (46 files,
34,000 lines) are printed for context. Time is the best of ``--repeat`` runs without
tracing; peak memory is measured in a separate run under tracemalloc (Python allocations)
and as the process's maximum RSS.
"""

from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from modeler.importers import ImportResult, import_dbml, import_sql

GOAL_SECONDS = 3.0
MUSICBRAINZ = ("Extensions", "CreateCollations", "CreateTypes", "CreateTables",
               "CreatePrimaryKeys", "CreateSearchConfiguration", "CreateFunctions",
               "CreateIndexes", "CreateFKConstraints", "CreateConstraints", "CreateViews",
               "CreateTriggers", "CreateSearchIndexes")

Job = Callable[[], ImportResult]


def jobs(corpus: Path) -> list[tuple[str, bool, Job]]:
    """(label, has the 3 s goal, function) for each input present in the corpus."""
    def read(rel: str) -> tuple[str, str]:
        return rel, (corpus / rel).read_text(encoding="utf-8")

    out: list[tuple[str, bool, Job]] = []
    if (corpus / "musicbrainz").is_dir():
        mb = [("prelude.sql", "CREATE SCHEMA musicbrainz;\n"
                              "SET search_path = musicbrainz, public;\n")]
        mb += [read(f"musicbrainz/{n}.sql") for n in MUSICBRAINZ]
        out.append(("musicbrainz (SQL, 13 files)", True, lambda: import_sql(mb)))
    if (corpus / "dbml-bench-18k").is_dir():
        dbml = [read("dbml-bench-18k/18k.dbml")]
        out.append(("dbml-bench-18k (DBML)", True, lambda: import_dbml(dbml)))
    if (corpus / "netbox").is_dir():
        nb = [read("netbox/netbox-demo-v4.2.sql")]
        out.append(("netbox (pg_dump + data)", False, lambda: import_sql(nb)))
    if (corpus / "evergreen").is_dir():
        manifest = (corpus / "evergreen/sql_file_manifest").read_text().splitlines()
        names = [n.strip() for n in manifest if n.strip() and not n.startswith("#")]
        names = ["000.english.pg.fts-config.sql" if n == "FTS_CONFIG_FILE" else n
                 for n in names]
        eg = [read(f"evergreen/{n}") for n in names if (corpus / "evergreen" / n).exists()]
        out.append(("evergreen (SQL, 45 files)", False,
                    lambda: import_sql(eg, variables={"eg_version": "NULL"})))
    return out


def measure(job: Job, repeat: int) -> tuple[float, float, ImportResult]:
    best = float("inf")
    result = None
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        result = job()
        best = min(best, time.perf_counter() - start)
    gc.collect()
    tracemalloc.start()
    job()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert result is not None
    return best, peak / 2**20, result


def main() -> int:
    default = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--corpus", type=Path, default=default)
    args = ap.parse_args()
    if not args.corpus.is_dir():
        print(f"corpus not found at {args.corpus}")
        return 1
    print(f"{'input':30} {'time':>8} {'goal':>6} {'peak py':>9} {'tables':>7} {'FKs':>6} "
          f"{'warnings':>9}")
    for label, goal, job in jobs(args.corpus):
        seconds, peak, r = measure(job, args.repeat)
        mark = ("ok" if seconds < GOAL_SECONDS else "OVER") if goal else "-"
        print(f"{label:30} {seconds:7.2f}s {mark:>6} {peak:7.1f}MB {r.counts['tables']:7} "
              f"{r.counts['relationships']:6} {len(r.warnings):9}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"process max RSS: {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
