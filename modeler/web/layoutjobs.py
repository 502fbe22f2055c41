"""Layouts of large designs in the background: one call, :func:`schedule_layout`.

A design that needs a fresh layout (an import without one, a design whose layout timed out)
and is too large to lay out within a request (``DIAGRAM_INLINE_LAYOUT_TABLES``) is laid out
here while the editor shows a provisional placement (:mod:`modeler.web.diagrams`). The
result is written as an ordinary edit (``apply_edit``, not logged, not gated): the design's
revision moves on, so every open editor's poller fetches the laid-out drawing.

For now a daemon thread of this process runs the job (at most one per design at a time);
the background-task helper can run :func:`run_layout` from a task instead, it takes only
the design's primary key. Budget: ``DIAGRAM_LAYOUT_BUDGET`` seconds (default 120) for the
whole fresh layout, falling back to ``sfdp`` and then to a grid as
:func:`modeler.diagram.layout.fallback_positions` does; it never fails the design.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import replace
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection

from modeler import diagram
from modeler.schema import model as m
from modeler.web import models as db

log = logging.getLogger(__name__)

_RUNNING: set[int] = set()
_LOCK = threading.Lock()
_THREADS: list[threading.Thread] = []


def layout_budget() -> float:
    """Seconds a background layout may take (``DIAGRAM_LAYOUT_BUDGET``)."""
    return float(getattr(settings, "DIAGRAM_LAYOUT_BUDGET", 120.0))


def schedule_layout(design: db.Design, *, relayout: bool = False,
                    actor: Any = None) -> bool:
    """Lay out ``design`` in the background; False when a layout of it is running already.
    ``relayout``: every table afresh (else only when most tables have no position);
    ``actor``: the user who asked (the activity log names them; none: not logged)."""
    with _LOCK:
        if design.pk in _RUNNING:
            return False
        _RUNNING.add(design.pk)
    actor_pk = getattr(actor, "pk", None)
    thread = threading.Thread(target=_thread, args=(design.pk, relayout, actor_pk),
                              daemon=True, name=f"layout-{design.pk}")
    with _LOCK:
        _THREADS[:] = [t for t in _THREADS if t.is_alive()]
        _THREADS.append(thread)
    thread.start()
    return True


def wait(timeout: float | None = None) -> None:
    """Wait for the running layout threads (tests, and a clean shutdown)."""
    with _LOCK:
        threads = list(_THREADS)
    for t in threads:
        t.join(timeout)


def running(design_pk: int) -> bool:
    """Whether a layout of this design is running in this process."""
    with _LOCK:
        return design_pk in _RUNNING


def _thread(design_pk: int, relayout: bool, actor_pk: int | None) -> None:
    close_old_connections()
    try:
        run_layout(design_pk, relayout=relayout, actor_pk=actor_pk)
    except Exception:
        log.warning("background layout of design %s failed", design_pk, exc_info=True)
    finally:
        with _LOCK:
            _RUNNING.discard(design_pk)
        connection.close()


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
