"""The warm Graphviz (modeler/diagram/warm.py): the same bytes as the program, and every way
it cannot serve falls back to the program or times out as the program would."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from modeler.diagram import ViewOptions, layout, render_dot, warm
from modeler.diagram.render import RenderError, RenderTimeout, run_graphviz
from modeler.diagram.sample import synthetic_schema
from modeler.importers import import_sql
from modeler.schema.model import Schema
from tests.diagram.conftest import needs_graphviz
from tests.importers.conftest import corpus_text

pytestmark = needs_graphviz

SMALL = 'digraph G { a [pos="0,0!"]; b [pos="120,80!"]; a -> b; }'


@pytest.fixture
def warmed() -> Iterator[None]:
    was = warm.enabled()
    warm.enable()
    assert warm.enabled()
    try:
        yield
    finally:
        warm.stop()
        warm.enable(was)


def _placed(schema: Schema) -> Schema:
    positions = layout(schema)
    return replace(schema, tables=tuple(replace(t, position=positions[t.uid])
                                        for t in schema.tables))


def _hostile() -> Schema:
    from modeler.schema.builder import SchemaBuilder

    b = SchemaBuilder(name="odd")
    t = b.table('weird "name" </script> & <b>', comment="ünïcødé — ☃ <i>x</i> \\ \"q\"")
    t.column("id", "bigint", identity="always", pk=True)
    t.column("naïve café", "text", comment="]]> --> {curly} |pipe|")
    u = b.table("日本語のテーブル", subject_area="área")
    u.column("id", "bigint", identity="always", pk=True)
    u.column("ref", "bigint")
    b.relationship("日本語のテーブル", ["ref"], 'weird "name" </script> & <b>',
                   name="fk <&> \"x\"")
    return b.build()


def _jobs() -> list[tuple[str, object]]:
    shop_like = _placed(synthetic_schema(12))          # splines (<= 40 tables)
    lines = _placed(synthetic_schema(60))              # straight lines between ports
    odd = _placed(_hostile())
    return [("splines", render_dot(shop_like, ViewOptions())),
            ("lines", render_dot(lines, ViewOptions())),
            ("keys", render_dot(lines, ViewOptions(detail="keys"))),
            ("hostile", render_dot(odd, ViewOptions()))]


def _both(command: tuple[str, ...], source: str, fmt: str) -> tuple[bytes, bytes]:
    warm.enable()
    served = warm.run(command, source.encode(), fmt, 30)
    warm.enable(False)
    program = run_graphviz(command, source, fmt)
    assert served is not None, "the warm Graphviz did not serve a pinned render"
    return served, program


@pytest.mark.parametrize("fmt", ["svg", "json0", "json0+svg"])
def test_same_bytes_as_the_program(warmed: None, fmt: str) -> None:
    for name, job in _jobs():
        command = job.settings.command  # type: ignore[attr-defined]
        assert command == ("neato", "-n2"), name
        source = job.source  # type: ignore[attr-defined]
        if fmt == "json0+svg":
            served, program = _both((*command, "-Tjson0"), source, "svg")
        else:
            served, program = _both(command, source, fmt)
        assert served == program, f"{name} {fmt}: the warm Graphviz drew other bytes"


def test_same_bytes_on_a_real_schema(warmed: None) -> None:
    result = import_sql([("pagila/pagila-schema.sql", corpus_text("pagila/pagila-schema.sql"))])
    schema = _placed(result.schema)
    for detail in ("all", "keys"):
        job = render_dot(schema, ViewOptions(detail=detail))  # type: ignore[arg-type]
        served, program = _both((*job.settings.command, "-Tjson0"), job.source, "svg")
        assert served == program, detail


def test_clusters_come_in_the_programs_order_every_time(warmed: None) -> None:
    """libcgraph orders named subgraphs by the address of their interned names: a fresh
    program's allocations give one order, a long-lived child's heap another from render to
    render (two subject areas swapped places in the SVG and json0 now and then)."""
    from tests.diagram.conftest import SHOP_POSITIONS, shop, with_positions

    source = render_dot(with_positions(shop(), SHOP_POSITIONS), ViewOptions()).source
    assert source.count("subgraph") >= 2
    command = ("neato", "-n2", "-Tjson0")
    warm.enable(False)
    program = run_graphviz(command, source, "svg")
    warm.enable()
    other = render_dot(_placed(synthetic_schema(12)), ViewOptions()).source
    for _ in range(20):
        # served by the child (not left to the program), with the program's order
        assert warm.run(command, source.encode(), "svg", 30) == program
        run_graphviz(command, other, "svg")  # the child's heap moves on


def test_eight_subject_areas_in_the_programs_order(warmed: None) -> None:
    """Eight clusters (the benchmarks' designs), drawn again and again in a shuffled order
    with other drawings between: each time the child's bytes are the program's."""
    import random
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
    from synthetic import synthetic

    jobs = [render_dot(_placed(synthetic(n)), ViewOptions(detail=d))
            for n in (20, 60) for d in ("all", "keys")]
    assert all(j.source.count("subgraph cluster_") == 8 for j in jobs)
    command = ("neato", "-n2", "-Tjson0")
    warm.enable(False)
    program = [run_graphviz(command, j.source, "svg") for j in jobs]
    warm.enable()
    order = list(range(len(jobs))) * 5
    random.Random(7).shuffle(order)
    for i in order:
        assert warm.run(command, jobs[i].source.encode(), "svg", 30) == program[i], i


def test_many_renders_in_a_row_reuse_one_child(warmed: None) -> None:
    first = run_graphviz(("neato", "-n2"), SMALL, "svg")
    child = warm.child_pid()
    assert child is not None
    for _ in range(20):
        assert run_graphviz(("neato", "-n2"), SMALL, "svg") == first
    assert warm.child_pid() == child


def test_not_served_without_enable_or_for_other_programs(warmed: None) -> None:
    assert warm.plan(("dot",), "svg") is None            # a layout pass: the program
    assert warm.plan(("neato", "-n2"), "png") is None     # images: the program
    assert warm.plan(("neato",), "svg") is None           # neato without -n2
    assert warm.plan(("neato", "-n2", "-Tjson0"), "svg") == ("nop2", ["json0", "svg"])
    warm.enable(False)
    assert warm.run(("neato", "-n2"), SMALL.encode(), "svg", 5) is None
    os.environ["GRAPHVIZ_WARM"] = "0"
    try:
        warm.enable()
        assert not warm.enabled()
    finally:
        del os.environ["GRAPHVIZ_WARM"]


def test_bad_source_gets_the_programs_error(warmed: None) -> None:
    bad = "digraph G { a -> ; }"
    assert warm.run(("neato", "-n2"), bad.encode(), "svg", 5) is None  # refused, not raised
    with pytest.raises(RenderError) as served:
        run_graphviz(("neato", "-n2"), bad, "svg")
    warm.enable(False)
    with pytest.raises(RenderError) as program:
        run_graphviz(("neato", "-n2"), bad, "svg")
    assert str(served.value) == str(program.value)
    assert "syntax error" in str(served.value)
    warm.enable()
    assert run_graphviz(("neato", "-n2"), SMALL, "svg").startswith(b"<?xml")  # still serves


@pytest.mark.parametrize("source", [
    'digraph G { a; b [pos="1,1!"]; }',  # a node without a position (-n2 requires one)
    'digraph G { a [pos="0,0!", label=<<B>x</I>>]; }',  # a bad HTML-like label
])
def test_a_source_the_program_errors_on_gets_its_error(warmed: None, source: str) -> None:
    """Graphviz draws these but reports an error (the program exits 1): the warm child must
    not hand back its drawing where the user got the program's error."""
    with pytest.raises(RenderError) as served:
        run_graphviz(("neato", "-n2"), source, "svg")
    warm.enable(False)
    with pytest.raises(RenderError) as program:
        run_graphviz(("neato", "-n2"), source, "svg")
    assert str(served.value) == str(program.value)
    warm.enable()
    assert run_graphviz(("neato", "-n2"), SMALL, "svg").startswith(b"<?xml")  # still serves
    assert warm.run(("neato", "-n2"), SMALL.encode(), "svg", 5) is not None  # errors reset


@pytest.mark.parametrize("source", [
    'digraph G { a [pos="0,0!"]; } digraph H { b [pos="9,9!"]; }',  # the program draws both
    'digraph G { a [pos="0,0!"]; } x',  # the program: a syntax error after the drawing
])
def test_what_follows_the_first_graph_is_the_programs_and_never_the_next_renders(
        warmed: None, source: str) -> None:
    """libcgraph reads the first graph and keeps the rest of the text for its next read:
    the warm child drew only the first, and the next render (another request's source)
    came back as the leftover's drawing or its syntax error."""
    warm.enable(False)
    expected = run_graphviz(("neato", "-n2"), SMALL, "svg")
    try:
        program: bytes | str = run_graphviz(("neato", "-n2"), source, "svg")
    except RenderError as exc:
        program = str(exc)
    warm.enable()
    try:
        served: bytes | str = run_graphviz(("neato", "-n2"), source, "svg")
    except RenderError as exc:
        served = str(exc)
    assert served == program
    assert warm.run(("neato", "-n2"), SMALL.encode(), "svg", 5) == expected


def test_a_killed_child_falls_back_then_is_started_again(warmed: None) -> None:
    expected = run_graphviz(("neato", "-n2"), SMALL, "svg")
    child = warm.child_pid()
    assert child is not None
    os.kill(child, signal.SIGKILL)
    assert run_graphviz(("neato", "-n2"), SMALL, "svg") == expected  # the program, or anew
    assert run_graphviz(("neato", "-n2"), SMALL, "svg") == expected
    again = warm.child_pid()
    assert again is not None and again != child


def test_a_hung_child_times_out_and_is_replaced(warmed: None) -> None:
    run_graphviz(("neato", "-n2"), SMALL, "svg")
    child = warm.child_pid()
    assert child is not None
    os.kill(child, signal.SIGSTOP)  # answers nothing, as a Graphviz stuck in a layout
    with pytest.raises(RenderTimeout, match=r"took longer than 0\.3 s"):
        run_graphviz(("neato", "-n2"), SMALL, "svg", timeout=0.3)
    assert warm.child_pid() is None  # killed
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)
    assert run_graphviz(("neato", "-n2"), SMALL, "svg").startswith(b"<?xml")
    assert warm.child_pid() not in (None, child)


