"""Incremental drawing: what changed between two drawings of a design, and just that drawn.

Every editor drawing is pinned (``neato -n2`` with ``notranslate``): an element has the same
SVG coordinates in any render that pins the same positions, and beyond
:data:`~modeler.diagram.engine.PINNED_SPLINE_LIMIT` tables an edge is a straight line whose
drawing depends only on its two tables (its name a node pinned by
:func:`~modeler.diagram.layout.label_positions`). So after an edit:

* :func:`manifest` digests every top-level SVG element of a drawing (cluster, table node,
  edge, edge name) from the DOT statements that decide it (an edge's digest includes its
  two tables'); the browser holds the :func:`token` (digest of the manifest) of what it shows;
* :func:`changes` compares the manifest of that drawing with the new one: elements added or
  changed, elements removed, or ``None`` when a patch is not worth it (the graph's own
  settings changed, or most of the drawing did);
* :func:`patch_job` is the DOT of just the changed elements (plus the tables their edges
  need), drawn by Graphviz as usual, and :func:`groups` cuts the sanitised SVG into its
  top-level groups by id. With obstacle-avoiding splines (small designs) the job draws every
  table (edges route around all of them) and only the changed groups are sent.

The result is byte for byte the groups a full render of the new design writes.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

from modeler.diagram.dot import (
    cluster_lines,
    edge_sides,
    edge_statement,
    has_label,
    head_lines,
    label_statement,
    node_statement,
    to_dot,
)
from modeler.diagram.engine import EngineSettings, local_edges
from modeler.diagram.escape import svg_id
from modeler.diagram.graph import Box, Edge, Graph, Node
from modeler.diagram.render import DotJob
from modeler.identity_memo import IdentityMemo
from modeler.schema.model import Position

HEAD = ""  # manifest key of the graph's own settings
# A patch larger than this share of the drawing's elements is sent as a whole drawing.
MAX_SHARE = 0.3
MIN_PATCH = 60  # ...but a patch of up to this many elements is always fine

_GROUP = re.compile(r'<g id="([^"]+)" class="(?:node|edge|cluster)"')
_END = "</g>\n</svg>"


@dataclass(frozen=True)
class Drawing:
    """Everything a pinned render is made of (see :func:`modeler.diagram.layout.plan`)."""

    graph: Graph
    settings: EngineSettings
    positions: Mapping[str, Position]
    boxes: Mapping[str, Box]
    labels: Mapping[str, Position] | None

    def job(self) -> DotJob:
        """The full render."""
        return DotJob(to_dot(self.graph, self.settings, positions=self.positions,
                             cluster_boxes=self.boxes, label_positions=self.labels),
                      self.settings)


def _h(*parts: str) -> str:
    digest = hashlib.blake2b(digest_size=8)
    for p in parts:
        digest.update(p.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
    return digest.hexdigest()


@lru_cache(maxsize=65_536)
def _svg_id(kind: str, uid: str, part: str = "") -> str:
    """:func:`~modeler.diagram.escape.svg_id`, memoised (a manifest names every element)."""
    return svg_id(kind, uid, part)


def manifest(d: Drawing) -> dict[str, str]:
    """SVG element id → digest of what decides its drawing (plus :data:`HEAD`)."""
    graph, pinned = d.graph, d.settings.pinned
    out = {HEAD: _h(*head_lines(graph, d.settings), str(d.labels is not None))}
    for c in graph.clusters:
        out[c.id] = _h(*cluster_lines(replace(c, node_ids=()), d.boxes.get(c.id)))
    node_digest: dict[str, str] = {}
    for n in graph.nodes:
        node_digest[n.id] = _node_digest(n, d.positions.get(n.id) if pinned else None)
        out[_svg_id("table", n.table_uid)] = node_digest[n.id]
    # Splines route around every table and Graphviz's edge labels dodge each other: then an
    # edge's drawing depends on the whole drawing, and any change redraws every edge.
    whole = "" if local_edges(d.settings) else _h(
        *node_digest.values(), *(f"{e.id}={e.label}" for e in graph.edges))
    for e in graph.edges:
        sides = edge_sides(e, graph, d.positions if pinned else None)
        out[_svg_id("rel", e.relationship_uid)] = _edge_digest(
            e, sides, d.labels is None, node_digest[e.child], node_digest[e.parent], whole)
        if d.labels is not None and e.id in d.labels:
            out[_svg_id("rel", e.relationship_uid, "name")] = _h(
                label_statement(e, d.labels[e.id]))
    return out


def _node_digest(n: Node, pos: Position | None) -> str:
    """``_h(node_statement(n, pos))``, memoised by node object (the graph builder reuses the
    nodes of unchanged tables) and position."""
    hit = _NODE_DIGESTS.get(n)
    if hit is not None and hit[0] == pos:
        return hit[1]
    return _NODE_DIGESTS.put(n, (pos, _h(node_statement(n, pos))))[1]


_MEMO_SIZE = 20_000
_NODE_DIGESTS: IdentityMemo[Node, tuple[Position | None, str]] = IdentityMemo(_MEMO_SIZE)


@lru_cache(maxsize=_MEMO_SIZE)
def _edge_digest(e: Edge, sides: tuple[str, str], with_label: bool, child: str, parent: str,
                 whole: str) -> str:
    """An edge's manifest digest (a pure function of these: memoised by value)."""
    return _h(edge_statement(e, sides, with_label), child, parent, whole)


