"""Issue 17 benchmark: in a real browser, adding a column redraws the diagram within 150 ms.

    .venv/bin/python bench/browser_edit.py [--sizes 300 50 1000] [--runs 20]
        [--css none layer ...] [--trace FILE]

Headless Debian Chromium driven by Playwright's sync API (launched as
tests/browser/conftest.py does: its executable, never ``playwright install``) against the
production topology (bench/_django.py ``live_stack``: gunicorn with 3 workers and production
settings, RQ task workers, PgBouncer, Redis, a throw-away PostgreSQL cluster). For each size,
a synthetic design (bench/synthetic.py: N tables of 10 columns, one FK each) in a throw-away
project whose owner sees every column (detail "all": the new column is drawn at every size);
the owner signs in through the login form, opens the editor, waits for the laid-out drawing
(above 150 tables the layout runs on a task worker), opens the first table's panel from the
table list and adds a column
through the "Add column" form ``--runs`` times (after 2 warm-up adds).

Measured in the page: from the click's event time to the new column's name appearing in the
diagram (a MutationObserver on the page), then to the next animation frame (the frame that
paints it starts) and to just after that frame (a message posted from the frame callback
runs once the frame is done: painted). p50/p95 of each, and the bytes of every diagram
answer (the edit's answer, which carries the drawing or a patch of it, and any diagram
refresh the page fetched meanwhile). Goal (issue #17): under 150 ms from click to paint at
300 tables. Also the page's own part (answer received -> painted) and Chromium's CPU per add
(all its processes, from /proc: steadier than the wall clock on a shared machine).
``--css``: extra style sheets (CSS_VARIANTS), one round each in the same run, each round on
its own table. ``--trace FILE``: a Chromium trace and a V8 sampling profile of each round's
last 5 adds, summarised (thread CPU time by trace event; JavaScript own time with callers).
Figures only; nothing here asserts on speed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass, field
from typing import Any

import _django

sys.path.insert(0, str(_django.ROOT))

from playwright.sync_api import Page, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from tests.browser.conftest import CHROMIUM_ARGS, VIEWPORT, chromium_path

# Installed once per page: the click's time, for the add button of the column form.
CLICK_JS = """() => {
  window.__bench = window.__bench || {};
  document.addEventListener("click", (e) => {
    if (e.target.closest && e.target.closest("#add-column button")) {
      window.__bench.click = e.timeStamp;
    }
  }, true);
}"""

# Before each add: watch the page for the new column's name inside #diagram.
WATCH_JS = """(name) => {
  const b = window.__bench = {click: null, seen: null, frame: null, painted: null,
                               panel: null};
  // when the edit's panel was swapped in (htmx swaps it a moment after the patch)
  const swapped = (e) => {
    if (e.detail && e.detail.target && e.detail.target.id === "panel") {
      b.panel = performance.now();
      document.body.removeEventListener("htmx:afterSwap", swapped);
    }
  };
  document.body.addEventListener("htmx:afterSwap", swapped);
  const inDiagram = (n) => {
    const el = n.nodeType === 1 ? n : n.parentElement;
    return !!(el && el.closest && el.closest("#diagram"));
  };
  const has = (n) => !!(n && n.textContent && n.textContent.includes(name) && inDiagram(n));
  const obs = new MutationObserver((records) => {
    for (const r of records) {
      if ((r.type === "characterData" && has(r.target)) || [...r.addedNodes].some(has)) {
        obs.disconnect();
        b.seen = performance.now();
        requestAnimationFrame(() => {
          b.frame = performance.now();
          const ch = new MessageChannel();
          ch.port1.onmessage = () => { b.painted = performance.now(); };
          ch.port2.postMessage(null);
        });
        return;
      }
    }
  });
  obs.observe(document.body, {subtree: true, childList: true, characterData: true});
}"""

# --css: style sheets added to the page for an A/B run (each name one measured round)
CSS_VARIANTS = {
    "none": "",
    "contain": "#diagram { contain: strict; }",
    "layer": "#diagram .svg-host > svg { will-change: transform; }",
    "contain+layer": "#diagram { contain: strict; } "
                     "#diagram .svg-host > svg { will-change: transform; }",
    "panel": ".panel { contain: strict; }",
}

IDLE_JS = "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
LAID_OUT_JS = ("() => !!document.querySelector('#diagram svg') && "
               "!document.querySelector('#diagram [data-provisional]')")


def ms(value: float) -> str:
    return f"{value:.0f} ms"


def pct(values: list[float], q: float) -> float:
    """The q-quantile (0..1), nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered) + 0.5) - 1))]


