"""Rehearse a change of design on a real, throw-away database.

    report = rehearse(versions, server_url=None, scale=0.1)
    print(report_text(report)); report.ok

``versions`` are the saved versions up to the one rehearsed (for a proposal: the main line's
versions plus the proposal's design as the next one). The last one is *new*, the one before
it *previous*. On a scratch database of the rehearsal server (see :mod:`.cluster`):

1. the export bundle's migrations up to *previous* (``alembic upgrade``, a subprocess);
2. sample data in every table (:mod:`.datagen`);
3. *new*'s revision applied on that data, timed, its locks sampled and each table's
   ``relfilenode`` compared (a rewrite), then down to *previous* and up again: row counts
   equal, foreign keys valid;
4. tables new in *new* filled too, then every query pattern explained (:mod:`.plans`).

The scratch database is always dropped, and a local cluster stopped and deleted.
"""

from __future__ import annotations

import re
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from psycopg import sql

from modeler.codegen.pynames import package_name
from modeler.codegen.versions import VersionInput, chain
from modeler.rehearsal import cluster
from modeler.rehearsal.alembic_run import LockSpan, Run, alembic, write_bundle
from modeler.rehearsal.catalog import read_tables, relfilenodes, row_counts
from modeler.rehearsal.datagen import DEFAULT_ROWS, DataLoad, Hints, load_sample_data
from modeler.rehearsal.plans import PlanReport, explain_all
from modeler.schema.model import Schema
from modeler.wording import counted

LOCK_BUDGET = 1.0  # seconds of ACCESS EXCLUSIVE on a table before it fails the check
# statements that read every row of the table they lock (besides rewrites)
_SCANS = re.compile(r"\bSET NOT NULL\b|\bADD CONSTRAINT\b(?![^;]*\bNOT VALID\b)"
                    r"[^;]*\b(CHECK|FOREIGN KEY)\b|\bVALIDATE CONSTRAINT\b", re.I | re.S)


@dataclass
class Options:
    server_url: str | None = None  # None: a throw-away local cluster
    scale: float = 1.0  # rows = expected rows x scale
    seed: int = 19
    lock_budget: float = LOCK_BUDGET
    # expected rows per table (``schema.table`` or ``table``), over the design's own
    expected_rows: dict[str, int] = field(default_factory=dict)
    slug: str = "design"


@dataclass
class TableLock:
    """A table the revision locked ACCESS EXCLUSIVE (or rewrote)."""

    table: str
    mode: str
    held: float  # seconds seen held here
    rows: int  # rows it held here
    expected: int  # rows expected in production
    rewritten: bool
    scanned: bool
    statements: list[str] = field(default_factory=list)

    @property
    def projected(self) -> float:
        """Seconds at the expected volume: a rewrite or a full scan grows with the rows."""
        if (self.rewritten or self.scanned) and self.rows:
            return self.held * max(1.0, self.expected / self.rows)
        return self.held


@dataclass
class RevisionRun:
    revision: str
    message: str
    ok: bool
    seconds: float  # wall time minus the CLI's start-up
    output: str = ""
    locks: list[LockSpan] = field(default_factory=list)
    table_locks: list[TableLock] = field(default_factory=list)
    flagged: list[str] = field(default_factory=list)
    statements: dict[str, float] = field(default_factory=dict)


@dataclass
class RoundTrip:
    down_ok: bool
    up_ok: bool
    output: str = ""
    counts_before: dict[str, int] = field(default_factory=dict)
    counts_after: dict[str, int] = field(default_factory=dict)
    mismatched: list[str] = field(default_factory=list)
    fk_problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.down_ok and self.up_ok and not self.mismatched and not self.fk_problems


@dataclass
class Check:
    """One line of the verdict: ``status`` pass, fail, warn or skip."""

    key: str  # previous-upgrade, sample-data, migration, locks, round-trip, query-plans, fk-scans
    status: str
    summary: str
    details: list[str] = field(default_factory=list)


@dataclass
class Report:
    title: str
    previous: int | None
    new: int
    server: str = ""
    scale: float = 1.0
    seconds: float = 0.0
    checks: list[Check] = field(default_factory=list)
    data: DataLoad | None = None
    topup: DataLoad | None = None
    revisions: list[RevisionRun] = field(default_factory=list)
    round_trip: RoundTrip | None = None
    plans: PlanReport | None = None
    error: str = ""
    startup: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.error and all(c.status != "fail" for c in self.checks)


