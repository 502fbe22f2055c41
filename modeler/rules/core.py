"""Rule engine values: levels, targets, findings, configuration, the Rule base and its registry.

Everything here is an immutable value or a pure function. A rule is a small class registered
with :func:`register`; its docstring is the user documentation (see :mod:`.ruledocs`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import ClassVar, Literal

from modeler.rules.facts import RehearsalFacts, RuntimeFacts
from modeler.schema import naming
from modeler.schema.model import (
    CheckConstraint,
    Column,
    EnumType,
    Index,
    QueryPattern,
    Relationship,
    Schema,
    Table,
    UniqueConstraint,
)

SchemaChange = Callable[[Schema], Schema]
"""A pure change of a design (a rule's fix), built from :mod:`modeler.schema.edit`."""

MAX_MESSAGE = 79  # messages are shorter than 80 characters


class Level(enum.StrEnum):
    """How a finding gates: BLOCK refuses the save, JUSTIFY needs a waiver, ADVISE never gates."""

    BLOCK = "block"
    JUSTIFY = "justify"
    ADVISE = "advise"

    @property
    def rank(self) -> int:
        """0 for the most severe level."""
        return _RANK[self]


_RANK = {Level.BLOCK: 0, Level.JUSTIFY: 1, Level.ADVISE: 2}

TargetKind = Literal["schema", "table", "column", "relationship", "index", "unique", "check",
                     "primary_key", "query_pattern", "enum", "domain", "settings", "version",
                     "sequence", "extension", "collation"]

CATEGORIES: dict[str, str] = {
    "KR": "Keys and relationships", "IX": "Indexes", "CN": "Constraints", "TY": "Types",
    "NM": "Naming", "NF": "Normalization", "DC": "Documentation",
    "TS": "Timestamps and deletes", "MG": "Migrations", "RT": "Runtime and pooling",
}


@dataclass(frozen=True, slots=True)
class Target:
    """What a finding is about.

    ``uid`` is the element's uid (the table's uid for ``table`` and ``primary_key``; None for
    ``schema``/``settings``/``version``); ``table_uid`` is the owning table (the child table for
    relationships); ``related`` lists other elements the finding involves (a relationship's
    columns, the other columns of a repeating group). ``path`` is for people:
    ``order``, ``order.customer_id``, ``order.fk_order_customer_id_customer``.
    """

    kind: TargetKind
    path: str
    uid: str | None = None
    table_uid: str | None = None
    related: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """Identity of the target across snapshots (uids survive renames)."""
        return f"{self.kind}:{self.uid if self.uid is not None else self.path}"

    @property
    def uids(self) -> tuple[str, ...]:
        return ((self.uid,) if self.uid is not None else ()) + self.related


@dataclass(frozen=True, slots=True)
class Finding:
    """One violation. ``level`` is the effective level after configuration.

    ``grandfathered``: reported on an imported baseline; BLOCK was lowered to JUSTIFY and the
    finding does not need a waiver for the baseline version. ``default_level`` keeps the rule's
    own level for that finding. ``waived``: a valid waiver covers it (see :mod:`.gates`).
    """

    rule: str
    level: Level
    target: Target
    message: str
    hint: str = ""
    default_level: Level | None = None
    grandfathered: bool = False
    waived: bool = False
    fixable: bool = False

    @property
    def key(self) -> tuple[str, str]:
        """Finding identity: the rule and the target."""
        return (self.rule, self.target.key)

    @property
    def gating(self) -> bool:
        """Whether this finding stops a version from being saved."""
        if self.level is Level.BLOCK:
            return True
        return self.level is Level.JUSTIFY and not (self.waived or self.grandfathered)

    def sort_key(self) -> tuple[str, str, str, str, str]:
        return (self.target.path, self.rule, self.target.kind, self.target.uid or "",
                self.message)


@dataclass(frozen=True, slots=True)
class LevelOverride:
    """A project owner's change of a rule's level, with the recorded reason."""

    rule: str
    level: Level
    reason: str = ""


@dataclass(frozen=True)
class Config:
    """What a lint run needs besides the schema.

    - ``overrides``: per-rule level changes (raise or lower).
    - ``baseline``: the schema is an imported, already deployed baseline (findings grandfather).
    - ``version_message`` / ``version_notes`` / ``data_changing``: the version being saved
      (DC-03 runs only when ``version_message`` is not None).
    - ``previous``: the last saved version; MG-05 compares it with the schema.
    - ``runtime``: facts about the exported runtime code (RT-01/02); None = our generator's.
    - ``rehearsal``: what the latest rehearsal proved (IX-02, MG-10); None = not rehearsed.
      Both types live in :mod:`.facts`, below this module and the category modules alike.
    """

    overrides: tuple[LevelOverride, ...] = ()
    baseline: bool = False
    version_message: str | None = None
    version_notes: str = ""
    data_changing: bool = False
    previous: Schema | None = None
    runtime: RuntimeFacts | None = None
    rehearsal: RehearsalFacts | None = None

    @classmethod
    def with_levels(cls, levels: Mapping[str, Level | str], **kw: object) -> Config:
        """Shorthand: ``Config.with_levels({"KR-02": "block"})``."""
        overrides = tuple(LevelOverride(rule, Level(level)) for rule, level in levels.items())
        return cls(overrides=overrides, **kw)  # type: ignore[arg-type]  # kw: the other Config fields, by name

    @cached_property
    def levels(self) -> dict[str, Level]:
        return {o.rule: Level(o.level) for o in self.overrides}


DEFAULT_CONFIG = Config()


# ---------------------------------------------------------------------------------------------
# Target constructors: one place decides paths and related uids.

def table_target(t: Table) -> Target:
    return Target("table", t.qualified_name, t.uid, t.uid)


def pk_target(t: Table) -> Target:
    name = t.pk_name or naming.pk_name(t.name)
    return Target("primary_key", f"{t.qualified_name}.{name}", t.uid, t.uid,
                  tuple(c.uid for c in t.primary_key))


def column_target(t: Table, c: Column, related: tuple[str, ...] = ()) -> Target:
    return Target("column", f"{t.qualified_name}.{c.name}", c.uid, t.uid, related)


def index_target(t: Table, ix: Index) -> Target:
    return Target("index", f"{t.qualified_name}.{ix.name}", ix.uid, t.uid)


def unique_target(t: Table, u: UniqueConstraint) -> Target:
    return Target("unique", f"{t.qualified_name}.{u.name}", u.uid, t.uid)


def check_target(t: Table, ck: CheckConstraint) -> Target:
    return Target("check", f"{t.qualified_name}.{ck.name}", ck.uid, t.uid)


def pattern_target(t: Table, q: QueryPattern) -> Target:
    return Target("query_pattern", f"{t.qualified_name}.{q.name}", q.uid, t.uid)


def relationship_target(schema: Schema, r: Relationship) -> Target:
    try:
        prefix = schema.table(r.child_table).qualified_name
    except KeyError:
        prefix = "?"
    return Target("relationship", f"{prefix}.{r.name}", r.uid, r.child_table,
                  r.child_columns + r.parent_columns)


def enum_target(e: EnumType) -> Target:
    return Target("enum", e.qualified_name, e.uid)


def clip(text: str, limit: int = MAX_MESSAGE) -> str:
    """One line of at most ``limit`` characters (an ellipsis marks a cut)."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


# ---------------------------------------------------------------------------------------------
# Rules and the registry.

class Rule:
    """Base of every rule. Subclasses set the class attributes and implement :meth:`check`.

    The docstring is user documentation: a one-line summary, a paragraph saying why, then a
    ``Bad:`` and a ``Good:`` section with indented examples (parsed by :mod:`.ruledocs`).
    """

    id: ClassVar[str]
    name: ClassVar[str]
    level: ClassVar[Level]
    levels_note: ClassVar[str] = ""  # when findings use more than one level, say which
    fixable: ClassVar[bool] = False
    fix_safe: ClassVar[bool] = False

    @property
    def category(self) -> str:
        return CATEGORIES[self.id.split("-", 1)[0]]

    def check(self, schema: Schema, config: Config) -> Iterable[Finding]:
        raise NotImplementedError

    def recheck(self, old: Schema, new: Schema, changed: frozenset[str], config: Config,
                ) -> tuple[Callable[[Finding], bool], Iterable[Finding]] | None:
        """The rule's findings on ``new`` from those on ``old`` (an incremental lint, issue
        #17), when ``old`` and ``new`` differ in the tables ``changed`` only (added, removed
        or changed; relationships and every other part equal, no partitions): which of the
        findings on ``old`` still hold (``keep``), and the others (``fresh``), so that
        ``[f for f in check(old) if keep(f)] + list(fresh)`` is ``check(new)`` up to order.
        None: run :meth:`check` on the whole design. The rules whose findings follow the
        tables they are on (:mod:`modeler.rules.runner`'s scopes) need not say it."""
        return None

    def fix(self, schema: Schema, finding: Finding) -> SchemaChange | None:
        """The change of the design that resolves ``finding`` (made for ``schema``; what it
        does is ``diff(schema, change(schema))``); None when there is no mechanical fix."""
        return None

    def is_safe_fix(self, schema: Schema, finding: Finding) -> bool:
        """Whether the fix may be applied without review ("fix all safe findings")."""
        return self.fix_safe

    def finding(self, target: Target, message: str, hint: str = "",
                level: Level | None = None, *, fixable: bool | None = None) -> Finding:
        """A finding of this rule (``fixable`` defaults to the rule's ``fixable``)."""
        lvl = level or self.level
        return Finding(rule=self.id, level=lvl, target=target, message=clip(message),
                       hint=clip(hint, 200), default_level=lvl,
                       fixable=self.fixable if fixable is None else fixable)


def on_tables(changed: frozenset[str], fresh: Iterable[Finding],
              ) -> tuple[Callable[[Finding], bool], Iterable[Finding]]:
    """:meth:`Rule.recheck`'s answer for a rule whose findings are all on tables and,
    while the relationships and the other parts stay, depend on their table alone: the
    findings off the ``changed`` tables kept, ``fresh`` (the rule's findings on them)."""
    return (lambda f: f.target.table_uid not in changed), fresh


def tables_in(schema: Schema, uids: frozenset[str]) -> tuple[Table, ...]:
    """The tables of ``schema`` whose uid is in ``uids``, in the design's order."""
    return tuple(t for t in schema.tables if t.uid in uids)


_REGISTRY: dict[str, Rule] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: add one instance of the rule to the registry (ids are unique)."""
    if cls.id in _REGISTRY:
        raise ValueError(f"rule {cls.id} registered twice")
    _REGISTRY[cls.id] = cls()
    return cls


def registry() -> Mapping[str, Rule]:
    """All registered rules by id (import :mod:`modeler.rules` to load the catalog)."""
    return _REGISTRY


__all__ = [
    "CATEGORIES", "DEFAULT_CONFIG", "Config", "Finding", "Level", "LevelOverride", "Rule",
    "SchemaChange", "Target", "TargetKind", "check_target", "clip", "column_target",
    "enum_target", "index_target", "on_tables", "pattern_target", "pk_target", "register",
    "registry", "relationship_target", "table_target", "tables_in", "unique_target",
]
