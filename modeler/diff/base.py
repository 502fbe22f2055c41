"""The op protocol and the small, pure helpers ops use to edit a snapshot.

An op is a frozen dataclass describing one change between two snapshots. Like Django's
``state_forwards`` an op can :meth:`~Op.apply` itself to a snapshot, and like Alembic's ops it
knows its :meth:`~Op.reverse`. Ops that remove something carry the whole prior object, so the
reverse needs no database. Helpers here keep every collection in the canonical order of
:func:`modeler.schema.model.normalized`, so applying ops to a normalized snapshot gives a
normalized snapshot.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any, ClassVar, Literal, TypeVar

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
    return replace(obj, **fields)  # type: ignore[type-var]


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

def by_name(items: Iterable[T]) -> tuple[T, ...]:
    """Sort elements with ``name`` and ``uid`` the way :func:`normalized` does."""
    return tuple(sorted(items, key=lambda i: (getattr(i, "name", ""), getattr(i, "uid", ""))))


def by_ns_name(items: Iterable[T]) -> tuple[T, ...]:
    return tuple(sorted(items, key=lambda i: (getattr(i, "namespace", ""),
                                              getattr(i, "name", ""), getattr(i, "uid", ""))))


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
    found = False
    tables = []
    for t in schema.tables:
        if t.uid == uid:
            t, found = fn(t), True
        tables.append(t)
    if not found:
        raise KeyError(uid)
    return replace(schema, tables=by_ns_name(tables))


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
    find(items, uid)
    return by_name(fn(i) if getattr(i, "uid", None) == uid else i for i in items)


def edit_ns_named(items: tuple[T, ...], uid: str, fn: Callable[[T], T]) -> tuple[T, ...]:
    find(items, uid)
    return by_ns_name(fn(i) if getattr(i, "uid", None) == uid else i for i in items)

