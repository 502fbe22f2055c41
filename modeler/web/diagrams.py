"""Django side of the diagram: view preferences, caching, stored positions, downloads.

The drawing itself is pure (``modeler.diagram``); this module adapts Django's cache to the
renderer's cache protocol and stores layout positions on the design's tables.
"""

from __future__ import annotations

import json
import logging
import math
import re
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import TYPE_CHECKING, Any, cast

from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache

from modeler import diagram
from modeler.diagram import patch
from modeler.diagram.build import build_graph
from modeler.diagram.geometry import Size, parse_layout
from modeler.diagram.graph import Node
from modeler.diagram.layout import (
    PIN_SHARE,
    SIZES_PREFIX,
    _digest,
    plan,
    provisional_positions,
    size_keys,
)
from modeler.diagram.options import DETAILS, DIRECTIONS, Badge, Detail, Status, ViewOptions
from modeler.diagram.render import (
    DiagramCache,
    cache_get_many,
    cache_set_many,
    render_with_layout,
)
from modeler.schema import model as m
from modeler.web import diagram_token, selectors
from modeler.web import models as db
from modeler.web.selectors import row_version
from modeler.wording import counted

if TYPE_CHECKING:
    from modeler.rules import Finding

# Issue #17: the rules (modeler.rules, about 0.08 s of imports) are loaded by the functions
# that set a view's badges, not with this module: the export's drawing (static_svg, on its
# thread while the bundle is written) and a command's render have no badges to set

__all__ = ["row_version"]  # the forms' row versions moved to the selectors; kept here too

# "auto" detail: every column up to this many in the design, keys only above (a design of
# 500 tables of 10 columns shows everything; an import of 700 tables of 19 columns does not
# start as an 8 MB drawing). The user's explicit choice always wins.
AUTO_KEYS_COLUMNS = 6000
DETAIL_CHOICES = ("auto", *DETAILS)
DEFAULT_PREFS: dict[str, Any] = {"detail": "auto", "direction": "LR", "focus": "", "depth": 1,
                                 "area": "", "labels": False}
EMPTY_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 100" id="empty">'
             '<text x="200" y="55" text-anchor="middle" fill="#6b7785">'
             'Add a table to start the diagram.</text></svg>')
# One drag moves a table at most this far (points), and no table is placed farther than
# MAX_POSITION from the origin: Graphviz draws a 350-metre-wide page but nothing useful.
MAX_DRAG = 1e6
MAX_POSITION = 1e6
log = logging.getLogger(__name__)
FORMATS = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf",
           "dot": "text/vnd.graphviz; charset=utf-8"}


class DjangoCache:
    """The renderer's cache protocol on Django's cache (Redis when CACHE_URL is set)."""

    prefix = "diagram:"

    def get(self, key: str) -> bytes | None:
        value = cache.get(self.prefix + key)
        return value if isinstance(value, bytes) else None

    def set(self, key: str, value: bytes) -> None:
        cache.set(self.prefix + key, value, timeout=24 * 3600)

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        """One round trip for many keys (node sizes), as ``BatchCache`` asks."""
        found = cache.get_many([self.prefix + k for k in keys])
        n = len(self.prefix)
        return {k[n:]: v for k, v in found.items() if isinstance(v, bytes)}

    def set_many(self, items: Mapping[str, bytes]) -> None:
        cache.set_many({self.prefix + k: v for k, v in items.items()}, timeout=24 * 3600)


def prefs_for(user: User | AnonymousUser, project: db.Project) -> dict[str, Any]:
    if not user.is_authenticated:
        return dict(DEFAULT_PREFS)
    stored = (db.ViewPrefs.objects.filter(project=project, user=user)
              .values_list("options", flat=True).first()) or {}
    return {**DEFAULT_PREFS, **stored}


