"""Stored rehearsals (issue #19): run one for a saved version or a proposal and keep its
report (:class:`modeler.web.models.RehearsalRun`), and read the stored ones back for the
review page, the version's rehearsal page, the export bundle (``REHEARSAL.md``) and the
rules (:class:`modeler.rules.facts.RehearsalFacts`).

:func:`rehearse_and_store` takes no request: the page calls it on a thread today, a
background task can call it as it is.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.models import User
from django.utils import timezone

from modeler.codegen.versions import VersionInput
from modeler.rehearsal import Options, Report, rehearse, report_dict, report_markdown
from modeler.rehearsal.engine import LOCK_BUDGET
from modeler.rules.facts import LongLock, RehearsalFacts, UnservedPattern, table_signature
from modeler.schema.model import Schema
from modeler.web import exporting
from modeler.web import models as db
from modeler.web.versions import latest_version, version_schema

if TYPE_CHECKING:
    from modeler.review.models import Proposal

log = logging.getLogger(__name__)

DEFAULT_SCALE = 0.1
FINISHED = (db.RehearsalRun.Status.PASSED, db.RehearsalRun.Status.FAILED)
STALE_AFTER = 3 * 3600  # seconds: a run still "running" after this died with its process


# ------------------------------------------------------------------------------ targets

def version_target(project: db.Project, number: int | None) -> tuple[str, list[VersionInput]]:
    """(label, versions up to ``number``; default the latest). LookupError when none."""
    latest = latest_version(project)
    if latest is None:
        raise LookupError("This project has no saved version yet.")
    upto = number if number is not None else latest.number
    inputs = exporting.version_inputs(project, upto)
    if not inputs or inputs[-1].number != upto:
        raise LookupError(f"No version {upto}.")
    return f"version {upto}", inputs


def proposal_target(project: db.Project, number: int) -> tuple[str, list[VersionInput]]:
    """The main line's versions plus the proposal's design (as merging would make it) as
    the next version."""
    from modeler.review import analysis, merging, selectors

    proposal = selectors.proposal_get(project, number)
    if proposal is None:
        raise LookupError(f"No proposal {number}.")
    latest = latest_version(project)
    inputs = exporting.version_inputs(project, latest.number) if latest else []
    plan = merging.merge_plan(proposal) if proposal.is_open else None
    schema = plan.schema if plan else selectors.proposal_schema(proposal)
    if schema is None:
        raise LookupError("The proposal does not merge cleanly; resolve the conflicts first.")
    schema = analysis.unplaced(schema)
    inputs.append(VersionInput(number=(latest.number if latest else 0) + 1,
                               message=analysis.merge_message(proposal), author="proposal",
                               created=timezone.now().date().isoformat(),
                               schema=replace(schema, tables=tuple(
                                   replace(t, position=None) for t in schema.tables))))
    return f"proposal #{number}", inputs


def check_scale(value: str | float) -> float:
    """A row scale: a finite number above 0 (at most 1). ValueError otherwise."""
    try:
        scale = float(value)
    except (TypeError, ValueError):
        scale = math.nan
    if not math.isfinite(scale) or scale <= 0:
        raise ValueError("The row scale is a number above 0 (e.g. 0.1).")
    return min(max(scale, 0.0001), 1.0)


# ------------------------------------------------------------------------------ facts

def _table_index(schema: Schema) -> dict[str, Any]:
    """Tables by every name the rehearsal may print for them (regclass text, unquoted)."""
    out: dict[str, Any] = {}
    for t in schema.tables:
        for name in (t.qualified_name, f"{t.namespace}.{t.name}"):
            out[name] = t
    return out


def facts_record(report: Report, schema: Schema) -> dict[str, list[dict[str, Any]]]:
    """What the rules may use from ``report`` (of ``schema``, the rehearsed design): query
    patterns explained without any index serving them, and tables a revision held ACCESS
    EXCLUSIVE for long at their expected volume; each with its table's signature."""
    tables = _table_index(schema)
    unserved: list[dict[str, Any]] = []
    if report.plans is not None:
        for p in report.plans.patterns:
            t = tables.get(p.table)
            if p.served or p.error or p.plan is None or t is None:
                continue
            unserved.append({"table": t.qualified_name, "pattern": p.pattern,
                             "suggestion": p.suggestion, "signature": table_signature(t)})
    locks: list[dict[str, Any]] = []
    for rev in report.revisions:
        for lk in rev.table_locks:
            t = tables.get(lk.table.replace('"', ""))
            if t is None or lk.projected < LOCK_BUDGET:
                continue
            what = "rewrites" if lk.rewritten else "scans" if lk.scanned else "holds"
            locks.append({"table": t.qualified_name, "seconds": round(lk.projected, 1),
                          "rows": lk.expected, "what": what,
                          "statement": " ".join((lk.statements or [""])[0].split())[:200],
                          "version": report.new, "signature": table_signature(t)})
    return {"unserved": unserved, "locks": locks}


