"""JSON, SARIF and text output."""

from __future__ import annotations

import json

from modeler.rules import Config, lint, to_json, to_sarif, to_text
from modeler.rules.gates import apply_waivers, make_waiver
from modeler.schema.builder import SchemaBuilder
from modeler.schema.model import Schema


def design() -> Schema:
    b = SchemaBuilder()
    t = b.table("note", comment="A note somebody wrote down")
    t.column("id", "bigint", identity="always", pk=True)
    t.column("body", "text", nullable=True)
    t.column("meta", "json")
    t.timestamps()
    return b.build()


def test_json_has_exactly_the_documented_keys() -> None:
    rows = to_json(lint(design()))
    assert rows
    for row in rows:
        assert list(row) == ["rule", "level", "target", "message", "hint", "waived"]
        assert row["level"] in ("block", "justify", "advise")
        assert set(row["target"]) == {"kind", "path", "uid", "table"}
        assert row["waived"] is False
    json.dumps(rows)  # serializable as is


def test_json_marks_waived_and_grandfathered_findings() -> None:
    schema = design()
    findings = lint(schema)
    body = next(f for f in findings if f.rule == "CN-01")
    waiver = make_waiver(schema, body, "Notes may be empty while a draft is started", "bo", "t")
    rows = to_json(apply_waivers(schema, findings, [waiver]))
    assert [r["rule"] for r in rows if r["waived"]] == ["CN-01"]
    baseline = to_json(lint(schema, Config(baseline=True)))
    assert all(r["waived"] for r in baseline if r["level"] != "advise")


def test_sarif_shape() -> None:
    findings = lint(design())
    log = to_sarif(findings, tool_version="1.2.3")
    assert log["version"] == "2.1.0" and "sarif-2.1.0" in log["$schema"]
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert driver["version"] == "1.2.3"
    ids = [r["id"] for r in driver["rules"]]
    assert ids == sorted(ids)
    assert len(run["results"]) == len(findings)
    for result, f in zip(run["results"], findings, strict=True):
        assert result["ruleId"] == f.rule
        assert driver["rules"][result["ruleIndex"]]["id"] == f.rule
        assert result["level"] in ("error", "warning", "note")
        loc = result["locations"][0]["logicalLocations"][0]
        assert loc["fullyQualifiedName"] == f.target.path
    json.dumps(log)


def test_sarif_suppresses_grandfathered_findings() -> None:
    log = to_sarif(lint(design(), Config(baseline=True)))
    results = log["runs"][0]["results"]
    assert all(r.get("suppressions") for r in results if r["level"] != "note")


def test_text_lists_one_line_per_finding_and_a_summary() -> None:
    findings = lint(design())
    text = to_text(findings)
    lines = text.splitlines()
    assert len(lines) == len(findings) + 1
    assert lines[0].split()[0] in ("BLOCK", "JUSTIFY", "ADVISE")
    assert lines[-1].startswith(f"{len(findings)} findings (")
    assert to_text([]) == "0 findings (0 block, 0 justify, 0 advise)\n"


def test_outputs_are_deterministic() -> None:
    assert to_json(lint(design())) == to_json(lint(design()))
    assert json.dumps(to_sarif(lint(design()))) == json.dumps(to_sarif(lint(design())))
