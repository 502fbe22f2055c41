"""Issue 17: the ops' snapshot edits put one element in place by bisection (sort keys kept
by the collection's identity) instead of sorting again; the result must be exactly what
sorting again gives, ties, unsorted and invalid collections included."""

from __future__ import annotations

import random
from dataclasses import dataclass

from modeler.diff.base import (
    added_named,
    added_ns_named,
    by_name,
    by_ns_name,
    edit_named,
    edit_ns_named,
)


@dataclass(frozen=True)
class El:
    namespace: str
    name: str
    uid: str


def _elements(rng: random.Random, n: int) -> list[El]:
    # few distinct names and uids, so equal sort keys (and duplicate uids) occur
    return [El(rng.choice("ab"), rng.choice("xyz"), rng.choice("12345")) for _ in range(n)]


def test_added_is_sorting_again() -> None:
    rng = random.Random(17)
    for _ in range(400):
        for sort, added in ((by_name, added_named), (by_ns_name, added_ns_named)):
            items = _elements(rng, rng.randrange(0, 9))
            start = sort(items) if rng.random() < 0.8 else tuple(items)
            got = start
            want = start
            for el in _elements(rng, 4):  # chained, as a diff applies its ops
                got, want = added(got, el), sort((*want, el))
                assert [id(e) for e in got] == [id(e) for e in want]


def test_edited_is_sorting_again() -> None:
    rng = random.Random(71)
    for _ in range(400):
        for sort, edit in ((by_name, edit_named), (by_ns_name, edit_ns_named)):
            items = _elements(rng, rng.randrange(1, 9))
            got = want = sort(items) if rng.random() < 0.8 else tuple(items)
            for _ in range(4):
                uid = rng.choice(want).uid
                new = _elements(rng, 1)[0]

                def fn(e: El, new: El = new) -> El:
                    return El(new.namespace, new.name, e.uid)
                got = edit(got, uid, fn)
                want = sort(fn(e) if e.uid == uid else e for e in want)
                assert got == want


def test_missing_uid_is_an_error() -> None:
    items = by_name([El("a", "x", "1")])
    try:
        edit_named(items, "2", lambda e: e)
    except KeyError as e:
        assert e.args == ("2",)
    else:
        raise AssertionError("no KeyError")
