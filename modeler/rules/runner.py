"""Run the catalog over a snapshot: configuration, baseline grandfathering, sorting; findings
on partitions that their parent carries are reported once, on the parent.

Incremental runs (issue #17): given an earlier snapshot and its findings (same configuration
and rules: by default the closest of the last few runs of this process), the rules of
:data:`TABLE_LOCAL` are run on the tables that changed only, those of
:data:`NEIGHBOURHOOD_LOCAL` on them and their neighbours, and their findings on the other
tables are taken over; a rule that knows which of its findings an edit of some tables can
change says so (:meth:`~modeler.rules.core.Rule.recheck`: same-named columns, comments of
complex tables...); every other rule runs on the whole design. The result is the same.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import fields, replace
from functools import partial

from modeler.rules.catalog import all_rules
from modeler.rules.core import DEFAULT_CONFIG, Config, Finding, Level, Rule, registry
from modeler.rules.partitions import inherited
from modeler.schema.model import Schema
from modeler.wording import plural


def _effective(f: Finding, override: Level | None, baseline: bool) -> Finding:
    level = override or f.level
    grandfathered = baseline and level is not Level.ADVISE
    if grandfathered:
        level = Level.JUSTIFY
    if level is f.level and not grandfathered:
        return f
    return replace(f, level=level, grandfathered=grandfathered)


def selected_rules(rules: Iterable[str] | None = None) -> tuple[Rule, ...]:
    """The rules to run: all, or those with the given ids (KeyError for unknown ids)."""
    if rules is None:
        return all_rules()
    table = registry()
    return tuple(table[r] for r in sorted(set(rules)))


# Rules whose findings on a table depend on that table alone and on the design's parts that
# are not tables or relationships (settings, enums, domains, extensions, kept SQL...), and
# whose findings on anything else do not depend on tables or relationships at all. Read from
# each rule's check (no relationship, no other table, from the Analysis only base_type,
# builtin, access_paths, unique_sets/members); tests/rules/test_incremental.py checks it on
# every rule case. A rule that stops being local must leave this set.
TABLE_LOCAL = frozenset({
    "CN-06", "CN-07", "CN-08", "DC-01", "IX-02", "IX-03", "IX-04", "IX-05", "IX-06",
    "IX-08", "KR-01", "KR-02", "MG-10", "NF-01", "NF-02", "NF-07", "NM-01", "NM-03", "TS-01",
    "TS-02", "TS-03", "TS-04", "TY-01", "TY-02", "TY-04", "TY-05", "TY-06", "TY-08",
    "TY-09",
})
# Rules whose findings on a table (a relationship's findings are on its child table) depend
# on that table, the relationships that touch it and the tables at their other ends alone
# (and on the non-table parts, as above): run on the changed tables' neighbourhood.
NEIGHBOURHOOD_LOCAL = frozenset({
    "CN-03", "IX-01", "KR-03", "KR-05", "KR-06", "KR-07", "NF-03", "NM-02", "NM-04",
})
# Past this share of changed tables a whole run is as cheap.
_INCREMENTAL_SHARE = 0.25


def changed_tables(old: Schema, new: Schema) -> frozenset[str] | None:
    """Uids of the tables that differ between ``old`` and ``new`` (added, removed, changed),
    or None when anything besides the tables differs (relationships included), or
    partitions are involved."""
    for f in fields(Schema):
        if f.name != "tables":
            a, b = getattr(old, f.name), getattr(new, f.name)
            if a is not b and a != b:
                return None
    if any(t.partition_of is not None for t in (*old.tables, *new.tables)):
        return None
    before = {t.uid: t for t in old.tables}
    changed = set()
    for t in new.tables:
        was = before.pop(t.uid, None)
        if was is None or (was is not t and was != t):
            changed.add(t.uid)
    return frozenset(changed | before.keys())


# The last few runs (schema, config, rule ids, findings): the bases of incremental runs. An
# editor's edit lints the snapshot before the edit and then the one after it.
_RECENT: deque[tuple[Schema, Config, tuple[str, ...], tuple[Finding, ...]]] = deque(maxlen=4)
_RECENT_LOCK = threading.Lock()


def _base(schema: Schema, config: Config, rule_ids: tuple[str, ...],
          ) -> tuple[Schema, tuple[Finding, ...]] | None:
    """The recent run with this configuration and these rules whose snapshot differs from
    ``schema`` in the fewest tables (and in nothing else), if any."""
    with _RECENT_LOCK:
        recent = list(_RECENT)
    best: tuple[int, Schema, tuple[Finding, ...]] | None = None
    for old, old_config, old_ids, found in reversed(recent):
        if old_ids != rule_ids or (old_config is not config and old_config != config):
            continue
        changed = changed_tables(old, schema)
        if changed is not None and (best is None or len(changed) < best[0]):
            best = (len(changed), old, found)
    return None if best is None else (best[1], best[2])


def _neighbours(schema: Schema, uids: frozenset[str]) -> frozenset[str]:
    """``uids`` and the tables that share a relationship with one of them."""
    out = set(uids)
    for r in schema.relationships:
        if r.child_table in uids or r.parent_table in uids:
            out.add(r.child_table)
            out.add(r.parent_table)
    return frozenset(out)


def _off(uids: frozenset[str], f: Finding) -> bool:
    return f.target.table_uid not in uids


def _merged(kept: list[Finding], fresh: list[Finding]) -> list[Finding]:
    """Two lists sorted by :meth:`Finding.sort_key` as one (``fresh`` after ``kept`` among
    equal keys; an incremental run never has a finding's key on both sides): a few new
    findings are put in place (a sort would compute every key again)."""
    if len(fresh) * 32 > len(kept):
        kept += fresh
        kept.sort(key=Finding.sort_key)
        return kept
    for f in fresh:
        kept.insert(bisect_right(kept, f.sort_key(), key=Finding.sort_key), f)
    return kept


def lint(schema: Schema, config: Config | None = None, *,
         rules: Iterable[str] | None = None,
         since: tuple[Schema, tuple[Finding, ...]] | None = None,
         incremental: bool = True) -> tuple[Finding, ...]:
    """Every finding of the catalog (or of ``rules``) on ``schema``, deterministic and sorted
    by target path, then rule id.

    Levels are the rules' own, then ``config.overrides``; with ``config.baseline`` BLOCK and
    JUSTIFY findings become grandfathered JUSTIFY findings (reported, not gating).

    ``since``: an earlier snapshot and what this function returned for it with the same
    ``config`` and ``rules`` (default: the closest recent run, see :func:`_base`): the same
    findings, computed incrementally (module docstring). ``incremental=False``: a whole run.
    """
    config = config or DEFAULT_CONFIG
    unknown = sorted(set(config.levels) - set(registry()))
    if unknown:
        raise ValueError(f"level override for unknown {plural(len(unknown), 'rule')} {unknown}")
    selected = selected_rules(rules)
    rule_ids = tuple(r.id for r in selected)
    if since is None and incremental:
        since = _base(schema, config, rule_ids)
    changed = changed_tables(since[0], schema) if since is not None and incremental else None
    if changed is not None and len(changed) > _INCREMENTAL_SHARE * len(schema.tables):
        changed = None
    parts: dict[str, tuple[Schema, frozenset[str]]] = {}
    if since is not None and changed is not None:
        near = _neighbours(schema, changed)
        ring = _neighbours(schema, near)
        parts["local"] = (replace(schema, relationships=(), tables=tuple(
            t for t in schema.tables if t.uid in changed)), changed)
        parts["near"] = (replace(schema, tables=tuple(t for t in schema.tables if t.uid in ring),
                                 relationships=tuple(
                                     r for r in schema.relationships
                                     if r.child_table in near or r.parent_table in near)), near)
    # incremental: per rule, which earlier findings still hold (a rule without one runs whole)
    keepers: dict[str, Callable[[Finding], bool]] = {}
    out: list[Finding] = []  # the findings computed by this run
    for rule in selected:
        override = config.levels.get(rule.id)
        scope = ("local" if rule.id in TABLE_LOCAL else
                 "near" if rule.id in NEIGHBOURHOOD_LOCAL else "")
        if scope in parts:
            # the earlier findings off the part, and the rule's findings on the part
            part, uids = parts[scope]
            keepers[rule.id] = partial(_off, uids)
            out.extend(_effective(f, override, config.baseline) for f in rule.check(part, config)
                       if f.target.table_uid in uids)
            continue
        if parts and since is not None and changed is not None and (
                again := rule.recheck(since[0], schema, changed, config)) is not None:
            keepers[rule.id], fresh = again
            out.extend(_effective(f, override, config.baseline) for f in fresh)
            continue
        out.extend(_effective(f, override, config.baseline) for f in rule.check(schema, config))
    if any(t.partition_of is not None for t in schema.tables):
        copied = inherited(schema, out)  # said once, on the parent (see rules/partitions.py)
        out = [f for f in out if not copied(f)]
    out.sort(key=Finding.sort_key)
    if since is not None and keepers:
        # the earlier findings that hold, still in order, with the new ones merged in
        out = _merged([f for f in since[1] if (keep := keepers.get(f.rule)) is not None
                       and keep(f)], out)
    found = tuple(out)
    with _RECENT_LOCK:
        _RECENT.append((schema, config, rule_ids, found))
    return found
