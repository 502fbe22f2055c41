"""Rows ↔ snapshot: ``snapshot(design)`` reads a design in a bounded number of queries,
``materialize(schema, design)`` writes a snapshot back as rows (imports, version restores).

Query budget: one query for the design with its project's settings and an EXISTS flag per
optional element kind; when this process holds the snapshot of that revision
(:class:`SnapshotCache`) that is all, else one query per kind that is present (tables, columns,
relationships, indexes, constraints, query patterns, enums, domains, extensions, sequences,
collations, raw objects). A 1,000-table design with tables, columns, FKs and indexes takes 5
queries. Rows are read with ``values_list`` (no model instances) because this runs on every edit,
by the names :mod:`modeler.web.fieldmap` declares for each kind (one compiled reader per query).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import fields, replace
from datetime import datetime
from typing import Any, NamedTuple

from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from modeler.cache import LockedLRU
from modeler.schema import model as m
from modeler.schema import validate
from modeler.web import fieldmap as fm
from modeler.web import models as db
from modeler.web import store

_OPTIONAL = {
    "has_indexes": db.DbIndex, "has_constraints": db.Constraint,
    "has_patterns": db.QueryPattern, "has_enums": db.EnumType, "has_domains": db.Domain,
    "has_extensions": db.Extension, "has_sequences": db.Sequence, "has_raw": db.RawObject,
    "has_relationships": db.Relationship, "has_collations": db.Collation,
}


class CacheKey(NamedTuple):
    """What identifies the rows of a design at one moment: every write bumps the revision
    and stamps ``updated_at`` (a write that was rolled back may reuse a revision number,
    never its timestamp)."""

    design_id: int
    revision: int
    updated_at: datetime


class SnapshotCache:
    """The last few snapshots this process read or wrote, by :class:`CacheKey`.

    Snapshots are immutable values, so a hit is shared, not copied. Project settings are
    not part of the rows: a hit whose settings or name differ from the project's counts as
    a miss. With ``settings.SNAPSHOT_CACHE_VERIFY`` (the test suite turns it on) every hit
    is compared with a fresh read and a difference raises :class:`StaleSnapshot`: a write
    path that does not bump the revision cannot hide."""

    def __init__(self, size: int = 8) -> None:
        self._items: LockedLRU[CacheKey, m.Schema] = LockedLRU(size)
        # design id -> the snapshot of it put last (any revision) and its key: what a read
        # from the rows shares its unchanged parts with (:func:`shared`), or what the
        # published deltas bring up to date (:func:`caught_up`)
        self._latest: LockedLRU[int, tuple[CacheKey, m.Schema]] = LockedLRU(size)

    @property
    def size(self) -> int:
        return self._items.size

    def get(self, key: CacheKey, settings: m.Settings, name: str) -> m.Schema | None:
        hit = self._items.get(key)
        if hit is None or hit.settings != settings or hit.name != name:
            return None
        _verify(key, hit, "the cached snapshot")
        return hit

    def put(self, key: CacheKey, schema: m.Schema) -> None:
        self._items.put(key, schema)
        self._latest.put(key.design_id, (key, schema))

    def latest(self, design_id: int) -> m.Schema | None:
        """The snapshot of the design this process put last, at whatever revision."""
        entry = self._latest.get(design_id)
        return entry[1] if entry is not None else None

    def latest_entry(self, design_id: int) -> tuple[CacheKey, m.Schema] | None:
        """:meth:`latest` with its key."""
        return self._latest.get(design_id)

    def clear(self) -> None:
        self._items.clear()
        self._latest.clear()


class StaleSnapshot(AssertionError):
    """A cached snapshot no longer matches the rows (a write did not bump the revision)."""


CACHE = SnapshotCache()


def _verify(key: CacheKey, schema: m.Schema, what: str) -> None:
    """With ``settings.SNAPSHOT_CACHE_VERIFY`` (the test suite turns it on): raise
    :class:`StaleSnapshot` when ``schema``, said to be the rows at ``key``, differs from a
    fresh read of them (``what`` names it in the message)."""
    if getattr(django_settings, "SNAPSHOT_CACHE_VERIFY", False):
        fresh = _fresh_at(key)
        if fresh is not None and fresh != schema:
            raise StaleSnapshot(f"design {key.design_id} at revision {key.revision}: "
                                f"{what} differs from the rows")


def written(design: db.Design, schema: m.Schema,
            stamp: tuple[int, datetime] | None = None,
            before: tuple[CacheKey, m.Schema] | None = None) -> CacheKey:
    """Remember ``schema`` as what ``design`` holds now, right after a write that stored
    exactly it (the next read at this revision needs no element query); returns the
    design's new revision stamp. ``stamp``: that revision and ``updated_at`` as the write
    set them (:attr:`store.SyncResult.stamp`), else read. ``before``: the key and the
    snapshot the write started from (what the rows held): the change between them is
    published for the other processes once the transaction commits (:func:`publish`)."""
    row = stamp if stamp is not None else db.Design.objects.filter(pk=design.pk).values_list(
        "revision", "updated_at").get()
    key = CacheKey(design.pk, *row)
    new = canonical(schema)
    CACHE.put(key, new)
    if before is not None and before[0].design_id == key.design_id \
            and before[0].revision < key.revision:
        change = delta(before[1], new)
        if _elements(change) <= DELTA_MAX_ELEMENTS:
            publish(before[0], key, change)
    return key


# ------------------------------------------------------------ deltas between processes
#
# A web process that did not make the design's last edits (another gunicorn worker) holds an
# older snapshot of it; reading all the rows again cost ~40 ms at 300 tables, ~150 ms at
# 1,000, on the edit that lands there. Each edit publishes what it changed (the top-level
# elements, by uid) in the shared cache (Redis in production), keyed by its revision, with
# the revision stamps (revision and updated_at) before and after: a process whose snapshot
# is at stamp K0 applies the deltas K0 -> K1 -> ... -> the stamp the design row says now,
# when every one of them is there and they chain exactly (each one's "before" is the stamp
# the previous one led to); else it reads the rows. A delta is published only once its
# transaction committed (a rolled-back write publishes nothing), and the stamps identify
# committed rows as :class:`CacheKey` does for this process's own cache: the result is the
# snapshot of those rows (with SNAPSHOT_CACHE_VERIFY, checked against a read of them).

DELTA_CHAIN = 16  # revisions a process catches up on through deltas; further behind: the rows
DELTA_TTL = 600  # seconds a delta stays in the shared cache
# A larger change (a re-layout of every table, a big merge) is not published: pickling it
# would cost its edit more than reading the rows costs another process once.
DELTA_MAX_ELEMENTS = 200
_DELTA_PARTS = ("tables", "relationships", "enums", "domains", "extensions", "sequences",
                "raw_objects", "collations")
_BY_UID = ("tables", "relationships")  # many elements: only the changed ones travel


def _delta_key(design_id: int, revision: int) -> str:
    return f"snapshot-delta:{_model_stamp()}:{design_id}:{revision}"


_MODEL_STAMP: list[str] = []


def _model_stamp() -> str:
    """The build of the pickled classes: the schema model's code and this module's. The
    model's frozen dataclasses pickle their fields by position, and the processes of two
    builds share the cache while a deployment rolls: a delta another build made would
    unpickle with fields missing or shifted, so it is never looked up (its key differs)."""
    if not _MODEL_STAMP:
        import hashlib
        import sys
        from pathlib import Path

        digest = hashlib.blake2b(digest_size=8)
        for name in ("modeler.schema.model", "modeler.schema.collations",
                     "modeler.schema.types", __name__):
            digest.update(Path(str(sys.modules[name].__file__)).read_bytes())
        _MODEL_STAMP.append(digest.hexdigest())
    return _MODEL_STAMP[0]


def delta(old: m.Schema, new: m.Schema) -> dict[str, Any]:
    """What changed from ``old`` to ``new``: per collection that differs, the changed and
    added elements and the uids removed (tables, relationships), or the whole new tuple."""
    out: dict[str, Any] = {}
    for name in _DELTA_PARTS:
        a, b = getattr(old, name), getattr(new, name)
        if a is b:
            continue
        if name in _BY_UID:
            before = {x.uid: x for x in a}
            changed = tuple(y for y in b if (x := before.pop(y.uid, None)) is None
                            or (x is not y and x != y))
            if changed or before:
                out[name] = ("items", changed, tuple(before))
        elif a != b:
            out[name] = ("all", b)
    return out


def _elements(change: dict[str, Any]) -> int:
    """How many elements :func:`delta`'s ``change`` carries."""
    return sum(len(d[1]) if d[0] == "all" else len(d[1]) + len(d[2]) for d in change.values())