def clean_prefs(data: Mapping[str, Any], schema: m.Schema) -> dict[str, Any]:
    """Validated view options from a form; ValueError says what is wrong."""
    detail = data.get("detail", "auto")
    direction = data.get("direction", "LR")
    if detail not in DETAIL_CHOICES:
        raise ValueError(f"detail must be one of {', '.join(DETAIL_CHOICES)}")
    if direction not in DIRECTIONS:
        raise ValueError(f"direction must be one of {', '.join(DIRECTIONS)}")
    focus = data.get("focus") or ""
    if focus and not any(t.uid == focus for t in schema.tables):
        raise ValueError("focus names no table of this design")
    try:
        depth = int(data.get("depth") or 1)
    except ValueError as exc:
        raise ValueError("depth must be a whole number") from exc
    if not 0 <= depth <= 6:
        raise ValueError("depth must be between 0 and 6")
    area = data.get("area") or ""
    if area and area not in subject_areas(schema):
        raise ValueError("area names no subject area of this design")
    labels = data.get("labels", False)
    if labels not in (True, False, "", "0", "1", "on"):
        raise ValueError("labels must be on or off")
    return {"detail": detail, "direction": direction, "focus": focus, "depth": depth,
            "area": area, "labels": labels in (True, "1", "on")}


def subject_areas(schema: m.Schema) -> set[str]:
    return {t.subject_area for t in schema.tables if t.subject_area}


def current_prefs(prefs: Mapping[str, Any], schema: m.Schema) -> dict[str, Any]:
    """Stored view options without what the design no longer has (a focus table deleted, a
    subject area renamed since the view was saved)."""
    out = dict(prefs)
    if out.get("focus") and not any(t.uid == out["focus"] for t in schema.tables):
        out["focus"] = ""
    if out.get("area") and out["area"] not in subject_areas(schema):
        out["area"] = ""
    return out


def view_options(prefs: Mapping[str, Any], schema: m.Schema, *,
                 highlight: str | None = None, badges: Mapping[str, Badge] | None = None,
                 **extra: Any) -> ViewOptions:
    focus = prefs.get("focus") or None
    if focus and not any(t.uid == focus for t in schema.tables):
        focus = None
    return ViewOptions(detail=resolved_detail(prefs.get("detail", "auto"), schema),
                       direction=prefs.get("direction", "LR"),
                       focus=focus, depth=int(prefs.get("depth", 1)),
                       subject_areas=(prefs["area"],) if prefs.get("area") else (),
                       highlight=frozenset({highlight}) if highlight else frozenset(),
                       badges=dict(badges or {}),
                       # relationship names drawn on the edges only when asked (else the
                       # edge's tooltip)
                       edge_labels=bool(prefs.get("labels")),
                       **extra)


def finding_counts(findings: tuple[Finding, ...]) -> dict[str, int]:
    """table uid → number of its unwaived findings (the count on its diagram badge)."""
    from modeler.web import ruling

    return dict(ruling.badges(findings)[1])


def resolved_detail(detail: str, schema: m.Schema) -> Detail:
    """The detail a view draws: ``auto`` becomes ``all``, or ``keys`` past
    :data:`AUTO_KEYS_COLUMNS` columns."""
    if detail != "auto":
        return cast(Detail, detail)  # one of DETAILS: clean_prefs let no other through
    columns = sum(len(t.columns) for t in schema.tables)
    return "keys" if columns > AUTO_KEYS_COLUMNS else "all"


def options_from_query(query: Mapping[str, Any], schema: m.Schema,
                       prefs: Mapping[str, Any]) -> ViewOptions:
    """Download options: the user's view, overridden by ?detail=&direction=&focus=&depth=."""
    asked = {k: query[k] for k in ("detail", "direction", "focus", "depth", "area", "labels")
             if k in query}
    merged = {**current_prefs(prefs, schema), **asked}
    return view_options(clean_prefs(merged, schema), schema)


