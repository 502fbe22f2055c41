"""Findings on partitions that their parent already carries.

A partition holds a copy of its parent's columns, keys, CHECKs, indexes and FKs (PostgreSQL
makes them). A rule that finds something wrong with one of those copies finds it on the
parent too: the finding is reported once, on the parent (missing ``created_at``, a serial
column, an FK without ON DELETE...). Documentation lives on the parent as well (DC-*: a
partition needs no comment of its own). What belongs to the partition alone is still
checked: its own indexes and FKs, duplicate indexes, an FK without an index.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from modeler.rules.core import Finding
from modeler.schema.model import Schema, Table

Key = tuple[Any, ...]


def _index_key(schema: Schema, t: Table, uid: str) -> Key | None:
    for ix in t.indexes:
        if ix.uid == uid:
            parts = tuple((schema.column(p.column).name if p.column else p.expression,
                           p.descending, p.nulls, p.opclass, p.collation) for p in ix.parts)
            return ("index", parts, ix.unique, ix.method, ix.where)
    return None


def _element_key(schema: Schema, f: Finding, t: Table) -> Key | None:
    """What ``f`` is about, in terms that are the same on a parent and its partitions."""
    target = f.target
    kind, uid = target.kind, target.uid or ""
    if kind in ("table", "primary_key"):
        return (kind,)
    if kind == "column":
        return ("column", schema.column(uid).name) if uid in {c.uid for c in t.columns} \
            else None
    if kind == "relationship":
        rel = next((r for r in schema.relationships_of(t.uid) if r.uid == uid), None)
        return ("relationship", rel.name) if rel is not None else None
    if kind == "index":
        return _index_key(schema, t, uid)
    if kind == "unique":
        u = next((u for u in t.uniques if u.uid == uid), None)
        return ("unique", tuple(schema.column(c).name for c in u.columns)) if u else None
    if kind == "check":
        ck = next((k for k in t.checks if k.uid == uid), None)
        return ("check", ck.name) if ck is not None else None
    return None


def inherited(schema: Schema, findings: list[Finding]) -> Callable[[Finding], bool]:
    """A predicate: is this finding about a partition's copy of what its parent has (and
    the parent has the same finding), or about a partition's documentation?"""
    tables = {t.uid: t for t in schema.tables}
    parts = {uid: t for uid, t in tables.items()
             if t.partition_of is not None and t.partition_of in tables}
    parents = {t.partition_of for t in parts.values()}
    on_parents: set[tuple[str, str, Key]] = set()
    for f in findings:
        uid = f.target.table_uid
        if uid in parents and uid is not None:
            key = _element_key(schema, f, tables[uid])
            if key is not None:
                on_parents.add((f.rule, uid, key))

    def check(f: Finding) -> bool:
        part = parts.get(f.target.table_uid or "")
        if part is None:
            return False
        if f.rule.startswith("DC-"):
            return True
        key = _element_key(schema, f, part)
        return key is not None and (f.rule, part.partition_of or "", key) in on_parents

    return check
