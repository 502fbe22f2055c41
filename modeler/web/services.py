"""Writes. Business logic lives here, not in views, forms or model save().

Every function is keyword-only, ``<entity>_<action>(*, ...)``, as in
:mod:`modeler.review.services`. Invalid input raises :class:`~modeler.web.editing.Refused`
(its reasons are the messages a view shows, with 422); a person not allowed raises
``PermissionDenied``. Nothing is written in those cases. Design rows are written by
:func:`~modeler.web.editing.apply_edit` only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from modeler.schema import model as m
from modeler.web.forms import text_problem
from modeler.web.models import (
    Activity,
    Design,
    Membership,
    Project,
    RuleSetting,
    ViewPrefs,
    Waiver,
)
from modeler.web.permissions import can, role_of

if TYPE_CHECKING:
    from modeler.rules import Finding


@transaction.atomic
def project_create(*, name: str, slug: str, owner: User, description: str = "",
                   provider: str = "generic", pk_policy: str = "identity",
                   pg_version: int = 16) -> Project:
    """Create a project with its owner membership and an empty main design."""
    project = Project(name=name.strip(), slug=slug.strip(), owner=owner,
                      description=description, provider=provider, pk_policy=pk_policy,
                      pg_version=pg_version)
    project.full_clean()
    try:
        with transaction.atomic():
            project.save()
    except IntegrityError as exc:
        raise ValidationError({"slug": f"A project with slug {slug!r} already exists."}) from exc
    Membership.objects.create(project=project, user=owner, role=Membership.Role.OWNER)
    Design.objects.create(project=project, kind=Design.Kind.MAIN)
    return project


def main_design(project: Project) -> Design:
    return Design.objects.get(project=project, kind=Design.Kind.MAIN)


def design_positions_fill(*, design: Design, positions: Mapping[str, m.Position]) -> m.Schema:
    """Store ``positions`` (table uid → place, computed from a snapshot read earlier) on the
    tables that still have none, through :func:`~modeler.web.editing.apply_edit`: under the
    design's lock, on the snapshot read there, so that an edit committed since the caller's
    snapshot (a rename, a drag, a new table) is kept. Not logged, not gated (positions change
    no finding). Returns the design as stored. ``design`` itself is left as it was (its
    revision still names what the caller has shown)."""
    from modeler.web.editing import apply_edit  # the rules engine: not at a command's start

    def change(current: m.Schema) -> m.Schema:
        return replace(current, tables=tuple(
            replace(t, position=positions[t.uid])
            if t.position is None and t.uid in positions else t for t in current.tables))

    outcome = apply_edit(design=Design(pk=design.pk, project_id=design.project_id),
                         actor=None, action="diagram.layout", summary="laid out the diagram",
                         target_uid=None, change=change, log=False, gated=False)
    return outcome.new


def _refused(*reasons: str) -> Exception:
    from modeler.web.editing import Refused  # the rules engine: not at a command's start

    return Refused(list(reasons))


# ------------------------------------------------------------------------------ findings

@transaction.atomic
def waiver_set(*, design: Design, schema: m.Schema, finding: Finding,
               actor: User, justification: str) -> Waiver:
    """Justify the JUSTIFY ``finding`` of ``design`` (found in ``schema``, the design's
    snapshot): the waiver holds while the finding's element keeps its fingerprint. A second
    justification of the same finding replaces the first. Refused: a text that cannot be
    stored, or that the rule does not accept, or a finding that is not JUSTIFY."""
    from modeler import rules

    problem = text_problem(justification)
    if problem is not None:
        raise _refused(problem)
    try:
        w = rules.make_waiver(schema, finding, justification, actor.get_username(),
                              timezone.now().isoformat())
    except ValueError as exc:
        raise _refused(str(exc)) from exc
    row, _ = Waiver.objects.update_or_create(
        design=design, rule=w.rule, target_key=w.target_key,
        defaults={"project_id": design.project_id, "fingerprint": w.fingerprint,
                  "justification": w.justification, "author": actor,
                  "target_path": finding.target.path})
    return row


LEVEL_CHOICES = ("block", "justify", "advise", "default")
MIN_LOWERING_REASON = 10


def rule_level_set(*, project: Project, actor: User, rule: str, level: str,
                   reason: str = "") -> RuleSetting | None:
    """Set the project's level of ``rule`` (``default``: remove the project's setting) and
    record the change in the project's activity with its reason. Anyone who edits may raise
    a level above its current one (the project's setting, else the rule's default);
    lowering it or resetting a changed level is the owner's alone and needs a reason of at
    least 10 characters. Returns the setting (None at the default)."""
    from modeler import rules
    from modeler.rules import Level

    rule, reason = rule.upper(), reason.strip()
    docs = {d.id: d for d in rules.rule_docs()}
    if rule not in docs or level not in LEVEL_CHOICES:
        raise _refused("Pick a rule and a level.")
    if (problem := text_problem(reason, multiline=False)) is not None:
        raise _refused(f"Reason: {problem}")
    role = role_of(actor, project)
    if not can(role, "edit"):
        raise PermissionDenied("Only editors and owners set rule levels.")
    default = Level(docs[rule].level)
    with transaction.atomic():
        setting = RuleSetting.objects.select_for_update().filter(
            project=project, rule=rule).first()
        current = Level(setting.level) if setting is not None else default
        target = default if level == "default" else Level(level)
        resetting = level == "default" and setting is not None
        lowering = target.rank > current.rank
        if level == "default" and setting is None:
            return None  # already at the default: nothing to change
        if (lowering or resetting) and not can(role, "manage"):  # a role too low: 403
            raise PermissionDenied("Only the project owner may lower a rule's level or reset "
                                   "it to the default.")
        if (lowering or resetting) and len(reason) < MIN_LOWERING_REASON:
            raise _refused("Say why the level is lowered or reset (at least 10 characters).")
        stored: RuleSetting | None = None
        if resetting or (target == default and setting is not None):
            # a level set back to the rule's own default (a raise an editor may make)
            # keeps no setting, as a reset does: the project shows the rule as default
            RuleSetting.objects.filter(project=project, rule=rule).delete()
        elif target == default:
            return None  # the default already, nothing stored: nothing to change
        else:
            stored, _ = RuleSetting.objects.update_or_create(
                project=project, rule=rule,
                defaults={"level": level, "reason": reason, "set_by": actor})
        design = main_design(project)
        word = ("reset" if resetting else "lowered" if lowering
                else "raised" if target.rank < current.rank else "set")
        summary = (f"{word} rule {rule} from {current.value} to {target.value}"
                   f"{' (default)' if level == 'default' else ''}"
                   f"{f': {reason}' if reason else ''}")
        Activity.objects.create(project=project, design=design, actor=actor,
                                action="rules.level", summary=summary[:300],
                                design_revision=design.revision)
    return stored


# ------------------------------------------------------------------------------ diagram

def view_prefs_set(*, project: Project, user: User,
                   options: Mapping[str, Any]) -> ViewPrefs:
    """Remember ``user``'s diagram view options on ``project`` (cleaned by the caller:
    :func:`modeler.web.diagrams.clean_prefs`)."""
    prefs, _ = ViewPrefs.objects.update_or_create(project=project, user=user,
                                                  defaults={"options": dict(options)})
    return prefs