def svg_for(schema: m.Schema, project: db.Project, user: User | AnonymousUser,
            design: db.Design, *, can_store: bool = False, highlight: str | None = None,
            findings: tuple[Finding, ...] | None = None, since: str | None = None) -> str:
    """The editor's SVG for this user's view (cached by the DOT's hash). ``findings``: the
    design's lint results when the caller has them already (they set the badges).
    ``since``: the token of the drawing the browser shows (default: the request's
    ``X-Diagram-Token``, :mod:`modeler.web.diagram_token`): the answer is then a patch of
    what changed since (:func:`drawing`), when it can be.

    Never waits on Graphviz longer than :func:`request_budget` per pass, and never raises
    for a drawing problem: a design without a layout yet gets a provisional placement
    (and, for an editor, the real layout on a background job), a failed render a message."""
    if not schema.tables:
        return EMPTY_SVG
    since = since if since is not None else diagram_token.current()
    prefs = prefs_for(user, project)
    notice = ""
    if not all(t.position for t in schema.tables):
        schema, notice = _placed(schema, design, view_options(prefs, schema), can_store)
    from modeler.web import ruling

    if findings is None:  # positions do not change findings
        findings = selectors.design_findings(design, schema)
    options = view_options(prefs, schema, highlight=highlight,
                           badges=ruling.worst_levels(findings),
                           badge_counts=finding_counts(findings))
    return notice + drawing(schema, options, since=None if notice else since)


PROVISIONAL = ('<p class="diagram-notice" role="status" data-provisional="1" style="position:'
               'absolute;top:6px;left:6px;right:6px;margin:0;padding:4px 8px;z-index:1;'
               'background:#fff8e1;border:1px solid #f0c36d;font-size:13px">{}</p>')
WAITING = ("Provisional placement (tables in a grid by subject area): the layout of this "
           "design is being computed and replaces it when done.")


def _placed(schema: m.Schema, design: db.Design, options: ViewOptions,
            can_store: bool) -> tuple[m.Schema, str]:
    """``schema`` with a position for every table, and a notice ("" when they are real).

    Tables added to a laid-out design are placed next to their neighbours right away (one
    measuring pass at most). A design that needs a fresh layout gets it in the request when
    small (:func:`inline_layout_tables`, within the budget, falling back to a faster
    engine); otherwise, and for viewers, a provisional grid by subject area is drawn (not
    stored) while an editor's view starts the layout on the background job."""
    from modeler.web import layoutjobs, services

    placed_share = sum(1 for t in schema.tables if t.position) / len(schema.tables)
    small = len(schema.tables) <= inline_layout_tables()
    if can_store and (small or placed_share >= PIN_SHARE):
        # laid out from ``schema`` (maybe stale), stored on what the design holds now: only
        # tables still without a place get one, a concurrent edit is kept
        placed = ensure_positions(schema, options)
        stored = services.design_positions_fill(
            design=design, positions={t.uid: t.position for t in placed.tables
                                      if t.position is not None})
        return stored, ""
    provisional = _with_positions(schema, provisional_positions(schema,
                                                                               options))
    if can_store:
        layoutjobs.schedule_layout(design)
        text = WAITING
    else:
        text = ("Provisional placement (tables in a grid by subject area): this design "
                "has no layout yet; it gets one when an editor opens it.")
    return provisional, PROVISIONAL.format(text)


_POOL = ThreadPoolExecutor(max_workers=2, thread_name_prefix="diagram")


def svg_later(schema: m.Schema, project: db.Project, user: User | AnonymousUser,
              findings: tuple[Finding, ...], since: str | None = None,
              prefs: Mapping[str, Any] | None = None) -> Future[str]:
    """:func:`svg_for` started on a worker thread (``settings.DIAGRAM_THREADS``), so that
    Graphviz runs while the request writes rows and renders its template. Everything that
    reads the database (the user's view, ``findings``) happens here, on the caller's
    thread: the worker only draws. ``since``: as for :func:`svg_for`. ``prefs``: the user's
    view as :func:`prefs_for` gave it to the caller (else read)."""
    if not schema.tables:
        empty: Future[str] = Future()
        empty.set_result(EMPTY_SVG)
        return empty
    from modeler.web import ruling

    options = view_options(prefs if prefs is not None else prefs_for(user, project), schema,
                           badges=ruling.worst_levels(findings),
                           badge_counts=finding_counts(findings))
    since = since if since is not None else diagram_token.current()
    notice = ""
    if (not all(t.position for t in schema.tables)
            and len(schema.tables) > inline_layout_tables()):
        # an edit of a large design still waiting for its layout (the editor's view started
        # it): the provisional placement again, never a layout in the edit's request
        schema = _with_positions(schema, provisional_positions(schema, options))
        notice, since = PROVISIONAL.format(WAITING), None
    if django_settings.DIAGRAM_THREADS:
        return _POOL.submit(_noticed, notice, schema, options, since)
    done: Future[str] = Future()
    done.set_result(_noticed(notice, schema, options, since))
    return done


