"""Undo and redo (issue 16, item 2): the user's own edits undone and redone through the
write path (gated, logged, one revision each), for every kind of change, and the refusal
when someone else changed the same elements since."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from modeler.schema import model as m
from modeler.web import services
from modeler.web.models import Activity, DbTable, Design, Membership, UndoStep
from modeler.web.snapshot import snapshot
from modeler.web.undo import DEPTH

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def project(user: Any) -> Any:
    return services.project_create(name="Shop", slug="shop", owner=user)


@pytest.fixture
def alice(client: Client, user: Any, project: Any) -> Client:
    client.force_login(user)
    return client


@pytest.fixture
def bob(other_user: Any, project: Any) -> Client:
    Membership.objects.create(project=project, user=other_user, role="editor")
    c = Client()
    c.force_login(other_user)
    return c


def schema_of(project: Any) -> m.Schema:
    return snapshot(services.main_design(project))


def post(client: Client, name: str, data: dict[str, Any], *args: str) -> Any:
    response = client.post(reverse(name, args=["shop", *args]), data, **HX)
    assert response.status_code == 200, response.content.decode()[:3000]
    return response


def add_table(client: Client, name: str) -> None:
    post(client, "table_add", {"new-name": name, "new-namespace": "public",
                               "new-comment": f"The {name}s", "new-kind": "entity",
                               "new-delete_strategy": "hard"})


def uid_of(project: Any, name: str) -> str:
    t = schema_of(project).table_named(name)
    assert t is not None
    return t.uid


def table_form(project: Any, uid: str, **changes: str) -> dict[str, Any]:
    t = schema_of(project).table(uid)
    return {"tbl-name": t.name, "tbl-namespace": t.namespace, "tbl-comment": t.comment,
            "tbl-kind": t.kind, "tbl-delete_strategy": t.delete_strategy,
            "tbl-version": DbTable.objects.get(uid=uid).version,
            **{f"tbl-{k}": v for k, v in changes.items()}}


def add_column(client: Client, table: str, name: str, type_: str = "text",
               **extra: Any) -> None:
    post(client, "column_add", {"col-name": name, "col-type": type_, "col-searchable": "none",
                                "col-comment": f"The {name}",
                                **{f"col-{k}": v for k, v in extra.items()}}, table)


def undo(client: Client, status: int = 200) -> Any:
    response = client.post(reverse("undo", args=["shop"]), {}, **HX)
    assert response.status_code == status, response.content.decode()[:3000]
    return response


def redo(client: Client, status: int = 200) -> Any:
    response = client.post(reverse("redo", args=["shop"]), {}, **HX)
    assert response.status_code == status, response.content.decode()[:3000]
    return response


def round_trip(project: Any, client: Client, edit: Callable[[], None]) -> tuple[m.Schema,
                                                                               m.Schema]:
    """Run ``edit``; undo restores the design exactly, redo gives the edited one back."""
    before = schema_of(project)
    edit()
    after = schema_of(project)
    assert after != before
    undo(client)
    assert schema_of(project) == before
    redo(client)
    assert schema_of(project) == after
    return before, after


@pytest.fixture
def shop(alice: Client, project: Any) -> Client:
    add_table(alice, "customer")
    add_table(alice, "purchase")
    return alice


def test_table_add_undo_redo_logged_and_seen(alice: Client, project: Any) -> None:
    design = Design.objects.get(project=project)
    round_trip(project, alice, lambda: add_table(alice, "customer"))
    actions = list(Activity.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["table.add", "edit.undo", "edit.redo"]
    undone = Activity.objects.get(action="edit.undo")
    assert undone.summary == "undo of: added table customer"
    assert undone.actor is not None and undone.actor.username == "alice"
    # each undo/redo is a new revision: the other browsers' poll sees it
    design.refresh_from_db()
    assert undone.design_revision < design.revision
    assert schema_of(project).table_named("customer") is not None


def test_table_rename(shop: Client, project: Any) -> None:
    uid = uid_of(project, "customer")
    before, after = round_trip(project, shop, lambda: post(
        shop, "table_update", table_form(project, uid, name="client"), uid))
    assert before.table(uid).name == "customer" and after.table(uid).name == "client"


def test_table_drop_with_its_relationship(shop: Client, project: Any) -> None:
    child, parent = uid_of(project, "purchase"), uid_of(project, "customer")
    post(shop, "relationship_add", {"rel-child": child, "rel-parent": parent,
                                    "rel-cardinality": "one-to-many"})
    before, after = round_trip(project, shop, lambda: post(
        shop, "delete_element", {}, parent))
    assert len(before.relationships) == 1 and not after.relationships
    assert after.table_named("customer") is None


def test_column_add_alter_drop(shop: Client, project: Any) -> None:
    uid = uid_of(project, "customer")
    round_trip(project, shop, lambda: add_column(shop, uid, "email", "varchar", length=320))
    col = next(c for c in schema_of(project).table(uid).columns if c.name == "email")
    prefix = f"c{col.uid[:8]}"
    version = shop.get(reverse("table_panel", args=["shop", uid]), {"column": col.uid},
                       **HX).content.decode()
    import re
    found = re.search(rf'name="{prefix}-version" value="(\d+)"', version)
    assert found is not None
    before, after = round_trip(project, shop, lambda: post(shop, "column_update", {
        f"{prefix}-name": "mail", f"{prefix}-type": "varchar", f"{prefix}-length": "200",
        f"{prefix}-searchable": "none", f"{prefix}-comment": "The mail",
        f"{prefix}-version": found.group(1)}, col.uid))
    assert before.column(col.uid).name == "email" and after.column(col.uid).type.length == 200
    round_trip(project, shop, lambda: post(shop, "delete_element", {}, col.uid))


def test_foreign_key_with_its_column_and_index(shop: Client, project: Any) -> None:
    child, parent = uid_of(project, "purchase"), uid_of(project, "customer")
    before, after = round_trip(project, shop, lambda: post(shop, "relationship_add", {
        "rel-child": child, "rel-parent": parent, "rel-cardinality": "one-to-many"}))
    assert [c.name for c in after.table(child).columns if c.name == "customer_id"]
    assert not [c.name for c in before.table(child).columns if c.name == "customer_id"]
    assert after.table(child).indexes and not before.table(child).indexes


def test_index_unique_check_pattern(shop: Client, project: Any) -> None:
    uid = uid_of(project, "customer")
    add_column(shop, uid, "email", "varchar", length=320)
    round_trip(project, shop, lambda: post(shop, "index_add", {
        "ix-expression": "lower(email)", "ix-method": "btree",
        "ix-name": "ix_customer_lower_email"}, uid))
    round_trip(project, shop, lambda: post(shop, "unique_add", {"uq-columns": "email"}, uid))
    round_trip(project, shop, lambda: post(shop, "check_add", {
        "ck-name": "email_has_at", "ck-expression": "position('@' in email) > 1"}, uid))
    round_trip(project, shop, lambda: post(shop, "pattern_add", {
        "qp-name": "recent", "qp-order_by": "-created_at"}, uid))
    t = schema_of(project).table(uid)
    assert (len(t.indexes), len(t.uniques), len(t.checks), len(t.query_patterns)) == \
        (1, 1, 1, 1)


def test_enum_add_and_change(alice: Client, project: Any) -> None:
    round_trip(project, alice, lambda: post(alice, "enum_add", {
        "enum-name": "status", "enum-namespace": "public", "enum-values": "new\npaid"}))
    enum = schema_of(project).enums[0]
    from modeler.web.models import EnumType
    version = EnumType.objects.get(uid=enum.uid).version
    before, after = round_trip(project, alice, lambda: post(alice, "enum_update", {
        "enum-name": "order_status", "enum-namespace": "public",
        "enum-values": "new\npaid\nshipped", "enum-version": version}, enum.uid))
    assert before.enums[0].labels == ("new", "paid")
    assert after.enums[0].labels == ("new", "paid", "shipped")
    assert after.enums[0].name == "order_status"


def test_several_undos_then_redos_in_order(alice: Client, project: Any) -> None:
    states = [schema_of(project)]
    for name in ("a_one", "a_two", "a_three"):
        add_table(alice, name)
        states.append(schema_of(project))
    for expected in reversed(states[:-1]):
        undo(alice)
        assert schema_of(project) == expected
    assert b"Nothing to undo" in undo(alice, 409).content
    for expected in states[1:]:
        redo(alice)
        assert schema_of(project) == expected
    assert b"Nothing to redo" in redo(alice, 409).content


def test_new_edit_clears_redo(alice: Client, project: Any) -> None:
    add_table(alice, "customer")
    undo(alice)
    add_table(alice, "supplier")
    assert b"Nothing to redo" in redo(alice, 409).content
    assert schema_of(project).table_named("customer") is None


def test_undo_is_per_user_and_keeps_the_others_work(alice: Client, bob: Client,
                                                     project: Any) -> None:
    add_table(alice, "customer")
    add_table(bob, "supplier")
    assert b"Undo: added table customer" in alice.get(reverse("editor", args=["shop"]),
                                                      **HX).content
    undo(alice)  # alice's table goes, bob's stays
    s = schema_of(project)
    assert s.table_named("customer") is None and s.table_named("supplier") is not None
    undo(bob)
    assert schema_of(project).table_named("supplier") is None
    assert b"Nothing to undo" in undo(bob, 409).content


def test_undo_refused_when_someone_changed_the_same_element(alice: Client, bob: Client,
                                                           project: Any) -> None:
    add_table(alice, "customer")
    uid = uid_of(project, "customer")
    post(alice, "table_update", table_form(project, uid, name="client"), uid)
    post(bob, "table_update", table_form(project, uid, name="buyer"), uid)
    before = schema_of(project)
    revision = Design.objects.get(project=project).revision
    response = undo(alice, 409)
    text = response.content.decode()
    assert "Not done: undo of &quot;renamed table customer to client&quot;" in text
    assert "customer (name)" in text or "buyer (name)" in text
    assert "bob renamed table client to buyer" in text  # who, and what they did
    assert text.count("bob renamed table client to buyer") == 1
    assert schema_of(project) == before
    assert Design.objects.get(project=project).revision == revision
    assert not Activity.objects.filter(action="edit.undo").exists()
    # still on the stack: once bob undoes his change, alice's undo goes through
    undo(bob)
    undo(alice)
    assert schema_of(project).table(uid).name == "customer"


def test_undo_of_an_add_refused_when_someone_built_on_it(alice: Client, bob: Client,
                                                        project: Any) -> None:
    add_table(alice, "customer")
    uid = uid_of(project, "customer")
    add_column(bob, uid, "email", "varchar", length=320)
    before = schema_of(project)
    text = undo(alice, 409).content.decode()
    assert "bob added column email" in text or "bob " in text
    assert "Nothing was changed" in text
    assert schema_of(project) == before


def test_undo_of_a_drop_refused_when_the_name_was_taken_again(alice: Client, bob: Client,
                                                             project: Any) -> None:
    """Restoring a dropped table whose name someone reused is refused with the reason."""
    add_table(alice, "customer")
    uid = uid_of(project, "customer")
    post(alice, "delete_element", {}, uid)
    add_table(bob, "customer")
    before = schema_of(project)
    text = undo(alice, 409).content.decode()
    assert "Not done: undo of &quot;deleted table customer&quot;" in text
    assert "bob added table customer" in text
    assert schema_of(project) == before


def test_viewer_cannot_undo_and_outsider_gets_404(client: Client, project: Any,
                                                  other_user: Any,
                                                  django_user_model: Any) -> None:
    Membership.objects.create(project=project, user=other_user, role="viewer")
    client.force_login(other_user)
    assert client.post(reverse("undo", args=["shop"]), **HX).status_code == 403
    assert client.post(reverse("redo", args=["shop"]), **HX).status_code == 403
    outsider = django_user_model.objects.create_user(username="eve", password="pw-eve-123!")
    client.force_login(outsider)
    assert client.post(reverse("undo", args=["shop"]), **HX).status_code == 404
    assert client.get(reverse("undo", args=["shop"])).status_code in (404, 405)


def test_the_stack_keeps_the_newest_steps(alice: Client, project: Any, user: Any) -> None:
    from modeler.web import undo as undo_mod

    design = Design.objects.get(project=project)
    old = schema_of(project)
    for n in range(DEPTH + 3):
        act = Activity.objects.create(project=project, design=design, actor=user,
                                      action="table.add", summary=f"s{n}",
                                      design_revision=design.revision)
        new = m.normalized(m.Schema(tables=(m.Table(uid=f"00000000-0000-0000-0000-{n:012d}",
                                                    name=f"t{n}"),)))
        undo_mod.record(design, user, act, old, new)
    steps = UndoStep.objects.filter(design=design, user=user)
    assert steps.count() == DEPTH
    assert steps.order_by("id").first().summary == "s3"  # type: ignore[union-attr]


def test_undo_in_a_proposal_design_is_its_own_stack(alice: Client, project: Any,
                                                     user: Any) -> None:
    """A proposal's working design has its own stacks: undo there leaves the main design."""
    from modeler.review import services as review
    from modeler.web.versions import version_save

    add_table(alice, "customer")
    version_save(project=project, actor=user, message="First cut of the shop design")
    proposal = review.proposal_create(project=project, actor=user, title="Add suppliers")
    design = proposal.design
    url = reverse("table_add", args=["shop", design.pk])
    response = alice.post(url, {"new-name": "supplier", "new-namespace": "public",
                                "new-comment": "The suppliers", "new-kind": "entity",
                                "new-delete_strategy": "hard"}, **HX)
    assert response.status_code == 200
    assert snapshot(design).table_named("supplier") is not None
    assert alice.post(reverse("undo", args=["shop", design.pk]), **HX).status_code == 200
    assert snapshot(design).table_named("supplier") is None
    # the main design's own step is untouched: undo there removes customer
    assert schema_of(project).table_named("customer") is not None
    undo(alice)
    assert schema_of(project).table_named("customer") is None


