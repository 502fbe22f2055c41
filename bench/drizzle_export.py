"""Benchmark: what the Drizzle bundle adds to the export, on musicbrainz and 1,000 tables.

    .venv/bin/python bench/drizzle_export.py [--repeat 3]

For each design: the best time of the SQLAlchemy bundle (``target="sqlalchemy"``), of the
Drizzle bundle alone (``target="drizzle"``) and of both (``target="both"``, which shares the
naming plan), whole process of building the files (no zip), the three interleaved. The goal:
both minus SQLAlchemy under 1 s (the Drizzle bundle alone, plan and DESIGN.md included, bounds
it from above). musicbrainz is imported from ../shared/corpus (skipped when missing); the 1,000
table design is bench/export.py's synthetic one in two versions (the second renames
columns, so one migration goes through the Alembic renderer).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from export import versions as synthetic_versions  # bench/export.py

from modeler.codegen.bundle import VersionInput, build_bundle


def musicbrainz() -> list[VersionInput] | None:
    from tests.fidelity.roundtrip import CORPUS, SQL_SCHEMAS, import_spec

    if not CORPUS.is_dir():
        return None
    schema = import_spec(SQL_SCHEMAS["musicbrainz"]).schema
    return [VersionInput(1, "Imported baseline", "bench", "2026-01-01", schema, baseline=True)]


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    designs: list[tuple[str, list[VersionInput] | None]] = [
        ("musicbrainz", musicbrainz()), ("1,000 tables", synthetic_versions(1000))]
    print(f"{'design':>14} {'tables':>7} {'sqlalchemy s':>13} {'drizzle s':>10} "
          f"{'both s':>8} {'added s':>8}  goal")
    for name, vs in designs:
        if vs is None:
            print(f"{name:>14}  skipped: ../shared/corpus not found")
            continue
        slug = name.split()[0].replace(",", "")
        # interleaved, best of each: on a shared machine the load drifts between blocks of
        # runs, and the difference of two such blocks is mostly that drift
        times: dict[str, list[float]] = {"sqlalchemy": [], "drizzle": [], "both": []}
        for _ in range(args.repeat):
            for target, found in times.items():
                found.append(best(lambda vs=vs, slug=slug, target=target: build_bundle(
                    vs, slug=slug, target=target), 1))
        sa_s, dz_s, both_s = (min(times[t]) for t in ("sqlalchemy", "drizzle", "both"))
        added = both_s - sa_s
        print(f"{name:>14} {len(vs[-1].schema.tables):>7} {sa_s:>13.2f} {dz_s:>10.2f} "
              f"{both_s:>8.2f} {added:>8.2f}  {'OK' if added < 1 else 'OVER'} (< 1 s)")


if __name__ == "__main__":
    main()