def _noticed(notice: str, schema: m.Schema, options: ViewOptions, since: str | None) -> str:
    return notice + drawing(schema, options, since=since)


def static_svg(schema: m.Schema, *, status: Mapping[str, Status] | None = None,
               cache: DiagramCache | None = None) -> str:
    """A standalone SVG of ``schema`` (version pages, the export bundle): stored positions
    when every table has one, a fresh layout otherwise. ``cache``: where renders are looked
    up and kept (default: Django's cache; a command passes
    :class:`~modeler.web.rendercache.CommandCache`, whose whole renders outlive the
    process)."""
    if not schema.tables:
        return '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"></svg>'
    options = ViewOptions(status=dict(status or {}))
    return _svg(schema, options, cache)


def export(schema: m.Schema, options: ViewOptions, fmt: str) -> tuple[bytes, str]:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt}")
    # a download waits as long as any request; a command as long as Graphviz may take
    body = diagram.render_diagram(schema, options, fmt, cache=DjangoCache(),
                                  timeout=layout_budget())
    return body, FORMATS[fmt]


def _svg(schema: m.Schema, options: ViewOptions, cache: DiagramCache | None = None) -> str:
    """Sanitised SVG text (no script, no external reference) for inlining in a page, or a
    file (version pages, review, the bundle: no token, nothing to patch)."""
    return drawing(schema, options, tokened=False, cache=cache)


TOKEN = re.compile(r"[0-9a-f]{16}")
MANIFEST_PREFIX = "manifest:"


def request_budget() -> float:
    """Seconds a request waits on one Graphviz pass at most (``DIAGRAM_REQUEST_BUDGET``,
    never more than ``GRAPHVIZ_TIMEOUT``)."""
    return float(min(django_settings.GRAPHVIZ_TIMEOUT,
                     getattr(django_settings, "DIAGRAM_REQUEST_BUDGET", 10.0)))


def layout_budget() -> float:
    """Seconds one layout or render may take here: :func:`request_budget` in a web
    request, ``GRAPHVIZ_TIMEOUT`` elsewhere (commands, import jobs on their thread)."""
    if diagram_token.in_request():
        return request_budget()
    return float(django_settings.GRAPHVIZ_TIMEOUT)


def inline_layout_tables() -> int:
    """Designs up to this many tables are laid out in the request that first shows them
    (``DIAGRAM_INLINE_LAYOUT_TABLES``); larger ones on the background job."""
    return int(getattr(django_settings, "DIAGRAM_INLINE_LAYOUT_TABLES", 150))


def clean_token(raw: str | None) -> str | None:
    """A drawing token from the browser, or None when it is not one."""
    return raw if raw and TOKEN.fullmatch(raw) else None


