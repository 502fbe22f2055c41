"""Django side of the diagram: view preferences, caching, stored positions, downloads.

The drawing itself is pure (``modeler.diagram``); this module adapts Django's cache to the
renderer's cache protocol and stores layout positions on the design's tables.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Iterable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import Any, cast

from django.conf import settings as django_settings
from django.contrib.auth.models import AnonymousUser, User
from django.core.cache import cache

from modeler import diagram
from modeler.diagram import patch
from modeler.diagram.layout import PIN_SHARE, plan, provisional_positions
from modeler.diagram.options import DETAILS, DIRECTIONS, Badge, Detail, Status, ViewOptions
from modeler.rules import Finding
from modeler.schema import model as m
from modeler.web import diagram_token, ruling, selectors
from modeler.web import models as db
from modeler.web.selectors import row_version

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
    out: dict[str, int] = {}
    for f in findings:
        if not f.waived and f.target.table_uid:
            out[f.target.table_uid] = out.get(f.target.table_uid, 0) + 1
    return out


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
              findings: tuple[Finding, ...], since: str | None = None) -> Future[str]:
    """:func:`svg_for` started on a worker thread (``settings.DIAGRAM_THREADS``), so that
    Graphviz runs while the request writes rows and renders its template. Everything that
    reads the database (the user's view, ``findings``) happens here, on the caller's
    thread: the worker only draws. ``since``: as for :func:`svg_for`."""
    if not schema.tables:
        empty: Future[str] = Future()
        empty.set_result(EMPTY_SVG)
        return empty
    options = view_options(prefs_for(user, project), schema,
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


def static_svg(schema: m.Schema, *, status: Mapping[str, Status] | None = None) -> str:
    """A standalone SVG of ``schema`` (version pages, the export bundle): stored positions
    when every table has one, a fresh layout otherwise."""
    if not schema.tables:
        return '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10"></svg>'
    options = ViewOptions(status=dict(status or {}))
    return _svg(schema, options)


def export(schema: m.Schema, options: ViewOptions, fmt: str) -> tuple[bytes, str]:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt}")
    # a download waits as long as any request; a command as long as Graphviz may take
    body = diagram.render_diagram(schema, options, fmt, cache=DjangoCache(),
                                  timeout=layout_budget())
    return body, FORMATS[fmt]


def _svg(schema: m.Schema, options: ViewOptions) -> str:
    """Sanitised SVG text (no script, no external reference) for inlining in a page, or a
    file (version pages, review, the bundle: no token, nothing to patch)."""
    return drawing(schema, options, tokened=False)


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
            tokened: bool = True) -> str:
    """The view as inline SVG text tagged with its token (``data-token``), or, when
    ``since`` names the manifest of a drawing the browser shows and few elements changed,
    a patch: ``<svg data-patch="<since>" data-token="<new>" data-remove="<ids>">`` holding
    the new top-level groups (``the second part of static/js/diagram.js`` swaps them in by id). A
    failed render is an SVG that says why (never an exception). ``tokened=False``: a plain
    drawing (no manifest kept)."""
    cache_ = DjangoCache()
    budget = request_budget() if tokened else layout_budget()
    try:
        drawn = plan(schema, options, cache=cache_, timeout=budget)
        if not tokened:
            body = diagram.render_job(drawn.job(), "svg", cache=cache_, timeout=budget)
            return body.decode("utf-8")
        found = patch.manifest(drawn)
        token = patch.token(found)
        cache_.set(MANIFEST_PREFIX + token, patch.dumps(found))
        since = clean_token(since)
        old = patch.loads(cache_.get(MANIFEST_PREFIX + since)) if since else None
        changes = patch.changes(old, found) if old is not None else None
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


def _patch(drawn: patch.Drawing, changes: patch.Changes, since: str, token: str,
           cache_: DjangoCache, budget: float) -> str:
    removed = " ".join(sorted(changes.removed))
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" data-patch="{since}" '
             f'data-token="{token}" data-remove="{removed}" width="0" height="0">']
    if changes.changed:
        body = diagram.render_job(patch.patch_job(drawn, changes.changed), "svg",
                                  cache=cache_, timeout=budget).decode("utf-8")
        found = patch.groups(body)
        missing = [i for i in changes.changed if i not in found]
        if missing:
            raise diagram.RenderError(f"the patch lacks {len(missing)} element(s)")
        parts += [found[i] for i in sorted(changes.changed)]
    parts.append("</svg>")
    return "\n".join(parts)


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
