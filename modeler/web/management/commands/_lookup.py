"""The commands' arguments that name stored things: a project by slug, a version by number
(:mod:`modeler.web.selectors`), a missing one as a ``CommandError`` with the selector's
message. Not a command (the leading underscore)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.management.base import CommandError

if TYPE_CHECKING:
    from modeler.web.models import Project, Version


def project_arg(slug: str) -> Project:
    from modeler.web.selectors import project_by_slug

    try:
        return project_by_slug(slug)
    except LookupError as exc:
        raise CommandError(str(exc)) from exc


def version_arg(slug: str, number: int | None) -> Version:
    """Version ``number`` of project ``slug`` (None: the latest)."""
    from modeler.web.selectors import version_for

    try:
        return version_for(slug, number)
    except LookupError as exc:
        raise CommandError(str(exc)) from exc
