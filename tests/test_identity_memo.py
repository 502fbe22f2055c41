"""modeler.identity_memo: values by object identity, never for an equal other object."""

from __future__ import annotations

from modeler.identity_memo import IdentityMemo


def test_hits_only_the_same_object_and_empties_when_full() -> None:
    memo: IdentityMemo[tuple[int, ...], str] = IdentityMemo(2)
    a, b = tuple(range(5)), tuple(range(5))
    assert a == b and a is not b
    assert memo.put(a, "a") == "a"
    assert memo.get(a) == "a"
    assert memo.get(b) is None  # equal, not the same: no hit
    memo.put(b, "b")
    assert len(memo) == 2
    c = (7,)
    memo.put(c, "c")  # full: emptied first
    assert len(memo) == 1 and memo.get(a) is None and memo.get(c) == "c"
