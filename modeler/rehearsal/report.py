"""The rehearsal's report: a dict for JSON, plain text for the CLI, ``REHEARSAL.md`` for the
bundle, and facts the design rules can use (:func:`rule_facts`)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from modeler.rehearsal.engine import Report

_MARK = {"pass": "ok  ", "fail": "FAIL", "warn": "warn", "skip": "skip"}
_MD_MARK = {"pass": "✅", "fail": "❌", "warn": "⚠️", "skip": "➖"}


def report_dict(report: Report) -> dict[str, Any]:
    """Everything the rehearsal measured, JSON-ready."""
    out: dict[str, Any] = {
        "title": report.title, "ok": report.ok, "previous_version": report.previous,
        "version": report.new, "server": report.server, "rows_scale": report.scale,
        "seconds": round(report.seconds, 3), "error": report.error,
        "checks": [asdict(c) for c in report.checks],
        "revisions": [], "round_trip": None, "query_patterns": [], "fk_scans": [],
        "sample_data": [],
    }
    for load in (report.data, report.topup):
        if load is not None:
            out["sample_data"] += [asdict(t) for t in load.tables]
    for rev in report.revisions:
        out["revisions"].append({
            "revision": rev.revision, "message": rev.message, "ok": rev.ok,
            "seconds": round(rev.seconds, 3), "output": rev.output, "flagged": rev.flagged,
            "tables": [{**asdict(lk), "projected_seconds": round(lk.projected, 3)}
                       for lk in rev.table_locks],
            "locks": [{"relation": s.relation, "mode": s.mode, "granted": s.granted,
                       "seconds": round(s.seconds, 4), "statement": s.statement[:500]}
                      for s in rev.locks],
            "statements": [{"sql": q[:500], "seconds": round(t, 4)}
                           for q, t in rev.statements.items()],
        })
    if report.round_trip is not None:
        out["round_trip"] = {**asdict(report.round_trip), "ok": report.round_trip.ok}
    if report.plans is not None:
        out["query_patterns"] = [asdict(p) for p in report.plans.patterns]
        out["fk_scans"] = [asdict(f) for f in report.plans.fk_scans]
    return out


def report_text(report: Report) -> str:
    """The verdict, one line per check with its details indented."""
    head = (f"Rehearsal of {report.title}: version {report.new}"
            + (f" over version {report.previous}" if report.previous else "")
            + f" on {report.server or 'no server'} (rows x {report.scale:g}, "
            f"{report.seconds:.1f} s)")
    lines = [head]
    if report.error:
        lines.append(f"FAIL {report.error}")
    for c in report.checks:
        lines.append(f"{_MARK.get(c.status, c.status)} {c.key}: {c.summary}")
        lines += [f"       {d}" for d in c.details for d in d.splitlines()[:15]]
    for rev in report.revisions:
        shown = statements(rev.statements)
        if shown:
            lines.append(f"     statements of {rev.revision} (seen running, longest first):")
            lines += [f"       {t * 1000:7.1f} ms  {' '.join(q.split())[:110]}"
                      for q, t in shown[:10]]
    lines.append("PASSED" if report.ok else "FAILED")
    return "\n".join(lines) + "\n"


_DDL = re.compile(r"^\\s*(ALTER|CREATE|DROP|COMMENT|INSERT|UPDATE|DELETE|TRUNCATE|REINDEX|"
                  r"VACUUM|CLUSTER|SELECT\\s+setval)\\b", re.I)


def statements(seen: dict[str, float]) -> list[tuple[str, float]]:
    """The migration's own statements among those seen running (not Alembic's bookkeeping
    or SQLAlchemy's introspection), longest first."""
    return sorted(((q, t) for q, t in seen.items()
                   if _DDL.match(q) and "alembic_version" not in q), key=lambda kv: -kv[1])


def report_markdown(report: Report) -> str:
    """``REHEARSAL.md``: the same report as a document (for the export bundle)."""
    out = [f"# Rehearsal: {report.title}, version {report.new}", ""]
    out.append(f"{'Passed' if report.ok else '**Failed**'}: version {report.new}"
               + (f" rehearsed over version {report.previous}" if report.previous else "")
               + f" on {report.server or 'no server'}, sample rows × {report.scale:g}, "
               f"{report.seconds:.1f} s.")
    out.append("")
    if report.error:
        out += [f"> {report.error}", ""]
    out += ["| check | result | summary |", "|---|---|---|"]
    for c in report.checks:
        out.append(f"| {c.key} | {_MD_MARK.get(c.status, c.status)} {c.status} | "
                   f"{_cell(c.summary)} |")
    for c in report.checks:
        if c.details:
            out += ["", f"## {c.key}", ""]
            out += [f"- {_cell(d.splitlines()[0] if d else '')}" for d in c.details[:200]]
    if report.plans and report.plans.patterns:
        out += ["", "## Query plans", ""]
        for p in report.plans.patterns:
            out += [f"### {p.table}: {p.pattern}", ""]
            if p.plan:
                out += ["```sql", p.plan.query, "```", "", "```", p.plan.tree, "```", ""]
            if p.suggestion:
                out += [f"Add: `{p.suggestion}`", ""]
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


@dataclass(frozen=True)
class Fact:
    """A finding-like record for the rules engine (``modeler.rules.core.Finding``'s fields:
    rule, level, target path, message under 80 characters, hint)."""

    rule: str
    level: str  # BLOCK, JUSTIFY, WARN, INFO
    target: str
    message: str
    hint: str = ""


_RULES = {
    "previous-upgrade": ("RH-01", "BLOCK"), "migration": ("RH-02", "BLOCK"),
    "locks": ("RH-03", "JUSTIFY"), "round-trip": ("RH-04", "BLOCK"),
    "query-plans": ("RH-05", "WARN"), "fk-scans": ("RH-06", "WARN"),
    "sample-data": ("RH-07", "INFO"), "sample-data-new": ("RH-07", "INFO"),
}


def rule_facts(report: Report) -> list[Fact]:
    """What the rehearsal found, as finding-like records for reports and CI (one per failing
    or warning check item; query patterns and FK scans per table; ``RH-*`` ids are local
    to this list). The design rules themselves read the stored facts instead
    (:func:`modeler.web.rehearsals.facts_record` -> :class:`modeler.rules.facts.
    RehearsalFacts`: IX-02 and MG-10)."""
    facts: list[Fact] = []
    if report.plans:
        for p in report.plans.patterns:
            if not p.served:
                facts.append(Fact("RH-05", "WARN", f"{p.table}/patterns/{p.pattern}",
                                  f"no index serves query pattern {p.pattern}"[:79],
                                  p.suggestion))
        for f in report.plans.fk_scans:
            facts.append(Fact("RH-06", "WARN", f"{f.child}/fks/{f.name}",
                              f"parent deletes scan {f.child}"[:79], f.suggestion))
    for c in report.checks:
        if c.status not in ("fail", "warn") or c.key in ("query-plans", "fk-scans"):
            continue
        rule, level = _RULES.get(c.key, ("RH-00", "WARN"))
        facts.append(Fact(rule, level if c.status == "fail" else "INFO", f"version/{report.new}",
                          c.summary[:79], c.details[0][:200] if c.details else ""))
    return facts
