"""Stable layout: positions that survive edits, and the DOT job that draws them.

Conventions
-----------
A stored :class:`~modeler.schema.model.Position` is the centre of a table's node in points
(1/72 in), in Graphviz's coordinate system (y axis up). The same numbers go into DOT as
``pos="x,y!"`` and are drawn with ``neato -n2``, which keeps them as given except that the
whole drawing is shifted so that its bounding box starts at the origin. The SVG then flips
the y axis inside the root group ``<g id="er-diagram" transform="scale(1 1) rotate(0)
translate(tx ty)">``: a node stored at (x, y) is drawn centred at (x + cx, cy - y) for
constants cx, cy of that render. Clients therefore never convert absolute coordinates:
they send the drag delta (dx, dy) in the root group's user units (points; divide screen
pixels by the zoom, e.g. through ``getScreenCTM().inverse()``) and the server stores
``moved(old, dx, dy)`` = (x + dx, y - dy), see :func:`~modeler.diagram.geometry.moved`.

Workflow
--------
* First layout / "re-layout": :func:`layout` with ``relayout=True`` (or when fewer than half
  of the tables have a position) runs a layout pass on everything (``dot``, or ``sfdp`` on
  request), folds a too tall result into a compact aspect ratio, and returns a
  position for every table. The caller stores them.
* After an edit: :func:`layout` keeps every stored position and places new tables next to
  a neighbour without overlapping anything. The caller stores the new ones.
* Drag: the caller stores ``moved(old, dx, dy)``; nothing else moves.
* Drawing: :func:`render_dot` pins every table at its stored position (missing ones are
  placed as above, but not stored); focused views, or ``layout="fresh"``, get a fresh
  layout of just the tables they show.
"""

from __future__ import annotations

from dataclasses import replace

from modeler.diagram.build import build_graph
from modeler.diagram.dot import to_dot
from modeler.diagram.engine import layout_engine, pinned_engine
from modeler.diagram.geometry import (
    Size,
    cluster_boxes,
    fold,
    parse_layout,
    place_new,
    rounded,
)
from modeler.diagram.graph import Graph
from modeler.diagram.options import ViewOptions
from modeler.diagram.render import DEFAULT_TIMEOUT, DiagramCache, DotJob, render_job
from modeler.schema.model import Position, Schema

PIN_SHARE = 0.5  # "auto" pins when at least this share of the shown tables has a position


def layout(schema: Schema, options: ViewOptions | None = None, *, relayout: bool = False,
           cache: DiagramCache | None = None, timeout: float = DEFAULT_TIMEOUT,
           ) -> dict[str, Position]:
    """A position for every table of ``schema`` (table uid → position), to be stored.

    Focus and subject-area filters are ignored: positions belong to the whole design.
    ``relayout`` ignores stored positions and lays out everything afresh.
    """
    options = replace(options or ViewOptions(), focus=None, subject_areas=())
    graph = build_graph(schema, options)
    if relayout or not _pinned(graph, options):
        positions, _ = fresh_positions(graph, options, cache=cache, timeout=timeout)
    else:
        positions, _ = pinned_positions(graph, cache=cache, timeout=timeout,
                                        with_sizes=False)
    return {n.table_uid: positions[n.id] for n in graph.nodes}


def render_dot(schema: Schema, options: ViewOptions | None = None, *,
               cache: DiagramCache | None = None,
               timeout: float = DEFAULT_TIMEOUT) -> DotJob:
    """The DOT job drawing one view: positions pinned (stored, or fresh for focused views
    and ``layout="fresh"``), edges routed by ``neato -n2``.

    Runs Graphviz for a layout pass (fresh views) or a measuring pass (new tables,
    clusters) when needed; both go through ``cache``, each with its own ``timeout``. With
    every table placed and no clusters it runs nothing.
    """
    options = options or ViewOptions()
    graph = build_graph(schema, options)
    if _pinned(graph, options):
        positions, sizes = pinned_positions(graph, cache=cache, timeout=timeout)
    else:
        positions, sizes = fresh_positions(graph, options, cache=cache, timeout=timeout)
    boxes = cluster_boxes(graph, positions, sizes) if graph.clusters else {}
    settings = pinned_engine(len(graph.nodes))
    return DotJob(to_dot(graph, settings, positions=positions, cluster_boxes=boxes),
                  settings)


def render_diagram(schema: Schema, options: ViewOptions | None = None, fmt: str = "svg", *,
                   cache: DiagramCache | None = None,
                   timeout: float = DEFAULT_TIMEOUT) -> bytes:
    """``render_job(render_dot(schema, options), fmt)``: the view as SVG/PNG/PDF/DOT bytes."""
    job = render_dot(schema, options, cache=cache, timeout=timeout)
    return render_job(job, fmt, cache=cache, timeout=timeout)


def _pinned(graph: Graph, options: ViewOptions) -> bool:
    if options.layout != "auto":
        return options.layout == "pinned"
    if options.focus is not None or not graph.nodes:
        return False
    with_pos = sum(1 for n in graph.nodes if n.position is not None)
    return with_pos >= PIN_SHARE * len(graph.nodes)


def fresh_positions(graph: Graph, options: ViewOptions, *,
                    cache: DiagramCache | None = None, timeout: float = DEFAULT_TIMEOUT,
                    ) -> tuple[dict[str, Position], dict[str, Size]]:
    """Positions from a layout pass over ``graph`` (stored positions ignored), folded to
    a compact aspect ratio, and the node sizes Graphviz measured."""
    if not graph.nodes:
        return {}, {}
    settings = layout_engine(len(graph.nodes), options.engine)
    job = DotJob(to_dot(graph, settings), settings)
    positions, sizes = parse_layout(render_job(job, "json0", cache=cache, timeout=timeout))
    positions = {k: rounded(v) for k, v in positions.items()}
    if settings.program == "dot":
        positions = fold(graph, positions, sizes)
    return positions, sizes


def pinned_positions(graph: Graph, *, cache: DiagramCache | None = None,
                     timeout: float = DEFAULT_TIMEOUT, with_sizes: bool = True,
                     ) -> tuple[dict[str, Position], dict[str, Size]]:
    """Stored positions, plus places for tables without one, and the node sizes (measured
    only when tables need placing, or for cluster boxes when ``with_sizes``)."""
    fixed = {n.id: rounded(n.position) for n in graph.nodes if n.position is not None}
    if len(fixed) == len(graph.nodes) and not (with_sizes and graph.clusters):
        return fixed, {}
    sizes = measure(graph, cache=cache, timeout=timeout)
    return place_new(graph, fixed, sizes), sizes


def measure(graph: Graph, *, cache: DiagramCache | None = None,
            timeout: float = DEFAULT_TIMEOUT) -> dict[str, Size]:
    """Node sizes as Graphviz computes them (a ``neato -n2`` pass without edges)."""
    nodes_only = replace(graph, edges=(), clusters=())
    settings = pinned_engine(len(graph.nodes))
    origin = {n.id: Position(0.0, 0.0) for n in graph.nodes}
    job = DotJob(to_dot(nodes_only, settings, positions=origin), settings)
    _, sizes = parse_layout(render_job(job, "json0", cache=cache, timeout=timeout))
    return sizes