@dataclass
class Size:
    n: int
    answered: list[float] = field(default_factory=list)  # click -> the edit's answer (ms)
    seen: list[float] = field(default_factory=list)  # click -> name in the DOM
    frame: list[float] = field(default_factory=list)  # click -> its frame starts
    painted: list[float] = field(default_factory=list)  # click -> that frame is done
    panel_first: int = 0  # the panel was swapped in before the painted mark
    cpu: float = 0.0  # the web workers' CPU seconds per add (their polls included)
    browser_cpu: float = 0.0  # Chromium's CPU seconds per add (every process of it)
    edit_bytes: list[int] = field(default_factory=list)  # the edit's answer
    wire_bytes: list[int] = field(default_factory=list)  # ... as sent (gzip when it is)
    drawing_bytes: list[int] = field(default_factory=list)  # its diagram part
    refresh_bytes: list[int] = field(default_factory=list)  # diagram refreshes meanwhile
    patches: int = 0
    hangs: int = 0  # the provisional drawing never replaced without a reload
    statuses: list[int] = field(default_factory=list)


def sign_in(page: Page, base: str) -> None:
    page.goto(base + "/login/")
    page.fill("input[name=username]", "mp0")
    page.fill("input[name=password]", _django.stack_password())
    page.click("main button[type=submit]")
    page.wait_for_url(lambda u: "/login/" not in u)


def cpu_seconds(pids: list[int]) -> float:
    """CPU seconds of these processes and of their finished children (Graphviz), from
    /proc: what the web workers spent, whatever the machine's load."""
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rpartition(")")[2].split()
        except OSError:
            continue
        total += sum(int(x) for x in fields[11:15])  # utime stime cutime cstime
    return total / os.sysconf("SC_CLK_TCK")


