"""Facts the rules are given besides the snapshot (:class:`~modeler.rules.core.Config` carries
them): what the exported runtime code does (RT-01/02) and what a rehearsal proved.

Runtime: the snapshot cannot see code, so RT-01/02 check :class:`RuntimeFacts`. When the
caller gives none, the facts are :data:`GENERATED_RUNTIME`, the contract of our generator
(``modeler.codegen`` always emits a pooled app engine with explicit pool options, and points
Alembic at the direct URL; its tests assert the exported ``db.py`` keeps that contract).

Rehearsal (issue #19): a rehearsal (:mod:`modeler.rehearsal`) runs a version's migrations on
sample data and explains every query pattern. Two of its results become findings:

- a query pattern no index served (even with sequential scans off) is an IX-02 finding at
  BLOCK, with the index the rehearsal proved as its fix (see
  :class:`modeler.rules.builtin.indexes.QueryPatternsCovered`);
- a migration statement that held ACCESS EXCLUSIVE on a big table for long is an MG-10
  finding at JUSTIFY (:class:`modeler.rules.builtin.migrations.LongLockRehearsed`).

A fact holds while the table it is about is unchanged: each one carries the
:func:`table_signature` of the rehearsed table (empty: always holds), so a change to the
table (an index added, a column retyped) retires it until the next rehearsal.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace

from modeler.schema.model import QueryPattern, Table

POOL_OPTIONS = ("pool_size", "max_overflow", "pool_pre_ping", "pool_recycle")


@dataclass(frozen=True, slots=True)
class RuntimeFacts:
    """What the exported runtime code does.

    ``app_url_pooled``: the application engine connects through the provider's pooler
    (Neon: the ``-pooler`` host in ``DATABASE_URL``). ``migrations_url_direct``: Alembic uses
    the direct URL (``DIRECT_URL``). ``pool_options``: engine pool options set explicitly.
    """

    app_url_pooled: bool = True
    migrations_url_direct: bool = True
    pool_options: tuple[str, ...] = POOL_OPTIONS


GENERATED_RUNTIME = RuntimeFacts()


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
