"""Rendering through Graphviz: SVG structure, ids, hostile names, cache, timeouts."""

from __future__ import annotations

import re
import stat
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from modeler.diagram import (
    MemoryCache,
    RenderError,
    RenderTimeout,
    ViewOptions,
    build_graph,
    render_diagram,
    render_dot,
    render_job,
)
from modeler.diagram.sample import synthetic_schema
from modeler.schema.model import Schema
from tests.diagram.conftest import SVG, needs_graphviz, node_groups, parse_svg
from tests.diagram.test_dot import HOSTILE, hostile_schema

pytestmark = needs_graphviz


def groups_by_id(root: ET.Element) -> dict[str, ET.Element]:
    return {g.get("id", ""): g for g in root.iter(f"{SVG}g")}


def test_every_model_object_maps_to_an_svg_element(placed: Schema) -> None:
    root = parse_svg(render_diagram(placed))
    groups = groups_by_id(root)
    for t in placed.tables:
        node = groups[f"table-{t.uid}"]
        assert (node.get("class"), node.get("data-kind"), node.get("data-uid")) == (
            "node", "table", t.uid)
        header = groups[f"a_table-{t.uid}__header"]
        assert (header.get("data-uid"), header.get("data-part")) == (t.uid, "header")
        for c in t.columns:
            cell = groups[f"a_column-{c.uid}"]
            assert (cell.get("data-kind"), cell.get("data-uid")) == ("column", c.uid)
            # Only the name cell of a row is an anchor (markers and type cells are not).
            assert f"a_column-{c.uid}__key" not in groups
            assert f"a_column-{c.uid}__type" not in groups
    for r in placed.relationships:
        edge = groups[f"rel-{r.uid}"]
        assert (edge.get("class"), edge.get("data-kind"), edge.get("data-uid")) == (
            "edge", "relationship", r.uid)
        assert groups[f"a_rel-{r.uid}__label"].get("data-uid") == r.uid


def test_tooltips_carry_comments(placed: Schema) -> None:
    root = parse_svg(render_diagram(placed))
    titles = [t.text or "" for t in root.iter(f"{SVG}title")]
    assert "customer\nPeople who buy things" in titles
    assert any(t.startswith("email email (UQ NN)\nLogin name") for t in titles)


def _points(group: ET.Element) -> list[tuple[float, float]]:
    """Every coordinate pair drawn in ``group`` (paths, polygons, polylines)."""
    text = " ".join((e.get("d") or "") + " " + (e.get("points") or "") for e in group.iter())
    nums = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", text)]
    return list(zip(nums[::2], nums[1::2], strict=False))


def _ports(root: ET.Element, table_uid: str, column_uid: str) -> list[tuple[float, float]]:
    """The two points where a row meets the node's west and east borders (SVG units)."""
    groups = groups_by_id(root)
    xs = [x for x, _ in _points(groups[f"table-{table_uid}"])]
    text = next(groups[f"a_column-{column_uid}"].iter(f"{SVG}text"))
    y = float(text.get("y") or 0) - 3.5  # baseline sits 3.5 pt below the row middle
    return [(min(xs), y), (max(xs), y)]


def test_edges_start_and_end_at_the_column_rows(placed: Schema) -> None:
    root = parse_svg(render_diagram(placed))
    groups = groups_by_id(root)
    for r in placed.relationships:
        drawn = _points(groups[f"rel-{r.uid}"])
        for table, column in ((r.child_table, r.child_columns[0]),
                              (r.parent_table, r.parent_columns[0])):
            # Rows are 17 pt apart: an edge at a neighbouring row would miss by that much.
            gap = min(abs(x - px) + abs(y - py) for x, y in drawn
                      for px, py in _ports(root, table, column))
            assert gap < 5, (r.name, gap)


