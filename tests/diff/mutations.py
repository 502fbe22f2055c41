"""Edits a user makes to a design, as Hypothesis-driven snapshot mutations.

Each mutation takes a valid normalized snapshot and returns a valid one (renames keep uids,
expressions follow renamed columns, dependants of dropped things go too). Used by
``tests.strategies.schema_pairs``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from hypothesis import strategies as st

from modeler.schema import model as m
from modeler.schema import validate
from tests import strategies as S

Draw = st.DrawFn
Mutation = Callable[[Draw, m.Schema, S.Uids], m.Schema]


def _put(s: m.Schema, t: m.Table) -> m.Schema:
    return replace(s, tables=tuple(t if x.uid == t.uid else x for x in s.tables))


def _pick_table(draw: Draw, s: m.Schema) -> m.Table:
    return draw(st.sampled_from(s.tables))


def _fresh(draw: Draw, pool: tuple[str, ...], used: set[str], swap_with: list[str]) -> str:
    """A name from ``pool`` not in ``used``, or (a swap) one of ``swap_with``."""
    free = [n for n in pool if n not in used]
    options = free + swap_with if free else swap_with or [f"{pool[0]}_x{len(used)}"]
    return draw(st.sampled_from(options))


def _sub_names(text: str | None, mapping: dict[str, str]) -> str | None:
    if not text or not mapping:
        return text
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, mapping)) + r")\b")
    return pattern.sub(lambda mt: mapping[mt.group(1)], text)


def _uses_column(t: m.Table, name: str) -> bool:
    exprs = [c.generated for c in t.columns] + [k.expression for k in t.checks]
    exprs += [i.where for i in t.indexes] + [p.expression for i in t.indexes for p in i.parts]
    return any(e and re.search(rf"\b{re.escape(name)}\b", e) for e in exprs)


def _fk_columns(s: m.Schema) -> set[str]:
    return {c for r in s.relationships for c in (*r.child_columns, *r.parent_columns)}


# --- tables --------------------------------------------------------------------------------

def rename_table(draw: Draw, s: m.Schema, uid: S.Uids) -> m.Schema:
    t = _pick_table(draw, s)
    others = [x for x in s.tables if x.uid != t.uid]
    new = _fresh(draw, S.TABLE_NAMES, {x.name for x in s.tables}, [x.name for x in others])
    swapped = [replace(x, name=t.name) for x in others if x.name == new]
    s = replace(s, tables=tuple(swapped[0] if swapped and x.uid == swapped[0].uid else x
                                for x in s.tables))
    return _put(s, replace(t, name=new))


def move_table(draw: Draw, s: m.Schema, uid: S.Uids) -> m.Schema:
    t = _pick_table(draw, s)
    s = replace(s, sequences=tuple(
        replace(q, owned_by_table=None, owned_by_column=None) if q.owned_by_table == t.uid
        else q for q in s.sequences))
    return _put(s, replace(t, namespace="app" if t.namespace == "public" else "public"))


def drop_table(draw: Draw, s: m.Schema, uid: S.Uids) -> m.Schema:
    t = _pick_table(draw, s)
    if len(s.tables) == 1:
        return s
    return replace(
        s, tables=tuple(x for x in s.tables if x.uid != t.uid),
        relationships=tuple(r for r in s.relationships if t.uid not in (
            r.child_table, r.parent_table)),
        sequences=tuple(replace(q, owned_by_table=None, owned_by_column=None)
                        if q.owned_by_table == t.uid else q for q in s.sequences))


def add_table(draw: Draw, s: m.Schema, uid: S.Uids) -> m.Schema:
    name = _fresh(draw, S.TABLE_NAMES, {x.name for x in s.tables}, [])
    t = S.table(draw, uid, name, s, S.namespace(draw))
    s = replace(s, tables=(*s.tables, t))
    parent = _pick_table(draw, s)
    made = S.relationship(draw, uid, s, t, parent) if draw(st.booleans()) else None
    if made is not None:
        s = replace(_put(s, made[0]), relationships=(*s.relationships, made[1]))
    return s


def table_details(draw: Draw, s: m.Schema, uid: S.Uids) -> m.Schema:
    t = _pick_table(draw, s)
    what = draw(st.sampled_from(("comment", "kind", "delete_strategy", "subject_area", "color",
                                 "position", "patterns", "elements", "rename", "redefine")))
    if what == "comment":
        return _put(s, replace(t, comment=draw(st.sampled_from(S.COMMENTS))))
    if what == "kind":
        return _put(s, replace(t, kind=draw(st.sampled_from(m.TABLE_KINDS))))
    if what == "delete_strategy":
        return _put(s, replace(t, delete_strategy="soft" if t.delete_strategy == "hard"
                               else "hard"))
    if what in ("subject_area", "color"):
        value = draw(st.sampled_from(("", "billing", "#123456")))
        return _put(s, replace(t, subject_area=value) if what == "subject_area"
                    else replace(t, color=value))
    if what == "position":
        return _put(s, replace(t, position=None if draw(st.booleans()) else m.Position(
            draw(st.integers(0, 99)) * 1.5, 7.25)))
    if what == "patterns":
        return _put(s, replace(t, query_patterns=tuple(
            replace(p, hot=not p.hot) for p in t.query_patterns)[:draw(st.integers(0, 1))]))
    if what == "rename":
        return _put(s, _rename_elements(draw, t))
    if what == "redefine":
        return _put(s, replace(
            t, indexes=tuple(replace(i, where=None if i.where else "true", comment="new")
                             for i in t.indexes),
            uniques=tuple(replace(u, deferrable=not u.deferrable, initially_deferred=False)
                          for u in t.uniques),
            checks=tuple(replace(k, expression=f"({k.expression})") for k in t.checks)))
    return _put(s, S.elements(draw, uid, t, s))  # indexes, uniques, checks all redrawn


def _rename_elements(draw: Draw, t: m.Table) -> m.Table:
    """New names for indexes and uniques (sometimes a swap); checks get a suffix."""
    named: list[m.Index | m.UniqueConstraint] = [*t.indexes, *t.uniques]
    names = [e.name for e in named]
    new_names = draw(st.permutations(names)) if draw(st.booleans()) else [
        f"{n}_r" for n in names]
    mapping = dict(zip([e.uid for e in named], new_names, strict=True))
    return replace(t, indexes=tuple(replace(i, name=mapping[i.uid]) for i in t.indexes),
                   uniques=tuple(replace(u, name=mapping[u.uid]) for u in t.uniques),
                   checks=tuple(replace(k, name=f"{k.name}_r") for k in t.checks))


# --- columns -------------------------------------------------------------------------------

def rename_column(draw: Draw, s: m.Schema, uid: S.Uids) -> m.Schema:
    t = _pick_table(draw, s)
    if not t.columns:
        return s
    c = draw(st.sampled_from(t.columns))
    used = {x.name for x in t.columns}
    new = _fresh(draw, S.COLUMN_NAMES, used, [x.name for x in t.columns if x.uid != c.uid])
    mapping = {c.name: new} | ({new: c.name} if new in used else {})
    cols = tuple(replace(x, name=mapping.get(x.name, x.name),
                         generated=_sub_names(x.generated, mapping)) for x in t.columns)
    checks = tuple(replace(k, expression=_sub_names(k.expression, mapping) or "")
                   for k in t.checks)
    indexes = tuple(replace(i, where=_sub_names(i.where, mapping), parts=tuple(
        replace(p, expression=_sub_names(p.expression, mapping)) for p in i.parts))
        for i in t.indexes)
    return _put(s, replace(t, columns=cols, checks=checks, indexes=indexes))


def drop_column(draw: Draw, s: m.Schema, uid: S.Uids) -> m.Schema:
    t = _pick_table(draw, s)
    parents = {c for r in s.relationships for c in r.parent_columns}
    cands = [c for c in t.columns if c.pk_order is None and c.uid not in parents
             and not any(g.generated and re.search(rf"\b{c.name}\b", g.generated)
                         for g in t.columns)]
    if not cands:
        return s
    c = draw(st.sampled_from(cands))
    gone = c.uid

    def mentions(text: str | None) -> bool:
        return bool(text and re.search(rf"\b{re.escape(c.name)}\b", text))
    t = replace(
        t, columns=tuple(x for x in t.columns if x.uid != gone),
        indexes=tuple(i for i in t.indexes if gone not in i.column_uids
                      and gone not in i.include and not mentions(i.where)
                      and not any(mentions(p.expression) for p in i.parts)),
        uniques=tuple(u for u in t.uniques if gone not in u.columns),
        checks=tuple(k for k in t.checks if not mentions(k.expression)),
        query_patterns=tuple(replace(p, equality=tuple(e for e in p.equality if e != gone),
                                     range=None if p.range == gone else p.range,
                                     order_by=tuple(o for o in p.order_by if o.column != gone))
                             for p in t.query_patterns))
    return replace(_put(s, t), relationships=tuple(
        r for r in s.relationships if gone not in r.child_columns),
        sequences=tuple(replace(q, owned_by_table=None, owned_by_column=None)
                        if q.owned_by_column == gone else q for q in s.sequences))


def add_column(draw: Draw, s: m.Schema, uid: S.Uids) -> m.Schema:
    t = _pick_table(draw, s)
    used = {c.name for c in t.columns}
    c = S.column(draw, uid, _fresh(draw, S.COLUMN_NAMES, used, []), s)
    if c.name in used:
        return s
    return _put(s, replace(t, columns=(*t.columns, c)))


def alter_column(draw: Draw, s: m.Schema, uid: S.Uids) -> m.Schema:
    t = _pick_table(draw, s)
    fixed = _fk_columns(s) | {q.owned_by_column for q in s.sequences}
    cands = [c for c in t.columns if c.pk_order is None and c.generated is None
             and c.uid not in fixed]
    if not cands:
        return s
    c = draw(st.sampled_from(cands))
    what = draw(st.sampled_from(("type", "nullable", "default", "comment", "identity", "meta")))
    if what == "type" and not _referenced(t, c):
        ctype = S.column_type(draw, s)
        c = replace(c, type=ctype, default=S.default_for(draw, ctype, s), identity=None,
                    collation=S.collation_for(draw, ctype, s))
    elif what == "nullable" and c.identity is None:
        c = replace(c, nullable=not c.nullable)
    elif what == "default" and c.identity is None:
        c = replace(c, default=S.default_for(draw, c.type, s))
    elif what == "identity" and c.type in (m.ColumnType(name="integer"),
                                           m.ColumnType(name="bigint")):
        c = replace(c, identity=None if c.identity else draw(st.sampled_from(m.IDENTITIES)),
                    default=None, nullable=False)
    elif what == "meta":
        c = replace(c, null_meaning=draw(st.sampled_from(("", "unknown"))),
                    searchable=draw(st.sampled_from(m.SEARCHABLE)),
                    frequently_queried=not c.frequently_queried,
                    denormalized=None if c.denormalized else m.Denormalization("a.b", "job"))
    else:
        c = replace(c, comment=draw(st.sampled_from(S.COMMENTS)))
    return _put(s, replace(t, columns=tuple(c if x.uid == c.uid else x for x in t.columns)))


def _referenced(t: m.Table, c: m.Column) -> bool:
    in_elements = any(c.uid in (*i.column_uids, *i.include) for i in t.indexes) or any(
        c.uid in u.columns for u in t.uniques)
    in_patterns = any(c.uid in (*p.equality, p.range, *(o.column for o in p.order_by))
                      for p in t.query_patterns)
    return in_elements or in_patterns or _uses_column(t, c.name)


def reorder_columns(draw: Draw, s: m.Schema, uid: S.Uids) -> m.Schema:
    t = _pick_table(draw, s)
    return _put(s, replace(t, columns=tuple(draw(st.permutations(t.columns)))))


def change_pk(draw: Draw, s: m.Schema, uid: S.Uids) -> m.Schema:
    t = _pick_table(draw, s)
    if draw(st.booleans()):
        return _put(s, replace(t, pk_name=None if t.pk_name else f"{t.name}_pk2"))
    extra = [c for c in t.columns if c.pk_order is None and not c.nullable
             and S.is_btree(c.type, s) and c.generated is None]
    if t.primary_key and (not extra or draw(st.booleans())):
        cols = tuple(replace(c, pk_order=None) for c in t.columns)  # drop the key
        t = replace(t, columns=cols, pk_name=None)
    elif extra:
        top = max((c.pk_order or 0) for c in t.columns)
        add = draw(st.sampled_from(extra)).uid
        t = replace(t, columns=tuple(replace(c, pk_order=top + 1) if c.uid == add else c
                                     for c in t.columns))
    return replace(_put(s, t), relationships=tuple(
        r for r in s.relationships if r.parent_table != t.uid))


# --- relationships -----------------------------------------------------------------------------

def change_fk(draw: Draw, s: m.Schema, uid: S.Uids) -> m.Schema:
    if not s.relationships or draw(st.integers(0, 3)) == 0:
        child, parent = _pick_table(draw, s), _pick_table(draw, s)
        made = S.relationship(draw, uid, s, child, parent)
        if made is None:
            return s
        return replace(_put(s, made[0]), relationships=(*s.relationships, made[1]))
    r = draw(st.sampled_from(s.relationships))
    what = draw(st.sampled_from(("drop", "rename", "actions", "meta", "comment")))
    if what == "drop":
        new: m.Relationship | None = None
    elif what == "rename":
        new = replace(r, name=f"{r.name}_v2")
    elif what == "actions":
        nullable = all(s.column(c).nullable for c in r.child_columns)
        acts = [a for a in m.FK_ACTIONS if nullable or a != "SET NULL"]
        new = replace(r, on_delete=draw(st.sampled_from(acts)),
                      deferrable=not r.deferrable, initially_deferred=False,
                      match="FULL" if r.match == "SIMPLE" else "SIMPLE")
    elif what == "meta":
        new = replace(r, cardinality=draw(st.sampled_from(m.CARDINALITIES)),
                      optional=not r.optional)
    else:
        new = replace(r, comment=draw(st.sampled_from(S.COMMENTS)))
    rels = tuple(x for x in s.relationships if x.uid != r.uid)
    return replace(s, relationships=rels + ((new,) if new else ()))


# --- types ---------------------------------------------------------------------------------------

def _enum_columns(s: m.Schema, enum_uid: str) -> list[tuple[m.Table, m.Column]]:
    return [(t, c) for t in s.tables for c in t.columns if c.type.ref == enum_uid]


def _clear_defaults(s: m.Schema, type_uid: str) -> m.Schema:
    for t, c in _enum_columns(s, type_uid):
        t = s.table(t.uid)
        s = _put(s, replace(t, columns=tuple(replace(x, default=None) if x.uid == c.uid else x
                                             for x in t.columns)))
    return s


def change_enum(draw: Draw, s: m.Schema, uid: S.Uids) -> m.Schema:
    if not s.enums or draw(st.integers(0, 4)) == 0:
        name = _fresh(draw, S.ENUM_NAMES, {e.name for e in s.enums}, [])
        if name in {e.name for e in s.enums}:
            return s
        return replace(s, enums=(*s.enums, S.enum_type(draw, uid, name)))
    e = draw(st.sampled_from(s.enums))
    what = draw(st.sampled_from(("add", "remove", "relabel", "move", "rename", "drop",
                                 "comment")))
    values = list(e.values)
    if what == "add":
        label = _fresh(draw, S.LABELS, set(e.labels), [])
        if label not in e.labels:
            values.insert(draw(st.integers(0, len(values))), m.EnumValue(uid("ev"), label))
    elif what == "remove" and len(values) > 1:
        values.pop(draw(st.integers(0, len(values) - 1)))
        s = _clear_defaults(s, e.uid)
    elif what == "relabel":
        i = draw(st.integers(0, len(values) - 1))
        values[i] = replace(values[i], label=_fresh(draw, S.LABELS, set(e.labels),
                                                    [v.label for v in values]))
        if values[i].label in e.labels and values[i].label != e.values[i].label:
            j = e.labels.index(values[i].label)  # a swap of two labels
            values[j] = replace(values[j], label=e.values[i].label)
        s = _clear_defaults(s, e.uid)
    elif what == "move":
        v = values.pop(draw(st.integers(0, len(values) - 1)))
        values.insert(draw(st.integers(0, len(values))), v)
    elif what == "rename":
        e = replace(e, name=f"{e.name}_v2", namespace=S.namespace(draw))
    elif what == "drop":
        if _enum_columns(s, e.uid) or any(d.base.ref == e.uid for d in s.domains):
            return s
        return replace(s, enums=tuple(x for x in s.enums if x.uid != e.uid))
    else:
        e = replace(e, comment=draw(st.sampled_from(S.COMMENTS)))
    e = replace(e, values=tuple(values))
    return replace(s, enums=tuple(e if x.uid == e.uid else x for x in s.enums))


def change_domain(draw: Draw, s: m.Schema, uid: S.Uids) -> m.Schema:
    if not s.domains or draw(st.integers(0, 3)) == 0:
        name = _fresh(draw, S.DOMAIN_NAMES, {d.name for d in s.domains}, [])
        if name in {d.name for d in s.domains}:
            return s
        return replace(s, domains=(*s.domains, S.domain(draw, uid, name)))
    d = draw(st.sampled_from(s.domains))
    what = draw(st.sampled_from(("drop", "rename", "null", "default", "checks", "comment")))
    if what == "drop":
        if _enum_columns(s, d.uid):
            return s
        return replace(s, domains=tuple(x for x in s.domains if x.uid != d.uid))
    new = {"rename": replace(d, name=f"{d.name}_v2"),
           "null": replace(d, not_null=not d.not_null),
           "default": replace(d, default=None),
           "checks": replace(d, checks=d.checks[:0]),
           "comment": replace(d, comment=draw(st.sampled_from(S.COMMENTS)))}[what]
    return replace(s, domains=tuple(new if x.uid == d.uid else x for x in s.domains))


def change_misc(draw: Draw, s: m.Schema, uid: S.Uids) -> m.Schema:
    """Extensions, sequences, raw objects, settings and the design's name."""
    what = draw(st.sampled_from(("ext", "seq", "raw", "settings", "name")))
    if what == "ext":
        used = {c.type.name for t in s.tables for c in t.columns}
        have = {e.name for e in s.extensions}
        droppable = [e for e in s.extensions if e.name not in used]
        if draw(st.booleans()) and droppable:
            gone = draw(st.sampled_from(droppable)).uid
            return replace(s, extensions=tuple(e for e in s.extensions if e.uid != gone))
        if draw(st.booleans()) and s.extensions:
            e = draw(st.sampled_from(s.extensions))
            moved = replace(e, namespace=None if e.namespace else "app")
            return replace(s, extensions=tuple(moved if x.uid == e.uid else x
                                               for x in s.extensions))
        free = [n for n in S.EXTENSIONS if n not in have]
        return replace(s, extensions=(*s.extensions, m.Extension(
            uid("extension"), draw(st.sampled_from(free))))) if free else s
    if what == "seq":
        if draw(st.booleans()) and s.sequences:
            q = draw(st.sampled_from(s.sequences))
            changed = draw(st.sampled_from((
                None, replace(q, name=f"{q.name}_v2"), replace(q, increment=7, cycle=not q.cycle),
                replace(q, owned_by_table=None, owned_by_column=None))))
            rest = tuple(x for x in s.sequences if x.uid != q.uid)
            return replace(s, sequences=rest + ((changed,) if changed else ()))
        name = _fresh(draw, S.SEQ_NAMES, {q.name for q in s.sequences}, [])
        if name in {q.name for q in s.sequences}:
            return s
        return replace(s, sequences=(*s.sequences, S.sequence(draw, uid, name)))
    if what == "raw":
        if draw(st.booleans()) and s.raw_objects:
            return replace(s, raw_objects=tuple(draw(st.permutations(s.raw_objects)))[1:])
        return replace(s, raw_objects=(*s.raw_objects, S.raw_object(
            draw, uid, 10 + len(s.raw_objects))))
    if what == "settings":
        return replace(s, settings=replace(s.settings, updated_at_mode="orm" if (
            s.settings.updated_at_mode == "trigger") else "trigger", pg_version=17))
    return replace(s, name=f"{s.name}_v2")


