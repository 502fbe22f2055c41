"""A structured change list for the UI: what was added, removed, changed and renamed, grouped
by kind of element, with element uids so the diagram can highlight them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import get_args

from modeler.diff.base import Category, Op, SummaryEntry


@dataclass(frozen=True, slots=True)
class Group:
    """The entries of one category, by action."""

    added: tuple[SummaryEntry, ...] = ()
    removed: tuple[SummaryEntry, ...] = ()
    changed: tuple[SummaryEntry, ...] = ()
    renamed: tuple[SummaryEntry, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed or self.renamed)

    @property
    def entries(self) -> tuple[SummaryEntry, ...]:
        return self.added + self.removed + self.changed + self.renamed


@dataclass(frozen=True, slots=True)
class ChangeSummary:
    """Groups per category (``tables``, ``columns``, ``constraints`` — keys and checks —,
    ``indexes``, ``enums``, ``enum_values``, ``types`` — domains —, ``other``), plus the
    one-liners of the destructive ops (rule MG-05) and of every op."""

    groups: dict[str, Group] = field(default_factory=dict)
    destructive: tuple[str, ...] = ()
    lines: tuple[str, ...] = ()

    def __getattr__(self, name: str) -> Group:
        if name in get_args(Category):
            return self.groups.get(name, Group())
        raise AttributeError(name)

    @property
    def uids(self) -> frozenset[str]:
        """Every element uid the changes touch (for diagram highlighting)."""
        return frozenset(e.uid for g in self.groups.values() for e in g.entries)

    @property
    def is_empty(self) -> bool:
        return not self.lines


def _fold(entries: list[SummaryEntry]) -> list[SummaryEntry]:
    """One element's entries, in op order, folded into what the user sees."""
    first, last = entries[0], entries[-1]
    actions = [e.action for e in entries]
    if first.action == "added":
        return [] if last.action == "removed" else [replace(first, name=last.name)]
    if first.action == "removed":
        if last.action == "removed":
            return [first]
        return [replace(last, action="changed", detail="recreated")]
    out = []
    renames = [e for e in entries if e.action == "renamed"]
    if renames:
        out.append(replace(renames[-1], detail=renames[0].detail))
    if "changed" in actions:
        details = [e.detail for e in entries if e.action == "changed" and e.detail]
        out.append(replace(last, action="changed", detail=", ".join(dict.fromkeys(details))))
    return out


def summarize(ops: Iterable[Op]) -> ChangeSummary:
    """Group ``ops`` for the change list (an element renamed through a temporary name shows
    once; an element dropped and re-created shows as changed)."""
    ops = list(ops)
    per_element: dict[tuple[str, str], list[SummaryEntry]] = {}
    for op in ops:
        entry = op.summary()
        if entry is not None:
            per_element.setdefault((entry.category, entry.uid), []).append(entry)
    buckets: dict[str, dict[str, list[SummaryEntry]]] = {}
    for (category, _), entries in per_element.items():
        for e in _fold(entries):
            buckets.setdefault(category, {}).setdefault(e.action, []).append(e)
    groups = {cat: Group(**{action: tuple(v) for action, v in by_action.items()})
              for cat, by_action in buckets.items()}
    return ChangeSummary(groups=groups,
                         destructive=tuple(op.describe() for op in ops if op.destructive),
                         lines=tuple(op.describe() for op in ops))