def test_hostile_names_render_literally_without_markup() -> None:
    schema = hostile_schema()
    for options in (ViewOptions(), ViewOptions(detail="keys", direction="TB")):
        svg = render_diagram(schema, options)
        root = parse_svg(svg)  # well-formed
        assert b"<script" not in svg and b"onload" not in svg
        assert [e for e in root.iter() if not e.tag.startswith(SVG)] == []
        texts = {"".join(t.itertext()) for t in root.iter(f"{SVG}text")}
        shown = HOSTILE if options.detail == "all" else HOSTILE[:1]
        for name in shown:
            assert any(name in t for t in texts), name
        titles = "\n".join(t.text or "" for t in root.iter(f"{SVG}title"))
        for name in HOSTILE:
            assert name in titles, name
        assert len(node_groups(root)) == 2  # nothing injected a node


def test_svg_is_deterministic(placed: Schema) -> None:
    assert render_diagram(placed) == render_diagram(placed)
    fresh = ViewOptions(layout="fresh", detail="keys")
    assert render_diagram(placed, fresh) == render_diagram(placed, fresh)


def test_cache_is_used(placed: Schema, tmp_path: Path) -> None:
    cache = MemoryCache()
    job = render_dot(placed, cache=cache)
    first = render_job(job, cache=cache)
    assert job.key("svg") in cache.data
    # A second render must not start Graphviz: with no programs available it would fail.
    assert render_job(job, cache=cache, bindir=str(tmp_path)) == first
    with pytest.raises(RenderError, match="cannot run"):
        render_job(job, "png", cache=cache, bindir=str(tmp_path))
    assert job.key("svg") != job.key("png")


def test_formats(placed: Schema) -> None:
    job = render_dot(placed)
    assert render_job(job, "png").startswith(b"\x89PNG")
    assert render_job(job, "pdf").startswith(b"%PDF")
    assert render_job(job, "dot") == job.source.encode()
    with pytest.raises(ValueError):
        render_job(job, "gif")


def fake_program(tmp_path: Path, name: str, script: str) -> str:
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + script + "\n")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(tmp_path)


def test_timeout_kills_a_slow_engine(placed: Schema, tmp_path: Path) -> None:
    bindir = fake_program(tmp_path, "neato", "exec sleep 20")
    job = render_dot(placed)
    start = time.monotonic()
    with pytest.raises(RenderTimeout, match=r"longer than 0\.3 s"):
        render_job(job, timeout=0.3, bindir=bindir)
    assert time.monotonic() - start < 5


def test_timeout_on_a_real_graph() -> None:
    job = render_dot(synthetic_schema(60), ViewOptions(layout="fresh"))
    with pytest.raises(RenderTimeout):
        render_job(job, timeout=0.001)


def test_engine_failure_is_a_render_error(placed: Schema, tmp_path: Path) -> None:
    bindir = fake_program(tmp_path, "neato", "echo 'Error: syntax error in line 1' >&2; exit 1")
    with pytest.raises(RenderError, match="syntax error in line 1"):
        render_job(render_dot(placed), bindir=bindir)


def test_one_tooltip_per_row_header_and_label(placed: Schema) -> None:
    svg = render_diagram(placed)
    root = parse_svg(svg)
    graph = build_graph(placed)
    titles = [t.text or "" for t in root.iter(f"{SVG}title")]
    rows = sum(len(n.ports) for n in graph.nodes)
    labelled = sum(1 for e in graph.edges if e.label)
    assert len(titles) == rows + len(graph.nodes) + labelled
    # Graphviz's link-less <a> wrappers are gone: the anchor group carries the tooltip.
    assert b"<a" not in svg
    for g in root.iter(f"{SVG}g"):
        if g.get("id", "").startswith("a_"):
            assert g[0].tag == f"{SVG}title", g.get("id")


def test_texts_keep_their_font_through_compaction(placed: Schema) -> None:
    root = parse_svg(render_diagram(placed))
    assert root.get("font-family") == "Helvetica,sans-Serif"
    sizes = set()
    for text in root.iter(f"{SVG}text"):
        assert text.get("text-anchor") in (None, "middle", "end")
        assert text.get("font-family") is None  # the root's, like every text Graphviz wrote
        sizes.add(text.get("font-size") or root.get("font-size"))
    assert sizes == {"7.00", "8.00", "10.00", "12.00"}  # markers, labels, names, clusters


