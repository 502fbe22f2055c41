"""Who keeps a table's ``updated_at`` up to date: the export's own trigger, or the design's.

A design in trigger mode (``Settings.updated_at_mode``) gets, from the export, one trigger
per table with an ``updated_at`` column (``trg_<table>_updated_at``, calling a function that
sets ``NEW.updated_at := now()`` on every UPDATE). An imported schema often has its own:

* a plain one, the same thing under other names: the import recognises it
  (:func:`plain_body`) and leaves it to the export;
* one that does more: Diesel's ``diesel_set_updated_at()`` sets it only when the UPDATE
  did not, crates-io's only on some columns (``BEFORE UPDATE OF yanked``) or unless only the
  download counts changed, graphile-starter's keeps it increasing. The import keeps it as
  SQL, and the export must then add none of its own to that table
  (:func:`self_maintained`): a second trigger would set the column again after the first
  (or before it), undoing what it decided.
"""

from __future__ import annotations

import re
from typing import Any

from modeler.schema.model import RawObject, Schema
from modeler.schema.sqlexpr import one_statement

# an assignment to NEW.updated_at in a trigger function's body
SETS_UPDATED_AT = re.compile(r"\bnew\s*\.\s*\"?updated_at\"?\s*:?=", re.IGNORECASE)
# the whole body of a function that only stamps the time (what the export's own does)
_PLAIN = re.compile(
    r"\s*begin\s+new\s*\.\s*\"?updated_at\"?\s*:?=\s*"
    r"(?:now\s*\(\s*\)|current_timestamp|localtimestamp|transaction_timestamp\s*\(\s*\))"
    r"\s*;\s*return\s+new\s*;\s*end\s*;?\s*", re.IGNORECASE)
_COMMENT = re.compile(r"--[^\n]*|/\*.*?\*/", re.DOTALL)
_BEFORE, _UPDATE = 2, 16  # pg_trigger.tgtype bits, as CREATE TRIGGER's parse tree has them


def plain_body(body: str) -> bool:
    """Whether a PL/pgSQL body does nothing but ``NEW.updated_at := now()`` (or
    CURRENT_TIMESTAMP, LOCALTIMESTAMP, transaction_timestamp(), which are the same value)
    and ``RETURN NEW``."""
    return _PLAIN.fullmatch(_COMMENT.sub(" ", body)) is not None


def _trigger(sql: str) -> dict[str, Any] | None:
    tree = one_statement(sql)
    return tree[1] if tree is not None and tree[0] == "CreateTrigStmt" else None


def _function_name(node: dict[str, Any]) -> str:
    names = [n.get("String", {}).get("sval", "") for n in node.get("funcname", [])]
    return names[-1] if names else ""


_MEMO: list[tuple[tuple[RawObject, ...], frozenset[tuple[str, str]]]] = []


def self_maintained(schema: Schema) -> frozenset[str]:
    """The uids of the tables on which a kept row trigger, BEFORE UPDATE, calls a kept
    function that sets ``NEW.updated_at`` itself: they keep it up to date their own way."""
    raws = schema.raw_objects
    if _MEMO and _MEMO[0][0] is raws:
        found = _MEMO[0][1]
    else:
        found = frozenset(_maintained(raws))
        _MEMO[:] = [(raws, found)]
    if not found:
        return frozenset()
    return frozenset(t.uid for t in schema.tables if (t.namespace, t.name) in found
                     or ("", t.name) in found)


def _maintained(raws: tuple[RawObject, ...]) -> set[tuple[str, str]]:
    """(namespace or "" when the trigger names none, table) of :func:`self_maintained`."""
    setters = {o.name for o in raws if o.kind == "function" and SETS_UPDATED_AT.search(o.sql)}
    if not setters:
        return set()
    out: set[tuple[str, str]] = set()
    for o in raws:
        if o.kind != "trigger" or not any(name in o.sql for name in setters):
            continue
        node = _trigger(o.sql)
        if node is None or not node.get("row") or _function_name(node) not in setters:
            continue
        timing, events = int(node.get("timing", 0)), int(node.get("events", 0))
        if not timing & _BEFORE or not events & _UPDATE:
            continue
        relation = node.get("relation") or {}
        schema = relation.get("schemaname") or (o.namespace if o.namespace else "")
        out.add((schema, relation.get("relname", "")))
    return out
