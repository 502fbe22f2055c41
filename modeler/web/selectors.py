"""Reads for the views."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth.models import User
from django.db.models import Count, IntegerField, OuterRef, QuerySet, Subquery

from modeler.web.models import (
    Activity,
    Constraint,
    DbColumn,
    DbIndex,
    DbTable,
    Design,
    Domain,
    EnumType,
    ImportJob,
    Membership,
    PendingImport,
    Project,
    QueryPattern,
    Relationship,
    RuleSetting,
    Version,
    Waiver,
)

if TYPE_CHECKING:
    from modeler.rules import Config, Finding
    from modeler.schema import model as m


def projects_of(user: User) -> QuerySet[Project]:
    # counted in a subquery: the filter's join on the user's own membership would count 1
    members = (Membership.objects.filter(project=OuterRef("pk")).order_by()
               .values("project").annotate(n=Count("pk")).values("n"))
    return (Project.objects.filter(memberships__user=user)
            .annotate(n_members=Subquery(members, output_field=IntegerField()))
            .order_by("name"))


def tables_of(design: Design) -> QuerySet[DbTable]:
    return (DbTable.objects.filter(design=design)
            .annotate(n_columns=Count("columns")).order_by("namespace", "name"))


def waivers_of(design: Design) -> QuerySet[Waiver]:
    """The design's waivers, oldest first (the order of :func:`ruling.waivers_for`)."""
    return (Waiver.objects.filter(design=design).select_related("author")
            .order_by("created_at", "id"))


def rule_settings_of(project: Project) -> QuerySet[RuleSetting]:
    return RuleSetting.objects.filter(project=project).select_related("set_by")


ACTIVITY_LIMIT = 200


def activity_of(project: Project, *, limit: int = ACTIVITY_LIMIT) -> QuerySet[Activity]:
    """The project's latest activity entries, newest first."""
    return (Activity.objects.filter(project=project).select_related("actor")
            .order_by("-created_at", "-id")[:limit])


ROW_MODELS: dict[str, type[Any]] = {
    "table": DbTable, "column": DbColumn, "relationship": Relationship,
    "index": DbIndex, "constraint": Constraint, "enum": EnumType,
    "pattern": QueryPattern, "domain": Domain,
}


def row_version(kind: str, design: Design, uid: str) -> int | None:
    """The stored version of one element's row (what a form carries for optimistic
    locking), None when the element has no row."""
    version: int | None = ROW_MODELS[kind].objects.filter(
        design=design, uid=uid).values_list("version", flat=True).first()
    return version


def column_versions(design: Design, table_uid: str) -> dict[str, int]:
    """column uid → its row's version, for the columns of one table."""
    return {str(u): v for u, v in DbColumn.objects.filter(
        design=design, table__uid=table_uid).values_list("uid", "version")}


def design_findings(design: Design, schema: m.Schema | None = None, *,
                    version: bool = False, message: str | None = None,
                    notes: str = "", baseline: bool = False,
                    config: Config | None = None,
                    grandfathered: set[tuple[str, str]] | None = None) -> tuple[Finding, ...]:
    """The findings of ``design``, the one place they are put together (the editor's panel
    and badges, the findings, waive and waivers pages, ``lint_schema``, the version gate, a
    proposal's analysis): ``schema`` (default: the design's snapshot; else a state of it, an
    edit's result or the version being saved) linted with the project's rule levels; the
    findings the project's imported baseline already had grandfathered (reported, never
    gating); the design's own waivers applied (a proposal's, not the main design's).

    ``version``: linted for the version gate, with the previous version (MG-05), the latest
    rehearsal's facts, ``message`` and ``notes`` (DC-03: what changed; the rollout/rollback
    notes a destructive version needs) and ``baseline`` (the import of a deployed
    schema). Without it the lint is cached by content (:func:`ruling.raw_lint`), with
    ``config`` when the caller has just read the project's (:func:`ruling.config_for`).
    The rules engine is imported here: a product command starts without it."""
    from modeler import rules
    from modeler.web import ruling
    from modeler.web.snapshot import snapshot

    schema = snapshot(design) if schema is None else schema
    if version:
        from modeler.web.versions import latest_version, version_schema

        project = design.project
        previous = latest_version(project)
        facts = None
        if previous is not None or design.kind != "main":  # a main design's rehearsal is
            from modeler.web.rehearsals import rehearsal_facts  # of its latest version

            facts = rehearsal_facts(project, design)
        config = ruling.config_for(project, baseline=baseline, version_message=message,
                                   version_notes=notes,
                                   previous=version_schema(previous) if previous else None,
                                   rehearsal=facts)
        found = rules.lint(schema, config)
    else:
        found = ruling.raw_lint(schema, config if config is not None
                                else ruling.config_for(design.project_id))
    found = ruling.grandfather(found, ruling.baseline_keys(design.project_id)
                               if grandfathered is None else grandfathered)
    return rules.apply_waivers(schema, found, ruling.waivers_for(design))


def project_by_slug(slug: str) -> Project:
    """The project ``slug``; LookupError ("no project 'slug'") when there is none."""
    project = Project.objects.filter(slug=slug).first()
    if project is None:
        raise LookupError(f"no project {slug!r}")
    return project


def versions_of(project: Project) -> QuerySet[Version]:
    """The project's saved versions, newest first."""
    return Version.objects.filter(project=project).select_related("author").order_by("-number")


def version_of(project: Project, number: int) -> Version | None:
    return Version.objects.filter(project=project, number=number).first()


def version_for(slug: str, number: int | None = None) -> Version:
    """Version ``number`` of the project ``slug`` (None or 0: its latest); LookupError when
    the project or the version is missing (the message says which)."""
    project = project_by_slug(slug)
    version = version_of(project, number) if number else versions_of(project).first()
    if version is None:
        raise LookupError("no such version (save one with save_version first)")
    version.project = project
    return version


def slug_taken(slug: str) -> bool:
    return Project.objects.filter(slug=slug).exists()


def import_jobs_running(user: User) -> QuerySet[ImportJob]:
    """The user's import jobs still queued or running, oldest first."""
    return ImportJob.objects.filter(user=user, status__in=ImportJob.ACTIVE).order_by(
        "created_at")


def import_job_of(user: User, pk: int) -> ImportJob | None:
    return ImportJob.objects.filter(pk=pk, user=user).first()


def pending_import_of(user: User, pk: int) -> PendingImport | None:
    return PendingImport.objects.filter(pk=pk, user=user).first()