# ------------------------------------------------------------------------- drags

def drag(client: Client, uid: str, dx: int, dy: int) -> None:
    response = client.post(reverse("table_move", args=["shop", uid]),
                           {"dx": str(dx), "dy": str(dy)}, **HX)
    assert response.status_code == 204, response.content.decode()[:3000]


def place(project: Any, name: str) -> m.Position | None:
    t = schema_of(project).table_named(name)
    assert t is not None
    return t.position


def test_a_drag_is_logged_undone_and_redone(shop: Client, project: Any) -> None:
    uid = uid_of(project, "customer")
    before = schema_of(project)
    round_trip(project, shop, lambda: drag(shop, uid, 40, 10))
    assert Activity.objects.filter(action="table.move", target_uid=uid,
                                   summary="moved table customer").count() == 1
    assert b"Undo: moved table customer" in shop.get(reverse("editor", args=["shop"]),
                                                      **HX).content
    assert b"moved table customer" in shop.get(reverse("activity", args=["shop"])).content
    undo(shop)
    assert schema_of(project) == before


def two_tables(client: Client, project: Any) -> tuple[str, m.Position | None]:
    """customer and purchase added by ``client``: customer's uid and place."""
    add_table(client, "customer")
    add_table(client, "purchase")
    return uid_of(project, "customer"), place(project, "customer")


