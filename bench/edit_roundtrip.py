"""Issue 4 benchmark: the editor's server-side edit round trip, full render, layout stability.

    .venv/bin/python bench/edit_roundtrip.py [--sizes 50 300 1000] [--runs 20]

For synthetic designs (bench/synthetic.py: N tables of 10 columns in 8 subject areas, one
FK each) stored in a scratch database (bench/_django.py), through Django's test Client as a
logged-in owner, the way the browser does it:

* **Round trip**: ``POST .../t/<uid>/columns/add/`` (htmx: the response is the refreshed
  panel and the diagram) and then ``GET .../edit/diagram/`` (what a polling browser
  fetches). Positions are stored first (one diagram view), so every render is pinned as in
  real use. Each added column changes the DOT, so the SVG cache (keyed by the DOT's hash)
  misses and every measured request really runs Graphviz (checked: the new column is in
  the response). Both send ``X-Diagram-Token`` as the editor's script does (issue #17): the
  edit answers with a patch of the drawing the browser shows, the poll with the changes
  since the drawing before the edit. ``--whole`` sends no token: every answer is the whole
  drawing (the behaviour before issue #17). p50/p95 (wall clock, and the edit's CPU time:
  on a shared machine the wall clock is mostly other people's load) and bytes per answer.
  Goals (issue #17): p95 <= 50 ms at 50 tables, <= 80 at 300, <= 150 at 1,000; under
  50 KB per one-column edit at 1,000 tables.
* ``--behind``: each edit lands on a process whose snapshot is from before the previous
  edit (as when the previous one was served by another gunicorn worker): it catches up
  through the snapshot deltas the edits publish (modeler/web/snapshot.py), or with
  ``--no-deltas`` reads the rows. Only the snapshot cache is rolled back (the lint and
  drawing memos of the previous edit stay), so the figure is the snapshot's share.
* **Full render** of a fresh 1,000-table design (no stored positions, empty cache): the
  first diagram view (layout pass, positions stored, pinned render), and the pure drawing
  ``render_diagram(..., layout="fresh")`` without Django. Goal: < 5 s.
* **Layout stability**: how far the existing tables move when one column or one table is
  added through the editor: stored positions (the source of truth) and the node centres in
  the rendered SVG (after removing a uniform shift of the whole drawing, which changes
  nothing on screen). Goal: 0.

* **Diagram part only** (``--diagram-only``): the drawing work of one column added, without
  Django (no rules, no panel), the whole drawing and the patch interleaved run by run so
  that both see the same machine load: the whole drawing (plan, full Graphviz render,
  sanitised SVG) against the patch (plan, manifest, changes, Graphviz on the changed
  elements). p50/p95 and bytes per edit.
* **Huge design without a layout** (``--huge 1000``, best with
  ``MODELER_TASKS_BACKEND=database``: the page queues the layout and answers, the script
  then does the worker's part): N tables with 5 foreign keys each and no stored
  positions: the first editor page (a provisional grid while the layout runs on the
  background job), the diagram refresh meanwhile, and how long until the laid-out
  drawing is there (issue #17: usable within 5 s, no 5xx).

Figures only; nothing here asserts on speed.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import time
from collections.abc import Callable
from typing import Any

import _django

os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# No task worker runs here: background tasks (the layout of designs above
# DIAGRAM_INLINE_LAYOUT_TABLES) run at once, in the request that queues them.
os.environ.setdefault("MODELER_TASKS_BACKEND", "immediate")
_django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from synthetic import synthetic  # noqa: E402

from modeler import diagram  # noqa: E402
from modeler.schema import model as m  # noqa: E402
from modeler.web import services  # noqa: E402
from modeler.web.models import Design, ViewPrefs  # noqa: E402
from modeler.web.snapshot import materialize, snapshot  # noqa: E402

HX = {"HTTP_HX_REQUEST": "true"}
TOKEN = re.compile(r'data-token="([0-9a-f]{16})"')
NODE = re.compile(r'<g id="table-([0-9a-f-]{36})" class="node"[^>]*>\s*<polygon[^>]*?'
                  r'points="([^"]+)"')


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1), nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


class Bench:
    """One project with a synthetic design of ``n`` tables, and a logged-in client."""

    def __init__(self, n: int, user: Any) -> None:
        self.n = n
        self.slug = f"bench-{n}"
        self.project = services.project_create(name=self.slug, slug=self.slug, owner=user)
        self.design = services.main_design(self.project)
        self.client = Client()
        self.client.force_login(user)
        # Every column drawn at every size, so that the figures compare (the default view,
        # "auto", shows keys only past 6,000 columns, e.g. at 1,000 tables).
        ViewPrefs.objects.update_or_create(project=self.project, user=user,
                                           defaults={"options": {"detail": "all"}})
        t0 = time.perf_counter()
        materialize(synthetic(n), self.design)
        self.materialize_s = time.perf_counter() - t0

    def url(self, name: str, *args: object) -> str:
        return reverse(name, args=[self.slug, *args])

    def diagram(self, token: str | None = None) -> str:
        extra = {"HTTP_X_DIAGRAM_TOKEN": token} if token else {}
        r = self.client.get(self.url("diagram"), **HX, **extra)
        assert r.status_code == 200, r.status_code
        return r.content.decode()

    def add_column(self, table_uid: str, name: str, token: str | None = None) -> str:
        extra = {"HTTP_X_DIAGRAM_TOKEN": token} if token else {}
        r = self.client.post(self.url("column_add", table_uid),
                             {"col-name": name, "col-type": "text", "col-searchable": "none",
                              "col-comment": "added by the benchmark"}, **HX, **extra)
        assert r.status_code == 200, (r.status_code, r.content[:2000])
        return str(r.content.decode())

    def add_table(self, name: str) -> str:
        r = self.client.post(self.url("table_add"),
                             {"new-name": name, "new-namespace": "public",
                              "new-comment": "A table added by the benchmark.",
                              "new-kind": "entity", "new-delete_strategy": "hard"}, **HX)
        assert r.status_code == 200, (r.status_code, r.content[:2000])
        found = re.search(r'id="panel-title" data-table="([0-9a-f-]{36})"', r.content.decode())
        assert found, "no new table in the panel"
        return found.group(1)

    def positions(self) -> dict[str, m.Position]:
        return {t.uid: t.position for t in snapshot(Design.objects.get(pk=self.design.pk)).tables
                if t.position is not None}

    def tables(self) -> list[m.Table]:
        return list(snapshot(self.design).tables)


def svg_centres(svg: str) -> dict[str, tuple[float, float]]:
    """Table uid → centre of its node's outline in the SVG (drawing units)."""
    out = {}
    for uid, points in NODE.findall(svg):
        xy = [tuple(map(float, p.split(","))) for p in points.split()]
        xs, ys = [p[0] for p in xy], [p[1] for p in xy]
        out[uid] = ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    return out


