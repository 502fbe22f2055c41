"""Element gate, version gate and waivers."""

from __future__ import annotations

from dataclasses import replace

import pytest

from modeler.rules import (
    Config,
    Level,
    Waiver,
    apply_waivers,
    element_gate,
    fingerprint,
    lint,
    make_waiver,
    validate_justification,
    version_gate,
    waiver_status,
)
from modeler.rules.core import Finding
from modeler.schema.builder import SchemaBuilder
from modeler.schema.model import Position, Schema


def shop(*, email_type: str = "text", with_fax: bool = False) -> Schema:
    """A design without BLOCK findings; customer.fax (when present) has a JUSTIFY one."""
    b = SchemaBuilder()
    c = b.table("customer", comment="People who buy things in the shop")
    c.column("id", "bigint", identity="always", pk=True)
    c.column("email", email_type, comment="Login and contact address")
    if with_fax:
        c.column("fax", "text", nullable=True)
    c.timestamps()
    c.unique("email")
    o = b.table("purchase", comment="One checkout by a customer")
    o.column("id", "bigint", identity="always", pk=True)
    o.column("customer_id", "bigint")
    o.timestamps()
    o.index("customer_id")
    b.relationship("purchase", ["customer_id"], "customer", on_delete="RESTRICT",
                   on_update="NO ACTION")
    return b.build()


def uid_of(schema: Schema, path: str) -> str:
    table, _, column = path.partition(".")
    t = schema.table_named(table)
    assert t is not None
    if not column:
        return t.uid
    col = t.column_named(column)
    assert col is not None
    return col.uid


def _fax_finding(schema: Schema) -> Finding:
    return next(f for f in lint(schema) if f.rule == "CN-01")


def test_reference_design_is_clean() -> None:
    assert [f for f in lint(shop()) if f.level is not Level.ADVISE] == []
    assert version_gate(shop()) == []


def test_element_gate_refuses_a_new_block_on_the_element() -> None:
    before = shop()
    after = shop(email_type="json")  # TY-05 BLOCK (and DC-02: json makes the table complex)
    email = uid_of(after, "customer.email")
    refused = element_gate(before, after, email)
    assert {f.rule for f in refused} == {"TY-05"}
    assert all(f.level is Level.BLOCK for f in refused)
    # the table gate sees its children's findings too
    assert {"TY-05"} <= {f.rule for f in element_gate(before, after, uid_of(after, "customer"))}
    # another element is not refused because of customer.email
    assert element_gate(before, after, uid_of(after, "purchase")) == ()


def test_element_gate_ignores_blocks_that_were_already_there() -> None:
    broken = shop(email_type="json")
    moved = replace(broken, tables=tuple(
        replace(t, position=Position(10, 20)) for t in broken.tables))
    assert element_gate(broken, moved, uid_of(moved, "customer.email")) == ()


def test_dropping_an_element_is_gated_on_its_table() -> None:
    from modeler.schema import edit

    before = shop()
    created = uid_of(before, "customer.created_at")
    after = edit.drop(before, created)  # the column is gone: TS-01 lands on its table
    assert {f.rule for f in element_gate(before, after, created)} == {"TS-01"}
    index = next(t for t in before.tables if t.name == "purchase").indexes[0].uid
    assert {f.rule for f in element_gate(before, edit.drop(before, index), index)} == {"IX-01"}
    # no single element: every new BLOCK counts
    assert {f.rule for f in element_gate(before, after, None)} == {"TS-01"}


def test_element_gate_gates_saves_after_a_baseline_normally() -> None:
    after = shop(email_type="json")
    refused = element_gate(shop(), after, uid_of(after, "customer.email"),
                           Config(baseline=True))
    assert {f.rule for f in refused} == {"TY-05"}


def test_version_gate_needs_a_waiver_for_justify() -> None:
    schema = shop(with_fax=True)
    reasons = version_gate(schema)
    assert reasons == ["JUSTIFY CN-01 customer.fax: Nullable column without NULL meaning "
                       "(no valid waiver)"]
    waiver = make_waiver(schema, _fax_finding(schema),
                         "Legacy B2B customers still send orders by fax until 2027",
                         "ana", "2026-11-24T10:00:00Z")
    assert version_gate(schema, waivers=[waiver]) == []


