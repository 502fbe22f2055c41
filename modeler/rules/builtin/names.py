"""Naming (NM): snake_case, identifier length, reserved words, the constraint naming convention."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

from modeler.rules.analysis import analyze
from modeler.rules.core import (
    Config,
    Finding,
    Level,
    Rule,
    SchemaChange,
    Target,
    check_target,
    column_target,
    enum_target,
    index_target,
    pk_target,
    register,
    relationship_target,
    table_target,
    unique_target,
)
from modeler.rules.reserved import is_reserved
from modeler.schema import edit, naming
from modeler.schema.model import Index, Relationship, Schema, Table


def _named(schema: Schema) -> Iterator[tuple[Callable[[], Target], str]]:
    """User-chosen identifiers: tables, columns, enums, domains (targets built on demand)."""
    for t in schema.tables:
        yield partial(table_target, t), t.name
        for c in t.columns:
            yield partial(column_target, t, c), c.name
    for e in schema.enums:
        yield partial(enum_target, e), e.name
    for d in schema.domains:
        yield partial(Target, "domain", d.qualified_name, d.uid), d.name


def _rename(schema: Schema, target: Target, new: str) -> SchemaChange | None:
    """A rename of a table or column to ``new`` unless the name is taken."""
    if target.kind == "table" and target.uid is not None:
        t = schema.table(target.uid)
        if (t.namespace, new) in analyze(schema).relation_names:
            return None
        return partial(edit.rename, uid=t.uid, new_name=new)
    if target.kind == "column" and target.uid is not None and target.table_uid is not None:
        t = schema.table(target.table_uid)
        if t.column_named(new) is not None:
            return None
        return partial(edit.rename, uid=target.uid, new_name=new)
    return None


def _current_name(schema: Schema, target: Target) -> str:
    if target.kind == "table":
        return schema.table(target.uid or "").name
    return schema.column(target.uid or "").name


@register
class SnakeCase(Rule):
    """Names are lower snake_case ASCII and start with a letter.

    Mixed case and special characters force quoting in every query (``"OrderLine"``), and
    one missing pair of quotes turns into "relation does not exist". snake_case also maps
    cleanly to Python attribute names.

    Bad:
        CREATE TABLE "OrderLine" ("unitPrice" numeric(12,2));

    Good:
        CREATE TABLE order_line (unit_price numeric(12,2));
    """

    id = "NM-01"
    name = "lower snake_case ASCII, starting with a letter"
    level = Level.BLOCK
    fixable = True
    fix_safe = False  # renames break code that uses the old name

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        for target, name in _named(schema):
            if not naming.is_snake_case(name):
                yield self.finding(target(), f"{name[:40]!r} is not snake_case",
                                   f"Rename to {naming.to_snake_case(name)}")

    def fix(self, schema: Schema, finding: Finding) -> SchemaChange | None:
        try:
            new = naming.to_snake_case(_current_name(schema, finding.target))
        except KeyError:
            return None
        return _rename(schema, finding.target, new + "_" if is_reserved(new) else new)


@register
class IdentifierLength(Rule):
    """Identifiers fit in 63 bytes.

    PostgreSQL silently truncates longer names, so two long names can collide and the name in
    the database differs from the one in the model and the code. Generated names (indexes,
    constraints) count too; the naming convention shortens them with a hash.

    Bad:
        CREATE TABLE customer_subscription_billing_address_verification_attempt_log (...);

    Good:
        CREATE TABLE billing_address_check (...);
    """

    id = "NM-02"
    name = "Identifiers ≤ 63 bytes, generated names included"
    level = Level.BLOCK

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        for target, name in self._names(schema):
            if len(name) * 4 <= naming.MAX_IDENTIFIER_BYTES:
                continue  # cannot be too long, even in 4-byte characters
            size = len(name.encode())
            if size > naming.MAX_IDENTIFIER_BYTES:
                yield self.finding(target(), f"Name is {size} bytes; the limit is 63",
                                   "Shorten the name")

    @staticmethod
    def _names(schema: Schema) -> Iterator[tuple[Callable[[], Target], str]]:
        yield from _named(schema)
        for t in schema.tables:
            if t.pk_name is not None:
                yield partial(pk_target, t), t.pk_name
            for ix in t.indexes:
                yield partial(index_target, t, ix), ix.name
            for u in t.uniques:
                yield partial(unique_target, t, u), u.name
            for ck in t.checks:
                yield partial(check_target, t, ck), ck.name
        for r in schema.relationships:
            yield partial(relationship_target, schema, r), r.name
        for s in schema.sequences:
            yield partial(Target, "schema", f"sequence {s.qualified_name}", s.uid), s.name


@register
class NoReservedWords(Rule):
    """Names are not SQL reserved words.

    ``order``, ``user``, ``group`` or ``table`` must be quoted in every statement; tools and
    hand-written SQL forget the quotes. The list is PostgreSQL's reserved key words.

    Bad:
        CREATE TABLE "order" ("user" bigint);

    Good:
        CREATE TABLE purchase_order (user_id bigint);
    """

    id = "NM-03"
    name = "No reserved words"
    level = Level.BLOCK
    fixable = True
    fix_safe = False

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        for target, name in _named(schema):
            if is_reserved(name):
                yield self.finding(target(), f"{name!r} is a reserved word",
                                   f"Rename, e.g. to {name.lower()}_")

    def fix(self, schema: Schema, finding: Finding) -> SchemaChange | None:
        try:
            old = _current_name(schema, finding.target)
        except KeyError:
            return None
        return _rename(schema, finding.target, old.lower() + "_")


def expected_fk_name(schema: Schema, r: Relationship) -> str | None:
    try:
        child, parent = schema.table(r.child_table), schema.table(r.parent_table)
        cols = [schema.column(c).name for c in r.child_columns]
    except KeyError:
        return None
    return naming.fk_name(child.name, cols, parent.name)


def index_name_ok(t: Table, ix: Index) -> bool:
    """``ix_<table>_<cols>`` (a ``_<suffix>`` may tell same-column indexes apart); unique
    indexes may use ``uq_``; expression indexes need only the ``ix_<table>_`` prefix."""
    by_uid = {c.uid: c.name for c in t.columns}
    if any(p.column is None for p in ix.parts):
        return ix.name.startswith(f"ix_{t.name}_")
    cols = [by_uid.get(p.column or "", "?") for p in ix.parts]
    names = [naming.ix_name(t.name, cols)]
    if ix.unique:
        names.append(naming.uq_name(t.name, cols))
    return any(ix.name == n or ix.name.startswith(n + "_") for n in names)


@register
class NamingConvention(Rule):
    """Constraint and index names follow the naming convention.

    ``pk_<table>``, ``fk_<table>_<cols>_<referred>``, ``uq_<table>_<cols>``,
    ``ck_<table>_<name>`` and ``ix_<table>_<cols>``: the exporter puts the same convention
    on SQLAlchemy's ``MetaData``, so names in the model, the migrations and the database
    agree, and later migrations can address constraints by name.

    Bad:
        CONSTRAINT order_customer_fkey FOREIGN KEY (customer_id) REFERENCES customer

    Good:
        CONSTRAINT fk_order_customer_id_customer FOREIGN KEY (customer_id) REFERENCES customer
    """

    id = "NM-04"
    name = "Constraint and index names follow the naming convention"
    level = Level.BLOCK
    fixable = True
    fix_safe = True

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        for t in schema.tables:
            yield from self._table(t)
        for r in schema.relationships:
            want = expected_fk_name(schema, r)
            if want is not None and r.name != want:
                yield self.finding(relationship_target(schema, r), self._msg(r.name),
                                   f"Rename to {want}")

    def _table(self, t: Table) -> Iterator[Finding]:
        if t.pk_name is not None and t.pk_name != naming.pk_name(t.name):
            yield self.finding(pk_target(t), self._msg(t.pk_name),
                               f"Rename to {naming.pk_name(t.name)}")
        by_uid = {c.uid: c.name for c in t.columns}
        for u in t.uniques:
            want = naming.uq_name(t.name, [by_uid.get(c, "?") for c in u.columns])
            if u.name != want:
                yield self.finding(unique_target(t, u), self._msg(u.name), f"Rename to {want}")
        prefix = f"ck_{t.name}_"
        for ck in t.checks:
            if not (ck.name.startswith(prefix) and len(ck.name) > len(prefix)) and not (
                    len(prefix) > 55 and ck.name.startswith(prefix[:50])):
                yield self.finding(check_target(t, ck), self._msg(ck.name),
                                   f"Rename to {prefix}<what it checks>")
        for ix in t.indexes:
            if not index_name_ok(t, ix):
                yield self.finding(index_target(t, ix), self._msg(ix.name),
                                   f"Rename to ix_{t.name}_<columns>")

    @staticmethod
    def _msg(name: str) -> str:
        return f"{name[:50]!r} does not follow the naming convention"

    def fix(self, schema: Schema, finding: Finding) -> SchemaChange | None:
        target = finding.target
        uid, tuid = target.uid or "", target.table_uid or ""
        a = analyze(schema)
        try:
            t = schema.table(tuid)
        except KeyError:
            return None
        taken = a.relation_names
        cons = a.constraint_names(t)

        def free(name: str, constraint: bool, relation: bool) -> bool:
            return not (constraint and name in cons) and not (
                relation and (t.namespace, name) in taken)

        if target.kind == "primary_key":
            want = naming.pk_name(t.name)
            if not free(want, True, True):
                return None
            return partial(edit.rename_primary_key, table_uid=t.uid, new_name=None)
        if target.kind == "relationship":
            r = a.relationships.get(uid)
            want_fk = expected_fk_name(schema, r) if r is not None else None
            if r is None or want_fk is None or not free(want_fk, True, False):
                return None
            return partial(edit.rename, uid=r.uid, new_name=want_fk)
        by_uid = {c.uid: c.name for c in t.columns}
        if target.kind == "unique":
            u = next(u for u in t.uniques if u.uid == uid)
            want = naming.uq_name(t.name, [by_uid.get(c, "?") for c in u.columns])
            return partial(edit.rename, uid=uid, new_name=want) if free(want, True, True) \
                else None
        if target.kind == "check":
            ck = next(c for c in t.checks if c.uid == uid)
            rest = ck.name[3:] if ck.name.startswith("ck_") else ck.name
            want = naming.ck_name(t.name, rest or "check")
            return partial(edit.rename, uid=uid, new_name=want) if free(want, True, False) \
                else None
        if target.kind == "index":
            ix = next(i for i in t.indexes if i.uid == uid)
            labels = [by_uid.get(p.column, "?") if p.column else "expr" for p in ix.parts]
            want = naming.ix_name(t.name, labels)
            return partial(edit.rename, uid=uid, new_name=want) if free(want, False, True) \
                else None
        return None
