"""What a column's DROP COLUMN takes with it, or refuses to take, besides the column's own
table's indexes, constraints and FKs: used where a migration drops a column only to add it
again at once (a generated column getting a new expression below PostgreSQL 17), so that
what stood on it is dropped first (an FK of another table referencing it: PostgreSQL
refuses the drop otherwise) or made again after (a kept index, user SQL the model does not
represent: DROP COLUMN drops it silently)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from modeler.schema.model import Column, RawObject, Relationship, Schema, Table
from modeler.schema.sqlexpr import one_statement


def referencing_foreign_keys(schema: Schema, table: Table, column: Column
                             ) -> list[Relationship]:
    """The FKs of ``schema`` referencing ``column`` of ``table`` whose own columns do not
    hold it (those go with the column: they are the table's own)."""
    return [r for r in schema.relationships if r.parent_table == table.uid
            and column.uid in r.parent_columns
            and not (r.child_table == table.uid and column.uid in r.child_columns)]


def kept_indexes_reading(schema: Schema, table: Table, column: str) -> list[RawObject]:
    """The kept indexes (raw objects, in their order) on ``table`` whose key, INCLUDE list or
    predicate reads ``column``: DROP COLUMN drops them. SQL that is not one CREATE INDEX is
    not looked into."""
    return [o for o in schema.raw_objects
            if o.kind == "index" and _reads(o, table, column)]


def _reads(obj: RawObject, table: Table, column: str) -> bool:
    tree = one_statement(obj.sql)
    if tree is None or tree[0] != "IndexStmt":
        return False
    node = tree[1]
    rel = node.get("relation") or {}
    if rel.get("relname") != table.name or rel.get("schemaname", table.namespace) not in (
            table.namespace, "" if table.namespace == "public" else table.namespace):
        return False
    parts = [node.get(k) for k in ("indexParams", "indexIncludingParams", "whereClause")]
    return column in set(_column_names(parts))


def _column_names(tree: Any) -> Iterator[str]:
    """Column names an index's parse tree reads: an element's name, a ColumnRef's last
    field."""
    if isinstance(tree, list):
        for item in tree:
            yield from _column_names(item)
    elif isinstance(tree, dict):
        for key, value in tree.items():
            if key == "IndexElem" and isinstance(value, dict) and value.get("name"):
                yield str(value["name"])
            if key == "ColumnRef" and isinstance(value, dict):
                last = (value.get("fields") or [{}])[-1]
                if isinstance(last, dict) and "String" in last:
                    yield str(last["String"].get("sval", ""))
            yield from _column_names(value)