def drawing(schema: m.Schema, options: ViewOptions, *, since: str | None = None,
            tokened: bool = True, cache: DiagramCache | None = None) -> str:
    """The view as inline SVG text tagged with its token (``data-token``), or, when
    ``since`` names the manifest of a drawing the browser shows and few elements changed,
    a patch: ``<svg data-patch="<since>" data-token="<new>" data-remove="<ids>">`` holding
    the new top-level groups (``the second part of static/js/diagram.js`` swaps them in by id). A
    failed render is an SVG that says why (never an exception). ``tokened=False``: a plain
    drawing (no manifest kept).

    A patch runs Graphviz once: the sizes of the tables whose label changed (measured by
    a pass of their own otherwise) are guessed (:func:`_speculate`) and checked against the
    sizes the patch's own render measures; a wrong guess costs the second pass. ``cache``:
    for a plain drawing, as :func:`static_svg`'s (default: Django's cache)."""
    cache_ = DjangoCache()
    budget = request_budget() if tokened else layout_budget()
    try:
        if not tokened:
            store = cache if cache is not None else cache_
            drawn = plan(schema, options, cache=store, timeout=budget)
            body = diagram.render_job(drawn.job(), "svg", cache=store, timeout=budget)
            return body.decode("utf-8")
        since = clean_token(since)
        old = patch.loads(cache_.get(MANIFEST_PREFIX + since)) if since else None
        spec = _speculate(schema, options, cache_, guess=old is not None)
        drawn, found, token, changes = _planned(schema, options, spec or cache_, budget, old)
        if spec is not None and spec.guessed:
            text = None
            if since and changes is not None and changes.changed:
                text = _patch_measured(drawn, changes, since, token, spec, budget)
            if text is not None:
                cache_.set(MANIFEST_PREFIX + token, patch.dumps(found))
                return text
            # a wrong guess (the measured sizes are known now), or no patch: plan again
            drawn, found, token, changes = _planned(schema, options, spec.settled(), budget,
                                                    old)
        cache_.set(MANIFEST_PREFIX + token, patch.dumps(found))
        if since and changes is not None:
            try:
                return _patch(drawn, changes, since, token, cache_, budget)
            except diagram.RenderError:
                log.warning("diagram patch failed; sending the whole drawing", exc_info=True)
        body = diagram.render_job(drawn.job(), "svg", cache=cache_, timeout=budget)
    except (diagram.RenderError, ValueError) as exc:
        return failed_svg(exc)
    text = body.decode("utf-8")
    return text.replace("<svg ", f'<svg data-token="{token}" ', 1)


def _planned(schema: m.Schema, options: ViewOptions, cache_: DiagramCache, budget: float,
             old: dict[str, str] | None,
             ) -> tuple[patch.Drawing, dict[str, str], str, patch.Changes | None]:
    """The drawing's plan, its manifest and token, and its changes since ``old``."""
    drawn = plan(schema, options, cache=cache_, timeout=budget)
    found = patch.manifest(drawn)
    return (drawn, found, patch.token(found),
            patch.changes(old, found) if old is not None else None)


def _patch(drawn: patch.Drawing, changes: patch.Changes, since: str, token: str,
           cache_: DjangoCache, budget: float) -> str:
    body = ""
    if changes.changed:
        body = diagram.render_job(patch.patch_job(drawn, changes.changed), "svg",
                                  cache=cache_, timeout=budget).decode("utf-8")
    return _patched(body, changes, since, token)


def _patched(body: str, changes: patch.Changes, since: str, token: str) -> str:
    """The patch answer: the groups of ``changes.changed`` cut out of ``body`` (a render
    of :func:`~modeler.diagram.patch.patch_job`)."""
    removed = " ".join(sorted(changes.removed))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" data-patch="{since}" '
             f'data-token="{token}" data-remove="{removed}" width="0" height="0">']
    if changes.changed:
        found = patch.groups(body)
        missing = [i for i in changes.changed if i not in found]
        if missing:
            raise diagram.RenderError(f"the patch lacks {counted(len(missing), 'element')}")
        parts += [found[i] for i in sorted(changes.changed)]
    parts.append("</svg>")
    return "\n".join(parts)


# ------------------------------------------------------------------ guessed node sizes

