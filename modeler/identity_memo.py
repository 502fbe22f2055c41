"""A memo by object identity, for values computed from large frozen objects that snapshots
share (tables, diagram nodes): hashing or comparing such an object costs what the memo saves.

An entry keeps its object alive, so that the object's ``id`` cannot be reused by another
object while the entry lives; the memo is bounded (emptied when full). Thread-safe enough
for memoising pure functions: a lost or repeated entry only costs a recomputation.
"""

from __future__ import annotations

from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")


class IdentityMemo(Generic[K, V]):
    """Values by the identity of the object they were computed from."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: dict[int, tuple[K, V]] = {}

    def get(self, obj: K) -> V | None:
        """The value stored for this very object, or None."""
        hit = self._items.get(id(obj))
        return hit[1] if hit is not None and hit[0] is obj else None

    def put(self, obj: K, value: V) -> V:
        """Store ``value`` for ``obj``; returns ``value``."""
        if len(self._items) >= self.size:
            self._items.clear()
        self._items[id(obj)] = (obj, value)
        return value

    def __len__(self) -> int:
        return len(self._items)
