"""The rules engine applied to a project: its level settings, its waivers, the gates."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

from modeler import rules
from modeler.rules import Config, Finding, Level, LevelOverride, Waiver
from modeler.schema import model as m
from modeler.web import models as db

_LAST: dict[str, Any] = {}


def config_for(project: db.Project, **kw: Any) -> Config:
    overrides = tuple(LevelOverride(rule, Level(level), reason) for rule, level, reason in
                      db.RuleSetting.objects.filter(project=project).values_list(
                          "rule", "level", "reason"))
    return Config(overrides=overrides, **kw)


def waivers_for(design: db.Design | int) -> tuple[Waiver, ...]:
    design_id = design if isinstance(design, int) else design.pk
    return tuple(
        Waiver(rule=rule, target_key=key, fingerprint=fp, justification=text,
               author=author or "", created=created.isoformat())
        for rule, key, fp, text, author, created in db.Waiver.objects.filter(
            design_id=design_id).order_by("created_at", "id").values_list(
                "rule", "target_key", "fingerprint", "justification", "author__username",
                "created_at"))


def lint_project(schema: m.Schema, project: db.Project,
                 design: db.Design | None = None) -> tuple[Finding, ...]:
    """Findings with the project's levels and waivers applied (memoized per snapshot)."""
    cached = _LAST.get("key")
    design = design or db.Design.objects.get(project=project, kind="main")
    if cached is not None and cached[0] is schema and cached[1] == design.pk:
        result: tuple[Finding, ...] = _LAST["value"]
        return result
    found = grandfather(rules.lint(schema, config_for(project)), baseline_keys(project))
    value = tuple(rules.apply_waivers(schema, found, waivers_for(design)))
    _LAST["key"], _LAST["value"] = (schema, design.pk), value
    return value


def baseline_keys(project: db.Project) -> set[tuple[str, str]]:
    """Finding keys recorded on the project's imported baseline version (grandfathered)."""
    base = db.Version.objects.filter(project=project, baseline=True).order_by("number").first()
    if base is None:
        return set()
    return {(f["rule"], f["key"]) for f in base.findings if "key" in f}


def grandfather(findings: tuple[rules.Finding, ...],
                keys: set[tuple[str, str]]) -> tuple[rules.Finding, ...]:
    """Findings the imported baseline already had are reported, never gating."""
    if not keys:
        return findings
    return tuple(replace(f, grandfathered=True, default_level=f.default_level or f.level,
                         level=Level.JUSTIFY if f.level is Level.BLOCK else f.level)
                 if f.key in keys and f.level is not Level.ADVISE else f for f in findings)


def element_gate(old: m.Schema, new: m.Schema, target_uid: str | None,
                 project: db.Project) -> tuple[Finding, ...]:
    """New BLOCK findings the edit introduces on its element (anywhere, when the edit has no
    single element, e.g. a relationship drawn with new columns)."""
    config = config_for(project)
    if target_uid is not None and _present(new, target_uid):
        return rules.element_gate(old, new, target_uid, config)
    if target_uid is not None:
        owner = _owner_table(old, target_uid)
        if owner is not None and _present(new, owner):
            # a dropped column/index/constraint: gate its table
            return rules.element_gate(old, new, owner, config)
    before = {f.key for f in rules.lint(old, config) if f.level is Level.BLOCK}
    return tuple(f for f in rules.lint(new, config)
                 if f.level is Level.BLOCK and f.key not in before)


def _present(schema: m.Schema, uid: str) -> bool:
    idx = schema._index
    if uid in idx.tables or uid in idx.columns or uid in idx.types:
        return True
    return _owner_table(schema, uid) is not None or any(
        r.uid == uid for r in schema.relationships)


def _owner_table(schema: m.Schema, uid: str) -> str | None:
    idx = schema._index
    if uid in idx.columns:
        return idx.columns[uid][0].uid
    for t in schema.tables:
        if any(x.uid == uid for x in (*t.indexes, *t.uniques, *t.checks, *t.query_patterns)):
            return t.uid
    for r in schema.relationships:
        if r.uid == uid:
            return r.child_table
    return None


def worst_levels(schema: m.Schema, project: db.Project,
                 design: db.Design | None = None) -> dict[str, str]:
    """table uid → worst unwaived level, for the diagram's badges."""
    order = {"block": 0, "justify": 1, "advise": 2}
    out: dict[str, str] = {}
    for f in lint_project(schema, project, design):
        if f.waived or not f.target.table_uid:
            continue
        level = f.level.value
        current = out.get(f.target.table_uid)
        if current is None or order[level] < order[current]:
            out[f.target.table_uid] = level
    return out


def panel(schema: m.Schema, project: db.Project,
          design: db.Design | None = None) -> dict[str, Any]:
    """Findings grouped by level, with counts, for the editor's findings panel."""
    findings = lint_project(schema, project, design)
    counts = Counter(f.level.value for f in findings if not f.waived)
    groups = []
    for level in ("block", "justify", "advise"):
        items = [{"rule": f.rule, "path": f.target.path, "message": f.message, "hint": f.hint,
                  "table_uid": f.target.table_uid or "", "waived": f.waived,
                  "grandfathered": f.grandfathered, "key": f.target.key,
                  "fixable": f.fixable}
                 for f in findings if f.level.value == level]
        if items:
            groups.append({"level": level, "items": items})
    return {"counts": [(lvl, counts[lvl]) for lvl in ("block", "justify", "advise")
                       if counts[lvl]],
            "groups": groups, "open": bool(counts["block"]), "total": len(findings)}
