"""The export bundle of a saved version (web download and ``export_bundle``)."""

from __future__ import annotations

import contextlib
import contextvars
import hashlib
import json
import shutil
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, cast

from django.conf import settings
from django.db.models import TextField
from django.db.models.functions import Cast

from modeler.cache import files_stamp
from modeler.codegen.bundle import (
    TARGETS,
    Body,
    Deflated,
    Target,
    bundle_files,
    design_models_py,
    design_schema_sql,
    write_zip,
)
from modeler.codegen.plan import ModelPlan, build_plan
from modeler.codegen.prefork import (
    Helper,
    Job,
    VersionRecord,
    _joined,
    _parts,
    forked,
    request_bytes,
)
from modeler.codegen.prefork import take as take_helper
from modeler.codegen.prefork import without_positions as without_positions
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


def _rollout(notes: str) -> tuple[str, ...]:
    """A version's rollout/rollback notes as the first of its notes (one line: a bullet of
    the revision's docstring and of DESIGN.md), when it has them."""
    return (f"Rollout/rollback: {' '.join(notes.split())}",) if notes.strip() else ()


def version_records(project: db.Project, upto: int,
                    texts: Mapping[int, str] | None = None) -> list[VersionRecord]:
    """Versions 1..``upto`` as stored (:class:`~modeler.codegen.prefork.VersionRecord`: the
    schema as its JSON text); ``texts``: the JSON of versions already read, by number (not
    read again). Without their rule reports, which the bundle's inputs do not hold."""
    known = texts or {}
    versions = (db.Version.objects.filter(project=project, number__lte=upto)
                .select_related("author").order_by("number").defer("findings"))
    if known:
        versions = versions.defer("schema_json", "findings")
    rows = list(versions)
    read: dict[int, str] = {}  # the JSON of the versions not in ``known``, read once
    if known and any(v.number not in known for v in rows):
        read.update(db.Version.objects.filter(project=project, number__lte=upto)
                    .exclude(number__in=list(known)).values_list("number", "schema_json"))
    return [VersionRecord(
        number=v.number, message=v.message, author=v.author.get_username(),
        created=v.created_at.date().isoformat(), baseline=v.baseline,
        notes=_rollout(v.notes) + tuple(
            f"Waiver {w['rule']} on {w['target']}: {w['justification']} ({w['author']})"
            for w in v.waivers),
        text=(known[v.number] if v.number in known else read[v.number]) if known
        else v.schema_json) for v in rows]


def version_inputs(project: db.Project, upto: int,
                   parsed: Mapping[int, Schema] | None = None) -> list[VersionInput]:
    """Versions 1..``upto`` as the bundle's input; ``parsed``: schemas already read from
    versions' JSON, by number (not read again: their rows are read without it, nor with
    their rule reports, which the inputs do not hold)."""
    # the text of a parsed version is not read ("" stands for it)
    records = version_records(project, upto, dict.fromkeys(parsed, "") if parsed else None)
    return [r.version_input(parsed.get(r.number) if parsed else None) for r in records]


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


DRAWING_PREFIX = "export-drawing:"
_CODE: list[str] = []


def drawing_code_stamp() -> str:
    """The code that decides a version's drawing, as files on disk (name, size, mtime):
    the drawing package, the schema model, the web's drawing functions, this module and the
    Graphviz binary. A change to any of them draws afresh."""
    if not _CODE:
        modeler = Path(__file__).resolve().parents[1]
        files = sorted((modeler / "diagram").glob("*.py")) + sorted(
            (modeler / "schema").glob("*.py"))
        files += [modeler / "web" / "diagrams.py", Path(__file__).resolve()]
        for program in ("dot", "neato"):
            found = shutil.which(program)
            if found:
                files.append(Path(found).resolve())
        _CODE.append(files_stamp(files))
    return _CODE[0]


