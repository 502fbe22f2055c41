"""Every rule case in tests/rules/cases/*.json, run by one parametrized test.

A case file holds ``{"rule": id, "cases": [...]}``; a case has a ``name``, a ``schema`` and an
optional ``config`` (see :mod:`tests.rules.loader`), the ``expect``-ed findings of that rule
(``target`` path and ``level``; optional ``message`` substring and ``grandfathered`` flag) and,
for fixable rules, an optional ``fix``: ``edits`` (the preview lines of all fixes for the
case's findings), ``safe`` (every fix is / is not safe) and ``clean`` (after applying the
fixes' diff ops the rule has no findings).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from modeler.diff import diff
from modeler.rules import apply_edits, fixes, lint
from tests.rules.loader import build_config, build_schema

CASES_DIR = Path(__file__).parent / "cases"


def load_cases() -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    for path in sorted(CASES_DIR.glob("*.json")):
        data = json.loads(path.read_text())
        assert data["rule"] == path.stem, f"{path.name} holds cases of {data['rule']}"
        out.extend((data["rule"], case) for case in data["cases"])
    return out


CASES = load_cases()


@pytest.mark.parametrize(("rule_id", "case"),
                         [pytest.param(r, c, id=f"{r}: {c['name']}") for r, c in CASES])
def test_rule_case(rule_id: str, case: dict[str, Any]) -> None:
    schema = build_schema(case["schema"])
    config = build_config(case.get("config"))
    everything = lint(schema, config)
    for f in everything:  # every rule's output stays presentable, not just this rule's
        assert len(f.message) < 80 and "\n" not in f.message, f
        assert "\n" not in f.hint, f
    findings = [f for f in everything if f.rule == rule_id]
    got = sorted((f.target.path, f.level.value) for f in findings)
    want = sorted((e["target"], e["level"]) for e in case["expect"])
    assert got == want, [f"{f.target.path} {f.level.value}: {f.message}" for f in findings]
    for e in case["expect"]:
        mine = [f for f in findings if f.target.path == e["target"]]
        if "message" in e:
            assert any(e["message"] in f.message for f in mine), [f.message for f in mine]
        if "grandfathered" in e:
            assert all(f.grandfathered == e["grandfathered"] for f in mine)
    if "fix" in case:
        check_fix(schema, config, rule_id, findings, case["fix"])


def check_fix(schema: Any, config: Any, rule_id: str, findings: list[Any],
              spec: dict[str, Any]) -> None:
    found = fixes(schema, findings)
    for fx in found:  # a fix's ops are the differ's, found on the part of the design it changes
        assert fx.ops == diff(schema, fx.fixed)
    lines = [line for fx in found for line in fx.describe(schema)]
    if "edits" in spec:
        assert lines == spec["edits"]
    if "safe" in spec:
        assert found and all(fx.safe == spec["safe"] for fx in found)
    if spec.get("clean"):
        after = apply_edits(schema, [op for fx in found for op in fx.ops])
        left = lint(after, config, rules=[rule_id])
        assert not left, [f"{f.target.path}: {f.message}" for f in left]
