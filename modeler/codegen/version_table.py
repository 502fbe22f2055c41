"""The name of the exported Alembic project's version table.

Alembic keeps its bookkeeping in a table called ``alembic_version`` (primary key
``alembic_version_pkc``), created before the first revision runs. A design may hold a relation
of that name itself (Harbor's schema does: it once used Alembic), and then ``alembic upgrade``
fails with ``relation "alembic_version" already exists`` before anything else happens. So the
export chooses the name: ``alembic_version`` unless some version of the design uses it (or
its key's name) for a relation, a type or anything kept as SQL, else the first free
``alembic_version_<n>``. The choice depends only on the design's versions: the same export
always gives the same name, and ``migrations/env.py``, the bundle's tests and the fidelity
harness read it from there (:func:`version_table_name`).

    name = version_table_name([v.schema for v in versions])
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from modeler.schema.model import Schema

DEFAULT = "alembic_version"
_MAX_IDENTIFIER = 63

# Names a kept statement creates: CREATE [OR REPLACE] [UNLOGGED|TEMP...] TABLE/VIEW/... name
_CREATED = re.compile(
    r"\bCREATE\s+(?:OR\s+REPLACE\s+)?(?:(?:GLOBAL|LOCAL)\s+)?(?:TEMP(?:ORARY)?\s+|UNLOGGED\s+)?"
    r"(?:RECURSIVE\s+)?(?:MATERIALIZED\s+)?(?:TABLE|VIEW|SEQUENCE|TYPE|DOMAIN|"
    r"(?:UNIQUE\s+)?INDEX(?:\s+CONCURRENTLY)?)\s+(?:IF\s+NOT\s+EXISTS\s+)?"
    r"((?:\"(?:[^\"]|\"\")+\"|[^\W\d][\w$]*)(?:\s*\.\s*(?:\"(?:[^\"]|\"\")+\"|[^\W\d][\w$]*))?)",
    re.IGNORECASE)


def _last_part(qualified: str) -> str:
    parts = re.findall(r'"(?:[^"]|"")+"|[^\s."]+', qualified)
    last = parts[-1] if parts else qualified
    return last[1:-1].replace('""', '"') if last.startswith('"') else last.lower()


def taken_names(schema: Schema) -> set[str]:
    """Every name the design gives to something in PostgreSQL's relation or type namespace
    (tables, their keys, indexes and constraints, sequences, enums, domains, kept objects and
    what kept SQL creates by name), whatever its namespace (a conservative superset)."""
    out: set[str] = set()
    for t in schema.tables:
        out.add(t.name)
        if t.pk_name:
            out.add(t.pk_name)
        out.update(i.name for i in t.indexes)
        out.update(u.name for u in t.uniques)
        out.update(c.name for c in t.checks)
    out.update(r.name for r in schema.relationships)
    out.update(e.name for e in schema.enums)
    out.update(d.name for d in schema.domains)
    out.update(s.name for s in schema.sequences)
    for obj in schema.raw_objects:
        if obj.name:
            out.add(obj.name)
        for m in _CREATED.finditer(obj.sql):
            out.add(_last_part(m.group(1)))
    return out


def version_table_name(schemas: Iterable[Schema]) -> str:
    """``alembic_version``, or ``alembic_version_<n>`` (the smallest ``n`` from 1) when a
    version of the design uses the name or its primary key's (``<name>_pkc``)."""
    taken: set[str] = set()
    for schema in schemas:
        taken |= taken_names(schema)
    n = 0
    while True:
        name = DEFAULT if n == 0 else f"{DEFAULT}_{n}"
        if name not in taken and f"{name}_pkc" not in taken \
                and len(name) + 4 <= _MAX_IDENTIFIER:
            return name
        n += 1
