"""Writes. Business logic lives here, not in views, forms or model save()."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from modeler.schema import model as m
from modeler.web.models import Design, Membership, Project

User = get_user_model()


@transaction.atomic
def project_create(*, name: str, slug: str, owner: AbstractBaseUser, description: str = "",
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
