"""Kept statements that create objects at run time.

A script may create objects by *calling* one of its functions: Evergreen's
``SELECT auditor.create_auditor('actor', 'usr')`` runs ``EXECUTE 'CREATE TABLE auditor.' ||
...`` and makes a history table, its sequence, a trigger function and a view whose names only
exist once the call has run. The import keeps such a call as SQL and the export replays it,
so the database holds the same objects as the original; but the design does not model them.

This module reads, from the kept SQL alone, *where* such a call creates what: the kept
functions it calls (and those they call, by name, transitively), and in their bodies every
``CREATE TABLE|VIEW|MATERIALIZED VIEW|SEQUENCE|FUNCTION|TYPE <namespace>.`` (static, or the
head of an ``EXECUTE`` string). The export uses it twice:

* ``migrations/env.py`` leaves the tables of those namespaces that the models do not declare
  out of ``alembic check`` (the design's own tables there are compared as always);
* the downgrade that drops the call first drops, with CASCADE, what those namespaces hold
  beyond the design at that moment (the design's relations and functions are never touched):
  what the call made, found in the catalog by difference with the design.

A call whose functions create objects in a namespace this cannot read (a name built at run
time, or unqualified) is reported with ``namespaces == ()``: nothing is assumed about it.

    for found in runtime_creations(schema.raw_objects):
        found.call, found.namespaces, found.kinds
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Generic, Protocol, TypeVar

from modeler.schema.model import Schema

CALL_KINDS = frozenset({"function call", "do block"})
ON_TABLES = frozenset({"rule", "trigger", "index"})  # on a table, not in a namespace
_ROUTINE_KINDS = frozenset({"function", "procedure"})

_IDENT = r'(?:"(?:[^"]|"")+"|[^\W\d][\w$]*)'
# CREATE ... <kind> [IF NOT EXISTS] <first name part> [.]: the namespace when a dot follows
_CREATE = re.compile(
    r"\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL)\s+)?(?P<temp>TEMP(?:ORARY)?\s+)?"
    r"(?:UNLOGGED\s+|UNIQUE\s+)?(?P<kind>TABLE|VIEW|MATERIALIZED\s+VIEW|SEQUENCE|FUNCTION|TYPE|"
    r"DOMAIN|"
    r"RULE|INDEX|"
    r"(?:CONSTRAINT\s+)?TRIGGER|TEXT\s+SEARCH\s+(?:CONFIGURATION|DICTIONARY))\s+"
    r"(?:IF\s+NOT\s+EXISTS\s+)?(?P<first>" + _IDENT + r")?(?P<dot>\s*\.)?",
    re.IGNORECASE)


class Kept(Protocol):
    """A statement kept as SQL: the model's RawObject, or the importer's draft of one."""

    @property
    def kind(self) -> str: ...
    @property
    def namespace(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def sql(self) -> str: ...
    @property
    def search_path(self) -> str | None: ...


K = TypeVar("K", bound=Kept)
_Cache = dict[tuple[tuple[str, str], str | None], tuple[set[str], set[str], bool]]


@dataclass(frozen=True)
class RuntimeCreation(Generic[K]):
    """A kept call and what the functions it runs create when it runs."""

    call: K
    namespaces: tuple[str, ...]  # where relations, routines and types go (sorted)
    kinds: tuple[str, ...]  # "table", "view", "materialized view", "sequence", "rule", ...
    readable: bool = True  # False: some go to a namespace named at run time (or unqualified)


def _ident(part: str) -> str:
    return part[1:-1].replace('""', '"') if part.startswith('"') else part.lower()


_HEAD = re.compile(r"^\s*CREATE\s+(?:OR\s+REPLACE\s+)?(?:FUNCTION|PROCEDURE)\b", re.IGNORECASE)


def _body(sql: str) -> str:
    """A routine's text after its own ``CREATE FUNCTION`` head (that one creates nothing at
    run time)."""
    m = _HEAD.match(sql)
    return sql[m.end():] if m is not None else sql


def default_namespace(search_path: str | None) -> str | None:
    """Where an unqualified CREATE goes under ``search_path`` (as SHOW prints it): its first
    schema besides ``$user`` and ``pg_catalog``; None when not known."""
    for item in (search_path or "").split(","):
        name = item.strip()
        name = name[1:-1].replace('""', '"') if name.startswith('"') else name.lower()
        if name and name not in ("$user", "pg_catalog", "pg_temp"):
            return name
    return None


# a format() placeholder qualifying the name created (``%I.t``, ``%1$s.t``)
_FORMATTED_SCHEMA = re.compile(r"%(?:\d+\$)?[IsL]\s*\.")


# a name that is a value: the string ends after the kind (``'CREATE TABLE ' || expr``), and
# whether the next string starts with a dot (``|| quote_ident(s) || '.t'``: a schema that is
# a value)
_VALUE_NAME = re.compile(r"(?:'|\$\w*\$)\s*\|\|(?:[^'$;]|\$\d)*(?:'(?P<dot>\s*\.)?)?")


def _creates(text: str, default: str | None = None,
             own: str | None = None) -> tuple[set[str], set[str], bool]:
    """(namespaces, kinds, unreadable) of the non-temporary CREATEs in ``text``; an
    unqualified one goes to ``default`` (the search_path's first schema) when known. A name
    that is a whole value (pgq's ``'CREATE TABLE ' || pgq.quote_fqname(tblpfx)``) may be
    qualified: it goes to ``own`` (the schema of the routine ``text`` is the body of) and to
    ``default``."""
    spaces: set[str] = set()
    kinds: set[str] = set()
    unreadable = False
    for m in _CREATE.finditer(text):
        if m.group("temp"):
            continue
        kind = m.group("kind").lower().split()[-1] if m.group("kind").lower().endswith(
            "trigger") else " ".join(m.group("kind").lower().split())
        kinds.add(kind)
        if kind in ON_TABLES:  # named per table: on whichever table the call names
            continue
        if m.group("first") and m.group("dot"):
            spaces.add(_ident(m.group("first")))
        elif m.group("first") is None and _FORMATTED_SCHEMA.match(text, m.end()):
            unreadable = True  # format('CREATE TABLE %I.t', s): the schema is s's value
        elif m.group("first") is None and (value := _VALUE_NAME.match(text, m.end())):
            found = {ns for ns in (default, own) if ns is not None}
            spaces |= set() if value.group("dot") else found
            unreadable = unreadable or bool(value.group("dot")) or not found
        elif default is not None:
            spaces.add(default)
        else:
            unreadable = True
    return spaces, kinds, unreadable


def _called(text: str, routines: dict[tuple[str, str], list[K]]) -> set[tuple[str, str]]:
    """Kept routines ``text`` names followed by ``(`` (qualified, or by their name alone)."""
    out: set[tuple[str, str]] = set()
    lowered = text.lower()
    for ns, name in routines:
        low = name.lower()
        if low not in lowered:
            continue
        pattern = (r"(?:\b" + re.escape(ns.lower()) + r"\s*\.\s*|(?<![\w.$]))"
                   + re.escape(low) + r"\s*\(")
        if re.search(pattern, lowered):
            out.add((ns, name))
    return out


def runtime_creations(raws: Sequence[K]) -> list[RuntimeCreation[K]]:
    """Every kept call whose functions create tables, views, sequences, functions or types
    when it runs, in the order of ``raws``."""
    routines = _routines(raws)
    out: list[RuntimeCreation[K]] = []
    reach_cache: _Cache = {}
    for call in raws:
        found = _creation(call, routines, reach_cache)
        if found is not None:
            out.append(found)
    return out


def runtime_creation(call: K, raws: Sequence[K]) -> RuntimeCreation[K] | None:
    """What the kept ``call`` creates when it runs (None: nothing, or not a kept call of a
    kept function); ``raws``: the kept statements that may define the functions it runs."""
    return _creation(call, _routines(raws), {})


def _routines(raws: Sequence[K]) -> dict[tuple[str, str], list[K]]:
    routines: dict[tuple[str, str], list[K]] = {}
    for r in raws:
        if r.kind in _ROUTINE_KINDS:
            routines.setdefault((r.namespace, r.name), []).append(r)
    return routines


def _creation(call: K, routines: dict[tuple[str, str], list[K]],
              cache: _Cache
              ) -> RuntimeCreation[K] | None:
    if call.kind not in CALL_KINDS:
        return None
    default = default_namespace(call.search_path)
    if call.kind == "do block":  # its own text runs, and the kept routines it calls
        spaces, kinds, unreadable = _creates(call.sql, default)
        for key in sorted(_called(call.sql, routines)):
            s, k, u = _reach(key, routines, {}, default)
            spaces, kinds, unreadable = spaces | s, kinds | k, unreadable or u
    elif (call.namespace, call.name) not in routines:
        return None
    else:
        spaces, kinds, unreadable = _reach((call.namespace, call.name), routines, cache,
                                           default)
    if not kinds:
        return None
    return RuntimeCreation(call, tuple(sorted(spaces)), tuple(sorted(kinds)), not unreadable)


def _reach(start: tuple[str, str], routines: dict[tuple[str, str], list[K]],
           cache: _Cache,
           default: str | None = None) -> tuple[set[str], set[str], bool]:
    """What the routine ``start`` and those it calls create; unqualified CREATEs go to
    ``default`` (the caller's search_path: a routine without its own SET runs under it)."""
    if (start, default) in cache:
        return cache[start, default]
    seen = {start}
    todo = [start]
    spaces: set[str] = set()
    kinds: set[str] = set()
    unreadable = False
    while todo:
        key = todo.pop()
        for routine in routines.get(key, ()):
            body = _body(routine.sql)
            s, k, u = _creates(body, default, routine.namespace)
            spaces |= s
            kinds |= k
            unreadable = unreadable or u
            for nxt in _called(body, routines) - seen:
                seen.add(nxt)
                todo.append(nxt)
    cache[start, default] = (spaces, kinds, unreadable)
    return cache[start, default]


def runtime_table_namespaces(schemas: Iterable[Schema]) -> set[str]:
    """Namespaces where kept calls of the design create tables at run time (readable ones)."""
    out: set[str] = set()
    for schema in schemas:
        for found in runtime_creations(schema.raw_objects):
            if "table" in found.kinds:
                out.update(found.namespaces)
    return out


def describe(found: RuntimeCreation[K]) -> str:
    """``tables, views in schema auditor`` for a warning."""
    text = ", ".join(k + ("es" if k.endswith("x") else "s") for k in found.kinds)
    if found.namespaces:
        where = ", ".join(found.namespaces)
        text += f" in schema{'s' if len(found.namespaces) > 1 else ''} {where}"
    if not found.readable:
        text += " (some in a schema named at run time)"
    return text
