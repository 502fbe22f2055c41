"""Indexes (IX): FK indexes, declared query patterns, redundancy, search and soft-delete shape."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import partial

from modeler.rules.analysis import AccessPath, analyze
from modeler.rules.core import (
    Config,
    Finding,
    Level,
    Rule,
    SchemaChange,
    Target,
    column_target,
    index_target,
    pattern_target,
    register,
    relationship_target,
    table_target,
    unique_target,
)
from modeler.schema import edit, naming
from modeler.schema.builder import stable_uid
from modeler.schema.model import Index, IndexPart, QueryPattern, Schema, Table


def free_index_name(schema: Schema, table: Table, labels: list[str]) -> str:
    """The convention's index name for ``labels``, with ``_2``, ``_3``... when taken."""
    taken = analyze(schema).relation_names
    base = naming.ix_name(table.name, labels)
    name, n = base, 2
    while (table.namespace, name) in taken:
        name = naming.truncate(f"{base}_{n}")
        n += 1
    return name


@register
class ForeignKeyIndexed(Rule):
    """Every foreign key is covered by an index.

    Deleting or updating a parent row makes PostgreSQL look up its children; without an
    index on the FK columns that is a full scan of the child table under lock, and joins from
    parent to children are slow. A B-tree index (the PK and UNIQUE keys count) must start
    with exactly the FK columns, in any order; partial indexes do not count.

    Bad:
        CREATE TABLE order_line (..., order_id bigint NOT NULL REFERENCES order_);

    Good:
        CREATE TABLE order_line (..., order_id bigint NOT NULL REFERENCES order_);
        CREATE INDEX ix_order_line_order_id ON order_line (order_id);
    """

    id = "IX-01"
    name = "FK covered by an index"
    level = Level.BLOCK
    fixable = True
    fix_safe = True

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        a = analyze(schema)
        for r in schema.relationships:
            try:
                child = schema.table(r.child_table)
                names = [schema.column(c).name for c in r.child_columns]
            except KeyError:
                continue
            if not r.child_columns:
                continue
            if not any(p.method == "btree" and not p.partial and p.leads_with(r.child_columns)
                       for p in a.access_paths(child)):
                yield self.finding(relationship_target(schema, r),
                                   f"FK ({', '.join(names)}) has no index",
                                   f"Add an index on {child.name} ({', '.join(names)})")

    def fix(self, schema: Schema, finding: Finding) -> SchemaChange | None:
        r = analyze(schema).relationships.get(finding.target.uid or "")
        if r is None:
            return None
        child = schema.table(r.child_table)
        names = [schema.column(c).name for c in r.child_columns]
        index = Index(uid=stable_uid(r.uid, "IX-01"), name=free_index_name(schema, child, names),
                      parts=tuple(IndexPart(column=c) for c in r.child_columns))
        return partial(edit.add_index, table_uid=child.uid, index=index)


def _order_suffix(q: QueryPattern) -> list[tuple[str, bool | None]]:
    """Keys an index needs after the equality columns: (column, descending or None)."""
    eq = set(q.equality)
    order = [k for k in q.order_by if k.column not in eq]
    if order and (q.range is None or order[0].column == q.range):
        return [(k.column, k.descending) for k in order]
    return [(q.range, None)] if q.range is not None else []


def serves(path: AccessPath, q: QueryPattern) -> bool:
    """Whether a B-tree access path serves a query pattern (equality columns first, in any
    order; then the range column or the ORDER BY keys, all directions equal or all flipped)."""
    n = len(set(q.equality))
    if not path.leads_with(q.equality):
        return False
    suffix = _order_suffix(q)
    keys, desc = path.keys[n:], path.desc[n:]
    if len(keys) < len(suffix):
        return False
    flips: set[bool] = set()
    for (col, want), key, d in zip(suffix, keys, desc, strict=False):
        if key != col:
            return False
        if want is not None:
            flips.add(d != want)
    return len(flips) <= 1


