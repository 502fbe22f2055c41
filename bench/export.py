"""Benchmark: time to build the export bundle for synthetic designs of growing size.

    .venv/bin/python bench/export.py [--repeat 3] [--breakdown]

Each design has N tables (identity key, 4-6 columns, an enum column on every fifth table,
timestamps, one or two FKs to earlier tables with their indexes, a CHECK on some) in two
saved versions (the second renames a few columns and adds a table), so the bundle holds two
revisions. Prints the best time per size, per-table cost and growth; the goal is 371 tables
in under 2 s.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from modeler.codegen.bundle import VersionInput, build_bundle, write_zip
from modeler.schema.builder import SchemaBuilder
from modeler.schema.model import Schema, normalized

SIZES = (100, 371, 1000)


def synthetic(n: int, seed: int = 7) -> Schema:
    rnd = random.Random(seed)
    b = SchemaBuilder(name=f"synthetic-{n}")
    b.enum("state", ["draft", "active", "archived"])
    for i in range(n):
        t = b.table(f"t{i:04d}", comment=f"Synthetic table number {i}",
                    subject_area=f"area{i % 12}")
        t.column("id", "bigint", identity="always", pk=True)
        t.column("name", "varchar", length=200)
        t.column("amount", "numeric", precision=12, scale=2, default="0")
        t.column("note", "text", nullable=True, null_meaning="no note")
        if i % 5 == 0:
            t.column("state", enum="state", default="'draft'::state")
        parents = rnd.sample(range(i), k=min(i, rnd.choice((1, 1, 2)))) if i else []
        for p in parents:
            t.column(f"t{p:04d}_id", "bigint", nullable=rnd.random() < 0.3)
            t.index(f"t{p:04d}_id")
        t.timestamps()
        if i % 3 == 0:
            t.check(f"ck_t{i:04d}_amount", "amount >= (0)::numeric")
        t.unique("name")
        for p in parents:
            b.relationship(f"t{i:04d}", [f"t{p:04d}_id"], f"t{p:04d}", on_delete="CASCADE",
                           on_update="NO ACTION")
    return b.build()


def second_version(s: Schema) -> Schema:
    tables = list(s.tables)
    for k in range(0, min(len(tables), 50), 10):
        t = tables[k]
        cols = tuple(replace(c, name="title") if c.name == "name" else c for c in t.columns)
        tables[k] = replace(t, columns=cols)
    return normalized(replace(s, tables=tuple(tables)))


def versions(n: int) -> list[VersionInput]:
    v1 = synthetic(n)
    return [VersionInput(1, "Initial design", "bench", "2026-01-01", v1),
            VersionInput(2, "Rename a few columns", "bench", "2026-01-02", second_version(v1))]


def breakdown(vs: list[VersionInput]) -> str:
    """Seconds per artifact (one run): where the build time goes."""
    from modeler.codegen.bundle import render_revisions
    from modeler.codegen.ddl import schema_sql
    from modeler.codegen.designdoc import render_design_doc
    from modeler.codegen.models import render_models
    from modeler.codegen.plan import build_plan
    from modeler.codegen.versions import chain

    revs = chain(vs)
    schema = revs[-1].version.schema
    parts: dict[str, float] = {}
    start = time.perf_counter()
    plan = build_plan(schema)
    steps = (
        ("models.py", lambda: render_models(schema, plan=plan)),
        ("schema.sql", lambda: schema_sql(schema, plan=plan)),
        ("DESIGN.md", lambda: render_design_doc(title="t", package="p", plan=plan,
                                                revisions=revs, findings=(), waivers=())),
        ("revisions", lambda: render_revisions(revs)),
    )
    parts["plan"] = time.perf_counter() - start
    for name, step in steps:
        start = time.perf_counter()
        step()
        parts[name] = time.perf_counter() - start
    return "  ".join(f"{k} {v:.2f}" for k, v in parts.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--breakdown", action="store_true",
                        help="also time each artifact separately")
    args = parser.parse_args()
    print(f"{'tables':>7} {'build s':>9} {'zip s':>7} {'ms/table':>9} {'files':>6} "
          f"{'MB':>6} {'growth':>7}")
    previous: tuple[int, float] | None = None
    for n in SIZES:
        vs = versions(n)
        best_build = best_zip = float("inf")
        files: dict[str, bytes] = {}
        for _ in range(args.repeat):
            start = time.perf_counter()
            files = build_bundle(vs, slug=f"synthetic-{n}", diagram_svg="<svg/>")
            mid = time.perf_counter()
            data = write_zip(files)
            end = time.perf_counter()
            best_build, best_zip = min(best_build, mid - start), min(best_zip, end - mid)
        size = sum(len(v) for v in files.values()) / 1e6
        growth = ""
        if previous:
            growth = f"{(best_build / previous[1]) / (n / previous[0]):.2f}x"
        print(f"{n:>7} {best_build:>9.3f} {best_zip:>7.3f} {1000 * best_build / n:>9.2f} "
              f"{len(files):>6} {size:>6.1f} {growth:>7}")
        previous = (n, best_build)
        if args.breakdown:
            print(f"        breakdown (s): {breakdown(vs)}")
        if n == 371:
            verdict = "OK" if best_build < 2 else "OVER"
            print(f"        goal: 371 tables under 2 s -> {verdict} (zip {len(data) / 1e6:.1f} MB)")
    print("growth = time ratio / size ratio versus the previous row (1.00x = linear)")


if __name__ == "__main__":
    main()
