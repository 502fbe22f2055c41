"""What a diagram view shows: :class:`ViewOptions` and the value types it uses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

Detail = Literal["all", "keys", "names"]
Direction = Literal["LR", "TB"]
Status = Literal["added", "removed", "changed", "renamed"]
Badge = Literal["block", "justify", "advise"]
LayoutMode = Literal["auto", "pinned", "fresh"]
EngineChoice = Literal["auto", "dot", "sfdp"]

DETAILS: tuple[str, ...] = ("all", "keys", "names")
DIRECTIONS: tuple[str, ...] = ("LR", "TB")
STATUSES: tuple[str, ...] = ("added", "removed", "changed", "renamed")
BADGES: tuple[str, ...] = ("block", "justify", "advise")


@dataclass(frozen=True)
class ViewOptions:
    """One view of a design.

    ``detail``: ``all`` columns, ``keys`` (PK/FK/unique columns) or table ``names`` only.
    ``direction``: parents left of their children (``LR``) or above them (``TB``).
    ``focus``/``depth``: only the table ``focus`` (a uid) and the tables up to ``depth``
    relationship hops away, following relationships in both directions.
    ``subject_areas``: only tables of these subject areas (empty: all tables).
    ``highlight``: uids (tables, columns, relationships) to emphasise (search hit, selection).
    ``status``: uid → change status, for review diffs (colours nodes, rows and edges).
    ``badges``: table uid → worst finding level, a small badge in the table header.
    ``badge_counts``: table uid → number of findings, written in the badge ("3 · BLOCK").
    ``comments``: uid → number of review comments, a marker next to the element.
    ``edge_labels``: relationship names on edges; None = only up to ``EDGE_LABEL_LIMIT``
    tables (labels make large ``dot`` layouts much slower).
    ``layout``: ``fresh`` ignores stored positions, ``pinned`` keeps them, ``auto`` pins
    when most tables of an unfocused view have a position.
    ``engine``: layout engine for fresh layouts (``auto`` picks by size).
    """

    detail: Detail = "all"
    direction: Direction = "LR"
    focus: str | None = None
    depth: int = 1
    subject_areas: tuple[str, ...] = ()
    highlight: frozenset[str] = frozenset()
    status: Mapping[str, Status] = field(default_factory=dict)
    badges: Mapping[str, Badge] = field(default_factory=dict)
    badge_counts: Mapping[str, int] = field(default_factory=dict)
    comments: Mapping[str, int] = field(default_factory=dict)
    edge_labels: bool | None = None
    layout: LayoutMode = "auto"
    engine: EngineChoice = "auto"

    def __post_init__(self) -> None:
        if self.detail not in DETAILS:
            raise ValueError(f"unknown detail {self.detail!r}")
        if self.direction not in DIRECTIONS:
            raise ValueError(f"unknown direction {self.direction!r}")
        if self.depth < 0:
            raise ValueError("depth must be >= 0")
        bad = sorted(str(v) for v in self.status.values() if v not in STATUSES)
        bad += sorted(str(v) for v in self.badges.values() if v not in BADGES)
        if bad:
            raise ValueError(f"unknown status/badge values: {bad}")
