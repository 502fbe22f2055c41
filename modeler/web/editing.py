"""Every design edit goes through :func:`apply_edit`.

    lock the design row → snapshot → check the element's version (optimistic locking)
    → new = change(old) (pure) → structural validation → rule gate (no new BLOCK on the
    element) → write only the changed rows → record the activity

Anything wrong raises :class:`Refused` (shown as 422 with the reasons) or :class:`Conflict`
(409: somebody saved the element since the form was loaded) and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from modeler.rules import Config
from modeler.schema import model as m
from modeler.schema import serialize, validate
from modeler.web import models as db
from modeler.web import ruling
from modeler.web.selectors import ROW_MODELS
from modeler.web.snapshot import CacheKey, snapshot, written
from modeler.web.store import SyncResult, sync

VERSIONED = ROW_MODELS  # element kind → its row model (the rows carry a version)


class Refused(Exception):
    """The edit breaks a rule or the snapshot's structure; nothing was saved."""

    def __init__(self, reasons: list[str], findings: tuple[Any, ...] = ()) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons
        self.findings = findings


class Conflict(Exception):
    """The element changed since the user loaded it (optimistic locking)."""

    def __init__(self, message: str, current: Any = None) -> None:
        super().__init__(message)
        self.current = current


@dataclass
class EditOutcome:
    old: m.Schema
    new: m.Schema
    sync: SyncResult
    activity: db.Activity | None
    findings: tuple[Any, ...] = field(default_factory=tuple)
    # the user's undo/redo state after the edit when it is known without a query
    # (``undo.record`` pushed a step), else None
    undo: dict[str, str | None] | None = None


def element_json(schema: m.Schema, uid: str | None, *, tables_only: bool = False) -> Any:
    """The element ``uid`` of ``schema`` as JSON (None when absent) for the activity log.
    ``tables_only``: ``uid`` is known to be a table's or a column's, if anything (the
    elements of every other kind are not looked through: at 1,000 tables, building that
    index of a snapshot cost a few ms per edit)."""
    if not uid:
        return None
    found = _table_or_column(schema, uid) if tables_only else schema.locate(uid)
    if found is None or found.kind == "extension":
        return None
    if isinstance(t := found.element, m.Table):
        return serialize.encode(m.Table(uid=t.uid, name=t.name, namespace=t.namespace,
                                        comment=t.comment, kind=t.kind,
                                        delete_strategy=t.delete_strategy,
                                        columns=t.columns))
    return serialize.encode(found.element)


def _table_or_column(schema: m.Schema, uid: str) -> m.Located | None:
    """:meth:`m.Schema.locate` of a table or a column (None for any other uid)."""
    try:
        table = schema.table(uid)
        return m.Located("table", table, table)
    except KeyError:
        pass
    try:
        return m.Located("column", schema.column(uid), schema.table_of_column(uid))
    except KeyError:
        return None


def activity_json(old: m.Schema, new: m.Schema, uid: str | None) -> tuple[Any, Any]:
    """:func:`element_json` of ``uid`` before and after an edit. A table or a column on
    either side is one on the other too, or absent (uids are never reused for another
    kind): the other side is then not looked through for elements of every kind."""
    if not uid:
        return None, None
    if _table_or_column(new, uid) is not None or _table_or_column(old, uid) is not None:
        return (element_json(old, uid, tables_only=True),
                element_json(new, uid, tables_only=True))
    return element_json(old, uid), element_json(new, uid)


def gate(old: m.Schema, new: m.Schema, target_uid: str | None,
         project: db.Project, config: Config | None = None) -> tuple[Any, ...]:
    """New BLOCK findings on the edited element (empty: the edit may be saved)."""
    return ruling.element_gate(old, new, target_uid, project, config)


def check_version(design: db.Design, kind: str, uid: str, expected: int | None) -> None:
    if expected is None:
        # An update without the version it was made from would skip the check: refused.
        raise Conflict(f"reload: the form had no version, so this {kind} was not changed "
                       "(reload the page and make the change again).")
    model = VERSIONED[kind]
    current = model.objects.filter(design=design, uid=uid).values_list("version",
                                                                       flat=True).first()
    if current is None:
        raise Conflict(f"This {kind} was deleted since this form was loaded (by someone "
                       "else, or in another tab or window).")
    if current != expected:
        raise Conflict(f"This {kind} was changed since this form was loaded (by someone "
                       f"else, or in another tab or window; version {current}, your "
                       f"form had {expected}). Review the current state and try again.",
                       current)


def apply_edit(*, design: db.Design, actor: User | None, action: str,
               summary: str, target_uid: str | None,
               change: Callable[[m.Schema], m.Schema],
               expect: tuple[str, str, int | None] | None = None,
               log: bool = True, gated: bool = True,
               known: tuple[m.Schema, int] | None = None,
               accepted: Callable[[m.Schema], None] | None = None,
               config: Config | None = None) -> EditOutcome:
    """Apply ``change`` to the design atomically; see the module docstring.
    ``accepted(new)`` runs once the edit has passed every check, before the rows are
    written (the editor starts drawing the new diagram there). ``config``: the project's
    rule configuration (:func:`ruling.config_for`) when the caller has read it (the editor
    lints the result with it too: one read per edit)."""
    with transaction.atomic():
        locked = db.Design.objects.select_for_update().get(pk=design.pk)
        if db.Design.project.is_cached(design) and design.project_id == locked.project_id:
            locked.project = design.project  # the caller's: not read again for the gate
        if expect is not None:
            check_version(locked, *expect)
        # Reuse the caller's snapshot when nothing was written since it was read.
        old = known[0] if known is not None and known[1] == locked.revision else \
            snapshot(locked)
        try:
            new = change(old)
        except (ValueError, KeyError) as exc:
            raise Refused([str(exc).strip("'\"")]) from exc
        found = validate.problems(new)
        if found:
            raise Refused(found)
        findings = gate(old, new, target_uid, locked.project, config) if gated else ()
        if findings:
            raise Refused([getattr(f, "message", str(f)) for f in findings], findings)
        if accepted is not None:
            accepted(new)
        result = sync(locked, old, new, validated=True)
        activity = None
        if result.empty:
            design.revision = locked.revision
            return EditOutcome(old=old, new=new, sync=result, activity=activity)
        # the write bumped the revision: one read of the new stamp serves the activity, the
        # snapshot cache (the next read of this revision needs no element query) and the caller
        stamp = written(locked, new, result.stamp,
                        before=(CacheKey(locked.pk, locked.revision, locked.updated_at), old))
        undone = None
        if log:
            before, after = activity_json(old, new, target_uid)
            activity = db.Activity.objects.create(
                project=locked.project, design=locked, actor=actor, action=action,
                summary=summary[:300], target_uid=target_uid or "",
                before=before, after=after,
                design_revision=stamp.revision)
            from modeler.web import undo  # the user's undo stack (undo imports this module)
            undone = undo.record(locked, actor, activity, old, new)
        design.revision = stamp.revision
        return EditOutcome(old=old, new=new, sync=result, activity=activity, undo=undone)
