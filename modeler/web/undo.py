"""Undo and redo of a user's own edits, as inverse changes through the write path.

Every logged edit (:func:`modeler.web.editing.apply_edit`) records an :class:`UndoStep` for
its author: the top-level elements it changed (tables, relationships, enums, domains, ...),
before and after, as partial snapshots. Undoing the step is a three-way merge
(:func:`modeler.diff.merge`) with the edit's *after* as the base, the current design as
"ours" and the edit's *before* as "theirs": the elements the edit touched go back to their
before-state field by field, and whatever changed since in other fields or other elements
stays. When someone else changed the same field (or deleted/changed an element the undo
would drop or restore), the merge reports a conflict and the undo is refused, naming the
later change from the activity log. The inverse is applied by ``apply_edit`` like any edit:
locked, validated, gated by the rules, logged (``edit.undo``/``edit.redo``) and seen by the
other browsers. Redo is the same merge the other way round.

The stacks are per user per design: a user's steps that are not undone are the undo stack
(newest on top), the undone ones the redo stack (a new edit deletes them). Only the newest
:data:`DEPTH` steps are kept. A drag of a table is a step like any other; drags of the same
table following each other within :data:`MOVES_MERGE_WITHIN` (nothing else logged between)
are one step, so one undo puts the table back where the first drag took it from.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q, Subquery

from modeler.diff import merge
from modeler.schema import model as m
from modeler.schema import serialize, validate
from modeler.web import models as db
from modeler.web.editing import EditOutcome, Refused, apply_edit

DEPTH = 100
COLLECTIONS = ("tables", "relationships", "enums", "domains", "extensions", "sequences",
               "raw_objects", "collations")
OWN_ACTIONS = ("edit.undo", "edit.redo")
MOVE = "table.move"  # a drag (modeler.web.views.elements.table_move)
MOVES_MERGE_WITHIN = timedelta(seconds=5)


class NothingTo(Refused):
    """The stack is empty."""


def touched(old: m.Schema, new: m.Schema) -> set[str]:
    """The uids of the top-level elements that differ between ``old`` and ``new``."""
    out: set[str] = set()
    for name in COLLECTIONS:
        a, b = getattr(old, name), getattr(new, name)
        if a is b or a == b:
            continue
        before = {x.uid: x for x in a}
        after = {x.uid: x for x in b}
        for uid in before.keys() | after.keys():
            x, y = before.get(uid), after.get(uid)
            if x is not y and x != y:
                out.add(uid)
    return out


def project(schema: m.Schema, uids: set[str]) -> m.Schema:
    """``schema`` with only the top-level elements in ``uids``."""
    kept: dict[str, Any] = {name: tuple(x for x in getattr(schema, name) if x.uid in uids)
                            for name in COLLECTIONS}
    return replace(schema, **kept)


def splice(current: m.Schema, uids: set[str], part: m.Schema) -> m.Schema:
    """``current`` with its elements in ``uids`` replaced by those of ``part``."""
    spliced: dict[str, Any] = {
        name: tuple(x for x in getattr(current, name) if x.uid not in uids)
        + tuple(getattr(part, name)) for name in COLLECTIONS}
    return m.normalized(replace(current, **spliced))


def record(design: db.Design, actor: Any, activity: db.Activity | None, old: m.Schema,
           new: m.Schema) -> dict[str, str | None] | None:
    """Push the edit ``old`` → ``new`` on ``actor``'s undo stack (called by ``apply_edit``
    inside its transaction). A new edit empties the redo stack. The stack's :func:`state`
    when a step was pushed (the edit's answer shows it without reading it back), else None."""
    if activity is None or not getattr(actor, "is_authenticated", False):
        return None
    if activity.action in OWN_ACTIONS:
        return None
    uids = touched(old, new)
    if not uids:
        return None
    mine = db.UndoStep.objects.filter(design=design, user=actor)
    if activity.action == MOVE and _merged_move(mine, activity, uids, new):
        return None
    # One statement makes room: the redo stack goes (a new edit empties it), and so do the
    # steps beyond the newest DEPTH - 1 that stay (the new one makes DEPTH). The subquery
    # is NULL while there are fewer, and "id <= NULL" holds for no row.
    kept = mine.filter(undone=False).order_by("-id").values("id")[DEPTH - 1:DEPTH]
    mine.filter(Q(undone=True) | Q(id__lte=Subquery(kept))).delete()
    db.UndoStep.objects.create(
        design=design, user=actor, activity=activity, action=activity.action,
        summary=activity.summary, uids=sorted(uids),
        before=serialize.to_dict(project(old, uids)), after=serialize.to_dict(project(new, uids)),
        design_revision=activity.design_revision)
    # the newest step is this one, and the redo stack went
    return {"undo": activity.summary, "redo": None}


def _merged_move(mine: Any, activity: db.Activity, uids: set[str], new: m.Schema) -> bool:
    """Whether the drag ``activity`` joined the user's newest step: a drag of the same table
    a moment ago, with nothing logged on the design between them (no undo, no edit by
    anyone). The step keeps its *before* and takes the drag's *after*."""
    top = mine.order_by("-id").select_related("activity").first()
    if (top is None or top.undone or top.action != MOVE or top.uids != sorted(uids)
            or top.activity is None
            or activity.created_at - top.activity.created_at > MOVES_MERGE_WITHIN
            or db.Activity.objects.filter(design_id=activity.design_id, id__gt=top.activity_id)
            .exclude(id=activity.id).exists()):
        return False
    top.after = serialize.to_dict(project(new, uids))
    top.activity = activity
    top.design_revision = activity.design_revision
    top.save(update_fields=["after", "activity", "design_revision"])
    return True


def state(design: db.Design, user: Any) -> dict[str, str | None]:
    """What the undo and redo buttons would do (the summaries), None when empty."""
    if not getattr(user, "is_authenticated", False):
        return {"undo": None, "redo": None}
    mine = db.UndoStep.objects.filter(design=design, user=user)
    top = mine.filter(undone=False).order_by("-id").values_list("summary", flat=True).first()
    redo = mine.filter(undone=True).order_by("id").values_list("summary", flat=True).first()
    return {"undo": top, "redo": redo}


def undo(design: db.Design, user: User) -> tuple[db.UndoStep, EditOutcome]:
    """Undo ``user``'s newest edit of ``design``; raises :class:`Refused` (nothing changed)
    when the stack is empty, when someone changed the same elements since, or when the rules
    refuse the result."""
    return _step(design, user, backwards=True)


def redo(design: db.Design, user: User) -> tuple[db.UndoStep, EditOutcome]:
    """Redo ``user``'s most recently undone edit (see :func:`undo`)."""
    return _step(design, user, backwards=False)


def _step(design: db.Design, user: User,
          backwards: bool) -> tuple[db.UndoStep, EditOutcome]:
    with transaction.atomic():
        # the design row lock (taken again by apply_edit) serialises undo with every edit
        db.Design.objects.select_for_update().get(pk=design.pk)
        mine = db.UndoStep.objects.select_for_update().filter(design=design, user=user,
                                                              undone=not backwards)
        step = mine.order_by("-id" if backwards else "id").first()
        if step is None:
            raise NothingTo(["Nothing to undo." if backwards else "Nothing to redo."])
        uids = set(step.uids)
        start, goal = (step.after, step.before) if backwards else (step.before, step.after)
        verb = "undo" if backwards else "redo"

        def change(current: m.Schema) -> m.Schema:
            base = replace(serialize.from_dict(start), settings=current.settings,
                           name=current.name)
            theirs = replace(serialize.from_dict(goal), settings=current.settings,
                             name=current.name)
            ours = _ignore_moves(project(current, uids), base, theirs)
            result = merge(base, ours, theirs)
            conflicts = [c for c in result.conflicts if c.kind != "dangling"]
            if conflicts:
                raise Refused([_overwrite_message(design, user, step, verb,
                                                  conflicts[0].uid, _where(conflicts[0]))])
            out = splice(current, uids, result.schema)
            problems = validate.problems(out)
            if problems:
                raise Refused([_overwrite_message(design, user, step, verb, None, None),
                               *problems])
            return out

        outcome = apply_edit(design=design, actor=user, action=f"edit.{verb}",
                             summary=f"{verb} of: {step.summary}", target_uid=None,
                             change=change)
        step.undone = backwards
        step.save(update_fields=["undone"])
        return step, outcome


def _ignore_moves(ours: m.Schema, base: m.Schema, theirs: m.Schema) -> m.Schema:
    """A table the step would remove keeps no conflict for having been dragged since (by
    anyone): its position counts as unchanged, the table goes. A drag still conflicts with
    an undo that would put the same table somewhere else (undoing a drag or a re-layout
    over someone's later drag of it): that undo is refused, naming the drag."""
    keep = {t.uid for t in theirs.tables}
    was = {t.uid: t.position for t in base.tables}
    return replace(ours, tables=tuple(
        replace(t, position=was[t.uid]) if t.uid in was and t.uid not in keep else t
        for t in ours.tables))


_BRACKETS = re.compile(r"\[([^\]]*)\]")


def _where(conflict: Any) -> str:
    """``schema.tables[book].columns[title]`` + field ``type`` → ``book.title (type)``."""
    names = _BRACKETS.findall(conflict.path) or [conflict.path]
    text = ".".join(names)
    if conflict.field == "position":
        return f"{text} (its place on the diagram)"
    return f"{text} ({conflict.field})" if conflict.field else text


def _overwrite_message(design: db.Design, user: User, step: db.UndoStep,
                       verb: str, uid: str | None, where: str | None) -> str:
    later = (db.Activity.objects.filter(design=design, design_revision__gt=step.design_revision)
             .exclude(action__in=OWN_ACTIONS).select_related("actor").order_by("-id"))
    others = later.exclude(actor=user)
    hit = None
    if uid:
        hit = others.filter(target_uid=uid).first() or later.filter(target_uid=uid).first()
    if hit is None:
        hit = others.filter(target_uid__in=step.uids).first() or others.first()
    what = where or "the same elements"
    head = f"Not done: {verb} of \"{step.summary}\" would overwrite a later change to {what}"
    if hit is None:
        return head + (" made since, which the activity log does not name (e.g. the automatic "
                       "placing of tables without a place). Nothing was changed.")
    who = hit.actor.get_username() if hit.actor is not None else "a deleted user"
    when = hit.created_at.strftime("%Y-%m-%d %H:%M UTC")
    return f"{head}: {who} {hit.summary} ({when}). Nothing was changed."
