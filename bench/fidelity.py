"""Fidelity on the whole corpus: percent of catalog facts reproduced, per schema and category.

    .venv/bin/python bench/fidelity.py [--only NAME,...] [--details N] [--corpus DIR] [--no-loop]

For every SQL schema of ``../shared/corpus``: the original loaded with psql into database A vs
import → export bundle → ``alembic upgrade head`` into database B (tests/fidelity/roundtrip.py),
then on B the rest of the loop: ``alembic check`` (no drift), ``alembic downgrade base`` (an
empty database: only the version table, ``alembic_version`` unless the design has a relation
of that name), ``alembic upgrade head`` again (identical again).
A ``steps`` line under each schema says how each step went.
For the DBML files with an SQL twin: the DBML import's database vs the SQL import's. For the
other DBML files: whether the export upgrades an empty database at all.

The figure of a category is matched / (facts of either side): 100.0 means identical. The
``raw`` line counts everything; where tests/fidelity/test_corpus_fidelity.py documents
exclusions for a schema, a second line shows the figures after them, with the rows each one
touched. A schema that fails to load, import or upgrade prints the error and the run goes on.
Uses ``TEST_DATABASE_URL`` when set, else a throw-away cluster (tests/pgtemp.py).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.catalog import CATEGORIES, Catalog, Report
from tests.fidelity import roundtrip as rt
from tests.fidelity.test_corpus_fidelity import EXCLUSIONS
from tests.pgtemp import PgServer, external_postgres, temp_postgres

SHORT = {"tables": "tables", "columns": "columns", "primary_keys": "pk",
         "foreign_keys": "fk", "unique_constraints": "unique", "checks": "checks",
         "indexes": "indexes", "enums": "enums", "domains": "domains", "comments": "comments",
         "collations": "collat"}
SQL_ORDER = ("chinook", "northwind", "pagila", "dvdrental", "azimutt", "gospeak",
             "openstreetmap", "adventureworks", "adventureworks-install", "synapse", "netbox",
             "musicbrainz", "evergreen", "db2dbml", "apache-ranger", "crates-io",
             "dolphinscheduler", "graphile-starter", "harbor", "hexpm", "koji", "manifold",
             "mimic-iii", "supabase-auth", "trigger-dev")
NAME_WIDTH = 24


@contextmanager
def server() -> Iterator[PgServer]:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        with external_postgres(url) as found:
            yield found
    else:
        with temp_postgres() as started:
            yield started


def header() -> str:
    cols = "".join(f"{SHORT[c]:>9}" for c in CATEGORIES)
    return f"{'schema':{NAME_WIDTH}}{'':5}{cols}{'overall':>9}{'secs':>7}"


def figures(label: str, kind: str, report: Report, seconds: float | None) -> str:
    cells = "".join(f"{c.percent:9.1f}" for c in report.categories)
    matched = sum(c.matched for c in report.categories)
    total = sum(c.total for c in report.categories)
    overall = 100.0 * matched / total if total else 100.0
    secs = f"{seconds:7.1f}" if seconds is not None else ""
    return f"{label:{NAME_WIDTH}.{NAME_WIDTH}}{kind:5}{cells}{overall:9.1f}{secs}"


def totals(report: Report) -> str:
    return "".join(f"{c.total:9d}" for c in report.categories)


def failure(label: str, exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    lines = [line for line in text.splitlines() if line.strip()]
    if isinstance(exc, rt.UpgradeError):  # the error and its statement end the traceback
        error = next((i for i, line in enumerate(lines) if line.startswith("sqlalchemy.exc.")
                      or line.startswith(("psycopg.", "alembic.util.exc."))), None)
        if error is not None:
            sql = next((line for line in lines[error:] if line.startswith("[SQL:")), "")
            lines = list(dict.fromkeys([lines[error], *lines[error + 1:error + 3],
                                        sql.strip()]))
        lines = [line for line in lines if line and not line.startswith("(Background")]
    else:
        lines = [f"{type(exc).__name__}: {lines[0] if lines else ''}", *lines[1:4]]
    what = "upgrade FAILED" if isinstance(exc, rt.UpgradeError) else "FAILED"
    return f"{label:{NAME_WIDTH}.{NAME_WIDTH}}{what}  " + "\n" + "\n".join(
        f"{'':{NAME_WIDTH}}  {line[:150]}" for line in lines)


def _yes(value: bool | None) -> str:
    return "-" if value is None else "yes" if value else "NO"


def _kept(trip: rt.RoundTrip) -> Report | None:
    """The kept objects compared (rt.objects_report), for an SQL schema's round trip (the
    one with a loop: a DBML file carries none of them)."""
    if trip.loop is None or trip.expected is None or trip.actual is None:
        return None
    return rt.objects_report(trip.expected, trip.actual)


def steps(trip: rt.RoundTrip) -> str:
    """upgrade ok, identical, check clean, down to empty, up again identical."""
    kept = _kept(trip)
    parts = ["upgrade ok", f"identical {_yes(trip.report.ok)}"]
    if kept is not None:
        parts.append(f"kept objects identical {_yes(kept.ok)}")
    loop = trip.loop
    if loop is not None:
        parts += [f"check clean {_yes(loop.check_clean)}",
                  f"down {'ok' if loop.down_ok else 'FAILED'}"
                  + (f", empty {_yes(loop.down_empty)}" if loop.down_ok else ""),
                  f"up again {_yes(loop.again_ok)}"
                  + (f", identical {_yes(loop.again_identical)}" if loop.again_ok else "")]
    return f"{'':{NAME_WIDTH}}  steps: " + "; ".join(parts)


def show_loop(loop: rt.Loop, details: int) -> None:
    pad = f"{'':{NAME_WIDTH}}  "
    for line in [*loop.leftovers[:max(details, 5)]]:
        print(f"{pad}left after downgrade: {line}"[:220])
    if len(loop.leftovers) > max(details, 5):
        print(f"{pad}... {len(loop.leftovers)} objects left in all")
    if loop.output:
        for line in loop.output.strip().splitlines()[-max(details, 6):]:
            print(f"{pad}| {line}"[:220])
    if loop.again is not None and not loop.again.ok:
        print(figures("", "again", loop.again, None))
    if loop.again_objects is not None and not loop.again_objects.ok:
        print(loop.again_objects.text(details))


def show(trip: rt.RoundTrip, details: int) -> None:
    seconds = sum(trip.seconds.values())
    print(figures(trip.name, "raw", trip.raw, seconds))
    if trip.touched:
        print(figures("", "excl", trip.report, None))
        for name, count in trip.touched.items():
            print(f"{'':{NAME_WIDTH}}  - {name}: {count} row{'' if count == 1 else 's'}")
    print(f"{'  (facts)':{NAME_WIDTH}}{'':5}{totals(trip.raw)}")
    print(steps(trip))
    kept = _kept(trip)
    if kept is not None and not kept.ok:
        print(kept.text(details or 5))
    if trip.loop is not None:
        show_loop(trip.loop, details)
    if trip.load_errors:
        print(f"{'':{NAME_WIDTH}}  psql: {len(trip.load_errors)} ERROR line(s) while loading "
              f"the original, e.g. {trip.load_errors[0][:100]}")
    if details:
        for c in trip.raw.categories:
            for row in c.missing[:details]:
                print(f"{'':{NAME_WIDTH}}  {c.name}: missing    {row}"[:220])
            for row in c.unexpected[:details]:
                print(f"{'':{NAME_WIDTH}}  {c.name}: unexpected {row}"[:220])
    sys.stdout.flush()


def skip_reason(pg: PgServer, spec: rt.CorpusSchema) -> str | None:
    missing = spec.missing()
    if missing:
        return f"corpus files missing: {', '.join(missing[:3])}"
    absent = rt.missing_extensions(pg, spec)
    if absent:
        return (f"needs extension(s) {', '.join(absent)}, not installed on this server "
                f"({rt.EXTENSION_PACKAGES})")
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="", help="comma-separated schema names")
    parser.add_argument("--details", type=int, default=0,
                        help="print up to N differing rows per category")
    parser.add_argument("--corpus", type=Path, default=rt.CORPUS)
    parser.add_argument("--no-loop", action="store_true",
                        help="stop after the first upgrade (no check, downgrade, upgrade)")
    args = parser.parse_args()
    rt.CORPUS = args.corpus.resolve()
    only = {n.strip() for n in args.only.split(",") if n.strip()}
    if not rt.CORPUS.is_dir():
        print(f"corpus not found: {rt.CORPUS}")
        return 1

    def wanted(name: str) -> bool:
        return not only or name in only

    started = time.perf_counter()
    sql_catalogs: dict[str, Catalog] = {}
    with server() as pg, tempfile.TemporaryDirectory(prefix="fidelity-") as tmp:
        work = Path(tmp)
        print(header())
        for name in SQL_ORDER:
            spec = rt.SQL_SCHEMAS[name]
            needed_by_pair = any(p.sql == name and wanted(p.name) for p in rt.DBML_PAIRS.values())
            if not (wanted(name) or needed_by_pair):
                continue
            reason = skip_reason(pg, spec)
            if reason:
                print(f"{name:{NAME_WIDTH}.{NAME_WIDTH}}SKIPPED  {reason}")
                continue
            try:
                trip = rt.sql_round_trip(pg, spec, work, EXCLUSIONS.get(name, ()),
                                         loop=wanted(name) and not args.no_loop)
            except Exception as exc:  # one schema's failure must not stop the others
                print(failure(name, exc))
                continue
            if trip.actual is not None:
                sql_catalogs[name] = trip.actual
            if wanted(name):
                show(trip, args.details)
        for pair in rt.DBML_PAIRS.values():
            if not wanted(pair.name):
                continue
            if not (rt.CORPUS / pair.dbml).exists():
                print(f"{pair.name:{NAME_WIDTH}.{NAME_WIDTH}}SKIPPED  {pair.dbml} missing")
                continue
            if pair.sql not in sql_catalogs:
                print(f"{pair.name:{NAME_WIDTH}.{NAME_WIDTH}}SKIPPED  its SQL twin "
                      f"{pair.sql} did not round-trip")
                continue
            try:
                trip = rt.dbml_round_trip(pg, pair, work, sql_catalogs[pair.sql],
                                          EXCLUSIONS.get(pair.name, ()))
            except Exception as exc:
                print(failure(pair.name, exc))
                continue
            show(trip, args.details)
            if pair.provide_types:
                print(f"{'':{NAME_WIDTH}}  note: its extensions and domains (DBML cannot "
                      "declare them) were created before the upgrade")
            for wrong, right, why in pair.corrections:
                print(f"{'':{NAME_WIDTH}}  note: input corrected {wrong} -> {right}: {why}")
        for name, relative in rt.DBML_ALONE.items():
            if not wanted(name):
                continue
            if not (rt.CORPUS / relative).exists():
                print(f"{name:{NAME_WIDTH}.{NAME_WIDTH}}SKIPPED  {relative} missing")
                continue
            t0 = time.perf_counter()
            try:
                result = rt.import_dbml_file(relative)
                catalog = rt.migrated_catalog(pg, result.schema, work, name)
            except Exception as exc:
                print(failure(name, exc))
                continue
            counts = ", ".join(f"{len(catalog.category(c))} {SHORT[c]}" for c in CATEGORIES
                               if catalog.category(c))
            print(f"{name:{NAME_WIDTH}.{NAME_WIDTH}}upgrades ({time.perf_counter() - t0:.1f}s; "
                  f"no SQL twin to compare with): {counts}")
    print(f"\ntotal {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        traceback.print_exc()
        sys.exit(130)
