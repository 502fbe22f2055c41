"""Engine pieces: config, registry, fixes (and the edits they are made of), docs, destructive
changes, helpers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from modeler.diff import RenameTableElement, diff
from modeler.diff.narrowing import is_narrowing
from modeler.rules import (
    NOT_SCHEMA_CHECKED,
    Config,
    Level,
    all_rules,
    apply_edits,
    apply_safe_fixes,
    describe_edits,
    destructive_changes,
    fix_for,
    lint,
    rule_doc,
    rule_docs,
    safe_fixes,
)
from modeler.rules.analysis import cyclic_components, strip_casts
from modeler.rules.core import clip
from modeler.rules.ruledocs import RuleDocError, parse_docstring
from modeler.schema import edit
from modeler.schema.builder import SchemaBuilder
from modeler.schema.model import Column, ColumnType, Index, IndexPart, Relationship, Schema


def small() -> Schema:
    b = SchemaBuilder()
    t = b.table("customer", comment="People who buy things")
    t.column("id", "bigint", identity="always", pk=True)
    t.column("email", "text")
    o = b.table("purchase", comment="One checkout by a customer")
    o.column("id", "bigint", identity="always", pk=True)
    o.column("customer_id", "bigint")
    b.relationship("purchase", ["customer_id"], "customer", on_delete="RESTRICT",
                   on_update="NO ACTION")
    return b.build()


def test_rules_restrict_the_run_and_overrides_must_name_rules() -> None:
    assert {f.rule for f in lint(small(), rules=["TS-01", "DC-02"])} == {"TS-01"}
    with pytest.raises(ValueError, match="unknown rule"):
        lint(small(), Config.with_levels({"XX-99": "block"}))
    raised = lint(small(), Config.with_levels({"TS-01": "advise"}), rules=["TS-01"])
    assert {f.level for f in raised} == {Level.ADVISE}
    assert {f.default_level for f in raised} == {Level.BLOCK}


def test_registry_ids_are_unique_and_categorized() -> None:
    ids = [r.id for r in all_rules()]
    assert len(ids) == len(set(ids)) == 52  # MG-10 (issue #19)
    assert all(r.category for r in all_rules())


def test_relationship_outside_its_tables_is_not_a_real_fk() -> None:
    schema = small()
    customer, purchase = schema.tables
    bad = Relationship(uid="r-bad", name="fk_bad", child_table=purchase.uid,
                       child_columns=(customer.columns[1].uid,), parent_table=customer.uid,
                       parent_columns=(customer.columns[0].uid,), on_delete="RESTRICT",
                       on_update="NO ACTION")
    broken = replace(schema, relationships=(*schema.relationships, bad))
    assert [f.message for f in lint(broken, rules=["KR-03"])] == [
        "FK refers to columns outside its tables"]


def test_safe_fixes_are_deterministic_and_apply() -> None:
    edits = safe_fixes(small())
    assert edits == safe_fixes(small())
    assert describe_edits(small(), edits) == (
        "Add column customer.created_at timestamptz NOT NULL DEFAULT now()",
        "Add column customer.updated_at timestamptz NOT NULL DEFAULT now()",
        "Add column purchase.created_at timestamptz NOT NULL DEFAULT now()",
        "Add column purchase.updated_at timestamptz NOT NULL DEFAULT now()",
        "Add index ix_purchase_customer_id on purchase (customer_id)",
    )
    fixed = apply_safe_fixes(small())
    assert not lint(fixed, rules=["TS-01", "TS-02", "IX-01"])
    assert fixed.table_named("purchase").columns[-1].name == "updated_at"  # type: ignore[union-attr]


def test_conflicting_fixes_are_combined_without_clashes() -> None:
    b = SchemaBuilder()
    t = b.table("t", comment="Rows with two badly named indexes")
    t.column("id", "bigint", identity="always", pk=True).column("a", "integer")
    t.index("a", name="idx_one", where="a > 0").index("a", name="idx_two", where="a < 0")
    schema = b.build()
    renames = [op for op in safe_fixes(schema) if isinstance(op, RenameTableElement)]
    assert [op.new_name for op in renames] == ["ix_t_a"]  # the second would clash: left out
    apply_edits(schema, safe_fixes(schema))


def test_fix_edits_refuse_what_does_not_fit() -> None:
    """What fixes are made of (:mod:`modeler.schema.edit`) refuses taken names and unknown
    elements rather than produce an invalid design."""
    schema = small()
    customer = schema.table_named("customer")
    assert customer is not None
    email = customer.column_named("email")
    assert email is not None
    with pytest.raises(ValueError, match="exists"):
        edit.rename(schema, email.uid, "id")
    with pytest.raises(ValueError, match="taken"):
        edit.rename(schema, customer.uid, "purchase")
    with pytest.raises(KeyError, match="nope"):
        edit.add_column(schema, "nope", Column("c", "c", ColumnType()))
    ix = Index("i1", "pk_purchase", (IndexPart(column=email.uid),))
    with pytest.raises(ValueError, match="taken"):
        edit.add_index(schema, customer.uid, ix)
    assert schema == small()  # never mutated


def test_apply_edits_renames_keep_uids_and_normalize() -> None:
    schema = small()
    customer = schema.table_named("customer")
    assert customer is not None
    ops = diff(schema, edit.rename(schema, customer.uid, "client"))
    renamed = apply_edits(schema, ops)
    assert renamed == edit.rename(schema, customer.uid, "client")
    assert [t.name for t in renamed.tables] == ["client", "purchase"]
    assert renamed.table(customer.uid).name == "client"
    assert renamed.relationships == schema.relationships


def test_fix_uids_are_deterministic() -> None:
    finding = next(f for f in lint(small()) if f.rule == "IX-01")
    first, second = fix_for(small(), finding), fix_for(small(), finding)
    assert first is not None and first == second
    assert first.safe


def is_widening(old: ColumnType, new: ColumnType, *_schemas: Schema) -> bool:
    """The retired MG-05 helper's question, answered by the one lossiness table."""
    return not is_narrowing(old, new)


