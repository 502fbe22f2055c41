"""Fixes: the edits rules propose for their findings, and the "fix all safe findings" set."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from modeler.rules.analysis import analyze
from modeler.rules.catalog import get_rule
from modeler.rules.core import Config, Finding, Target
from modeler.rules.edits import Edit, apply_edits
from modeler.rules.runner import lint
from modeler.schema.model import Schema


@dataclass(frozen=True, slots=True)
class Fix:
    """The edits that resolve one finding; ``safe`` fixes may be applied without review."""

    rule: str
    target: Target
    edits: tuple[Edit, ...]
    safe: bool

    def describe(self, schema: Schema) -> tuple[str, ...]:
        return tuple(e.describe(schema) for e in self.edits)


def fix_for(schema: Schema, finding: Finding) -> Fix | None:
    """The fix a rule offers for ``finding`` (None when there is no mechanical fix)."""
    if not finding.fixable:
        return None
    rule = get_rule(finding.rule)
    edits = rule.fix(schema, finding)
    if not edits:
        return None
    return Fix(finding.rule, finding.target, edits, rule.is_safe_fix(schema, finding))


def fixes(schema: Schema, findings: Iterable[Finding]) -> tuple[Fix, ...]:
    """Fixes for those of ``findings`` that have one, in finding order."""
    found = (fix_for(schema, f) for f in findings)
    return tuple(f for f in found if f is not None)


def _existing_claims(schema: Schema) -> set[str]:
    a = analyze(schema)
    claims = {f"rel:{ns}:{name}" for ns, name in a.relation_names}
    for t in schema.tables:
        claims.update(f"col:{t.uid}:{c.name}" for c in t.columns)
        claims.update(f"con:{t.uid}:{n}" for n in a.constraint_names(t))
    return claims


def combine(schema: Schema, candidates: Iterable[Fix]) -> tuple[Edit, ...]:
    """Edits of ``candidates`` that do not step on each other, in order.

    A fix is left out when it touches an element an earlier fix touches, or takes a name that
    exists or that an earlier fix takes; so the result always applies cleanly.
    """
    claimed = _existing_claims(schema)
    out: list[Edit] = []
    for fx in candidates:
        keys = frozenset().union(*(e.claims(schema) for e in fx.edits))
        if keys & claimed:
            continue
        claimed |= keys
        out.extend(fx.edits)
    return tuple(out)


def safe_fixes(schema: Schema, config: Config | None = None) -> tuple[Edit, ...]:
    """Edits of every safe fix for the findings of ``schema`` ("fix all safe findings"),
    combined so that they apply together (see :func:`combine`)."""
    candidates = (f for f in lint(schema, config)
                  if f.fixable and get_rule(f.rule).is_safe_fix(schema, f))
    return combine(schema, (fx for fx in fixes(schema, candidates) if fx.safe))


def apply_safe_fixes(schema: Schema, config: Config | None = None) -> Schema:
    """``schema`` with :func:`safe_fixes` applied."""
    return apply_edits(schema, safe_fixes(schema, config))
