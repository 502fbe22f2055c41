"""User documentation of the rules, parsed from the rule docstrings (for /rules/ and
/rules/<id>/), and the catalog entries checked elsewhere than on the snapshot.

Docstring convention::

    One-line summary.

    Why, in one or more paragraphs.

    Bad:
        indented example

    Good:
        indented example

Inline code is written as ``code`` in the docstrings and comes out as Markdown `code` in
:class:`RuleDoc` (summary and why); the examples are plain text (SQL, mostly).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass

from modeler.rules.catalog import all_rules
from modeler.rules.core import Rule


@dataclass(frozen=True, slots=True)
class RuleDoc:
    """What /rules/ and /rules/<id>/ show about one rule."""

    id: str
    name: str
    category: str
    level: str  # default level: block | justify | advise
    levels_note: str  # when findings use more than one level
    summary: str
    why: str
    bad: str
    good: str
    fixable: bool
    fix_safe: bool


class RuleDocError(ValueError):
    """A rule docstring that does not follow the convention."""


def parse_docstring(doc: str) -> tuple[str, str, str, str]:
    """(summary, why, bad, good) from a rule docstring; RuleDocError when a part is missing."""
    text = inspect.cleandoc(doc)
    sections: dict[str, list[str]] = {"head": [], "Bad:": [], "Good:": []}
    current = "head"
    for line in text.splitlines():
        if line.strip() in ("Bad:", "Good:") and not line.startswith(" "):
            current = line.strip()
            continue
        sections[current].append(line)
    head = "\n".join(sections["head"]).strip()
    summary, _, why = head.partition("\n\n")
    bad = inspect.cleandoc("\n".join(sections["Bad:"])) if sections["Bad:"] else ""
    good = inspect.cleandoc("\n".join(sections["Good:"])) if sections["Good:"] else ""
    if not summary or not why.strip() or not bad.strip() or not good.strip():
        raise RuleDocError("a rule docstring needs a summary, a why, Bad: and Good:")
    why = "\n\n".join(" ".join(p.split()) for p in why.strip().split("\n\n"))
    return (" ".join(summary.split()).replace("``", "`"), why.replace("``", "`"), bad, good)


def doc_for(rule: Rule) -> RuleDoc:
    summary, why, bad, good = parse_docstring(type(rule).__doc__ or "")
    return RuleDoc(id=rule.id, name=rule.name, category=rule.category, level=rule.level.value,
                   levels_note=rule.levels_note, summary=summary, why=why, bad=bad,
                   good=good, fixable=rule.fixable, fix_safe=rule.fix_safe)


def rule_docs() -> tuple[RuleDoc, ...]:
    """Documentation of every registered rule, by id."""
    return tuple(doc_for(r) for r in all_rules())


def rule_doc(rule_id: str) -> RuleDoc:
    """Documentation of one rule; KeyError for unknown ids."""
    for r in all_rules():
        if r.id == rule_id:
            return doc_for(r)
    raise KeyError(rule_id)


@dataclass(frozen=True, slots=True)
class ElsewhereChecked:
    """A catalog rule that is not decidable on the snapshot, and where it is enforced."""

    id: str
    name: str
    level: str
    enforced_by: str


NOT_SCHEMA_CHECKED: tuple[ElsewhereChecked, ...] = (
    ElsewhereChecked("MG-01", "No drift", "block",
                     "modeler.codegen migration tests: upgrade an empty database to head and "
                     "compare with the model (alembic check plus pg_dump -s for CHECKs/enums)"),
    ElsewhereChecked("MG-02", "Immutable, linear history", "block",
                     "the version service (saved versions are read-only, one head) and the "
                     "codegen revision chain tests"),
    ElsewhereChecked("MG-03", "Real downgrade", "block",
                     "modeler.codegen: downgrade() is generated as the reverse of the upgrade "
                     "ops (modeler.diff reverse()); property test apply(reverse(diff))"),
    ElsewhereChecked("MG-04", "Round trip verified", "block",
                     "the export pipeline: upgrade, downgrade, upgrade on a scratch database "
                     "and compare catalogs"),
    ElsewhereChecked("OR-01..07", "ORM type safety", "block",
                     "modeler.codegen model generation and its tests: Mapped[...] = "
                     "mapped_column(...), Optional iff nullable, server defaults, enum.Enum, "
                     "back_populates, naming convention on MetaData, mypy --strict on output"),
    ElsewhereChecked("RT-03", "Driver settings fit transaction pooling", "block",
                     "modeler.codegen db.py template (prepared statement cache off when "
                     "pooled); not modelled in RuntimeFacts yet"),
    ElsewhereChecked("MS-01..13", "Migration safety on deployed tables", "block",
                     "modeler.codegen migration generator (safe forms emitted by default)"),
)
