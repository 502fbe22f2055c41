"""Write a snapshot's changes as rows: ``sync(design, old, new)``.

Every write path (editor actions, fixes, imports, version restores, merges) produces a new
snapshot and calls :func:`sync`, which compares old and new element by element (by uid) and
inserts, updates or deletes only the rows that differ. Updated rows get ``version + 1``
(optimistic locking). Creates go parents-first, deletes children-first. An element's row
fields come from its kind's map in :mod:`modeler.web.fieldmap`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import connections, router, transaction
from django.db.models import Case, CharField, F, ForeignKey, Model, Value, When
from django.db.models import fields as dj_fields
from django.db.models.functions import Cast, Concat
from django.utils import timezone

from modeler.schema import model as m
from modeler.schema import validate
from modeler.web import fieldmap as fm
from modeler.web import models as db


@dataclass
class _Kind:
    """One element kind: its rows in old and new, keyed by uid, with their row fields."""

    model: type[Model]
    old: dict[str, Any]
    new: dict[str, Any]
    fields: Callable[[Any], dict[str, Any]]
    created: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)

    def compare(self) -> None:
        old, new = self.old, self.new
        self.created = [u for u in new if u not in old]
        self.deleted = [u for u in old if u not in new]
        # the same object is no change (snapshots share what an edit left alone): no
        # field-by-field comparison for it
        self.changed = [u for u, x in new.items() if u in old and old[u] is not x
                        and old[u] != x]


def _by_uid(items: Iterable[Any]) -> dict[str, Any]:
    return {x.uid: x for x in items}


def _children(tables: Iterable[m.Table], attr: str) -> dict[str, tuple[str, Any]]:
    return {x.uid: (t.uid, x) for t in tables for x in getattr(t, attr)}


def _columns(tables: Iterable[m.Table]) -> dict[str, tuple[str, int, m.Column]]:
    return {c.uid: (t.uid, pos, c) for t in tables for pos, c in enumerate(t.columns)}


def _differing_tables(old: m.Schema,
                      new: m.Schema) -> tuple[tuple[m.Table, ...], tuple[m.Table, ...]]:
    """``old``'s and ``new``'s tables less those that are the same in both (the same
    object, as snapshots share the tables an edit left alone, or equal): such a table has
    the same rows, its own and its columns', indexes, constraints and query patterns', in
    both, so comparing them could only find no change. Uids are unique in a valid
    snapshot, so the elements of the other tables compare as they would among all."""
    before = {t.uid: t for t in old.tables}
    same: set[str] = set()
    for t in new.tables:
        was = before.get(t.uid)
        if was is not None and (was is t or was == t):
            same.add(t.uid)
    if not same:
        return old.tables, new.tables
    return (tuple(t for t in old.tables if t.uid not in same),
            tuple(t for t in new.tables if t.uid not in same))


@dataclass
class SyncResult:
    created: int = 0
    changed: int = 0
    deleted: int = 0
    touched: set[str] = field(default_factory=set)  # uids written
    # the design's new revision and updated_at when something was written
    stamp: tuple[int, Any] | None = None

    @property
    def empty(self) -> bool:
        return not (self.created or self.changed or self.deleted)


@transaction.atomic(savepoint=False)  # inside an edit's transaction: no savepoint to pay
def sync(design: db.Design, old: m.Schema, new: m.Schema, *,
         validated: bool = False) -> SyncResult:
    """Write the difference between ``old`` (what the rows hold now) and ``new``;
    ``validated``: the caller has just checked ``new`` with :mod:`validate`."""
    if not validated:
        validate.check(new)
    result = SyncResult()
    enums = _Kind(db.EnumType, _by_uid(old.enums), _by_uid(new.enums), fm.ENUM.row)
    domains = _Kind(db.Domain, _by_uid(old.domains), _by_uid(new.domains), fm.DOMAIN.row)
    old_tables, new_tables = _differing_tables(old, new)
    # a table's row compares by its own fields: a changed column is no change of the table
    tables = _Kind(db.DbTable, {t.uid: fm.TABLE.row(t) for t in old_tables},
                   {t.uid: fm.TABLE.row(t) for t in new_tables}, dict)
    for k in (enums, domains, tables):
        k.compare()
        _vacate(design, k)
    _apply_creates(design, enums, result)
    _apply_creates(design, domains, result)
    for kind in (enums, domains, tables):
        _apply_updates(design, kind, result)
    insert(db.DbTable, [{"design_id": design.pk, "uid": u, **tables.new[u]}
                        for u in tables.created])
    result.created += len(tables.created)
    result.touched.update(tables.created)

    # uid -> row pk of the parents the written rows refer to, read when first needed (an
    # added text column needs its table's pk, not the design's enums and domains)
    table_pk = _Pks(db.DbTable, design)
    pk_of = {"table": table_pk, "enum": _Pks(db.EnumType, design),
             "domain": _Pks(db.Domain, design)}

    old_cols, new_cols = _columns(old_tables), _columns(new_tables)
    cols = _Kind(db.DbColumn, old_cols, new_cols, dict)
    others = [
        _Kind(db.DbIndex, _children(old_tables, "indexes"), _children(new_tables, "indexes"),
              lambda x: fm.INDEX.row(x[1])),
        _Kind(db.Constraint, _children(old_tables, "uniques"), _children(new_tables, "uniques"),
              lambda x: fm.UNIQUE.row(x[1])),
        _Kind(db.Constraint, _children(old_tables, "checks"), _children(new_tables, "checks"),
              lambda x: fm.CHECK.row(x[1])),
        _Kind(db.QueryPattern, _children(old_tables, "query_patterns"),
              _children(new_tables, "query_patterns"), lambda x: fm.PATTERN.row(x[1])),
    ]
    rels = _Kind(db.Relationship, _by_uid(old.relationships), _by_uid(new.relationships),
                 lambda r: fm.RELATIONSHIP.row(r, pk_of))
    flat = [
        _Kind(db.Extension, _by_uid(old.extensions), _by_uid(new.extensions),
              fm.EXTENSION.row),
        _Kind(db.Sequence, _by_uid(old.sequences), _by_uid(new.sequences), fm.SEQUENCE.row),
        _Kind(db.Collation, _by_uid(old.collations), _by_uid(new.collations),
              fm.COLLATION.row),
        _Kind(db.RawObject, {r.uid: (i, r) for i, r in enumerate(old.raw_objects)},
              {r.uid: (i, r) for i, r in enumerate(new.raw_objects)},
              lambda x: {**fm.RAW.row(x[1]), "position": x[0]}),
    ]
    for k in (cols, *others, rels, *flat):
        k.compare()
        _vacate(design, k)
    # the tables of the rows created under them and of the relationships written: one
    # query for them (any other pk a row needs is read with all of its kind's)
    table_pk.want({*(k.new[u][0] for k in (cols, *others) for u in k.created),
                   *(t for u in (*rels.created, *rels.changed)
                     for t in (rels.new[u].child_table, rels.new[u].parent_table))})

    def col_fields(x: tuple[str, int, m.Column]) -> dict[str, Any]:
        return {**fm.COLUMN.row(x[2], pk_of), "position": x[1]}
    cols.fields = col_fields
    # Deletes that could block (unique names, PROTECT) go first for children.
    for k in (rels, *others):
        _apply_deletes(design, k, result)
    _apply_deletes(design, cols, result)
    _apply_updates(design, cols, result)
    _create_children(design, cols, result, table_pk)
    for k in others:
        _apply_updates(design, k, result)
        _create_children(design, k, result, table_pk)
    _apply_updates(design, rels, result)
    _apply_creates(design, rels, result)
    for k in flat:
        _apply_deletes(design, k, result)
        _apply_updates(design, k, result)
        _apply_creates(design, k, result)
    _apply_deletes(design, tables, result)
    _apply_deletes(design, enums, result)
    _apply_deletes(design, domains, result)
    if not result.empty:
        result.stamp = _bump(design)
    return result


def _bump(design: db.Design) -> tuple[int, Any]:
    """Move the design to its next revision (every write does: a snapshot cached at the old
    one is stale); the new revision and ``updated_at``, from the same statement."""
    now = timezone.now()
    conn = connections[router.db_for_write(db.Design)]
    meta = db.Design._meta
    stamped = meta.get_field("updated_at")
    qn = conn.ops.quote_name
    revision = qn(meta.get_field("revision").column)
    with conn.cursor() as cursor:
        cursor.execute(f"UPDATE {qn(meta.db_table)} "  # noqa: S608  # names from the model
                       f"SET {revision} = {revision} + 1, {qn(stamped.column)} = %s "
                       f"WHERE {qn(meta.pk.column)} = %s RETURNING {revision}",
                       [stamped.get_db_prep_save(now, conn), design.pk])
        row = cursor.fetchone()
    if row is None:
        raise db.Design.DoesNotExist(f"design {design.pk} is gone")
    return int(row[0]), now


class _Pks(dict[str, int]):
    """uid -> row pk of one kind of element in the design. :meth:`want` reads the given
    uids' in one query; a uid not read yet reads the whole kind's (once)."""

    def __init__(self, model: type[Model], design: db.Design) -> None:
        super().__init__()
        self._model, self._design, self._all = model, design, False

    def _read(self, uids: Iterable[str] | None = None) -> None:
        rows = self._model._default_manager.filter(design=self._design)
        if uids is not None:
            rows = rows.filter(uid__in=list(uids))
        self.update({str(u): p for u, p in rows.values_list("uid", "pk")})

    def want(self, uids: set[str]) -> None:
        missing = {u for u in uids if u not in self}
        if missing and not self._all:
            self._read(missing)

    def __missing__(self, uid: str) -> int:
        if not self._all:
            self._all = True
            self._read()
            if uid in self:
                return self[uid]
        raise KeyError(uid)


# Field classes whose database value is the Python value a row holds (a foreign key: the
# parent's integer key)
_PLAIN = (dj_fields.CharField, dj_fields.TextField, dj_fields.IntegerField,
          dj_fields.BooleanField, dj_fields.FloatField, ForeignKey)
_BATCH = 2000


def insert(model: type[Model], rows: list[dict[str, Any]]) -> None:
    """INSERT ``rows`` of ``model`` (field attname -> value; the fields a row leaves out
    take their defaults, ``auto_now``/``auto_now_add`` times this moment): the rows
    ``bulk_create`` writes, without a model instance and a compiled value per field and
    row, where saving a whole design spent most of its time (~230 µs a row). Values go
    through the field's own ``get_db_prep_save`` unless its database value is the value."""
    if not rows:
        return
    conn = connections[router.db_for_write(model)]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    missing = object()

    def value_of(f: Any) -> Callable[[dict[str, Any]], Any]:
        if isinstance(f, dj_fields.DateTimeField) and (f.auto_now or f.auto_now_add):
            stamp = f.get_db_prep_save(now, conn)
            return lambda row: stamp
        name, prep = f.attname, None if isinstance(f, _PLAIN) else f.get_db_prep_save

        def read(row: dict[str, Any]) -> Any:
            v = row.get(name, missing)
            if v is missing:
                if not (f.has_default() or f.null):
                    raise ValueError(f"{model.__name__}.{name}: no value and no default")
                v = f.get_default()
            return v if prep is None else prep(v, conn)
        return read
    readers = [value_of(f) for f in fields]
    values = [tuple(r(row) for r in readers) for row in rows]
    qn = conn.ops.quote_name
    sql = (f"INSERT INTO {qn(model._meta.db_table)} "  # noqa: S608  # names from the model
           f"({', '.join(qn(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    with conn.cursor() as cursor:
        for start in range(0, len(values), _BATCH):
            cursor.executemany(sql, values[start:start + _BATCH])


def _name_key(x: Any) -> tuple[Any, ...]:
    """What a row's unique name depends on: its namespace, name and (a constraint) table."""
    obj = x[-1] if isinstance(x, tuple) else x
    if isinstance(obj, dict):
        return obj.get("namespace"), obj.get("name"), obj.get("child_table")
    return (getattr(obj, "namespace", None), getattr(obj, "name", None),
            getattr(obj, "child_table", None))


def _vacate(design: db.Design, kind: _Kind) -> None:
    """Rows that give up their name in this write (deleted, or renamed) first take a
    placeholder of their own (``~`` and the uid), so that whatever order the writes go in,
    another row can take the name: two names swapped, a dropped table's name reused by a
    new or a renamed one. An edit that renames and drops nothing costs no query."""
    leaving = [*kind.deleted, *(u for u in kind.changed
                                if _name_key(kind.old[u]) != _name_key(kind.new[u]))]
    if leaving and any(f.name == "name" for f in kind.model._meta.concrete_fields):
        kind.model._default_manager.filter(design=design, uid__in=leaving).update(
            name=Concat(Value("~"), Cast("uid", output_field=CharField())))


def _apply_creates(design: db.Design, kind: _Kind, result: SyncResult) -> None:
    if kind.created:
        insert(kind.model, [{"design_id": design.pk, "uid": u, **kind.fields(kind.new[u])}
                            for u in kind.created])
        result.created += len(kind.created)
        result.touched.update(kind.created)


def _create_children(design: db.Design, kind: _Kind, result: SyncResult,
                     table_pk: dict[str, int]) -> None:
    if kind.created:
        insert(kind.model, [{"design_id": design.pk, "uid": u,
                             "table_id": table_pk[kind.new[u][0]], **kind.fields(kind.new[u])}
                            for u in kind.created])
        result.created += len(kind.created)
        result.touched.update(kind.created)


def _apply_updates(design: db.Design, kind: _Kind, result: SyncResult) -> None:
    now = timezone.now()
    changed = kind.changed
    if kind.model is db.DbColumn:
        # columns that only moved (those after a column added or dropped in their table):
        # their positions in one statement, not one UPDATE each
        moved = {u: kind.new[u][1] for u in changed
                 if kind.old[u][0] == kind.new[u][0] and kind.old[u][2] == kind.new[u][2]}
        if len(moved) > 1:
            db.DbColumn.objects.filter(design=design, uid__in=list(moved)).update(
                position=Case(*(When(uid=u, then=Value(p)) for u, p in moved.items()),
                              output_field=dj_fields.PositiveIntegerField()),
                version=F("version") + 1, updated_at=now)
            changed = [u for u in changed if u not in moved]
    for u in changed:
        values = kind.fields(kind.new[u])
        if kind.model is db.DbColumn or kind.model in (db.DbIndex, db.Constraint,
                                                       db.QueryPattern):
            old_parent, new_parent = kind.old[u][0], kind.new[u][0]
            if old_parent != new_parent:
                raise ValueError("an element cannot move to another table")
        kind.model._default_manager.filter(design=design, uid=u).update(
            **values, version=F("version") + 1, updated_at=now)
    result.changed += len(kind.changed)
    result.touched.update(kind.changed)


def _apply_deletes(design: db.Design, kind: _Kind, result: SyncResult) -> None:
    if kind.deleted:
        kind.model._default_manager.filter(
            design=design, uid__in=kind.deleted).delete()
        result.deleted += len(kind.deleted)
        result.touched.update(kind.deleted)