def hints_for(schema: Schema, overrides: dict[str, int] | None = None) -> Hints:
    """Expected rows and skewed columns per table, keyed ``namespace.name`` (unquoted)."""
    expected: dict[str, int | None] = {}
    skewed: dict[str, frozenset[str]] = {}
    for t in schema.tables:
        key = f"{t.namespace}.{t.name}"
        rows = getattr(t, "expected_rows", None)
        for name in (t.qualified_name, f"{t.namespace}.{t.name}", t.name):
            if overrides and name in overrides:
                rows = overrides[name]
                break
        expected[key] = rows
        skewed[key] = frozenset(c.name for c in t.columns if c.frequently_queried)
    return Hints(expected_rows=expected, skewed=skewed)


def _fk_problems(url: str) -> list[str]:
    """Foreign keys not validated, or with orphans (NOT VALID ones could hide some)."""
    out: list[str] = []
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute("""
            SELECT k.conname, k.conrelid::regclass::text, k.confrelid::regclass::text,
                   k.convalidated,
                   ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(n, o)
                     JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n
                    ORDER BY u.o),
                   ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(n, o)
                     JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n
                    ORDER BY u.o)
              FROM pg_constraint k WHERE k.contype = 'f' AND k.conparentid = 0""").fetchall()
        for name, child, parent, valid, cols, pcols in rows:
            match = sql.SQL(" AND ").join(
                sql.SQL("p.{} = c.{}").format(sql.Identifier(p), sql.Identifier(c))
                for c, p in zip(cols, pcols, strict=True))
            nonnull = sql.SQL(" AND ").join(sql.SQL("c.{} IS NOT NULL").format(
                sql.Identifier(c)) for c in cols)
            row = conn.execute(sql.SQL(
                "SELECT count(*) FROM {} c WHERE {} AND NOT EXISTS "
                "(SELECT 1 FROM {} p WHERE {})").format(
                    sql.SQL(child), nonnull, sql.SQL(parent), match)).fetchone()
            orphans = int(row[0]) if row else 0
            if orphans:
                out.append(f"{name} on {child}: {counted(orphans, 'row')} without a parent "
                           f"in {parent}")
            elif not valid:
                out.append(f"{name} on {child} is NOT VALID")
    return out


