"""The memo of sanitised Graphviz groups is a LockedLRU bounded by characters (issue 15:
one locked LRU in the house)."""

from __future__ import annotations

from modeler.cache import LockedLRU
from modeler.diagram.svg import GroupMemo


def test_group_memo_is_bounded_by_characters_oldest_first() -> None:
    memo = GroupMemo(budget=30)
    assert isinstance(memo, LockedLRU)
    memo.put_many({("ctx", "aaaa"): "AAAAAA", ("ctx", "bbbb"): "BBBBBB"})  # 10 each
    assert memo.weight == 20
    assert memo.get(("ctx", "aaaa")) == "AAAAAA"  # now the most recently used
    memo.put(("ctx", "cccc"), "CCCCCC")  # 30: still fits
    memo.put(("ctx", "dd"), "DD")  # 34: the least recently used (bbbb) goes
    assert memo.get(("ctx", "bbbb")) is None
    assert [k[1] for k in memo._items] == ["aaaa", "cccc", "dd"] and memo.weight == 24
    memo.put(("ctx", "dd"), "DDDDDDDD")  # a new value replaces the old one's weight
    assert memo.weight == 30 and len(memo) == 3
    memo.put(("ctx", "x" * 40), "too big")  # alone past the budget: nothing stays
    assert len(memo) == 0 and memo.weight == 0
    memo.put(("ctx", "e"), "E")
    memo.clear()
    assert len(memo) == 0 and memo.weight == 0
