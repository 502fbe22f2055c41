"""The export bundle on disk and its own ``alembic`` CLI run in a subprocess, watched.

While a revision runs, a second connection samples ``pg_locks`` joined to
``pg_stat_activity`` for the subprocess's backends (recognised by an ``application_name``
set through ``PGAPPNAME``) every few milliseconds: which relation locks each statement took,
in which mode, and for how long they were seen held. Sampling can miss a lock held for less
than the interval; rewrites are therefore also detected exactly, by comparing each table's
``relfilenode`` before and after the revision (see :mod:`modeler.rehearsal.migrate`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

from modeler.codegen.bundle import build_bundle
from modeler.codegen.versions import VersionInput


def write_bundle(versions: Sequence[VersionInput], root: Path, slug: str) -> Path:
    """The SQLAlchemy + Alembic export of ``versions`` written under ``root``."""
    for path, data in build_bundle(list(versions), slug=slug).items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


@dataclass
class LockSpan:
    """A relation lock seen held (or awaited) by the migration's backend."""

    relation: str
    mode: str
    granted: bool
    first: float
    last: float
    statement: str = ""

    @property
    def seconds(self) -> float:
        return self.last - self.first


@dataclass
class Run:
    """One ``alembic`` subprocess: its result, wall time and the locks seen."""

    args: tuple[str, ...]
    returncode: int
    output: str
    seconds: float
    locks: list[LockSpan] = field(default_factory=list)
    statements: dict[str, float] = field(default_factory=dict)  # text -> seconds seen active
    samples: int = 0

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def tail(self, lines: int = 20) -> str:
        return "\n".join(self.output.strip().splitlines()[-lines:])


_SAMPLE = """
SELECT a.pid, a.state, a.query, l.relation::regclass::text, l.mode, l.granted
  FROM pg_stat_activity a
  LEFT JOIN pg_locks l ON l.pid = a.pid AND l.locktype = 'relation'
       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
 WHERE a.application_name = %s
"""


class _Sampler(threading.Thread):
    def __init__(self, url: str, app: str, interval: float) -> None:
        super().__init__(daemon=True)
        self.url, self.app, self.interval = url, app, interval
        self.stop = threading.Event()
        self.spans: dict[tuple[str, str, bool, str], LockSpan] = {}
        self.statements: dict[str, list[float]] = {}
        self.samples = 0
        self.error: str = ""

    def run(self) -> None:
        try:
            with psycopg.connect(self.url, autocommit=True) as conn:
                conn.execute("SET application_name = 'rehearsal-sampler'")
                while not self.stop.is_set():
                    now = time.perf_counter()
                    rows = conn.execute(_SAMPLE, (self.app,)).fetchall()
                    self.samples += 1
                    self._record(now, rows)
                    self.stop.wait(self.interval)
        except psycopg.Error as exc:  # the report says sampling failed; the run goes on
            self.error = str(exc).strip()

    def _record(self, now: float, rows: list[tuple[object, ...]]) -> None:
        for _pid, state, query, relation, mode, granted in rows:
            text = str(query or "").strip()
            if state == "active" and text:
                seen = self.statements.setdefault(text, [now, now])
                seen[1] = now
            if relation is None or str(relation).startswith("pg_"):
                continue
            key = (str(relation), str(mode), bool(granted), text if state == "active" else "")
            span = self.spans.get(key)
            if span is None:
                self.spans[key] = LockSpan(str(relation), str(mode), bool(granted), now, now,
                                           text if state == "active" else "")
            else:
                span.last = now


def alembic(bundle: Path, url: str, *args: str, timeout: float = 1800,
            watch: bool = False, interval: float = 0.003) -> Run:
    """Run the bundle's ``alembic`` (``python -m alembic``) against ``url``; with ``watch``,
    sample the locks its backend holds while it runs."""
    app = f"rehearsal-{uuid.uuid4().hex[:12]}"
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE") and not k.startswith("PG")}
    env.update(DATABASE_URL=url, DIRECT_DATABASE_URL=url, PGAPPNAME=app)
    sampler = _Sampler(url, app, interval) if watch else None
    if sampler is not None:
        sampler.start()
    start = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-m", "alembic", *args], cwd=bundle, env=env,
                              capture_output=True, text=True, timeout=timeout)
        code, output = proc.returncode, proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as exc:
        code, output = -1, f"timed out after {timeout:.0f} s\n{exc.output or ''}"
    seconds = time.perf_counter() - start
    run = Run(tuple(args), code, output, seconds)
    if sampler is not None:
        sampler.stop.set()
        sampler.join(10)
        run.samples = sampler.samples
        run.locks = sorted(sampler.spans.values(), key=lambda s: (s.first, s.relation))
        run.statements = {q: t[1] - t[0] for q, t in sampler.statements.items()}
        if sampler.error:
            run.output += f"\n(lock sampling stopped: {sampler.error})"
    return run