class _Rehearsal:
    def __init__(self, versions: Sequence[VersionInput], options: Options,
                 progress: Callable[[str], None] | None) -> None:
        self.versions = sorted(versions, key=lambda v: v.number)
        self.opts = options
        self.say = progress or (lambda _msg: None)
        self.revs = chain(self.versions)
        new = self.versions[-1]
        previous = self.versions[-2] if len(self.versions) > 1 else None
        self.report = Report(title=new.schema.name or options.slug,
                             previous=previous.number if previous else None, new=new.number,
                             scale=options.scale)

    def run(self) -> Report:
        start = time.perf_counter()
        try:
            with cluster.server(self.opts.server_url) as srv:
                self.report.server = srv.label
                with cluster.scratch_database(srv) as url, \
                        tempfile.TemporaryDirectory(prefix="rehearsal-") as tmp:
                    bundle = write_bundle(self.versions, Path(tmp),
                                          package_name(self.opts.slug))
                    self._steps(bundle, url)
        except cluster.ServerUnavailable as exc:
            self.report.error = str(exc)
        self.report.seconds = time.perf_counter() - start
        return self.report

    def _alembic(self, bundle: Path, url: str, *args: str, watch: bool = False) -> Run:
        return alembic(bundle, url, *args, watch=watch)

    def _steps(self, bundle: Path, url: str) -> None:
        r, checks = self.report, self.report.checks
        t0 = time.perf_counter()
        self._alembic(bundle, url, "current")
        r.startup = time.perf_counter() - t0
        previous = self.revs[-2] if len(self.revs) > 1 else None
        if previous is not None:
            self.say(f"migrating to version {previous.version.number}")
            run = self._alembic(bundle, url, "upgrade", previous.revision)
            if not run.ok:
                checks.append(Check("previous-upgrade", "fail",
                                    f"version {previous.version.number}'s migrations fail "
                                    "on an empty database", [run.tail()]))
                return
            checks.append(Check("previous-upgrade", "pass",
                                f"version {previous.version.number}'s migrations applied "
                                f"({max(0.0, run.seconds - r.startup):.1f} s)"))
            prev_schema = previous.version.schema
            r.data = load_sample_data(url, hints_for(prev_schema, self.opts.expected_rows),
                                      scale=self.opts.scale, seed=self.opts.seed,
                                      progress=self.say)
            checks.append(_data_check(r.data))
        new = self.revs[-1]
        self.say(f"applying version {new.version.number}")
        ok = self._revision(bundle, url, new.revision, new.version.message)
        if not ok:
            return
        if previous is not None:
            self._round_trip(bundle, url, previous.revision, new.revision)
        hints = hints_for(new.version.schema, self.opts.expected_rows)
        self.say("sample data for the new tables")
        r.topup = load_sample_data(url, hints, scale=self.opts.scale, seed=self.opts.seed + 1,
                                   only_empty=True, progress=self.say)
        if r.data is None:
            checks.append(_data_check(r.topup))
        elif r.topup.tables:
            checks.append(_data_check(r.topup, "sample-data-new"))
        self.say("query plans")
        r.plans = explain_all(url, new.version.schema)
        checks.extend(_plan_checks(r.plans))

    def _revision(self, bundle: Path, url: str, revision: str, message: str) -> bool:
        r = self.report
        with psycopg.connect(url, autocommit=True) as conn:
            before_nodes = relfilenodes(conn)
            before_rows = row_counts(conn)
            names = {t.regclass: f"{t.schema}.{t.name}" for t in read_tables(conn)}
        run = self._alembic(bundle, url, "upgrade", revision, watch=True)
        rev = RevisionRun(revision, message, run.ok, max(0.0, run.seconds - r.startup),
                          run.tail() if not run.ok else "", run.locks,
                          statements=run.statements)
        r.revisions.append(rev)
        if not run.ok:
            r.checks.append(Check("migration", "fail",
                                  f"revision {revision} fails on the sample data",
                                  [_error_line(run.output), run.tail(12)]))
            return False
        with psycopg.connect(url, autocommit=True) as conn:
            after_nodes = relfilenodes(conn)
        hints = hints_for(self.versions[-1].schema, self.opts.expected_rows)
        expected = {rc: hints.expected_rows.get(key) or DEFAULT_ROWS
                    for rc, key in names.items()}
        rev.table_locks = _table_locks(run, before_nodes, after_nodes, before_rows, expected,
                                       rev.seconds)
        for lock in rev.table_locks:
            if lock.projected >= self.opts.lock_budget:
                what = ("rewrites" if lock.rewritten else "scans" if lock.scanned
                        else "holds")
                rev.flagged.append(
                    f"{what} {lock.table} under {lock.mode}: held {lock.held * 1000:.0f} ms "
                    f"on {lock.rows:,} rows here, about {lock.projected:.1f} s at the "
                    f"expected {lock.expected:,} rows")
        r.checks.append(Check("migration", "pass",
                              f"revision {revision} applied on the sample data in "
                              f"{rev.seconds:.2f} s"))
        locked = [f"{lk.table}: {lk.mode}{' (rewrite)' if lk.rewritten else ''}"
                  f"{' (full scan)' if lk.scanned and not lk.rewritten else ''}, "
                  f"{lk.held * 1000:.0f} ms" for lk in rev.table_locks]
        if rev.flagged:
            r.checks.append(Check("locks", "fail",
                                  f"{counted(len(rev.flagged), 'long ACCESS EXCLUSIVE lock')}"
                                  " at the expected volume", rev.flagged + locked))
        else:
            r.checks.append(Check("locks", "pass", "no long ACCESS EXCLUSIVE lock"
                                  + (f" ({len(locked)} short)" if locked else ""), locked))
        return True

    def _round_trip(self, bundle: Path, url: str, previous: str, new: str) -> None:
        with psycopg.connect(url, autocommit=True) as conn:
            before = row_counts(conn)
        down = self._alembic(bundle, url, "downgrade", previous)
        trip = RoundTrip(down.ok, False, counts_before=before)
        self.report.round_trip = trip
        if not down.ok:
            trip.output = down.tail()
        else:
            with psycopg.connect(url, autocommit=True) as conn:
                middle = row_counts(conn)
            up = self._alembic(bundle, url, "upgrade", new)
            trip.up_ok = up.ok
            if not up.ok:
                trip.output = up.tail()
            else:
                with psycopg.connect(url, autocommit=True) as conn:
                    trip.counts_after = row_counts(conn)
                for table, count in sorted(before.items()):
                    if table in middle and trip.counts_after.get(table) != count:
                        trip.mismatched.append(f"{table}: {count:,} rows before, "
                                               f"{trip.counts_after.get(table, 0):,} after")
                trip.fk_problems = _fk_problems(url)
        tables = sum(1 for t in before if t in trip.counts_after)
        if trip.ok:
            self.report.checks.append(Check(
                "round-trip", "pass", f"down to version {self.report.previous} and up again: "
                f"row counts equal on {tables} tables, foreign keys valid"))
        else:
            step = ("downgrade" if not trip.down_ok else "upgrade again" if not trip.up_ok
                    else "data after down and up")
            details = ([_error_line(trip.output), trip.output] if trip.output else []) + \
                trip.mismatched + trip.fk_problems
            self.report.checks.append(Check("round-trip", "fail", f"{step} fails", details))


