"""drizzle-kit 0.31 snapshots (``drizzle/meta/NNNN_snapshot.json``, version "7"), written in
Python from the design: what drizzle-kit's own serialiser makes of the ``schema.ts`` of that
version, so ``drizzle-kit generate`` after ``migrate`` finds no change and ``drizzle-kit
check`` is satisfied. Export needs no Node.

The tests compare these with the snapshot drizzle-kit writes itself from the exported
``schema.ts``.
"""

from __future__ import annotations

import uuid
from typing import Any

from modeler.codegen.drizzle.shape import (
    FK_ACTIONS,
    column_default,
    index_keys,
    index_where,
    not_null,
)
from modeler.codegen.drizzle.tstypes import TypeCache
from modeler.codegen.extras import namespaces
from modeler.codegen.specs import primary_key_name
from modeler.codegen.sqlwriter import expr as canonical_expr
from modeler.schema.identity import effective
from modeler.schema.model import Column, Schema, Table

ORIGIN_ID = "00000000-0000-0000-0000-000000000000"
SNAPSHOT_VERSION = "7"
_ID_NAMESPACE = uuid.UUID("6b1c3c52-5e0a-4a53-9d3c-7d1f6f0c2a10")


def snapshot_id(slug: str, number: int) -> str:
    """A stable id for version ``number`` of project ``slug`` (saved versions never change)."""
    return str(uuid.uuid5(_ID_NAMESPACE, f"{slug}\x00{number}"))


def _identity(table: Table, c: Column) -> dict[str, Any]:
    """The identity as drizzle-kit 0.31 writes it: every option, PostgreSQL's defaults
    filled in (from the column's type and the increment's sign)."""
    o = effective(c.identity_options, c.type)
    return {"type": "always" if c.identity == "always" else "byDefault",
            "name": f"{table.name}_{c.name}_seq", "schema": table.namespace,
            "increment": str(o.increment), "startWith": str(o.start),
            "minValue": str(o.min_value), "maxValue": str(o.max_value), "cache": str(o.cache),
            "cycle": o.cycle}


def _column(schema: Schema, table: Table, c: Column, types: TypeCache) -> dict[str, Any]:
    ct = types(c.type, c.collation)
    out: dict[str, Any] = {"name": c.name, "type": ct.sql_type}
    if ct.enum_uid is not None:
        out["typeSchema"] = schema.enum(ct.enum_uid).namespace
    out["primaryKey"] = False
    out["notNull"] = not_null(c)
    if c.generated:
        out["generated"] = {"as": canonical_expr(c.generated), "type": "stored"}
    if c.identity:
        out["identity"] = _identity(table, c)
    default = column_default(c)
    if default is not None:
        out["default"] = default[1]
    return out


def _indexes(schema: Schema, table: Table) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for ix in table.indexes:
        cols = []
        for key in index_keys(schema, ix):
            if key.column is not None:
                col: dict[str, Any] = {"expression": schema.column(key.column).name,
                                       "isExpression": False, "asc": key.asc,
                                       "nulls": key.nulls}
                if key.opclass:
                    col["opclass"] = key.opclass
            else:
                col = {"expression": key.expression, "asc": True, "isExpression": True,
                       "nulls": "last"}
            cols.append(col)
        entry: dict[str, Any] = {"name": ix.name, "columns": cols, "isUnique": ix.unique}
        where = index_where(ix)
        if where is not None:
            entry["where"] = where
        entry.update({"concurrently": False, "method": ix.method, "with": {}})
        out[ix.name] = entry
    return out


def _foreign_keys(schema: Schema, table: Table) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for rel in schema.relationships_of(table.uid):
        parent = schema.table(rel.parent_table)
        fk: dict[str, Any] = {"name": rel.name, "tableFrom": table.name, "tableTo": parent.name}
        if parent.namespace != "public":
            fk["schemaTo"] = parent.namespace
        fk.update({"columnsFrom": [schema.column(c).name for c in rel.child_columns],
                   "columnsTo": [schema.column(c).name for c in rel.parent_columns],
                   "onDelete": FK_ACTIONS.get(rel.on_delete, "no action"),
                   "onUpdate": FK_ACTIONS.get(rel.on_update, "no action")})
        out[rel.name] = fk
    return out


def _table(schema: Schema, table: Table, types: TypeCache) -> dict[str, Any]:
    pk = table.primary_key
    pk_name = primary_key_name(table)
    return {
        "name": table.name,
        "schema": "" if table.namespace == "public" else table.namespace,
        "columns": {c.name: _column(schema, table, c, types) for c in table.columns},
        "indexes": _indexes(schema, table),
        "foreignKeys": _foreign_keys(schema, table),
        "compositePrimaryKeys": ({pk_name: {"name": pk_name, "columns": [c.name for c in pk]}}
                                 if pk else {}),
        "uniqueConstraints": {u.name: {"name": u.name, "nullsNotDistinct": u.nulls_not_distinct,
                                       "columns": [schema.column(c).name for c in u.columns]}
                              for u in table.uniques},
        "policies": {},
        "checkConstraints": {k.name: {"name": k.name, "value": canonical_expr(k.expression)}
                             for k in table.checks},
        "isRLSEnabled": False,
    }


def _sequence_value(value: int | None, default: str) -> str:
    return default if value is None else str(int(value))


def _sequences(schema: Schema) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for s in schema.sequences:
        increment = _sequence_value(s.increment, "1")
        down = int(increment) < 0
        minimum = _sequence_value(s.min_value, "-9223372036854775808" if down else "1")
        maximum = _sequence_value(s.max_value, "-1" if down else "9223372036854775807")
        out[f"{s.namespace}.{s.name}"] = {
            "name": s.name, "schema": s.namespace, "increment": increment,
            "startWith": _sequence_value(s.start, maximum if down else minimum),
            "minValue": minimum, "maxValue": maximum, "cache": _sequence_value(s.cache, "1"),
            "cycle": s.cycle}
    return out


def snapshot(schema: Schema, *, id: str, prev_id: str) -> dict[str, Any]:
    """The snapshot of ``schema`` as drizzle-kit 0.31 writes it."""
    types = TypeCache(schema)
    return {
        "id": id,
        "prevId": prev_id,
        "version": SNAPSHOT_VERSION,
        "dialect": "postgresql",
        "tables": {f"{t.namespace}.{t.name}": _table(schema, t, types) for t in schema.tables},
        "enums": {f"{e.namespace}.{e.name}": {"name": e.name, "schema": e.namespace,
                                              "values": list(e.labels)}
                  for e in schema.enums},
        "schemas": {ns: ns for ns in namespaces(schema)},
        "sequences": _sequences(schema),
        "roles": {},
        "policies": {},
        "views": {},
        "_meta": {"columns": {}, "schemas": {}, "tables": {}},
    }