def drawing_key(version: db.Version) -> str:
    """The key a version's drawing is kept under (:func:`kept_drawing`)."""
    text = f"{drawing_code_stamp()}\x00{version.schema_json}"
    return DRAWING_PREFIX + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def kept_drawing(version: db.Version,
                 draw: Callable[[Schema], str]) -> tuple[str | None, Callable[[Schema], str]]:
    """(the drawing kept for ``version`` by an earlier export, or None; a function drawing
    the schema with ``draw`` and keeping what it drew). A saved version never changes, so
    its drawing is kept (:class:`~modeler.web.rendercache.CommandCache`: Django's cache, and
    a file when that dies with the process) under the hash of its JSON and of
    :func:`drawing_code_stamp`; the next export of it reads the bytes back instead of
    laying it out again (Graphviz: about 1 s of CPU on musicbrainz). A failed render is not
    kept."""
    from modeler.web.rendercache import CommandCache

    store = CommandCache()
    key = drawing_key(version)
    hit = store.get(key)

    def drawn(schema: Schema) -> str:
        svg = draw(schema)
        if 'id="error"' not in svg[:2000]:
            store.set(key, svg.encode("utf-8", "surrogatepass"))
        return svg

    return (hit.decode("utf-8", "surrogatepass") if hit is not None else None), drawn


def bundle(project: db.Project, number: int | None = None,
           diagram_svg: str | Callable[[Schema], str] | None = None,
           target: str | None = None, *, fork: bool = False,
           keep_drawing: bool = False, version: db.Version | None = None) -> tuple[str, bytes]:
    """(file name, zip bytes) for version ``number`` (default: the latest) and ``target``
    (default: the ``MODELER_EXPORT_TARGET`` setting). Deterministic: the same version exports
    to the same bytes. ``diagram_svg``: the drawing's text, or a function drawing the
    version's schema (such as :func:`modeler.web.diagrams.static_svg`), run on a thread of
    its own while the rest of the bundle is built (Graphviz runs in parallel). ``fork``:
    ``schema.sql`` (SQLAlchemy's import, metadata and DDL compiler: about a third of the
    export's CPU on a large design) is written by a child process (:func:`forked`) while
    this one builds the rest; for a command, whose process has no other thread (a web
    worker's or a task's has: there it is written here). The child is forked as soon as
    the version is read and planned, before the renderers (and the differ) are imported;
    the zip's files before ``schema.sql`` are compressed while it works. Where the process
    has a helper waiting (:mod:`modeler.codegen.prefork`: forked by ``manage.py
    export_bundle`` before Django started), the helper makes every file but the drawing and
    ``REHEARSAL.md`` instead (:func:`_helped`); the same bytes.
    ``keep_drawing``: the drawing function's output is kept and read back by the next export
    of the version (:func:`kept_drawing`). ``version``: that version of ``project``, when the
    caller has read it already (its row, JSON and all, is not read again)."""
    if version is None or version.project_id != project.pk:
        qs = db.Version.objects.filter(project=project)
        version = qs.get(number=number) if number is not None else qs.order_by(
            "-number").first()
    if version is None:
        raise LookupError("This project has no saved version to export yet.")
    chosen = export_target(target)
    helper = take_helper() if fork else None
    if helper is not None:
        try:
            made = _helped(helper, project, version, chosen, diagram_svg, keep_drawing)
        finally:
            helper.stop()
        if made is not None:
            return made
    schema = version_schema(version)
    design = without_positions(schema)  # the last version's, as version_inputs gives it
    plan = build_plan(design)
    with contextlib.ExitStack() as stack:
        schema_sql = models_py = None
        if fork and chosen != "drizzle":
            from modeler.codegen.sqlwriter import parse_expressions  # pglast: not before

            parse_expressions(design)  # once, for both processes
            # the child writes models.py too: the two processes then take about as long
            apart = stack.enter_context(forked(lambda: _joined(
                design_models_py(design, plan, slug=project.slug, title=project.name),
                design_schema_sql(design, plan, slug=project.slug, title=project.name))))

            def models_py() -> str:
                return _parts(apart())[0]

            def schema_sql() -> str:
                return _parts(apart())[1]
        inputs = version_inputs(project, version.number, {version.number: design})
        if callable(diagram_svg) and keep_drawing:
            hit, diagram_svg = kept_drawing(version, diagram_svg)
            if hit is not None:
                return _bundle(project, version, inputs, hit, chosen, schema_sql, plan,
                               models_py)
        if not callable(diagram_svg):
            return _bundle(project, version, inputs, diagram_svg, chosen, schema_sql, plan,
                           models_py)
        pool = stack.enter_context(ThreadPoolExecutor(max_workers=1,
                                                      thread_name_prefix="export-diagram"))
        # in this context (a request's Graphviz budget, say), as if drawn here
        drawing = pool.submit(contextvars.copy_context().run, diagram_svg, schema)
        return _bundle(project, version, inputs, drawing.result, chosen, schema_sql, plan,
                       models_py)