def test_a_hung_child_times_out_on_a_drawing_larger_than_the_pipe(warmed: None) -> None:
    """The deadline holds while the request is written too: a hung child reads nothing,
    and a source larger than the pipe's buffer blocked the write for ever."""
    run_graphviz(("neato", "-n2"), SMALL, "svg")
    child = warm.child_pid()
    assert child is not None
    os.kill(child, signal.SIGSTOP)
    big = "digraph G {" + "".join(f'n{i} [pos="{i},0!", label="{"x" * 100}"];'
                                  for i in range(10_000)) + "}"
    outcome: list[BaseException] = []

    def render() -> None:
        try:
            run_graphviz(("neato", "-n2"), big, "svg", timeout=0.5)
        except BaseException as exc:  # reported to the test thread
            outcome.append(exc)

    t = threading.Thread(target=render, daemon=True)
    t.start()
    t.join(10)
    if t.is_alive():  # unblock the stuck write before failing
        os.kill(child, signal.SIGKILL)
        t.join(10)
        pytest.fail("the write to a hung child outlived the timeout")
    assert len(outcome) == 1 and isinstance(outcome[0], RenderTimeout)
    assert warm.child_pid() is None


def test_a_busy_child_leaves_other_threads_to_the_program(warmed: None) -> None:
    run_graphviz(("neato", "-n2"), SMALL, "svg")
    with warm.busy():  # another thread's render holds it
        assert warm.run(("neato", "-n2"), SMALL.encode(), "svg", 5) is None
        out: list[bytes] = []
        t = threading.Thread(target=lambda: out.append(
            run_graphviz(("neato", "-n2"), SMALL, "svg")))
        t.start()
        t.join(30)
        assert out and out[0].startswith(b"<?xml")  # drawn by the program meanwhile


