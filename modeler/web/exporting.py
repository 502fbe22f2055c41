"""The export bundle of a saved version (web download and ``export_bundle``)."""

from __future__ import annotations

from dataclasses import replace

from modeler.codegen.bundle import build_bundle, write_zip
from modeler.codegen.pynames import package_name
from modeler.codegen.versions import VersionInput
from modeler.web import models as db
from modeler.web.versions import version_schema


def version_inputs(project: db.Project, upto: int) -> list[VersionInput]:
    versions = (db.Version.objects.filter(project=project, number__lte=upto)
                .select_related("author").order_by("number"))
    out = []
    for v in versions:
        notes = tuple(f"Waiver {w['rule']} on {w['target']}: {w['justification']} "
                      f"({w['author']})" for w in v.waivers)
        # diagram positions are design metadata, not database state: they would only add
        # "design only" steps to the revisions
        schema = version_schema(v)
        schema = replace(schema, tables=tuple(replace(t, position=None) for t in schema.tables))
        out.append(VersionInput(number=v.number, message=v.message,
                                author=v.author.get_username(),
                                created=v.created_at.date().isoformat(),
                                schema=schema, baseline=v.baseline, notes=notes))
    return out


def bundle(project: db.Project, number: int | None = None,
           diagram_svg: str | None = None) -> tuple[str, bytes]:
    """(file name, zip bytes) for version ``number`` (default: the latest). Deterministic:
    the same version exports to the same bytes."""
    qs = db.Version.objects.filter(project=project)
    version = qs.get(number=number) if number is not None else qs.order_by("-number").first()
    if version is None:
        raise LookupError("This project has no saved version to export yet.")
    inputs = version_inputs(project, version.number)
    files = build_bundle(inputs, slug=project.slug, title=project.name,
                         findings=version.findings,
                         waivers=[{"rule": w["rule"], "target": w["target"],
                                   "justification": w["justification"],
                                   "author": w["author"], "created": w["created"]}
                                  for w in version.waivers],
                         diagram_svg=diagram_svg)
    pkg = package_name(project.slug)
    return f"{pkg}-v{version.number}.zip", write_zip(files)
