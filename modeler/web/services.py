"""Writes. Business logic lives here, not in views, forms or model save()."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

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