def _with_column_collations(s: m.Schema, fn: Callable[[m.Column], str | None]) -> m.Schema:
    return replace(s, tables=tuple(replace(t, columns=tuple(
        replace(c, collation=fn(c)) for c in t.columns)) for t in s.tables))


def change_collation(draw: Draw, s: m.Schema, uid: S.Uids) -> m.Schema:
    """A collation added, dropped (its columns back to the default), renamed or moved (its
    columns follow), redefined or commented; or one column's collation changed."""
    what = draw(st.sampled_from(("column", "column", "add", "drop", "rename", "redefine")))
    if what == "add" or (what != "column" and not s.collations):
        names = {c.name for c in s.collations}
        free = [n for n in S.COLLATION_NAMES if n not in names]
        return replace(s, collations=(*s.collations, S.collation(
            draw, uid, draw(st.sampled_from(free))))) if free else s
    if what == "column":
        cols = [(t, c) for t in s.tables for c in t.columns
                if S.collation_for(draw, c.type, s) is not None or c.collation is not None]
        if not cols:
            return s
        t, c = draw(st.sampled_from(cols))
        new = None if c.collation is not None else S.collation_for(draw, c.type, s)
        return _put(s, replace(t, columns=tuple(replace(x, collation=new) if x.uid == c.uid
                                                else x for x in t.columns)))
    coll = draw(st.sampled_from(s.collations))
    rest = tuple(x for x in s.collations if x.uid != coll.uid)
    if what == "drop":
        s = _with_column_collations(s, lambda c: None if c.collation == coll.ref
                                    else c.collation)
        return replace(s, collations=rest)
    if what == "rename":
        moved = draw(st.sampled_from((
            replace(coll, name=f"{coll.name}_v2"),
            replace(coll, namespace="app" if coll.namespace == "public" else "public"))))
        s = _with_column_collations(s, lambda c: moved.ref if c.collation == coll.ref
                                    else c.collation)
        return replace(s, collations=(*rest, moved))
    changed = draw(st.sampled_from((replace(coll, locale="und-u-ks-level1"),
                                    replace(coll, comment="Changed comment"))))
    return replace(s, collations=(*rest, changed))


MUTATIONS: tuple[Mutation, ...] = (
    rename_table, move_table, drop_table, add_table, table_details, rename_column,
    drop_column, add_column, alter_column, alter_column, reorder_columns, change_pk, change_fk,
    change_fk, change_enum, change_enum, change_domain, change_misc, change_collation)


def mutate(draw: Draw, s: m.Schema) -> m.Schema:
    """``s`` after one to six random edits, normalized. An edit whose result the
    validator refuses is left out, as the editor refuses it: the mutations keep most names
    apart but not all (an index that kept its renamed table's old name, ``ix_account_0``,
    beside a new index of the table that took that name), and the tests built on these pairs
    migrate real PostgreSQL databases, which refuse such a design."""
    uid = S.Uids(100_000)
    for _ in range(draw(st.integers(1, 6))):
        edited = draw(st.sampled_from(MUTATIONS))(draw, s, uid)
        if not validate.problems(edited):
            s = edited
    return m.normalized(s)