def apply_delta(base: m.Schema, change: dict[str, Any]) -> m.Schema:
    """``base`` with :func:`delta`'s ``change`` applied, in canonical order; KeyError when it
    removes an element ``base`` does not have."""
    parts: dict[str, Any] = {}
    for name, d in change.items():
        if d[0] == "all":
            parts[name] = d[1]
            continue
        _, changed, removed = d
        items = {x.uid: x for x in getattr(base, name)}
        for uid in removed:
            del items[uid]
        for y in changed:
            items[y.uid] = y
        parts[name] = tuple(items.values())
    return m.normalized(replace(base, **parts)) if parts else base


def publish(before: CacheKey, after: CacheKey, change: dict[str, Any]) -> None:
    """Put the delta ``before`` -> ``after`` in the shared cache once the transaction
    commits (nothing when it rolls back). A cache that fails costs the other processes a
    read of the rows, never the edit."""
    from django.core.cache import cache

    def put() -> None:
        try:
            cache.set(_delta_key(after.design_id, after.revision), (before, after, change),
                      timeout=DELTA_TTL)
        except Exception:  # the cache is an optimisation
            return

    transaction.on_commit(put, robust=True)


def caught_up(key: CacheKey, settings: m.Settings, name: str) -> m.Schema | None:
    """The snapshot at ``key`` from this process's latest one of the design and the
    published deltas since (see above); None when they do not lead there exactly."""
    entry = CACHE.latest_entry(key.design_id)
    if entry is None:
        return None
    at, schema = entry
    if not 0 < key.revision - at.revision <= DELTA_CHAIN:
        return None
    from django.core.cache import cache

    revisions = range(at.revision + 1, key.revision + 1)
    try:
        found = cache.get_many([_delta_key(key.design_id, r) for r in revisions])
    except Exception:  # the cache is an optimisation: read the rows
        return None
    try:
        for r in revisions:
            step = found.get(_delta_key(key.design_id, r))
            if step is None or step[0] != at:
                return None
            at, schema = step[1], apply_delta(schema, step[2])
    except Exception:  # a removal of what is not there (KeyError), anything unexpected in
        return None  # what the cache gave: the deltas are an optimisation, read the rows
    if at != key:
        return None
    if schema.settings != settings or schema.name != name:
        schema = replace(schema, settings=settings, name=name)
    _verify(key, schema, "the snapshot caught up through the deltas")
    return schema