def chromium_pids() -> list[int]:
    """This process's Chromium processes (descendants whose command is the browser's)."""
    parents: dict[int, int] = {}
    commands: dict[int, str] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                parents[int(entry)] = int(f.read().rpartition(")")[2].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                commands[int(entry)] = f.read().split(b"\0")[0].decode(errors="replace")
        except (OSError, ValueError, IndexError):
            continue
    me, out = os.getpid(), []
    for pid, command in commands.items():
        up, seen = pid, 0
        while up in parents and up != me and seen < 20:
            up, seen = parents[up], seen + 1
        if up == me and "chrom" in os.path.basename(command):
            out.append(pid)
    return out


TRACE_CATEGORIES = ["devtools.timeline", "disabled-by-default-devtools.timeline", "blink",
                    "cc", "toplevel", "v8", "benchmark"]


def summarize_trace(path: str, adds: int, top: int = 25) -> None:
    """Where the page's renderer spent its time in a trace: the events' own time (their
    duration less that of the events nested in them), by thread and name."""
    import json
    from collections import defaultdict

    with open(path) as f:
        data = json.load(f)
    events = data["traceEvents"] if isinstance(data, dict) else data
    names = {(e["pid"], e["tid"]): e["args"]["name"] for e in events
             if e.get("ph") == "M" and e.get("name") == "thread_name"}
    # (start, end, name, thread CPU time): the CPU time ("tdur") says what the work cost
    # whatever else the machine was doing
    by_thread: dict[tuple[int, int], list[tuple[float, float, str, float]]] = defaultdict(list)
    for e in events:
        if e.get("ph") == "X" and "dur" in e:
            by_thread[(e["pid"], e["tid"])].append(
                (e["ts"], e["ts"] + e["dur"], e["name"], e.get("tdur", e["dur"])))
    own: dict[tuple[str, str], float] = defaultdict(float)  # duration less the children's
    for thread, spans in by_thread.items():
        spans.sort(key=lambda x: (x[0], -x[1]))
        tname = names.get(thread, str(thread))
        open_: list[tuple[float, int]] = []  # the spans around this one: (end, index)
        kids: dict[int, float] = defaultdict(float)
        for k, (start, end, _, cpu) in enumerate(spans):
            while open_ and open_[-1][0] <= start:
                open_.pop()
            if open_:
                kids[open_[-1][1]] += cpu
            open_.append((end, k))
        for k, (_, _, name, cpu) in enumerate(spans):
            own[(tname, name)] += cpu - kids[k]
    print(f"  the trace's busiest events (own thread CPU time per add, ms; {len(by_thread)} "
          f"threads):")
    for (tname, name), us in sorted(own.items(), key=lambda x: -x[1])[:top]:
        print(f"    {us / 1000 / adds:8.1f}  {tname:24.24}  {name}")


def summarize_js(profile: dict[str, Any], adds: int, top: int = 20) -> None:
    """The page's JavaScript by function (own time of the V8 sampling profile)."""
    from collections import Counter

    nodes = {n["id"]: n for n in profile["nodes"]}
    parent = {c: n["id"] for n in profile["nodes"] for c in n.get("children", ())}

    def label(node: int) -> str:
        f = nodes[node]["callFrame"]
        return (f"{f['functionName'] or '(anonymous)'} {f['url'].rsplit('/', 1)[-1]}:"
                f"{f['lineNumber'] + 1}:{f['columnNumber'] + 1}")

    own: Counter[str] = Counter()
    via: Counter[tuple[str, str]] = Counter()  # (function, its JavaScript callers)
    for sample, delta in zip(profile["samples"], profile["timeDeltas"], strict=False):
        own[label(sample)] += delta
        chain, up = [], parent.get(sample)
        while up is not None and len(chain) < 3:
            chain.append(label(up).split(" ")[0] + " " + label(up).split(" ")[-1])
            up = parent.get(up)
        via[(label(sample), " < ".join(chain))] += delta
    print("  the page's JavaScript, own time per add (ms, sampled; with its callers):")
    for name, us in own.most_common(top):
        print(f"    {us / 1000 / adds:8.1f}  {name}")
        for (n, chain), us2 in via.most_common():
            if n == name and us2 > us / 5:
                print(f"                {us2 / 1000 / adds:6.1f} < {chain}")


def measure(page: Page, base: str, slug: str, n: int, runs: int, warmup: int = 2,
            wait: float = 60, workers: list[int] | None = None, css: str = "",
            tag: str = "", trace: str = "", trace_adds: int = 5, table: int = 0) -> Size:
    out = Size(n)
    t0 = time.monotonic()
    page.goto(f"{base}/p/{slug}/edit/")
    for _ in range(3):
        try:
            page.wait_for_function(LAID_OUT_JS, timeout=wait * 1000, polling=500)
            break
        except PlaywrightTimeout:
            # the page shows the provisional grid and its poller sees no new revision
            server = page.request.get(f"{base}/p/{slug}/edit/poll/?rev=-1")
            shown = page.evaluate("() => [document.getElementById('diagram-pane').dataset.rev,"
                                  " document.querySelector('#diagram .svg-host').dataset.rev]")
            print(f"  HANG: still the provisional drawing {wait:.0f} s after opening the "
                  f"editor (page's revision {shown[0]}, its drawing's {shown[1]}, the "
                  f"server's {server.headers.get('x-design-revision')}: the poller answers "
                  f"204, nothing refreshes it); reloading the page")
            out.hangs += 1
            page.reload()
    laid_out = time.monotonic() - t0
    load = os.getloadavg()
    if css:
        page.add_style_tag(content=css)
    # the first table's panel, as a user opens it from the table list (htmx, no reload)
    # (each round its own table: a table grown by an earlier round's columns would cost more)
    page.locator("#table-list a").nth(table).click()
    page.wait_for_selector("#add-column")
    page.wait_for_function(IDLE_JS)
    page.evaluate(CLICK_JS)
    section = page.locator("#add-column")
    diagram_answers: list[Any] = []

    def seen_response(response: Any) -> None:
        if "/edit/diagram/" in response.url:
            diagram_answers.append(response)

    page.on("response", seen_response)
    idle0 = cpu_seconds(chromium_pids())
    time.sleep(3)
    idle = (cpu_seconds(chromium_pids()) - idle0) / 3
    cpu0 = browser0 = 0.0
    for i in range(warmup + runs):
        if i == warmup:
            cpu0 = cpu_seconds(workers or [])
            browser0 = cpu_seconds(chromium_pids())
        name = f"bench_col_{tag}{i}"
        page.wait_for_function(IDLE_JS)
        # open (it stays open after an add, not after a refresh of the panel by the poller)
        if not section.evaluate("(d) => d.open"):
            section.locator("summary").click()
        section.locator("#id_col-name").fill(name)
        # commented: a rule (DC-02) refuses an uncommented column in a table of 10+ columns
        section.locator("#id_col-comment").fill("added by the benchmark")
        diagram_answers.clear()
        if trace and i == warmup + runs - trace_adds:
            page.context.browser.start_tracing(page=page, categories=TRACE_CATEGORIES)
            cdp = page.context.new_cdp_session(page)
            cdp.send("Profiler.enable")
            cdp.send("Profiler.setSamplingInterval", {"interval": 200})
            cdp.send("Profiler.start")
        page.evaluate(WATCH_JS, name)
        with page.expect_response(lambda r: r.request.method == "POST"
                                  and "/columns/add/" in r.url) as answer:
            section.get_by_role("button", name="Add column").click()
        if answer.value.status != 200:
            raise RuntimeError(f"adding column {name}: {answer.value.status} " + " | ".join(
                page.locator("#add-column .errors, #edit-errors").all_inner_texts()))
        page.wait_for_function("() => window.__bench.painted !== null", timeout=60_000,
                               polling="raf")
        b = page.evaluate("() => ({...window.__bench, origin: performance.timeOrigin})")
        timing = answer.value.request.timing
        body = answer.value.body()
        page.wait_for_function(IDLE_JS)
        if i < warmup:
            continue
        out.statuses.append(answer.value.status)
        out.answered.append(timing["startTime"] + timing["responseEnd"]
                            - (b["origin"] + b["click"]))
        out.seen.append(b["seen"] - b["click"])
        out.frame.append(b["frame"] - b["click"])
        out.painted.append(b["painted"] - b["click"])
        out.panel_first += b["panel"] is not None and b["panel"] < b["painted"]
        out.edit_bytes.append(len(body))
        out.wire_bytes.append(answer.value.request.sizes()["responseBodySize"])
        at = body.find(b'<div id="diagram" hx-swap-oob')
        out.drawing_bytes.append(len(body) - at if at >= 0 else 0)
        out.patches += b"data-patch=" in body
        out.refresh_bytes += [len(r.body()) for r in diagram_answers]
    if trace:
        with open(trace, "wb") as f:
            f.write(page.context.browser.stop_tracing())
        print(f"  a Chromium trace of the last {trace_adds} adds: {trace}")
        summarize_trace(trace, trace_adds)
        summarize_js(cdp.send("Profiler.stop")["profile"], trace_adds)
    page.remove_listener("response", seen_response)
    out.cpu = (cpu_seconds(workers or []) - cpu0) / max(1, runs)
    out.browser_cpu = (cpu_seconds(chromium_pids()) - browser0) / max(1, runs)
    print(f"  load average {load[0]:.2f} before the adds, {os.getloadavg()[0]:.2f} after")
    print(f"{n} tables: laid-out drawing shown {laid_out:.1f} s after opening the editor; "
          f"{runs} column adds (statuses {sorted(set(out.statuses))}, "
          f"{out.patches} answered with a patch)")
    print(f"  click -> the edit's answer received: p50 {ms(statistics.median(out.answered))}, "
          f"p95 {ms(pct(out.answered, 0.95))}")
    print(f"  click -> new column in the DOM: p50 {ms(statistics.median(out.seen))}, "
          f"p95 {ms(pct(out.seen, 0.95))}; -> its frame: p50 "
          f"{ms(statistics.median(out.frame))}, p95 {ms(pct(out.frame, 0.95))}; -> painted: "
          f"p50 {ms(statistics.median(out.painted))}, p95 {ms(pct(out.painted, 0.95))}, "
          f"max {ms(max(out.painted))}")
    client = [p - a for p, a in zip(out.painted, out.answered, strict=True)]
    seen_painted = list(zip(out.painted, out.seen, strict=True))
    print(f"  the page's own part, the edit's answer received -> painted: p50 "
          f"{ms(statistics.median(client))}, p95 {ms(pct(client, 0.95))}; new column in the "
          f"DOM -> painted: p50 {ms(statistics.median(p - s for p, s in seen_painted))}")
    print(f"  Chromium's CPU per add (all its processes; the page's polls included): "
          f"{out.browser_cpu * 1000:.0f} ms (idle, the page open: {idle * 1000:.0f} ms/s)")
    if workers:
        print(f"  the web workers' CPU per add (and Graphviz's; the page's polls meanwhile "
              f"included): {out.cpu * 1000:.0f} ms")
    print(f"  the panel was swapped in before the painted mark in {out.panel_first} of "
          f"{len(out.painted)} adds (its swap then counts in click -> painted)")
    print(f"  bytes of each edit's answer (panel + diagram): "
          f"{', '.join(str(x) for x in out.edit_bytes)}")
    print(f"  ... on the wire (Content-Encoding {answer.value.headers.get('content-encoding')}): "
          f"{', '.join(str(x) for x in out.wire_bytes)}")
    print(f"  of which the diagram (the out-of-band #diagram swap): "
          f"{', '.join(str(x) for x in out.drawing_bytes)}")
    if out.refresh_bytes:
        print(f"  diagram refreshes fetched meanwhile: {len(out.refresh_bytes)}, bytes "
              f"{', '.join(str(x) for x in out.refresh_bytes)}")
    return out


def server_times(log: str, runs: int) -> None:
    """The server's own time (gunicorn's access log, request time) of the last ``runs``
    column adds: what the stack spends between reading the request and the last byte."""
    took = [float(parts[3]) * 1000 for parts in (line.split() for line in log.splitlines())
            if len(parts) == 4 and parts[1] == "POST" and parts[2].endswith("/columns/add/")]
    took = took[-runs:]
    if took:
        print(f"  the server's time per column add (gunicorn's access log): p50 "
              f"{ms(statistics.median(took))}, p95 {ms(pct(took, 0.95))}; slowest "
              f"{', '.join(ms(x) for x in sorted(took)[-3:])}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 50, 1000])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--css", nargs="+", default=["none"], choices=sorted(CSS_VARIANTS),
                        help="A/B: measure each size once per named extra style sheet, in "
                             "turn (the same machine load for each)")
    parser.add_argument("--trace", default="", metavar="FILE",
                        help="record a Chromium trace of the last 5 adds of each round to "
                             "FILE.<round>.json and print where its time went")
    parser.add_argument("--verify-snapshots", action="store_true",
                        help="check every snapshot-cache hit against the rows, as the tests "
                             "do (not production: a full read of the design per hit; the "
                             "figures before this option were taken so)")
    args = parser.parse_args()
    began = time.monotonic()
    results = []
    with _django.live_stack(users=1, verify_snapshots=args.verify_snapshots) as st, \
            sync_playwright() as pw:
        print(f"stack start-up (s): {st.startup}; {st.base_url}; snapshot verify "
              f"{'on' if args.verify_snapshots else 'off'}")
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS,
                                     headless=True)
        try:
            context = browser.new_context(viewport={"width": VIEWPORT["width"],
                                                    "height": VIEWPORT["height"]},
                                          locale="en-GB",
                                          timezone_id="UTC")
            context.set_default_timeout(30_000)
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            sign_in(page, st.base_url)
            for n in args.sizes:
                info = _django.stack_design(st, f"b{n}", n, detail="all")
                print(f"design b{n}: {info['tables']} tables, {info['fks']} FKs, "
                      f"{info['columns']} columns, written in {info['materialize_s']} s")
                for variant in args.css:
                    if len(args.css) > 1:
                        print(f"-- extra style sheet {variant!r}: {CSS_VARIANTS[variant]}")
                    results.append(measure(page, st.base_url, f"b{n}", n, args.runs,
                                           workers=st.web_workers(),
                                           css=CSS_VARIANTS[variant],
                                           tag=f"{len(results)}_", table=len(results),
                                           trace=args.trace and
                                           f"{args.trace}.{len(results)}.json"))
                    server_times(st.log("access.log"), args.runs)
                if results[-1].hangs:
                    print("  the server's access log (status, method, path, seconds) so far:\n"
                          + "\n".join(f"    {line}" for line in
                                      st.log("access.log").splitlines()
                                      if "/static/" not in line))
            if errors:
                print("JavaScript errors in the page:\n  " + "\n  ".join(errors))
        finally:
            browser.close()
    for r in results:
        if r.n == 300:
            p95 = pct(r.painted, 0.95)
            print(f"goal: click to paint under 150 ms at 300 tables -> p95 {ms(p95)}, "
                  f"p50 {ms(statistics.median(r.painted))}: "
                  f"{'MET' if p95 < 150 else 'NOT MET'}")
    print(f"everything, start-up and clean-up included: {time.monotonic() - began:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
