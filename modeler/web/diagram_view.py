"""View changes that need more than a re-render (issue 16, item 5), and the editor's
drawing as the views answer it (issue 17: :func:`editor_drawing`, :func:`placeholder`).

Table positions belong to the design (every user sees the same layout), the direction to
one user's view. A pinned drawing ignores the direction, so a new direction chosen by
someone who may edit the design is applied by the user's "Re-layout" path at once (the
same edit, logged as ``diagram.relayout``; large designs: the background layout job).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from django.contrib.auth.models import AnonymousUser, User
from django.template.loader import render_to_string
from django.utils.html import escape

from modeler.rules import Finding
from modeler.schema import model as m
from modeler.web import diagram_token, diagrams, rendercache, ruling, selectors
from modeler.web.editing import Refused, apply_edit
from modeler.web.models import Design, Project
from modeler.web.permissions import can


def follow_direction(user: Any, role: Any, design: Design, schema: m.Schema,
                     old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Re-lay out ``design`` in ``new``'s direction when it differs from ``old``'s and the
    user may edit; whether a layout was made or queued."""
    if (old.get("direction", "LR") == new.get("direction", "LR") or not schema.tables
            or not can(role, "edit")):
        return False
    if len(schema.tables) > diagrams.inline_layout_tables():
        from modeler.web import layoutjobs

        layoutjobs.schedule_layout(design, relayout=True, actor=user)
        return True
    try:
        apply_edit(design=design, actor=user, action="diagram.relayout",
                   summary=f"re-laid out the diagram ({new.get('direction')})",
                   target_uid=None,
                   change=lambda s: diagrams.relayout(s, diagrams.view_options(new, s)),
                   log=True, gated=False)
    except Refused:
        return False
    return True


# ------------------------------------------------------------ the editor's drawing (#17)

PARTIAL = "editor/editor.html#diagram"
log = logging.getLogger(__name__)
# Designs above this many tables get the editor page without the drawing: the page comes at
# once and its drawing (several MB) is fetched right after it (:func:`placeholder`).
SEPARATE_DRAWING_TABLES = 150


def separate_drawing(schema: m.Schema) -> bool:
    """Whether the editor page of ``schema`` loads its drawing after the page."""
    return len(schema.tables) > SEPARATE_DRAWING_TABLES


def placeholder(diagram_url: str, download_url: str, tables: int) -> str:
    """What the page shows where a large design's drawing goes: htmx fetches the drawing
    into ``#diagram`` as soon as the page is loaded (the diagram's refresh, as after a
    change: the editor's script prepares it when it arrives)."""
    return (f'<p class="diagram-loading" role="status" hx-get="{escape(diagram_url)}" '
            'hx-trigger="load" hx-target="#diagram" hx-swap="innerHTML">'
            f"Drawing the diagram of {tables:,} tables\u2026"
            f'<noscript> <a href="{escape(download_url)}">Open it as SVG</a></noscript></p>')


def drawing_key(design: Design, prefs: Mapping[str, Any], highlight: str | None,
                kind: str) -> str:
    """The render store's key of the design's drawing at ``design.revision`` for a view
    (``prefs``, ``highlight``), without reading the design's rows or linting it: the
    revision fixes the tables and their findings but for the project's rule levels, its
    baseline version (grandfathered findings) and the design's waivers, which are in the
    key (three small queries)."""
    from modeler.web import models as db

    baseline = (db.Version.objects.filter(project_id=design.project_id, baseline=True)
                .order_by("number").values_list("pk", flat=True).first())
    view = (sorted(prefs.items()), highlight, ruling.config_for(design.project_id).overrides,
            baseline, ruling.waivers_for(design))
    return rendercache.drawing_key(design.pk, design.revision, view, kind)


def stored_drawing(user: User | AnonymousUser, project: Project, design: Design, *,
                   can_store: bool, highlight: str | None = None) -> rendercache.Drawn | None:
    """The whole drawing of the design at ``design.revision`` for this user's view when the
    render store has it, found without reading the design's snapshot or linting it (a few
    small queries: a web process that has not read this large design yet answers at once);
    None otherwise (then :func:`editor_drawing`)."""
    from modeler.web.models import DbTable

    tables = DbTable.objects.filter(design=design)
    count = tables.count()
    if not count:
        return None
    placed = not tables.filter(pos_x__isnull=True).exists()
    if not placed and can_store and count <= diagrams.inline_layout_tables():
        return None  # the request that draws it lays it out first
    kind = "placed" if placed else "provisional-edit" if can_store else "provisional-view"
    found = rendercache.stored(drawing_key(design, diagrams.prefs_for(user, project),
                                           highlight, kind))
    if found is not None and not placed and can_store:
        from modeler.web import layoutjobs

        layoutjobs.schedule_layout(design)  # (a no-op while it runs)
    return found