def test_svg_size_per_table() -> None:
    schema = synthetic_schema(50)
    svg = render_diagram(schema)
    # 7 columns a table, relationship names on edges: about 5 KB a table (12 KB before
    # one anchor per row instead of three and the text compaction).
    assert len(svg) / len(schema.tables) < 6000


def _raw_svg(schema: Schema, options: ViewOptions | None = None) -> bytes:
    from modeler.diagram.render import run_graphviz

    job = render_dot(schema, options)
    return run_graphviz(job.settings.command, job.source, "svg")


def test_memoised_sanitising_is_byte_identical(placed: Schema) -> None:
    from dataclasses import replace

    from modeler.diagram.svg import GroupMemo, sanitize_graphviz_svg, sanitize_svg
    from modeler.schema import edit

    memo = GroupMemo()
    hostile = hostile_schema()
    docs = [_raw_svg(placed), _raw_svg(hostile), _raw_svg(hostile, ViewOptions(detail="keys"))]
    # an edit: one table gains a column, the other groups keep their text
    table = placed.tables[0]
    grown = edit.put_table(placed, replace(table, columns=(*table.columns, replace(
        table.columns[-1], uid="00000000-0000-4000-8000-00000000abcd", name="added"))))
    docs.append(_raw_svg(grown))
    for doc in docs:
        whole = sanitize_svg(doc)
        assert sanitize_graphviz_svg(doc, memo) == whole  # groups sanitised and stored
        stored = len(memo._items)
        assert sanitize_graphviz_svg(doc, memo) == whole  # every group from the memo
        assert len(memo._items) == stored
    after_first = sum(1 for key in memo._items if key[1] in docs[0].decode())
    assert after_first == len(_groups(docs[0]))  # every node, edge and cluster by group
    # after the edit only what changed is new: the grown table, its edges, its area's box
    fresh = GroupMemo()
    sanitize_graphviz_svg(docs[0], fresh)
    before = len(fresh._items)
    sanitize_graphviz_svg(docs[-1], fresh)
    added = len(fresh._items) - before
    assert 1 <= added < len(_groups(docs[0])) // 2, (added, len(_groups(docs[0])))


def _groups(doc: bytes) -> list[str]:
    from modeler.diagram.svg import _GROUP

    return _GROUP.findall(doc.decode())


def test_memoised_sanitising_falls_back_on_anything_else() -> None:
    from modeler.diagram.svg import GroupMemo, sanitize_graphviz_svg, sanitize_svg
    from tests.diagram.test_svg import HOSTILE_DOCS

    memo = GroupMemo()
    smuggled = (b'<svg xmlns="http://www.w3.org/2000/svg"><g id="g" class="graph">\n'
                b'<g id="table-x" class="node"><g id="--split--"/><text>a</text></g>\n'
                b'<g id="rel-y" class="edge"><script>alert(1)</script></g>\n</g>\n</svg>\n')
    for doc in (*HOSTILE_DOCS, smuggled):
        assert sanitize_graphviz_svg(doc, memo) == sanitize_svg(doc)
    out = sanitize_graphviz_svg(smuggled, memo)
    assert b"<script" not in out and out.count(b"--split--") == 1


def test_one_shot_sanitises_whole_and_keeps_nothing(placed: Schema,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A process that draws once (manage.py's drawing commands) sanitises the document
    whole: the same bytes, and no group kept in the process's memo."""
    from modeler.diagram import svg

    monkeypatch.setattr(svg, "GROUPS", svg.GroupMemo())
    doc = _raw_svg(placed)
    svg.one_shot()
    try:
        assert svg.sanitize_graphviz_svg(doc) == svg.sanitize_svg(doc)
        assert not svg.GROUPS._items
    finally:
        svg.one_shot(False)
    assert svg.sanitize_graphviz_svg(doc) == svg.sanitize_svg(doc)
    assert svg.GROUPS._items  # the usual memo again
