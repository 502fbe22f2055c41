"""The rules engine applied to a project: its level settings, its waivers, the gates."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from modeler import rules
from modeler.cache import LockedLRU
from modeler.identity_memo import IdentityMemo
from modeler.rules import Config, Finding, Level, LevelOverride, Waiver
from modeler.schema import model as m
from modeler.web import models as db

if TYPE_CHECKING:
    from modeler.diagram.options import Badge

# Lint results by snapshot content: one edit lints its new snapshot once, and the panel, the
# diagram's badges and the next edit's gate reuse it. Keyed by the rule configuration and
# the snapshot's hash; a hit also compares the snapshot itself, so a collision cannot serve
# wrong findings.
# Each entry keeps a snapshot alive: bounded (8) for the collector too.
_CACHE: LockedLRU[tuple[Any, ...], tuple[m.Schema, tuple[Finding, ...]]] = LockedLRU(8)


def config_for(project: db.Project | int, **kw: Any) -> Config:
    """The rule configuration of ``project`` (or its pk): its level settings, and ``kw``."""
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


def raw_lint(schema: m.Schema, config: Config) -> tuple[Finding, ...]:
    """``rules.lint(schema, config)``, cached by content (see ``_CACHE``)."""
    key = (config.overrides, config.baseline, hash(schema))
    hit = _CACHE.get(key, lambda entry: entry[0] == schema)
    if hit is not None:
        return hit[1]
    found = rules.lint(schema, config)
    _CACHE.put(key, (schema, found))
    return found


def lint_project(schema: m.Schema, project: db.Project,
                 design: db.Design | None = None, *,
                 config: Config | None = None,
                 grandfathered: set[tuple[str, str]] | None = None) -> tuple[Finding, ...]:
    """:func:`modeler.web.selectors.design_findings` of ``design`` (default: the project's
    main design) at ``schema``; kept for the callers that name the project. ``config``: the
    project's rule configuration when the caller has just read it (an edit's gate did);
    ``grandfathered``: :func:`baseline_keys`, likewise."""
    from modeler.web.selectors import design_findings

    design = design or db.Design.objects.get(project=project, kind="main")
    return design_findings(design, schema, config=config, grandfathered=grandfathered)


def baseline_keys(project: db.Project | int) -> set[tuple[str, str]]:
    """Finding keys recorded on the project's imported baseline version (grandfathered)."""
    # only the findings: the row's schema_json (1 MB on a large design) is not read on every
    # edit and panel
    return keys_of(db.Version.objects.filter(project=project, baseline=True).order_by(
        "number").values_list("findings", flat=True).first())


def baseline_findings() -> Any:
    """:func:`baseline_keys`'s findings as a subquery of a query whose rows have a
    ``project_id`` (to read them along with it: :func:`keys_of` turns them into keys)."""
    from django.db.models import JSONField, OuterRef, Subquery

    return Subquery(db.Version.objects.filter(project=OuterRef("project_id"), baseline=True)
                    .order_by("number").values("findings")[:1], output_field=JSONField())


def keys_of(findings: Any) -> set[tuple[str, str]]:
    """The keys of a baseline version's stored findings (None: no baseline)."""
    return {(f["rule"], f["key"]) for f in findings or () if "key" in f}


def grandfather(findings: tuple[rules.Finding, ...],
                keys: set[tuple[str, str]]) -> tuple[rules.Finding, ...]:
    """Findings the imported baseline already had are reported, never gating."""
    if not keys:
        return findings
    return tuple(replace(f, grandfathered=True, default_level=f.default_level or f.level,
                         level=Level.JUSTIFY if f.level is Level.BLOCK else f.level)
                 if f.key in keys and f.level is not Level.ADVISE else f for f in findings)


def element_gate(old: m.Schema, new: m.Schema, target_uid: str | None,
                 project: db.Project, config: Config | None = None) -> tuple[Finding, ...]:
    """New BLOCK findings the edit introduces on its element (the rules' gate, fed with the
    cached lint results; config is never a baseline here, later saves are gated normally).
    ``config``: :func:`config_for` of ``project``, when the caller has it already."""
    config = config_for(project) if config is None else config
    return rules.gate_findings(old, new, target_uid, raw_lint(old, config),
                               raw_lint(new, config))


def worst_levels(findings: tuple[Finding, ...]) -> dict[str, Badge]:
    """table uid → worst unwaived level, for the diagram's badges."""
    return dict(badges(findings)[0])


def badges(findings: tuple[Finding, ...]) -> tuple[dict[str, Badge], dict[str, int]]:
    """table uid → worst unwaived level, and → number of unwaived findings (the diagram's
    badges), in one pass; memoised by the findings' tuple (a lint result is shared by the
    edit's drawing, the panel and the polls after it). Not to be changed by callers."""
    hit = _BADGES.get(findings)
    if hit is not None:
        return hit
    levels: dict[str, Badge] = {}
    counts: dict[str, int] = {}
    for f in findings:
        uid = f.target.table_uid
        if f.waived or not uid:
            continue
        counts[uid] = counts.get(uid, 0) + 1
        current = levels.get(uid)
        if current is None or f.level.rank < _RANKS[current]:
            levels[uid] = f.level.value
    return _BADGES.put(findings, (levels, counts))


_RANKS: dict[str, int] = {level.value: level.rank for level in Level}
_BADGES: IdentityMemo[tuple[Finding, ...], tuple[dict[str, Badge], dict[str, int]]] = (
    IdentityMemo(8))


BY_SEVERITY: tuple[Level, ...] = tuple(sorted(Level, key=lambda level: level.rank))
PANEL_LIMIT = 40  # findings listed per level in the editor's panel; the rest on their page


def panel(findings: tuple[Finding, ...], *, limit: int | None = PANEL_LIMIT,
          rule: str = "") -> dict[str, Any]:
    """Findings grouped by level, with counts, for the editor's findings panel: at most
    ``limit`` per level (None: all), the rest counted (``more``), and per level the rules
    by how often they fire (``rules``). ``rule`` keeps only that rule's findings."""
    counts = Counter(f.level.value for f in findings if not f.waived)
    groups = []
    for level in BY_SEVERITY:
        at_level = [f for f in findings if f.level is level]
        by_rule = Counter(f.rule for f in at_level)
        shown = [f for f in at_level if not rule or f.rule == rule]
        kept = shown if limit is None else shown[:limit]
        items = [{"rule": f.rule, "path": f.target.path, "message": f.message, "hint": f.hint,
                  "table_uid": f.target.table_uid or "", "waived": f.waived,
                  "grandfathered": f.grandfathered, "key": f.target.key,
                  "fixable": f.fixable}
                 for f in kept]
        if shown:
            groups.append({"level": level.value, "items": items, "count": len(shown),
                           "more": len(shown) - len(kept),
                           "rules": sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0]))})
    return {"counts": [(lvl.value, counts[lvl.value]) for lvl in BY_SEVERITY
                       if counts[lvl.value]],
            "groups": groups, "open": bool(counts["block"]), "total": len(findings),
            "limited": any(g["more"] for g in groups), "rule": rule}
