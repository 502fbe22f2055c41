"""Normalization (NF): repeating groups, multi-valued columns, copied attributes, declared
denormalization, god and isolated tables."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator

from modeler.rules.analysis import AUDIT_COLUMNS, analyze
from modeler.rules.core import (
    Config,
    Finding,
    Level,
    Rule,
    column_target,
    on_tables,
    register,
    table_target,
    tables_in,
)
from modeler.schema.model import Column, Schema, Table

_NUMBERED = re.compile(r"^([a-z][a-z_]*?[a-z])_?(\d{1,2})$")
_ID_TYPES = frozenset({"smallint", "integer", "bigint", "uuid"})


@register
class RepeatingGroups(Rule):
    """No numbered copies of one attribute.

    ``phone1, phone2, phone3`` caps the count at three, makes "find by phone" search three
    columns, and leaves most of them NULL. The values are rows of a child table.

    Bad:
        CREATE TABLE customer (..., phone1 text, phone2 text);

    Good:
        CREATE TABLE customer_phone (customer_id bigint NOT NULL REFERENCES customer,
                                     phone text NOT NULL, ...);
    """

    id = "NF-01"
    name = "Repeating groups"
    level = Level.JUSTIFY

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        for t in schema.tables:
            groups: dict[str, list[tuple[int, Column]]] = {}
            for c in t.columns:
                m = _NUMBERED.match(c.name)
                if m and int(m.group(2)) <= 20:
                    groups.setdefault(m.group(1), []).append((int(m.group(2)), c))
            for base, numbered in sorted(groups.items()):
                # a group counts from 0, 1 or 2 (ipv4/ipv6 are not a repeating group)
                cols = [c for _, c in numbered]
                if len(cols) >= 2 and min(n for n, _ in numbered) <= 2:
                    names = ", ".join(c.name for c in cols[:3]) + ("…" if len(cols) > 3 else "")
                    yield self.finding(
                        column_target(t, cols[0], tuple(c.uid for c in cols[1:])),
                        f"Repeating group: {names}",
                        f"Move {base} values to a child table")


@register
class MultiValued(Rule):
    """A column holds one value.

    Lists of ids in an array or a comma-separated string cannot have foreign keys, cannot be
    indexed for "who references X", and are rewritten whole on every change.

    Bad:
        CREATE TABLE post (..., tag_ids bigint[]);

    Good:
        CREATE TABLE post_tag (post_id bigint NOT NULL REFERENCES post,
                               tag_id bigint NOT NULL REFERENCES tag,
                               PRIMARY KEY (post_id, tag_id));
    """

    id = "NF-02"
    name = "Multi-valued attributes"
    level = Level.JUSTIFY

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        a = analyze(schema)
        for t in schema.tables:
            for c in t.columns:
                ctype = a.base_type(c.type)
                if c.name.endswith("_ids"):
                    msg = f"{c.name} holds a list of ids"
                elif ctype.array_dims and ctype.kind == "builtin" and ctype.name in _ID_TYPES \
                        and (c.name.endswith("_id") or c.name == "ids"):
                    msg = f"{c.name} is an array of ids"
                elif c.name.endswith(("_list", "_csv")) and ctype.kind == "builtin" \
                        and ctype.name in ("text", "varchar", "citext"):
                    msg = f"{c.name} holds a delimited list"
                else:
                    continue
                yield self.finding(column_target(t, c), msg, "Use a junction or child table")


@register
class CopiedParentAttribute(Rule):
    """A child does not copy its parent's attributes unless the copy is declared.

    ``order.customer_email`` beside ``order.customer_id`` duplicates ``customer.email``: the
    two drift apart on the first change. If the copy is intended (the email at the time of
    the order), declare it as denormalized with its source and reason (see NF-07).

    Bad:
        order_ (customer_id → customer, customer_email text)

    Good:
        order_ (customer_id → customer)  -- join for the email
    """

    id = "NF-03"
    name = "Copied parent attribute"
    level = Level.JUSTIFY

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        a = analyze(schema)
        for r in schema.relationships:
            if len(r.child_columns) != 1:
                continue
            try:
                child, parent = schema.table(r.child_table), schema.table(r.parent_table)
                fk = schema.column(r.child_columns[0])
            except KeyError:
                continue
            prefixes = {parent.name + "_"}
            if fk.name.endswith("_id"):
                prefixes.add(fk.name[:-2])
            attrs = {c.name for c in parent.columns
                     if not c.in_pk and c.name not in AUDIT_COLUMNS and c.name != "id"}
            for c in child.columns:
                if c.denormalized is not None or c.uid in a.fk_columns:
                    continue
                for p in prefixes:
                    if c.name.startswith(p) and c.name[len(p):] in attrs:
                        yield self.finding(column_target(child, c, (r.uid,)),
                                           f"{c.name} copies {parent.name}.{c.name[len(p):]}",
                                           "Join instead, or declare it denormalized")
                        break


@register
class DenormalizationDeclared(Rule):
    """A denormalized column says where the truth is, how it is kept in sync, and why.

    A copy without a maintenance mechanism goes stale silently; without a reason, nobody
    knows whether it can be removed.

    Bad:
        order_.customer_email  -- marked denormalized, nothing else

    Good:
        order_.customer_email  -- source: customer.email; kept by: set on insert, never
                               -- updated; why: invoices show the address used at purchase
    """

    id = "NF-07"
    name = "Denormalization is declared"
    level = Level.BLOCK

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        for t in schema.tables:
            for c in t.columns:
                d = c.denormalized
                if d is None:
                    continue
                missing = [label for label, text in (
                    ("source", d.source_of_truth), ("mechanism", d.mechanism),
                    ("reason", d.justification)) if not text.strip()]
                if missing:
                    yield self.finding(column_target(t, c),
                                       f"Denormalization lacks {', '.join(missing)}",
                                       "Name the source of truth, the sync mechanism, the why")


@register
class GodOrIsolatedTable(Rule):
    """Tables are focused and connected.

    A table with more than 30 columns usually mixes several concepts; a table with no
    relationship at all in a multi-table design is often a leftover or a missing link.

    Bad:
        customer (48 columns: profile, billing, preferences, marketing flags...)

    Good:
        customer, customer_billing, customer_preference (1:1 and 1:n children)
    """

    id = "NF-08"
    name = "God table (> 30 columns) / isolated table"
    level = Level.ADVISE

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        return self._check(schema, schema.tables)

    def recheck(self, old: Schema, new: Schema, changed: frozenset[str], config: Config,
                ) -> tuple[Callable[[Finding], bool], Iterable[Finding]] | None:
        # a table's findings: the table, its relationships and whether it is alone
        if (len(old.tables) > 1) != (len(new.tables) > 1):
            return None
        return on_tables(changed, self._check(new, tables_in(new, changed)))

    def _check(self, schema: Schema, tables: Iterable[Table]) -> Iterator[Finding]:
        many = len(schema.tables) > 1
        for t in tables:
            if len(t.columns) > 30:
                yield self.finding(table_target(t), f"Table has {len(t.columns)} columns",
                                   "Split it into focused tables")
            elif many and not schema.relationships_of(t.uid) and not schema.references_to(t.uid):
                yield self.finding(table_target(t), "Table has no relationships",
                                   "Connect it to the model, or say why it stands alone")