def _error_line(output: str) -> str:
    """The most telling line of an alembic failure (PostgreSQL's own message)."""
    for line in output.splitlines():
        if "psycopg.errors." in line or line.startswith("ERROR"):
            return line.split("psycopg.errors.", 1)[-1].strip()[:300]
    lines = [x for x in output.strip().splitlines() if x.strip()]
    return lines[-1][:300] if lines else ""


def _table_locks(run: Run, before: dict[str, tuple[int, int]],
                 after: dict[str, tuple[int, int]], rows: dict[str, int],
                 expected_rows: dict[str, int], revision_seconds: float) -> list[TableLock]:
    out: dict[str, TableLock] = {}
    window: dict[str, tuple[float, float]] = {}
    for span in run.locks:
        if span.mode != "AccessExclusiveLock" or not span.granted or span.relation not in rows:
            continue
        lock = out.get(span.relation)
        if lock is None:
            expected = expected_rows.get(span.relation, DEFAULT_ROWS)
            lock = out[span.relation] = TableLock(span.relation, "ACCESS EXCLUSIVE", 0.0,
                                                  rows[span.relation], expected, False, False)
        first, last = window.get(span.relation, (span.first, span.last))
        window[span.relation] = (min(first, span.first), max(last, span.last))
        lock.held = window[span.relation][1] - window[span.relation][0]
        if span.statement and span.statement not in lock.statements:
            lock.statements.append(span.statement)
            if _SCANS.search(span.statement):
                lock.scanned = True
    for table, (node, _pages) in before.items():
        if table in after and after[table][0] != node and rows.get(table):
            lock = out.get(table)
            if lock is None:
                expected = expected_rows.get(table, DEFAULT_ROWS)
                lock = out[table] = TableLock(table, "ACCESS EXCLUSIVE", revision_seconds,
                                              rows[table], expected, True, False)
            lock.rewritten = True
    return sorted(out.values(), key=lambda lk: lk.table)


def _data_check(load: DataLoad, key: str = "sample-data") -> Check:
    details: list[str] = []
    failing = False
    for t in load.tables:
        for reason, count in sorted(t.refused.items()):
            details.append(f"{t.table}: {count:,} of {t.wanted:,} generated rows refused "
                           f"({reason})")
        for note in t.notes:
            details.append(f"{t.table}: {note}")
        if t.check_failures or (t.wanted and not t.loaded):
            failing = True
    status = "warn" if failing else "pass"
    summary = (f"{load.rows:,} rows in {len(load.tables)} tables ({load.seconds:.1f} s)"
               + ("; some constraints could not be satisfied by the generator"
                  if failing else ""))
    return Check(key, status, summary, details)


def _plan_checks(plans: PlanReport) -> list[Check]:
    out: list[Check] = []
    bad = [p for p in plans.patterns if not p.served]
    details = []
    for p in plans.patterns:
        if p.served and p.plan:
            note = " (the planner prefers a sequential scan at this size)" if p.plan.forced \
                else ""
            details.append(f"{p.table} {p.pattern}: {p.plan.index}, cost {p.plan.cost:.1f}, "
                           f"{p.plan.ms:.2f} ms{note}")
        elif p.error:
            details.append(f"{p.table} {p.pattern}: could not run ({p.error})")
        else:
            details.append(f"{p.table} {p.pattern}: no index serves it; add: {p.suggestion}")
    if not plans.patterns:
        out.append(Check("query-plans", "skip", "no query pattern declared"))
    else:
        out.append(Check("query-plans", "fail" if bad else "pass",
                         f"{len(bad)} of {counted(len(plans.patterns), 'query pattern')} "
                         "without an index" if bad else
                         f"every query pattern ({len(plans.patterns)}) is served by an index",
                         details))
    if plans.fk_scans:
        out.append(Check("fk-scans", "warn",
                         f"{counted(len(plans.fk_scans), 'foreign key')} whose parent deletes "
                         "scan the child", [f"{f.name}: {f.child} ({f.child_rows:,} rows) -> add: "
                                   f"{f.suggestion}" for f in plans.fk_scans]))
    else:
        out.append(Check("fk-scans", "pass", "every foreign key has an index on its columns"))
    return out


def rehearse(versions: Sequence[VersionInput], options: Options | None = None,
             progress: Callable[[str], None] | None = None) -> Report:
    """Rehearse the last of ``versions`` (see the module docstring)."""
    if not versions:
        raise ValueError("nothing to rehearse: no version")
    return _Rehearsal(versions, options or Options(), progress).run()
