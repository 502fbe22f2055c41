"""Three-way merge of designs for team review (issue 8).

Elements are matched by stable uid at every level (tables, columns, indexes, constraints,
FKs, enums and their values, domains, sequences, collations, extensions, raw objects), then
merged field by field: a field changed on one side only takes that change; a field changed on
both sides to different values is a conflict (ours is kept in the result, both values are in
the conflict). An element deleted on one side and changed on the other is a conflict too, and the
changed element is kept — nothing is lost. Positional collections (columns, enum values, raw
objects) keep the order of the side that reordered them, with the other side's additions
placed after their neighbours. References left dangling by the merge (an index on a column
the other side dropped) are reported as conflicts.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Literal

from modeler.schema.model import EnumType, Schema, Settings, Table, normalized

ConflictKind = Literal["field", "delete-modify", "dangling"]

# dataclass -> fields that hold uid-keyed collections, and whether their order is positional
_COLLECTIONS: dict[type, dict[str, bool]] = {
    Schema: {"tables": False, "relationships": False, "enums": False, "domains": False,
             "extensions": False, "sequences": False, "raw_objects": True,
             "collations": False},
    Table: {"columns": True, "indexes": False, "uniques": False, "checks": False,
            "query_patterns": False},
    EnumType: {"values": True},
}


@dataclass(frozen=True, slots=True)
class Conflict:
    """Both sides changed ``field`` of element ``uid`` (at ``path``) differently."""

    kind: ConflictKind
    path: str
    uid: str
    field: str | None
    base: Any
    ours: Any
    theirs: Any

    def describe(self) -> str:
        if self.kind == "delete-modify":
            side = "ours" if self.ours is None else "theirs"
            return f"{self.path}: deleted in {side}, changed in the other (kept)"
        if self.kind == "dangling":
            return f"{self.path}: refers to {self.field}, which the merge removed"
        return f"{self.path}.{self.field}: ours {self.ours!r}, theirs {self.theirs!r}"


@dataclass(frozen=True, slots=True)
class MergeResult:
    schema: Schema
    conflicts: tuple[Conflict, ...]

    @property
    def clean(self) -> bool:
        return not self.conflicts


class _Merger:
    def __init__(self) -> None:
        self.conflicts: list[Conflict] = []

    def element(self, path: str, b: Any, o: Any, t: Any) -> Any:
        """Field-wise merge of three versions of one element (``b`` may be None). Values
        such as a column type or a diagram position are atomic: both sides changing them
        differently is a conflict, never a mix."""
        nested = _COLLECTIONS.get(type(o), {})
        changes: dict[str, Any] = {}
        for f in dataclasses.fields(o):
            bv = getattr(b, f.name) if b is not None else None
            ov, tv = getattr(o, f.name), getattr(t, f.name)
            if f.name in nested:
                changes[f.name] = self.collection(f"{path}.{f.name}", bv or (), ov, tv,
                                                  nested[f.name])
            elif ov == tv or bv == tv:
                changes[f.name] = ov
            elif bv == ov:
                changes[f.name] = tv
            elif isinstance(ov, Settings) and isinstance(tv, Settings):
                changes[f.name] = self.element(f"{path}.{f.name}", bv, ov, tv)
            else:
                self.conflicts.append(Conflict("field", path, getattr(o, "uid", ""), f.name,
                                               bv, ov, tv))
                changes[f.name] = ov
        return dataclasses.replace(o, **changes)

    def collection(self, path: str, b: tuple[Any, ...], o: tuple[Any, ...],
                   t: tuple[Any, ...], positional: bool) -> tuple[Any, ...]:
        bm, om, tm = ({x.uid: x for x in items} for items in (b, o, t))
        merged: dict[str, Any] = {}
        for uid in dict.fromkeys([*om, *tm, *bm]):
            bv, ov, tv = bm.get(uid), om.get(uid), tm.get(uid)
            label = f"{path}[{_label(ov or tv or bv)}]"
            if ov == tv:
                value = ov
            elif bv == ov:
                value = tv
            elif bv == tv:
                value = ov
            elif ov is None or tv is None:
                self.conflicts.append(Conflict("delete-modify", label, uid, None, bv, ov, tv))
                value = ov if ov is not None else tv
            else:
                value = self.element(label, bv, ov, tv)
            if value is not None:
                merged[uid] = value
        if not positional:
            return tuple(merged.values())
        order = _merge_order([x.uid for x in b], [x.uid for x in o], [x.uid for x in t],
                             set(merged))
        return tuple(merged[u] for u in order)


def _label(element: Any) -> str:
    return str(getattr(element, "name", None) or getattr(element, "label", None)
               or element.uid)


def _merge_order(b: list[str], o: list[str], t: list[str], keep: set[str]) -> list[str]:
    """Order of the side that reordered shared elements (ours when both did), with the
    other side's own elements after their nearest kept predecessor."""
    shared = set(b) & set(o) & set(t)
    base_seq = [u for u in b if u in shared]
    ours_moved = [u for u in o if u in shared] != base_seq
    theirs_moved = [u for u in t if u in shared] != base_seq
    primary, secondary = (t, o) if theirs_moved and not ours_moved else (o, t)
    result = [u for u in primary if u in keep]
    for i, uid in enumerate(secondary):
        if uid in keep and uid not in result:
            pos = 0
            for prev in reversed(secondary[:i]):
                if prev in result:
                    pos = result.index(prev) + 1
                    break
            result.insert(pos, uid)
    return result + [u for u in b if u in keep and u not in result]


def _dangling(schema: Schema) -> list[Conflict]:
    out: list[Conflict] = []
    tables = {t.uid: t for t in schema.tables}
    types = {e.uid for e in schema.enums} | {d.uid for d in schema.domains}

    def missing(path: str, uid: str, what: str) -> None:
        out.append(Conflict("dangling", path, uid, what, None, None, None))
    for t in schema.tables:
        cols = {c.uid for c in t.columns}
        if t.partition_of is not None and t.partition_of not in tables:
            missing(t.name, t.uid, f"partition parent {t.partition_of}")
        for c in t.columns:
            if c.type.ref and c.type.ref not in types:
                missing(f"{t.name}.{c.name}", c.uid, f"type {c.type.ref}")
        for ix in t.indexes:
            for ref in (*(u for u in ix.column_uids if u), *ix.include):
                if ref not in cols:
                    missing(f"{t.name}.{ix.name}", ix.uid, f"column {ref}")
        for u in t.uniques:
            for ref in u.columns:
                if ref not in cols:
                    missing(f"{t.name}.{u.name}", u.uid, f"column {ref}")
    for r in schema.relationships:
        for table_uid, cols_ in ((r.child_table, r.child_columns),
                                 (r.parent_table, r.parent_columns)):
            table = tables.get(table_uid)
            if table is None:
                missing(r.name, r.uid, f"table {table_uid}")
                continue
            have = {c.uid for c in table.columns}
            for ref in cols_:
                if ref not in have:
                    missing(r.name, r.uid, f"column {ref}")
    return out


def merge(base: Schema, ours: Schema, theirs: Schema) -> MergeResult:
    """Merge two designs derived from ``base``; see the module docstring for the rules."""
    merger = _Merger()
    merged = merger.element("schema", base, ours, theirs)
    assert isinstance(merged, Schema)
    result = normalized(merged)
    return MergeResult(result, tuple(merger.conflicts) + tuple(_dangling(result)))