# One more shown column adds this many points to a table's height (a row of Graphviz's
# HTML table at the nodes' font size and cell padding); a guess, always checked.
ROW_HEIGHT = 17
MAX_GUESSES = 4  # tables whose size is guessed in one drawing at most
# Node id → (shown columns, hidden-columns row, its size, the cached bytes it was read from
# or None) of the tables drawn by this process: the base of a guess when a table's label
# changes. Bounded (emptied).
_SEEN: dict[str, tuple[int, bool, Size, bytes | None]] = {}
_SEEN_LIMIT = 50_000
# Cached node sizes read by this process, by cache key: a size is a pure function of the
# key (the node's label and defaults, hashed), so it is read from the cache once.
_SIZES: dict[str, bytes] = {}


class _Speculative:
    """The drawing's cache with guessed sizes for the nodes whose size is not cached (so
    that :func:`~modeler.diagram.layout.plan` measures nothing) and the node sizes already
    read; the guesses, and the size lists of views made with them, are never written."""

    def __init__(self, cache_: DjangoCache, known: dict[str, bytes],
                 guessed: dict[str, Size], keys: dict[str, str], whole: str,
                 nodes: Iterable[Node] = ()) -> None:
        self.cache = cache_
        self.nodes = {keys[n.id]: n for n in nodes}  # size key → node
        self.known = dict(known)
        self.guessed = guessed  # node id → guessed size
        self.keys = keys  # node id → its size's cache key
        self.fake = {keys[i]: _size_bytes(size) for i, size in guessed.items()}
        self.whole = whole  # the key of the view's size list

    def _whole(self) -> bytes | None:
        """The view's size list (JSON ``[[w, h], ...]`` in node order) when every size is
        known or guessed: the plan reads it at once."""
        parts = [self.fake.get(k) or self.known.get(k) for k in self.keys.values()]
        return None if any(p is None for p in parts) else (
            b"[" + b",".join(p for p in parts if p is not None) + b"]")

    def _kept(self, key: str) -> bool:
        return key not in self.fake and not (self.fake and key.startswith(SIZES_PREFIX))

    def get(self, key: str) -> bytes | None:
        if key == self.whole:
            return self._whole()
        hit = self.fake.get(key) or self.known.get(key)
        return hit if hit is not None else self.cache.get(key)

    def set(self, key: str, value: bytes) -> None:
        if self._kept(key):
            self.cache.set(key, value)

    def get_many(self, keys: Iterable[str]) -> dict[str, bytes]:
        out: dict[str, bytes] = {}
        rest = []
        for k in keys:
            hit = self.fake.get(k) or self.known.get(k)
            if hit is not None:
                out[k] = hit
            else:
                rest.append(k)
        if rest:
            out.update(self.cache.get_many(rest))
        return out

    def set_many(self, items: Mapping[str, bytes]) -> None:
        self.store({k: v for k, v in items.items() if self._kept(k)})

    def settled(self) -> _Speculative:
        """This cache without the guesses (with what was measured since)."""
        return _Speculative(self.cache, self.known, {}, self.keys, self.whole,
                            self.nodes.values())

    def store(self, items: Mapping[str, bytes]) -> None:
        """Write ``items`` (measured sizes among them: noted for the next guesses)."""
        cache_set_many(self.cache, items)
        for k, v in items.items():
            if (n := self.nodes.get(k)) is not None:
                _seen(n, v)
                _SIZES[k] = self.known[k] = v


def _seen(n: Node, raw: bytes) -> None:
    """Note the size of node ``n`` (cached JSON ``[w, h]``) in :data:`_SEEN` (every table's,
    at every edit: what is noted already is not read again)."""
    ports, hidden = len(n.ports), bool(n.hidden_columns)
    prev = _SEEN.get(n.id)
    if prev is not None and prev[3] == raw and prev[0] == ports and prev[1] == hidden:
        return
    try:
        w, h = json.loads(raw)
        _SEEN[n.id] = (ports, hidden, (float(w), float(h)), raw)
    except (ValueError, TypeError):
        pass


def _size_bytes(size: Size) -> bytes:
    """A size as the measuring pass caches it."""
    return json.dumps([size[0], size[1]]).encode()


