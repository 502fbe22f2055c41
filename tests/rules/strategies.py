"""A small local Hypothesis strategy for schemas that exercise the rules (and their fixes)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from modeler.schema import model as m
from modeler.schema.builder import SchemaBuilder, stable_uid

TABLE_NAMES = ["customer", "order", "OrderLine", "tag", "item", "event"]
COLUMN_NAMES = ["name", "email", "code", "created_at", "updated_at", "deleted_at", "phone1",
                "phone2", "tag_ids", "price", "status", "Title", "note", "select", "payload"]
COLUMN_TYPES: list[tuple[str, dict[str, Any]]] = [
    ("bigint", {}), ("integer", {}), ("text", {}), ("varchar", {"length": 20}), ("json", {}),
    ("jsonb", {}), ("timestamp", {}), ("timestamptz", {}), ("numeric", {}),
    ("numeric", {"precision": 12, "scale": 2}), ("boolean", {}), ("char", {"length": 2}),
    ("money", {}), ("uuid", {}), ("json", {"array_dims": 1}), ("timestamp", {"precision": 3}),
]
DEFAULTS = [None, None, "now()", "'NULL'", "0", "'x'"]
PK_KINDS = ["identity", "identity", "serial", "bigserial", "uuid", "int", "none", "composite"]


@st.composite
def _table(draw: st.DrawFn, b: SchemaBuilder, name: str) -> None:
    tb = b.table(name, comment=draw(st.sampled_from(["", "Rows of a generated test table"])),
                 kind=draw(st.sampled_from(m.TABLE_KINDS)),
                 delete_strategy=draw(st.sampled_from(m.DELETE_STRATEGIES)),
                 pk_name=draw(st.sampled_from([None, None, f"{name}_pkey"])))
    pk = draw(st.sampled_from(PK_KINDS))
    if pk == "identity":
        tb.column("id", "bigint", identity="always", pk=True)
    elif pk == "serial":
        tb.column("id", "integer", default=f"nextval('{name}_id_seq'::regclass)", pk=True)
        b.sequences.append(m.Sequence(uid=stable_uid("sequence", name), name=f"{name}_id_seq",
                                      owned_by_table=tb.table.uid,
                                      owned_by_column=tb.col_uid("id")))
    elif pk == "bigserial":
        tb.column("id", custom="bigserial", pk=True)
    elif pk == "uuid":
        tb.column("id", "uuid", default="gen_random_uuid()", pk=True)
    elif pk == "int":
        tb.column("id", "integer", pk=True)
    elif pk == "composite":
        tb.column("a_id", "bigint", pk=True).column("b_id", "bigint", pk=True)
    for col in draw(st.lists(st.sampled_from(COLUMN_NAMES), max_size=5, unique=True)):
        type_, kw = draw(st.sampled_from(COLUMN_TYPES))
        tb.column(col, type_, nullable=draw(st.booleans()),
                  default=draw(st.sampled_from(DEFAULTS)), **kw)
    names = [c.name for c in tb.columns]
    if not names:
        return
    seen: set[tuple[str, ...]] = set()
    for i in range(draw(st.integers(0, 3))):
        cols = tuple(draw(st.lists(st.sampled_from(names), min_size=1, max_size=2, unique=True)))
        if cols in seen:
            continue
        seen.add(cols)
        ix_name = draw(st.sampled_from([None, f"idx_{name.lower()}_{i}"]))
        tb.index(*cols, name=ix_name, unique=draw(st.booleans()))
    for col in draw(st.lists(st.sampled_from(names), max_size=1)):
        tb.unique(col, name=draw(st.sampled_from([None, f"{name}_{col}_key"])))
    for col in draw(st.lists(st.sampled_from(names), max_size=1)):
        tb.check(draw(st.sampled_from([f"ck_{name}_{col}", f"{col}_valid"])),
                 draw(st.sampled_from([f"{col} IN ('a', 'b')", f"{col} IS NOT NULL"])))


@st.composite
def schemas(draw: st.DrawFn) -> m.Schema:
    """1-4 tables with assorted keys, columns, indexes and 0-4 relationships."""
    b = SchemaBuilder(m.Settings(pk_policy=draw(st.sampled_from(m.PK_POLICIES)),
                                 updated_at_mode=draw(st.sampled_from(["trigger", "orm"]))))
    names = draw(st.lists(st.sampled_from(TABLE_NAMES), min_size=1, max_size=4, unique=True))
    for name in names:
        draw(_table(b, name))
    for i in range(draw(st.integers(0, 4))):
        child, parent = draw(st.sampled_from(names)), draw(st.sampled_from(names))
        pk = [c for c in b.get(parent).columns if c.pk_order is not None]
        if len(pk) != 1:
            continue
        col = f"ref{i}_id"
        ctype = pk[0].type if draw(st.booleans()) else m.ColumnType(name="integer")
        cb = b.get(child)
        cb.columns.append(m.Column(uid=stable_uid("column", "public", child, col), name=col,
                                   type=ctype, nullable=draw(st.booleans())))
        if draw(st.booleans()):
            cb.index(col)
        b.relationship(child, [col], parent,
                       on_delete=draw(st.sampled_from(m.FK_ACTIONS)),
                       on_update=draw(st.sampled_from(["NO ACTION", "UNSPECIFIED"])),
                       deferrable=draw(st.booleans()),
                       name=draw(st.sampled_from([None, f"{child}_{col}_fkey"])))
    return b.build()