def editor_drawing(user: User | AnonymousUser, project: Project, design: Design,
                   schema: m.Schema, *, can_store: bool, highlight: str | None = None,
                   findings: tuple[Finding, ...] | None = None,
                   since: str | None = None) -> rendercache.Drawn | str:
    """The diagram partial (``<div class="svg-host">``) of the design at ``design.revision``
    (``schema`` is the snapshot read at it) for this user's view: a whole drawing from the
    shared render store (:mod:`modeler.web.rendercache`: drawn once per revision and view,
    by one request at a time, or by the task worker after a layout), or the partial's HTML
    when it is not kept (a patch since the ``since`` token, default the request's
    ``X-Diagram-Token``; a small design placed by this request; a failed render: a message,
    drawn again next time). Never raises for a drawing problem (see ``diagrams.svg_for``)."""
    def partial(svg: str) -> str:
        return render_to_string(PARTIAL, {"svg": svg, "project": project, "design": design})

    placed = all(t.position for t in schema.tables)
    small = len(schema.tables) <= diagrams.inline_layout_tables()
    if not schema.tables or (not placed and can_store and small):
        # nothing to keep, or the request stores the first layout (the revision moves)
        return partial(diagrams.svg_for(schema, project, user, design, can_store=can_store,
                                        highlight=highlight, findings=findings, since=since))
    prefs = diagrams.prefs_for(user, project)
    kind = "placed" if placed else "provisional-edit" if can_store else "provisional-view"
    key = drawing_key(design, prefs, highlight, kind)
    since = diagrams.clean_token(diagram_token.current() if since is None else since)
    if since and placed:
        if rendercache.token_of(key) == since:  # the browser shows this drawing already
            return partial(rendercache.empty_patch(since))
        # the changes since the drawing the browser shows (kept too: every viewer of the
        # design shows the same drawing before an edit and asks for the same patch)
        key = drawing_key(design, prefs, highlight, f"{kind}:{since}")
    else:
        since = ""
    if not placed and can_store:
        from modeler.web import layoutjobs

        layoutjobs.schedule_layout(design)  # (a no-op while it runs: see svg_for)

    def draw() -> str | None:
        svg = diagrams.svg_for(schema, project, user, design, can_store=can_store,
                               highlight=highlight, findings=findings, since=since)
        return None if rendercache.failed(svg) else partial(svg)

    found = rendercache.single_flight(key, draw, wait=2 * diagrams.request_budget())
    if found is not None:
        return found
    return partial(diagrams.svg_for(schema, project, user, design, can_store=can_store,
                                    highlight=highlight, findings=findings, since=since))


PRECOMPUTED_VIEWS = 4  # the default view and up to three others the members saved


def precompute(design_pk: int) -> int:
    """Draw the laid-out drawing of the design as it is now into the render store, for the
    default view and the views its project's members saved (a few): the task worker calls
    it once a layout is stored, so that the editors and viewers of a large design read
    bytes instead of each drawing it. Graphviz may take ``GRAPHVIZ_TIMEOUT`` here (a
    request: its budget). How many drawings were made (0: not laid out, gone)."""
    from django.conf import settings

    from modeler import diagram as drawing_pkg
    from modeler.diagram.layout import plan
    from modeler.web import models as db
    from modeler.web.snapshot import snapshot_at

    design = Design.objects.select_related("project").filter(pk=design_pk).first()
    if design is None:
        return 0
    schema, design.revision = snapshot_at(design)
    if not schema.tables or not all(t.position for t in schema.tables):
        return 0
    findings = selectors.design_findings(design, schema)
    views = [dict(diagrams.DEFAULT_PREFS)]
    for saved in (db.ViewPrefs.objects.filter(project=design.project)
                  .values_list("options", flat=True)):
        prefs = {**diagrams.DEFAULT_PREFS, **(saved or {})}  # as ``prefs_for`` reads them
        if prefs not in views and len(views) < PRECOMPUTED_VIEWS:
            views.append(prefs)
    timeout = float(settings.GRAPHVIZ_TIMEOUT)
    made = 0
    for prefs in views:
        options = diagrams.view_options(prefs, schema, badges=ruling.worst_levels(findings),
                                        badge_counts=diagrams.finding_counts(findings))
        key = drawing_key(design, prefs, None, "placed")
        if rendercache.stored(key) is not None:
            continue

        def draw(options: Any = options) -> str | None:
            # Graphviz first with the worker's time (its output lands in the render cache
            # keyed by the DOT), then the editor's drawing, which reads it back
            cache_ = diagrams.DjangoCache()
            try:
                drawn = plan(schema, options, cache=cache_, timeout=timeout)
                drawing_pkg.render_job(drawn.job(), "svg", cache=cache_, timeout=timeout)
            except (drawing_pkg.RenderError, ValueError):
                return None
            svg = diagrams.drawing(schema, options)
            if rendercache.failed(svg):
                return None
            return render_to_string(PARTIAL, {"svg": svg, "project": design.project,
                                              "design": design})

        if rendercache.single_flight(key, draw, wait=timeout) is not None:
            made += 1
    return made


def predraw(user: User | AnonymousUser, project: Project, design: Design, schema: m.Schema,
            findings: tuple[Finding, ...], *, can_store: bool) -> bool:
    """Start drawing the page's drawing (whole, this user's view) into the render store on
    a drawing thread while the page is rendered and sent, unless it is kept already or
    being drawn: the page's request for it (right after the page) then waits for those
    bytes instead of starting from nothing. Everything that reads the database happens
    here; the thread only draws (``diagrams.svg_later``). Whether a drawing was started."""
    from django.conf import settings

    placed = all(t.position for t in schema.tables)
    if not schema.tables or not settings.DIAGRAM_THREADS or not (placed or can_store):
        return False
    key = drawing_key(design, diagrams.prefs_for(user, project), None,
                      "placed" if placed else "provisional-edit")
    if rendercache.stored(key) is not None or not rendercache.claim(key):
        return False
    future = diagrams.svg_later(schema, project, user, findings, since="")

    def done(_: Any) -> None:
        try:
            svg = future.result()
            if not rendercache.failed(svg):
                rendercache.store(key, render_to_string(
                    PARTIAL, {"svg": svg, "project": project, "design": design}))
        except Exception:
            log.warning("drawing design %s ahead of its page failed", design.pk,
                        exc_info=True)
        finally:
            rendercache.release(key)

    future.add_done_callback(done)
    return True
