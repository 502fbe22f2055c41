"""Layouts of large designs in the background: one call, :func:`schedule_layout`.

A design that needs a fresh layout (an import without one, a design whose layout timed out)
and is too large to lay out within a request (``DIAGRAM_INLINE_LAYOUT_TABLES``) is laid out
here while the editor shows a provisional placement (:mod:`modeler.web.diagrams`). The
result is written as an ordinary edit (``apply_edit``, not logged, not gated): the design's
revision moves on, so every open editor's poller fetches the laid-out drawing.

The job is a task of the tasks framework (:func:`modeler.web.tasks.layout_design`, issue
#18), run by the task worker; at most one per design at a time, across processes: a cache
key marks it (shared by the web processes when ``CACHE_URL`` is Redis; it expires after the
budget and two minutes, should its worker die). Budget: ``DIAGRAM_LAYOUT_BUDGET`` seconds
(default 120) for the whole fresh layout, falling back to ``sfdp`` and then to a grid as
:func:`modeler.diagram.layout.fallback_positions` does; it never fails the design.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import replace
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache

from modeler import diagram
from modeler.schema import model as m
from modeler.web import models as db

if TYPE_CHECKING:
    from django.contrib.auth.models import User

log = logging.getLogger(__name__)

_SCHEDULED: set[int] = set()  # designs this process asked to lay out (for wait())
_LOCK = threading.Lock()


def layout_budget() -> float:
    """Seconds a background layout may take (``DIAGRAM_LAYOUT_BUDGET``)."""
    return float(getattr(settings, "DIAGRAM_LAYOUT_BUDGET", 120.0))


def _key(design_pk: int) -> str:
    return f"layout-running:{design_pk}"


def schedule_layout(design: db.Design, *, relayout: bool = False,
                    actor: User | None = None) -> bool:
    """Lay out ``design`` in the background; False when a layout of it is running already
    (or the task queue cannot take it: logged; the next view asks again).
    ``relayout``: every table afresh (else only when most tables have no position);
    ``actor``: the user who asked (the activity log names them; none: not logged)."""
    from modeler.web import tasks

    if not cache.add(_key(design.pk), 1, timeout=int(layout_budget()) + 120):
        return False
    with _LOCK:
        _SCHEDULED.add(design.pk)
    try:
        tasks.layout_design.enqueue(design.pk, relayout, getattr(actor, "pk", None))
    except Exception:
        cache.delete(_key(design.pk))
        log.warning("could not queue the layout of design %s", design.pk, exc_info=True)
        return False
    return True


def wait(timeout: float | None = None) -> None:
    """Wait until the layouts this process scheduled are done (tests)."""
    end = time.monotonic() + (timeout if timeout is not None else 3600)
    while time.monotonic() < end:
        with _LOCK:
            pending = [pk for pk in _SCHEDULED if running(pk)]
            _SCHEDULED.intersection_update(pending)
        if not pending:
            return
        time.sleep(0.1)


def running(design_pk: int) -> bool:
    """Whether a layout of this design is queued or running."""
    return cache.get(_key(design_pk)) is not None


def task_body(design_pk: int, relayout: bool, actor_pk: int | None) -> None:
    """The layout task: lay out, free the design's mark whatever happens, then draw the
    laid-out drawing into the render store (a new layout may be asked for meanwhile)."""
    laid_out = False
    try:
        laid_out = run_layout(design_pk, relayout=relayout, actor_pk=actor_pk)
    except Exception:
        log.warning("background layout of design %s failed", design_pk, exc_info=True)
    finally:
        cache.delete(_key(design_pk))
    if laid_out:
        _precompute(design_pk)


def run_layout(design_pk: int, *, relayout: bool = False, actor_pk: int | None = None) -> bool:
    """Lay out the design now and store the positions; False when there was nothing to
    do (every table placed and no ``relayout``) or the design is gone. With ``actor_pk``
    the layout goes to the activity log as that user's re-layout."""
    from django.contrib.auth import get_user_model

    from modeler.web import diagrams
    from modeler.web.editing import apply_edit
    from modeler.web.snapshot import snapshot

    design = db.Design.objects.filter(pk=design_pk).first()
    if design is None:
        return False
    schema = snapshot(design)
    if not schema.tables or (not relayout and all(t.position for t in schema.tables)):
        return False
    options = diagrams.view_options(diagrams.DEFAULT_PREFS, schema)
    fresh = relayout or not any(t.position for t in schema.tables)
    placed = diagram.layout(schema, options, relayout=fresh, cache=diagrams.DjangoCache(),
                            timeout=layout_budget())

    def change(current: m.Schema) -> m.Schema:
        # Tables placed meanwhile (a drag, a new table placed by an edit) keep their place
        # unless this is a re-layout; tables added meanwhile are placed by the next view.
        return replace(current, tables=tuple(
            replace(t, position=placed[t.uid])
            if t.uid in placed and (relayout or t.position is None) else t
            for t in current.tables))

    actor = get_user_model().objects.filter(pk=actor_pk).first() if actor_pk else None
    apply_edit(design=design, actor=actor,
               action="diagram.relayout" if actor else "diagram.layout",
               summary="re-laid out the diagram" if actor else "laid out the diagram",
               target_uid=None, change=change, log=actor is not None, gated=False)
    return True


def _precompute(design_pk: int) -> None:
    """The laid-out drawing into the render store (:func:`diagram_view.precompute`), so the
    editors waiting for it read bytes; a failure only costs their requests the drawing."""
    from django.conf import settings
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    from modeler.web import diagram_view

    if (isinstance(caches["default"], LocMemCache)
            and settings.MODELER_TASKS_BACKEND != "immediate"):
        return  # a worker process's own memory: no web process would read the drawing
    try:
        diagram_view.precompute(design_pk)
    except Exception:
        log.warning("drawing design %s after its layout failed", design_pk, exc_info=True)
