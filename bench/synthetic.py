"""Synthetic designs for benchmarks: N tables of ~10 columns with FKs and their indexes."""

from __future__ import annotations

import random
from typing import Any

from modeler.schema import model as m
from modeler.schema.builder import SchemaBuilder

TYPES: list[tuple[str, dict[str, Any]]] = [
    ("text", {}), ("varchar", {"length": 120}), ("integer", {}), ("boolean", {}),
    ("numeric", {"precision": 12, "scale": 2}), ("date", {}), ("jsonb", {})]


def _table(b: SchemaBuilder, rnd: random.Random, i: int, random_columns: int) -> Any:
    """Table ``table_<i>`` in subject area ``area_<i % 8>``: ``id`` and ``random_columns``
    columns of random types."""
    t = b.table(f"table_{i:04d}", comment=f"Synthetic table number {i}",
                subject_area=f"area_{i % 8}")
    t.column("id", "bigint", identity="always", pk=True)
    for j in range(max(0, random_columns)):
        type_, kw = rnd.choice(TYPES)
        t.column(f"col_{j}", type_, comment="synthetic column", **kw)
    return t


def synthetic(n_tables: int, columns: int = 10, fk_per_table: float = 1.5,
              seed: int = 42) -> m.Schema:
    rnd = random.Random(seed)
    b = SchemaBuilder(name=f"synthetic-{n_tables}")
    for i in range(n_tables):
        t = _table(b, rnd, i, columns - 5)
        t.column("parent_id", "bigint", nullable=True, null_meaning="no parent")
        t.index("parent_id")
        t.timestamps()
        t.column("code", "varchar", length=20)
        t.unique("code")
    for i in range(1, n_tables):
        b.relationship(f"table_{i:04d}", ["parent_id"], f"table_{rnd.randrange(i):04d}",
                       on_delete="SET NULL", on_update="NO ACTION")
    return b.build()


def laid_out(n_tables: int, cache: object) -> m.Schema:
    """:func:`synthetic` with every table at the position a layout pass gives it (``cache``:
    a diagram cache, e.g. ``modeler.diagram.render.MemoryCache()``)."""
    from dataclasses import replace

    from modeler.diagram.layout import layout

    schema = synthetic(n_tables)
    pos = layout(schema, cache=cache)  # type: ignore[arg-type]
    return replace(schema, tables=tuple(replace(t, position=pos[t.uid]) for t in schema.tables))


def with_column(schema: m.Schema, i: int) -> m.Schema:
    """``schema`` with a new column ``dc<i>`` (a copy of the second column) in table
    ``(i * 37) % n``: the benchmarks' one-column edit."""
    from dataclasses import replace

    t = schema.tables[(i * 37) % len(schema.tables)]
    col = replace(t.columns[1], uid=f"00000000-0000-4000-8000-{i:012d}", name=f"dc{i}")
    return replace(schema, tables=tuple(replace(x, columns=(*x.columns, col))
                                        if x.uid == t.uid else x for x in schema.tables))


def fk_heavy(n_tables: int, fks: int = 5, columns: int = 10, seed: int = 3) -> m.Schema:
    """``n_tables`` tables of ``columns`` columns (as :func:`synthetic`) in 8 subject areas,
    each after the first with ``fks`` nullable ``ref_<k>`` columns, each a foreign key to a
    random earlier table: (n - 1) x ``fks`` foreign keys (4,995 at 1,000 tables)."""
    rnd = random.Random(seed)
    b = SchemaBuilder(name=f"fk-heavy-{n_tables}")
    for i in range(n_tables):
        t = _table(b, rnd, i, columns - 4)
        t.timestamps()
        t.column("code", "varchar", length=20)
        for k in range(fks if i else 0):
            t.column(f"ref_{k}", "bigint", nullable=True, null_meaning="no reference")
    for i in range(1, n_tables):
        for k in range(fks):
            b.relationship(f"table_{i:04d}", [f"ref_{k}"], f"table_{rnd.randrange(i):04d}",
                           on_delete="SET NULL", on_update="NO ACTION")
    return b.build()
