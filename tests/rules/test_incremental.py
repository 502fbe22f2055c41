"""Incremental lint (issue #17): ``lint(new, since=(old, lint(old)))`` (and ``lint(new)`` after
``lint(old)``, from the recent runs) is the whole run ``lint(new, incremental=False)``, and the
rules run on the changed tables only (``runner.TABLE_LOCAL``) are local, on every rule case."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import replace

import pytest

from modeler.rules import Config, Finding, Rule, lint, registry
from modeler.rules.runner import NEIGHBOURHOOD_LOCAL, TABLE_LOCAL, changed_tables
from modeler.schema.builder import SchemaBuilder
from modeler.schema.model import Column, ColumnType, Schema, Table
from tests.rules.loader import build_config, build_schema
from tests.rules.test_cases import CASES


def _across_tables() -> Schema:
    """What the rule cases leave out: findings that depend on a relationship (an FK column
    named like a natural key, a relationship name over 63 bytes) or on an FK cycle."""
    b = SchemaBuilder(name="across")
    b.table("code_list", comment="Codes that other rows point to").column(
        "code", "text", pk=True)
    b.table("item", comment="One item with the code of its kind").column(
        "id", "bigint", identity="always", pk=True).column("code", "text")
    b.relationship("item", ["code"], "code_list", name="fk_" + "x" * 70,
                   on_delete="RESTRICT", on_update="NO ACTION")
    # a cycle of three tables (a table in an FK cycle is complex: DC-02)
    for name, ref in (("ring_a", "ring_b"), ("ring_b", "ring_c"), ("ring_c", "ring_a")):
        b.table(name, comment=f"One row of {name} in a ring").column(
            "id", "bigint", identity="always", pk=True).column(
            f"{ref}_id", "bigint", nullable=True).column("note", "text")
    for name, ref in (("ring_a", "ring_b"), ("ring_b", "ring_c"), ("ring_c", "ring_a")):
        b.relationship(name, [f"{ref}_id"], ref, on_delete="SET NULL", on_update="NO ACTION")
    return b.build()


SCHEMAS: list[tuple[str, Schema, Config]] = [
    (f"{rule}: {case['name']}", build_schema(case["schema"]), build_config(case.get("config")))
    for rule, case in CASES] + [("across tables", _across_tables(), Config())]


def _with_table(schema: Schema, uid: str, change: Callable[[Table], Table]) -> Schema:
    return replace(schema, tables=tuple(change(t) if t.uid == uid else t
                                        for t in schema.tables))


def _add_column(t: Table) -> Table:
    extra = Column(uid="00000000-0000-4000-8000-00000000e17a", name="extra_note",
                   type=ColumnType(name="text"), nullable=True)
    return replace(t, columns=(*t.columns, extra))


EDITS: dict[str, Callable[[Table], Table]] = {
    "add column": _add_column,
    "drop last column": lambda t: replace(t, columns=t.columns[:-1]),
    "rename": lambda t: replace(t, name=f"{t.name}_renamed"),
    "no comment": lambda t: replace(t, comment=""),
    "soft delete": lambda t: replace(t, delete_strategy="soft"),
    "no query patterns": lambda t: replace(t, query_patterns=(), indexes=()),
}


@pytest.mark.parametrize(("name", "schema", "config"),
                         [pytest.param(*s, id=s[0]) for s in SCHEMAS])
def test_incremental_lint_equals_a_whole_run(name: str, schema: Schema,
                                             config: Config) -> None:
    before = lint(schema, config, incremental=False)
    runs = 0
    for t in schema.tables:
        for edit, change in EDITS.items():
            new = _with_table(schema, t.uid, change)
            whole = lint(new, config, incremental=False)
            assert lint(new, config, since=(schema, before)) == whole, f"{edit} of {t.name}"
            lint(schema, config, incremental=False)  # the closest recent run: schema's
            assert lint(new, config) == whole, f"{edit} of {t.name}, from the recent runs"
            runs += changed_tables(schema, new) == frozenset({t.uid})
    # a table added (its own uids: a valid design), one removed
    extra = replace(schema.tables[0], uid="00000000-0000-4000-8000-0000000e17ab",
                    name="added_table", columns=_add_column(schema.tables[0]).columns[-1:],
                    indexes=(), uniques=(), checks=(), query_patterns=(),
                    pk_name=None) if schema.tables else None
    if extra is not None:
        added = replace(schema, tables=(*schema.tables, extra))
        assert lint(added, config, since=(schema, before)) == lint(added, config,
                                                                  incremental=False)
        assert lint(schema, config, since=(added, lint(added, config))) == before
    assert runs or not schema.tables or any(t.partition_of for t in schema.tables)


@pytest.mark.parametrize("rule_id", sorted(TABLE_LOCAL))
def test_table_local_rules_are_local(rule_id: str) -> None:
    """A local rule's findings on a table are those of the table alone (without the other
    tables and the relationships); its other findings do not depend on tables."""
    rule = registry()[rule_id]
    for name, schema, config in SCHEMAS:
        by_table: dict[str | None, list[Finding]] = defaultdict(list)
        for f in rule.check(schema, config):
            by_table[f.target.table_uid].append(f)
        for t in schema.tables:
            alone = replace(schema, tables=(t,), relationships=())
            found = [f for f in rule.check(alone, config) if f.target.table_uid == t.uid]
            assert found == by_table.pop(t.uid, []), f"{name}: table {t.name}"
        bare = replace(schema, tables=(), relationships=())
        rest = list(rule.check(bare, config))
        assert rest == [f for fs in by_table.values() for f in fs], name


@pytest.mark.parametrize("rule_id", sorted(NEIGHBOURHOOD_LOCAL))
def test_neighbourhood_local_rules_are_local(rule_id: str) -> None:
    """Such a rule's findings on a table are those of the table with the relationships that
    touch it and the tables at their other ends; its other findings do not depend on tables."""
    rule = registry()[rule_id]
    assert not TABLE_LOCAL & NEIGHBOURHOOD_LOCAL
    for name, schema, config in SCHEMAS:
        by_table: dict[str | None, list[Finding]] = defaultdict(list)
        for f in rule.check(schema, config):
            by_table[f.target.table_uid].append(f)
        for t in schema.tables:
            rels = tuple(r for r in schema.relationships if t.uid in (r.child_table,
                                                                        r.parent_table))
            ends = {t.uid} | {r.child_table for r in rels} | {r.parent_table for r in rels}
            near = replace(schema, tables=tuple(x for x in schema.tables if x.uid in ends),
                           relationships=rels)
            found = [f for f in rule.check(near, config) if f.target.table_uid == t.uid]
            assert found == by_table.pop(t.uid, []), f"{name}: table {t.name}"
        tables = {t.uid for t in schema.tables}
        bare = replace(schema, tables=(), relationships=())
        assert list(rule.check(bare, config)) == [
            f for uid, fs in by_table.items() if uid is None or uid not in tables
            for f in fs if f.target.table_uid is None], name


def test_changed_tables() -> None:
    _, schema, _ = next(s for s in SCHEMAS if len(s[1].tables) >= 2)
    t = schema.tables[0]
    assert changed_tables(schema, schema) == frozenset()
    assert changed_tables(schema, _with_table(schema, t.uid, _add_column)) == frozenset({t.uid})
    assert changed_tables(schema, replace(schema, tables=schema.tables[1:])) == frozenset({t.uid})
    assert changed_tables(schema, replace(schema, name="other")) is None


def _shared_names() -> Schema:
    """Columns of one name with different types in several tables (TY-10), a table named
    like another's ``*_id`` column without an FK (KR-08), complex tables in an FK cycle
    (DC-02), nullable columns (CN-01), a lone table (NF-08)."""
    b = SchemaBuilder(name="shared")
    for name, status in (("alpha", "text"), ("beta", "text"), ("gamma", "varchar"),
                         ("delta", "varchar")):
        b.table(name, comment=f"One {name} row of the shared-names case").column(
            "id", "bigint", identity="always", pk=True).column(
            "status", status, length=20 if status == "varchar" else None).column(
            "customer_id", "bigint", nullable=True).column(
            "amount", "numeric", precision=12, scale=2 if name != "beta" else 4).column(
            "gamma_id", "bigint", nullable=True).column("client_id", "bigint", nullable=True
                                                        ).column("note", "text", nullable=True)
    b.table("customer", comment="Somebody who buys things").column(
        "id", "bigint", identity="always", pk=True).column("status", "text")
    b.relationship("alpha", ["gamma_id"], "gamma", on_delete="SET NULL", on_update="NO ACTION")
    b.relationship("gamma", ["customer_id"], "customer", on_delete="SET NULL",
                   on_update="NO ACTION")
    b.relationship("delta", ["gamma_id"], "gamma", on_delete="SET NULL", on_update="NO ACTION")
    b.relationship("gamma", ["gamma_id"], "delta", on_delete="SET NULL", on_update="NO ACTION")
    return b.build()


def _retyped(name: str, ctype: ColumnType) -> Callable[[Table], Table]:
    return lambda t: replace(t, columns=tuple(replace(c, type=ctype) if c.name == name else c
                                              for c in t.columns))


def _renamed_column(old: str, new: str) -> Callable[[Table], Table]:
    return lambda t: replace(t, columns=tuple(replace(c, name=new) if c.name == old else c
                                              for c in t.columns))


CROSS_EDITS: dict[str, Callable[[Table], Table]] = {
    **EDITS,
    # the usual type of 'status' flips from text to varchar(20): findings move to other tables
    "status becomes varchar(20)": _retyped("status", ColumnType(name="varchar", length=20)),
    "status becomes text": _retyped("status", ColumnType(name="text")),
    "amount becomes numeric(12,4)": _retyped("amount", ColumnType(name="numeric",
                                                                  precision=12, scale=4)),
    "status renamed state": _renamed_column("status", "state"),
    "note renamed status": _renamed_column("note", "status"),
    "customer_id renamed gamma_id2": _renamed_column("customer_id", "gamma_id2"),
    # KR-08: 'client_id' columns now name a table, 'customer_id' ones no longer do
    "renamed customer": lambda t: replace(t, name="client") if t.name == "customer" else t,
    "note commented": lambda t: replace(t, columns=tuple(
        replace(c, comment="A note about the row") if c.name == "note" else c
        for c in t.columns)),
}


def test_incremental_lint_across_tables() -> None:
    """Edits of one table that change the findings on others (same-named columns, a table
    renamed to or from what a ``*_id`` column names), with the rules that recheck."""
    schema = _shared_names()
    config = Config()
    before = lint(schema, config, incremental=False)
    assert {f.rule for f in before} >= {"TY-10", "KR-08", "DC-02", "CN-01"}
    moved = 0
    for t in schema.tables:
        for edit, change in CROSS_EDITS.items():
            new = _with_table(schema, t.uid, change)
            whole = lint(new, config, incremental=False)
            assert lint(new, config, since=(schema, before)) == whole, f"{edit} of {t.name}"
            moved += {f.key for f in whole if f.target.table_uid != t.uid} != {
                f.key for f in before if f.target.table_uid != t.uid}
    assert moved  # some edits of one table changed the findings on the others


RECHECKING = sorted(rule_id for rule_id, rule in registry().items()
                    if type(rule).recheck is not Rule.recheck)


@pytest.mark.parametrize("rule_id", RECHECKING)
def test_recheck_is_check(rule_id: str) -> None:
    """A rule's incremental answer (the findings on the old design it keeps, and its fresh
    ones) is its check of the new design, on every rule case and edit of one table."""
    rule = registry()[rule_id]
    assert rule_id in {"TY-10", "DC-02", "CN-01", "NF-08", "KR-08"}
    answered = 0
    for name, schema, config in [*SCHEMAS, ("shared names", _shared_names(), Config())]:
        old = sorted(rule.check(schema, config), key=Finding.sort_key)
        for t in schema.tables:
            for edit, change in CROSS_EDITS.items():
                new = _with_table(schema, t.uid, change)
                changed = changed_tables(schema, new)
                if changed is None:
                    continue
                again = rule.recheck(schema, new, changed, config)
                if again is None:
                    continue
                keep, fresh = again
                got = sorted([f for f in old if keep(f)] + list(fresh), key=Finding.sort_key)
                assert got == sorted(rule.check(new, config), key=Finding.sort_key), (
                    f"{name}: {edit} of {t.name}")
                answered += 1
    assert answered