@register
class QueryPatternsCovered(Rule):
    """Declared query patterns and frequently queried columns are served by an index.

    A pattern names its equality columns, an optional range column and an ORDER BY; a B-tree
    serves it when it starts with the equality columns, then the range column or the ORDER BY
    keys. Hot patterns and frequently queried columns must be served; others need a reason.
    A pattern a rehearsal explained on sample data without any index serving it is BLOCK
    while its table is unchanged (the fix adds the index the rehearsal proposed).

    Bad:
        -- pattern "recent orders of a customer": customer_id =, ORDER BY created_at DESC
        CREATE INDEX ix_order_created_at ON order_ (created_at);

    Good:
        CREATE INDEX ix_order_customer_id_created_at ON order_ (customer_id, created_at DESC);
    """

    id = "IX-02"
    name = "Declared query patterns covered"
    level = Level.BLOCK
    levels_note = "BLOCK for hot patterns and frequently queried columns; JUSTIFY otherwise"
    fixable = True
    fix_safe = False  # which index to build is a design decision

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        a = analyze(schema)
        for t in schema.tables:
            paths = [p for p in a.access_paths(t) if not p.partial]
            for q in t.query_patterns:
                proven = (config.rehearsal.unserved_for(t, q)
                          if config.rehearsal is not None else None)
                if proven is not None:  # a rehearsal explained it: no index served it
                    yield self.finding(pattern_target(t, q),
                                       f"Query pattern {q.name}: no index served it when "
                                       "rehearsed",
                                       f"Add {proven.suggestion}" if proven.suggestion else
                                       "Index the equality columns, then range/ORDER BY",
                                       Level.BLOCK)
                elif not any(p.method == "btree" and serves(p, q) for p in paths):
                    yield self.finding(pattern_target(t, q),
                                       f"Query pattern {q.name} has no usable index",
                                       "Index the equality columns, then range/ORDER BY",
                                       Level.BLOCK if q.hot else Level.JUSTIFY)
            for c in t.columns:
                if c.frequently_queried and not any(p.keys[:1] == (c.uid,) for p in paths):
                    yield self.finding(column_target(t, c),
                                       "Frequently queried column has no index",
                                       f"Add an index starting with {c.name}")

    def fix(self, schema: Schema, finding: Finding) -> SchemaChange | None:
        if finding.target.table_uid is None:
            return None
        t = schema.table(finding.target.table_uid)
        by_uid = {c.uid: c.name for c in t.columns}
        parts: tuple[IndexPart, ...]
        if finding.target.kind == "column":
            parts = (IndexPart(column=finding.target.uid),)
        else:
            q = next((q for q in t.query_patterns if q.uid == finding.target.uid), None)
            if q is None:
                return None
            parts = tuple(IndexPart(column=c) for c in dict.fromkeys(q.equality)) + tuple(
                IndexPart(column=c, descending=bool(d)) for c, d in _order_suffix(q))
        labels = [by_uid.get(p.column or "", "expr") for p in parts]
        index = Index(uid=stable_uid(finding.target.uid or "", "IX-02"),
                      name=free_index_name(schema, t, labels), parts=parts)
        return partial(edit.add_index, table_uid=t.uid, index=index)


_RANK = {"pk": 0, "unique": 1}


@register
class RedundantIndex(Rule):
    """No index duplicates another, or is a prefix of another.

    Every index slows down writes and takes memory. An index with the same definition as
    another (the PK and UNIQUE keys included) is pure cost; a non-unique B-tree index whose
    keys start another index usually is too.

    Bad:
        UNIQUE (email)
        CREATE INDEX ix_customer_email ON customer (email);

    Good:
        UNIQUE (email)  -- already indexes email
    """

    id = "IX-03"
    name = "Duplicate or redundant index"
    level = Level.BLOCK
    levels_note = "BLOCK for duplicates; JUSTIFY for prefix-redundant indexes"
    fixable = True
    fix_safe = True  # only for duplicates, see is_safe_fix

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        a = analyze(schema)
        for t in schema.tables:
            paths = sorted(a.access_paths(t), key=lambda p: (
                _RANK.get(p.kind, 2 if p.unique else 3), p.name, p.uid))
            seen: dict[tuple[object, ...], AccessPath] = {}
            prefixes: set[tuple[object, ...]] = set()
            for p in paths:
                if p.method == "btree":
                    first_desc = p.desc[0] if p.desc else False
                    flipped = tuple(d != first_desc for d in p.desc)
                    for k in range(1, len(p.keys)):
                        prefixes.add((p.signature[2], p.keys[:k], flipped[:k]))
            for p in paths:
                if p.signature in seen:
                    yield self.finding(self._target(t, p),
                                       f"{p.name} duplicates {seen[p.signature].name}",
                                       "Drop the duplicate", fixable=p.kind == "index")
                    continue
                seen[p.signature] = p
                if p.kind == "index" and not p.unique and p.method == "btree":
                    first_desc = p.desc[0] if p.desc else False
                    key = (p.signature[2], p.keys, tuple(d != first_desc for d in p.desc))
                    if key in prefixes and p.signature[3] == ():
                        yield self.finding(index_target(t, _index(t, p.uid)),
                                           f"{p.name} is a prefix of another index",
                                           "Drop it unless it is much smaller or hotter",
                                           Level.JUSTIFY)

    @staticmethod
    def _target(t: Table, p: AccessPath) -> Target:
        if p.kind == "unique":
            return unique_target(t, next(u for u in t.uniques if u.uid == p.uid))
        return index_target(t, _index(t, p.uid))

    def fix(self, schema: Schema, finding: Finding) -> SchemaChange | None:
        if finding.target.kind != "index" or finding.target.table_uid is None:
            return None
        return partial(edit.drop, uid=finding.target.uid or "")

    def is_safe_fix(self, schema: Schema, finding: Finding) -> bool:
        return finding.default_level is Level.BLOCK


def _index(t: Table, uid: str) -> Index:
    return next(i for i in t.indexes if i.uid == uid)


