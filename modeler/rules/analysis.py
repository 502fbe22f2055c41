"""Per-schema lookups computed once and shared by every rule of a lint run.

:func:`analyze` memoizes one :class:`Analysis` per snapshot object (by identity, released when
the snapshot is garbage collected), so rules can ask for FK columns, access paths or FK cycles
without quadratic loops.
"""

from __future__ import annotations

import re
import threading
import weakref
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cached_property

from modeler.identity_memo import IdentityMemo
from modeler.schema import naming
from modeler.schema.graph import cyclic_components as cyclic_components  # re-export
from modeler.schema.model import Column, ColumnType, Domain, Relationship, Schema, Table

AUDIT_COLUMNS = frozenset({"created_at", "updated_at", "deleted_at"})
MONEY_TOKENS = frozenset({"price", "amount", "cost", "total", "subtotal", "balance", "fee",
                          "fees", "salary", "tax", "discount", "revenue", "money", "payment",
                          "charge", "wage", "budget", "refund"})
NOW_DEFAULTS = frozenset({"now()", "current_timestamp", "transaction_timestamp()",
                          "statement_timestamp()", "clock_timestamp()"})
_CAST_RE = re.compile(
    r'^(.*)::\s*[A-Za-z_][\w ."]*(\(\s*\d+(\s*,\s*\d+)?\s*\))?(\[\])*$', re.S)


def _wrapped(text: str) -> bool:
    """``(...)`` where the outer parentheses are one pair."""
    if not (text.startswith("(") and text.endswith(")")):
        return False
    depth = 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if depth == 0 and i < len(text) - 1:
            return False
    return True


def strip_casts(expr: str) -> str:
    """``('now'::text)::timestamptz`` → ``'now'``: outer parentheses and casts removed."""
    text = expr.strip()
    while True:
        if _wrapped(text):
            text = text[1:-1].strip()
            continue
        m = _CAST_RE.match(text)
        if not m or m.group(1).count("'") % 2:
            return text
        text = m.group(1).strip()


def is_now_default(default: str | None) -> bool:
    """A server default that stamps the current time."""
    return default is not None and strip_casts(default).lower() in NOW_DEFAULTS


def is_money_named(name: str) -> bool:
    return any(tok in MONEY_TOKENS for tok in name.split("_"))


@dataclass(frozen=True, slots=True)
class AccessPath:
    """An index-like structure of a table: its primary key, a UNIQUE constraint or an index.

    ``keys`` holds column uids, or ``expr:<sql>`` for expression parts.
    """

    kind: str  # pk | unique | index
    uid: str
    name: str
    method: str
    keys: tuple[str, ...]
    desc: tuple[bool, ...]
    partial: bool
    unique: bool
    signature: tuple[object, ...]  # everything that makes two indexes the same index

    def leads_with(self, columns: Iterable[str]) -> bool:
        """The first ``len(columns)`` keys are exactly ``columns``, in any order."""
        wanted = frozenset(columns)
        return len(self.keys) >= len(wanted) and frozenset(self.keys[: len(wanted)]) == wanted


