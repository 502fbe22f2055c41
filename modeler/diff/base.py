"""The op protocol and the small, pure helpers ops use to edit a snapshot.

An op is a frozen dataclass describing one change between two snapshots. Like Django's
``state_forwards`` an op can :meth:`~Op.apply` itself to a snapshot, and like Alembic's ops it
knows its :meth:`~Op.reverse`. Ops that remove something carry the whole prior object, so the
reverse needs no database. Helpers here keep every collection in the canonical order of
:func:`modeler.schema.model.normalized`, so applying ops to a normalized snapshot gives a
normalized snapshot.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from operator import attrgetter
from typing import Any, ClassVar, Literal, TypeVar

from modeler.identity_memo import IdentityMemo
from modeler.schema.model import Column, Schema, Table

T = TypeVar("T")

Category = Literal["tables", "columns", "constraints", "indexes", "enums", "enum_values",
                   "types", "other"]
Action = Literal["added", "removed", "changed", "renamed"]


@dataclass(frozen=True, slots=True)
class Change:
    """One field of one element going from ``old`` to ``new``."""

    field: str
    old: Any
    new: Any

    def reversed(self) -> Change:
        return Change(self.field, self.new, self.old)


@dataclass(frozen=True, slots=True)
class SummaryEntry:
    """What an op means for the change list: ``action`` on element ``uid`` of ``category``."""

    category: Category
    action: Action
    uid: str
    name: str
    table_uid: str | None = None
    detail: str = ""


class Op:
    """Base of all ops. Subclasses are frozen dataclasses."""

    __slots__ = ()
    kind: ClassVar[str] = "op"

    @property
    def destructive(self) -> bool:
        """True when running the op can lose data (rule MG-05 wants those acknowledged)."""
        return False

    @property
    def touches_db(self) -> bool:
        """False for metadata-only ops (diagram position, notes): they render no SQL."""
        return True

    def reverse(self) -> Op:  # pragma: no cover - abstract
        """The op that undoes this one."""
        raise NotImplementedError

    def apply(self, schema: Schema) -> Schema:  # pragma: no cover - abstract
        """The snapshot after this op (the snapshot itself is not changed)."""
        raise NotImplementedError

    def describe(self) -> str:  # pragma: no cover - abstract
        """A short human sentence for the change list."""
        raise NotImplementedError

    def summary(self) -> SummaryEntry | None:
        """How the change list groups this op; None for ops it does not show."""
        return None


def set_field(obj: T, name: str, value: Any) -> T:
    """``obj`` with field ``name`` set to ``value`` (a frozen dataclass copy)."""
    fields: dict[str, Any] = {name: value}
    return replace(obj, **fields)  # type: ignore[type-var]  # T is a dataclass: replace() is typed for DataclassInstance


def apply_changes(obj: Any, changes: Iterable[Change]) -> Any:
    """``obj`` with each change's field set to its new value."""
    return replace(obj, **{c.field: c.new for c in changes})


def changes_between(old: Any, new: Any, fields: Iterable[str]) -> tuple[Change, ...]:
    """The changes (in ``fields`` order) that turn ``old`` into ``new``."""
    return tuple(Change(f, getattr(old, f), getattr(new, f)) for f in fields
                 if getattr(old, f) != getattr(new, f))


def describe_changes(changes: Iterable[Change]) -> str:
    return ", ".join(f"{c.field} {_short(c.old)} → {_short(c.new)}" for c in changes)


def _short(value: Any) -> str:
    if isinstance(value, tuple):
        return f"({len(value)} items)"
    if hasattr(value, "short"):
        return str(value.short())
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


# --- canonical order (must match modeler.schema.model.normalized) -------------------------

_uid = attrgetter("uid")


def _name_key(item: Any) -> tuple[Any, ...]:
    return (getattr(item, "name", ""), getattr(item, "uid", ""))


def _ns_name_key(item: Any) -> tuple[Any, ...]:
    return (getattr(item, "namespace", ""), getattr(item, "name", ""), getattr(item, "uid", ""))


def by_name(items: Iterable[T]) -> tuple[T, ...]:
    """Sort elements with ``name`` and ``uid`` the way :func:`normalized` does."""
    return tuple(sorted(items, key=_name_key))


def by_ns_name(items: Iterable[T]) -> tuple[T, ...]:
    return tuple(sorted(items, key=_ns_name_key))


# A diff applies its ops one by one, each to the snapshot the previous one gave, so the same
# collection is sorted again with one element added or replaced (770 foreign keys added to
# musicbrainz's relationships: 300,000 sort keys). The sort keys of a sorted collection are
# kept by the collection's identity: one more element is put in place by bisection, giving
# exactly what sorting again (stable) would give. Few entries: a diff extends the latest
# collection, and each entry keeps its collection (and its elements) alive.
_SORT_KEYS: dict[Callable[[Any], tuple[Any, ...]], IdentityMemo[tuple[Any, ...],
                                                                 list[tuple[Any, ...]] | bool]] = {
    _name_key: IdentityMemo(16), _ns_name_key: IdentityMemo(16)}


