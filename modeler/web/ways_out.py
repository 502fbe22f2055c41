"""One-click ways out of a refused edit (issue 16, item 4).

A refusal shown inside a form lists the BLOCK findings the edit would introduce. Where the
rule has a mechanical fix (a rule fix, as on the findings panel and the fix preview pages),
the refusal offers it as a button of the same form: ``way_out=<rule id>``. Posting the form
again with it runs the same edit, then the fix of each new finding of that rule on the edited
design, as ONE edit through the normal write path (locked, validated, rule-gated, logged,
undoable). Nothing changes on the refusal itself.

A junction table (KR-11: it needs two foreign keys and a key on the pair) has no fix a rule
could work out (which parents?): its refusal asks for the two parents instead
(:func:`junction_parents`), and the table form creates the junction with both identifying
foreign keys, the primary key on the pair and the index of the second one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpRequest

from modeler import rules
from modeler.schema import model as m
from modeler.web import models as db
from modeler.web import ruling

# The rules whose fix a refusal offers, with what the button says.
OFFERS: dict[str, str] = {
    "IX-02": "Create the index it needs, then save",
    "IX-01": "Create the foreign key's index, then save",
    "KR-04": "Use the suggested ON DELETE / ON UPDATE, then save",
    "KR-05": "Switch ON DELETE to RESTRICT/CASCADE, then save",
    "CN-08": "Add the extension, then save",
}
JUNCTION_RULE = "KR-11"
_RULE = re.compile(r"[A-Z]{2}-[0-9]{2}")


def offers(findings: Iterable[Any]) -> list[dict[str, str]]:
    """The buttons of a refusal: one per rule with a fix among ``findings``."""
    out: dict[str, dict[str, str]] = {}
    for f in findings:
        rule = getattr(f, "rule", "")
        if rule in OFFERS and getattr(f, "fixable", False) and rule not in out:
            out[rule] = {"rule": rule, "label": OFFERS[rule]}
    return list(out.values())


def requested(request: HttpRequest) -> str | None:
    """The way out the form was posted with (a rule id this module offers), else None."""
    raw = (request.POST.get("way_out") or "").strip()
    if _RULE.fullmatch(raw) and (raw in OFFERS or raw == JUNCTION_RULE):
        return raw
    return None


def wrap(request: HttpRequest, project: db.Project, target: str | None,
         change: Callable[[m.Schema], m.Schema]) -> Callable[[m.Schema], m.Schema]:
    """``change`` followed, when the form asked for it, by the fix of every new BLOCK
    finding of the requested rule on the edited element (computed under the edit's lock,
    on the design the edit is applied to)."""
    rule = requested(request)
    if rule is None or rule not in OFFERS:
        return change

    def with_fix(old: m.Schema) -> m.Schema:
        new = change(old)
        for f in ruling.element_gate(old, new, target, project):
            if f.rule != rule or not f.fixable:
                continue
            found = rules.fix_for(new, f)
            if found is not None:
                new = found.fixed
        return new
    return with_fix


def junction_parents(schema: m.Schema, findings: Iterable[Any]) -> list[tuple[str, str]] | None:
    """The tables a new junction table may link (uid, name), when its refusal is KR-11."""
    if not any(getattr(f, "rule", "") == JUNCTION_RULE for f in findings):
        return None
    return sorted(((t.uid, t.qualified_name) for t in schema.tables if t.kind != "junction"),
                  key=lambda p: p[1])


def parents_from(request: HttpRequest, prefix: str,
                 schema: m.Schema) -> tuple[str, str] | str | None:
    """The two parents a junction form was posted with: (left, right), None when the form
    did not ask for the junction way out, or an error message."""
    if requested(request) != JUNCTION_RULE:
        return None
    left = (request.POST.get(f"{prefix}-junction_left") or "").strip()
    right = (request.POST.get(f"{prefix}-junction_right") or "").strip()
    known = {t.uid for t in schema.tables}
    if left not in known or right not in known:
        return "Pick the two tables the junction links."
    return left, right
