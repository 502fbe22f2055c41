"""Automatic engine settings by size."""

from __future__ import annotations

from modeler.diagram import ViewOptions, render_dot
from modeler.diagram.engine import (
    DOT_LIMITED_LIMIT,
    DOT_PLAIN_LIMIT,
    PINNED_SPLINE_LIMIT,
    layout_engine,
    pinned_engine,
)
from modeler.schema.model import Schema
from tests.diagram.conftest import needs_graphviz


def test_layout_pass_settings_by_size() -> None:
    small = layout_engine(DOT_PLAIN_LIMIT)
    assert small.command == ("dot",) and dict(small.graph_attrs) == {"splines": "false"}
    medium = dict(layout_engine(DOT_PLAIN_LIMIT + 1).graph_attrs)
    assert medium["nslimit"] == "2" and "mclimit" not in medium
    large = dict(layout_engine(DOT_LIMITED_LIMIT + 1).graph_attrs)
    assert large["nslimit"] == "2" and large["mclimit"] == "0.2"
    assert layout_engine(10, "sfdp").program == "sfdp"
    assert not any(layout_engine(n).pinned for n in (1, 200, 2000))


def test_pinned_drawing_settings() -> None:
    assert pinned_engine(5).command == ("neato", "-n2")
    assert dict(pinned_engine(PINNED_SPLINE_LIMIT).graph_attrs)["splines"] == "spline"
    assert dict(pinned_engine(PINNED_SPLINE_LIMIT + 1).graph_attrs)["splines"] == "line"
    assert pinned_engine(1000).pinned
    assert pinned_engine(3).label == "neato -n2 splines=spline notranslate=true"


@needs_graphviz
def test_sfdp_on_request(schema: Schema) -> None:
    job = render_dot(schema, ViewOptions(engine="sfdp"))
    assert job.settings.pinned and job.source.count("pos=") == len(schema.tables)
