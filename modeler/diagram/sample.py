"""Synthetic designs for benchmarks, tests and demos (deterministic for a given seed)."""

from __future__ import annotations

import random

from modeler.schema.builder import SchemaBuilder
from modeler.schema.model import Schema

# (type, length, precision, scale)
_TYPES: tuple[tuple[str, int | None, int | None, int | None], ...] = (
    ("text", None, None, None), ("varchar", 120, None, None), ("integer", None, None, None),
    ("numeric", None, 12, 2), ("timestamptz", None, None, None), ("boolean", None, None, None),
    ("date", None, None, None), ("jsonb", None, None, None), ("uuid", None, None, None),
)
_WORDS = ("name", "code", "amount", "created_at", "flag", "note", "status", "total", "label")
_ACTIONS = ("CASCADE", "RESTRICT", "NO ACTION", "SET NULL", "UNSPECIFIED")


def synthetic_schema(tables: int, *, seed: int = 42, columns: int = 7,
                     fks_per_table: float = 1.5) -> Schema:
    """``tables`` tables of ``columns`` columns (``id`` + FKs + plain columns), about
    ``fks_per_table`` foreign keys per table, pointing mostly at earlier tables (hubs)."""
    rnd = random.Random(seed)
    b = SchemaBuilder(name=f"synthetic-{tables}")
    b.enum("state", ["new", "active", "closed"])
    fk_total = round(tables * fks_per_table)
    wanted: list[list[int]] = [[] for _ in range(tables)]
    for _ in range(fk_total if tables > 1 else 0):
        child = rnd.randrange(1, tables)
        parent = int(child * rnd.random() ** 1.5)
        if parent not in wanted[child] and len(wanted[child]) < columns - 2:
            wanted[child].append(parent)
    for i in range(tables):
        t = b.table(f"table_{i:04d}", comment=f"Synthetic table {i}")
        t.column("id", "bigint", identity="always", pk=True)
        for parent in wanted[i]:
            t.column(f"table_{parent:04d}_id", "bigint", nullable=rnd.random() < 0.3)
        for c in range(columns - 1 - len(wanted[i])):
            word = rnd.choice(_WORDS)
            if c == 0 and i % 5 == 0:
                t.column(f"c{c}_state", enum="state")
            else:
                type_, length, precision, scale = rnd.choice(_TYPES)
                t.column(f"c{c}_{word}", type_, length=length, precision=precision,
                         scale=scale, nullable=rnd.random() < 0.4)
        if i % 4 == 0 and len(t.columns) > 1:
            t.unique(t.columns[-1].name)
    for i in range(tables):
        for parent in wanted[i]:
            b.relationship(f"table_{i:04d}", [f"table_{parent:04d}_id"], f"table_{parent:04d}",
                           on_delete=rnd.choice(_ACTIONS))
    return b.build()
