"""Re-draw the 6-table bookstore of issue 16 in the visual style of dbdiagram.io, drawDB and
ChartDB, for docs/comparison.md.

These are NOT screenshots of those tools (none was fetched, none is copied): each picture is
a page this script writes, styled after what the tool's public documentation or source says
about its canvas (see STYLE_SOURCES, printed in docs/comparison.md), then photographed with
Playwright on Debian's Chromium. The design is the one our own screenshots show
(tests/diagram/bookstore.py, as in tests/browser/test_diagram_enjoy.py), with the same
placement of the tables in all three pictures.

Run from the repository root (a docs generator: no test runs it)::

    .venv/bin/python scripts/peer_styles.py            # docs/screenshots/peer-*.png
    .venv/bin/python scripts/peer_styles.py --html /tmp/peers   # also keep the pages
"""

from __future__ import annotations

import argparse
import html
import itertools
import math
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

OUT = ROOT / "docs" / "screenshots"
WIDTH, HEIGHT = 1200, 760  # the pictures' size (CSS pixels, device scale 1)

# Where each tool's look was read (cited in docs/comparison.md).
STYLE_SOURCES = {
    "dbdiagram": [
        "https://dbml.dbdiagram.io/syntax/enrichment-visualization/ (headercolor, "
        "TableGroup colour, notes on hover)",
        "https://docs.dbdiagram.io/relationship-color/ (a line takes its parent table's "
        "header colour)",
        "https://docs.dbdiagram.io/relationships (relationships dragged field to field)",
    ],
    "drawdb": [
        "github.com/drawdb-io/drawdb src/components/EditorCanvas/Table.jsx (card, colour "
        "strip, header, field rows)",
        "src/components/EditorCanvas/Relationship.jsx and src/utils/calcPath.js (grey "
        "2 px lines with rounded corners, cardinality at 28 px from the ends)",
        "src/data/constants.js (sizes, default colour #175e7a), "
        "src/components/EditorCanvas/Canvas.jsx (dot grid)",
    ],
    "chartdb": [
        "github.com/chartdb/chartdb src/pages/editor-page/canvas/table-node/table-node.tsx "
        "and table-node-field.tsx (card, colour strip, header, 32 px rows, key icon)",
        "src/pages/editor-page/canvas/relationship-edge/relationship-edge.tsx (smooth-step "
        "edges, radius 14, slate-400) and marker-definitions.tsx (1 / N end markers)",
        "src/lib/colors.ts (table colours)",
    ],
}


# ------------------------------------------------------------------------------ the design

@dataclass
class Col:
    name: str
    type: str
    pk: bool
    fk: bool
    nullable: bool
    unique: bool


@dataclass
class Card:
    name: str
    area: str
    cols: list[Col]
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    h: float = 0.0

    def index(self, column: str) -> int:
        return next(i for i, c in enumerate(self.cols) if c.name == column)


@dataclass
class Ref:
    child: str
    child_col: str
    parent: str
    parent_col: str
    identifying: bool  # the FK column is part of the child's key
    optional: bool


def design() -> tuple[dict[str, Card], list[Ref]]:
    """The bookstore as cards and references (FK names are not drawn by any of them)."""
    from tests.diagram.bookstore import bookstore

    s = bookstore()
    fk_cols = {c for r in s.relationships for c in r.child_columns}
    cards: dict[str, Card] = {}
    for t in s.tables:
        single_uniques = {u.columns[0] for u in t.uniques if len(u.columns) == 1}
        cards[t.name] = Card(t.name, t.subject_area, [
            Col(c.name, c.type.short(s), c.in_pk, c.uid in fk_cols, c.nullable,
                c.uid in single_uniques) for c in t.columns])
    refs = []
    for r in s.relationships:
        child, parent = s.table(r.child_table), s.table(r.parent_table)
        col = s.column(r.child_columns[0])
        refs.append(Ref(child.name, col.name, parent.name,
                        s.column(r.parent_columns[0]).name, col.in_pk, r.optional))
    return cards, refs


# Where the tables go (column, row): sales on top, the catalogue below, each reference
# between neighbours; the same for the three pictures.
PLACES = {"customer": (0, 0), "orders": (1, 0), "order_line": (2, 0),
          "author": (0, 1), "book_author": (1, 1), "book": (2, 1)}


# ------------------------------------------------------------------------------ geometry

Point = tuple[float, float]