def stored_moves(before: dict[str, m.Position], after: dict[str, m.Position]) -> float:
    return max((abs(after[u].x - p.x) + abs(after[u].y - p.y) for u, p in before.items()),
               default=0.0)


def svg_moves(before: dict[str, tuple[float, float]], after: dict[str, tuple[float, float]],
              ) -> tuple[float, tuple[float, float]]:
    """Largest move of a table that was there before, once the whole drawing's shift (the
    median offset) is taken out; and that shift."""
    common = [u for u in before if u in after]
    dx = statistics.median(after[u][0] - before[u][0] for u in common)
    dy = statistics.median(after[u][1] - before[u][1] for u in common)
    worst = max(abs(after[u][0] - before[u][0] - dx) + abs(after[u][1] - before[u][1] - dy)
                for u in common)
    return worst, (dx, dy)


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    result = fn()
    return time.perf_counter() - t0, result


def cpu_now() -> float:
    """CPU seconds of this process (all threads) and of its finished children (Graphviz)."""
    t = os.times()
    return time.process_time() + t.children_user + t.children_system


def token_of(body: str) -> str | None:
    found = TOKEN.search(body)
    return found.group(1) if found else None


def kb(values: list[int]) -> str:
    return f"{statistics.median(values) / 1024:.1f} KB (max {max(values) / 1024:.1f} KB)"


