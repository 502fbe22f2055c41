"""The schema-level phases of the differ: extensions, collations, sequences, enums (and their
values), domains and raw SQL objects. See :mod:`modeler.diff.compare` for the overall order."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from modeler.diff.base import Change, Op, changes_between, find
from modeler.diff.compare_tables import Ctx, retyped_columns
from modeler.diff.ops_enum import (
    AddEnumValue,
    CreateEnum,
    DropEnum,
    RemoveEnumValue,
    RenameEnum,
    RenameEnumValue,
    ReorderEnumValues,
)
from modeler.diff.ops_partition import AlterCollation, CreateCollation, DropCollation
from modeler.diff.ops_types import (
    AlterDomain,
    AlterExtension,
    AlterSequence,
    CreateDomain,
    CreateExtension,
    CreateRawObject,
    CreateSequence,
    DropDomain,
    DropExtension,
    DropRawObject,
    DropSequence,
)
from modeler.diff.order import kept_in_order, order_renames
from modeler.identity_memo import IdentityMemo
from modeler.schema import naming
from modeler.schema.graph import domains_in_base_order
from modeler.schema.model import EnumType, EnumValue, RawObject, Schema, qualified_name

SEQUENCE_FIELDS = ("name", "namespace", "data_type", "start", "increment", "min_value",
                   "max_value", "cache", "cycle")
OWNER_FIELDS = ("owned_by_table", "owned_by_column")
DOMAIN_FIELDS = ("name", "namespace", "base", "not_null", "default", "checks", "comment")
COLLATION_FIELDS = ("provider", "locale", "lc_collate", "lc_ctype", "deterministic", "rules",
                    "comment")


def change_extensions(ctx: Ctx, *, early: bool) -> None:
    """Early: create, move, replace (a new name is another extension); an extension that
    comes back under a new uid keeps its database object. Late: drop."""
    wanted = {e.uid: e for e in ctx.new.extensions}
    if not early:
        for ext in ctx.state.extensions:
            if ext not in ctx.new.extensions:
                ctx.emit(DropExtension(ext))
        return
    for ext in ctx.state.extensions:
        n = wanted.get(ext.uid)
        if n is not None and n.name == ext.name and n != ext:
            ctx.emit(AlterExtension(ext, n))
    have = {(e.uid, e.name) for e in ctx.state.extensions}
    orphans = {e.name: e for e in ctx.state.extensions
               if e.uid not in wanted or wanted[e.uid].name != e.name}
    for uid, ext in wanted.items():
        if (uid, ext.name) in have:
            continue
        old = orphans.pop(ext.name, None)
        ctx.emit(AlterExtension(old, ext) if old is not None else CreateExtension(ext))


def free_names(ctx: Ctx) -> None:
    """Enums, domains, sequences and collations that go but whose name a new one takes:
    renamed out of the way first (they are dropped late, after the columns using them)."""
    enum_keys = {(e.namespace, e.name) for e in ctx.new.enums}
    kept = {e.uid for e in ctx.new.enums}
    for enum in ctx.state.enums:
        if enum.uid not in kept and (enum.namespace, enum.name) in enum_keys:
            taken = {e.name for e in ctx.state.enums} | {n for _, n in enum_keys}
            ctx.emit(RenameEnum(enum.uid, enum.name, _free(enum.name, taken),
                                enum.namespace, enum.namespace))
    renamers: tuple[tuple[str, type[AlterDomain] | type[AlterSequence] | type[AlterCollation]],
                    ...] = (("domains", AlterDomain), ("sequences", AlterSequence),
                            ("collations", AlterCollation))
    for group, op in renamers:
        new_items = getattr(ctx.new, group)
        keys = {(x.namespace, x.name) for x in new_items}
        kept = {x.uid for x in new_items}
        for item in getattr(ctx.state, group):
            if item.uid not in kept and (item.namespace, item.name) in keys:
                taken = {x.name for x in getattr(ctx.state, group)} | {n for _, n in keys}
                tmp = _free(item.name, taken)
                ctx.emit(op(item.uid, tmp, (Change("name", item.name, tmp),)))


def rename_objects(ctx: Ctx, group: str,
                   op: type[AlterDomain] | type[AlterSequence] | type[AlterCollation]) -> None:
    """Renames and moves of domains, sequences or collations, in an order (through temporary
    names for swaps) where no step takes a name still in use."""
    wanted = {x.uid: x for x in getattr(ctx.new, group)}
    items = getattr(ctx.state, group)
    renames = [(x.uid, (x.namespace, x.name), (wanted[x.uid].namespace, wanted[x.uid].name))
               for x in items if x.uid in wanted]
    occupied = [(x.namespace, x.name) for x in items]
    for uid, (ons, oname), (nns, nname) in order_renames(
            renames, occupied, lambda k, n: (k[0], _tmp(k[1], n))):
        changes = tuple(c for c in (Change("name", oname, nname),
                                    Change("namespace", ons, nns)) if c.old != c.new)
        ctx.emit(op(uid, qualified_name(nns, nname), changes))


def _free(name: str, taken: set[str]) -> str:
    n = 0
    while (tmp := _tmp(name, n)) in taken:
        n += 1
    return tmp


def _owner_changes(old: object, owner: tuple[str | None, str | None]) -> tuple[Change, ...]:
    return tuple(Change(f, getattr(old, f), v) for f, v in zip(OWNER_FIELDS, owner, strict=True)
                 if getattr(old, f) != v)


def change_sequences(ctx: Ctx) -> None:
    """Create new sequences unowned; change the others; release ownerships that change (a
    dropped owner column would take its sequence with it)."""
    wanted = {s.uid: s for s in ctx.new.sequences}
    rename_objects(ctx, "sequences", AlterSequence)
    for seq in ctx.state.sequences:
        n = wanted.get(seq.uid)
        if n is not None:
            changes = changes_between(seq, n, SEQUENCE_FIELDS)
            if changes:
                ctx.emit(AlterSequence(seq.uid, n.qualified_name, changes))
        owner_now = (seq.owned_by_table, seq.owned_by_column)
        owner_new = (n.owned_by_table, n.owned_by_column) if n else (None, None)
        if owner_now != owner_new and owner_now != (None, None):
            ctx.emit(AlterSequence(seq.uid, seq.qualified_name,
                                   _owner_changes(seq, (None, None))))
    have = {s.uid for s in ctx.state.sequences}
    for seq in ctx.new.sequences:
        if seq.uid not in have:
            ctx.emit(CreateSequence(replace(seq, owned_by_table=None, owned_by_column=None)))


def late_sequence_owners(ctx: Ctx) -> None:
    wanted = {s.uid: s for s in ctx.new.sequences}
    for seq in ctx.state.sequences:
        n = wanted.get(seq.uid)
        if n is not None and (n.owned_by_table, n.owned_by_column) != (
                seq.owned_by_table, seq.owned_by_column):
            ctx.emit(AlterSequence(seq.uid, seq.qualified_name,
                                   _owner_changes(seq, (n.owned_by_table, n.owned_by_column))))


def drop_sequences(ctx: Ctx) -> None:
    wanted = {s.uid for s in ctx.new.sequences}
    for seq in ctx.state.sequences:
        if seq.uid not in wanted:
            ctx.emit(DropSequence(seq))


def change_collations(ctx: Ctx, *, early: bool) -> None:
    """Early: rename, move, redefine or comment, and create (before the columns that use
    them); late: drop (after the columns moved off)."""
    _change_named(ctx, "collations", COLLATION_FIELDS, AlterCollation, CreateCollation,
                  DropCollation, early=early)


def create_enums(ctx: Ctx) -> None:
    have = {e.uid for e in ctx.state.enums}
    for enum in ctx.new.enums:
        if enum.uid not in have:
            ctx.emit(CreateEnum(enum))


def _tmp(name: str, n: int) -> str:
    return naming.truncate(f"{name}_tmp{n}" if n else f"{name}_tmp")


def rename_enums(ctx: Ctx) -> None:
    wanted = {e.uid: e for e in ctx.new.enums}
    renames = [(e.uid, (e.namespace, e.name), (wanted[e.uid].namespace, wanted[e.uid].name))
               for e in ctx.state.enums if e.uid in wanted]
    occupied = [(e.namespace, e.name) for e in ctx.state.enums]
    for uid, (ons, oname), (nns, nname) in order_renames(
            renames, occupied, lambda k, n: (k[0], _tmp(k[1], n))):
        ctx.emit(RenameEnum(uid, oname, nname, ons, nns))


def rename_enum_values(ctx: Ctx) -> None:
    """First among the table changes: the renames of kept values (through temporary labels
    for swaps), when no label they take is held by a value that goes (those wait for
    :func:`add_enum_values`). A rename makes the design's expressions that spell the label
    follow (:class:`~modeler.diff.ops_enum.RenameEnumValue`), as PostgreSQL's do, so a CHECK,
    an index predicate, a default or a view spelling it is left in place, not dropped and
    made again."""
    for old, new in _shared_enums(ctx):
        labels = {v.uid: v.label for v in new.values}
        going = {v.label for v in old.values if v.uid not in labels}
        renames = [(v.uid, v.label, labels[v.uid]) for v in old.values
                   if v.uid in labels and v.label != labels[v.uid]]
        if not renames or any(n in going for _u, _o, n in renames):
            continue
        for uid, olabel, nlabel in order_renames(renames, old.labels, _tmp):
            ctx.emit(RenameEnumValue(old.uid, new.qualified_name, uid, olabel, nlabel))


def _shared_enums(ctx: Ctx) -> list[tuple[EnumType, EnumType]]:
    wanted = {e.uid: e for e in ctx.new.enums}
    return [(e, wanted[e.uid]) for e in ctx.state.enums if e.uid in wanted]


def _moved(old: EnumType, new: EnumType) -> set[str]:
    """Values in both whose position relative to the others changed."""
    old_uids, new_uids = [v.uid for v in old.values], [v.uid for v in new.values]
    return (set(old_uids) & set(new_uids)) - kept_in_order(old_uids, new_uids)


def _insert_position(current: tuple[EnumValue, ...], target: tuple[EnumValue, ...],
                     index: int, present: set[str]) -> int:
    """Where ``target[index]`` goes: right after its nearest predecessor in ``target`` that
    is already present, else first."""
    pos = {v.uid: n for n, v in enumerate(current)}
    for prev in reversed(target[:index]):
        if prev.uid in present:
            return pos[prev.uid] + 1
    return 0


def add_enum_values(ctx: Ctx) -> None:
    """Early: value renames (through temporary labels for swaps) and new values."""
    for old, new in _shared_enums(ctx):
        labels = {v.uid: v.label for v in new.values}
        taken = set(old.labels) | set(labels.values())
        for value in old.values:  # a value that goes frees its label for a newcomer
            if value.uid not in labels and value.label in set(labels.values()):
                n = 0
                while (tmp := _tmp(value.label, n)) in taken:
                    n += 1
                taken.add(tmp)
                ctx.emit(RenameEnumValue(old.uid, new.qualified_name, value.uid, value.label,
                                         tmp))
        old = find(ctx.state.enums, old.uid)
        renames = [(v.uid, v.label, labels[v.uid]) for v in old.values if v.uid in labels]
        for uid, olabel, nlabel in order_renames(renames, old.labels, _tmp):
            ctx.emit(RenameEnumValue(old.uid, new.qualified_name, uid, olabel, nlabel))
        moved = _moved(old, new)
        have = {v.uid for v in old.values}
        present = have - moved
        for index, value in enumerate(new.values):
            if value.uid in have:
                continue
            current = find(ctx.state.enums, old.uid).values
            at = _insert_position(current, new.values, index, present)
            ctx.emit(AddEnumValue(old.uid, new.qualified_name, value, at))
            present.add(value.uid)


def late_enum_values(ctx: Ctx) -> None:
    """Late: remove values, then restore the order if values moved."""
    for old, new in _shared_enums(ctx):
        keep = {v.uid for v in new.values}
        for value in reversed(old.values):
            if value.uid not in keep:
                current = find(ctx.state.enums, old.uid).values
                pos = [v.uid for v in current].index(value.uid)
                ctx.emit(RemoveEnumValue(old.uid, new.qualified_name, current[pos], pos))
        current_order = tuple(v.uid for v in find(ctx.state.enums, old.uid).values)
        wanted = tuple(v.uid for v in new.values)
        if current_order != wanted:
            ctx.emit(ReorderEnumValues(old.uid, new.qualified_name, current_order, wanted))


def drop_enums(ctx: Ctx) -> None:
    wanted = {e.uid for e in ctx.new.enums}
    for enum in ctx.state.enums:
        if enum.uid not in wanted:
            ctx.emit(DropEnum(enum))


def change_domains(ctx: Ctx, *, early: bool) -> None:
    """Early: create and alter (but a domain whose base type changes: its checks, default
    and NOT NULL may only hold for the new base, so :func:`rebase_domains` recreates it with
    all of them); late: drop."""
    _change_named(ctx, "domains", tuple(f for f in DOMAIN_FIELDS if f != "base"),
                  AlterDomain, CreateDomain, DropDomain, early=early,
                  held=lambda old, new: old.base != new.base)


def _change_named(ctx: Ctx, attr: str, fields: tuple[str, ...],
                  alter: type[AlterDomain] | type[AlterCollation], create: Callable[[Any], Op],
                  drop: Callable[[Any], Op], *, early: bool,
                  held: Callable[[Any, Any], bool] = lambda old, new: False) -> None:
    """The ops of one kind of named schema-level object (``attr`` of the schema): early,
    renames, then ``alter`` with the changed ``fields`` (but for those ``held(old, new)``
    says are changed later), then ``create``; late, ``drop``."""
    wanted = {x.uid: x for x in getattr(ctx.new, attr)}
    if not early:
        olds = list(getattr(ctx.state, attr))
        if attr == "domains":  # a domain over a domain is dropped before its base
            olds = domains_in_base_order(olds)[::-1]
        for old in olds:
            if old.uid not in wanted:
                ctx.emit(drop(old))
        return
    rename_objects(ctx, attr, alter)
    for old in getattr(ctx.state, attr):
        n = wanted.get(old.uid)
        if n is not None and not held(old, n):
            changes = changes_between(old, n, fields)
            if changes:
                ctx.emit(alter(old.uid, n.qualified_name, changes))
    have = {x.uid for x in getattr(ctx.state, attr)}
    news = list(getattr(ctx.new, attr))
    if attr == "domains":  # a domain over a domain is created after its base
        news = domains_in_base_order(news)
    for x in news:
        if x.uid not in have:
            ctx.emit(create(x))


def rebase_domains(ctx: Ctx) -> None:
    """A new base type retypes every column of the domain: after the constraints and
    indexes that go are gone, like any other column type change. The domain is recreated,
    so the op carries its other changes too."""
    wanted = {d.uid: d for d in ctx.new.domains}
    for dom in ctx.state.domains:
        n = wanted.get(dom.uid)
        if n is not None and n.base != dom.base:
            ctx.emit(AlterDomain(dom.uid, n.qualified_name, changes_between(dom, n, tuple(
                f for f in DOMAIN_FIELDS if f not in ("name", "namespace")))))


def change_raw_objects(ctx: Ctx, *, early: bool) -> None:
    """Early: drop objects that go, change or move (views depend on tables), then create the
    new ones tables may call (:func:`early_raw_objects`); late: create the others."""
    if not early:
        have = {o.uid for o in ctx.state.raw_objects}
        for index, obj in enumerate(ctx.new.raw_objects):
            if obj.uid not in have:
                ctx.emit(CreateRawObject(obj, index))
        return
    wanted = {o.uid: o for o in ctx.new.raw_objects}
    kept = kept_in_order([o.uid for o in ctx.state.raw_objects],
                         [o.uid for o in ctx.new.raw_objects])
    over_retyped = over_retyped_columns(ctx.state, ctx.new)
    for obj in reversed(ctx.state.raw_objects):
        if obj.uid not in kept or wanted[obj.uid] != obj or obj.uid in over_retyped:
            pos = [o.uid for o in ctx.state.raw_objects].index(obj.uid)
            ctx.emit(DropRawObject(obj, pos))
    _create_early_raw_objects(ctx)


# Kept objects PostgreSQL refuses to change a column's type under (``cannot alter type of a
# column used by a view or rule``, ``... in a policy definition``, ``... in a trigger
# definition``).
_OVER_COLUMNS = frozenset({"view", "materialized view", "rule", "policy", "trigger"})


def over_retyped_columns(old: Schema, new: Schema) -> set[str]:
    """Uids of the kept views, materialized views, rules, policies and triggers of ``old``
    that name a table one of whose columns is dropped (:func:`_losing_columns`) or changes
    type between ``old`` and ``new``, one way or the other (the downgrade runs the ops
    reversed) (its
    type or collation; or its enum loses or reorders labels, or its domain changes base:
    both are recreated and the column moved to the new one), and of the kept objects that
    name those in turn (a view over such a view). PostgreSQL refuses ALTER COLUMN ... TYPE
    under them: the differ drops them before the tables change and creates them again
    after, as it does an object whose SQL changed (a view's stored query names columns by
    number, so one unchanged in text is the same view on the new types)."""
    # either way: the downgrade runs these ops reversed (a label added here is removed there)
    changed = set(retyped_columns(old, new)) | set(retyped_columns(new, old))
    changed |= _losing_columns(old, new)
    retyped = {t.name.lower() for t in old.tables if t.uid in changed}
    if not retyped:
        return set()
    named = _names_in(old.raw_objects)
    found = {o.uid for o in old.raw_objects if o.kind in _OVER_COLUMNS and named[o.uid] & retyped}
    while True:  # and what names them (a view over the view), in turn
        names = {o.name.lower() for o in old.raw_objects if o.uid in found and o.name}
        more = {o.uid for o in old.raw_objects if o.uid not in found
                and o.kind in LATE_RAW_KINDS and named[o.uid] & names}
        if not more:
            return found
        found |= more


def _losing_columns(old: Schema, new: Schema) -> set[str]:
    """Uids of the tables of ``old`` a column of which is gone in ``new``: a view reading it
    (``SELECT *`` names no column but its stored query reads them all), a rule or a policy
    makes PostgreSQL refuse the DROP COLUMN. (A column added is dropped on the way down,
    where nothing made before it can read it.)"""
    kept = {t.uid: {c.uid for c in t.columns} for t in new.tables}
    return {t.uid for t in old.tables
            if t.uid in kept and any(c.uid not in kept[t.uid] for c in t.columns)}


# Raw objects built on tables: created once the tables exist.
LATE_RAW_KINDS = frozenset({"view", "materialized view", "trigger", "policy", "rule",
                            "statistics", "publication", "foreign table"})
# Statements on tables, or on what SQL kept before them creates (a SELECT of a function that
# creates tables, then indexes on those): after the tables too, in their order; their names
# are no relation names, so nothing waits for them by name. An event trigger fires on the
# migration's own DDL from its creation on (its function may read a table of the design).
AFTER_TABLES_KINDS = frozenset({"index", "alter table", "comment", "function call",
                                "event trigger"})
# A DO block's body: it waits for the tables it names like other objects (its quoted body
# is its code, not a string to skip).
_DO_BODY = re.compile(r"\s*DO\s+(?:LANGUAGE\s+\S+\s+)?(\$[A-Za-z_0-9]*\$)(.*)\1",
                      re.IGNORECASE | re.DOTALL)
_QUOTED = re.compile(r"(\$[A-Za-z_0-9]*\$).*?\1|'(?:[^']|'')*'|--[^\n]*|/\*.*?\*/", re.DOTALL)
# Function options name languages and settings, not tables: ``LANGUAGE sql`` must not make a
# function wait for a table called ``language`` (musicbrainz has one).
_OPTIONS = re.compile(r"\bLANGUAGE\s+\w+|\bSET\s+[\w.]+\s*(?:=|\bTO\b)[^;]*?(?=\bAS\b|;|$)",
                      re.IGNORECASE)
# A possibly qualified name (a.b.c, parts maybe quoted) and a %TYPE / %ROWTYPE after it.
_IDENT = r'(?:"(?:[^"]|"")+"|[^\W\d][\w$]*)'
_NAME = re.compile(rf'(?<![\w$."])({_IDENT}(?:\s*\.\s*{_IDENT})*)(\s*%\s*(?:ROW)?TYPE\b)?',
                   re.IGNORECASE)
_PART = re.compile(_IDENT)


def _named(text: str) -> set[str]:
    """The names ``text`` may refer to a relation by (lower case): the last part of each
    name, and the one before it ahead of ``%TYPE`` (``t.col%TYPE``). A qualifier is not a
    reference: ``biblio.f()`` does not name a view called ``biblio`` (evergreen has one)."""
    out = set()
    for m in _NAME.finditer(text):
        parts = [p.strip('"').lower() for p in _PART.findall(m.group(1))]
        out.add(parts[-1])
        if m.group(2) and len(parts) > 1:
            out.add(parts[-2])
    return out


_STRING = re.compile(r"'((?:[^']|'')*)'")


# a text search configuration's token types (``MAPPING FOR url, host, word WITH simple``):
# the parser's names, not relations (musicbrainz has tables called url and work)
_TOKEN_TYPES = re.compile(r"\bMAPPING\s+(?:IF\s+EXISTS\s+)?FOR\s+[\w\s,]+?(?=\bWITH\b|;|$)",
                          re.IGNORECASE)


def _code(obj: RawObject) -> str:
    """The SQL of a raw object to look for names in: a DO block's body unquoted, and its
    strings too (``EXECUTE 'CREATE INDEX ... ON t ...'`` names t: koji); a text search
    configuration without the token types its mappings name."""
    if obj.kind == "text search configuration":
        return _TOKEN_TYPES.sub("MAPPING ", obj.sql)
    if obj.kind == "do block":
        body = _DO_BODY.match(obj.sql)
        if body is not None:
            return _STRING.sub(lambda m: " " + m.group(1).replace("''", "'") + " ",
                               body.group(2))
    return obj.sql


# the names each raw object's SQL may refer to a relation by, by the identity of the tuple
# of raw objects: an export asks for them in two places (schema.sql and the revision's
# differ, each scanning every object's SQL with regular expressions: about 0.03 s of CPU on
# musicbrainz); normalized copies of a schema share that tuple
_NAMED: IdentityMemo[tuple[RawObject, ...], dict[str, set[str]]] = IdentityMemo(16)


def _names_in(raw_objects: tuple[RawObject, ...]) -> dict[str, set[str]]:
    """:func:`_named` of each raw object's SQL outside quoted bodies and options, by uid."""
    hit = _NAMED.get(raw_objects) if isinstance(raw_objects, tuple) else None
    if hit is None:
        hit = {o.uid: _named(_OPTIONS.sub(" ", _QUOTED.sub(" ", _code(o))))
               for o in raw_objects}
        if isinstance(raw_objects, tuple):
            _NAMED.put(raw_objects, hit)
    return hit


