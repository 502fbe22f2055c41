"""The catalog in code agrees with RULES.md, and every rule is documented and tested."""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from modeler.rules import NOT_SCHEMA_CHECKED, all_rules, rule_doc, rule_docs
from modeler.rules.core import Rule
from tests.rules.test_cases import CASES

RULES_MD = Path(__file__).parents[2] / ".." / "shared" / "docs" / "RULES.md"
_ENTRY = re.compile(r"\*\*([A-Z]{2}-\d{2}) · (.+?) · (.+?)\*\*", re.S)
_RANGE = re.compile(r"\*\*([A-Z]{2})-(\d{2})\.\.(\d{2})")


def _expand(text: str) -> set[str]:
    """``OR-01..07`` → OR-01 ... OR-07; a plain id → itself."""
    m = re.fullmatch(r"([A-Z]{2})-(\d{2})\.\.(\d{2})", text)
    if not m:
        return {text}
    return {f"{m.group(1)}-{i:02d}" for i in range(int(m.group(2)), int(m.group(3)) + 1)}


# Rules the issues ask for whose catalog line RULES.md (shared, not ours to edit) does not
# have yet: (name, level) as the line should read. Once RULES.md lists one, the test below
# asks for it to go from here.
PROPOSED: dict[str, tuple[str, str]] = {
    "MG-09": ("Existing rows are backfilled", "BLOCK"),  # issue 13: data-safe changes
    "MG-10": ("No long exclusive lock in the rehearsal", "JUSTIFY"),  # issue 19: rehearsal
}


@pytest.fixture(scope="module")
def catalog() -> dict[str, object]:
    if not RULES_MD.exists():
        pytest.skip(f"{RULES_MD} is absent (the shared docs are not checked out here)")
    text = RULES_MD.read_text()
    entries = {m.group(1): (m.group(2), " ".join(m.group(3).split()))
               for m in _ENTRY.finditer(text)}
    for rule_id in PROPOSED:
        assert rule_id not in entries, f"RULES.md lists {rule_id} now: drop it from PROPOSED"
    entries.update(PROPOSED)
    listed = set(entries)
    core: set[str] = set()
    for item in re.split(r"\n- ", text):
        ids = {m.group(1) for m in _ENTRY.finditer(item)}
        for m in _RANGE.finditer(item):
            ids |= _expand(f"{m.group(1)}-{m.group(2)}..{m.group(3)}")
        listed |= ids
        if "`[core]`" in item:
            core |= ids
    return {"entries": entries, "listed": listed, "core": core}


def test_every_rule_id_is_in_the_catalog(catalog: dict[str, object]) -> None:
    listed = catalog["listed"]
    assert isinstance(listed, set)
    missing = [r.id for r in all_rules() if r.id not in listed]
    assert not missing, f"rules not listed in RULES.md: {missing}"


def test_names_and_levels_follow_the_catalog(catalog: dict[str, object]) -> None:
    entries = catalog["entries"]
    assert isinstance(entries, dict)
    for r in all_rules():
        name, level_text = entries[r.id]
        assert name.replace("`", "").startswith(r.name), (r.id, name, r.name)
        first_level = re.search(r"BLOCK|JUSTIFY|ADVISE", level_text)
        assert first_level and first_level.group(0).lower() == r.level.value, (r.id, level_text)


def test_every_core_rule_is_checked_somewhere(catalog: dict[str, object]) -> None:
    core = catalog["core"]
    assert isinstance(core, set)
    elsewhere = set().union(*(_expand(e.id) for e in NOT_SCHEMA_CHECKED))
    registered = {r.id for r in all_rules()}
    assert not core - registered - elsewhere, sorted(core - registered - elsewhere)
    assert not registered & elsewhere


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.id)
def test_rule_is_documented(rule: Rule) -> None:
    doc = rule_doc(rule.id)
    assert doc.summary and doc.why and doc.bad and doc.good
    assert doc.summary.endswith(".") and len(doc.summary) < 100
    assert doc.category and doc.level in ("block", "justify", "advise")
    if rule.fix_safe:
        assert rule.fixable


_BY_RULE: dict[str, list[dict[str, object]]] = defaultdict(list)
for _rule_id, _case in CASES:
    _BY_RULE[_rule_id].append(_case)


@pytest.mark.parametrize("rule", all_rules(), ids=lambda r: r.id)
def test_rule_has_passing_and_failing_cases(rule: Rule) -> None:
    cases = _BY_RULE.get(rule.id, [])
    assert any(not c["expect"] for c in cases), f"{rule.id}: no passing case"
    assert any(c["expect"] for c in cases), f"{rule.id}: no failing case"
    if rule.fixable:
        assert any("fix" in c for c in cases), f"{rule.id}: fixable but no fix case"


def test_docs_are_listed_in_id_order() -> None:
    ids = [d.id for d in rule_docs()]
    assert ids == sorted(ids) and len(ids) == len(set(ids))
