"""Ordering helpers for the differ: FK-aware table order, collision-free renames, and the
longest run of elements that kept their relative order."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Sequence
from typing import TypeVar

from modeler.schema.graph import tables_in_fk_order as tables_in_fk_order  # re-export

K = TypeVar("K", bound=Hashable)


def order_renames(renames: Sequence[tuple[str, K, K]], occupied: Iterable[K],
                  temporary: Callable[[K, int], K]) -> list[tuple[str, K, K]]:
    """Renames (uid, old key, new key) in an order where no rename takes a key still held;
    swaps and cycles go through a temporary key made by ``temporary(key, n)``.

    ``occupied`` are keys held by elements that are not renamed (they stay put).
    """
    current = {uid: old for uid, old, _ in renames}
    target = {uid: new for uid, _, new in renames}
    fixed = set(occupied) - set(current.values())
    pending = [uid for uid, old, new in renames if old != new]
    out: list[tuple[str, K, K]] = []
    while pending:
        progressed = False
        for uid in list(pending):
            held = {current[o] for o in pending if o != uid}
            if target[uid] in held:
                continue
            out.append((uid, current[uid], target[uid]))
            current[uid] = target[uid]
            pending.remove(uid)
            progressed = True
        if not progressed:
            uid = pending[0]
            taken = fixed | set(current.values()) | set(target.values())
            n = 0
            while (tmp := temporary(current[uid], n)) in taken:
                n += 1
            out.append((uid, current[uid], tmp))
            current[uid] = tmp
    return out


def kept_in_order(old: Sequence[str], new: Sequence[str]) -> set[str]:
    """The largest set of uids present in both sequences whose relative order is unchanged
    (longest common subsequence); the other shared uids moved."""
    common = set(old) & set(new)
    a = [u for u in old if u in common]
    b = [u for u in new if u in common]
    if a == b:
        return common
    lengths = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            lengths[i][j] = (lengths[i + 1][j + 1] + 1 if a[i] == b[j]
                             else max(lengths[i + 1][j], lengths[i][j + 1]))
    kept: set[str] = set()
    i = j = 0
    while i < len(a) and j < len(b):
        if a[i] == b[j]:
            kept.add(a[i])
            i, j = i + 1, j + 1
        elif lengths[i + 1][j] >= lengths[i][j + 1]:
            i += 1
        else:
            j += 1
    return kept