def schema_digest(schema: Schema) -> str:
    """What a rehearsal's report is about, to tell whether a saved version is exactly the
    design a proposal's rehearsal ran (tables by :func:`table_signature`, enums, domains;
    positions, the design's name and settings left out)."""
    body = repr((sorted(table_signature(t) for t in schema.tables),
                 sorted(repr(e) for e in schema.enums), sorted(repr(d) for d in schema.domains)))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]


def facts_from_record(record: dict[str, Any], *, locks: bool = True) -> RehearsalFacts:
    return RehearsalFacts(
        unserved=tuple(UnservedPattern(**u) for u in record.get("unserved", [])),
        locks=tuple(LongLock(**lk) for lk in record.get("locks", [])) if locks else ())


def rehearsal_facts(project: db.Project, design: db.Design) -> RehearsalFacts | None:
    """The facts of the latest finished rehearsal that speaks about ``design``: a proposal's
    design, its proposal's (unserved patterns and long locks: its migration is still to
    come); the main design, the latest version's (unserved patterns only: that version's
    migration is history). None when there is none."""
    run: db.RehearsalRun | None
    finished = db.RehearsalRun.objects.filter(project=project, status__in=FINISHED)
    if design.kind == db.Design.Kind.PROPOSAL:
        run = finished.filter(proposal__design=design).order_by("-started_at", "-pk").first()
        with_locks = True
    else:
        latest = latest_version(project)
        run = (finished.filter(version=latest).order_by("-started_at", "-pk").first()
               if latest else None)
        with_locks = False
    if run is None or not run.facts:
        return None
    return facts_from_record(run.facts, locks=with_locks)


# ------------------------------------------------------------------------------ runs

def latest_run(project: db.Project, *, version: db.Version | None = None,
               proposal: Proposal | None = None,
               finished: bool = False) -> db.RehearsalRun | None:
    """The newest stored rehearsal of ``version`` or ``proposal`` (``finished``: passed or
    failed only)."""
    qs = db.RehearsalRun.objects.filter(project=project).select_related("ran_by")
    qs = qs.filter(version=version) if version is not None else qs.filter(proposal=proposal)
    if finished:
        qs = qs.filter(status__in=FINISHED)
    return qs.order_by("-started_at", "-pk").first()


def latest_statuses(project: db.Project) -> dict[int, str]:
    """Each rehearsed version's (by pk) latest stored status."""
    out: dict[int, str] = {}
    for version_id, status in db.RehearsalRun.objects.filter(
            project=project, version__isnull=False).order_by(
                "version_id", "-started_at", "-pk").values_list("version_id", "status"):
        out.setdefault(version_id, status)
    return out


def is_running(run: db.RehearsalRun | None) -> bool:
    return (run is not None and run.status == db.RehearsalRun.Status.RUNNING
            and (timezone.now() - run.started_at).total_seconds() < STALE_AFTER)


def _resolve(project: db.Project, version: db.Version | int | None,
             proposal: Proposal | int | None,
             ) -> tuple[db.Version | None, Proposal | None, list[VersionInput]]:
    if version is not None and proposal is not None:
        raise ValueError("Rehearse a version or a proposal, not both.")
    if proposal is not None:
        from modeler.review import selectors

        number = proposal if isinstance(proposal, int) else proposal.number
        found = selectors.proposal_get(project, number)
        if found is None or (not isinstance(proposal, int) and found.pk != proposal.pk):
            raise LookupError(f"No proposal {number}.")
        _label, inputs = proposal_target(project, number)
        return None, found, inputs
    wanted = version if isinstance(version, int) or version is None else version.number
    _label, inputs = version_target(project, wanted)
    row = db.Version.objects.get(project=project, number=inputs[-1].number)
    if version is not None and not isinstance(version, int) and row.pk != version.pk:
        raise LookupError(f"No version {wanted} in {project.slug}.")
    return row, None, inputs


