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

import hashlib
import json
import math
import time
from collections.abc import Iterable, Mapping
from dataclasses import replace

from modeler.diagram.build import build_graph
from modeler.diagram.dot import NODE_DEFAULTS, edge_sides, has_label, node_label, to_dot
from modeler.diagram.engine import layout_engine, local_edges, pinned_engine
from modeler.diagram.geometry import (
    GAP,
    Size,
    cluster_boxes,
    fold,
    parse_layout,
    place_new,
    rounded,
)
from modeler.diagram.graph import Graph, Node
from modeler.diagram.options import Detail, ViewOptions
from modeler.diagram.patch import Drawing
from modeler.diagram.render import (
    CACHE_PREFIX,
    DEFAULT_TIMEOUT,
    DiagramCache,
    DotJob,
    RenderError,
    RenderTimeout,
    cache_get_many,
    cache_set_many,
    render_job,
)
from modeler.identity_memo import IdentityMemo
from modeler.schema.model import Position, Schema
from modeler.wording import counted

PIN_SHARE = 0.5  # "auto" pins when at least this share of the shown tables has a position
SIZE_PREFIX = CACHE_PREFIX + "size:"  # one node's size: JSON [width, height]
SIZES_PREFIX = CACHE_PREFIX + "sizes:"  # every node of one view: JSON [[w, h], ...]


def layout(schema: Schema, options: ViewOptions | None = None, *, relayout: bool = False,
           cache: DiagramCache | None = None, timeout: float = DEFAULT_TIMEOUT,
           ) -> dict[str, Position]:
    """A position for every table of ``schema`` (table uid → position), to be stored.

    Focus and subject-area filters are ignored: positions belong to the whole design.
    So is the detail: positions belong to every detail level, and are laid out with the
    nodes of :data:`LAYOUT_DETAIL` (every column: the largest), so that no view draws two
    tables over each other (laid out at ``names``, a drawing of every column overlapped).
    ``relayout`` ignores stored positions and lays out everything afresh.
    """
    options = replace(options or ViewOptions(), focus=None, subject_areas=(),
                      detail=LAYOUT_DETAIL)
    graph = build_graph(schema, options)
    if relayout or not _pinned(graph, options):
        positions = fallback_positions(graph, options, cache=cache, timeout=timeout)
    else:
        try:
            positions, _ = pinned_positions(graph, cache=cache, timeout=timeout,
                                            with_sizes=False)
        except RenderError:  # the measuring pass failed: place by estimated sizes
            fixed = {n.id: rounded(n.position) for n in graph.nodes if n.position is not None}
            positions = place_new(graph, fixed, estimated_sizes(graph))
    return {n.table_uid: positions[n.id] for n in graph.nodes}


# The detail whose nodes stored positions are laid out with: a table's node is the largest
# with every column (``keys`` shows fewer rows, ``names`` none; a ``keys`` node's "N more
# columns" row can be a few points wider than its columns, well within the gaps between
# tables), so the same positions draw without overlaps at every detail a view can pick.
LAYOUT_DETAIL: Detail = "all"

# Share of a fresh layout's budget the chosen engine gets before ``sfdp`` takes over.
FIRST_TRY_SHARE = 0.6


def fallback_positions(graph: Graph, options: ViewOptions, *,
                       cache: DiagramCache | None = None,
                       timeout: float = DEFAULT_TIMEOUT) -> dict[str, Position]:
    """A fresh layout that always ends within about ``timeout`` seconds and never fails:
    the engine for the size (``dot``) with :data:`FIRST_TRY_SHARE` of the budget; when it
    times out or fails, ``sfdp`` (fast on any size) with what is left; when that fails too,
    :func:`grid_positions` (no Graphviz at all)."""
    deadline = time.monotonic() + timeout
    attempts: list[ViewOptions] = [options]
    if options.engine != "sfdp":
        attempts.append(replace(options, engine="sfdp"))
    for i, attempt in enumerate(attempts):
        left = deadline - time.monotonic()
        budget = left * FIRST_TRY_SHARE if i + 1 < len(attempts) else left
        if budget < 0.05:
            break
        try:
            positions, _ = fresh_positions(graph, attempt, cache=cache, timeout=budget)
            return positions
        except (RenderTimeout, RenderError):
            continue
    return grid_positions(graph, estimated_sizes(graph))