def _helped(helper: Helper, project: db.Project, version: db.Version, chosen: Target,
            diagram_svg: str | Callable[[Schema], str] | None,
            keep_drawing: bool) -> tuple[str, bytes] | None:
    """:func:`bundle` with the files made by ``helper`` (:mod:`modeler.codegen.prefork`)
    but the drawing and ``REHEARSAL.md``, made here meanwhile; None when the helper
    failed."""
    records = version_records(project, version.number, {version.number: version.schema_json})
    helper.ask(request_bytes(Job(slug=project.slug, title=project.name, target=chosen,
                                 findings=findings_json(version), waivers=_waivers(version)),
                             records))
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="export-zip") as zipper:
        extra: dict[str, Callable[[], Deflated]] = {}
        if callable(diagram_svg) and keep_drawing:
            hit, diagram_svg = kept_drawing(version, diagram_svg)
            if hit is not None:
                diagram_svg = hit
        if callable(diagram_svg):  # drawn here (its Graphviz in parallel), as bundle() does
            diagram_svg = contextvars.copy_context().run(diagram_svg, version_schema(version))
        if diagram_svg is not None:
            extra["diagram.svg"] = zipper.submit(Deflated.of,
                                                 diagram_svg.encode("utf-8")).result
        rehearsal_md = rehearsal_markdown(version)
        if rehearsal_md is not None:
            extra["REHEARSAL.md"] = zipper.submit(Deflated.of,
                                                  rehearsal_md.encode("utf-8")).result
        files: dict[str, Body] = dict(helper.collect())
        if not files:
            return None
        files.update(extra)
        body = write_zip(files)
    return _zip_name(project, version, chosen), body


def findings_json(version: db.Version) -> str:
    """The version's rule report as JSON: its stored text when the row was read without
    it (decoding it costs ~0.03 s of CPU on musicbrainz, and its helper decodes it anyway)."""
    if "findings" not in version.get_deferred_fields():
        return json.dumps(version.findings)
    return cast(str, db.Version.objects.filter(pk=version.pk).values_list(
        Cast("findings", TextField()), flat=True).get())


def _zip_name(project: db.Project, version: db.Version, chosen: Target) -> str:
    suffix = {"sqlalchemy": "", "drizzle": "-drizzle", "both": "-sqlalchemy-drizzle"}[chosen]
    return f"{package_name(project.slug)}-v{version.number}{suffix}.zip"


def _waivers(version: db.Version) -> list[dict[str, Any]]:
    """The version's waivers as the bundle lists them (DESIGN.md)."""
    return [{"rule": w["rule"], "target": w["target"], "justification": w["justification"],
             "author": w["author"], "created": w["created"]} for w in version.waivers]


def _bundle(project: db.Project, version: db.Version, inputs: list[VersionInput],
            diagram_svg: str | Callable[[], str] | None, chosen: Target,
            schema_sql: Callable[[], str] | None, plan: ModelPlan,
            models_py: Callable[[], str] | None = None) -> tuple[str, bytes]:
    # each file is deflated on a thread of its own as soon as it is made (zlib works
    # outside the GIL) while the next ones are rendered: the zip is then put together
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="export-zip") as zipper:
        def deflate(body: bytes) -> Callable[[], Deflated]:
            return zipper.submit(Deflated.of, body).result

        files = bundle_files(inputs, slug=project.slug, title=project.name,
                             findings=version.findings,
                             waivers=_waivers(version),
                             diagram_svg=diagram_svg, target=chosen,
                             rehearsal_md=rehearsal_markdown(version), schema_sql=schema_sql,
                             plan=plan, deflate=deflate, models_py=models_py)
        body = write_zip(files)
    return _zip_name(project, version, chosen), body
