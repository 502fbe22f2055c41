"""The two gates (element save, version save) and waivers.

A waiver covers one JUSTIFY finding: same rule, same target, and the same *fingerprint* of
the target's definition. When the target changes, the fingerprint changes, the waiver
lapses and the finding gates again. BLOCK findings are never waivable.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Literal

from modeler.rules.analysis import analyze
from modeler.rules.catalog import get_rule
from modeler.rules.core import DEFAULT_CONFIG, Config, Finding, Level, Rule
from modeler.rules.ruledocs import doc_for
from modeler.rules.runner import lint
from modeler.schema.model import Relationship, Schema, Table

MIN_JUSTIFICATION = 20
# Presentation-only fields: moving a table on the diagram does not lapse its waivers.
_IGNORED: dict[type, tuple[str, ...]] = {Table: ("position", "color", "subject_area")}


@dataclass(frozen=True, slots=True)
class Waiver:
    """A recorded justification for one JUSTIFY finding."""

    rule: str
    target_key: str
    fingerprint: str
    justification: str
    author: str
    created: str  # ISO 8601 timestamp


def _canonical(obj: object) -> object:
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        skip = _IGNORED.get(type(obj), ())
        return {f.name: _canonical(getattr(obj, f.name)) for f in dataclasses.fields(obj)
                if f.name not in skip}
    if isinstance(obj, tuple | list):
        return [_canonical(x) for x in obj]
    return obj


def fingerprint(schema: Schema, finding: Finding) -> str:
    """Stable hash of the definition of the finding's target element(s) (canonical JSON)."""
    elements = analyze(schema).elements
    target = finding.target
    parts: list[object] = [finding.rule, target.kind, target.key]
    uids = target.uids
    if target.kind == "primary_key" and target.uid is not None:
        table = elements.get(target.uid)
        parts.append(getattr(table, "pk_name", None))
        uids = target.related
    for uid in uids:
        obj = elements.get(uid)
        parts.append(_canonical(obj) if obj is not None else f"absent:{uid}:{target.path}")
    text = json.dumps(parts, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[\W_]+", " ", text.lower()).split())


def validate_justification(text: str, rule: Rule | str) -> str | None:
    """Why ``text`` is not an acceptable justification for a waiver of ``rule``, or None."""
    r = get_rule(rule) if isinstance(rule, str) else rule
    clean = " ".join(text.split())
    if len(clean) < MIN_JUSTIFICATION:
        return f"A justification needs at least {MIN_JUSTIFICATION} characters"
    if len(set(clean.lower()) - {" "}) < 5:
        return "A justification must say something"
    doc = doc_for(r)
    rule_text = _norm(" ".join((doc.name, doc.summary, doc.why, doc.bad, doc.good,
                                doc.levels_note, r.id)))
    if _norm(clean) in rule_text:
        return "A justification must explain this case, not repeat the rule"
    return None


def make_waiver(schema: Schema, finding: Finding, justification: str, author: str,
                created: str) -> Waiver:
    """A waiver for ``finding``; ValueError when it cannot be waived or the text is refused."""
    if finding.level is not Level.JUSTIFY:
        raise ValueError(f"only JUSTIFY findings can be waived ({finding.rule} is "
                         f"{finding.level.value})")
    problem = validate_justification(justification, finding.rule)
    if problem:
        raise ValueError(problem)
    return Waiver(finding.rule, finding.target.key, fingerprint(schema, finding),
                  " ".join(justification.split()), author, created)


def apply_waivers(schema: Schema, findings: Iterable[Finding],
                  waivers: Iterable[Waiver]) -> tuple[Finding, ...]:
    """``findings`` with ``waived=True`` on each JUSTIFY finding a current waiver covers."""
    by_key: dict[tuple[str, str], set[str]] = {}
    for w in waivers:
        by_key.setdefault((w.rule, w.target_key), set()).add(w.fingerprint)
    if not by_key:
        return tuple(findings)
    waived_rules = {rule for rule, _ in by_key}
    out = []
    for f in findings:
        if f.rule in waived_rules and f.level is Level.JUSTIFY:
            prints = by_key.get(f.key)
            if prints and fingerprint(schema, f) in prints:
                f = replace(f, waived=True)
        out.append(f)
    return tuple(out)


def waiver_status(schema: Schema, waiver: Waiver, findings: Iterable[Finding]
                  ) -> Literal["valid", "lapsed", "unused"]:
    """``valid``: covers a current finding; ``lapsed``: the finding is back with a changed
    target; ``unused``: no such finding any more (the problem was fixed)."""
    for f in findings:
        if f.key == (waiver.rule, waiver.target_key):
            return "valid" if fingerprint(schema, f) == waiver.fingerprint else "lapsed"
    return "unused"


def _scope(schema: Schema, element_uid: str) -> frozenset[str]:
    """The element and its children (a table's columns, indexes, constraints, patterns and
    outgoing relationships)."""
    try:
        t = schema.table(element_uid)
    except KeyError:
        return frozenset({element_uid})
    uids = {t.uid}
    for group in (t.columns, t.indexes, t.uniques, t.checks, t.query_patterns):
        uids.update(x.uid for x in group)
    uids.update(r.uid for r in schema.relationships_of(t.uid))
    return frozenset(uids)


def _owner_table(schema: Schema, uid: str) -> str | None:
    """The table holding the element ``uid`` (a relationship's child table), if any."""
    found = schema.locate(uid)
    if found is None:
        return None
    if isinstance(found.element, Relationship):
        return found.element.child_table
    return found.table.uid if found.table is not None else None


def _present(schema: Schema, uid: str) -> bool:
    found = schema.locate(uid)
    return found is not None and found.kind != "extension"


def gate_findings(before: Schema, after: Schema, element_uid: str | None,
                  before_findings: Iterable[Finding],
                  after_findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """The gate on findings already computed (callers that cache lint results use this).

    New BLOCK findings (same rule and target absent before) on the element or its children.
    A dropped element is gated on the table that held it; with no element (``None``), or
    when its table is gone too, every new BLOCK finding counts.
    """
    old = {f.key for f in before_findings if f.level is Level.BLOCK}
    new = [f for f in after_findings if f.level is Level.BLOCK and f.key not in old]
    if not new or element_uid is None:
        return tuple(new)
    element: str | None = element_uid
    if not _present(after, element_uid):
        element = _owner_table(before, element_uid)
        if element is None or not _present(after, element):
            return tuple(new)
    assert element is not None
    scope = _scope(after, element)

    def on_element(f: Finding) -> bool:
        t = f.target
        return t.table_uid == element or t.uid in scope or any(u in scope for u in t.related)

    return tuple(f for f in new if on_element(f))


def element_gate(before: Schema, after: Schema, element_uid: str | None,
                 config: Config | None = None) -> tuple[Finding, ...]:
    """BLOCK findings on the element (or its children) that ``after`` has and ``before`` has
    not (same rule and target). Empty = the save may proceed. See :func:`gate_findings`.

    Saves after an imported baseline are gated normally, so ``config.baseline`` is ignored.
    """
    cfg = replace(config or DEFAULT_CONFIG, baseline=False)
    return gate_findings(before, after, element_uid, lint(before, cfg), lint(after, cfg))


def version_gate(schema: Schema, config: Config | None = None,
                 waivers: Iterable[Waiver] = ()) -> list[str]:
    """Why the version cannot be saved: every BLOCK finding and every JUSTIFY finding without
    a valid waiver (grandfathered baseline findings pass). Empty = it can be saved."""
    findings = apply_waivers(schema, lint(schema, config), waivers)
    return [f"{f.level.value.upper()} {f.rule} {f.target.path}: {f.message}"
            + ("" if f.level is Level.BLOCK else " (no valid waiver)")
            for f in findings if f.gating]