# Estimated text widths (points per character of Helvetica at the node's sizes), generous so
# that a placement made from them does not overlap once Graphviz measures the real sizes.
CHAR_W = 6.4
ROW_H = 19.0


def estimated_sizes(graph: Graph) -> dict[str, Size]:
    """Node sizes (points) estimated from the label texts, without running Graphviz: for a
    provisional placement, or when the measuring pass cannot run."""
    out: dict[str, Size] = {}
    for n in graph.nodes:
        head = len(n.name) + (len(n.namespace) + 1 if n.namespace else 0) + 4
        widest = max((len(p.name) + len(p.type) + 3 * len(p.markers) + 4 for p in n.ports),
                     default=0)
        rows = 1 + len(n.ports) + (1 if n.hidden_columns else 0)
        out[n.id] = (max(head, widest, 12) * CHAR_W + 12, rows * ROW_H + 4)
    return out


def grid_positions(graph: Graph, sizes: Mapping[str, Size]) -> dict[str, Position]:
    """A quick placement without Graphviz: the tables of each cluster (subject area, else
    namespace) in a square-ish grid, the clusters side by side in rows, in canonical order.
    The editor shows it while the real layout runs in the background."""
    groups: dict[str, list[Node]] = {}
    for n in graph.nodes:
        groups.setdefault(n.cluster or "", []).append(n)
    blocks: list[tuple[float, float, dict[str, Position]]] = []  # width, height, local
    for members in groups.values():
        cols = max(1, math.ceil(math.sqrt(len(members))))
        col_w = max(sizes[n.id][0] for n in members) + GAP
        local: dict[str, Position] = {}
        heights = [0.0] * cols
        for i, n in enumerate(members):
            c = i % cols
            w, h = sizes[n.id]
            local[n.id] = Position(c * col_w + w / 2, -(heights[c] + h / 2))
            heights[c] += h + GAP
        blocks.append((cols * col_w, max(heights), local))
    per_row = max(1, math.ceil(math.sqrt(len(blocks))))
    out: dict[str, Position] = {}
    x = y = row_h = 0.0
    for i, (w, h, local) in enumerate(blocks):
        if i and i % per_row == 0:
            x, y, row_h = 0.0, y - row_h - 2 * GAP, 0.0
        for node_id, p in local.items():
            out[node_id] = rounded(Position(p.x + x, p.y + y))
        x += w + 2 * GAP
        row_h = max(row_h, h)
    return out


def provisional_positions(schema: Schema, options: ViewOptions | None = None,
                          ) -> dict[str, Position]:
    """Table uid → a position for every table, without running Graphviz: stored positions
    kept, the others placed next to their neighbours (or, when none is stored, a grid by
    subject area), from estimated sizes (of :data:`LAYOUT_DETAIL`'s nodes, as the real
    layout's). Not to be stored: the real layout replaces it."""
    options = replace(options or ViewOptions(), focus=None, subject_areas=(),
                      detail=LAYOUT_DETAIL)
    graph = build_graph(schema, options)
    sizes = estimated_sizes(graph)
    fixed = {n.id: rounded(n.position) for n in graph.nodes if n.position is not None}
    positions = place_new(graph, fixed, sizes) if fixed else grid_positions(graph, sizes)
    return {n.table_uid: positions[n.id] for n in graph.nodes}


