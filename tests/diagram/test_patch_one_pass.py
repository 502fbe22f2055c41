"""An edit's patch runs Graphviz once (issue #17): the changed table's size is guessed and
checked against what the patch's own render measures; a wrong guess costs the measuring
pass, never a wrong drawing. Either way the patch holds the full render's groups."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from modeler.diagram import ViewOptions, render_job
from modeler.diagram import patch as p
from modeler.diagram import render as r
from modeler.diagram.layout import plan
from modeler.diagram.render import MemoryCache
from modeler.schema import model as m
from modeler.web import diagrams

from .conftest import needs_graphviz
from .test_patch import add_column, design, laid_out

TOKEN = re.compile(r'data-token="([0-9a-f]{16})"')


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[tuple[str, ...]]]:
    """The Graphviz command lines run (the real runs: only counted)."""
    seen: list[tuple[str, ...]] = []
    real = r.run_graphviz

    def counted(command: tuple[str, ...], *args: Any, **kw: Any) -> bytes:
        seen.append(command)
        return real(command, *args, **kw)

    monkeypatch.setattr(r, "run_graphviz", counted)
    cache.clear()
    yield seen
    cache.clear()


def _token(text: str) -> str:
    found = TOKEN.search(text)
    assert found, text[:300]
    return found.group(1)


def _check(text: str, since: str, schema: m.Schema, options: ViewOptions) -> None:
    """``text`` is a patch since ``since`` whose groups are the full render's."""
    assert f'data-patch="{since}"' in text, text[:300]
    whole = p.groups(render_job(plan(schema, options, cache=MemoryCache()).job(), "svg").decode())
    ids = re.findall(r'<g id="([^"]+)" class="(?:node|edge|cluster)"', text)
    assert ids
    for gid in ids:
        assert whole[gid] in text, gid


def _widened(schema: m.Schema, index: int) -> m.Schema:
    """A column whose name makes the table wider (its size is no longer a guess's)."""
    return add_column(schema, index, "a_column_name_much_wider_than_any_other_column_here")


@needs_graphviz
def test_an_edit_draws_its_patch_in_one_graphviz_run(runs: list[tuple[str, ...]]) -> None:
    options = ViewOptions()
    schema = laid_out(design(60), MemoryCache())
    since = _token(diagrams.drawing(schema, options))
    for i, index in enumerate((5, 17, 33)):
        runs.clear()
        schema = add_column(schema, index, f"n{i}")  # as wide as the table was
        text = diagrams.drawing(schema, options, since=since)
        # the patch's render measured the table: no measuring pass
        assert len(runs) == 1 and "-Tjson0" in runs[0], runs
        _check(text, since, schema, options)
        since = _token(text)
    # a table made wider: the guess is wrong, the size measured apart, the patch right
    runs.clear()
    schema = _widened(schema, 40)
    text = diagrams.drawing(schema, options, since=since)
    assert len(runs) == 2, runs
    _check(text, since, schema, options)
    # and a table the process has not drawn before is measured as ever
    runs.clear()
    diagrams._SEEN.clear()
    since = _token(text)
    schema = add_column(schema, 50, "one_more")
    text = diagrams.drawing(schema, options, since=since)
    assert len(runs) == 2 and "-Tjson0" not in runs[-1], runs
    _check(text, since, schema, options)


@needs_graphviz
def test_guessed_sizes_are_never_stored(runs: list[tuple[str, ...]]) -> None:
    """After a wrong guess the size in the cache is the measured one: a later plan of the
    same design (a whole drawing, a download) draws what a cold render draws."""
    options = ViewOptions()
    schema = laid_out(design(45), MemoryCache())
    since = _token(diagrams.drawing(schema, options))
    schema = _widened(schema, 3)
    diagrams.drawing(schema, options, since=since)
    warm = plan(schema, options, cache=diagrams.DjangoCache())
    cold = plan(schema, options, cache=MemoryCache())
    assert warm.boxes == cold.boxes
    assert warm.job().source == cold.job().source


def test_a_guess_is_a_size_as_graphviz_gives_it_back() -> None:
    assert diagrams._graphviz_points(189) == 189.0
    assert diagrams._graphviz_points(206) == pytest.approx(205.9992)
    assert diagrams._graphviz_points(206) == float("2.8611") * 72


def test_the_overlay_never_writes_a_guess() -> None:
    cache.clear()
    real = diagrams.DjangoCache()
    spec = diagrams._Speculative(real, {"k1": b"[1.0, 2.0]"}, {"n2": (3.0, 4.0)},
                                 {"n1": "k1", "n2": "k2"}, "whole")
    assert spec.get("k2") == b"[3.0, 4.0]" and spec.get("k1") == b"[1.0, 2.0]"
    assert spec.get("whole") == b"[[1.0, 2.0],[3.0, 4.0]]"
    spec.set_many({"k2": b"[9, 9]", diagrams.SIZES_PREFIX + "x": b"[]", "other": b"1"})
    spec.set("k2", b"[9, 9]")
    assert real.get("k2") is None and real.get(diagrams.SIZES_PREFIX + "x") is None
    assert real.get("other") == b"1"
    cache.clear()