def route(a: Card, ay: float, b: Card, by: float, loop: float = 30.0) -> list[Point]:
    """An orthogonal route from a row of ``a`` to a row of ``b``: out of the facing sides,
    the vertical leg in the middle of the gap; cards in one column are joined round
    their right sides."""
    if a.x + a.w <= b.x:
        start, end = (a.x + a.w, ay), (b.x, by)
        mid = (start[0] + end[0]) / 2
    elif b.x + b.w <= a.x:
        start, end = (a.x, ay), (b.x + b.w, by)
        mid = (start[0] + end[0]) / 2
    else:
        start, end = (a.x + a.w, ay), (b.x + b.w, by)
        mid = max(start[0], end[0]) + loop
    return [start, (mid, ay), (mid, by), end]


def rounded(points: list[Point], radius: float) -> str:
    """SVG path through ``points`` with the corners rounded (at most half a leg)."""
    d = [f"M {points[0][0]:.1f} {points[0][1]:.1f}"]
    for i in range(1, len(points) - 1):
        (x0, y0), (x1, y1), (x2, y2) = points[i - 1], points[i], points[i + 1]
        l1, l2 = math.dist((x0, y0), (x1, y1)), math.dist((x1, y1), (x2, y2))
        r = min(radius, l1 / 2, l2 / 2)
        if r < 0.5:
            d.append(f"L {x1:.1f} {y1:.1f}")
            continue
        ax, ay = x1 + (x0 - x1) * r / l1, y1 + (y0 - y1) * r / l1
        bx, by = x1 + (x2 - x1) * r / l2, y1 + (y2 - y1) * r / l2
        d.append(f"L {ax:.1f} {ay:.1f} Q {x1:.1f} {y1:.1f} {bx:.1f} {by:.1f}")
    d.append(f"L {points[-1][0]:.1f} {points[-1][1]:.1f}")
    return " ".join(d)


def along(points: list[Point], distance: float) -> Point:
    """The point ``distance`` along the polyline from its start."""
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        leg = math.dist((x0, y0), (x1, y1))
        if distance <= leg and leg > 0:
            f = distance / leg
            return x0 + (x1 - x0) * f, y0 + (y1 - y0) * f
        distance -= leg
    return points[-1]


def place(cards: dict[str, Card], width: float, height_of: Callable[[Card], float],
          top: float = 0.0) -> None:
    """Size the cards and put them on a 3 × 2 grid, centred in the picture."""
    for c in cards.values():
        c.w, c.h = width, height_of(c)
    gap_x = (WIDTH - 3 * width) / 4
    rows = [max(c.h for n, c in cards.items() if PLACES[n][1] == r) for r in (0, 1)]
    gap_y = 90.0
    y0 = top + max(30.0, (HEIGHT - top - sum(rows) - gap_y) / 2)
    for name, c in cards.items():
        col, row = PLACES[name]
        c.x = gap_x + col * (width + gap_x)
        c.y = y0 + (0 if row == 0 else rows[0] + gap_y)


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def cards_html(cards: dict[str, Card], head: Callable[[Card], str],
               row: Callable[[Col], str]) -> list[str]:
    """Each card at its place: ``head(card)`` (strip and header) above a ``row(column)``
    per field."""
    return [f'<div class="card" style="left:{c.x}px;top:{c.y}px;width:{c.w}px;'
            f'height:{c.h}px">{head(c)}{"".join(row(col) for col in c.cols)}</div>'
            for c in cards.values()]


def ref_route(cards: dict[str, Card], r: Ref, top: float, row: float,
              loop: float = 30.0) -> list[Point]:
    """The route of a reference from the child's FK row to the parent's key row; ``top``:
    how far below a card's top edge its first row starts."""
    a, b = cards[r.child], cards[r.parent]
    ay = a.y + top + row * a.index(r.child_col) + row / 2
    by = b.y + top + row * b.index(r.parent_col) + row / 2
    return route(a, ay, b, by, loop)


KEY_ICON = ('<svg class="key" viewBox="0 0 16 16" width="13" height="13" aria-label="key">'
            '<circle cx="5" cy="8" r="3.2" fill="none" stroke="currentColor" '
            'stroke-width="1.7"/><path d="M8 8h6.5M12 8v2.6M14.3 8v2" fill="none" '
            'stroke="currentColor" stroke-width="1.7"/></svg>')


