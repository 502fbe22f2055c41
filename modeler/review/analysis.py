"""What the review page computes from snapshots: the change list and the diagram's status
colours, comment anchors, the proposal's rule findings (new ones marked) and the Alembic
revision that merging would generate."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from modeler import rules
from modeler.diff import diff
from modeler.diff.summary import ChangeSummary, summarize
from modeler.review.models import Proposal, Thread
from modeler.review.selectors import base_schema, proposal_schema
from modeler.schema import model as m
from modeler.web import models as db
from modeler.web.editing import Refused
from modeler.web.ruling import waivers_for
from modeler.web.versions import latest_version, version_findings, version_schema

if TYPE_CHECKING:
    from modeler.diagram.options import Status

CATEGORY_TITLES = {"tables": "Tables", "columns": "Columns", "constraints": "Keys and checks",
                   "indexes": "Indexes", "enums": "Enums", "enum_values": "Enum values",
                   "types": "Domains", "other": "Other"}
BEFORE = ("removed", "changed", "renamed")  # statuses shown on the "before" diagram
AFTER = ("added", "changed", "renamed")


@dataclass(frozen=True)
class Changes:
    """The proposal's changes against its base, for the change list and the diagram."""

    summary: ChangeSummary
    before_status: dict[str, Status] = field(default_factory=dict)
    after_status: dict[str, Status] = field(default_factory=dict)
    # (title, [{"action", "name", "detail", "anchor"}]) per category, for the change list;
    # "anchor" is the "comment on" value when the element can carry a thread
    sections: list[tuple[str, list[dict[str, str]]]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.summary.is_empty


def unplaced(schema: m.Schema) -> m.Schema:
    """``schema`` without diagram positions: the editor stores them when a design is first
    drawn, and a layout is not a change to review (or a reason for a merge conflict)."""
    if not any(t.position for t in schema.tables):
        return schema
    return replace(schema, tables=tuple(replace(t, position=None) for t in schema.tables))


def changes_between(before: m.Schema, after: m.Schema) -> Changes:
    """The change list and diagram statuses from ``before`` to ``after`` (layout ignored)."""
    summary = summarize(diff(unplaced(before), unplaced(after)))
    before_status: dict[str, Status] = {}
    after_status: dict[str, Status] = {}
    names = anchor_names(after, before)
    sections: list[tuple[str, list[dict[str, str]]]] = []
    for category, group in summary.groups.items():
        rows = []
        for entry in group.entries:
            if entry.action in BEFORE:
                before_status[entry.uid] = entry.action
            if entry.action in AFTER:
                after_status[entry.uid] = entry.action
            if entry.table_uid and entry.table_uid != entry.uid:
                # a column, key or index changed: its table changed too
                before_status.setdefault(entry.table_uid, "changed")
                after_status.setdefault(entry.table_uid, "changed")
            kind = names.get(entry.uid, ("", ""))[0]
            rows.append({"action": entry.action, "name": entry.name, "detail": entry.detail,
                         "anchor": f"{kind}:{entry.uid}" if kind else ""})
        if rows:
            sections.append((CATEGORY_TITLES.get(category, category), rows))
    sections.sort(key=lambda s: list(CATEGORY_TITLES.values()).index(s[0])
                  if s[0] in CATEGORY_TITLES.values() else 99)
    before_uids = _diagram_uids(before)
    after_uids = _diagram_uids(after)
    return Changes(summary=summary,
                   before_status={u: s for u, s in before_status.items() if u in before_uids},
                   after_status={u: s for u, s in after_status.items() if u in after_uids},
                   sections=sections)


def _diagram_uids(schema: m.Schema) -> set[str]:
    uids = {t.uid for t in schema.tables} | {r.uid for r in schema.relationships}
    uids |= {c.uid for t in schema.tables for c in t.columns}
    return uids


# ----------------------------------------------------------------------------- anchors

def anchor_names(*schemas: m.Schema) -> dict[str, tuple[str, str]]:
    """uid → (kind, label) of every table, column and relationship of ``schemas`` (the
    first schema that has an element names it)."""
    out: dict[str, tuple[str, str]] = {}
    for schema in schemas:
        for t in schema.tables:
            out.setdefault(t.uid, ("table", t.qualified_name))
            for c in t.columns:
                out.setdefault(c.uid, ("column", f"{t.qualified_name}.{c.name}"))
        for r in schema.relationships:
            out.setdefault(r.uid, ("relationship", r.name))
    return out


def anchor_choices(after: m.Schema, before: m.Schema) -> list[tuple[str, str]]:
    """Choices for "comment on": the proposal, then every table, column and relationship
    (elements the proposal removes are included, marked)."""
    now = anchor_names(after)
    order = {"table": 0, "column": 1, "relationship": 2}
    items = sorted(anchor_names(after, before).items(),
                   key=lambda kv: (order[kv[1][0]], kv[1][1]))
    return [("proposal", "the proposal as a whole")] + [
        (f"{kind}:{uid}", f"{kind} {label}" + ("" if uid in now else " (removed)"))
        for uid, (kind, label) in items]


def anchor_resolve(proposal: Proposal, anchor: str) -> tuple[str, str, str]:
    """``(kind, uid, label)`` for a "comment on" value; Refused when it names nothing."""
    anchor = (anchor or "proposal").strip()
    if anchor == "proposal":
        return Thread.Anchor.PROPOSAL, "", ""
    kind, _, uid = anchor.partition(":")
    found = anchor_names(proposal_schema(proposal), base_schema(proposal)).get(uid)
    if found is None or found[0] != kind:
        raise Refused(["Pick what the comment is about from the list."])
    return kind, uid, found[1]


def thread_label(thread: Thread, names: dict[str, tuple[str, str]], current: set[str]) -> str:
    if not thread.anchor_uid:
        return "proposal"
    label = names.get(thread.anchor_uid, (thread.anchor_kind, thread.anchor_label))[1]
    gone = "" if thread.anchor_uid in current else " (removed)"
    return f"{thread.anchor_kind} {label}{gone}"


# ---------------------------------------------------------------------------- findings

def findings_report(proposal: Proposal, schema: m.Schema, base: m.Schema, *,
                    main_waivers: bool = False) -> dict[str, Any]:
    """The proposal's findings as the version gate will see them (project levels, the
    proposal's waivers, and the main design's with ``main_waivers`` when ``schema`` is a
    merge with a moved main design); ``new`` marks findings its base did not have."""
    project, design = proposal.project, proposal.design
    found = version_findings(schema, project, design, message=None)
    if main_waivers:
        main = db.Design.objects.get(project=project, kind=db.Design.Kind.MAIN)
        found = rules.apply_waivers(schema, found, waivers_for(main))
    before = {f.key for f in version_findings(base, project, design, message=None)}
    rows: list[dict[str, Any]] = [{"rule": f.rule, "level": f.level.value, "path": f.target.path,
             "message": f.message, "hint": f.hint, "waived": f.waived,
             "grandfathered": f.grandfathered, "gating": f.gating, "key": f.target.key,
             "fixable": f.fixable,
             "new": f.key not in before} for f in found]
    rows.sort(key=lambda r: (not r["new"], rules.Level(r["level"]).rank, r["path"], r["rule"]))
    return {"rows": rows,
            "blocks": sum(1 for r in rows if r["level"] == "block"),
            "unwaived": sum(1 for r in rows if r["level"] == "justify" and r["gating"]),
            "new": sum(1 for r in rows if r["new"]),
            "gating": [r for r in rows if r["gating"]]}


# --------------------------------------------------------------------------- migration

def _revision_ids(project: db.Project, number: int, message: str,
                  previous: db.Version | None) -> tuple[str, str | None]:
    from modeler.codegen.versions import VersionInput, revision_id

    def rid(n: int, msg: str) -> str:
        return revision_id(VersionInput(number=n, message=msg, author="", created="",
                                        schema=m.Schema()))
    return rid(number, message), (rid(previous.number, previous.message) if previous else None)


def merge_message(proposal: Proposal) -> str:
    return f"Merge proposal #{proposal.number}: {proposal.title}"


@dataclass(frozen=True)
class MergeStep:
    """The version merging makes (or made): its number, message, author and date, the
    version before it and both schemas, without the diagram layout."""

    number: int
    message: str
    author: str
    created: str
    previous: db.Version | None
    old: m.Schema
    new: m.Schema


def merge_step(proposal: Proposal, new: m.Schema | None) -> MergeStep | None:
    """The merged version of a merged proposal, else the version merging would make now
    with ``new`` (None: the proposal does not merge cleanly)."""
    project = proposal.project
    if proposal.merged_version is not None:
        merged = proposal.merged_version
        previous = (db.Version.objects.filter(project=project, number__lt=merged.number)
                    .order_by("-number").first())
        new, number, message = version_schema(merged), merged.number, merged.message
        author, created = merged.author.get_username(), merged.created_at.date().isoformat()
    else:
        previous = latest_version(project)
        number = (previous.number if previous else 0) + 1
        message, created = merge_message(proposal), timezone.now().date().isoformat()
        author = "whoever merges it"
    if new is None:
        return None
    old = version_schema(previous) if previous else m.Schema()
    # the diagram layout is not part of the database: keep it out of the migration
    return MergeStep(number, message, author, created, previous, unplaced(old), unplaced(new))


NOT_CLEAN = "The proposal does not merge cleanly; resolve the conflicts first."


def migration_preview(proposal: Proposal, new: m.Schema | None) -> str:
    """The Alembic revision file merging would generate now (upgrade and downgrade), or for
    a merged proposal the one its merge generated."""
    from modeler.codegen.migration import render_revision

    step = merge_step(proposal, new)
    if step is None:
        return f"# {NOT_CLEAN}"
    revision, down = _revision_ids(proposal.project, step.number, step.message, step.previous)
    return render_revision(old=step.old, new=step.new, revision=revision,
                           down_revision=down, message=step.message, created=step.created)


def drizzle_migration(proposal: Proposal, new: m.Schema | None) -> tuple[str, str]:
    """(file name, text) of the drizzle-kit SQL migration of the same version, as the Drizzle
    bundle's ``drizzle/NNNN_vN_<slug>.sql`` holds it (the bundle's own code writes it)."""
    from modeler.codegen.drizzle.migrations import build_migrations, migration_tag, migration_text
    from modeler.codegen.versions import Revision, VersionInput

    step = merge_step(proposal, new)
    if step is None:
        return "migration.sql", f"-- {NOT_CLEAN}\n"
    revision, down = _revision_ids(proposal.project, step.number, step.message, step.previous)
    rev = Revision(VersionInput(number=step.number, message=step.message, author=step.author,
                                created=step.created, schema=step.new),
                   revision, down, step.old)
    (mig,) = build_migrations([rev], slug=proposal.project.slug)
    # its place among the project's versions, as in the bundle's chain of all of them
    tag = migration_tag(db.Version.objects.filter(project=proposal.project,
                                                  number__lt=step.number).count(), rev)
    return f"{tag}.sql", migration_text(mig, mig.up, mig.header)


def drizzle_text(proposal: Proposal, new: m.Schema | None) -> str:
    """The text of :func:`drizzle_migration`."""
    return drizzle_migration(proposal, new)[1]
