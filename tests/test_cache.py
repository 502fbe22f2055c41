"""modeler.cache.LockedLRU: the shared bounded cache of snapshots and lint results."""

from __future__ import annotations

import threading

import pytest

from modeler.cache import LockedLRU


def test_oldest_unused_entry_goes_first() -> None:
    lru: LockedLRU[str, int] = LockedLRU(2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a") == 1  # "a" is now the most recent
    lru.put("c", 3)
    assert "b" not in lru and lru.get("a") == 1 and lru.get("c") == 3 and len(lru) == 2
    lru.put("a", 10)  # a new value replaces, no growth
    assert len(lru) == 2 and lru.get("a") == 10


def test_refused_hit_is_a_miss_and_keeps_its_place() -> None:
    lru: LockedLRU[str, int] = LockedLRU(2)
    lru.put("a", 1)
    lru.put("b", 2)
    assert lru.get("a", lambda v: v == 99) is None
    lru.put("c", 3)  # "a" was not refreshed by the refused hit: it goes
    assert "a" not in lru and lru.get("b", lambda v: v == 2) == 2
    assert lru.get("missing") is None


def test_clear_and_bad_size() -> None:
    lru: LockedLRU[int, int] = LockedLRU(3)
    lru.put(1, 1)
    lru.clear()
    assert len(lru) == 0 and lru.get(1) is None
    with pytest.raises(ValueError):
        LockedLRU(0)


def test_concurrent_puts_stay_bounded() -> None:
    lru: LockedLRU[int, int] = LockedLRU(5)

    def work(base: int) -> None:
        for i in range(500):
            lru.put(base + i, i)
            lru.get(base + i // 2)

    threads = [threading.Thread(target=work, args=(n * 1000,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(lru) == 5
