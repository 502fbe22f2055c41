"""Rows ↔ snapshot: ``snapshot(design)`` reads a design in a bounded number of queries,
``materialize(schema, design)`` writes a snapshot back as rows (imports, version restores).

Query budget: one query for the design with its project's settings and an EXISTS flag per
optional element kind; when this process holds the snapshot of that revision
(:class:`SnapshotCache`) that is all, else one query per kind that is present (tables, columns,
relationships, indexes, constraints, query patterns, enums, domains, extensions, sequences,
collations, raw objects). A 1,000-table design with tables, columns, FKs and indexes takes 5
queries. Rows are read with ``values_list`` (no model instances) because this runs on every edit.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any, NamedTuple

from django.conf import settings as django_settings
from django.db import transaction
from django.db.models import Exists, F, OuterRef
from django.utils import timezone

from modeler.cache import LockedLRU
from modeler.schema import model as m
from modeler.schema import serialize, validate
from modeler.web import models as db
from modeler.web import store

_OPTIONAL = {
    "has_indexes": db.DbIndex, "has_constraints": db.Constraint,
    "has_patterns": db.QueryPattern, "has_enums": db.EnumType, "has_domains": db.Domain,
    "has_extensions": db.Extension, "has_sequences": db.Sequence, "has_raw": db.RawObject,
    "has_relationships": db.Relationship, "has_collations": db.Collation,
}


def _s(value: Any) -> str:
    return str(value)


def _opt(value: Any) -> str | None:
    return None if value is None else str(value)


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

    @property
    def size(self) -> int:
        return self._items.size

    def get(self, key: CacheKey, settings: m.Settings, name: str) -> m.Schema | None:
        hit = self._items.get(key)
        if hit is None or hit.settings != settings or hit.name != name:
            return None
        if getattr(django_settings, "SNAPSHOT_CACHE_VERIFY", False):
            fresh = _fresh_at(key)
            if fresh is not None and fresh != hit:
                raise StaleSnapshot(f"design {key.design_id} at revision {key.revision}: "
                                    "the cached snapshot differs from the rows")
        return hit

    def put(self, key: CacheKey, schema: m.Schema) -> None:
        self._items.put(key, schema)

    def clear(self) -> None:
        self._items.clear()


class StaleSnapshot(AssertionError):
    """A cached snapshot no longer matches the rows (a write did not bump the revision)."""


CACHE = SnapshotCache()


def written(design: db.Design, schema: m.Schema) -> CacheKey:
    """Remember ``schema`` as what ``design`` holds now, right after a write that stored
    exactly it (the next read at this revision needs no element query); returns the
    design's new revision stamp."""
    row = db.Design.objects.filter(pk=design.pk).values_list("revision", "updated_at").get()
    key = CacheKey(design.pk, *row)
    CACHE.put(key, m.normalized(schema))
    return key


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
                .annotate(**{flag: Exists(model.objects.filter(design=OuterRef("pk")))
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


def snapshot_at(design: db.Design | int) -> tuple[m.Schema, int]:
    """The snapshot and the design revision read before any element (a snapshot taken at
    revision r is current as long as the revision is still r: every write bumps it).

    Served from :data:`CACHE` when this process has already read (or written) the design
    at that revision: then it takes one query."""
    design_id = design if isinstance(design, int) else design.pk
    row = _design_row(design_id)
    settings = _settings(row)
    key = CacheKey(design_id, row["revision"], row["updated_at"])
    cached = CACHE.get(key, settings, row["project__slug"])
    if cached is None:
        cached = _read(design_id, row, settings)
        CACHE.put(key, cached)
    return cached, row["revision"]


def _read(design_id: int, row: dict[str, Any], settings: m.Settings) -> m.Schema:
    """Every element of the design: one query per element kind present."""
    columns = _columns(design_id)
    children: dict[str, dict[int, list[Any]]] = {
        "indexes": _indexes(design_id) if row["has_indexes"] else {},
        "patterns": _patterns(design_id) if row["has_patterns"] else {},
    }
    uniques, checks = _constraints(design_id) if row["has_constraints"] else ({}, {})
    tables = []
    for (pk, uid, name, ns, comment, kind, strategy, area, color, x, y, pk_name, part_by,
         part_of, bound, expected_rows) in (
            db.DbTable.objects.filter(design_id=design_id).values_list(
                "pk", "uid", "name", "namespace", "comment", "kind", "delete_strategy",
                "subject_area", "color", "pos_x", "pos_y", "pk_name", "partition_by",
                "partition_of", "partition_bound", "expected_rows")):
        tables.append(m.Table(
            uid=_s(uid), name=name, namespace=ns, comment=comment, kind=kind,
            delete_strategy=strategy, subject_area=area, color=color,
            position=None if x is None else m.Position(x, y), pk_name=pk_name or None,
            columns=tuple(columns.get(pk, ())), indexes=tuple(children["indexes"].get(pk, ())),
            uniques=tuple(uniques.get(pk, ())), checks=tuple(checks.get(pk, ())),
            query_patterns=tuple(children["patterns"].get(pk, ())), partition_by=part_by,
            partition_of=_opt(part_of), partition_bound=bound, expected_rows=expected_rows))
    return m.normalized(m.Schema(
        tables=tuple(tables),
        relationships=_relationships(design_id) if row["has_relationships"] else (),
        enums=_enums(design_id) if row["has_enums"] else (),
        domains=_domains(design_id) if row["has_domains"] else (),
        extensions=tuple(m.Extension(uid=_s(u), name=n, namespace=ns or None) for u, n, ns in
                         db.Extension.objects.filter(design_id=design_id).values_list(
                             "uid", "name", "namespace")) if row["has_extensions"] else (),
        sequences=_sequences(design_id) if row["has_sequences"] else (),
        raw_objects=tuple(m.RawObject(uid=_s(u), kind=k, name=n, sql=sql, namespace=ns,
                                      search_path=path)
                          for u, k, n, sql, ns, path in db.RawObject.objects.filter(
                              design_id=design_id).order_by("position").values_list(
                              "uid", "kind", "name", "sql", "namespace", "search_path"))
        if row["has_raw"] else (),
        settings=settings, name=row["project__slug"],
        collations=_collations(design_id) if row["has_collations"] else ()))


def _collations(design_id: int) -> tuple[m.Collation, ...]:
    return tuple(
        m.Collation(uid=_s(uid), name=name, namespace=ns, provider=provider, locale=locale,
                    lc_collate=collate, lc_ctype=ctype, deterministic=det, rules=rules,
                    comment=comment)
        for uid, name, ns, provider, locale, collate, ctype, det, rules, comment in
        db.Collation.objects.filter(design_id=design_id).values_list(
            "uid", "name", "namespace", "provider", "locale", "lc_collate", "lc_ctype",
            "deterministic", "rules", "comment"))


def _columns(design_id: int) -> dict[int, list[m.Column]]:
    out: dict[int, list[m.Column]] = defaultdict(list)
    rows = db.DbColumn.objects.filter(design_id=design_id).order_by("table_id", "position")
    for (table_id, uid, name, tkind, tname, length, precision, scale, dims, enum_uid,
         domain_uid, nullable, default, identity, generated, pk_order, comment, null_meaning,
         searchable, frequent, denorm, collation, backfill) in rows.values_list(
            "table_id", "uid", "name", "type_kind", "type_name", "length", "precision",
            "scale", "array_dims", "enum_type__uid", "domain__uid", "nullable", "default",
            "identity", "generated", "pk_order", "comment", "null_meaning", "searchable",
            "frequently_queried", "denormalized", "collation", "backfill"):
        ref = _opt(enum_uid if tkind == "enum" else domain_uid if tkind == "domain" else None)
        out[table_id].append(m.Column(
            uid=_s(uid), name=name,
            type=m.ColumnType(kind=tkind, name=tname, length=length, precision=precision,
                              scale=scale, array_dims=dims, ref=ref),
            nullable=nullable, default=default, identity=identity or None,
            generated=generated, pk_order=pk_order, comment=comment,
            null_meaning=null_meaning, searchable=searchable, frequently_queried=frequent,
            denormalized=None if denorm is None else m.Denormalization(**denorm),
            collation=collation, backfill=backfill))
    return out


def _indexes(design_id: int) -> dict[int, list[m.Index]]:
    out: dict[int, list[m.Index]] = defaultdict(list)
    for (table_id, uid, name, parts, unique, method, where, include, nnd,
         comment) in db.DbIndex.objects.filter(design_id=design_id).values_list(
            "table_id", "uid", "name", "parts", "unique", "method", "where", "include",
            "nulls_not_distinct", "comment"):
        out[table_id].append(m.Index(
            uid=_s(uid), name=name,
            parts=tuple(serialize.decode(m.IndexPart, p) for p in parts), unique=unique,
            method=method, where=where, include=tuple(include), nulls_not_distinct=nnd,
            comment=comment))
    return out


def _constraints(design_id: int) -> tuple[dict[int, list[m.UniqueConstraint]],
                                          dict[int, list[m.CheckConstraint]]]:
    uniques: dict[int, list[m.UniqueConstraint]] = defaultdict(list)
    checks: dict[int, list[m.CheckConstraint]] = defaultdict(list)
    for (table_id, uid, kind, name, cols, expr, nnd, deferrable, deferred,
         comment) in db.Constraint.objects.filter(design_id=design_id).values_list(
            "table_id", "uid", "kind", "name", "columns", "expression", "nulls_not_distinct",
            "deferrable", "initially_deferred", "comment"):
        if kind == "unique":
            uniques[table_id].append(m.UniqueConstraint(
                uid=_s(uid), name=name, columns=tuple(cols), nulls_not_distinct=nnd,
                deferrable=deferrable, initially_deferred=deferred, comment=comment))
        else:
            checks[table_id].append(m.CheckConstraint(uid=_s(uid), name=name,
                                                      expression=expr, comment=comment))
    return uniques, checks


def _patterns(design_id: int) -> dict[int, list[m.QueryPattern]]:
    out: dict[int, list[m.QueryPattern]] = defaultdict(list)
    for table_id, uid, name, eq, rng, order, hot in db.QueryPattern.objects.filter(
            design_id=design_id).values_list("table_id", "uid", "name", "equality",
                                             "range_column", "order_by", "hot"):
        out[table_id].append(m.QueryPattern(
            uid=_s(uid), name=name, equality=tuple(eq), range=_opt(rng),
            order_by=tuple(m.OrderKey(o["column"], o.get("descending", False)) for o in order),
            hot=hot))
    return out


def _relationships(design_id: int) -> tuple[m.Relationship, ...]:
    return tuple(
        m.Relationship(uid=_s(uid), name=name, child_table=_s(ct), child_columns=tuple(cc),
                       parent_table=_s(pt), parent_columns=tuple(pc), cardinality=card,
                       optional=opt, on_delete=od, on_update=ou, deferrable=de,
                       initially_deferred=ide, comment=comment)
        for (uid, name, ct, cc, pt, pc, card, opt, od, ou, de, ide, comment)
        in db.Relationship.objects.filter(design_id=design_id).values_list(
            "uid", "name", "child_table__uid", "child_columns", "parent_table__uid",
            "parent_columns", "cardinality", "optional", "on_delete", "on_update",
            "deferrable", "initially_deferred", "comment"))


def _enums(design_id: int) -> tuple[m.EnumType, ...]:
    return tuple(
        m.EnumType(uid=_s(uid), name=name, namespace=ns, comment=comment,
                   values=tuple(m.EnumValue(v["uid"], v["label"]) for v in values))
        for uid, name, ns, values, comment in db.EnumType.objects.filter(
            design_id=design_id).values_list("uid", "name", "namespace", "values", "comment"))


def _domains(design_id: int) -> tuple[m.Domain, ...]:
    return tuple(
        m.Domain(uid=_s(uid), name=name, namespace=ns,
                 base=serialize.decode(m.ColumnType, base), not_null=nn, default=default,
                 checks=tuple(m.DomainCheck(c["name"], c["expression"]) for c in checks),
                 comment=comment)
        for uid, name, ns, base, nn, default, checks, comment in db.Domain.objects.filter(
            design_id=design_id).values_list("uid", "name", "namespace", "base_type",
                                             "not_null", "default", "checks", "comment"))


def _sequences(design_id: int) -> tuple[m.Sequence, ...]:
    return tuple(
        m.Sequence(uid=_s(uid), name=name, namespace=ns, data_type=dt, start=start,
                   increment=inc, min_value=mn, max_value=mx, cache=cache, cycle=cycle,
                   owned_by_table=_opt(ot), owned_by_column=_opt(oc))
        for uid, name, ns, dt, start, inc, mn, mx, cache, cycle, ot, oc in
        db.Sequence.objects.filter(design_id=design_id).values_list(
            "uid", "name", "namespace", "data_type", "start", "increment", "min_value",
            "max_value", "cache", "cycle", "owned_by_table", "owned_by_column"))


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
def materialize(schema: m.Schema, design: db.Design) -> None:
    """Replace the design's rows with ``schema`` (uids kept). All or nothing: an invalid
    snapshot raises :class:`~modeler.schema.validate.InvalidSchema` before any write."""
    validate.check(schema)
    clear_design(design)
    store.sync(design, m.Schema(), schema)