def test_drags_of_a_table_in_a_row_are_one_step(alice: Client, bob: Client,
                                                 project: Any) -> None:
    from datetime import timedelta

    uid, start = two_tables(alice, project)
    drag(alice, uid, 40, 10)
    drag(alice, uid, 40, 10)  # a nudge after the first drag: the same step
    twice = place(project, "customer")
    assert Activity.objects.filter(action="table.move").count() == 2  # each in the log
    assert UndoStep.objects.filter(action="table.move").count() == 1
    # a drag of another table, a drag after a pause, a drag after someone else's edit:
    # each its own step
    drag(alice, uid_of(project, "purchase"), 0, 30)
    drag(alice, uid, 10, 0)
    Activity.objects.filter(action="table.move").update(
        created_at=Activity.objects.get(summary="added table customer").created_at
        - timedelta(minutes=1))
    drag(alice, uid, 10, 0)
    post(bob, "table_update", table_form(project, uid_of(project, "purchase"),
                                         comment="One checkout"), uid_of(project, "purchase"))
    drag(alice, uid, 10, 0)
    assert UndoStep.objects.filter(action="table.move").count() == 5
    for _ in range(4):
        undo(alice)
    assert place(project, "customer") == twice
    undo(alice)  # the two drags in a row at once
    assert place(project, "customer") == start
    redo(alice)
    assert place(project, "customer") == twice