def _graphviz_points(points: float) -> float:
    """A length as Graphviz's layout data gives it back (inches, five significant digits)."""
    return float(f"{points / 72:.5g}") * 72


def _speculate(schema: m.Schema, options: ViewOptions, cache_: DjangoCache, *,
               guess: bool) -> _Speculative | None:
    """The cache to plan a drawing with: the cached node sizes read once (and noted in
    :data:`_SEEN`), and with ``guess`` a guess for each table whose label changed since
    this process drew it (its height changes by :data:`ROW_HEIGHT` per shown column, its
    width not). None when the view is not a pinned drawing of stored positions, or every
    size is cached."""
    if options.focus is not None or options.layout != "auto" or not schema.tables or not all(
            t.position for t in schema.tables):
        return None
    graph = build_graph(schema, options)
    keys = size_keys(graph.nodes)
    whole = SIZES_PREFIX + _digest(keys.values())
    if (listed := cache_.get(whole)) is not None:
        # every size known (the view's list, as the measuring pass reads it)
        try:
            sizes = [(float(w), float(h)) for w, h in json.loads(listed)]
        except (ValueError, TypeError):
            return None
        if len(_SEEN) > _SEEN_LIMIT:
            _SEEN.clear()
        for n, size in zip(graph.nodes, sizes, strict=False):
            _SEEN[n.id] = (len(n.ports), bool(n.hidden_columns), size, None)
        return None
    if len(_SIZES) > _SEEN_LIMIT:
        _SIZES.clear()
    known = {k: raw for k in keys.values() if (raw := _SIZES.get(k)) is not None}
    if len(known) < len(keys):
        more = cache_get_many(cache_, [k for k in keys.values() if k not in known])
        known.update(more)
        _SIZES.update(more)
    missing = []
    if len(_SEEN) > _SEEN_LIMIT:
        _SEEN.clear()
    for n in graph.nodes:
        raw = known.get(keys[n.id])
        if raw is None:
            missing.append(n)
        else:
            _seen(n, raw)
    guessed: dict[str, Size] = {}
    if guess and len(missing) <= MAX_GUESSES:
        for n in missing:
            seen = _SEEN.get(n.id)
            if seen is None or seen[1] != bool(n.hidden_columns):
                guessed.clear()
                break
            w, h = seen[2]
            guessed[n.id] = (_graphviz_points(round(w)), _graphviz_points(
                round(h) + ROW_HEIGHT * (len(n.ports) - seen[0])))
    return _Speculative(cache_, known, guessed, keys, whole, graph.nodes)


def _patch_measured(drawn: patch.Drawing, changes: patch.Changes, since: str, token: str,
                    spec: _Speculative, budget: float) -> str | None:
    """:func:`_patch` of a drawing planned with guessed sizes, in one Graphviz run that
    also measures them (and caches what it measured): None when a guess was wrong (or
    the run failed, or its SVG was cached already: nothing measured)."""
    job = patch.patch_job(drawn, changes.changed)
    if spec.cache.get(job.key("svg")) is not None:
        return None
    try:
        layout_data, svg = render_with_layout(job, cache=spec.cache, timeout=budget)
        _, sizes = parse_layout(layout_data)
    except (diagram.RenderError, ValueError):
        log.warning("diagram patch with sizes failed; measuring apart", exc_info=True)
        return None
    measured = {i: sizes[i] for i in spec.guessed if i in sizes}
    found = {spec.keys[i]: _size_bytes(size) for i, size in measured.items()}
    spec.store(found)
    if measured != spec.guessed:
        return None
    try:
        return _patched(svg.decode("utf-8"), changes, since, token)
    except diagram.RenderError:
        return None


def failed_svg(exc: Exception) -> str:
    """An SVG that says the diagram could not be drawn, and why (escaped)."""
    from django.utils.html import escape

    return ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 900 60" id="error">'
            f'<text x="10" y="30" fill="#c0392b">Diagram failed: {escape(str(exc))}. '
            'Try a smaller view (detail, focus, area) or download the .dot file.'
            '</text></svg>')


