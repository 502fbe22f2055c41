"""Rehearsal time for a 100-table design at 10,000 rows per table (goal: under 60 s).

Version 1 is bench/synthetic.py's 100-table design (a query pattern per table); version 2
adds a nullable column and an index to ten tables. The rehearsal starts a throw-away local
cluster (or uses MODELER_REHEARSAL_URL), loads 1,000,000 sample rows, applies version 2,
goes down and up again and explains the 100 patterns.

    .venv/bin/python bench/rehearsal.py [TABLES] [ROWS_PER_TABLE]
"""

from __future__ import annotations

import os
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import synthetic

from modeler.codegen.versions import VersionInput
from modeler.rehearsal import Options, rehearse, report_text
from modeler.rehearsal.datagen import DEFAULT_ROWS
from modeler.schema import model as m
from modeler.schema.builder import stable_uid


def versions(n_tables: int) -> list[VersionInput]:
    v1 = synthetic(n_tables)
    tables = []
    for t in v1.tables:
        parent = t.column_named("parent_id")
        assert parent is not None
        pattern = m.QueryPattern(uid=stable_uid("pattern", t.name, "children"),
                                 name="children", equality=(parent.uid,))
        tables.append(replace(t, query_patterns=(pattern,)))
    v1 = m.normalized(replace(v1, tables=tuple(tables)))
    changed = []
    for k, t in enumerate(v1.tables):
        if k % 10 == 0:
            col = m.Column(uid=stable_uid("column", t.name, "note"), name="note",
                           type=m.ColumnType(name="text"), nullable=True)
            idx = m.Index(uid=stable_uid("index", t.name, "ix_note"), name=f"ix_{t.name}_note",
                          parts=(m.IndexPart(column=col.uid),))
            t = replace(t, columns=(*t.columns, col), indexes=(*t.indexes, idx))
        changed.append(t)
    v2 = m.normalized(replace(v1, tables=tuple(changed)))
    return [VersionInput(1, "Synthetic", "bench", "2026-01-01", v1),
            VersionInput(2, "Notes on ten tables", "bench", "2026-01-02", v2)]


def main() -> None:
    n_tables = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    rows = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    stages: list[tuple[float, str]] = []
    start = time.perf_counter()

    def progress(stage: str) -> None:
        if not stage.startswith("sample data:"):
            stages.append((time.perf_counter() - start, stage))

    report = rehearse(versions(n_tables), Options(
        server_url=os.environ.get("MODELER_REHEARSAL_URL") or None,
        scale=rows / DEFAULT_ROWS, slug="bench"), progress)
    total = time.perf_counter() - start
    print(report_text(report).splitlines()[0])
    for at, stage in stages:
        print(f"  {at:6.1f} s  {stage}")
    loaded = sum(t.loaded for t in report.data.tables) if report.data else 0
    print(f"sample data: {loaded:,} rows in {report.data.seconds if report.data else 0:.1f} s")
    print(f"rehearsal of {n_tables} tables x {rows:,} rows: {total:.1f} s "
          f"({'passed' if report.ok else 'FAILED'}; goal < 60 s)")
    if not report.ok:
        print(report_text(report))


if __name__ == "__main__":
    main()