def _sorted_keys(items: tuple[Any, ...],
                 key: Callable[[Any], tuple[Any, ...]]) -> list[tuple[Any, ...]] | None:
    """The sort keys of ``items`` when they are already in ``key`` order, else None."""
    memo = _SORT_KEYS[key]
    known = memo.get(items)
    if known is None:
        keys = [key(i) for i in items]
        in_order = all(not keys[n] < keys[n - 1] for n in range(1, len(keys)))
        known = memo.put(items, keys if in_order else False)
    return known if isinstance(known, list) else None


def _placed(items: tuple[T, ...], position: int | None, item: T,
            key: Callable[[Any], tuple[Any, ...]]) -> tuple[T, ...]:
    """``items`` sorted by ``key`` with ``item`` added (``position`` None: as if appended) or
    put in place of the element at ``position``: what a stable sort of that would give."""
    rest = items if position is None else (*items[:position], *items[position + 1:])
    keys = _sorted_keys(items, key)
    if keys is None:
        both = (*rest, item) if position is None else (*rest[:position], item, *rest[position:])
        return tuple(sorted(both, key=key))
    if position is not None:
        keys = keys[:position] + keys[position + 1:]
    k = key(item)
    at = bisect_right(keys, k)
    if position is not None:  # among equal keys, the element keeps its place
        at = min(max(position, bisect_left(keys, k)), at)
    out = (*rest[:at], item, *rest[at:])
    _SORT_KEYS[key].put(out, [*keys[:at], k, *keys[at:]])
    return out


def added_named(items: tuple[T, ...], item: T) -> tuple[T, ...]:
    """``by_name((*items, item))`` for ``items`` in that order already (faster)."""
    return _placed(items, None, item, _name_key)


def added_ns_named(items: tuple[T, ...], item: T) -> tuple[T, ...]:
    """``by_ns_name((*items, item))`` for ``items`` in that order already (faster)."""
    return _placed(items, None, item, _ns_name_key)


def find(items: Iterable[T], uid: str) -> T:
    for item in items:
        if getattr(item, "uid", None) == uid:
            return item
    raise KeyError(uid)


def without(items: Iterable[T], uid: str) -> tuple[T, ...]:
    out = tuple(i for i in items if getattr(i, "uid", None) != uid)
    return out


def position_of(items: Iterable[T], uid: str) -> int:
    for n, item in enumerate(items):
        if getattr(item, "uid", None) == uid:
            return n
    raise KeyError(uid)


def insert_at(items: tuple[T, ...], position: int, item: T) -> tuple[T, ...]:
    return (*items[:position], item, *items[position:])


# --- snapshot edits -----------------------------------------------------------------------

def edit_table(schema: Schema, uid: str, fn: Callable[[Table], Table]) -> Schema:
    """``schema`` with table ``uid`` replaced by ``fn(table)`` (tables re-sorted)."""
    return replace(schema, tables=_edited(schema.tables, uid, fn, _ns_name_key))


def _edited(items: tuple[T, ...], uid: str, fn: Callable[[T], T],
            key: Callable[[Any], tuple[Any, ...]]) -> tuple[T, ...]:
    """``items`` with element ``uid`` replaced by ``fn(element)``, sorted by ``key``."""
    try:
        uids = list(map(_uid, items))
    except AttributeError:  # an element without a uid: as position_of reads it
        uids = [getattr(i, "uid", None) for i in items]
    if uid not in uids:
        raise KeyError(uid)
    if uids.count(uid) > 1:  # not a valid snapshot
        return tuple(sorted((fn(i) if getattr(i, "uid", None) == uid else i for i in items),
                            key=key))
    pos = uids.index(uid)
    return _placed(items, pos, fn(items[pos]), key)


def edit_column(schema: Schema, table_uid: str, uid: str,
                fn: Callable[[Column], Column]) -> Schema:
    def on_table(t: Table) -> Table:
        pos = position_of(t.columns, uid)
        cols = list(t.columns)
        cols[pos] = fn(cols[pos])
        return replace(t, columns=tuple(cols))
    return edit_table(schema, table_uid, on_table)


def edit_named(items: tuple[T, ...], uid: str, fn: Callable[[T], T]) -> tuple[T, ...]:
    """Replace element ``uid`` of a name-sorted collection and sort again."""
    return _edited(items, uid, fn, _name_key)


def edit_ns_named(items: tuple[T, ...], uid: str, fn: Callable[[T], T]) -> tuple[T, ...]:
    return _edited(items, uid, fn, _ns_name_key)