def test_version_gate_reports_blocks_even_with_waivers() -> None:
    schema = shop(email_type="json")
    reasons = version_gate(schema, waivers=[])
    assert any(r.startswith("BLOCK TY-05 customer.email") for r in reasons)


def test_waiver_lapses_when_the_target_changes() -> None:
    schema = shop(with_fax=True)
    finding = _fax_finding(schema)
    waiver = make_waiver(schema, finding, "Legacy B2B customers still send orders by fax",
                         "ana", "2026-11-24T10:00:00Z")
    assert waiver_status(schema, waiver, lint(schema)) == "valid"
    # unrelated change (diagram position, another column): the waiver holds
    moved = replace(schema, tables=tuple(replace(t, position=Position(1, 2))
                                         for t in schema.tables))
    assert waiver_status(moved, waiver, lint(moved)) == "valid"
    # the target changes: fingerprint differs, the waiver lapses, the finding gates again
    changed = _retype_fax(schema, "varchar")
    assert fingerprint(changed, _fax_finding(changed)) != waiver.fingerprint
    assert waiver_status(changed, waiver, lint(changed)) == "lapsed"
    assert version_gate(changed, waivers=[waiver]) != []
    assert not any(f.waived for f in apply_waivers(changed, lint(changed), [waiver]))
    # the problem is fixed: the waiver has nothing left to cover
    fixed = shop()
    assert waiver_status(fixed, waiver, lint(fixed)) == "unused"


def _retype_fax(schema: Schema, type_name: str) -> Schema:
    t = schema.table_named("customer")
    assert t is not None
    cols = tuple(replace(c, type=replace(c.type, name=type_name)) if c.name == "fax" else c
                 for c in t.columns)
    return replace(schema, tables=tuple(replace(x, columns=cols) if x.uid == t.uid else x
                                        for x in schema.tables))


def test_waived_findings_are_marked() -> None:
    schema = shop(with_fax=True)
    finding = _fax_finding(schema)
    waiver = make_waiver(schema, finding, "Legacy B2B customers still send orders by fax",
                         "ana", "2026-11-24T10:00:00Z")
    marked = apply_waivers(schema, lint(schema), [waiver])
    assert [f.rule for f in marked if f.waived] == ["CN-01"]
    assert not any(f.gating for f in marked)


def test_fingerprint_is_stable_across_equal_snapshots() -> None:
    a, b = shop(with_fax=True), shop(with_fax=True)
    assert fingerprint(a, _fax_finding(a)) == fingerprint(b, _fax_finding(b))


def test_block_findings_cannot_be_waived() -> None:
    schema = shop(email_type="json")
    block = next(f for f in lint(schema) if f.rule == "TY-05")
    with pytest.raises(ValueError, match="only JUSTIFY"):
        make_waiver(schema, block, "We really need json here for reasons", "ana", "now")
    forged = Waiver("TY-05", block.target.key, fingerprint(schema, block), "x" * 30, "a", "t")
    assert not any(f.waived for f in apply_waivers(schema, lint(schema), [forged]))


@pytest.mark.parametrize(("text", "ok"), [
    ("too short", False),
    ("aaaaaaaaaaaaaaaaaaaaaaaaa", False),
    ("A nullable column says what NULL means.", False),  # the rule's own summary
    ("NULL can mean unknown, not applicable, not yet, or none", False),  # copied from the why
    ("Fax numbers are optional: most customers never had one", True),
])
def test_validate_justification(text: str, ok: bool) -> None:
    assert (validate_justification(text, "CN-01") is None) == ok


def test_baseline_findings_grandfather_and_pass_the_version_gate() -> None:
    b = SchemaBuilder()
    b.table("legacy", comment="").column("payload", "json")
    schema = b.build()
    assert version_gate(schema) != []
    findings = lint(schema, Config(baseline=True))
    assert findings and all(f.grandfathered for f in findings if f.level is not Level.ADVISE)
    assert {f.level for f in findings} <= {Level.JUSTIFY, Level.ADVISE}
    assert version_gate(schema, Config(baseline=True)) == []
