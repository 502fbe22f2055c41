"""Editor actions with secure defaults, as pure functions on snapshots.

- A new table starts with a primary key per the project's key policy and
  ``created_at``/``updated_at timestamptz NOT NULL DEFAULT now()``.
- A new relationship creates the FK column(s) with the referenced type, their index, and a
  suggested ON DELETE / ON UPDATE (:func:`suggest_actions`); many-to-many creates the junction
  table with both FKs, NOT NULL, as its composite primary key.
"""

from __future__ import annotations

import uuid
from dataclasses import replace

from modeler.schema import edit, naming
from modeler.schema import model as m


def new_uid() -> str:
    return str(uuid.uuid4())


def key_column(policy: str) -> m.Column:
    if policy == "uuid":
        return m.Column(uid=new_uid(), name="id", type=m.ColumnType(name="uuid"),
                        default="gen_random_uuid()", pk_order=1)
    return m.Column(uid=new_uid(), name="id", type=m.ColumnType(name="bigint"),
                    identity="always", pk_order=1)


def timestamp_columns() -> tuple[m.Column, m.Column]:
    return tuple(m.Column(uid=new_uid(), name=n, type=m.ColumnType(name="timestamptz"),  # type: ignore[return-value]
                          default="now()", comment=text)
                 for n, text in (("created_at", "When the row was inserted."),
                                 ("updated_at", "When the row was last changed.")))


def add_table(schema: m.Schema, *, name: str, comment: str, namespace: str = "public",
              kind: str = "entity", delete_strategy: str = "hard", subject_area: str = "",
              with_key: bool = True, uid: str | None = None) -> tuple[m.Schema, str]:
    """A table with a key (per policy) and audit timestamps; junction tables get no
    surrogate key (their FK pair becomes the key when the relationships are drawn)."""
    columns: list[m.Column] = []
    if with_key and kind != "junction":
        columns.append(key_column(schema.settings.pk_policy))
    columns.extend(timestamp_columns())
    if delete_strategy == "soft":
        columns.append(m.Column(uid=new_uid(), name="deleted_at",
                                type=m.ColumnType(name="timestamptz"), nullable=True,
                                null_meaning="not deleted"))
    table = m.Table(uid=uid or new_uid(), name=name, namespace=namespace, comment=comment,
                    kind=kind, delete_strategy=delete_strategy,  # type: ignore[arg-type]
                    subject_area=subject_area, columns=tuple(columns))
    return edit.put_table(schema, table), table.uid


def suggest_actions(schema: m.Schema, child: m.Table, optional: bool,
                    identifying: bool) -> tuple[str, str]:
    """(on_delete, on_update) to propose: CASCADE for identifying/dependent children
    (junction tables, FK in the child's key), SET NULL for optional ones, else RESTRICT;
    ON UPDATE NO ACTION toward surrogate keys."""
    if identifying or child.kind == "junction":
        return "CASCADE", "NO ACTION"
    if optional:
        return "SET NULL", "NO ACTION"
    return "RESTRICT", "NO ACTION"


def fk_type(parent_col: m.Column) -> m.ColumnType:
    return parent_col.type


def add_relationship(schema: m.Schema, *, child_uid: str, parent_uid: str,
                     column_names: list[str] | None = None, name: str | None = None,
                     cardinality: str = "one-to-many", optional: bool = False,
                     on_delete: str | None = None, on_update: str | None = None,
                     deferrable: bool = False, initially_deferred: bool = False,
                     comment: str = "", identifying: bool = False,
                     use_existing: bool = True) -> tuple[m.Schema, str]:
    """Draw an FK from ``child`` to ``parent``'s primary key, creating the FK columns (typed
    like the key), the covering index and, for one-to-one, a UNIQUE constraint.

    ``column_names`` default to ``<parent>_<key>`` (``<parent>_id``). An existing column of
    that name with the right type is reused when ``use_existing``.
    """
    child, parent = schema.table(child_uid), schema.table(parent_uid)
    key = parent.primary_key
    if not key:
        raise ValueError(f"{parent.name} has no primary key to reference")
    names = column_names or [f"{parent.name}_{c.name}" for c in key]
    if len(names) != len(key):
        raise ValueError(f"{parent.name}'s key has {len(key)} column(s); "
                         f"{len(names)} name(s) given")
    new_cols: list[m.Column] = []
    fk_uids: list[str] = []
    pk_next = 1 + max((c.pk_order or 0 for c in child.columns), default=0)
    for n, pcol in zip(names, key, strict=True):
        existing = child.column_named(n)
        if existing is not None:
            if not use_existing:
                raise ValueError(f"{child.name} already has a column {n}")
            if existing.type != pcol.type:
                raise ValueError(f"{child.name}.{n} is {existing.type.short(schema)}, the key "
                                 f"{parent.name}.{pcol.name} is {pcol.type.short(schema)}")
            fk_uids.append(existing.uid)
            continue
        col = m.Column(uid=new_uid(), name=n, type=fk_type(pcol), nullable=optional,
                       pk_order=pk_next if identifying else None,
                       comment=f"References {parent.name}.{pcol.name}.")
        if identifying:
            pk_next += 1
        new_cols.append(col)
        fk_uids.append(col.uid)
    # keep audit columns last: insert new FK columns before created_at when present
    cols = list(child.columns)
    at = next((i for i, c in enumerate(cols) if c.name == "created_at"), len(cols))
    cols[at:at] = new_cols
    child = replace(child, columns=tuple(cols))
    if on_delete is None or on_update is None:
        sd, su = suggest_actions(schema, child, optional, identifying)
        on_delete, on_update = on_delete or sd, on_update or su
    col_names = [child.column(u).name for u in fk_uids]
    if not _covered(child, fk_uids):
        child = replace(child, indexes=(*child.indexes, m.Index(
            uid=new_uid(), name=naming.ix_name(child.name, col_names),
            parts=tuple(m.IndexPart(column=u) for u in fk_uids))))
    if cardinality == "one-to-one" and not any(set(u.columns) == set(fk_uids)
                                               for u in child.uniques):
        child = replace(child, uniques=(*child.uniques, m.UniqueConstraint(
            uid=new_uid(), name=naming.uq_name(child.name, col_names), columns=tuple(fk_uids))))
    rel = m.Relationship(
        uid=new_uid(), name=name or naming.fk_name(child.name, col_names, parent.name),
        child_table=child.uid, child_columns=tuple(fk_uids), parent_table=parent.uid,
        parent_columns=tuple(c.uid for c in key), cardinality=cardinality,  # type: ignore[arg-type]
        optional=optional, on_delete=on_delete, on_update=on_update,  # type: ignore[arg-type]
        deferrable=deferrable, initially_deferred=initially_deferred, comment=comment)
    out = edit.put_table(schema, child)
    return edit.put_relationship(out, rel), rel.uid


