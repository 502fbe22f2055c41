"""Findings as JSON, SARIF 2.1.0 and plain text (pure; the CLI wraps these)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from modeler.rules.catalog import all_rules
from modeler.rules.core import Finding, Level
from modeler.rules.ruledocs import doc_for

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SARIF_LEVEL = {Level.BLOCK: "error", Level.JUSTIFY: "warning", Level.ADVISE: "note"}
TOOL_NAME = "er-modeler"


def target_json(f: Finding) -> dict[str, Any]:
    t = f.target
    return {"kind": t.kind, "path": t.path, "uid": t.uid, "table": t.table_uid}


def to_json(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    """One object per finding with exactly the keys ``rule``, ``level`` (block, justify,
    advise), ``target`` ({kind, path, uid, table}), ``message``, ``hint``, ``waived``.

    ``waived`` is true when a waiver covers the finding or the imported baseline
    grandfathers it: either way it does not gate.
    """
    return [{"rule": f.rule, "level": f.level.value, "target": target_json(f),
             "message": f.message, "hint": f.hint, "waived": f.waived or f.grandfathered}
            for f in findings]


def to_text(findings: Iterable[Finding]) -> str:
    """One line per finding: ``LEVEL  RULE  path: message  (hint)``, and a count."""
    lines = []
    counts = dict.fromkeys(Level, 0)
    for f in findings:
        counts[f.level] += 1
        note = " [waived]" if f.waived else " [grandfathered]" if f.grandfathered else ""
        hint = f"  ({f.hint})" if f.hint else ""
        lines.append(f"{f.level.value.upper():7} {f.rule}  {f.target.path}: {f.message}"
                     f"{note}{hint}")
    total = sum(counts.values())
    summary = ", ".join(f"{counts[lvl]} {lvl.value}" for lvl in Level)
    lines.append(f"{total} finding{'s' if total != 1 else ''} ({summary})")
    return "\n".join(lines) + "\n"


def _sarif_rules() -> tuple[list[dict[str, Any]], dict[str, int]]:
    rules, index = [], {}
    for i, r in enumerate(all_rules()):
        doc = doc_for(r)
        index[r.id] = i
        rules.append({
            "id": r.id, "name": r.name,
            "shortDescription": {"text": doc.summary},
            "fullDescription": {"text": doc.why},
            "help": {"text": f"{doc.why}\n\nBad:\n{doc.bad}\n\nGood:\n{doc.good}"},
            "helpUri": f"/rules/{r.id}/",
            "defaultConfiguration": {"level": _SARIF_LEVEL[r.level]},
            "properties": {"category": r.category, "level": r.level.value},
        })
    return rules, index


def to_sarif(findings: Iterable[Finding], *, tool_version: str = "0.1.0",
             schema_name: str = "") -> dict[str, Any]:
    """A SARIF 2.1.0 log: one run, the catalog as ``tool.driver.rules``, findings as results
    with logical locations (``fullyQualifiedName`` = the target path). Waived and
    grandfathered findings carry an accepted suppression."""
    rules, index = _sarif_rules()
    results = []
    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.rule, "ruleIndex": index.get(f.rule, -1),
            "level": _SARIF_LEVEL[f.level],
            "message": {"text": f.message + (f" {f.hint}." if f.hint else "")},
            "locations": [{"logicalLocations": [{
                "name": f.target.path.rsplit(".", 1)[-1],
                "fullyQualifiedName": f.target.path, "kind": f.target.kind}]}],
            "partialFingerprints": {"targetKey/v1": f"{f.rule}|{f.target.key}"},
            "properties": {"level": f.level.value, "target": target_json(f),
                           "hint": f.hint, "grandfathered": f.grandfathered},
        }
        if f.waived or f.grandfathered:
            result["suppressions"] = [{
                "kind": "external", "status": "accepted",
                "justification": "waiver" if f.waived else "imported baseline"}]
        results.append(result)
    run: dict[str, Any] = {
        "tool": {"driver": {"name": TOOL_NAME, "version": tool_version,
                            "informationUri": "/rules/", "rules": rules}},
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    if schema_name:
        run["properties"] = {"schema": schema_name}
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
