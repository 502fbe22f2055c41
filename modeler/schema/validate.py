"""Structural validity of a snapshot: every reference resolves, names are unique.

This is not the design-rule engine (``modeler.rules``): a snapshot that fails here cannot be
stored or exported at all, whatever the rule levels.
"""

from __future__ import annotations

import uuid
from collections import Counter

from modeler.schema import model as m


class InvalidSchema(ValueError):
    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


def _dupes(names: list[str]) -> list[str]:
    return sorted(n for n, k in Counter(names).items() if k > 1)


def _check_uid(uid: str, what: str, out: list[str]) -> None:
    try:
        uuid.UUID(uid)
    except (ValueError, AttributeError, TypeError):
        out.append(f"{what}: uid {uid!r} is not a UUID")


def problems(schema: m.Schema) -> list[str]:
    """Everything structurally wrong with ``schema`` (empty when valid)."""
    out: list[str] = []
    uids: list[str] = []
    type_uids = {e.uid for e in schema.enums} | {d.uid for d in schema.domains}
    for t in schema.tables:
        uids.append(t.uid)
        _check_uid(t.uid, f"table {t.name}", out)
        col_uids = {c.uid for c in t.columns}
        for name in _dupes([c.name for c in t.columns]):
            out.append(f"table {t.qualified_name}: two columns named {name}")
        for c in t.columns:
            uids.append(c.uid)
            _check_uid(c.uid, f"column {t.name}.{c.name}", out)
            if c.type.kind in ("enum", "domain") and c.type.ref not in type_uids:
                out.append(f"column {t.name}.{c.name}: its {c.type.kind} type does not exist")
        for name in _dupes([i.name for i in t.indexes]
                           + [u.name for u in t.uniques] + [k.name for k in t.checks]):
            out.append(f"table {t.qualified_name}: two constraints or indexes named {name}")
        refs: list[tuple[str, str | None]] = []
        for i in t.indexes:
            uids.append(i.uid)
            refs += [(f"index {i.name}", p.column) for p in i.parts if p.column is not None]
            refs += [(f"index {i.name}", u) for u in i.include]
        for u in t.uniques:
            uids.append(u.uid)
            refs += [(f"unique {u.name}", c) for c in u.columns]
        uids += [k.uid for k in t.checks]
        for q in t.query_patterns:
            uids.append(q.uid)
            refs += [(f"query pattern {q.name}", c) for c in
                     (*q.equality, q.range, *(o.column for o in q.order_by)) if c is not None]
        out += [f"table {t.qualified_name}: {what} names a column of another table"
                for what, ref in refs if ref not in col_uids]
    for name in _dupes([f"{t.namespace}.{t.name}" for t in schema.tables]):
        out.append(f"two tables named {name}")
    index = {t.uid: {c.uid for c in t.columns} for t in schema.tables}
    for r in schema.relationships:
        uids.append(r.uid)
        for side, table, cols in (("child", r.child_table, r.child_columns),
                                  ("parent", r.parent_table, r.parent_columns)):
            if table not in index:
                out.append(f"relationship {r.name}: its {side} table does not exist")
            elif not cols or any(c not in index[table] for c in cols):
                out.append(f"relationship {r.name}: a {side} column is missing")
        if len(r.child_columns) != len(r.parent_columns):
            out.append(f"relationship {r.name}: child and parent column counts differ")
    for name in _dupes([r.name for r in schema.relationships]):
        out.append(f"two relationships named {name}")
    for kind, objs in (("enum", schema.enums), ("domain", schema.domains),
                       ("sequence", schema.sequences)):
        for name in _dupes([f"{o.namespace}.{o.name}" for o in objs]):
            out.append(f"two {kind}s named {name}")
        uids += [o.uid for o in objs]
    for e in schema.enums:
        for label in _dupes([v.label for v in e.values]):
            out.append(f"enum {e.name}: value {label!r} twice")
    uids += [e.uid for e in schema.extensions] + [r.uid for r in schema.raw_objects]
    for uid in _dupes(uids):
        out.append(f"uid {uid} is used twice")
    return out


def check(schema: m.Schema) -> m.Schema:
    """``schema`` itself, or InvalidSchema listing every problem."""
    found = problems(schema)
    if found:
        raise InvalidSchema(found)
    return schema