def canonical(schema: m.Schema) -> m.Schema:
    """:func:`m.normalized` of ``schema``, which is ``schema`` itself when it is in canonical
    order already (an edit's result is): the next request's snapshot is then the very
    object this edit validated, linted and drew, with what was memoised for it (its lookup
    index, its hash, the rules' analysis); a copy built them all again (at 1,000 tables the
    column index alone, 10,000 entries, on every edit)."""
    out = m.normalized(schema)
    if all(getattr(out, f.name) is getattr(schema, f.name) for f in fields(schema)):
        return schema
    return out


def snapshot_uncached(design_id: int) -> m.Schema:
    """The snapshot read from the rows, bypassing :data:`CACHE`."""
    row = _design_row(design_id)
    return _read(design_id, row, _settings(row))


def _fresh_at(key: CacheKey) -> m.Schema | None:
    """The rows read afresh, when the design stays at ``key``'s revision stamp from before
    to after the read; None when another process wrote meanwhile (its commit may land
    between the queries: there is then nothing to compare the hit with)."""
    row = _design_row(key.design_id)
    if (row["revision"], row["updated_at"]) != (key.revision, key.updated_at):
        return None
    fresh = _read(key.design_id, row, _settings(row))
    after = db.Design.objects.filter(pk=key.design_id).values_list("revision",
                                                                   "updated_at").get()
    return fresh if after == (key.revision, key.updated_at) else None


