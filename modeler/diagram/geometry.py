"""Pure geometry on node positions: reading Graphviz layouts, folding tall layouts into a
compact aspect ratio, placing new tables near their neighbours, cluster boxes.

Coordinates are Graphviz's: points (1/72 in), y axis up, a position is a node's centre.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping

from modeler.diagram.graph import Box, Graph, Node
from modeler.schema.model import Position

Size = tuple[float, float]  # width, height in points

TARGET_ASPECT = 1.4  # width / height of a fresh layout: a landscape screen
FOLD_TOLERANCE = 2.0  # fold only when the aspect is off by more than this factor
BAND_GAP = 96.0  # space between folded bands
GAP = 40.0  # distance between a new table and its neighbour
CLUSTER_MARGIN = 12.0
CLUSTER_LABEL = 22.0


def rounded(p: Position) -> Position:
    """Positions are kept to 1/100 pt so that stored values and DOT text agree exactly."""
    return Position(round(p.x, 2) + 0.0, round(p.y, 2) + 0.0)


def node_box(pos: Position, size: Size) -> Box:
    """The box of a node of ``size`` centred on ``pos``."""
    w, h = size
    return Box(pos.x - w / 2, pos.y - h / 2, pos.x + w / 2, pos.y + h / 2)


def parse_layout(data: bytes) -> tuple[dict[str, Position], dict[str, Size]]:
    """Node positions and sizes (points) from Graphviz ``-Tjson`` output, by node name."""
    doc = json.loads(data)
    positions: dict[str, Position] = {}
    sizes: dict[str, Size] = {}
    for obj in doc.get("objects", ()):
        if "pos" not in obj or "nodes" in obj:
            continue  # clusters have no pos; subgraphs list their nodes
        x, y = (float(v) for v in str(obj["pos"]).split(",")[:2])
        positions[obj["name"]] = Position(x, y)
        sizes[obj["name"]] = (float(obj["width"]) * 72, float(obj["height"]) * 72)
    return positions, sizes


def bounds(boxes: list[Box]) -> Box:
    """The union of ``boxes``."""
    return Box(min(b.x0 for b in boxes), min(b.y0 for b in boxes),
               max(b.x1 for b in boxes), max(b.y1 for b in boxes))


def fold(graph: Graph, positions: Mapping[str, Position], sizes: Mapping[str, Size],
         target: float = TARGET_ASPECT) -> dict[str, Position]:
    """Cut a layout that is much taller (or wider) than ``target`` into bands along its long
    axis and set the bands side by side (or one under the other).

    A ranked layout with parents left of children is a tall strip when ranks are crowded;
    a horizontal band keeps every rank's left-to-right structure, so only the edges that
    cross a cut get long. Cuts go through gaps between nodes and never through a cluster.
    """
    boxes = {n.id: node_box(positions[n.id], sizes[n.id]) for n in graph.nodes}
    if len(boxes) < 2:
        return dict(positions)
    whole = bounds(list(boxes.values()))
    aspect = (whole.x1 - whole.x0) / max(whole.y1 - whole.y0, 1.0)
    if aspect * FOLD_TOLERANCE < target:
        tall = True
    elif aspect > target * FOLD_TOLERANCE:
        tall = False
    else:
        return dict(positions)
    ratio = target / aspect if tall else aspect / target
    bands = max(1, round(math.sqrt(ratio)))
    if bands < 2:
        return dict(positions)
    # Intervals along the long axis that a cut must not cross: nodes and whole clusters.
    spans = [(b.y0, b.y1) if tall else (b.x0, b.x1) for b in boxes.values()]
    for c in graph.clusters:
        cb = bounds([boxes[i] for i in c.node_ids if i in boxes])
        spans.append((cb.y0, cb.y1) if tall else (cb.x0, cb.x1))
    lo, hi = (whole.y0, whole.y1) if tall else (whole.x0, whole.x1)
    cuts = _cuts(spans, lo, hi, bands)
    if not cuts:
        return dict(positions)
    return _stack(graph, positions, boxes, whole, cuts, tall)


def _cuts(spans: list[tuple[float, float]], lo: float, hi: float,
          bands: int) -> list[float]:
    """Cut coordinates (in gaps between spans) nearest to even divisions of [lo, hi]."""
    gaps: list[float] = []
    reach = -math.inf
    for a, b in sorted(spans):
        if a > reach and reach > -math.inf:
            gaps.append((reach + a) / 2)
        reach = max(reach, b)
    cuts: list[float] = []
    for i in range(1, bands):
        ideal = lo + (hi - lo) * i / bands
        best = min(gaps, key=lambda g: (abs(g - ideal), g), default=None)
        if best is not None and best not in cuts:
            cuts.append(best)
    return sorted(cuts)


def _stack(graph: Graph, positions: Mapping[str, Position], boxes: Mapping[str, Box],
           whole: Box, cuts: list[float], tall: bool) -> dict[str, Position]:
    """Move band ``i`` next to band ``i - 1`` (tall: to the right; wide: below)."""
    out: dict[str, Position] = {}
    width, height = whole.x1 - whole.x0, whole.y1 - whole.y0
    edges = [-math.inf, *cuts, math.inf]
    for node in graph.nodes:
        p = positions[node.id]
        coord = p.y if tall else p.x
        band = sum(1 for c in cuts if coord > c)  # tall: band 0 at the bottom
        if tall:
            order = len(cuts) - band  # top band first, on the left
            top = min(edges[band + 1], whole.y1)
            out[node.id] = rounded(Position(p.x + order * (width + BAND_GAP),
                                            p.y + (whole.y1 - top)))
        else:
            left = max(edges[band], whole.x0)
            out[node.id] = rounded(Position(p.x - (left - whole.x0),
                                            p.y - band * (height + BAND_GAP)))
    return out


def place_new(graph: Graph, fixed: Mapping[str, Position], sizes: Mapping[str, Size],
              ) -> dict[str, Position]:
    """Positions for every node: ``fixed`` ones unchanged, the others next to a placed
    neighbour, preferably of the same cluster (right of / below a parent, else left of /
    above a child, else right of / below their cluster or the whole drawing), slid along
    the other axis until they overlap nothing."""
    placed = dict(fixed)
    boxes = [node_box(placed[n.id], sizes[n.id]) for n in graph.nodes if n.id in placed]
    pending = [n for n in graph.nodes if n.id not in placed]
    parents: dict[str, list[str]] = {n.id: [] for n in graph.nodes}
    children: dict[str, list[str]] = {n.id: [] for n in graph.nodes}
    for e in graph.edges:
        if e.child != e.parent:
            parents[e.child].append(e.parent)
            children[e.parent].append(e.child)
    cluster_of = {n.id: n.cluster for n in graph.nodes}
    tb = graph.direction == "TB"
    while pending:
        node = next((n for n in pending if any(p in placed for p in parents[n.id])),
                    next((n for n in pending if any(c in placed for c in children[n.id])),
                         pending[0]))
        pending.remove(node)
        pos = _candidate(node, placed, sizes, boxes, parents, children, cluster_of, tb)
        pos = _free_spot(pos, sizes[node.id], boxes, tb)
        placed[node.id] = rounded(pos)
        boxes.append(node_box(placed[node.id], sizes[node.id]))
    return placed


def _candidate(node: Node, placed: Mapping[str, Position], sizes: Mapping[str, Size],
               boxes: list[Box], parents: Mapping[str, list[str]],
               children: Mapping[str, list[str]], cluster_of: Mapping[str, str | None],
               tb: bool) -> Position:
    w, h = sizes[node.id]
    # Prefer neighbours of the same cluster, so that the cluster's box stays compact.
    def near(ids: list[str]) -> str | None:
        ok = [i for i in ids if i in placed]
        same = [i for i in ok if node.cluster and cluster_of.get(i) == node.cluster]
        pick = same or ok
        return pick[0] if pick else None

    parent, child = near(parents[node.id]), near(children[node.id])
    if parent is not None or child is not None:
        other = parent if parent is not None else child
        assert other is not None
        sign = 1.0 if parent is not None else -1.0
        o, (ow, oh) = placed[other], sizes[other]
        if tb:  # parents above children: y grows upwards
            return Position(o.x, o.y - sign * (oh / 2 + GAP + h / 2))
        # Align the tops, so that a short table sits beside the header of a tall one.
        return Position(o.x + sign * (ow / 2 + GAP + w / 2), o.y + oh / 2 - h / 2)
    if not boxes:
        return Position(w / 2, -h / 2)
    mates = [node_box(placed[i], sizes[i]) for i, c in cluster_of.items()
             if c == node.cluster and node.cluster and i in placed]
    whole = bounds(mates or boxes)
    if tb:
        return Position(whole.x0 + w / 2, whole.y0 - GAP - h / 2)
    return Position(whole.x1 + GAP + w / 2, whole.y1 - h / 2)


def _free_spot(pos: Position, size: Size, boxes: list[Box], tb: bool) -> Position:
    """The nearest position to ``pos`` along the cross axis (then further along the main
    axis) where a node of ``size`` keeps ``GAP / 2`` away from every box."""
    w, h = size
    step_main = w + GAP if not tb else h + GAP
    step_cross = (h if not tb else w) / 2 + GAP / 2
    for ring in range(50):
        for k in range(0, 41):
            off = (k + 1) // 2 * step_cross * (1 if k % 2 else -1)
            x = pos.x + (ring * step_main if not tb else off)
            y = pos.y + (off if not tb else -ring * step_main)
            cand = Position(x, y)
            box = node_box(cand, size)
            if not any(box.overlaps(b, GAP / 2) for b in boxes):
                return cand
    return pos  # pathological crowding: give up rather than loop forever


def cluster_boxes(graph: Graph, positions: Mapping[str, Position],
                  sizes: Mapping[str, Size]) -> dict[str, Box]:
    """The box of every cluster around its members, with room for the label on top."""
    out: dict[str, Box] = {}
    for c in graph.clusters:
        members = [node_box(positions[i], sizes[i]) for i in c.node_ids if i in positions]
        if not members:
            continue
        b = bounds(members)
        out[c.id] = Box(b.x0 - CLUSTER_MARGIN, b.y0 - CLUSTER_MARGIN,
                        b.x1 + CLUSTER_MARGIN, b.y1 + CLUSTER_MARGIN + CLUSTER_LABEL)
    return out


def moved(position: Position, dx_svg: float, dy_svg: float) -> Position:
    """The stored position of a table dragged by (``dx_svg``, ``dy_svg``).

    The deltas are in SVG user units of the diagram's root group ``<g id="er-diagram">``
    (points; the client divides screen pixels by the current zoom, e.g. through
    ``group.getScreenCTM().inverse()``). SVG's y axis points down and Graphviz's up, and the
    group's ``translate(tx ty)`` cancels out of a delta: x grows by ``dx``, y shrinks by
    ``dy``.
    """
    return rounded(Position(position.x + dx_svg, position.y - dy_svg))
