"""Turn an :class:`~modeler.importers.ImportResult` into a project whose version 1 is the
imported baseline (already deployed: its findings are grandfathered)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction

from modeler.importers import ImportResult, ImportWarning
from modeler.web import models as db
from modeler.web import services
from modeler.web.snapshot import materialize
from modeler.web.versions import version_save


class ImportRefused(Exception):
    """The import cannot go ahead; nothing was created."""


def warning_record(w: ImportWarning) -> dict[str, Any]:
    return {"file": w.file, "line": w.line, "kind": w.kind, "message": w.message,
            "sql": (w.sql or "")[:2000]}


@transaction.atomic
def import_project(*, result: ImportResult, slug: str, name: str | None,
                   owner: AbstractBaseUser, source: str,
                   warnings: list[dict[str, Any]] | None = None) -> db.Version:
    """Create the project (or fill an empty existing one the owner owns) with the imported
    design, and save it as version 1, an imported baseline. All or nothing."""
    if not result.schema.tables:
        raise ImportRefused("The input contains no table: nothing to import.")
    project = db.Project.objects.filter(slug=slug).first()
    if project is None:
        try:
            project = services.project_create(name=name or slug, slug=slug, owner=owner)
        except ValidationError as exc:
            raise ImportRefused("; ".join(exc.messages)) from exc
    else:
        if not db.Membership.objects.filter(project=project, user=owner,
                                            role__in=["owner", "editor"]).exists():
            raise ImportRefused(f"{owner.get_username()} cannot edit project {slug}.")
        if db.DbTable.objects.filter(design__project=project).exists() or \
                db.Version.objects.filter(project=project).exists():
            raise ImportRefused(f"Project {slug} already has a design; import into a new "
                                "project.")
    design = services.main_design(project)
    schema = replace(result.schema, settings=project.settings, name=project.slug)
    materialize(schema, design)
    listed = warnings if warnings is not None else [warning_record(w) for w in
                                                     result.warnings]
    message = f"Imported baseline from {source}"
    if listed:
        message += f" ({len(listed)} warning(s): not represented objects are listed in " \
                   "DESIGN.md)"
    return version_save(project=project, actor=owner, message=message[:1000], baseline=True,
                        schema=schema, design=design)