def rehearse_and_store(*, project: db.Project, version: db.Version | int | None = None,
                       proposal: Proposal | int | None = None,
                       rows_scale: float = DEFAULT_SCALE,
                       user: User | None,
                       server_url: str | None = None,
                       progress: Callable[[str], None] | None = None,
                       on_report: Callable[[Report], None] | None = None) -> db.RehearsalRun:
    """Rehearse ``version`` (a number or the row; default the latest) or ``proposal`` and
    store the result; returns the stored run (``status`` passed, failed or error).

    Bad input (no such version or proposal, a proposal that does not merge, a row scale
    that is not a number above 0) raises LookupError or ValueError and stores nothing. A
    rehearsal that cannot run (no server, a crash) is stored with status ``error``.
    ``server_url``: default the ``MODELER_REHEARSAL_URL`` setting (empty: a throw-away local
    cluster). ``progress`` hears each stage; ``on_report`` gets the report object."""
    scale = check_scale(rows_scale)
    row, prop, inputs = _resolve(project, version, proposal)
    url = server_url or getattr(settings, "MODELER_REHEARSAL_URL", "") or None
    run = db.RehearsalRun.objects.create(
        project=project, version=row, proposal=prop, rows_scale=scale,
        ran_by=user if user is not None and user.is_authenticated else None,
        started_at=timezone.now(), stage="starting")
    last = [0.0]

    def stage(text: str) -> None:
        if progress is not None:
            progress(text)
        now = time.monotonic()
        if now - last[0] > 0.5:
            last[0] = now
            db.RehearsalRun.objects.filter(pk=run.pk).update(stage=text[:200])

    try:
        report = rehearse(inputs, Options(server_url=url, scale=scale, slug=project.slug),
                          stage)
    except Exception as exc:  # stored for the page; the caller gets the run
        log.exception("rehearsal of %s failed", run)
        run.status, run.error = db.RehearsalRun.Status.ERROR, f"{type(exc).__name__}: {exc}"
        run.finished_at, run.stage = timezone.now(), ""
        run.save(update_fields=["status", "error", "finished_at", "stage", "updated_at"])
        return run
    if on_report is not None:
        on_report(report)
    run.report = json.loads(json.dumps(report_dict(report), default=str))
    run.report["schema_digest"] = schema_digest(inputs[-1].schema)
    run.markdown = report_markdown(report)
    run.server = report.server[:200]
    run.facts = facts_record(report, inputs[-1].schema)
    run.error = report.error
    run.status = (db.RehearsalRun.Status.ERROR if report.error else
                  db.RehearsalRun.Status.PASSED if report.ok else db.RehearsalRun.Status.FAILED)
    run.finished_at, run.stage = timezone.now(), ""
    run.save()
    return run


# ------------------------------------------------------------------------------ views of it

def view_model(run: db.RehearsalRun | None) -> dict[str, Any] | None:
    """What the report section shows of a stored run (checks green/red, plans to expand)."""
    if run is None:
        return None
    doc = run.report or {}
    patterns = []
    for p in doc.get("query_patterns", []):
        plan = p.get("plan") or {}
        fixed = p.get("with_suggestion") or {}
        patterns.append({
            "table": p.get("table", ""), "pattern": p.get("pattern", ""),
            "served": bool(p.get("served")), "error": p.get("error", ""),
            "index": plan.get("index") or "", "forced": bool(plan.get("forced")),
            "cost": plan.get("cost"), "ms": plan.get("ms"), "query": plan.get("query", ""),
            "tree": plan.get("tree", ""), "suggestion": p.get("suggestion", ""),
            "fixed_tree": fixed.get("tree", ""), "fixed_cost": fixed.get("cost")})
    return {"run": run, "ok": run.status == db.RehearsalRun.Status.PASSED,
            "running": is_running(run), "checks": doc.get("checks", []),
            "patterns": patterns, "seconds": doc.get("seconds"),
            "previous": doc.get("previous_version"), "version": doc.get("version"),
            "fk_scans": doc.get("fk_scans", [])}


def _merged_proposal_run(version: db.Version) -> tuple[db.RehearsalRun | None, str]:
    """The latest finished rehearsal of the proposal merged as ``version`` when it rehearsed
    exactly that design over the version before (nothing changed on either side since)."""
    from modeler.review.models import Proposal

    proposal = Proposal.objects.filter(merged_version=version).first()
    if proposal is None:
        return None, ""
    digest = schema_digest(version_schema(version))
    previous = version.number - 1 or None
    for run in db.RehearsalRun.objects.filter(proposal=proposal, status__in=FINISHED).order_by(
            "-started_at", "-pk").select_related("ran_by"):
        doc = run.report or {}
        if (doc.get("schema_digest") == digest and doc.get("version") == version.number
                and doc.get("previous_version") == previous):
            return run, f" as proposal #{proposal.number} before it was merged"
    return None, ""


def bundle_markdown(version: db.Version) -> str | None:
    """``REHEARSAL.md`` for the export of ``version``: its latest finished rehearsal's report
    (or, when it has none, that of the proposal merged as it, if that rehearsed exactly this
    design) and who ran it when; None otherwise. The same stored run gives the same text."""
    run = latest_run(version.project, version=version, finished=True)
    source = ""
    if run is None:
        run, source = _merged_proposal_run(version)
    if run is None or not run.markdown:
        return None
    who = run.ran_by.get_username() if run.ran_by is not None else "the system"
    when = run.started_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return (run.markdown.rstrip("\n") + "\n\n---\n\n"
            + f"Rehearsed{source} by {who} on {when} (stored rehearsal {run.pk}). A rehearsal runs "
            "the migrations on generated sample data in a scratch database; rehearse again "
            "from the version's page after changing the server or the expected rows.\n")