def _covered(table: m.Table, fk_uids: list[str]) -> bool:
    """Some non-partial B-tree index (or the PK / a UNIQUE) leads with exactly the FK columns."""
    want, n = set(fk_uids), len(fk_uids)
    pk = [c.uid for c in table.primary_key]
    if set(pk[:n]) == want:
        return True
    if any(set(u.columns[:n]) == want for u in table.uniques):
        return True
    return any(i.method == "btree" and i.where is None
               and {p.column for p in i.parts[:n] if p.column} == want
               for i in table.indexes)


def add_many_to_many(schema: m.Schema, *, left_uid: str, right_uid: str,
                     junction_name: str | None = None, comment: str = "",
                     uid: str | None = None, namespace: str | None = None,
                     ) -> tuple[m.Schema, str]:
    """A junction table ``<left>_<right>`` with two identifying FKs (CASCADE) as its key."""
    left, right = schema.table(left_uid), schema.table(right_uid)
    name = junction_name or f"{left.name}_{right.name}"
    out, j_uid = add_table(schema, name=name, kind="junction",
                           namespace=namespace or left.namespace, uid=uid,
                           comment=comment or f"Links {left.name} and {right.name} "
                                              "(many-to-many).")
    # Each FK out of the junction is one-to-many; together they realize the many-to-many.
    out, _ = add_relationship(out, child_uid=j_uid, parent_uid=left_uid, identifying=True)
    out, _ = add_relationship(out, child_uid=j_uid, parent_uid=right_uid, identifying=True)
    return out, j_uid


def move_table(schema: m.Schema, table_uid: str, position: m.Position) -> m.Schema:
    return edit.put_table(schema, replace(schema.table(table_uid), position=position))


def move_column(schema: m.Schema, column_uid: str, delta: int) -> m.Schema:
    table = schema.table_of_column(column_uid)
    idx = next(i for i, c in enumerate(table.columns) if c.uid == column_uid)
    target = max(0, min(len(table.columns) - 1, idx + delta))
    return edit.put_column(schema, table.uid, table.columns[idx], position=target)


def _conventional(schema: m.Schema) -> dict[str, str]:
    """uid → the name the naming convention gives each index, unique, check and FK."""
    out: dict[str, str] = {}
    for t in schema.tables:
        cols = {c.uid: c.name for c in t.columns}
        for i in t.indexes:
            if all(p.column for p in i.parts):
                out[i.uid] = naming.ix_name(t.name, [cols.get(p.column or "", "?")
                                                     for p in i.parts])
        for u in t.uniques:
            out[u.uid] = naming.uq_name(t.name, [cols.get(c, "?") for c in u.columns])
    for r in schema.relationships:
        child, parent = schema.table(r.child_table), schema.table(r.parent_table)
        out[r.uid] = naming.fk_name(child.name, [schema.column(c).name for c in r.child_columns],
                                    parent.name)
    return out


def keep_conventional_names(old: m.Schema, new: m.Schema) -> m.Schema:
    """After a rename: constraints and indexes whose name followed the naming convention in
    ``old`` get the convention's name in ``new`` (``ix_purchase_customer_id`` becomes
    ``ix_sale_customer_id`` when ``purchase`` is renamed ``sale``); custom names are kept."""
    before, after = _conventional(old), _conventional(new)
    old_names = {t.uid: t.name for t in old.tables}
    renames: dict[str, str] = {}
    for uid, name in after.items():
        if uid in before and before[uid] != name:
            renames[uid] = name
    tables = []
    for t in new.tables:
        was = old_names.get(t.uid, t.name)

        def name_of(uid: str, current: str, was: str = was, t: m.Table = t) -> str:
            if uid in renames and current == before.get(uid):
                return renames[uid]
            if current.startswith(f"ck_{was}_") and was != t.name:
                return naming.truncate(f"ck_{t.name}_{current[len(was) + 4:]}")
            return current
        tables.append(replace(
            t, indexes=tuple(replace(i, name=name_of(i.uid, i.name)) for i in t.indexes),
            uniques=tuple(replace(u, name=name_of(u.uid, u.name)) for u in t.uniques),
            checks=tuple(replace(c, name=name_of(c.uid, c.name)) for c in t.checks),
            pk_name=None if t.pk_name == naming.pk_name(was) else t.pk_name))
    rels = tuple(replace(r, name=renames[r.uid]) if r.uid in renames
                 and r.name == before.get(r.uid) else r for r in new.relationships)
    return m.normalized(replace(new, tables=tuple(tables), relationships=rels))