@dataclass
class Picture:
    """One re-drawing: the page's CSS, the cards' HTML, the edges' SVG."""

    tool: str
    title: str
    read: str  # what the style was read from: "documentation" or "source code"
    css: str
    background: str = ""
    cards: list[str] = field(default_factory=list)
    under: list[str] = field(default_factory=list)  # drawn below the cards
    defs: str = ""

    def page(self) -> str:
        note = (f"Re-drawn in {self.title}'s style from its public {self.read} by "
                "scripts/peer_styles.py: not a screenshot of " + self.title)
        return f"""<!doctype html><html><head><meta charset="utf-8"><style>
html, body {{ margin: 0; width: {WIDTH}px; height: {HEIGHT}px; overflow: hidden; }}
body {{ position: relative; font-family: "DejaVu Sans", "Liberation Sans", Arial,
       sans-serif; }}
.card {{ position: absolute; box-sizing: border-box; }}
.edges {{ position: absolute; left: 0; top: 0; }}
.note {{ position: absolute; right: 10px; bottom: 8px; font: 11px sans-serif; color: #555;
        background: rgba(255,255,255,.85); padding: 2px 6px; border-radius: 3px; }}
{self.css}
</style></head><body>
{self.background}
<svg class="edges" width="{WIDTH}" height="{HEIGHT}"><defs>{self.defs}</defs>
{''.join(self.under)}</svg>
{''.join(self.cards)}
<div class="note">{esc(note)}</div>
</body></html>"""


# ------------------------------------------------------------------------------ dbdiagram

def dbdiagram(cards: dict[str, Card], refs: list[Ref]) -> Picture:
    """White cards under a coloured header (DBML ``headercolor``), a row per field with its
    type on the right; TableGroups as tinted boxes; each line in its parent's header colour,
    from field row to field row, 1 and * at its ends."""
    header, row = 34.0, 30.0
    place(cards, 230, lambda c: header + row * len(c.cols), top=10)
    colours = {"sales": "#1f6f8b", "catalog": "#6a4c93"}  # headercolor, one per group
    tints = {"sales": "rgba(31,111,139,.07)", "catalog": "rgba(106,76,147,.07)"}
    pic = Picture("dbdiagram", "dbdiagram.io", "documentation", css=f"""
body {{ background: #f4f5f7; }}
.group {{ position: absolute; border-radius: 6px; }}
.group b {{ position: absolute; left: 10px; top: 6px; font-size: 13px; }}
.card {{ background: #fff; border-radius: 4px; overflow: hidden;
         box-shadow: 0 1px 3px rgba(0,0,0,.18); font-size: 13px; color: #2b2b2b; }}
.card .h {{ height: {header}px; line-height: {header}px; color: #fff; font-weight: bold;
            padding: 0 10px; }}
.card .r {{ height: {row}px; display: flex; align-items: center; padding: 0 10px;
            border-top: 1px solid #eceef1; box-sizing: border-box; }}
.card .r .n {{ flex: 1; display: flex; gap: 5px; align-items: center; }}
.card .r .t {{ color: #8a8f98; }}
.card .r.pk .n {{ font-weight: bold; }}
.key {{ color: #c9a227; }}
.lab {{ font-size: 12px; font-weight: bold; }}
""")
    for area in ("sales", "catalog"):
        members = [c for c in cards.values() if c.area == area]
        x0 = min(c.x for c in members) - 18
        y0 = min(c.y for c in members) - 32
        x1 = max(c.x + c.w for c in members) + 18
        y1 = max(c.y + c.h for c in members) + 18
        pic.background += (
            f'<div class="group" style="left:{x0}px;top:{y0}px;width:{x1 - x0}px;'
            f'height:{y1 - y0}px;background:{tints[area]};border:1px solid '
            f'{colours[area]}55"><b style="color:{colours[area]}">{esc(area)}</b></div>')
    pic.cards = cards_html(
        cards, lambda c: f'<div class="h" style="background:{colours[c.area]}">'
                         f'{esc(c.name)}</div>',
        lambda col: f'<div class="r{" pk" if col.pk else ""}"><span class="n">'
                    f'{KEY_ICON if col.pk else ""}{esc(col.name)}</span>'
                    f'<span class="t">{esc(col.type)}</span></div>')
    for r in refs:
        pts = ref_route(cards, r, header, row)
        colour = colours[cards[r.parent].area]
        pic.under.append(f'<path d="{rounded(pts, 8)}" fill="none" stroke="{colour}" '
                         f'stroke-width="1.6"/>')
        for (x, y), text in ((pts[0], "*"), (pts[-1], "1")):
            dx = 9 if x == pts[1][0] or x < pts[1][0] else -9
            pic.under.append(f'<text class="lab" x="{x + dx:.1f}" y="{y - 5:.1f}" '
                             f'fill="{colour}" text-anchor="middle">{text}</text>')
    return pic