def _design_row(design_id: int) -> dict[str, Any]:
    """The design's revision stamp, its project's settings and which kinds it holds."""
    return dict(db.Design.objects.filter(pk=design_id)
                .annotate(**{flag: Exists(model._default_manager.filter(design=OuterRef("pk")))
                             for flag, model in _OPTIONAL.items()})
                .values("project__pg_version", "project__provider", "project__pk_policy",
                        "project__slug", "revision", "updated_at", *_OPTIONAL)
                .get())


def _settings(row: dict[str, Any]) -> m.Settings:
    return m.Settings(pg_version=row["project__pg_version"], provider=row["project__provider"],
                      pk_policy=row["project__pk_policy"])


def snapshot(design: db.Design | int) -> m.Schema:
    """The design's snapshot, in canonical order."""
    return snapshot_at(design)[0]


def snapshot_at(design: db.Design | int, *, just_read: bool = False) -> tuple[m.Schema, int]:
    """The snapshot and the design revision read before any element (a snapshot taken at
    revision r is current as long as the revision is still r: every write bumps it).

    Served from :data:`CACHE` when this process has already read (or written) the design
    at that revision: then it takes one query. ``just_read``: ``design`` and its project
    were read from the database by this request a moment ago (the editor's permission
    check): a cache hit at their revision then takes no query at all."""
    if just_read and isinstance(design, db.Design) and db.Design.project.is_cached(design):
        p = design.project
        hit = CACHE.get(CacheKey(design.pk, design.revision, design.updated_at),
                        _settings({"project__pg_version": p.pg_version,
                                   "project__provider": p.provider,
                                   "project__pk_policy": p.pk_policy}), p.slug)
        if hit is not None:
            return hit, design.revision
    design_id = design if isinstance(design, int) else design.pk
    row = _design_row(design_id)
    settings = _settings(row)
    key = CacheKey(design_id, row["revision"], row["updated_at"])
    cached = CACHE.get(key, settings, row["project__slug"])
    if cached is None:
        cached = caught_up(key, settings, row["project__slug"])
        if cached is None:
            cached = shared(_read(design_id, row, settings), CACHE.latest(design_id))
        CACHE.put(key, cached)
    return cached, row["revision"]


def shared(fresh: m.Schema, prior: m.Schema | None) -> m.Schema:
    """``fresh`` with the parts equal to ``prior``'s being ``prior``'s objects: each equal
    table, and each equal tuple of relationships, enums, domains, .... The same value; but
    what this process memoised by object for ``prior`` (the drawing's nodes and edges, their
    digests, the rules' analysis, the lint by table) serves it again. A web process that did
    not serve the design's last edit (another gunicorn worker) reads the rows afresh: without
    this, every table of it was new to those memos (at 300 tables ~110 ms CPU more per edit
    than in the process that made the edit, of which ~40 ms the read itself)."""
    if prior is None or prior is fresh:
        return fresh
    parts: dict[str, Any] = {
        name: _shared_items(getattr(fresh, name), getattr(prior, name))
        for name in ("tables", "relationships", "enums", "domains", "extensions",
                     "sequences", "raw_objects", "collations")}
    if fresh.settings == prior.settings:
        parts["settings"] = prior.settings
    return replace(fresh, **parts)


def _shared_items(mine: tuple[Any, ...], theirs: tuple[Any, ...]) -> tuple[Any, ...]:
    """``mine`` with each element equal to ``theirs``' of the same uid being that one; the
    very ``theirs`` when every element is."""
    if mine is theirs or not mine:
        return mine
    before = {x.uid: x for x in theirs}
    out = tuple(o if (o := before.get(x.uid)) is not None and (o is x or o == x) else x
                for x in mine)
    if len(out) == len(theirs) and all(a is b for a, b in zip(out, theirs, strict=True)):
        return theirs
    return out


def _rows(kind: fm.KindMap, design_id: int, *first: str,
          order: tuple[str, ...] = ()) -> tuple[tuple[str, ...], Any]:
    """The ``values_list`` query of ``kind`` in the design: ``first`` then the map's
    lookups (the names, for :meth:`~modeler.web.fieldmap.KindMap.reader`)."""
    names = (*first, *kind.lookups)
    rows = kind.model._default_manager.filter(design_id=design_id)
    return names, (rows.order_by(*order) if order else rows).values_list(*names)