def token(found: Mapping[str, str]) -> str:
    """The digest of a whole manifest: names the drawing it describes."""
    return _h(*(f"{k}={v}" for k, v in sorted(found.items())))


def dumps(found: Mapping[str, str]) -> bytes:
    return json.dumps(found, separators=(",", ":"), sort_keys=True).encode()


def loads(raw: bytes | None) -> dict[str, str] | None:
    """A stored manifest, or None when absent or not one."""
    if raw is None:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                             for k, v in data.items()):
        return None
    return data


@dataclass(frozen=True)
class Changes:
    """Elements to draw again (added or changed) and to take away, by SVG id."""

    changed: frozenset[str]
    removed: frozenset[str]

    @property
    def empty(self) -> bool:
        return not self.changed and not self.removed


def changes(old: Mapping[str, str], new: Mapping[str, str]) -> Changes | None:
    """What differs from ``old`` to ``new``; None when a whole drawing is the better answer."""
    if old.get(HEAD) != new.get(HEAD):
        return None
    changed = frozenset(k for k, v in new.items() if k != HEAD and old.get(k) != v)
    removed = frozenset(k for k in old if k != HEAD and k not in new)
    if len(changed) + len(removed) > max(MIN_PATCH, MAX_SHARE * len(new)):
        return None
    return Changes(changed, removed)


def patch_job(d: Drawing, ids: Iterable[str]) -> DotJob:
    """A DOT job drawing at least the elements ``ids`` exactly as :meth:`Drawing.job` does."""
    ids = set(ids)
    graph = d.graph
    if not local_edges(d.settings):
        return d.job()  # splines route around every table: draw them all
    edges = tuple(e for e in graph.edges
                  if _svg_id("rel", e.relationship_uid) in ids
                  or _svg_id("rel", e.relationship_uid, "name") in ids)
    need = {n.id for n in graph.nodes if _svg_id("table", n.table_uid) in ids}
    need |= {e.child for e in edges} | {e.parent for e in edges}
    nodes = tuple(n for n in graph.nodes if n.id in need)
    clusters = tuple(replace(c, node_ids=tuple(i for i in c.node_ids if i in need))
                     for c in graph.clusters if c.id in ids)
    sub = replace(graph, nodes=nodes, edges=edges, clusters=clusters)
    labels = ({e.id: d.labels[e.id] for e in edges if e.id in d.labels}
              if d.labels is not None else None)
    return DotJob(to_dot(sub, d.settings, positions=d.positions, cluster_boxes=d.boxes,
                         label_positions=labels), d.settings)


def groups(svg: str) -> dict[str, str]:
    """The top-level groups (clusters, nodes, edges) of a sanitised Graphviz SVG, by id."""
    starts = [(m.start(), m.group(1)) for m in _GROUP.finditer(svg)]
    end = svg.rfind(_END)
    out: dict[str, str] = {}
    for i, (start, gid) in enumerate(starts):
        stop = starts[i + 1][0] if i + 1 < len(starts) else end
        out[gid] = svg[start:stop].rstrip("\n")
    return out


def has_group_kind(gid: str) -> bool:
    """Whether ``gid`` names a top-level group a patch may carry."""
    return gid.startswith(("table-", "rel-", "cluster_"))


def has_labels(graph: Graph) -> bool:
    return any(has_label(e) for e in graph.edges)