def test_destructive_changes_and_widening() -> None:
    assert destructive_changes(small(), small()) == ()
    s = small()
    int_, big = ColumnType(name="integer"), ColumnType(name="bigint")
    assert is_widening(int_, big, s, s) and not is_widening(big, int_, s, s)
    v10, v20 = ColumnType(name="varchar", length=10), ColumnType(name="varchar", length=20)
    assert is_widening(v10, v20, s, s) and not is_widening(v20, v10, s, s)
    assert is_widening(v20, ColumnType(name="text"), s, s)
    n122, n102 = (ColumnType(name="numeric", precision=p, scale=2) for p in (12, 10))
    assert is_widening(n102, n122, s, s) and not is_widening(n122, n102, s, s)
    assert not is_widening(ColumnType(name="text"), int_, s, s)


def test_docs_parse_and_list_elsewhere_checked_rules() -> None:
    doc = rule_doc("IX-01")
    assert doc.summary == "Every foreign key is covered by an index."
    assert doc.bad.startswith("CREATE TABLE order_line") and "CREATE INDEX" in doc.good
    assert doc.level == "block" and doc.category == "Indexes" and doc.fix_safe
    assert len(rule_docs()) == len(all_rules())
    assert {e.id for e in NOT_SCHEMA_CHECKED} >= {"MG-01", "MG-02", "MG-03", "OR-01..07"}
    with pytest.raises(RuleDocError):
        parse_docstring("Summary only.")
    with pytest.raises(KeyError):
        rule_doc("XX-01")


def test_helpers() -> None:
    assert strip_casts("('now'::text)::timestamp with time zone") == "'now'"
    assert strip_casts("(a) + (b)") == "(a) + (b)"
    assert cyclic_components({"a": ["b"], "b": ["a"], "c": ["c"], "d": ["a"]}) == (
        ("a", "b"), ("c",))
    assert clip("x" * 100) == "x" * 78 + "…" and len(clip("x" * 100)) == 79
    chain = {str(i): [str(i + 1)] for i in range(5000)}  # deep: no recursion limit
    assert cyclic_components(chain) == ()


def test_engine_is_pure() -> None:
    import subprocess
    import sys

    code = ("import sys, modeler.rules; "
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
            "('django', 'sqlalchemy', 'alembic')); print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "[]"
