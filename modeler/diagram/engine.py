"""Which Graphviz program and settings lay out and draw a view.

Every diagram is drawn the same way: ``neato -n2`` with every table's ``pos`` pinned, which
only routes edges (fast, and the picture does not jump between the first render and the
ones after an edit). Positions come from the stored design, or, for a fresh layout, from a
layout pass (``-Tjson``, edges not routed) whose settings depend on the size:

* up to ``DOT_PLAIN_LIMIT`` tables: ``dot`` with its defaults;
* up to ``DOT_LIMITED_LIMIT``: ``dot`` with ``nslimit=2`` (network simplex dominates);
* beyond: ``dot`` with ``nslimit=2 mclimit=0.2`` (about 1 s at a thousand tables without
  edge routing, where ``dot`` with routing takes 9 s and ``sfdp`` with prism overlap
  removal 3 s). ``sfdp`` stays available on request (``ViewOptions(engine="sfdp")``).

Measured figures: ``bench/diagram.py``; background: ``/work/shared/docs/toolchain-notes.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from modeler.diagram.options import EngineChoice

Program = Literal["dot", "neato", "sfdp"]

DOT_PLAIN_LIMIT = 100
DOT_LIMITED_LIMIT = 400
# Pinned renders route edges with obstacle-avoiding splines up to this many tables
# (about 0.3 s at 40); beyond, straight lines between the facing ports ("line": fast, and
# an edge's drawing depends on its two tables only, so an edit can redraw just the changed
# tables and their edges and get exactly what a full render draws; "curved" bends every
# edge around the whole drawing's centre, which moves when any table does). Relationship
# names of such renders are plaintext nodes pinned near the middle of their edge
# (:func:`modeler.diagram.layout.label_positions`), not Graphviz edge labels (those are
# placed around each other, so one edit could move every label).
PINNED_SPLINE_LIMIT = 40


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """A Graphviz program, its command-line flags and the graph attributes it needs."""

    program: Program
    flags: tuple[str, ...] = ()
    graph_attrs: tuple[tuple[str, str], ...] = ()
    pinned: bool = False

    @property
    def command(self) -> tuple[str, ...]:
        """Program and flags (the output format is added by the renderer)."""
        return (self.program, *self.flags)

    @property
    def label(self) -> str:
        """Human-readable summary (``dot nslimit=2``), for benchmarks and DOT comments."""
        attrs = " ".join(f"{k}={v}" for k, v in self.graph_attrs)
        return " ".join(p for p in (" ".join(self.command), attrs) if p)


def pinned_engine(tables: int) -> EngineSettings:
    """Drawing settings: ``neato -n2`` with all positions given, not translated (an element
    has the same coordinates in every render that pins the same positions)."""
    splines = "spline" if tables <= PINNED_SPLINE_LIMIT else "line"
    return EngineSettings("neato", ("-n2",), (("splines", splines), ("notranslate", "true")),
                          pinned=True)


def local_edges(settings: EngineSettings) -> bool:
    """Whether an edge's drawing depends on its two tables only (see
    :data:`PINNED_SPLINE_LIMIT`): a pinned render with straight lines."""
    return settings.pinned and dict(settings.graph_attrs).get("splines") == "line"


def layout_engine(tables: int, choice: EngineChoice = "auto") -> EngineSettings:
    """Settings of the layout pass that computes fresh positions (edges are not routed)."""
    if choice == "sfdp":
        return EngineSettings("sfdp", (), (("splines", "false"), ("overlap", "prism"),
                                           ("sep", "+14"), ("K", "2.5")))
    if tables <= DOT_PLAIN_LIMIT:
        return EngineSettings("dot", (), (("splines", "false"),))
    if tables <= DOT_LIMITED_LIMIT:
        return EngineSettings("dot", (), (("splines", "false"), ("nslimit", "2")))
    return EngineSettings("dot", (), (("splines", "false"), ("nslimit", "2"),
                                      ("mclimit", "0.2")))
