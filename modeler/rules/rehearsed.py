"""Facts a rehearsal proved on a real database (issue #19), as the rules use them.

A rehearsal (:mod:`modeler.rehearsal`) runs a version's migrations on sample data and
explains every query pattern. Two of its results become findings:

- a query pattern no index served (even with sequential scans off) is an IX-02 finding at
  BLOCK, with the index the rehearsal proved as its fix (see
  :class:`modeler.rules.indexes.QueryPatternsCovered`);
- a migration statement that held ACCESS EXCLUSIVE on a big table for long is an MG-10
  finding at JUSTIFY (:class:`LongLockRehearsed`).

A fact holds while the table it is about is unchanged: each one carries the
:func:`table_signature` of the rehearsed table (empty: always holds), so a change to the
table (an index added, a column retyped) retires it until the next rehearsal.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, replace

from modeler.rules.core import Config, Finding, Level, Rule, register, table_target
from modeler.schema.model import QueryPattern, Schema, Table


def table_signature(t: Table) -> str:
    """What a rehearsal fact about ``t`` depends on: its name, columns (without comments),
    indexes, keys, checks, partitioning and query patterns."""
    cols = tuple(replace(c, comment="") if hasattr(c, "comment") else c for c in t.columns)
    body = repr((t.namespace, t.name, cols, t.indexes, t.uniques, t.checks,
                 t.query_patterns, t.partition_by, t.partition_of, t.pk_name))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True, slots=True)
class UnservedPattern:
    """A query pattern the rehearsal explained and found no index for."""

    table: str  # qualified name, as Table.qualified_name
    pattern: str
    suggestion: str = ""  # CREATE INDEX ... the rehearsal built and saw serve it
    signature: str = ""


@dataclass(frozen=True, slots=True)
class LongLock:
    """A table the rehearsed migration held ACCESS EXCLUSIVE for long at its volume."""

    table: str
    seconds: float  # projected at the expected rows
    rows: int  # expected rows
    what: str = "holds"  # rewrites, scans or holds
    statement: str = ""
    version: int = 0  # the rehearsed version (for a proposal: the next number)
    signature: str = ""


@dataclass(frozen=True, slots=True)
class RehearsalFacts:
    unserved: tuple[UnservedPattern, ...] = ()
    locks: tuple[LongLock, ...] = ()

    def unserved_for(self, t: Table, q: QueryPattern) -> UnservedPattern | None:
        sig: str | None = None
        for fact in self.unserved:
            if fact.table == t.qualified_name and fact.pattern == q.name:
                if fact.signature:
                    sig = sig or table_signature(t)
                    if fact.signature != sig:
                        continue
                return fact
        return None

    def locks_for(self, t: Table) -> list[LongLock]:
        sig = table_signature(t) if self.locks else ""
        return [f for f in self.locks if f.table == t.qualified_name
                and (not f.signature or f.signature == sig)]


@register
class LongLockRehearsed(Rule):
    """The rehearsed migration holds no long exclusive lock on a big table.

    A rehearsal applies the migration to sample data and watches its locks. A statement that
    rewrites or scans a table under ACCESS EXCLUSIVE stops every read and write of it; at
    the table's expected rows that can last seconds or minutes. Use the expand/contract
    form (a new column filled in batches, a constraint added NOT VALID then validated), or
    say when the table may be locked.

    Bad:
        -- entry holds 5,000,000 rows: rewritten under ACCESS EXCLUSIVE (about 40 s)
        ALTER TABLE entry ALTER COLUMN amount TYPE double precision;

    Good:
        ALTER TABLE entry ADD COLUMN amount_f double precision;  -- then batches of UPDATE
    """

    id = "MG-10"
    name = "No long exclusive lock in the rehearsal"
    level = Level.JUSTIFY

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        facts = config.rehearsal
        if facts is None or not facts.locks:
            return
        for t in schema.tables:
            for fact in facts.locks_for(t)[:1]:
                yield self.finding(
                    table_target(t),
                    f"Migration {fact.what} {t.name} under ACCESS EXCLUSIVE, "
                    f"~{fact.seconds:.0f} s at {fact.rows:,} rows",
                    fact.statement or "Expand/contract, or waive with the maintenance window")
