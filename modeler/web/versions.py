"""Versions: immutable numbered snapshots of the main design, and what is built from them
(comparisons, restores, the export bundle)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max

from modeler import rules
from modeler.rules import Level
from modeler.schema import model as m
from modeler.schema import serialize
from modeler.web import models as db
from modeler.web import ruling
from modeler.web.editing import Refused, apply_edit
from modeler.web.selectors import design_findings
from modeler.web.snapshot import snapshot

MIN_MESSAGE = 10
MAX_MESSAGE = 500  # as the merge form's: the revision's docstring, DESIGN.md's heading
MAX_NOTES = 5000


class NothingToSave(Refused):
    """:func:`version_save` refused a design that is the latest version as it is."""


def version_schema(version: db.Version) -> m.Schema:
    return serialize.loads(version.schema_json)


def latest_version(project: db.Project) -> db.Version | None:
    return db.Version.objects.filter(project=project).order_by("-number").first()


def version_findings(schema: m.Schema, project: db.Project, design: db.Design, *,
                     message: str | None, baseline: bool = False) -> tuple[rules.Finding, ...]:
    """The version gate's findings: :func:`~modeler.web.selectors.design_findings` with the
    version's facts."""
    assert design.project_id == project.pk, "the design of another project"
    return design_findings(design, schema, version=True, message=message, baseline=baseline)


def finding_record(f: rules.Finding) -> dict[str, Any]:
    return {"rule": f.rule, "level": f.level.value, "target": f.target.path,
            "key": f.target.key, "message": f.message, "hint": f.hint,
            "waived": f.waived, "grandfathered": f.grandfathered}


def version_save(*, project: db.Project, actor: User, message: str, notes: str = "",
                 baseline: bool = False, schema: m.Schema | None = None,
                 design: db.Design | None = None,
                 findings: tuple[rules.Finding, ...] | None = None,
                 changed_only: bool = False) -> db.Version:
    """Freeze the main design (or ``schema``) as the next version, when the version gate
    passes: no BLOCK finding and every JUSTIFY finding waived (grandfathered ones pass).
    Raises :class:`Refused` with every reason otherwise; nothing is written then.
    ``notes``: the rollout/rollback notes (backup, pre-checks, how to roll back) DC-03 asks
    of a destructive version, kept with it apart from the message.
    ``findings``: :func:`version_findings` of ``schema`` with the stripped ``message``,
    when the caller has them already (the import: computed while its layout ran).
    ``changed_only``: refuse a design that is the latest version's as it is (a user's
    "save version": an empty migration nobody asked for; a merge keeps its own rules)."""
    message, notes = (message or "").strip(), (notes or "").strip()
    # (an import's baseline says where it came from: its message is the import's, up to 1000)
    too_long = ([f"Message: at most {MAX_MESSAGE} characters (this one has {len(message):,})."]
                if len(message) > MAX_MESSAGE and not baseline else []) + (
        [f"Notes: at most {MAX_NOTES:,} characters (these have {len(notes):,})."]
        if len(notes) > MAX_NOTES else [])
    if too_long:
        raise Refused(too_long)
    with transaction.atomic():
        design = design or db.Design.objects.select_for_update().get(project=project,
                                                                     kind="main")
        current = schema if schema is not None else snapshot(design)
        if changed_only:
            latest = latest_version(project)
            if latest is not None and version_schema(latest) == current:
                raise NothingToSave([f"Nothing to save: the design is version "
                                     f"{latest.number} as it was saved. Change the design "
                                     "first."])
        if findings is None or schema is None:
            findings = design_findings(design, current, version=True, message=message,
                                       notes=notes, baseline=baseline)
        reasons = [f"{f.level.value.upper()} {f.rule} {f.target.path}: {f.message}"
                   + ("" if f.level is Level.BLOCK else " (no valid waiver)")
                   for f in findings if f.gating]
        if reasons:
            raise Refused(reasons, findings)
        number = (db.Version.objects.filter(project=project).aggregate(n=Max("number"))["n"]
                  or 0) + 1
        waivers = [{"rule": w.rule, "target": w.target_key, "justification": w.justification,
                    "author": w.author, "created": w.created}
                   for w in ruling.waivers_for(design)]
        return db.Version.objects.create(
            project=project, number=number, message=message, notes=notes, author=actor,
            schema_json=serialize.dumps(current), baseline=baseline, waivers=waivers,
            findings=[finding_record(f) for f in findings])


def version_restore(*, project: db.Project, actor: User, number: int) -> None:
    """Make version ``number`` the working design again (a new change; history is kept)."""
    version = db.Version.objects.get(project=project, number=number)
    target = version_schema(version)
    design = db.Design.objects.get(project=project, kind="main")

    def change(current: m.Schema) -> m.Schema:
        return replace(target, settings=current.settings, name=current.name)
    apply_edit(design=design, actor=actor, action="version.restore",
               summary=f"restored version {number}", target_uid=None, change=change,
               gated=False)


def compare(old: m.Schema, new: m.Schema) -> dict[str, Any]:
    """Structured change list between two snapshots (renames by stable ids)."""
    from modeler.diff.compare import diff
    from modeler.diff.summary import summarize

    ops = diff(old, new)
    return {"ops": ops, "summary": summarize(ops)}


__all__ = ["NothingToSave", "Refused", "compare", "latest_version", "version_restore",
           "version_save", "version_schema"]