def render_dot(schema: Schema, options: ViewOptions | None = None, *,
               cache: DiagramCache | None = None,
               timeout: float = DEFAULT_TIMEOUT) -> DotJob:
    """The DOT job drawing one view: positions pinned (stored, or fresh for focused views
    and ``layout="fresh"``), edges routed by ``neato -n2``.

    Runs Graphviz for a layout pass (fresh views), or, for placing new tables and drawing
    cluster boxes, a measuring pass over the nodes whose size is not in ``cache`` yet
    (:func:`measure`); each with its own ``timeout``. With every table placed and every
    size cached (or no clusters) it runs nothing.
    """
    return plan(schema, options, cache=cache, timeout=timeout).job()


def plan(schema: Schema, options: ViewOptions | None = None, *,
         cache: DiagramCache | None = None, timeout: float = DEFAULT_TIMEOUT) -> Drawing:
    """What :func:`render_dot` draws, in parts (for :mod:`modeler.diagram.patch`)."""
    options = options or ViewOptions()
    graph = build_graph(schema, options)
    if _pinned(graph, options):
        positions, sizes = pinned_positions(graph, cache=cache, timeout=timeout)
    else:
        positions, sizes = fresh_positions(graph, options, cache=cache, timeout=timeout)
    boxes = cluster_boxes(graph, positions, sizes) if graph.clusters else {}
    settings = pinned_engine(len(graph.nodes))
    labels = None
    if local_edges(settings) and any(has_label(e) for e in graph.edges):
        if len(sizes) < len(graph.nodes):
            sizes = measure(graph, cache=cache, timeout=timeout)
        labels = label_positions(graph, positions, sizes)
    return Drawing(graph, settings, positions, boxes, labels)


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
    a compact aspect ratio, and the node sizes Graphviz measured (also stored in ``cache``
    as :func:`measure` does: the next pinned render of these nodes measures nothing)."""
    if not graph.nodes:
        return {}, {}
    settings = layout_engine(len(graph.nodes), options.engine)
    job = DotJob(to_dot(graph, settings), settings)
    positions, sizes = parse_layout(render_job(job, "json0", cache=cache, timeout=timeout))
    positions = {k: rounded(v) for k, v in positions.items()}
    if cache is not None:  # the layout pass measured every node: spare a measuring pass
        keys = size_keys(graph.nodes)
        cache_set_many(cache, {keys[i]: _dump(size) for i, size in sizes.items() if i in keys})
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
    """Node sizes as Graphviz computes them, by node id.

    A size depends only on the node's label and :data:`NODE_DEFAULTS`, so it is cached
    per node under the hash of those (:func:`size_keys`; JSON ``[w, h]``), and the whole
    view's sizes under the hash of all its node keys (one read when nothing changed; on a
    miss the per-node entries are read, in one ``get_many`` when the cache has it). Only
    the nodes that miss are measured, in one ``neato -n2`` pass without edges: after an
    edit that is the changed table. With every size cached nothing runs, so cluster boxes
    and the placement of new tables need no Graphviz. Bad entries count as misses.
    """
    if not graph.nodes:
        return {}
    keys = size_keys(graph.nodes)
    whole = SIZES_PREFIX + _digest(keys.values())
    if cache is not None and (hit := _load_all(cache.get(whole), len(keys))) is not None:
        return dict(zip(keys, hit, strict=True))
    sizes: dict[str, Size] = {}
    if cache is not None:
        found = cache_get_many(cache, list(keys.values()))
        for node_id, key in keys.items():
            if (size := _load(found.get(key))) is not None:
                sizes[node_id] = size
    missing = tuple(n for n in graph.nodes if n.id not in sizes)
    if missing:
        measured = _measure_pass(graph, missing, timeout)
        sizes.update(measured)
        if cache is not None:
            cache_set_many(cache, {keys[i]: _dump(size) for i, size in measured.items()})
    ordered = {n.id: sizes[n.id] for n in graph.nodes}
    if cache is not None:
        cache.set(whole, json.dumps(list(ordered.values())).encode())
    return ordered


def size_keys(nodes: Iterable[Node]) -> dict[str, str]:
    """Node id → cache key of its size: the hash of the node defaults and its label (the
    rest of its statement, its name and id, does not change its size). Memoised by node
    object, as :func:`modeler.diagram.dot.node_label` is (the graph builder reuses them)."""
    out: dict[str, str] = {}
    for n in nodes:
        key = _SIZE_KEYS.get(n)
        if key is None:
            digest = _SIZE_BASE.copy()
            digest.update(node_label(n).encode("utf-8", "surrogatepass"))
            key = _SIZE_KEYS.put(n, SIZE_PREFIX + digest.hexdigest())
        out[n.id] = key
    return out


_SIZE_BASE = hashlib.sha256(NODE_DEFAULTS.encode() + b"\0")
_SIZE_KEYS: IdentityMemo[Node, str] = IdentityMemo(20_000)


def _measure_pass(graph: Graph, nodes: tuple[Node, ...], timeout: float,
                  ) -> dict[str, Size]:
    only = replace(graph, nodes=nodes, edges=(), clusters=())
    settings = pinned_engine(len(nodes))
    origin = {n.id: Position(0.0, 0.0) for n in nodes}
    job = DotJob(to_dot(only, settings, positions=origin), settings)
    _, sizes = parse_layout(render_job(job, "json0", timeout=timeout))
    missing = [n.id for n in nodes if n.id not in sizes]
    if missing:
        raise RenderError(f"Graphviz measured no size for {counted(len(missing), 'node')}")
    return sizes


def _digest(parts: Iterable[str]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def _dump(size: Size) -> bytes:
    return json.dumps([size[0], size[1]]).encode()


def _load(raw: bytes | None) -> Size | None:
    """A cached size, or None when absent or not a pair of numbers."""
    if raw is None:
        return None
    try:
        w, h = json.loads(raw)
        return float(w), float(h)
    except (ValueError, TypeError):
        return None


def _load_all(raw: bytes | None, count: int) -> list[Size] | None:
    if raw is None:
        return None
    try:
        pairs = json.loads(raw)
        sizes = [(float(w), float(h)) for w, h in pairs]
    except (ValueError, TypeError):
        return None
    return sizes if len(sizes) == count else None


def label_positions(graph: Graph, positions: Mapping[str, Position],
                    sizes: Mapping[str, Size]) -> dict[str, Position]:
    """Edge id → centre of its name (labelled edges only): the middle of the straight line
    between the two facing rows (row heights taken as equal), a self-reference's right of
    its row. A pure function of the edge's two tables: an edit elsewhere moves no name."""
    by_id = {n.id: n for n in graph.nodes}
    out: dict[str, Position] = {}
    for e in graph.edges:
        if not has_label(e):
            continue
        side_c, side_p = edge_sides(e, graph, positions)
        cx, cy = _port_point(by_id[e.child], e.child_port, side_c, positions, sizes)
        if e.child == e.parent:
            out[e.id] = rounded(Position(cx + 30 + 3 * len(e.label), cy))
            continue
        px, py = _port_point(by_id[e.parent], e.parent_port, side_p, positions, sizes)
        out[e.id] = rounded(Position((cx + px) / 2, (cy + py) / 2 + 6))
    return out


def _port_point(node: Node, port: str | None, side: str, positions: Mapping[str, Position],
                sizes: Mapping[str, Size]) -> tuple[float, float]:
    pos, (w, h) = positions[node.id], sizes[node.id]
    x = pos.x - w / 2 if side == "w" else pos.x + w / 2
    index = next((i for i, p in enumerate(node.ports) if p.id == port), None)
    if index is None:
        return x, pos.y
    rows = 1 + len(node.ports) + (1 if node.hidden_columns else 0)
    row_h = h / rows
    return x, pos.y + h / 2 - row_h * (index + 1.5)