# --------------------------------------------------------------------------- positions

def place_new_tables(schema: m.Schema) -> m.Schema:
    """Give tables without a position one near their neighbours, when the others are
    placed (so adding a table never moves the existing ones). When none is placed yet, a
    small design (:func:`inline_layout_tables`) gets its first layout here (stored with
    the edit: the drawings after it are pinned); a large one waits for the background
    job."""
    if not any(t.position for t in schema.tables):
        if schema.tables and len(schema.tables) <= inline_layout_tables():
            return relayout(schema)
        return schema
    placed = diagram.layout(schema, cache=DjangoCache(), timeout=layout_budget())
    return _with_positions(schema, placed)


def relayout(schema: m.Schema, options: ViewOptions | None = None, *,
             timeout: float | None = None) -> m.Schema:
    """Fresh layout of every table (the user's "Re-layout"), in the view's direction,
    within ``timeout`` (default :func:`layout_budget`): the engine for the size, ``sfdp``
    when that does not finish, a grid when nothing does (never an error)."""
    budget = layout_budget() if timeout is None else timeout
    return _with_positions(schema, diagram.layout(schema, options, relayout=True,
                                                  cache=DjangoCache(), timeout=budget))


def ensure_positions(schema: m.Schema, options: ViewOptions | None = None, *,
                     timeout: float | None = None) -> m.Schema:
    """Positions for every table: fresh layout when none is placed, else place new ones
    (within ``timeout``, default :func:`layout_budget`; never an error)."""
    if all(t.position for t in schema.tables):
        return schema
    if not any(t.position for t in schema.tables):
        return relayout(schema, options, timeout=timeout)
    return place_new_tables(schema)


def move(schema: m.Schema, table_uid: str, dx: float, dy: float) -> m.Schema:
    """Apply a drag (SVG units, y down) to one table; the others keep their places.
    ValueError when the drag is no finite number or takes the table too far away."""
    if not (math.isfinite(dx) and math.isfinite(dy)) or max(abs(dx), abs(dy)) > MAX_DRAG:
        raise ValueError("A drag moves a table by finite amounts of at most "
                         f"{MAX_DRAG:,.0f} points.")
    schema = ensure_positions(schema)
    table = schema.table(table_uid)
    assert table.position is not None
    moved = diagram.moved(table.position, dx, dy)
    if max(abs(moved.x), abs(moved.y)) > MAX_POSITION:
        raise ValueError(f"That drag takes {table.name} too far from the other tables.")
    tables = tuple(replace(t, position=moved) if t.uid == table_uid else t
                   for t in schema.tables)
    return replace(schema, tables=tables)


def _with_positions(schema: m.Schema, positions: Mapping[str, m.Position]) -> m.Schema:
    if not positions:
        return schema
    return replace(schema, tables=tuple(
        replace(t, position=positions[t.uid]) if t.uid in positions else t
        for t in schema.tables))


# ------------------------------------------------------------------------------- misc

def describe_pattern(q: m.QueryPattern, names: Mapping[str, str]) -> str:
    parts = []
    if q.equality:
        parts.append(" AND ".join(f"{names.get(c, '?')} = ?" for c in q.equality))
    if q.range:
        parts.append(f"{names.get(q.range, '?')} in a range")
    if q.order_by:
        parts.append("ORDER BY " + ", ".join(names.get(o.column, "?") + (" DESC" if o.descending
                                                                          else "")
                                             for o in q.order_by))
    return "; ".join(parts)


# ----------------------------------------------------------------------------- review

def review_svg(schema: m.Schema, status: Mapping[str, Status],
               comments: Mapping[str, int]) -> str:
    """A proposal's review diagram: changed elements coloured by ``status`` (added, removed,
    changed, renamed) and unresolved comment threads as markers (uid → count)."""
    if not schema.tables:
        return '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"></svg>'
    return _svg(schema, ViewOptions(status=dict(status),
                                    comments=dict(comments)))