# ------------------------------------------------------------------------------ drawDB

def drawdb(cards: dict[str, Card], refs: list[Ref]) -> Picture:
    """drawDB's light theme: a dot grid on white; zinc cards 220 px wide with a 10 px colour
    strip (default #175e7a), a 40 px bold header and 36 px field rows (a blue grip dot, the
    name; a key for the key, ? when nullable, the type in grey); grey 2 px lines with
    rounded corners under the cards, 1 and n near their ends."""
    strip, header, row = 10.0, 40.0, 36.0
    place(cards, 220, lambda c: strip + header + row * len(c.cols) + 4)
    pic = Picture("drawdb", "drawDB", "source code", css=f"""
body {{ background-color: #fff;
        background-image: radial-gradient(circle at 4px 4px, rgb(99,152,191) 0.85px,
                                          transparent 1.1px);
        background-size: 24px 24px; }}
.card {{ border: 2px solid #71717a; border-radius: 8px; background: #f4f4f5; color: #27272a;
         overflow: hidden; font-size: 14px; filter: drop-shadow(0 6px 6px rgba(0,0,0,.12)); }}
.card .s {{ height: {strip}px; }}
.card .h {{ height: {header}px; line-height: {header}px; background: #e4e4e7;
            font-weight: bold; padding: 0 12px; border-bottom: 1px solid #9ca3af; }}
.card .r {{ height: {row}px; display: flex; align-items: center; padding: 0 8px;
            gap: 8px; border-bottom: 1px solid #9ca3af; box-sizing: border-box; }}
.card .r:last-child {{ border-bottom: 0; }}
.card .r .g {{ width: 10px; height: 10px; border-radius: 50%; background: #2f68adcc;
               flex: none; }}
.card .r .n {{ flex: 1; white-space: nowrap; overflow: hidden; }}
.card .r .t {{ color: #a1a1aa; display: flex; gap: 4px; align-items: center; }}
.lab {{ font-size: 13px; }}
""")
    pic.cards = cards_html(
        cards, lambda c: f'<div class="s" style="background:#175e7a"></div>'
                         f'<div class="h">{esc(c.name)}</div>',
        lambda col: f'<div class="r"><span class="g"></span><span class="n">'
                    f'{esc(col.name)}</span><span class="t">{KEY_ICON if col.pk else ""}'
                    f'{"?" if col.nullable else ""}<span>{esc(col.type)}</span></span></div>')
    for r in refs:
        pts = ref_route(cards, r, strip + header + 2, row)  # 2: the card's border
        pic.under.append(f'<path d="{rounded(pts, 10)}" fill="none" stroke="gray" '
                         f'stroke-width="2"/>')
        for (x, y), text in ((along(pts, 28), "n"), (along(pts[::-1], 28), "1")):
            pic.under.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="9" fill="#fff" stroke="gray" '
                f'stroke-width="1.5"/><text class="lab" x="{x:.1f}" y="{y + 4.5:.1f}" '
                f'text-anchor="middle" fill="#333">{text}</text>')
    return pic


# ------------------------------------------------------------------------------ ChartDB

CHARTDB_COLOURS = {"customer": "#ff6b8a", "orders": "#8a61f5", "order_line": "#42e0c0",
                   "author": "#ff9f74", "book_author": "#8eb7ff", "book": "#4dee8a"}


