"""Fixes: the changes rules propose for their findings, and the "fix all safe findings" set.

A rule's fix is a pure change of the design (:data:`~modeler.rules.core.SchemaChange`, built
from :mod:`modeler.schema.edit`); what it does is said by the diff ops between the design and
the fixed design (:mod:`modeler.diff`), which also preview it, apply it and tell which fixes
step on each other (:mod:`.fix_ops`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from modeler.diff import Op, apply_all, diff
from modeler.rules.analysis import analyze
from modeler.rules.catalog import get_rule
from modeler.rules.core import Config, Finding, SchemaChange, Target
from modeler.rules.fix_ops import claims, fix_diff, preview_lines
from modeler.rules.runner import lint
from modeler.schema.model import Schema, normalized


@dataclass(frozen=True, slots=True)
class Fix:
    """What resolves one finding: the ``fixed`` design and the ``ops`` that lead there from
    the design it was made for; ``safe`` fixes may be applied without review."""

    rule: str
    target: Target
    fixed: Schema
    ops: tuple[Op, ...]
    safe: bool
    change: SchemaChange = field(compare=False, repr=False)

    def describe(self, schema: Schema) -> tuple[str, ...]:
        """The preview lines (``schema``: the design the fix was made for)."""
        return preview_lines(schema, self.ops)


def fix_for(schema: Schema, finding: Finding) -> Fix | None:
    """The fix a rule offers for ``finding`` (None when there is no mechanical fix, or when
    it would change nothing or not fit the design)."""
    if not finding.fixable:
        return None
    rule = get_rule(finding.rule)
    change = rule.fix(schema, finding)
    if change is None:
        return None
    try:
        fixed = change(schema)
    except (KeyError, ValueError):
        return None
    ops = fix_diff(schema, fixed)
    if not ops:
        return None
    return Fix(finding.rule, finding.target, fixed, ops, rule.is_safe_fix(schema, finding),
               change)


def fixes(schema: Schema, findings: Iterable[Finding]) -> tuple[Fix, ...]:
    """Fixes for those of ``findings`` that have one, in finding order."""
    found = (fix_for(schema, f) for f in findings)
    return tuple(f for f in found if f is not None)


def _existing_claims(schema: Schema) -> set[str]:
    a = analyze(schema)
    taken = {f"rel:{ns}:{name}" for ns, name in a.relation_names}
    taken |= {f"ext:{e.name}" for e in schema.extensions}
    for t in schema.tables:
        taken.update(f"col:{t.uid}:{c.name}" for c in t.columns)
        taken.update(f"con:{t.uid}:{n}" for n in a.constraint_names(t))
    return taken


def combine(schema: Schema, candidates: Iterable[Fix]) -> Schema:
    """``schema`` with the fixes of ``candidates`` that do not step on each other, in order.

    A fix is left out when it touches an element an earlier fix touches, or takes a name that
    exists or that an earlier fix takes (:func:`.fix_ops.claims` of its ops); so the others
    always apply cleanly.
    """
    claimed = _existing_claims(schema)
    out = schema
    for fx in candidates:
        keys = claims(schema, fx.ops)
        if keys & claimed:
            continue
        try:
            out = fx.change(out)
        except (KeyError, ValueError):  # pragma: no cover - the claims keep fixes apart
            continue
        claimed |= keys
    return normalized(out)


def _safe_fixed(schema: Schema, config: Config | None) -> Schema:
    candidates = (f for f in lint(schema, config)
                  if f.fixable and get_rule(f.rule).is_safe_fix(schema, f))
    return combine(schema, (fx for fx in fixes(schema, candidates) if fx.safe))


def safe_fixes(schema: Schema, config: Config | None = None) -> tuple[Op, ...]:
    """The ops of every safe fix for the findings of ``schema`` ("fix all safe findings"),
    combined so that they apply together (see :func:`combine`)."""
    return diff(schema, _safe_fixed(schema, config))


def apply_safe_fixes(schema: Schema, config: Config | None = None) -> Schema:
    """``schema`` with every safe fix applied (what :func:`safe_fixes` leads to)."""
    return _safe_fixed(schema, config)


def apply_edits(schema: Schema, ops: Sequence[Op]) -> Schema:
    """``schema`` with the ops of fixes applied in order, normalized (KeyError or ValueError
    when they do not fit it)."""
    return normalized(apply_all(tuple(ops), schema))


def describe_edits(schema: Schema, ops: Sequence[Op]) -> tuple[str, ...]:
    """The preview lines of ``ops`` (names as in ``schema``, before them)."""
    return preview_lines(schema, ops)
