"""A small thread-safe LRU map: the process-wide caches of snapshots, of lint results, of
diagram nodes and of sanitised diagram groups.

Pure (standard library only), so any floor may use it. Values are kept as they are (the
caches hold immutable snapshots and tuples: a hit is shared, not copied)."""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping
from pathlib import Path
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class LockedLRU(Generic[K, V]):
    """At most ``size`` entries, or with ``weigh`` entries weighing at most ``size`` in all
    (``weigh(key, value)``: e.g. characters); the least recently used goes first. Every
    call holds one lock for its duration."""

    def __init__(self, size: int, *, weigh: Callable[[K, V], int] | None = None) -> None:
        if size < 1:
            raise ValueError("an LRU cache holds at least one entry")
        self.size = size
        self.weight = 0  # of the entries held (their number without ``weigh``)
        self._weigh = weigh
        self._items: OrderedDict[K, V] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K, accept: Callable[[V], bool] | None = None) -> V | None:
        """The value under ``key``, now the most recently used; None when absent or when
        ``accept`` (called under the lock) refuses it, which leaves its place unchanged."""
        with self._lock:
            hit = self._items.get(key)
            if hit is None or (accept is not None and not accept(hit)):
                return None
            self._items.move_to_end(key)
            return hit

    def put(self, key: K, value: V) -> None:
        """Store ``value`` as the most recently used, dropping the oldest past ``size``."""
        self.put_many({key: value})

    def put_many(self, items: Mapping[K, V]) -> None:
        """:meth:`put` of each item in turn, under one lock."""
        weigh = self._weigh
        with self._lock:
            for key, value in items.items():
                old = self._items.pop(key, None)
                if old is not None:
                    self.weight -= 1 if weigh is None else weigh(key, old)
                self._items[key] = value
                self.weight += 1 if weigh is None else weigh(key, value)
            while self.weight > self.size and self._items:
                key, value = self._items.popitem(last=False)
                self.weight -= 1 if weigh is None else weigh(key, value)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self.weight = 0

    def __len__(self) -> int:
        return len(self._items)

    def __contains__(self, key: object) -> bool:
        return key in self._items


def files_stamp(files: Iterable[Path], *extra: str) -> str:
    """A digest of ``files``' paths, sizes and modification times (and ``extra``): the
    version of the code and programs a stored result was made by. A file that is missing
    is left out."""
    parts = list(extra)
    for f in files:
        try:
            st = os.stat(f)
        except OSError:
            continue
        parts.append(f"{f}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()

