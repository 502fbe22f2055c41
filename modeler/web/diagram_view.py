"""View changes that need more than a re-render (issue 16, item 5).

Table positions belong to the design (every user sees the same layout), the direction to
one user's view. A pinned drawing ignores the direction, so a new direction chosen by
someone who may edit the design is applied by the user's "Re-layout" path at once (the
same edit, logged as ``diagram.relayout``; large designs: the background layout job).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from modeler.schema import model as m
from modeler.web import diagrams
from modeler.web.editing import Refused, apply_edit
from modeler.web.models import Design
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
