"""Names a design keeps unique, checked inside an edit's ``change`` so that a clash is a clear
refusal (422, nothing saved) and never the store's IntegrityError.

The store's unique constraints (``modeler/web/models.py``) and PostgreSQL's own namespaces:

* tables: (namespace, name) per design;
* columns: name per table;
* query patterns: name per table;
* indexes, unique and check constraints: name per table (one namespace in the snapshot's
  validation, as PostgreSQL names a unique constraint's index after it);
* relationships: name per child table (PostgreSQL's constraint names are per table);
* enums and domains: (namespace, name), and PostgreSQL keeps both in one ``pg_type``.

Each function raises ValueError with the message the user sees (``apply_edit`` turns it into
:class:`~modeler.web.editing.Refused`); the element being edited (``uid``) never clashes with
itself.
"""

from __future__ import annotations

from modeler.schema import model as m


def check_table(schema: m.Schema, namespace: str, name: str, uid: str | None = None) -> None:
    """``namespace.name`` is free for a new (or renamed) table."""
    other = schema.table_named(name, namespace)
    if other is not None and other.uid != uid:
        raise ValueError(f"A table named {other.qualified_name} already exists; choose another "
                         "name.")


def check_column(table: m.Table, name: str, uid: str | None = None) -> None:
    """``name`` is free for a new (or renamed) column of ``table``."""
    other = table.column_named(name)
    if other is not None and other.uid != uid:
        raise ValueError(f"{table.name} already has a column named {name}; choose another "
                         "name.")


def check_table_child(table: m.Table, kind: str, name: str, uid: str | None = None) -> None:
    """``name`` is free for a new (or renamed) ``kind`` of ``table``: index, unique, check
    or query pattern."""
    if kind == "query pattern":
        others = [(q.uid, q.name) for q in table.query_patterns]
        what = "a query pattern"
    else:
        others = [(x.uid, x.name) for x in (*table.indexes, *table.uniques, *table.checks)]
        what = "an index or constraint"
    if any(n == name and u != uid for u, n in others):
        raise ValueError(f"{table.name} already has {what} named {name}; choose another "
                         "name.")


def check_relationship(schema: m.Schema, child_table: str, name: str,
                       uid: str | None = None) -> None:
    """``name`` is free among the relationships of ``child_table``."""
    for r in schema.relationships_of(child_table):
        if r.name == name and r.uid != uid:
            table = schema.table(child_table)
            raise ValueError(f"{table.name} already has a relationship named {name}; choose "
                             "another name.")


def check_type(schema: m.Schema, namespace: str, name: str, uid: str | None = None) -> None:
    """``namespace.name`` is free for an enum (enums and domains share PostgreSQL's types)."""
    for t in (*schema.enums, *schema.domains):
        if t.namespace == namespace and t.name == name and t.uid != uid:
            kind = "an enum" if isinstance(t, m.EnumType) else "a domain"
            raise ValueError(f"There is {kind} named {t.qualified_name} already; choose "
                             "another name.")