def chartdb(cards: dict[str, Card], refs: list[Ref]) -> Picture:
    """ChartDB's light canvas: slate cards with a 2 px border, an 8 px strip in the table's
    colour, a 36 px slate-200 header (table icon, bold name), 32 px field rows (name; key
    icon and type, muted, on the right; key and unique names semibold); smooth-step edges
    (slate-400, 2 px, radius 14) between the nearest sides of the two field rows, a 1 / N
    disc at each end."""
    strip, header, row = 8.0, 36.0, 32.0
    place(cards, 224, lambda c: strip + header + row * len(c.cols) + 4)
    disc = ('<marker id="m-{n}" viewBox="0 0 16 16" markerWidth="16" markerHeight="16" '
            'refX="{rx}" refY="8" markerUnits="userSpaceOnUse"><circle cx="8" cy="8" r="6" '
            'fill="#64748b" stroke="#f8fafc" stroke-width="1.5"/><text x="7.9" y="8.4" '
            'font-size="6" font-weight="600" text-anchor="middle" dominant-baseline="middle" '
            'fill="#f1f5f9">{t}</text></marker>')
    pic = Picture("chartdb", "ChartDB", "source code", css=f"""
body {{ background-color: #fff;
        background-image: radial-gradient(circle, #cbd5e1 1px, transparent 1.2px);
        background-size: 20px 20px; }}
.card {{ border: 2px solid #64748b; border-radius: 8px; background: #f8fafc; color: #0f172a;
         box-shadow: 0 1px 2px rgba(0,0,0,.08); overflow: hidden; font-size: 14px; }}
.card .s {{ height: {strip}px; }}
.card .h {{ height: {header}px; display: flex; align-items: center; gap: 8px;
            padding: 0 8px; background: #e2e8f0; font-weight: bold; }}
.card .h svg {{ color: #4b5563; }}
.card .r {{ height: {row}px; display: flex; align-items: center; padding: 0 12px;
            border-top: 1px solid #e2e8f0; box-sizing: border-box; }}
.card .r .n {{ flex: 1; }}
.card .r.b .n {{ font-weight: 600; }}
.card .r .t {{ color: #64748b; display: flex; gap: 6px; align-items: center;
               font-size: 13px; }}
""")
    pic.defs = "".join(disc.format(n=f"{n}-{side}", rx=rx, t=t)
                       for n, t in (("one", "1"), ("many", "N"))
                       for side, rx in (("left", 15), ("right", 1)))
    table_icon = ('<svg viewBox="0 0 16 16" width="14" height="14"><rect x="1.5" y="2" '
                  'width="13" height="12" rx="2" fill="none" stroke="currentColor" '
                  'stroke-width="1.4"/><path d="M1.5 6.5h13M8 6.5V14" stroke="currentColor" '
                  'stroke-width="1.4"/></svg>')
    pic.cards = cards_html(
        cards, lambda c: f'<div class="s" style="background:{CHARTDB_COLOURS[c.name]}">'
                         f'</div><div class="h">{table_icon}{esc(c.name)}</div>',
        lambda col: f'<div class="r{" b" if col.pk or col.unique else ""}"><span class="n">'
                    f'{esc(col.name)}</span><span class="t">{KEY_ICON if col.pk else ""}'
                    f'<span>{esc(col.type)}</span></span></div>')
    for r in refs:
        pts = ref_route(cards, r, strip + header + 2, row, loop=28)  # 2: the border
        start_side = "right" if pts[1][0] > pts[0][0] else "left"
        end_side = "right" if pts[2][0] > pts[3][0] else "left"
        # each disc sits just outside its card, on the side the edge meets it
        pic.under.append(
            f'<path d="{rounded(pts, 14)}" fill="none" stroke="#94a3b8" stroke-width="2" '
            f'marker-start="url(#m-many-{start_side})" marker-end="url(#m-one-{end_side})"/>')
    return pic


# ------------------------------------------------------------------------------ output

STYLES: dict[str, Callable[[dict[str, Card], list[Ref]], Picture]] = {
    "dbdiagram": dbdiagram, "drawdb": drawdb, "chartdb": chartdb}


def chromium() -> str:
    from tests.browser.conftest import chromium_path

    return chromium_path()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--html", type=Path, help="also write the pages to this folder")
    parser.add_argument("--out", type=Path, default=OUT, help="where the PNGs go")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM_ARGS

    args.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS,
                                    headless=True)
        page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        for tool, draw in STYLES.items():
            cards, refs = design()
            text = draw(cards, refs).page()
            if args.html:
                args.html.mkdir(parents=True, exist_ok=True)
                (args.html / f"peer-{tool}.html").write_text(text, encoding="utf-8")
            page.set_content(text)
            target = args.out / f"peer-{tool}.png"
            page.screenshot(path=str(target))
            print(target.relative_to(ROOT) if target.is_relative_to(ROOT) else target)
        browser.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