def _flat(kind: fm.KindMap, design_id: int, *, order: tuple[str, ...] = ()) -> tuple[Any, ...]:
    names, rows = _rows(kind, design_id, order=order)
    build = kind.build(names)
    return tuple(build(r) for r in rows)


def _children(kind: fm.KindMap, design_id: int) -> dict[int, list[Any]]:
    """The kind's elements by their table's row pk."""
    out: dict[int, list[Any]] = defaultdict(list)
    names, rows = _rows(kind, design_id, "table_id",
                        order=("table_id", "position") if kind is fm.COLUMN else ())
    build = kind.build(names)
    for r in rows:
        out[r[0]].append(build(r))
    return out


def _read(design_id: int, row: dict[str, Any], settings: m.Settings) -> m.Schema:
    """Every element of the design: one query per element kind present."""
    columns = _children(fm.COLUMN, design_id)
    indexes = _children(fm.INDEX, design_id) if row["has_indexes"] else {}
    patterns = _children(fm.PATTERN, design_id) if row["has_patterns"] else {}
    uniques, checks = _constraints(design_id) if row["has_constraints"] else ({}, {})
    names, rows = _rows(fm.TABLE, design_id, "pk")
    read = fm.TABLE.reader(names)
    tables = tuple(m.Table(**read(r), columns=tuple(columns.get(r[0], ())),
                           indexes=tuple(indexes.get(r[0], ())),
                           uniques=tuple(uniques.get(r[0], ())),
                           checks=tuple(checks.get(r[0], ())),
                           query_patterns=tuple(patterns.get(r[0], ())))
                   for r in rows)
    return m.normalized(m.Schema(
        tables=tables,
        relationships=_flat(fm.RELATIONSHIP, design_id) if row["has_relationships"] else (),
        enums=_flat(fm.ENUM, design_id) if row["has_enums"] else (),
        domains=_flat(fm.DOMAIN, design_id) if row["has_domains"] else (),
        extensions=_flat(fm.EXTENSION, design_id) if row["has_extensions"] else (),
        sequences=_flat(fm.SEQUENCE, design_id) if row["has_sequences"] else (),
        raw_objects=_flat(fm.RAW, design_id, order=("position",)) if row["has_raw"] else (),
        settings=settings, name=row["project__slug"],
        collations=_flat(fm.COLLATION, design_id) if row["has_collations"] else ()))


def _constraints(design_id: int) -> tuple[dict[int, list[m.UniqueConstraint]],
                                          dict[int, list[m.CheckConstraint]]]:
    """Unique and check constraints share the Constraint rows (one query)."""
    uniques: dict[int, list[m.UniqueConstraint]] = defaultdict(list)
    checks: dict[int, list[m.CheckConstraint]] = defaultdict(list)
    names = ("table_id", "kind", *fm.lookups(fm.UNIQUE, fm.CHECK))
    unique, check = fm.UNIQUE.build(names), fm.CHECK.build(names)
    for r in db.Constraint.objects.filter(design_id=design_id).values_list(*names):
        if r[1] == "unique":
            uniques[r[0]].append(unique(r))
        else:
            checks[r[0]].append(check(r))
    return uniques, checks


# --------------------------------------------------------------------------- materialize

def clear_design(design: db.Design) -> None:
    """Delete every element of the design (dependents first)."""
    for model in (db.Relationship, db.QueryPattern, db.Constraint, db.DbIndex, db.DbColumn,
                  db.DbTable, db.EnumType, db.Domain, db.Extension, db.Sequence, db.RawObject,
                  db.Collation):
        model.objects.filter(design=design).delete()
    # a write: the rows are not what any snapshot cached at the old revision says
    db.Design.objects.filter(pk=design.pk).update(revision=F("revision") + 1,
                                                  updated_at=timezone.now())


@transaction.atomic
def materialize(schema: m.Schema, design: db.Design, *, checked: bool = False) -> None:
    """Replace the design's rows with ``schema`` (uids kept). All or nothing: an invalid
    snapshot raises :class:`~modeler.schema.validate.InvalidSchema` before any write.
    ``checked``: the caller ran :func:`~modeler.schema.validate.check` on ``schema`` (or on
    one that differs from it in table positions only, which the check does not read)."""
    if not checked:
        validate.check(schema)
    clear_design(design)
    store.sync(design, m.Schema(), schema, validated=True)