def round_trips(b: Bench, runs: int, warmup: int = 2, whole: bool = False,
                behind: bool = False) -> None:
    from modeler.web.snapshot import CACHE

    tables = b.tables()
    posts, gets, post_bytes, get_bytes, post_cpu = [], [], [], [], []
    token = None if whole else token_of(b.diagram())
    patches = 0
    held = None  # this process's snapshot before the previous edit (--behind)
    for i in range(warmup + runs):
        table = tables[(i * 37) % len(tables)]
        name = f"bench_c{i}"
        before = token
        if behind:
            # as if another web process had made the previous edit: this one holds only
            # the snapshot from before it (the lint and drawing memos stay: not rolled back)
            current = CACHE.latest_entry(b.design.pk)
            if held is not None:
                CACHE.clear()
                CACHE.put(*held)
            held = current
        c0 = cpu_now()
        t_post, body = timed(lambda t=table, c=name, k=before: b.add_column(t.uid, c, k))
        c_post = cpu_now() - c0
        # the edit's response carries the new drawing or a patch (an out-of-band swap)
        assert "hx-swap-oob" in body and f">{name}<" in body, "no new SVG in the response"
        patches += "data-patch=" in body
        token = None if whole else token_of(body)
        # what a polling browser that still shows the drawing before the edit fetches
        t_get, svg = timed(lambda k=before: b.diagram(k))
        assert f">{name}<" in svg, "the new column is not in the SVG"
        if i >= warmup:
            posts.append(t_post)
            post_cpu.append(c_post)
            gets.append(t_get)
            post_bytes.append(len(body.encode()))
            get_bytes.append(len(svg.encode()))
    mode = "whole drawings" if whole else f"patches ({patches}/{warmup + runs} answers)"
    if behind:
        from modeler.web import snapshot as sn

        mode += (", this process one edit behind (" + ("deltas" if sn.DELTA_CHAIN else
                                                       "no deltas: rows read") + ")")
    print(f"  round trip (POST add column -> response with the diagram), {runs} runs, {mode}: "
          f"p50 {ms(statistics.median(posts))}, p95 {ms(pct(posts, 0.95))}, "
          f"max {ms(max(posts))}; bytes per edit {kb(post_bytes)}")
    print(f"    its CPU time (this process and Graphviz; the machine's load left out): p50 "
          f"{ms(statistics.median(post_cpu))}, p95 {ms(pct(post_cpu, 0.95))}")
    print(f"    a polling browser's refresh (GET diagram): p50 {ms(statistics.median(gets))}, "
          f"p95 {ms(pct(gets, 0.95))}; bytes {kb(get_bytes)}")


