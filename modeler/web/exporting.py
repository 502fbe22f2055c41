"""The export bundle of a saved version (web download and ``export_bundle``)."""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import cast

from django.conf import settings

from modeler.codegen.bundle import TARGETS, Target, build_bundle, write_zip
from modeler.codegen.pynames import package_name
from modeler.codegen.versions import VersionInput
from modeler.schema import serialize
from modeler.schema.model import Schema
from modeler.web import models as db


def version_schema(version: db.Version) -> Schema:
    """The version's schema, read from its JSON (as :func:`modeler.web.versions.
    version_schema` does: that module, with the editing and the rules it brings, is not
    imported by an export)."""
    return serialize.loads(version.schema_json)


def version_inputs(project: db.Project, upto: int,
                   parsed: Mapping[int, Schema] | None = None) -> list[VersionInput]:
    """Versions 1..``upto`` as the bundle's input; ``parsed``: schemas already read from
    versions' JSON, by number (not read again)."""
    versions = (db.Version.objects.filter(project=project, number__lte=upto)
                .select_related("author").order_by("number"))
    out = []
    for v in versions:
        notes = tuple(f"Waiver {w['rule']} on {w['target']}: {w['justification']} "
                      f"({w['author']})" for w in v.waivers)
        # diagram positions are design metadata, not database state: they would only add
        # "design only" steps to the revisions
        schema = parsed[v.number] if parsed and v.number in parsed else version_schema(v)
        schema = replace(schema, tables=tuple(replace(t, position=None) for t in schema.tables))
        out.append(VersionInput(number=v.number, message=v.message,
                                author=v.author.get_username(),
                                created=v.created_at.date().isoformat(),
                                schema=schema, baseline=v.baseline, notes=notes))
    return out


def export_target(wanted: str | None = None) -> Target:
    """``wanted`` when it names a target (sqlalchemy, drizzle, both), else the
    ``MODELER_EXPORT_TARGET`` setting."""
    value = wanted if wanted in TARGETS else getattr(settings, "MODELER_EXPORT_TARGET",
                                                     "sqlalchemy")
    return cast(Target, value if value in TARGETS else "sqlalchemy")


def rehearsal_markdown(version: db.Version) -> str | None:
    """``REHEARSAL.md`` of ``version`` (:func:`modeler.web.rehearsals.bundle_markdown`). A
    project nobody rehearsed has none: the rehearsal machinery (and psycopg) is imported
    only when the project has a stored rehearsal (of a version or of a proposal)."""
    if not db.RehearsalRun.objects.filter(project_id=version.project_id).exists():
        return None
    from modeler.web.rehearsals import bundle_markdown  # it builds on version_inputs

    return bundle_markdown(version)


def bundle(project: db.Project, number: int | None = None,
           diagram_svg: str | Callable[[Schema], str] | None = None,
           target: str | None = None) -> tuple[str, bytes]:
    """(file name, zip bytes) for version ``number`` (default: the latest) and ``target``
    (default: the ``MODELER_EXPORT_TARGET`` setting). Deterministic: the same version exports
    to the same bytes. ``diagram_svg``: the drawing's text, or a function drawing the
    version's schema (such as :func:`modeler.web.diagrams.static_svg`), run on a thread of
    its own while the rest of the bundle is built (Graphviz runs in parallel)."""
    qs = db.Version.objects.filter(project=project)
    version = qs.get(number=number) if number is not None else qs.order_by("-number").first()
    if version is None:
        raise LookupError("This project has no saved version to export yet.")
    if not callable(diagram_svg):
        return _bundle(project, version, diagram_svg, target, {})
    schema = version_schema(version)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="export-diagram") as pool:
        # in this context (a request's Graphviz budget, say), as if drawn here
        drawing = pool.submit(contextvars.copy_context().run, diagram_svg, schema)
        return _bundle(project, version, drawing.result, target, {version.number: schema})


def _bundle(project: db.Project, version: db.Version,
            diagram_svg: str | Callable[[], str] | None, target: str | None,
            parsed: Mapping[int, Schema]) -> tuple[str, bytes]:
    inputs = version_inputs(project, version.number, parsed)
    chosen = export_target(target)
    files = build_bundle(inputs, slug=project.slug, title=project.name,
                         findings=version.findings,
                         waivers=[{"rule": w["rule"], "target": w["target"],
                                   "justification": w["justification"],
                                   "author": w["author"], "created": w["created"]}
                                  for w in version.waivers],
                         diagram_svg=diagram_svg, target=chosen,
                         rehearsal_md=rehearsal_markdown(version))
    pkg = package_name(project.slug)
    suffix = {"sqlalchemy": "", "drizzle": "-drizzle", "both": "-sqlalchemy-drizzle"}[chosen]
    return f"{pkg}-v{version.number}{suffix}.zip", write_zip(files)
