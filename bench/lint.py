"""Lint time on synthetic designs of 100 and 1,000 tables (≈10 columns each, FKs, indexes).

Run: ``.venv/bin/python bench/lint.py``. Prints the best of a few runs per size and the
1,000/100 ratio. Goals: 1,000 tables under 300 ms; ratio ≤ 12 (linear scaling).
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from modeler.rules import lint
from modeler.schema.builder import SchemaBuilder
from modeler.schema.model import Schema


def synthetic(n: int, seed: int = 7) -> Schema:
    """``n`` tables: id, 5 business columns, up to 2 FKs (indexed), timestamps; a few
    deliberate findings (unindexed FKs, nullable columns, varchar limits) so rules fire."""
    rnd = random.Random(seed)
    b = SchemaBuilder(name=f"bench{n}")
    b.enum("status", ["new", "active", "closed"])
    for i in range(n):
        name = f"t{i:04d}"
        t = b.table(name, comment=f"Synthetic table number {i} for the benchmark")
        t.column("id", "bigint", identity="always", pk=True)
        t.column("code", "varchar", length=40, comment="Business code")
        t.column("title", "text", comment="Display title")
        t.column("amount", "numeric", precision=12, scale=2, comment="Amount in EUR")
        t.column("status", enum="status", default="'new'", comment="Lifecycle state")
        t.column("note", "text", nullable=True, null_meaning="no note" if i % 3 else "")
        parents = sorted({rnd.randrange(i) for _ in range(2)}) if i else []
        for p in parents:
            t.column(f"t{p:04d}_id", "bigint", comment="Parent row")
        t.timestamps()
        t.unique("code")
        t.index("status", "created_at")
        for k, p in enumerate(parents):
            if k == 0 or i % 5:
                t.index(f"t{p:04d}_id")
    for i in range(n):
        for col in b.get(f"t{i:04d}").columns:
            if col.name.endswith("_id") and col.name != "id":
                b.relationship(f"t{i:04d}", [col.name], col.name[:-3], on_delete="RESTRICT",
                               on_update="NO ACTION")
    return b.build()


def best_time(schema: Schema, runs: int = 5) -> tuple[float, int]:
    best, count = float("inf"), 0
    for _ in range(runs):
        # a fresh snapshot object per run: no analysis memo carried over between runs
        fresh = Schema(**{f: getattr(schema, f) for f in schema.__dataclass_fields__})
        start = time.perf_counter()
        count = len(lint(fresh))
        best = min(best, time.perf_counter() - start)
    return best, count


def main() -> None:
    small, large = synthetic(100), synthetic(1000)
    cols = sum(len(t.columns) for t in large.tables)
    t100, n100 = best_time(small)
    t1000, n1000 = best_time(large)
    print("tables   columns  relationships  findings  lint (best of 5)")
    print(f"{100:6}  {sum(len(t.columns) for t in small.tables):8}  "
          f"{len(small.relationships):13}  {n100:8}  {t100 * 1000:8.1f} ms")
    print(f"{1000:6}  {cols:8}  {len(large.relationships):13}  {n1000:8}  "
          f"{t1000 * 1000:8.1f} ms")
    print(f"ratio 1000/100: {t1000 / t100:.1f} (goal ≤ 12); 1,000 tables goal < 300 ms: "
          f"{'met' if t1000 < 0.3 else 'NOT met'}")


if __name__ == "__main__":
    main()
