"""ER diagrams: graph data from a schema snapshot, DOT text, Graphviz rendering, layout.

Pure Python except :mod:`modeler.diagram.render`, which runs Graphviz in a subprocess
(:func:`layout` and :func:`render_dot` call it for layout and measuring passes).

    from modeler.diagram import ViewOptions, layout, render_dot, render_job
    positions = layout(schema)                      # store these (table uid → Position)
    job = render_dot(schema, ViewOptions(detail="keys"), cache=cache)
    svg = render_job(job, "svg", cache=cache)       # sanitised, data-uid tagged
    # or in one call: render_diagram(schema, options, "svg", cache=cache)

``cache`` is any :class:`DiagramCache` (get/set bytes); one that also has ``get_many`` and
``set_many`` (:class:`BatchCache`) reads the per-node size entries in one round trip.
"""

from __future__ import annotations

from modeler.diagram.build import build_graph, neighbourhood, select_tables
from modeler.diagram.dot import to_dot
from modeler.diagram.escape import escape
from modeler.diagram.geometry import moved
from modeler.diagram.graph import Cluster, Edge, EdgeStyle, Graph, Node, NodeStyle, Port, RowStyle
from modeler.diagram.layout import layout, render_diagram, render_dot
from modeler.diagram.options import ViewOptions
from modeler.diagram.render import (
    BatchCache,
    DiagramCache,
    DotJob,
    MemoryCache,
    RenderError,
    RenderTimeout,
    render_job,
)
from modeler.diagram.svg import UnsafeSvg, sanitize_svg

__all__ = [
    "BatchCache",
    "Cluster",
    "DiagramCache",
    "DotJob",
    "Edge",
    "EdgeStyle",
    "Graph",
    "MemoryCache",
    "Node",
    "NodeStyle",
    "Port",
    "RenderError",
    "RenderTimeout",
    "RowStyle",
    "UnsafeSvg",
    "ViewOptions",
    "build_graph",
    "escape",
    "layout",
    "moved",
    "neighbourhood",
    "render_diagram",
    "render_dot",
    "render_job",
    "sanitize_svg",
    "select_tables",
    "to_dot",
]
