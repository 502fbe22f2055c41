"""PURE design-rule engine: rules, findings, fixes, gates, waivers and output formats.

The engine is this package's modules (``core`` values and registry, ``facts`` a lint run is
given, ``catalog``, ``runner``, ``gates``, ``fixes``, ``ruledocs``, ``output``); the rules
themselves are in :mod:`modeler.rules.builtin`, one module per category.

No Django, no SQLAlchemy: every function takes snapshots (:mod:`modeler.schema`) and values.

    from modeler.rules import Config, lint, safe_fixes, apply_edits, version_gate
    findings = lint(schema, Config(baseline=False))
"""

from modeler.rules.builtin.migrations import DestructiveChange, destructive_changes
from modeler.rules.catalog import all_rules, get_rule
from modeler.rules.core import (
    CATEGORIES,
    Config,
    Finding,
    Level,
    LevelOverride,
    Rule,
    SchemaChange,
    Target,
    registry,
)
from modeler.rules.facts import GENERATED_RUNTIME, RehearsalFacts, RuntimeFacts
from modeler.rules.fixes import (
    Fix,
    apply_edits,
    apply_safe_fixes,
    describe_edits,
    fix_for,
    fixes,
    safe_fixes,
)
from modeler.rules.gates import (
    Waiver,
    apply_waivers,
    element_gate,
    fingerprint,
    gate_findings,
    make_waiver,
    validate_justification,
    version_gate,
    waiver_status,
)
from modeler.rules.output import to_json, to_sarif, to_text
from modeler.rules.ruledocs import NOT_SCHEMA_CHECKED, RuleDoc, rule_doc, rule_docs
from modeler.rules.runner import lint

__all__ = [
    "CATEGORIES", "GENERATED_RUNTIME", "NOT_SCHEMA_CHECKED", "Config", "DestructiveChange",
    "Finding", "Fix", "Level", "LevelOverride", "RehearsalFacts", "Rule", "RuleDoc",
    "RuntimeFacts", "SchemaChange", "Target", "Waiver", "all_rules", "apply_edits",
    "apply_safe_fixes", "apply_waivers", "describe_edits", "destructive_changes", "element_gate",
    "fingerprint", "fix_for", "fixes", "gate_findings", "get_rule", "lint", "make_waiver",
    "registry", "rule_doc", "rule_docs", "safe_fixes", "to_json", "to_sarif", "to_text",
    "validate_justification", "version_gate", "waiver_status",
]