@register
class NarrowIndex(Rule):
    """Non-unique indexes have at most three columns.

    Wide indexes are large, slow to maintain, and rarely used beyond their first columns.

    Bad:
        CREATE INDEX ix_event_a_b_c_d ON event (a, b, c, d);

    Good:
        CREATE INDEX ix_event_a_b ON event (a, b);
    """

    id = "IX-04"
    name = "Index wider than 3 columns (non-unique)"
    level = Level.ADVISE

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        for t in schema.tables:
            for ix in t.indexes:
                if not ix.unique and len(ix.parts) > 3:
                    yield self.finding(index_target(t, ix), f"Index has {len(ix.parts)} keys",
                                       "Keep the selective leading keys; try INCLUDE")


@register
class FewIndexes(Rule):
    """A table has at most ten indexes.

    Every index is written on every insert; past ten, writes slow down and some indexes are
    usually unused.

    Bad:
        -- 14 indexes on order_, half of them never scanned

    Good:
        -- the indexes that serve declared query patterns and FKs
    """

    id = "IX-05"
    name = "More than 10 indexes on a table"
    level = Level.ADVISE

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        for t in schema.tables:
            n = len(t.indexes) + len(t.uniques)
            if n > 10:
                yield self.finding(table_target(t), f"Table has {n} indexes",
                                   "Check which indexes queries really use")


_TRGM = ("gin_trgm_ops", "gist_trgm_ops")


@register
class SearchIndexed(Rule):
    """Columns marked searchable have the matching search index.

    Full-text search needs a GIN index on ``to_tsvector('<config>', col)`` (the
    two-argument form: the one-argument form cannot be indexed); substring search
    (``ILIKE '%x%'``) needs a trigram index from ``pg_trgm``. Without them, search scans the
    table.

    Bad:
        -- article.body marked searchable (fulltext), no index

    Good:
        CREATE INDEX ix_article_body_fts ON article
            USING gin (to_tsvector('english', body));
    """

    id = "IX-06"
    name = "Searched text has a search index"
    level = Level.BLOCK

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        has_trgm = any(e.name == "pg_trgm" for e in schema.extensions)
        for t in schema.tables:
            for c in t.columns:
                if c.searchable == "fulltext" and not _has_fts(t, c.uid, c.name):
                    yield self.finding(column_target(t, c), "Full-text column has no GIN index",
                                       f"GIN index on to_tsvector('<config>', {c.name})")
                elif c.searchable == "substring":
                    if not _has_trgm(t, c.uid, c.name):
                        yield self.finding(column_target(t, c),
                                           "Substring-searched column has no trigram index",
                                           f"GIN index on {c.name} gin_trgm_ops (pg_trgm)")
                    elif not has_trgm:
                        yield self.finding(column_target(t, c), "Extension pg_trgm is missing",
                                           "Add the pg_trgm extension")


def _mentions(expr: str, name: str) -> bool:
    return re.search(rf'(?<![\w"]){re.escape(name)}(?![\w"])|"{re.escape(name)}"', expr) \
        is not None


def _has_fts(t: Table, uid: str, name: str) -> bool:
    col = next(c for c in t.columns if c.uid == uid)
    for ix in t.indexes:
        if ix.method != "gin" or ix.where is not None:
            continue
        for p in ix.parts:
            if p.column == uid and col.type.name == "tsvector":
                return True
            expr = p.expression or ""
            if re.search(r"to_tsvector\s*\(\s*'[^']+'", expr, re.I) and _mentions(expr, name):
                return True
    return False


def _has_trgm(t: Table, uid: str, name: str) -> bool:
    for ix in t.indexes:
        if ix.method not in ("gin", "gist") or ix.where is not None:
            continue
        for p in ix.parts:
            if p.opclass in _TRGM and (p.column == uid or _mentions(p.expression or "", name)):
                return True
    return False


_LIVE = re.compile(r"\bdeleted_at\s+is\s+null\b", re.I)


@register
class SoftDeleteUnique(Rule):
    """On soft-delete tables, business UNIQUE keys ignore deleted rows.

    A soft-deleted row still holds its values: a plain UNIQUE on ``email`` stops a customer
    from signing up again with the address of a deleted account. The key must be a partial
    unique index ``WHERE deleted_at IS NULL``.

    Bad:
        CREATE TABLE customer (..., email text NOT NULL UNIQUE, deleted_at timestamptz);

    Good:
        CREATE UNIQUE INDEX ix_customer_email ON customer (email) WHERE deleted_at IS NULL;
    """

    id = "IX-08"
    name = "Soft-delete unique shape"
    level = Level.BLOCK

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        for t in schema.tables:
            if t.delete_strategy != "soft":
                continue
            for u in t.uniques:
                yield self.finding(unique_target(t, u), "UNIQUE constraint counts deleted rows",
                                   "Use a unique index WHERE deleted_at IS NULL")
            for ix in t.indexes:
                if ix.unique and not _LIVE.search(ix.where or ""):
                    yield self.finding(index_target(t, ix), "Unique index counts deleted rows",
                                       "Add WHERE deleted_at IS NULL")
