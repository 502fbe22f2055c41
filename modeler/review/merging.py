"""Merging a proposal into the main design, and rebasing a proposal onto it.

Both are three-way merges by stable uid: ``base`` is where the proposal started (its merge
base), ``ours`` the proposal's working design, ``theirs`` the main working design. When main
has not moved, the proposal simply replaces it; otherwise :func:`modeler.diff.merge` combines
non-overlapping changes and reports overlapping ones as conflicts. A conflict refuses the
merge (or rebase) with the list and writes nothing: the author edits the proposal (makes the
same change as main, or undoes theirs) and tries again. Nothing is lost either way.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from modeler.diff import diff
from modeler.review import analysis, selectors
from modeler.review.models import Proposal
from modeler.review.notifications import notification_send
from modeler.review.services import proposal_base_schema_set
from modeler.schema import model as m
from modeler.schema import serialize
from modeler.web import models as db
from modeler.web.editing import Refused, apply_edit
from modeler.web.snapshot import snapshot
from modeler.web.versions import latest_version, version_save
from modeler.wording import counted


class MergeRefused(Refused):
    """The proposal cannot be merged (or rebased) now; ``checks``/``conflicts`` say why."""

    def __init__(self, reasons: list[str], *, checks: tuple[Check, ...] = (),
                 conflicts: tuple[str, ...] = ()) -> None:
        super().__init__(reasons)
        self.checks = checks
        self.conflicts = conflicts


@dataclass(frozen=True)
class Check:
    """One merge precondition, shown on the review page."""

    key: str
    label: str
    ok: bool
    detail: str


@dataclass(frozen=True)
class MergePlan:
    """What merging would do now: ``schema`` is the merged design (None on conflicts)."""

    base: m.Schema
    ours: m.Schema
    theirs: m.Schema
    moved: bool  # the main design changed since the proposal's base
    schema: m.Schema | None
    conflicts: tuple[str, ...]

    @property
    def has_changes(self) -> bool:
        return bool(diff(analysis.unplaced(self.base), analysis.unplaced(self.ours)))


def _conflict_text(conflict: Any) -> str:
    for attr in ("describe", "message", "reason"):
        value = getattr(conflict, attr, None)
        value = value() if callable(value) else value
        if isinstance(value, str) and value:
            return value
    return str(conflict)


def three_way(base: m.Schema, ours: m.Schema, theirs: m.Schema,
              ) -> tuple[m.Schema, tuple[str, ...]]:
    """``(merged, conflicts)``: ``ours`` and ``theirs`` combined by stable uid. Diagram
    positions are merged apart and never conflict (a side that moved a table wins; main
    when both did)."""
    b, o, t = analysis.unplaced(base), analysis.unplaced(ours), analysis.unplaced(theirs)
    merged: m.Schema
    conflicts: tuple[str, ...]
    if not diff(b, t) or not diff(o, t):
        merged, conflicts = o, ()
    elif not diff(b, o):
        merged, conflicts = t, ()
    else:
        try:
            from modeler.diff.merge import merge
        except ImportError as exc:  # pragma: no cover - depends on the diff package
            raise Refused(["The main design changed since this proposal started, and "
                           "three-way merging (modeler.diff.merge) is not available in this "
                           "build."]) from exc
        result = merge(b, o, t)
        merged, conflicts = result.schema, tuple(_conflict_text(c) for c in result.conflicts)
    return _placed(merged, base, ours, theirs), conflicts


def _placed(merged: m.Schema, base: m.Schema, ours: m.Schema, theirs: m.Schema) -> m.Schema:
    def where(s: m.Schema) -> dict[str, m.Position | None]:
        return {t.uid: t.position for t in s.tables}
    b, o, t = where(base), where(ours), where(theirs)

    def position(uid: str) -> m.Position | None:
        mine, main, was = o.get(uid), t.get(uid), b.get(uid)
        return main if main != was else mine
    return replace(merged, tables=tuple(replace(x, position=position(x.uid))
                                        for x in merged.tables))


def main_design(project: db.Project) -> db.Design:
    return db.Design.objects.get(project=project, kind=db.Design.Kind.MAIN)


def merge_plan(proposal: Proposal) -> MergePlan:
    base = selectors.base_schema(proposal)
    ours = selectors.proposal_schema(proposal)
    theirs = snapshot(main_design(proposal.project))
    try:
        schema: m.Schema | None
        schema, conflicts = three_way(base, ours, theirs)
    except Refused as exc:
        schema, conflicts = None, tuple(exc.reasons)
    if conflicts:
        schema = None
    moved = bool(diff(analysis.unplaced(base), analysis.unplaced(theirs)))
    return MergePlan(base=base, ours=ours, theirs=theirs, moved=moved, schema=schema,
                     conflicts=conflicts)


def merge_checks(proposal: Proposal, *, plan: MergePlan | None = None,
                 findings: dict[str, Any] | None = None) -> tuple[Check, ...]:
    """Every merge precondition with its state (the review page lists them)."""
    plan = plan or merge_plan(proposal)
    state = selectors.verdict_state(proposal)
    if findings is None:
        findings = analysis.findings_report(proposal, plan.schema or plan.ours, plan.base,
                                            main_waivers=plan.moved)
    open_threads = selectors.open_thread_count(proposal)
    approved = (f"{len(state.approvers)} of {counted(state.required, 'approval')} since the "
                "last change")
    if state.approvers:
        approved += f" ({', '.join(state.approvers)})"
    if state.blocking:
        approved += f"; changes requested by {', '.join(state.blocking)}"
    conflicts = "; ".join(plan.conflicts)
    return (
        Check("open", "Open", proposal.is_open, f"The proposal is {proposal.status}."),
        Check("changes", "Changes", plan.has_changes,
              "The proposal changes the design." if plan.has_changes
              else "The proposal changes nothing yet."),
        Check("approvals", "Approvals", state.approved, approved),
        Check("block", "No BLOCK findings", findings["blocks"] == 0,
              f"{counted(findings['blocks'], 'BLOCK finding')}."),
        Check("justify", "JUSTIFY findings waived", findings["unwaived"] == 0,
              f"{counted(findings['unwaived'], 'JUSTIFY finding')} without a waiver."),
        Check("threads", "Threads resolved", open_threads == 0,
              f"{counted(open_threads, 'unresolved thread')}."),
        Check("conflicts", "Merges cleanly", not plan.conflicts,
              ("Main changed since the proposal started; " if plan.moved else "")
              + (f"conflicts: {conflicts}" if conflicts else "no conflicts.")),
    )


def _copy_waivers(source: db.Design, target: db.Design, *, overwrite: bool) -> None:
    for w in db.Waiver.objects.filter(design=source):
        values = {"project_id": w.project_id, "fingerprint": w.fingerprint,
                  "justification": w.justification, "author_id": w.author_id,
                  "target_path": w.target_path}
        if overwrite:
            db.Waiver.objects.update_or_create(design=target, rule=w.rule,
                                               target_key=w.target_key, defaults=values)
        else:
            db.Waiver.objects.get_or_create(design=target, rule=w.rule,
                                            target_key=w.target_key, defaults=values)


def proposal_merge(*, proposal: Proposal, actor: User, message: str = "",
                   notes: str = "") -> db.Version:
    """Merge an approved proposal: the main design becomes the merged design (through the
    edit service), the proposal's waivers carry over, and the result is saved as the next
    version (the version gate applies). The proposal's design is locked afterwards.
    Raises :class:`MergeRefused` with every failed check; nothing is written then.
    ``notes``: the version's rollout/rollback notes (DC-03, for a destructive merge)."""
    message = (message or "").strip() or analysis.merge_message(proposal)
    with transaction.atomic():
        proposal = Proposal.objects.select_for_update().select_related(
            "project", "design").get(pk=proposal.pk)
        db.Design.objects.select_for_update().get(pk=proposal.design_id)  # no edits meanwhile
        plan = merge_plan(proposal)
        checks = merge_checks(proposal, plan=plan)
        failed = [c for c in checks if not c.ok]
        if failed:
            raise MergeRefused([f"{c.label}: {c.detail}" for c in failed], checks=checks,
                               conflicts=plan.conflicts)
        base = selectors.base_schema(proposal)
        ours = selectors.proposal_schema(proposal)
        main = main_design(proposal.project)

        def change(current: m.Schema) -> m.Schema:
            merged, conflicts = three_way(base, ours, current)
            if conflicts:
                raise MergeRefused(["Conflicts with the main design: " + "; ".join(conflicts)],
                                   conflicts=conflicts)
            return replace(merged, settings=current.settings, name=current.name)

        apply_edit(design=main, actor=actor, action="proposal.merge",
                   summary=f"merged proposal #{proposal.number} {proposal.title}",
                   target_uid=None, change=change, gated=False)
        _copy_waivers(proposal.design, main, overwrite=True)
        version = version_save(project=proposal.project, actor=actor, message=message,
                               notes=notes)
        proposal.status = Proposal.Status.MERGED
        proposal.merged_version = version
        proposal.finished_by, proposal.finished_at = actor, timezone.now()
        proposal.save(update_fields=["status", "merged_version", "finished_by", "finished_at",
                                     "updated_at"])
        db.Design.objects.filter(pk=proposal.design_id).update(locked=True)
        notification_send(recipients=selectors.participants(proposal), actor=actor,
                          proposal=proposal, kind="merged",
                          text=f"{actor.get_username()} merged proposal #{proposal.number} "
                               f"“{proposal.title}” as version {version.number}")
    return version


