"""The rule catalog: importing this module registers every rule (one module per category in
:mod:`modeler.rules.builtin`)."""

from __future__ import annotations

from modeler.rules.builtin import (  # noqa: F401  (imported for their @register side effect)
    constraints,
    datatypes,
    documentation,
    functions,
    indexes,
    keys,
    migrations,
    names,
    normalization,
    pooling,
    relationships,
    timestamps,
)
from modeler.rules.core import Rule, registry


def all_rules() -> tuple[Rule, ...]:
    """Every registered rule, sorted by id."""
    return tuple(registry()[k] for k in sorted(registry()))


def get_rule(rule_id: str) -> Rule:
    """The rule with ``rule_id``; KeyError for unknown ids."""
    return registry()[rule_id]
