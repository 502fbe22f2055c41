"""Give an imported design the uids of the design it is meant to replace, matched by name.

The differ (:mod:`modeler.diff`) compares designs by uid: a design read from text (DBML of
the editor's text mode, pasted SQL) has uids of its own, so every element would look dropped
and re-added. :func:`adopt_uids` maps each element of ``new`` to the element of ``current``
with the same name in the same place (a column of the same table, an index of the same
table...) and rewrites the references; ``renames`` maps a new table's, column's, enum's
or enum label's name to the current one it renames, so that the differ sees a rename (its
uid survives), not a drop and an add. :func:`rename_candidates` proposes such pairs: a
table (or a column of one table) that goes while one of the same shape comes, an enum that
goes while one with the same labels comes, an enum's label typed over another in its place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from modeler.schema import model as m
from modeler.schema.serialize import from_dict, to_dict


@dataclass(frozen=True, slots=True)
class RenameCandidate:
    """``old`` dropped and ``new`` added look alike: the change may be a rename.
    ``kind`` is ``table`` (names are ``ns.name``), ``column`` (``ns.table.column``, the
    table as the new design names it), ``enum`` (``ns.name``) or ``enum value`` (the
    labels; ``within``: the enum, ``ns.name``)."""

    kind: str
    old: str
    new: str
    within: str = ""

    @property
    def key(self) -> str:
        if self.within:
            return f"{self.kind}:{self.within}:{self.old}:{self.new}"
        return f"{self.kind}:{self.old}:{self.new}"


def _tkey(t: m.Table) -> str:
    return f"{t.namespace}.{t.name}"


def _shape(t: m.Table, s: m.Schema) -> tuple[Any, ...]:
    return tuple((c.type.sql(s), c.nullable, c.pk_order) for c in t.columns)


def _ekey(e: m.EnumType) -> str:
    return f"{e.namespace}.{e.name}"


def _enum_candidates(current: m.Schema, new: m.Schema) -> list[RenameCandidate]:
    """Enums that go while one with the same labels comes (in the same namespace), and
    values of enums both designs have whose label goes while a new one comes in its place
    (:func:`modeler.schema.enumlabels.typed_over`)."""
    from modeler.schema.enumlabels import typed_over

    out: list[RenameCandidate] = []
    old_e = {_ekey(e): e for e in current.enums}
    new_e = {_ekey(e): e for e in new.enums}
    came = [e for k, e in new_e.items() if k not in old_e]
    used: set[str] = set()
    for g in (e for k, e in old_e.items() if k not in new_e):
        labels = [v.label for v in g.values]
        for c in came:
            if c.uid not in used and c.namespace == g.namespace and \
                    [v.label for v in c.values] == labels:
                used.add(c.uid)
                out.append(RenameCandidate("enum", _ekey(g), _ekey(c)))
                break
    for k, e in new_e.items():
        o = old_e.get(k)
        if o is not None:
            before = [v.label for v in o.values]
            out += [RenameCandidate("enum value", before[i], label, within=k)
                    for i, label in typed_over(before, [v.label for v in e.values])]
    return out


def rename_candidates(current: m.Schema, new: m.Schema) -> list[RenameCandidate]:
    """Tables, and columns of tables both designs have, that go while one of the same shape
    comes (same column types, nullability and key position; for a column, same type);
    enums and enum values (:func:`_enum_candidates`)."""
    out: list[RenameCandidate] = _enum_candidates(current, new)
    old_t = {_tkey(t): t for t in current.tables}
    new_t = {_tkey(t): t for t in new.tables}
    gone = [t for k, t in old_t.items() if k not in new_t]
    came = [t for k, t in new_t.items() if k not in old_t]
    used: set[str] = set()
    for g in gone:
        for c in came:
            if c.uid not in used and c.namespace == g.namespace and \
                    _shape(g, current) == _shape(c, new):
                used.add(c.uid)
                out.append(RenameCandidate("table", _tkey(g), _tkey(c)))
                break
    for k, t in new_t.items():
        o = old_t.get(k)
        if o is None:
            continue
        names = {c.name for c in t.columns}
        onames = {c.name for c in o.columns}
        came_c = [c for c in t.columns if c.name not in onames]
        taken: set[str] = set()
        for g_col in (c for c in o.columns if c.name not in names):
            for nc in came_c:
                if nc.name not in taken and nc.type.sql(new) == g_col.type.sql(current):
                    taken.add(nc.name)
                    out.append(RenameCandidate("column", f"{k}.{g_col.name}", f"{k}.{nc.name}"))
                    break
    return out


def adopt_uids(current: m.Schema, new: m.Schema,
               renames: list[RenameCandidate] | tuple[RenameCandidate, ...] = ()) -> m.Schema:
    """``new`` with the uids of ``current``'s elements of the same names (see the module
    docstring). Elements only ``new`` has keep their uids."""
    uid_map: dict[str, str] = {}
    table_renames = {r.new: r.old for r in renames if r.kind == "table"}
    column_renames = {r.new: r.old.rsplit(".", 1)[1] for r in renames if r.kind == "column"}

    def uid(x: Any) -> str:
        return str(x[1].uid if isinstance(x, tuple) else x.uid)

    def pair(new_items: Any, old_items: Any, key: Any, new_key: Any = None
             ) -> list[tuple[Any, Any]]:
        """Each of ``new_items`` with the one of ``old_items`` of its key (``new_key``: a
        new item's, when a rename gives it another), which gives it its uid."""
        olds = {key(o): o for o in old_items}
        matched = []
        for n in new_items:
            o = olds.get((new_key or key)(n))
            if o is not None:
                matched.append((n, o))
                if uid(o) != uid(n):
                    uid_map[uid(n)] = uid(o)
        return matched

    for t, ot in pair(new.tables, current.tables, _tkey,
                      lambda t: table_renames.get(_tkey(t), _tkey(t))):
        tkey = _tkey(t)
        pair(t.columns, ot.columns, lambda c: c.name,
             lambda c, k=tkey: column_renames.get(f"{k}.{c.name}", c.name))
        for attr in ("indexes", "uniques", "checks", "query_patterns"):
            pair(getattr(t, attr), getattr(ot, attr), lambda x: x.name)
    enum_renames = {r.new: r.old for r in renames if r.kind == "enum"}
    value_renames = {(r.within, r.new): r.old for r in renames if r.kind == "enum value"}
    for e, oe in pair(new.enums, current.enums, _ekey,
                      lambda e: enum_renames.get(_ekey(e), _ekey(e))):
        ekey = _ekey(e)
        pair(e.values, oe.values, lambda v: v.label,
             lambda v, k=ekey: value_renames.get((k, v.label), v.label))
    for attr in ("domains", "sequences", "collations"):
        pair(getattr(new, attr), getattr(current, attr), lambda x: (x.namespace, x.name))
    pair(new.extensions, current.extensions, lambda x: x.name)
    pair(_numbered(new.raw_objects), _numbered(current.raw_objects),
         lambda x: (x[1].kind, x[1].namespace, x[1].name, x[0]))
    old_rels = {(r.child_table, r.name): r for r in current.relationships}
    for r in new.relationships:
        orel = old_rels.get((uid_map.get(r.child_table, r.child_table), r.name))
        if orel is not None and orel.uid != r.uid:
            uid_map[r.uid] = orel.uid
    if not uid_map:
        return new
    return m.normalized(from_dict(_remap(to_dict(new), uid_map)))


def _numbered(raws: tuple[m.RawObject, ...]) -> list[tuple[int, m.RawObject]]:
    """Kept SQL with the same kind and name (overloaded functions, ``other`` statements)
    told apart by their order."""
    seen: dict[tuple[str, str, str], int] = {}
    out = []
    for r in raws:
        k = (r.kind, r.namespace, r.name)
        seen[k] = seen.get(k, 0) + 1
        out.append((seen[k], r))
    return out


def _remap(data: Any, uid_map: dict[str, str]) -> Any:
    if isinstance(data, str):
        return uid_map.get(data, data)
    if isinstance(data, list):
        return [_remap(x, uid_map) for x in data]
    if isinstance(data, dict):
        return {k: _remap(v, uid_map) for k, v in data.items()}
    return data


__all__ = ["RenameCandidate", "adopt_uids", "rename_candidates"]