@dataclass(frozen=True)
class Rebased:
    revision: int  # the proposal design's revision after the rebase
    conflicts: tuple[str, ...]  # overlapping changes still to resolve (the base stays)


def proposal_rebase(*, proposal: Proposal, actor: User) -> Rebased:
    """Bring the main design's changes into the proposal. Where both changed the same thing
    the proposal keeps its own version and the conflict is listed; only a rebase without
    conflicts moves the proposal's base to main's current state (so a conflict is reported
    again at merge until the author resolves it — nothing of either side is lost). Refused
    when main has not moved. Approvals given before must be renewed (the revision moves)."""
    if not proposal.is_open:
        raise Refused([f"This proposal is {proposal.status}; it cannot be rebased."])
    with transaction.atomic():
        base = selectors.base_schema(proposal)
        theirs = snapshot(main_design(proposal.project))
        if not diff(analysis.unplaced(base), analysis.unplaced(theirs)):
            raise Refused(["The main design has not changed since this proposal's base; "
                           "there is nothing to rebase onto."])
        found: list[str] = []

        def change(current: m.Schema) -> m.Schema:
            merged, conflicts = three_way(base, current, theirs)
            found.extend(conflicts)
            return replace(merged, settings=current.settings, name=current.name)

        apply_edit(design=proposal.design, actor=actor, action="proposal.rebase",
                   summary=f"rebased proposal #{proposal.number} onto the main design",
                   target_uid=None, change=change, gated=False)
        _copy_waivers(main_design(proposal.project), proposal.design, overwrite=False)
        if not found:
            version = latest_version(proposal.project)
            assert version is not None  # a proposal always starts from a version
            proposal_base_schema_set(proposal=proposal, schema_json=serialize.dumps(theirs),
                                     version=version)
        return Rebased(revision=selectors.current_revision(proposal), conflicts=tuple(found))