def stability(b: Bench) -> None:
    svg0 = svg_centres(b.diagram())
    pos0 = b.positions()
    tables = b.tables()
    target = tables[len(tables) // 2]
    b.add_column(target.uid, "stability_col")
    svg1 = svg_centres(b.diagram())
    pos1 = b.positions()
    worst, shift = svg_moves(svg0, svg1)
    print(f"  stability, one column added to {target.name}: stored positions moved "
          f"{stored_moves(pos0, pos1):.1f} pt; in the SVG the other tables moved "
          f"{worst:.1f} pt (whole drawing shifted by {shift[0]:+.1f},{shift[1]:+.1f})")
    new_uid = b.add_table("stability_table")
    svg2 = svg_centres(b.diagram())
    pos2 = b.positions()
    worst, shift = svg_moves(svg1, svg2)
    placed = pos2.get(new_uid)
    xs, ys = [p.x for p in pos1.values()], [p.y for p in pos1.values()]
    where = (f"placed at {placed.x:.0f},{placed.y:.0f} (the others span x {min(xs):.0f}.."
             f"{max(xs):.0f}, y {min(ys):.0f}..{max(ys):.0f})" if placed else "NOT placed")
    print(f"  stability, one table added: stored positions moved "
          f"{stored_moves(pos1, pos2):.1f} pt; in the SVG the existing tables moved "
          f"{worst:.1f} pt (whole drawing shifted by {shift[0]:+.1f},{shift[1]:+.1f}); "
          f"new table {where}")


def many_fks(n: int, fks: int = 5, seed: int = 3) -> m.Schema:
    """``n`` tables in 8 subject areas, ``fks`` foreign keys each (to earlier tables)."""
    import random

    from modeler.schema.builder import SchemaBuilder

    rnd = random.Random(seed)
    b = SchemaBuilder(name=f"fks-{n}")
    for i in range(n):
        t = b.table(f"t{i:04d}", comment=f"table {i}", subject_area=f"area_{i % 8}")
        t.column("id", "bigint", identity="always", pk=True).column("name", "text")
        for k in range(fks if i else 0):
            t.column(f"ref_{k}", "bigint", nullable=True)
    for i in range(1, n):
        for k in range(fks):
            b.relationship(f"t{i:04d}", [f"ref_{k}"], f"t{rnd.randrange(i):04d}",
                           on_delete="SET NULL", on_update="NO ACTION")
    return b.build()


def huge(n: int, user: Any) -> None:
    from modeler.web import layoutjobs

    slug = f"huge-{n}"
    project = services.project_create(name=slug, slug=slug, owner=user)
    design = services.main_design(project)
    schema = many_fks(n)
    materialize(schema, design)
    client = Client()
    client.force_login(user)
    cache.clear()
    t0 = time.perf_counter()
    page = client.get(reverse("editor", args=[slug]))
    t_page = time.perf_counter() - t0
    provisional = "Provisional placement" in page.content.decode()
    t_part, part = timed(lambda: client.get(reverse("diagram", args=[slug]), **HX))
    if not all(t.position for t in snapshot(design).tables):
        # no task worker here (MODELER_TASKS_BACKEND=database): do the worker's part
        layoutjobs.run_layout(design.pk)
    t_done = time.perf_counter() - t0
    t_after, after = timed(lambda: client.get(reverse("diagram", args=[slug]), **HX))
    placed = sum(1 for t in snapshot(design).tables if t.position)
    print(f"huge design, {n} tables, {len(schema.relationships)} FKs, no layout: editor page "
          f"{page.status_code} in {ms(t_page)} (provisional: {provisional}); diagram refresh "
          f"{part.status_code} in {ms(t_part)}; background layout stored after "
          f"{t_done:.1f} s ({placed}/{n} placed); laid-out diagram {after.status_code} in "
          f"{ms(t_after)}, {len(after.content) / 1e6:.1f} MB, "
          f"{'still provisional' if 'Provisional' in after.content.decode() else 'final'}")


def diagram_only(n: int, runs: int) -> None:
    from synthetic import laid_out, with_column

    from modeler.diagram import patch
    from modeler.diagram.layout import plan
    from modeler.diagram.render import MemoryCache, render_job

    mem = MemoryCache()
    schema = laid_out(n, mem)
    drawn = plan(schema, cache=mem)
    old = patch.manifest(drawn)
    render_job(drawn.job(), "svg", cache=mem)
    whole_t, patch_t, whole_b, patch_b = [], [], [], []
    for i in range(runs + 2):
        schema = with_column(schema, i)
        t0 = time.perf_counter()
        d = plan(schema, cache=mem)
        new = patch.manifest(d)
        changes = patch.changes(old, new)
        assert changes is not None
        svg = render_job(patch.patch_job(d, changes.changed), "svg", cache=mem).decode()
        found = patch.groups(svg)
        body = "".join(found[k] for k in changes.changed)
        t1 = time.perf_counter()
        full = render_job(plan(schema, cache=mem).job(), "svg", cache=None)
        t2 = time.perf_counter()
        old = new
        if i >= 2:
            patch_t.append(t1 - t0)
            whole_t.append(t2 - t1)
            patch_b.append(len(body.encode()))
            whole_b.append(len(full))
    print(f"diagram only, {n} tables, {runs} edits: whole drawing p50 "
          f"{ms(statistics.median(whole_t))}, p95 {ms(pct(whole_t, 0.95))}, "
          f"{kb(whole_b)}; patch p50 {ms(statistics.median(patch_t))}, "
          f"p95 {ms(pct(patch_t, 0.95))}, {kb(patch_b)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 300, 1000])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--full-render", type=int, default=1000,
                        help="tables of the fresh full-render design (0: skip)")
    parser.add_argument("--whole", action="store_true",
                        help="send no drawing token: whole drawings (before issue #17)")
    parser.add_argument("--no-stability", action="store_true")
    parser.add_argument("--behind", action="store_true",
                        help="each edit lands on a process that did not make the previous "
                             "one (another gunicorn worker): its snapshot is one edit old")
    parser.add_argument("--no-deltas", action="store_true",
                        help="with --behind: no catching up through the published snapshot "
                             "deltas (the rows are read, as before issue #17's deltas)")
    parser.add_argument("--diagram-only", action="store_true",
                        help="only the drawing work, whole vs patch, without Django")
    parser.add_argument("--huge", type=int, default=0,
                        help="tables of a design with 5 FKs each and no layout (0: skip)")
    args = parser.parse_args()
    if args.diagram_only:
        for n in args.sizes:
            diagram_only(n, args.runs)
        return
    if args.no_deltas:
        from modeler.web import snapshot as sn

        sn.DELTA_CHAIN = 0
    user = get_user_model().objects.create_user("bench")

    for n in args.sizes:
        b = Bench(n, user)
        cache.clear()
        t_first, svg = timed(b.diagram)
        if len(b.positions()) < n:  # a large design: laid out by the background job
            from modeler.web import layoutjobs

            t_bg, _ = timed(lambda: layoutjobs.wait(600))
            print(f"  first view was provisional ({ms(t_first)}); background layout stored "
                  f"{t_bg:.2f} s later")
            t_first, svg = timed(b.diagram)
        assert len(b.positions()) == n, "positions were not stored by the first view"
        print(f"{n} tables ({sum(len(t.columns) for t in b.tables())} columns): "
              f"materialize {b.materialize_s:.2f} s, first view (layout + store + render) "
              f"{t_first:.2f} s, SVG {len(svg) / 1e6:.2f} MB")
        runs = args.runs if n <= 300 else max(5, args.runs // 2)
        round_trips(b, runs, whole=args.whole, behind=args.behind)
        if not args.no_stability:
            stability(b)

    if args.huge:
        huge(args.huge, user)

    if args.full_render:
        n = args.full_render
        schema = synthetic(n)
        b = Bench(n, user) if n not in args.sizes else None
        if b is not None:
            cache.clear()
            t_first, _ = timed(b.diagram)
            print(f"full render, {n} tables, first diagram view (layout pass, positions "
                  f"stored, pinned render): {t_first:.2f} s")
        times = []
        for _ in range(3):
            t, body = timed(lambda: diagram.render_diagram(
                schema, diagram.ViewOptions(layout="fresh"), "svg", cache=None))
            times.append(t)
        print(f"full render, {n} tables, render_diagram(layout='fresh') without cache: "
              f"best {min(times):.2f} s, median {statistics.median(times):.2f} s "
              f"({len(body) / 1e6:.1f} MB SVG)")


if __name__ == "__main__":
    main()
