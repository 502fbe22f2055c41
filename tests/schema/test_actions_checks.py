"""The editor's domain checks in :mod:`modeler.schema.actions`, without Django: the names a
design keeps unique, a new column's place before the audit columns, the primary key's order,
the column form's Unique box, the enum's relabel, and the edits built on them. The messages
are the ones the editor shows (tests/web and tests/browser assert them through the views)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from modeler.schema import actions
from modeler.schema import model as m
from modeler.schema.builder import SchemaBuilder

TEXT = m.ColumnType(name="text")
AUDIT = ("created_at", "updated_at")


def _shop() -> m.Schema:
    b = SchemaBuilder(name="shop")
    b.enum("status", ["new", "paid", "sent"])
    b.domain("email", "text")
    b.table("customer").column("id", "bigint", pk=True).column("email", "text") \
        .timestamps().index("email", name="ix_customer_email") \
        .query_pattern("by_email", equality=("email",))
    b.table("orders").column("id", "bigint", pk=True) \
        .column("customer_id", "bigint").column("note", "text", nullable=True).timestamps()
    b.relationship("orders", ["customer_id"], "customer")
    b.table("customer", namespace="archive").column("id", "bigint", pk=True)
    return b.build()


def _table(s: m.Schema, name: str) -> m.Table:
    t = s.table_named(name)
    assert t is not None
    return t


def _col(name: str, comment: str = "") -> m.Column:
    return m.Column(uid=actions.new_uid(), name=name, type=TEXT, comment=comment)


def _refused(message: str) -> pytest.RaisesExc[ValueError]:
    """A ValueError whose message starts with ``message``, word for word."""
    return pytest.raises(ValueError, match=f"^{re.escape(message)}")


def _names(t: m.Table) -> list[str]:
    return [c.name for c in t.columns]


# ------------------------------------------------------------------------------- names

def test_table_name_taken_in_its_namespace_only() -> None:
    s = _shop()
    with _refused("A table named customer already exists; choose another name."):
        actions.check_table_name(s, "public", "customer")
    with _refused("A table named archive.customer already exists"):
        actions.check_table_name(s, "archive", "customer")
    actions.check_table_name(s, "sales", "customer")  # another namespace is free
    actions.check_table_name(s, "public", "customer", _table(s, "customer").uid)  # itself


def test_column_name_taken_in_its_table() -> None:
    orders = _table(_shop(), "orders")
    with _refused("orders already has a column named note; choose another name."):
        actions.check_column_name(orders, "note")
    note = orders.column_named("note")
    assert note is not None
    actions.check_column_name(orders, "note", note.uid)  # a column keeps its own name
    actions.check_column_name(orders, "email")  # customer's, not orders'


def test_indexes_and_constraints_share_a_namespace_query_patterns_have_their_own() -> None:
    customer = _table(_shop(), "customer")
    unique = m.UniqueConstraint(uid=actions.new_uid(), name="ix_customer_email", columns=())
    with _refused("customer already has an index or constraint named ix_customer_email; "
                  "choose another name."):
        actions.check_table_element_name(customer, unique)
    pattern = m.QueryPattern(uid=actions.new_uid(), name="by_email")
    with _refused("customer already has a query pattern named by_email; choose another name."):
        actions.check_table_element_name(customer, pattern)
    # a query pattern may share an index's name, and an element its own
    actions.check_table_element_name(customer, replace(pattern, name="ix_customer_email"))
    actions.check_table_element_name(customer, customer.indexes[0])


def test_relationship_name_taken_among_its_child_tables_relationships() -> None:
    s = _shop()
    rel = s.relationships[0]
    with _refused(f"orders already has a relationship named {rel.name}; choose another "
                  "name."):
        actions.check_relationship_name(s, rel.child_table, rel.name)
    actions.check_relationship_name(s, rel.child_table, rel.name, rel.uid)
    actions.check_relationship_name(s, _table(s, "customer").uid, rel.name)


def test_enums_and_domains_share_the_types_namespace() -> None:
    s = _shop()
    with _refused("There is an enum named status already; choose another name."):
        actions.check_type_name(s, "public", "status")
    with _refused("There is a domain named email already"):
        actions.check_type_name(s, "public", "email", s.enums[0].uid)
    actions.check_type_name(s, "public", "status", s.enums[0].uid)
    actions.check_type_name(s, "archive", "status")


# ----------------------------------------------------------- columns: place and key order

def test_a_new_column_goes_before_created_at() -> None:
    s = _shop()
    orders = _table(s, "orders")
    out = actions.add_column(s, orders.uid, _col("total"))
    assert _names(out.table(orders.uid)) == ["id", "customer_id", "note", "total", *AUDIT]
    archive = s.table_named("customer", "archive")
    assert archive is not None
    out = actions.add_column(s, archive.uid, _col("total"))  # no audit columns: at the end
    assert _names(out.table(archive.uid)) == ["id", "total"]


def test_a_taken_column_name_adds_nothing() -> None:
    s = _shop()
    orders = _table(s, "orders")
    with _refused("orders already has a column named note"):
        actions.add_column(s, orders.uid, _col("note"))


@st.composite
def _tables(draw: st.DrawFn) -> m.Table:
    """A table whose columns are any order of a few names, the audit ones among them or not,
    some of them in the primary key (distinct orders, not necessarily 1..n)."""
    pool = ["id", "code", "title", "amount", "created_at", "updated_at", "deleted_at"]
    names = draw(st.permutations(pool).map(
        lambda p: p[:draw(st.integers(min_value=0, max_value=len(p)))]))
    orders = draw(st.lists(st.integers(min_value=1, max_value=50), unique=True,
                           max_size=len(names)))
    cols = [m.Column(uid=f"c-{n}", name=n, type=TEXT,
                     pk_order=orders[i] if i < len(orders) else None)
            for i, n in enumerate(names)]
    return m.Table(uid="t", name="thing", columns=tuple(cols))


@given(_tables(), st.booleans(), st.booleans())
def test_placement_keeps_the_other_columns_and_lands_before_created_at(
        table: m.Table, primary_key: bool, unique: bool) -> None:
    s = m.normalized(m.Schema(tables=(table,)))
    out = actions.add_column(s, "t", _col("extra"), primary_key=primary_key, unique=unique)
    before, after = _names(s.table("t")), _names(out.table("t"))
    assert [n for n in after if n != "extra"] == before  # the others keep their order
    at = after.index("extra")
    if "created_at" in before:
        assert after[at + 1] == "created_at"
    else:
        assert at == len(after) - 1
    if before[-2:] == list(AUDIT):  # audit columns last stay last
        assert after[-2:] == list(AUDIT)


@given(st.lists(st.sampled_from(["add", "line", "fk", "line_fk"]), max_size=6),
       st.booleans())
def test_added_columns_of_every_kind_keep_the_audit_columns_last(steps: list[str],
                                                                 soft: bool) -> None:
    s, parent_uid = actions.add_table(m.Schema(), name="customer", comment="")
    s, uid = actions.add_table(s, name="orders", comment="",
                               delete_strategy="soft" if soft else "hard")
    tail = _names(s.table(uid))[1:]  # created_at, updated_at (, deleted_at)
    for n, step in enumerate(steps):
        name = f"c{n}"
        if step == "add":
            s = actions.add_column(s, uid, _col(name))
        elif step == "line":
            s = actions.add_described_column(s, uid, _col(name), checks=(f"{name} <> ''",))
        elif step == "fk":
            s = actions.draw_relationship(s, child_uid=uid, parent_uid=parent_uid,
                                          column_names=[name])
        else:
            s = actions.add_described_column(s, uid, _col(name),
                                             references=(parent_uid, None, None))
    assert _names(s.table(uid))[-len(tail):] == tail
    assert len(s.table(uid).columns) == 1 + len(tail) + len(steps)


@given(_tables(), st.booleans())
def test_a_column_joining_the_key_comes_after_its_others(table: m.Table,
                                                          primary_key: bool) -> None:
    s = m.normalized(m.Schema(tables=(table,)))
    out = actions.add_column(s, "t", _col("extra"), primary_key=primary_key)
    t = out.table("t")
    new = t.column_named("extra")
    assert new is not None
    others = [c.pk_order for c in t.columns if c.pk_order is not None and c.name != "extra"]
    if primary_key:
        assert new.pk_order is not None and all(o < new.pk_order for o in others)
    else:
        assert new.pk_order is None
    assert others == [c.pk_order for c in table.columns if c.pk_order is not None]


@given(_tables(), st.data())
def test_updating_a_column_keeps_gives_or_takes_its_key_place(table: m.Table,
                                                              data: st.DataObject) -> None:
    if not table.columns:
        return
    s = m.normalized(m.Schema(tables=(table,)))
    col = data.draw(st.sampled_from(table.columns))
    primary_key = data.draw(st.booleans())
    out = actions.update_column(s, replace(col, comment="changed"), primary_key=primary_key,
                                unique=False)
    after = out.column(col.uid)
    assert after.comment == "changed"
    if not primary_key:
        assert after.pk_order is None
    elif col.pk_order is not None:
        assert after.pk_order == col.pk_order  # a key column keeps its place
    else:
        assert after.pk_order == 1 + max(c.pk_order or 0 for c in table.columns)
    for other in table.columns:  # nobody else moves
        if other.uid != col.uid:
            assert out.column(other.uid).pk_order == other.pk_order


def test_pk_order_for() -> None:
    t = m.Table(uid="t", name="t", columns=(
        m.Column(uid="a", name="a", type=TEXT, pk_order=2),
        m.Column(uid="b", name="b", type=TEXT)))
    assert actions.pk_order_for(t, None, True) == 3
    assert actions.pk_order_for(t, "a", True) == 2
    assert actions.pk_order_for(t, "b", True) == 3
    assert actions.pk_order_for(t, "a", False) is None
    assert actions.pk_order_for(m.Table(uid="e", name="e"), None, True) == 1


def test_renaming_a_column_to_a_taken_name_is_refused() -> None:
    s = _shop()
    note = _table(s, "orders").column_named("note")
    assert note is not None
    with _refused("orders already has a column named customer_id"):
        actions.update_column(s, replace(note, name="customer_id"), primary_key=False,
                              unique=False)


# ------------------------------------------------------------------------- the Unique box

def _singles(s: m.Schema, table_uid: str, column_uid: str) -> list[m.UniqueConstraint]:
    return [u for u in s.table(table_uid).uniques if u.columns == (column_uid,)]


@given(st.lists(st.booleans(), min_size=1, max_size=5))
def test_the_unique_box_is_what_the_form_last_said(boxes: list[bool]) -> None:
    b = SchemaBuilder()
    b.table("account").column("id", "bigint", pk=True).column("email", "text") \
        .column("region", "text").unique("email", "region", name="uq_pair")
    s = b.build()
    t = _table(s, "account")
    email = t.column_named("email")
    assert email is not None
    for want in boxes:
        s = actions.set_single_unique(s, t.uid, email.uid, want)
        singles = _singles(s, t.uid, email.uid)
        assert len(singles) == (1 if want else 0)
        assert [u.name for u in singles] == (["uq_account_email"] if want else [])
        # a constraint over several columns is not the box's
        assert any(u.name == "uq_pair" for u in s.table(t.uid).uniques)


def test_the_unique_box_keeps_an_existing_constraint_and_its_name() -> None:
    b = SchemaBuilder()
    b.table("account").column("id", "bigint", pk=True).column("email", "text") \
        .unique("email", name="account_email_key")
    s = b.build()
    t = _table(s, "account")
    assert actions.set_single_unique(s, t.uid, t.columns[1].uid, True) == s


def test_the_column_forms_edits_set_the_unique_box() -> None:
    s = _shop()
    orders = _table(s, "orders")
    col = _col("code")
    s = actions.add_column(s, orders.uid, col, unique=True)
    assert [u.name for u in _singles(s, orders.uid, col.uid)] == ["uq_orders_code"]
    s = actions.update_column(s, replace(s.column(col.uid), name="ref"), primary_key=False,
                              unique=False)
    assert _singles(s, orders.uid, col.uid) == []


# ----------------------------------------------------------------------------- enums

@given(st.lists(st.sampled_from(["new", "paid", "sent", "lost", "back", "gone"]),
                unique=True, min_size=1, max_size=6))
def test_a_relabel_keeps_the_uid_of_every_kept_label(labels: list[str]) -> None:
    s = _shop()
    old = s.enums[0]
    out = actions.save_enum(s, uid=old.uid, name="status", namespace="public", labels=labels,
                            comment="", existing=True)
    new = out.enum(old.uid)
    assert [v.label for v in new.values] == labels
    old_uids = {v.label: v.uid for v in old.values}
    old_at = {v.uid: n for n, v in enumerate(old.values)}
    same_length = len(old.values) == len(labels)
    for n, v in enumerate(new.values):
        if v.label in old_uids:
            assert v.uid == old_uids[v.label]
        elif same_length and old.values[n].label not in labels:  # typed over a label: renamed
            assert v.uid == old.values[n].uid
        elif v.uid in old_at:  # renamed in a list that changed length: in the old one's place
            o = old_at[v.uid]
            assert not same_length and old.values[o].label not in labels
            if [x for x in labels if x in old_uids] == [
                    x.label for x in old.values if x.label in labels]:  # none moved:
                # the same kept labels before it and after it
                assert [x for x in labels[:n] if x in old_uids] == [
                    x.label for x in old.values[:o] if x.label in labels]
                assert [x for x in labels[n + 1:] if x in old_uids] == [
                    x.label for x in old.values[o + 1:] if x.label in labels]
    assert len({v.uid for v in new.values}) == len(labels)


@pytest.mark.parametrize(("labels", "renamed"), [
    (["new", "PAID", "sent", "lost"], {"paid": "PAID"}),  # renamed, one added at the end
    (["NEW", "paid"], {"new": "NEW"}),  # renamed, the last taken out
    (["first", "new", "paid", "SENT"], {"sent": "SENT"}),  # one added before
    (["new", "a", "b", "sent"], {}),  # one value replaced by two: taken out, two added
    (["sent", "paid", "new"], {}),  # reordered: nothing renamed
])
def test_a_value_typed_over_another_is_renamed_when_the_list_changes_length(
        labels: list[str], renamed: dict[str, str]) -> None:
    s = _shop()
    old = s.enums[0]
    assert [v.label for v in old.values] == ["new", "paid", "sent"]
    out = actions.save_enum(s, uid=old.uid, name="status", namespace="public", labels=labels,
                            comment="", existing=True)
    before = {v.uid: v.label for v in old.values}
    got = {before[v.uid]: v.label for v in out.enum(old.uid).values
           if v.uid in before and before[v.uid] != v.label}
    assert got == renamed


def test_saving_an_enum_that_is_gone_or_clashes_is_refused() -> None:
    s = _shop()
    with _refused("That enum no longer exists."):
        actions.save_enum(s, uid="gone", name="status2", namespace="public", labels=["a"],
                          comment="", existing=True)
    with _refused("There is a domain named email already"):
        actions.save_enum(s, uid=actions.new_uid(), name="email", namespace="public",
                          labels=["a"], comment="", existing=False)
    uid = actions.new_uid()
    out = actions.save_enum(s, uid=uid, name="mood", namespace="public", labels=["up"],
                            comment="How it goes", existing=False)
    assert out.enum(uid).comment == "How it goes"


# ------------------------------------------------------------------- tables and elements

def test_create_table_checks_the_name_and_keeps_the_expected_rows() -> None:
    s = _shop()
    with _refused("A table named customer already exists"):
        actions.create_table(s, name="customer", comment="", uid=actions.new_uid())
    uid = actions.new_uid()
    out = actions.create_table(s, name="invoice", comment="Bills", uid=uid,
                               expected_rows=1000)
    assert out.table(uid).expected_rows == 1000
    assert _names(out.table(uid)) == ["id", *AUDIT]


def test_create_table_between_two_parents_draws_the_junction() -> None:
    s = _shop()
    customer, orders = _table(s, "customer"), _table(s, "orders")
    uid = actions.new_uid()
    out = actions.create_table(s, name="customer_orders", comment="", uid=uid,
                               kind="junction", parents=(customer.uid, orders.uid))
    j = out.table(uid)
    assert j.kind == "junction"
    assert {out.table(r.parent_table).name for r in out.relationships_of(uid)} == {
        "customer", "orders"}
    assert [c.name for c in j.primary_key] == ["customer_id", "orders_id"]


def test_update_table_checks_the_name_and_follows_conventional_names() -> None:
    s = _shop()
    orders = _table(s, "orders")
    with _refused("A table named customer already exists"):
        actions.update_table(s, replace(orders, name="customer"))
    out = actions.update_table(s, replace(orders, name="purchase"))
    assert out.relationships[0].name == "fk_purchase_customer_id_customer"


def test_add_table_element_checks_the_name_and_puts_each_kind() -> None:
    s = _shop()
    t = _table(s, "orders")
    note = t.column_named("note")
    assert note is not None
    elements: list[actions.TableElement] = [
        m.Index(uid=actions.new_uid(), name="ix_orders_note",
                parts=(m.IndexPart(column=note.uid),)),
        m.UniqueConstraint(uid=actions.new_uid(), name="uq_orders_note", columns=(note.uid,)),
        m.CheckConstraint(uid=actions.new_uid(), name="ck_orders_note", expression="true"),
        m.QueryPattern(uid=actions.new_uid(), name="by_note", equality=(note.uid,))]
    for element in elements:
        s = actions.add_table_element(s, t.uid, element)
        found = s.locate(element.uid)
        assert found is not None and found.element == element and found.table is not None
        assert found.table.uid == t.uid
        with _refused("orders already has"):
            actions.add_table_element(s, t.uid, replace(element, uid=actions.new_uid()))


def test_say_null_meaning() -> None:
    s = _shop()
    note = _table(s, "orders").column_named("note")
    assert note is not None
    out = actions.say_null_meaning(s, note.uid, "no note")
    assert out.column(note.uid).null_meaning == "no note"


# --------------------------------------------------------------- the one-line column

def test_a_described_column_brings_its_checks_and_unique() -> None:
    s = _shop()
    orders = _table(s, "orders")
    col = _col("code", comment="Printed on the box")
    out = actions.add_described_column(s, orders.uid, col, unique=True,
                                       checks=("code <> ''", "length(code) < 9"))
    t = out.table(orders.uid)
    assert _names(t) == ["id", "customer_id", "note", "code", *AUDIT]
    assert [c.name for c in t.checks] == ["ck_orders_code", "ck_orders_code_2"]
    assert [u.name for u in _singles(out, orders.uid, col.uid)] == ["uq_orders_code"]
    with _refused("orders already has a column named code"):
        actions.add_described_column(out, orders.uid, _col("code"))


def test_a_described_reference_draws_the_relationship_with_the_lines_comment() -> None:
    s = _shop()
    customer, orders = _table(s, "customer"), _table(s, "orders")
    out = actions.add_described_column(s, orders.uid, _col("buyer_id", comment="Who paid"),
                                       references=(customer.uid, "CASCADE", None))
    buyer = out.table(orders.uid).column_named("buyer_id")
    assert buyer is not None and buyer.comment == "Who paid"
    assert buyer.type == m.ColumnType(name="bigint")  # typed like the parent's key
    rel = next(r for r in out.relationships if r.child_columns == (buyer.uid,))
    assert (rel.parent_table, rel.on_delete) == (customer.uid, "CASCADE")


# --------------------------------------------------------------------- relationships

def test_draw_relationship_checks_the_name_and_backfills_not_null_columns() -> None:
    s = _shop()
    customer, orders = _table(s, "customer"), _table(s, "orders")
    with _refused("orders already has a relationship named fk_orders_customer_id_customer"):
        actions.draw_relationship(s, child_uid=orders.uid, parent_uid=customer.uid,
                                  column_names=["payer_id"],
                                  name="fk_orders_customer_id_customer")
    out = actions.draw_relationship(s, child_uid=orders.uid, parent_uid=customer.uid,
                                    column_names=["payer_id"], backfill="1")
    payer = out.table(orders.uid).column_named("payer_id")
    assert payer is not None and payer.backfill == "1"
    out = actions.draw_relationship(s, child_uid=orders.uid, parent_uid=customer.uid,
                                    column_names=["payer_id"], optional=True, backfill="1")
    payer = out.table(orders.uid).column_named("payer_id")
    assert payer is not None and payer.backfill is None  # a NULL column needs none


def test_many_to_many_from_a_plain_table_draws_the_junction() -> None:
    s = _shop()
    customer, orders = _table(s, "customer"), _table(s, "orders")
    out = actions.draw_relationship(s, child_uid=orders.uid, parent_uid=customer.uid,
                                    cardinality="many-to-many")
    junction = out.table_named("orders_customer")
    assert junction is not None and junction.kind == "junction"
    assert len(out.relationships) == len(s.relationships) + 2


def test_update_relationship_checks_the_name_and_that_it_is_there() -> None:
    b = SchemaBuilder()
    b.table("customer").column("id", "bigint", pk=True)
    b.table("orders").column("id", "bigint", pk=True).column("buyer_id", "bigint") \
        .column("payer_id", "bigint")
    b.relationship("orders", ["buyer_id"], "customer", name="fk_buyer")
    b.relationship("orders", ["payer_id"], "customer", name="fk_payer")
    s = b.build()
    buyer = next(r for r in s.relationships if r.name == "fk_buyer")
    with _refused("orders already has a relationship named fk_payer"):
        actions.update_relationship(s, buyer.uid, name="fk_payer")
    with _refused("That relationship no longer exists."):
        actions.update_relationship(s, "gone", name="x")
    out = actions.update_relationship(s, buyer.uid, name="fk_buyer", on_delete="CASCADE")
    assert actions.locate(out, buyer.uid, "relationship") == replace(buyer,
                                                                     on_delete="CASCADE")


def test_locate_by_kind() -> None:
    s = _shop()
    customer = _table(s, "customer")
    assert actions.locate(s, customer.uid, "table") == customer
    assert actions.locate(s, customer.uid, "column") is None
    assert actions.locate(s, "nothing", "table") is None