def early_raw_objects(schema: Schema) -> set[str]:
    """Uids of the raw objects that can be created before the tables (functions, types,
    aggregates... that a CHECK, default or index expression may call): those not of a kind
    built on tables and whose SQL outside quoted bodies names neither a table nor another
    late object (``RETURNS SETOF some_table`` waits for its table)."""
    late = {o.uid for o in schema.raw_objects
            if o.kind in LATE_RAW_KINDS or o.kind in AFTER_TABLES_KINDS}
    names = {t.name.lower() for t in schema.tables}
    named = _names_in(schema.raw_objects)
    while True:
        names |= {o.name.lower() for o in schema.raw_objects
                  if o.uid in late and o.name and o.kind not in AFTER_TABLES_KINDS}
        more = {o.uid for o in schema.raw_objects if o.uid not in late and named[o.uid] & names}
        if not more:
            return {o.uid for o in schema.raw_objects} - late
        late |= more


def _create_early_raw_objects(ctx: Ctx) -> None:
    """Create the new raw objects that tables may use, before the tables (in their order)."""
    have = {o.uid for o in ctx.state.raw_objects}
    if all(o.uid in have for o in ctx.new.raw_objects):
        return
    early = early_raw_objects(ctx.new)
    index = 0
    for obj in ctx.new.raw_objects:
        if obj.uid in have:
            index += 1
        elif obj.uid in early:
            ctx.emit(CreateRawObject(obj, index))
            index += 1