class Analysis:
    """Lookups over one snapshot; every attribute is computed on first use."""

    def __init__(self, schema: Schema) -> None:
        # A weak reference: the memo in :func:`analyze` must not keep snapshots alive.
        self._schema = weakref.ref(schema)
        self._paths: dict[str, tuple[AccessPath, ...]] = {}

    @property
    def schema(self) -> Schema:
        schema = self._schema()
        if schema is None:  # pragma: no cover - callers hold the snapshot while linting
            raise RuntimeError("the analysed schema is gone")
        return schema

    @cached_property
    def fk_columns(self) -> frozenset[str]:
        """Uids of columns that are the child side of some FK."""
        return frozenset(c for r in self.schema.relationships for c in r.child_columns)

    @cached_property
    def relationships(self) -> Mapping[str, Relationship]:
        return {r.uid: r for r in self.schema.relationships}

    @cached_property
    def relation_names(self) -> frozenset[tuple[str, str]]:
        """(namespace, name) taken in PostgreSQL's relation namespace: tables, indexes,
        PK and UNIQUE indexes, sequences."""
        out: set[tuple[str, str]] = set()
        for t in self.schema.tables:
            ns = t.namespace
            out.add((ns, t.name))
            if t.primary_key:
                out.add((ns, t.pk_name or naming.pk_name(t.name)))
            out.update((ns, i.name) for i in t.indexes)
            out.update((ns, u.name) for u in t.uniques)
        out.update((s.namespace, s.name) for s in self.schema.sequences)
        return frozenset(out)

    def constraint_names(self, table: Table) -> frozenset[str]:
        """Constraint names of one table (PK, UNIQUE, CHECK, FK)."""
        names = {u.name for u in table.uniques} | {c.name for c in table.checks}
        names |= {r.name for r in self.schema.relationships_of(table.uid)}
        if table.primary_key:
            names.add(table.pk_name or naming.pk_name(table.name))
        return frozenset(names)

    @cached_property
    def elements(self) -> Mapping[str, object]:
        """Every design element by uid (tables, their parts, relationships, types...)."""
        out: dict[str, object] = {}
        s = self.schema
        for t in s.tables:
            out[t.uid] = t
            for group in (t.columns, t.indexes, t.uniques, t.checks, t.query_patterns):
                out.update((x.uid, x) for x in group)
        for e in s.enums:
            out[e.uid] = e
            out.update((v.uid, v) for v in e.values)
        for items in (s.relationships, s.domains, s.sequences, s.extensions):
            out.update((x.uid, x) for x in items)
        return out

    def access_paths(self, table: Table) -> tuple[AccessPath, ...]:
        """PK, UNIQUE constraints and indexes of ``table`` as one list (cached per table)."""
        found = self._paths.get(table.uid)
        if found is None:
            found = self._paths[table.uid] = tuple(_access_paths(table))
        return found

    def unique_sets(self, table: Table) -> frozenset[frozenset[str]]:
        """Column sets guaranteed unique for every row (non-partial, columns only)."""
        return frozenset(frozenset(p.keys) for p in self.access_paths(table)
                         if p.unique and not p.partial and not _has_expr(p.keys))

    def unique_members(self, table: Table) -> frozenset[str]:
        """Columns that belong to any unique key, partial unique indexes included."""
        return frozenset(k for p in self.access_paths(table) if p.unique for k in p.keys)

    @cached_property
    def cycles(self) -> tuple[tuple[str, ...], ...]:
        """FK cycles as strongly connected table sets (size > 1, or a self-reference);
        memoised by the relationships' tuple (an edit of a table keeps it: the snapshots
        before and after an edit, and an incremental run's parts, share one result)."""
        rels = self.schema.relationships
        found = _CYCLES.get(rels)
        if found is not None:
            return found
        edges: dict[str, set[str]] = {}
        for r in rels:
            edges.setdefault(r.child_table, set()).add(r.parent_table)
        return _CYCLES.put(rels, cyclic_components(edges))

    @cached_property
    def cycle_tables(self) -> frozenset[str]:
        return frozenset(uid for comp in self.cycles for uid in comp)

    @cached_property
    def tables_by_plain_name(self) -> Mapping[str, Table]:
        out: dict[str, Table] = {}
        for t in self.schema.tables:
            out.setdefault(t.name, t)
        return out

    def base_type(self, ctype: ColumnType) -> ColumnType:
        """The type with domains resolved to their base type (array dimensions kept)."""
        seen = 0
        while ctype.kind == "domain" and ctype.ref is not None and seen < 10:
            obj = self.schema.type_object(ctype.ref)
            if not isinstance(obj, Domain):
                break
            base = obj.base
            ctype = replace(base, array_dims=base.array_dims + ctype.array_dims)
            seen += 1
        return ctype

    def builtin(self, column: Column) -> str | None:
        """Catalog key of the column's (resolved) type when builtin and not an array."""
        ctype = self.base_type(column.type)
        return ctype.name if ctype.kind == "builtin" and ctype.array_dims == 0 else None


def _has_expr(keys: tuple[str, ...]) -> bool:
    return any(k.startswith("expr:") for k in keys)


def _access_paths(table: Table) -> Iterable[AccessPath]:
    # Signatures: two structures with equal signatures are the same index. Plain keys (no
    # direction, opclass, collation) are spelled as bare key tuples so that a PK, a UNIQUE
    # constraint and an index on the same columns compare equal.
    pk = table.primary_key
    if pk:
        keys = tuple(c.uid for c in pk)
        yield AccessPath("pk", table.uid, table.pk_name or naming.pk_name(table.name), "btree",
                         keys, (False,) * len(keys), False, True, ("btree", keys, None, ()))
    for u in table.uniques:
        yield AccessPath("unique", u.uid, u.name, "btree", u.columns, (False,) * len(u.columns),
                         False, True, ("btree", u.columns, None, ()))
    for ix in table.indexes:
        keys = tuple(p.column if p.column is not None else f"expr:{p.expression}"
                     for p in ix.parts)
        plain = all(not p.descending and p.nulls is None and p.opclass is None
                    and p.collation is None for p in ix.parts)
        parts_sig: tuple[object, ...] = keys if plain else tuple(
            (k, p.descending, p.nulls, p.opclass, p.collation)
            for k, p in zip(keys, ix.parts, strict=True))
        yield AccessPath("index", ix.uid, ix.name, ix.method, keys,
                         tuple(p.descending for p in ix.parts), ix.where is not None, ix.unique,
                         (ix.method, parts_sig, ix.where, ix.include))


# An entry keeps its relationships alive: a few snapshots' worth.
_CYCLES: IdentityMemo[tuple[Relationship, ...], tuple[tuple[str, ...], ...]] = IdentityMemo(16)
_CACHE: dict[int, Analysis] = {}
_LOCK = threading.Lock()


def analyze(schema: Schema) -> Analysis:
    """The shared :class:`Analysis` of ``schema`` (one per snapshot object)."""
    key = id(schema)
    found = _CACHE.get(key)
    if found is not None and found._schema() is schema:
        return found
    result = Analysis(schema)
    with _LOCK:
        _CACHE[key] = result
        weakref.finalize(schema, _CACHE.pop, key, None)
    return result