def test_a_forked_process_starts_its_own_child(warmed: None) -> None:
    run_graphviz(("neato", "-n2"), SMALL, "svg")
    parents = warm.child_pid()
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the forked child reports through the pipe
        try:
            ok = run_graphviz(("neato", "-n2"), SMALL, "svg").startswith(b"<?xml")
            mine = warm.child_pid()
            os.write(write, f"{ok} {mine}".encode())
        finally:
            os._exit(0)
    os.close(write)
    answer = os.read(read, 100).decode()
    os.close(read)
    os.waitpid(pid, 0)
    ok, mine = answer.split()
    assert ok == "True"
    assert mine not in ("None", str(parents))
    assert warm.child_pid() == parents  # the parent's is untouched
    assert run_graphviz(("neato", "-n2"), SMALL, "svg").startswith(b"<?xml")


def test_a_child_that_cannot_start_rests_it(warmed: None, tmp_path: Any,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the child dies at once (no libgvc, no Python as ``sys.executable``, or drawings
    that crash libgvc), every drawing still comes from the program; after a few tries no
    child is started for a while, then one is tried again."""
    import time

    good = warm.CHILD
    monkeypatch.setattr(warm, "REST_SECONDS", 0.5)
    dead = tmp_path / "gvchild.py"
    dead.write_text("import sys\nsys.exit(3)\n")
    monkeypatch.setattr(warm, "CHILD", dead)
    warm.stop()
    expected = b""
    for _ in range(warm.GIVE_UP_AFTER):
        assert warm.enabled()
        out = run_graphviz(("neato", "-n2"), SMALL, "svg")
        assert out.startswith(b"<?xml")
        expected = expected or out
    assert not warm.enabled()
    assert warm.child_pid() is None
    assert run_graphviz(("neato", "-n2"), SMALL, "svg") == expected
    assert warm.child_pid() is None  # none started while it rests
    monkeypatch.setattr(warm, "CHILD", good)  # the next try works
    time.sleep(0.6)
    assert warm.enabled()
    assert warm.run(("neato", "-n2"), SMALL.encode(), "svg", 30) == expected
    assert warm.child_pid() is not None
