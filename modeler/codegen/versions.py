"""Saved versions as the exporter sees them, and their deterministic Alembic revision ids."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from modeler.schema.model import Schema
from modeler.wording import counted, plural


@dataclass(frozen=True)
class VersionInput:
    """One saved version of the design: it becomes one Alembic revision."""

    number: int
    message: str
    author: str
    created: str  # ISO date (or datetime); written into the revision as its create date
    schema: Schema
    baseline: bool = False  # imported from an existing database: `alembic stamp` it there
    notes: tuple[str, ...] = ()  # waivers, rollout/rollback notes: into the docstring


@dataclass(frozen=True)
class Revision:
    version: VersionInput
    revision: str
    down_revision: str | None
    previous: Schema


def revision_id(version: VersionInput) -> str:
    """``0003_add_invoices``: the version number plus a slug of its message.

    Stable because saved versions are immutable (rule MG-02); readable in ``alembic history``;
    at most 32 characters (``alembic_version.version_num`` is ``varchar(32)``).
    """
    slug = re.sub(r"[^a-z0-9]+", "_", version.message.lower()).strip("_")[:24].rstrip("_")
    return f"{version.number:04d}_{slug}" if slug else f"{version.number:04d}"


def chain(versions: Sequence[VersionInput]) -> list[Revision]:
    """Versions in number order, each revision pointing at the previous one."""
    out: list[Revision] = []
    previous, down = Schema(), None
    for v in sorted(versions, key=lambda v: v.number):
        rev = revision_id(v)
        out.append(Revision(v, rev, down, previous))
        previous, down = v.schema, rev
    return out


def change_summary(rev: Revision, limit: int = 40) -> list[str]:
    """Human sentences for the changes a revision makes (from the differ)."""
    if rev.down_revision is None:
        return _initial_summary(rev.version.schema, rev.version.baseline)
    from modeler.diff import diff  # the differ is imported where a change is summarised

    ops = [op for op in diff(rev.previous, rev.version.schema) if op.touches_db]
    lines = [op.describe() + (" (destructive)" if op.destructive else "") for op in ops]
    if len(lines) > limit:
        lines = [*lines[:limit], f"... and {len(lines) - limit} more changes"]
    return lines or ["no database changes"]


def _initial_summary(s: Schema, baseline: bool, shown: int = 12) -> list[str]:
    """The first revision creates everything: counts instead of one line per object (and no
    diff from the empty schema, which costs time on large designs)."""
    def names(items: Sequence[str]) -> str:
        more = f", ... ({len(items) - shown} more)" if len(items) > shown else ""
        return ", ".join(items[:shown]) + more

    lines = [f"baseline of an existing database: {counted(len(s.tables), 'table')}, "
             f"{counted(len(s.relationships), 'foreign key')}, "
             f"{counted(len(s.enums), 'enum')}"] if baseline else []
    for label, items in (
            ("create extension", [e.name for e in s.extensions]),
            ("create enum", [e.qualified_name for e in s.enums]),
            ("create domain", [d.qualified_name for d in s.domains]),
            ("create sequence", [q.qualified_name for q in s.sequences]),
            (f"create {counted(len(s.tables), 'table')}", [t.qualified_name for t in s.tables]),
            (f"add {counted(len(s.relationships), 'foreign key')}",
             [r.name for r in s.relationships]),
            (f"create kept {plural(len(s.raw_objects), 'object')}",
             [f"{r.kind} {r.name}" for r in s.raw_objects])):
        if items:
            lines.append(f"{label}: {names(items)}")
    return lines or ["empty design"]