def test_later_drags_do_not_stop_the_undo_of_an_older_change(alice: Client, bob: Client,
                                                             project: Any) -> None:
    add_table(alice, "customer")
    uid = uid_of(project, "customer")
    add_column(alice, uid, "email")
    drag(bob, uid, 80, 20)
    moved = place(project, "customer")
    undo(alice)  # the column goes; bob's drag stays
    s = schema_of(project)
    assert s.table(uid).column_named("email") is None
    assert s.table(uid).position == moved
    undo(alice)  # the table goes, although bob dragged it since
    assert schema_of(project).table_named("customer") is None
    redo(alice)
    assert schema_of(project).table(uid).position is not None


def test_undo_of_a_drag_refused_over_someone_elses_later_drag(alice: Client, bob: Client,
                                                              project: Any) -> None:
    uid, start = two_tables(alice, project)
    drag(alice, uid, 40, 10)
    mine = place(project, "customer")
    drag(alice, uid_of(project, "purchase"), 0, 50)
    undo(alice)  # alice's own later drag of another table first: fine
    drag(bob, uid, 0, 70)
    before = schema_of(project)
    text = undo(alice, 409).content.decode()
    assert ("Not done: undo of &quot;moved table customer&quot; would overwrite a later "
            "change to customer (its place on the diagram): bob moved table customer") in text
    assert "Nothing was changed" in text
    assert schema_of(project) == before
    undo(bob)  # bob puts it back: alice's undo goes through
    assert place(project, "customer") == mine
    undo(alice)
    assert place(project, "customer") == start


def relayout(client: Client) -> None:
    response = client.post(reverse("relayout", args=["shop"]), **HX)
    assert response.status_code == 204, response.content.decode()[:3000]


def test_a_relayout_is_undone_unless_someone_dragged_a_table_since(alice: Client,
                                                                   bob: Client,
                                                                   project: Any) -> None:
    """Re-layout is one step (every table's place); its undo puts each table back, and is
    refused when it would move a table someone dragged since."""
    import shutil

    if not all(shutil.which(p) for p in ("dot", "neato")):
        pytest.skip("Graphviz is not installed")
    uid, _ = two_tables(alice, project)
    drag(alice, uid, 400, 300)
    before, _after = round_trip(project, alice, lambda: relayout(alice))
    assert Activity.objects.filter(action="diagram.relayout").count() == 1
    drag(bob, uid, 0, 40)
    dragged = schema_of(project)
    text = undo(alice, 409).content.decode()
    assert "customer (its place on the diagram): bob moved table customer" in text
    assert schema_of(project) == dragged
    undo(bob)
    undo(alice)
    assert schema_of(project) == before
