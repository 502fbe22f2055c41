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
from typing import Any

from modeler.schema import edit, enumlabels, naming
from modeler.schema import model as m
from modeler.schema.kept_renames import follow_renames
from modeler.wording import counted


def new_uid() -> str:
    return str(uuid.uuid4())


def key_column(policy: str) -> m.Column:
    if policy == "uuid":
        return m.Column(uid=new_uid(), name="id", type=m.ColumnType(name="uuid"),
                        default="gen_random_uuid()", pk_order=1)
    return m.Column(uid=new_uid(), name="id", type=m.ColumnType(name="bigint"),
                    identity="always", pk_order=1)


def timestamp_columns() -> tuple[m.Column, m.Column]:
    return tuple(m.Column(uid=new_uid(), name=n, type=m.ColumnType(name="timestamptz"),  # type: ignore[return-value]  # a 2-tuple: two names
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
                    kind=kind, delete_strategy=delete_strategy,  # type: ignore[arg-type]  # str checked by the caller's form (TABLE_KINDS, DELETE_STRATEGIES)
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
                     use_existing: bool = True, match: str = "SIMPLE") -> tuple[m.Schema, str]:
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
        raise ValueError(f"{parent.name}'s key has {counted(len(key), 'column')}; "
                         f"{counted(len(names), 'name')} given")
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
    at = audit_position(child)
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
        parent_columns=tuple(c.uid for c in key), cardinality=cardinality,  # type: ignore[arg-type]  # str checked by the form (CARDINALITIES)
        optional=optional, on_delete=on_delete, on_update=on_update,  # type: ignore[arg-type]  # str checked by the form (FK_ACTIONS)
        deferrable=deferrable, initially_deferred=initially_deferred, comment=comment,
        match=match)  # type: ignore[arg-type]  # str checked by the form (FK_MATCHES)
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
    ``ix_sale_customer_id`` when ``purchase`` is renamed ``sale``); custom names are kept.
    The SQL the design keeps names a renamed table or column by its new name
    (:func:`~modeler.schema.kept_renames.follow_renames`)."""
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
    return follow_renames(old, m.normalized(replace(new, tables=tuple(tables),
                                                    relationships=rels)))


# ------------------------------------------------------------------ the editor's checks
#
# Names a design keeps unique, checked inside an edit so that a clash is a clear refusal
# (422, nothing saved) and never the store's IntegrityError. The store's unique constraints
# (``modeler/web/models.py``) and PostgreSQL's own namespaces:
#
# * tables: (namespace, name) per design;
# * columns: name per table;
# * query patterns: name per table;
# * indexes, unique and check constraints: name per table (one namespace in the snapshot's
#   validation, as PostgreSQL names a unique constraint's index after it);
# * relationships: name per child table (PostgreSQL's constraint names are per table);
# * enums and domains: (namespace, name), and PostgreSQL keeps both in one ``pg_type``.
#
# Each check raises ValueError with the message the user sees (the web layer's ``apply_edit``
# turns it into a refusal); the element being edited (``uid``) never clashes with itself.

def check_table_name(schema: m.Schema, namespace: str, name: str,
                     uid: str | None = None) -> None:
    """``namespace.name`` is free for a new (or renamed) table."""
    other = schema.table_named(name, namespace)
    if other is not None and other.uid != uid:
        raise ValueError(f"A table named {other.qualified_name} already exists; choose another "
                         "name.")


def check_column_name(table: m.Table, name: str, uid: str | None = None) -> None:
    """``name`` is free for a new (or renamed) column of ``table``."""
    other = table.column_named(name)
    if other is not None and other.uid != uid:
        raise ValueError(f"{table.name} already has a column named {name}; choose another "
                         "name.")


TableElement = m.Index | m.UniqueConstraint | m.CheckConstraint | m.QueryPattern


def check_table_element_name(table: m.Table, element: TableElement) -> None:
    """``element``'s name is free in ``table``: query patterns among the query patterns,
    indexes and unique and check constraints among each other."""
    if isinstance(element, m.QueryPattern):
        others = [(q.uid, q.name) for q in table.query_patterns]
        what = "a query pattern"
    else:
        held: tuple[TableElement, ...] = (*table.indexes, *table.uniques, *table.checks)
        others = [(x.uid, x.name) for x in held]
        what = "an index or constraint"
    if any(n == element.name and u != element.uid for u, n in others):
        raise ValueError(f"{table.name} already has {what} named {element.name}; choose "
                         "another name.")


def check_relationship_name(schema: m.Schema, child_table: str, name: str,
                            uid: str | None = None) -> None:
    """``name`` is free among the relationships of ``child_table``."""
    for r in schema.relationships_of(child_table):
        if r.name == name and r.uid != uid:
            table = schema.table(child_table)
            raise ValueError(f"{table.name} already has a relationship named {name}; choose "
                             "another name.")


def check_type_name(schema: m.Schema, namespace: str, name: str,
                    uid: str | None = None) -> None:
    """``namespace.name`` is free for an enum (enums and domains share PostgreSQL's types)."""
    types: tuple[m.EnumType | m.Domain, ...] = (*schema.enums, *schema.domains)
    for t in types:
        if t.namespace == namespace and t.name == name and t.uid != uid:
            kind = "an enum" if isinstance(t, m.EnumType) else "a domain"
            raise ValueError(f"There is {kind} named {t.qualified_name} already; choose "
                             "another name.")


# ----------------------------------------------------------------------------- tables

def create_table(schema: m.Schema, *, name: str, comment: str, uid: str,
                 namespace: str = "public", kind: str = "entity",
                 delete_strategy: str = "hard", subject_area: str = "",
                 expected_rows: int | None = None,
                 parents: tuple[str, str] | None = None) -> m.Schema:
    """The add-table form's edit: the name checked, then a table (:func:`add_table`), or
    with ``parents`` the junction between those two tables (:func:`add_many_to_many`)."""
    check_table_name(schema, namespace, name)
    if parents is not None:
        out, _ = add_many_to_many(schema, left_uid=parents[0], right_uid=parents[1],
                                  junction_name=name, comment=comment, uid=uid,
                                  namespace=namespace)
        return out
    out, _ = add_table(schema, name=name, comment=comment, namespace=namespace, kind=kind,
                       delete_strategy=delete_strategy, subject_area=subject_area, uid=uid)
    if expected_rows is not None:
        out = edit.put_table(out, replace(out.table(uid), expected_rows=expected_rows))
    return out


def update_table(schema: m.Schema, table: m.Table) -> m.Schema:
    """``table`` (same uid) in place of the old one: its name checked, the conventional names
    of its indexes, constraints and FKs following a rename."""
    check_table_name(schema, table.namespace, table.name, table.uid)
    return keep_conventional_names(schema, edit.put_table(schema, table))


def add_table_element(schema: m.Schema, table_uid: str, element: TableElement) -> m.Schema:
    """An index, unique or check constraint, or query pattern added to a table, its name
    checked."""
    check_table_element_name(schema.table(table_uid), element)
    if isinstance(element, m.Index):
        return edit.put_index(schema, table_uid, element)
    if isinstance(element, m.UniqueConstraint):
        return edit.put_unique(schema, table_uid, element)
    if isinstance(element, m.CheckConstraint):
        return edit.put_check(schema, table_uid, element)
    return edit.put_query_pattern(schema, table_uid, element)


# ---------------------------------------------------------------------------- columns

def audit_position(table: m.Table) -> int:
    """Where a new column goes: before ``created_at`` (the audit columns stay last), at the
    end when the table has none."""
    return next((i for i, c in enumerate(table.columns) if c.name == "created_at"),
                len(table.columns))


def pk_order_for(table: m.Table, column_uid: str | None, primary_key: bool) -> int | None:
    """The ``pk_order`` of column ``column_uid`` of ``table`` (None: a new column) once the
    form says whether it is in the primary key: a key column keeps its place, a column that
    joins the key comes after the others, one that leaves it has none."""
    if not primary_key:
        return None
    current = next((c.pk_order for c in table.columns if c.uid == column_uid), None)
    if current is not None:
        return current
    return 1 + max((c.pk_order or 0 for c in table.columns), default=0)


def set_single_unique(schema: m.Schema, table_uid: str, column_uid: str,
                      want: bool) -> m.Schema:
    """The column form's Unique box: a UNIQUE constraint on exactly this column (named by
    the convention) when ``want`` and none yet; without ``want``, such constraints dropped.
    Constraints over several columns are left alone."""
    t = schema.table(table_uid)
    single = [u for u in t.uniques if u.columns == (column_uid,)]
    if want and not single:
        return edit.put_unique(schema, table_uid, m.UniqueConstraint(
            uid=new_uid(), name=naming.uq_name(t.name, [t.column(column_uid).name]),
            columns=(column_uid,)))
    if not want:
        for u in single:
            schema = edit.drop(schema, u.uid)
    return schema


def add_column(schema: m.Schema, table_uid: str, column: m.Column, *,
               primary_key: bool = False, unique: bool = False) -> m.Schema:
    """The column form's edit on a new column: its name checked, its place before the audit
    columns, its key order after the key's others, its single-column UNIQUE."""
    t = schema.table(table_uid)
    check_column_name(t, column.name)
    column = replace(column, pk_order=pk_order_for(t, None, primary_key))
    out = edit.put_column(schema, table_uid, column, position=audit_position(t))
    return set_single_unique(out, table_uid, column.uid, unique)


def update_column(schema: m.Schema, column: m.Column, *, primary_key: bool,
                  unique: bool) -> m.Schema:
    """The column form's edit on column ``column.uid``: its name checked, its key order kept
    (or given, or taken away), conventional names following a rename, its single-column
    UNIQUE."""
    t = schema.table_of_column(column.uid)
    check_column_name(t, column.name, column.uid)
    column = replace(column, pk_order=pk_order_for(t, column.uid, primary_key))
    out = keep_conventional_names(schema, edit.put_column(schema, t.uid, column))
    return set_single_unique(out, t.uid, column.uid, unique)


def add_described_column(schema: m.Schema, table_uid: str, column: m.Column, *,
                         unique: bool = False, checks: tuple[str, ...] = (),
                         references: tuple[str, str | None, str | None] | None = None,
                         ) -> m.Schema:
    """A column described on one line, added to table ``table_uid``: its CHECKs (named
    ``ck_<table>_<column>``, ``…_2``…), its UNIQUE and, with ``references`` (the parent
    table's uid, ON DELETE, ON UPDATE), the relationship, as the relationship form draws
    it (the column typed like the parent's key, its index)."""
    t = schema.table(table_uid)
    name = column.name
    check_column_name(t, name)
    if references is not None:
        parent_uid, on_delete, on_update = references
        out, _ = add_relationship(schema, child_uid=table_uid, parent_uid=parent_uid,
                                  column_names=[name], optional=column.nullable,
                                  on_delete=on_delete, on_update=on_update,
                                  use_existing=False)
        added = out.table(table_uid).column_named(name)
        assert added is not None
        if column.comment:  # the line's comment over the relationship's "References …"
            added = replace(added, comment=column.comment)
            out = edit.put_column(out, table_uid, added)
        column = added
    else:
        out = edit.put_column(schema, table_uid, column, position=audit_position(t))
    out = set_single_unique(out, table_uid, column.uid, unique)
    for n, expr in enumerate(checks):
        label = name if n == 0 else f"{name}_{n + 1}"
        out = edit.put_check(out, table_uid, m.CheckConstraint(
            uid=new_uid(), name=naming.ck_name(t.name, label), expression=expr))
    return out


def say_null_meaning(schema: m.Schema, column_uid: str, meaning: str) -> m.Schema:
    """What NULL means in column ``column_uid`` (rule CN-01's fix)."""
    t = schema.table_of_column(column_uid)
    return edit.put_column(schema, t.uid, replace(t.column(column_uid), null_meaning=meaning))


# ---------------------------------------------------------------------- relationships

def draw_relationship(schema: m.Schema, *, child_uid: str, parent_uid: str,
                      cardinality: str = "one-to-many", name: str | None = None,
                      backfill: str | None = None, **options: Any) -> m.Schema:
    """The relationship form's edit: many-to-many from a table that is not a junction draws
    the junction (:func:`add_many_to_many`); anything else one FK (:func:`add_relationship`
    with ``options``), its name checked, ``backfill`` on its NOT NULL child columns."""
    if cardinality == "many-to-many" and schema.table(child_uid).kind != "junction":
        out, _ = add_many_to_many(schema, left_uid=child_uid, right_uid=parent_uid)
        return out
    out, rel_uid = add_relationship(schema, child_uid=child_uid, parent_uid=parent_uid,
                                    cardinality=cardinality, name=name, **options)
    added = locate(out, rel_uid, "relationship")
    assert isinstance(added, m.Relationship)
    check_relationship_name(schema, added.child_table, added.name)
    return with_backfill(out, added, backfill)


def with_backfill(schema: m.Schema, rel: m.Relationship, backfill: str | None) -> m.Schema:
    """``backfill`` stored on the FK's NOT NULL child columns (the migration fills the
    child's existing rows with it; rule MG-09); None: ``schema`` as it is."""
    if backfill is None:
        return schema
    for uid in rel.child_columns:
        col = schema.column(uid)
        if not col.nullable:
            schema = edit.put_column(schema, rel.child_table, replace(col, backfill=backfill))
    return schema


def update_relationship(schema: m.Schema, uid: str, **changes: Any) -> m.Schema:
    """Relationship ``uid`` with ``changes`` (its fields), its name checked."""
    current = locate(schema, uid, "relationship")
    if not isinstance(current, m.Relationship):
        raise ValueError("That relationship no longer exists.")
    rel = replace(current, **changes)
    check_relationship_name(schema, rel.child_table, rel.name, uid)
    return edit.put_relationship(schema, rel)


# ------------------------------------------------------------------------------ enums

def save_enum(schema: m.Schema, *, uid: str, name: str, namespace: str,
              labels: list[str], comment: str, existing: bool) -> m.Schema:
    """The enum form's edit (``existing``: on enum ``uid``, which must still be there): the
    name checked among types; values keep their uid by label, so a kept label keeps its
    identity. A label typed over one that goes, in its place (:func:`.enumlabels.typed_over`), is
    that value renamed (``ALTER TYPE ... RENAME VALUE``: rows holding it keep it), and
    the design's expressions that spell the old label follow (:mod:`.enumlabels`); any
    other new label is a new value. Casts to the enum follow a new name or namespace."""
    found = locate(schema, uid, "enum")
    old = found if isinstance(found, m.EnumType) else None
    if existing and old is None:
        raise ValueError("That enum no longer exists.")
    check_type_name(schema, namespace, name, uid)
    by_label = {v.label: v.uid for v in old.values} if old else {}
    renames: dict[str, str] = {}
    before_values = old.values if old else ()
    for i, label in enumlabels.typed_over([v.label for v in before_values], labels):
        renames[before_values[i].label] = label
        by_label[label] = before_values[i].uid
    values = tuple(m.EnumValue(by_label.get(label) or new_uid(), label) for label in labels)
    out = edit.put_enum(schema, m.EnumType(uid=uid, name=name, namespace=namespace,
                                           values=values, comment=comment))
    if old is None:
        return out
    before = (old.namespace, old.name)  # casts to the enum follow its new name
    out = enumlabels.follow_labels(out, uid, renames, before)
    return enumlabels.follow_type(out, before, (namespace, name))


def locate(schema: m.Schema, uid: str, kind: m.ElementKind) -> m.Element | None:
    """Element ``uid`` when it is a ``kind`` (:meth:`~modeler.schema.model.Schema.locate`)."""
    found = schema.locate(uid)
    return found.element if found is not None and found.kind == kind else None
