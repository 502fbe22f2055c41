"""Run the catalog over a snapshot: configuration, baseline grandfathering, sorting; findings
on partitions that their parent carries are reported once, on the parent."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from modeler.rules.catalog import all_rules
from modeler.rules.core import DEFAULT_CONFIG, Config, Finding, Level, Rule, registry
from modeler.rules.partitions import inherited
from modeler.schema.model import Schema


def _effective(f: Finding, override: Level | None, baseline: bool) -> Finding:
    level = override or f.level
    grandfathered = baseline and level is not Level.ADVISE
    if grandfathered:
        level = Level.JUSTIFY
    if level is f.level and not grandfathered:
        return f
    return replace(f, level=level, grandfathered=grandfathered)


def selected_rules(rules: Iterable[str] | None = None) -> tuple[Rule, ...]:
    """The rules to run: all, or those with the given ids (KeyError for unknown ids)."""
    if rules is None:
        return all_rules()
    table = registry()
    return tuple(table[r] for r in sorted(set(rules)))


def lint(schema: Schema, config: Config | None = None, *,
         rules: Iterable[str] | None = None) -> tuple[Finding, ...]:
    """Every finding of the catalog (or of ``rules``) on ``schema``, deterministic and sorted
    by target path, then rule id.

    Levels are the rules' own, then ``config.overrides``; with ``config.baseline`` BLOCK and
    JUSTIFY findings become grandfathered JUSTIFY findings (reported, not gating).
    """
    config = config or DEFAULT_CONFIG
    unknown = sorted(set(config.levels) - set(registry()))
    if unknown:
        raise ValueError(f"level override for unknown rule(s) {unknown}")
    out: list[Finding] = []
    for rule in selected_rules(rules):
        override = config.levels.get(rule.id)
        out.extend(_effective(f, override, config.baseline) for f in rule.check(schema, config))
    if any(t.partition_of is not None for t in schema.tables):
        copied = inherited(schema, out)  # said once, on the parent (see rules/partitions.py)
        out = [f for f in out if not copied(f)]
    out.sort(key=Finding.sort_key)
    return tuple(out)
