"""Editor endpoints: every action, its 422/409/404/403 paths, the rule gate, the activity log."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from modeler.schema import model as m
from modeler.web import services
from modeler.web.models import (
    Activity,
    DbColumn,
    DbIndex,
    DbTable,
    Design,
    Membership,
    Relationship,
)
from modeler.web.snapshot import snapshot

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def project(user: Any) -> Any:
    return services.project_create(name="Shop", slug="shop", owner=user)


@pytest.fixture
def editor(client: Client, user: Any, project: Any) -> Client:
    client.force_login(user)
    return client


def schema_of(project: Any) -> m.Schema:
    return snapshot(services.main_design(project))


def add_table(client: Client, name: str, comment: str = "A table for the tests", **extra: str
              ) -> Any:
    data = {"new-name": name, "new-namespace": "public", "new-comment": comment,
            "new-kind": "entity", "new-delete_strategy": "hard", **extra}
    return client.post(reverse("table_add", args=["shop"]), data, **HX)


def table_uid(project: Any, name: str) -> str:
    t = schema_of(project).table_named(name)
    assert t is not None
    return t.uid


def col_data(name: str, type_: str = "text", **extra: Any) -> dict[str, Any]:
    return {"col-name": name, "col-type": type_, "col-searchable": "none",
            "col-null_meaning": extra.pop("null_meaning", ""), **{f"col-{k}": v for k, v in
                                                                  extra.items()}}


def test_add_table_has_secure_defaults(editor: Client, project: Any) -> None:
    response = add_table(editor, "customer")
    assert response.status_code == 200
    assert "schema-saved" in response["HX-Trigger"]
    assert b'hx-swap-oob="innerHTML"' in response.content  # the new diagram rides along
    t = schema_of(project).table_named("customer")
    assert t is not None and f'id="table-{t.uid}"'.encode() in response.content
    assert t is not None
    names = [c.name for c in t.columns]
    assert names == ["id", "created_at", "updated_at"]
    assert t.columns[0].identity == "always" and t.columns[0].pk_order == 1
    assert all(c.default == "now()" and not c.nullable and c.type.name == "timestamptz"
               for c in t.columns[1:])
    entry = Activity.objects.get()
    assert entry.action == "table.add" and entry.after["name"] == "customer"
    assert entry.before is None and entry.actor.username == "alice"


def test_add_table_bad_input_is_422_and_saves_nothing(editor: Client, project: Any) -> None:
    response = add_table(editor, "1bad")
    assert response.status_code == 422
    assert b"not starting with a digit" in response.content
    response = add_table(editor, "ok", comment="")
    assert response.status_code == 422
    assert not DbTable.objects.exists() and not Activity.objects.exists()


def test_duplicate_table_refused(editor: Client, project: Any) -> None:
    add_table(editor, "customer")
    response = add_table(editor, "customer")
    assert response.status_code == 422
    assert b"already exists" in response.content
    assert DbTable.objects.count() == 1


def test_rule_gate_refuses_new_block(editor: Client, project: Any) -> None:
    """A json column is TY-05 BLOCK: refused with the finding, nothing saved."""
    add_table(editor, "customer")
    uid = table_uid(project, "customer")
    response = editor.post(reverse("column_add", args=["shop", uid]),
                           col_data("payload", "json"), **HX)
    assert response.status_code == 422
    assert b"TY-05" in response.content
    assert not DbColumn.objects.filter(name="payload").exists()
    response = editor.post(reverse("column_add", args=["shop", uid]),
                           col_data("email", "varchar", length=320,
                                    comment="Where we write to"), **HX)
    assert response.status_code == 200, response.content.decode()[:3000]
    assert DbColumn.objects.filter(name="email", length=320).exists()


def test_column_form_validation(editor: Client, project: Any) -> None:
    add_table(editor, "customer")
    uid = table_uid(project, "customer")
    bad = [col_data("x", "boolean", length=3), col_data("x", "numeric", scale=2),
           col_data("x", "bigint", identity="always", nullable="on"), col_data("id")]
    for data in bad:
        response = editor.post(reverse("column_add", args=["shop", uid]), data, **HX)
        assert response.status_code == 422, data
    assert [c.name for c in schema_of(project).table(uid).columns] == ["id", "created_at",
                                                                       "updated_at"]


def test_relationship_creates_fk_column_and_index(editor: Client, project: Any) -> None:
    add_table(editor, "customer")
    add_table(editor, "purchase")
    child, parent = table_uid(project, "purchase"), table_uid(project, "customer")
    response = editor.post(reverse("relationship_add", args=["shop"]), {
        "rel-child": child, "rel-parent": parent, "rel-cardinality": "one-to-many"}, **HX)
    assert response.status_code == 200, response.content.decode()[:3000]
    schema = schema_of(project)
    rel = schema.relationships[0]
    col = schema.column(rel.child_columns[0])
    assert col.name == "customer_id" and col.type.name == "bigint" and col.identity is None
    assert (rel.on_delete, rel.on_update) == ("RESTRICT", "NO ACTION")
    assert rel.name == "fk_purchase_customer_id_customer"
    assert DbIndex.objects.filter(name="ix_purchase_customer_id").exists()
    optional = editor.post(reverse("relationship_add", args=["shop"]), {
        "rel-child": child, "rel-parent": parent, "rel-column_names": "referrer_id",
        "rel-optional": "on", "rel-cardinality": "one-to-many"}, **HX)
    assert optional.status_code == 200
    rel2 = next(r for r in schema_of(project).relationships if r.name.endswith("referrer_id_"
                                                                                "customer"))
    assert rel2.on_delete == "SET NULL" and rel2.optional


def test_many_to_many_creates_junction(editor: Client, project: Any) -> None:
    add_table(editor, "student")
    add_table(editor, "course")
    response = editor.post(reverse("relationship_add", args=["shop"]), {
        "rel-child": table_uid(project, "student"), "rel-parent": table_uid(project, "course"),
        "rel-cardinality": "many-to-many"}, **HX)
    assert response.status_code == 200, response.content.decode()[:3000]
    schema = schema_of(project)
    junction = schema.table_named("student_course")
    assert junction is not None and junction.kind == "junction"
    assert [c.name for c in junction.primary_key] == ["student_id", "course_id"]
    assert {r.on_delete for r in schema.relationships} == {"CASCADE"}


def test_optimistic_locking_gives_409(editor: Client, project: Any) -> None:
    add_table(editor, "customer")
    uid = table_uid(project, "customer")
    version = DbTable.objects.get(uid=uid).version
    form = {"tbl-name": "client", "tbl-namespace": "public", "tbl-comment": "People who buy",
            "tbl-kind": "entity", "tbl-delete_strategy": "hard", "tbl-version": version}
    assert editor.post(reverse("table_update", args=["shop", uid]), form,
                       **HX).status_code == 200
    stale = {**form, "tbl-name": "buyer"}
    response = editor.post(reverse("table_update", args=["shop", uid]), stale, **HX)
    assert response.status_code == 409
    # it may have been the user in another tab: the message does not say it was someone else
    assert b"was changed since this form was loaded (by someone else, or in another tab" \
        in response.content
    assert schema_of(project).table(uid).name == "client"
    # what the user typed is kept in the refused form, with the current version: saving it
    # again is a deliberate overwrite (the panel came back with the saved values before)
    page = response.content.decode()
    assert "kept in the form" in page
    assert re.search(r'name="tbl-name"[^>]*value="buyer"|value="buyer"[^>]*name="tbl-name"',
                     page)
    current = DbTable.objects.get(uid=uid).version
    assert re.search(rf'name="tbl-version"[^>]*value="{current}"'
                     rf'|value="{current}"[^>]*name="tbl-version"', page)
    again = editor.post(reverse("table_update", args=["shop", uid]),
                        {**stale, "tbl-version": current}, **HX)
    assert again.status_code == 200
    assert schema_of(project).table(uid).name == "buyer"


def test_delete_lists_dependents_then_deletes(editor: Client, project: Any) -> None:
    add_table(editor, "customer")
    add_table(editor, "purchase")
    editor.post(reverse("relationship_add", args=["shop"]), {
        "rel-child": table_uid(project, "purchase"), "rel-parent": table_uid(project, "customer"),
        "rel-cardinality": "one-to-many"}, **HX)
    uid = table_uid(project, "customer")
    page = editor.get(reverse("delete_element", args=["shop", uid]))
    assert page.status_code == 200
    assert b"fk_purchase_customer_id_customer" in page.content
    response = editor.post(reverse("delete_element", args=["shop", uid]))
    assert response.status_code == 302
    assert not Relationship.objects.exists()
    assert schema_of(project).table_named("customer") is None


def test_viewer_cannot_edit_and_outsider_gets_404(client: Client, project: Any,
                                                 other_user: Any, django_user_model: Any
                                                 ) -> None:
    Membership.objects.create(project=project, user=other_user, role="viewer")
    client.force_login(other_user)
    assert client.get(reverse("editor", args=["shop"]), **HX).status_code == 200
    response = client.post(reverse("table_add", args=["shop"]), {"new-name": "x"}, **HX)
    assert response.status_code == 403
    outsider = django_user_model.objects.create_user(username="eve", password="pw-eve-123!")
    client.force_login(outsider)
    for name, args in (("editor", ["shop"]), ("diagram", ["shop"]), ("poll", ["shop"]),
                       ("activity", ["shop"])):
        assert client.get(reverse(name, args=args)).status_code == 404
    assert client.post(reverse("table_add", args=["shop"]), {}).status_code == 404


def test_poll_is_cheap_when_unchanged(editor: Client, project: Any) -> None:
    design = Design.objects.get(project=project)
    response = editor.get(reverse("poll", args=["shop"]), {"rev": design.revision})
    assert response.status_code == 204
    add_table(editor, "customer")
    response = editor.get(reverse("poll", args=["shop"]), {"rev": design.revision})
    assert response.status_code == 200 and "schema-changed" in response["HX-Trigger"]


def test_indexes_constraints_patterns_enums(editor: Client, project: Any) -> None:
    add_table(editor, "customer")
    uid = table_uid(project, "customer")
    editor.post(reverse("column_add", args=["shop", uid]),
                col_data("email", "varchar", length=320, comment="login e-mail"), **HX)
    r = editor.post(reverse("unique_add", args=["shop", uid]), {"uq-columns": "email"}, **HX)
    assert r.status_code == 200, r.content.decode()[:2000]
    r = editor.post(reverse("index_add", args=["shop", uid]),
                    {"ix-expression": "lower(email)", "ix-method": "btree",
                     "ix-name": "ix_customer_lower_email"}, **HX)
    assert r.status_code == 200
    r = editor.post(reverse("check_add", args=["shop", uid]),
                    {"ck-name": "email_has_at", "ck-expression": "position('@' in email) > 1"},
                    **HX)
    assert r.status_code == 200
    r = editor.post(reverse("pattern_add", args=["shop", uid]),
                    {"qp-name": "recent", "qp-order_by": "-created_at"}, **HX)
    assert r.status_code == 200
    r = editor.post(reverse("index_add", args=["shop", uid]), {"ix-columns": "nope",
                                                              "ix-method": "btree"}, **HX)
    assert r.status_code == 422 and b"has no column nope" in r.content
    r = editor.post(reverse("enum_add", args=["shop"]),
                    {"enum-name": "status", "enum-namespace": "public",
                     "enum-values": "new\npaid\nnew"}, **HX)
    assert r.status_code == 422 and b"once" in r.content
    r = editor.post(reverse("enum_add", args=["shop"]),
                    {"enum-name": "status", "enum-namespace": "public",
                     "enum-values": "new\npaid"}, **HX)
    assert r.status_code == 200
    t = schema_of(project).table(uid)
    assert [u.name for u in t.uniques] == ["uq_customer_email"]
    assert t.checks[0].name == "ck_customer_email_has_at"
    assert t.indexes[0].parts[0].expression == "lower(email)"
    assert t.query_patterns[0].order_by[0].descending
    assert schema_of(project).enums[0].labels == ("new", "paid")


def test_column_form_only_for_the_column_being_edited(editor: Client, project: Any) -> None:
    add_table(editor, "customer")
    uid = table_uid(project, "customer")
    col = schema_of(project).table(uid).columns[1]
    plain = editor.get(reverse("table_panel", args=["shop", uid]), **HX)
    assert plain.content.count(b'name="col-name"') == 1  # only the add-column form
    assert f'name="c{col.uid[:8]}-name"'.encode() not in plain.content
    editing = editor.get(reverse("table_panel", args=["shop", uid]), {"column": col.uid}, **HX)
    assert f'name="c{col.uid[:8]}-name"'.encode() in editing.content
    prefix = f"c{col.uid[:8]}"
    bad = editor.post(reverse("column_update", args=["shop", col.uid]),
                      {f"{prefix}-name": "9bad", f"{prefix}-type": "text",
                       f"{prefix}-searchable": "none"}, **HX)
    assert bad.status_code == 422
    assert f'name="{prefix}-name"'.encode() in bad.content  # the form stays open with errors


def test_rendered_forms_carry_the_row_version_once(editor: Client, project: Any) -> None:
    """The browser posts what the page renders: one version input per form, with the row's
    current version (a second, empty input of the same name would disable the 409 check)."""
    import re

    add_table(editor, "customer")
    uid = table_uid(project, "customer")
    DbTable.objects.filter(uid=uid).update(version=7)
    col = schema_of(project).table(uid).columns[1]
    DbColumn.objects.filter(uid=col.uid).update(version=5)
    panel = reverse("table_panel", args=["shop", uid])
    body = editor.get(panel, {"column": col.uid}, **HX).content.decode()
    # an htmx panel fetches the closed "Edit table" section's form when it is opened
    assert 'name="tbl-version"' not in body
    assert f'hx-get="{panel}?part=table"' in body
    part = editor.get(panel, {"part": "table"}, **HX).content.decode()
    for html in (part, editor.get(panel, {"column": col.uid}).content.decode()):  # + page
        assert re.findall(r'name="tbl-version" value="(\d*)"', html) == ["7"]
        assert html.count('name="tbl-version"') == 1
    prefix = f"c{col.uid[:8]}"
    assert re.findall(rf'name="{prefix}-version" value="(\d*)"', body) == ["5"]
    assert body.count(f'name="{prefix}-version"') == 1


def test_column_compression_through_the_forms(editor: Client, project: Any) -> None:
    """The column forms carry every mapped attribute (issue #15's field map): a compression
    chosen on add or edit is saved, shown selected when the column is edited again, and an
    edit that does not touch it keeps it."""
    add_table(editor, "doc")
    uid = table_uid(project, "doc")
    r = editor.post(reverse("column_add", args=["shop", uid]),
                    col_data("body", compression="lz4", null_meaning="not written yet",
                             nullable="on"), **HX)
    assert r.status_code == 200, r.content[:400]
    col = next(c for c in schema_of(project).table(uid).columns if c.name == "body")
    assert col.compression == "lz4"
    panel = editor.get(reverse("table_panel", args=["shop", uid]), {"column": col.uid},
                       **HX).content.decode()
    prefix = f"c{col.uid[:8]}"
    assert '<option value="lz4" selected>' in panel.split(f'name="{prefix}-compression"')[1]
    data = {f"{prefix}-name": "body", f"{prefix}-type": "text", f"{prefix}-nullable": "on",
            f"{prefix}-searchable": "none", f"{prefix}-null_meaning": "not written yet",
            f"{prefix}-comment": "The text", f"{prefix}-compression": "pglz",
            f"{prefix}-version": str(DbColumn.objects.get(uid=col.uid).version)}
    r = editor.post(reverse("column_update", args=["shop", col.uid]), data, **HX)
    assert r.status_code == 200, r.content[:400]
    assert schema_of(project).table(uid).column(col.uid).compression == "pglz"
    table = DbTable.objects.get(uid=uid)
    r = editor.post(reverse("table_update", args=["shop", uid]), {
        "tbl-name": "doc", "tbl-namespace": "public", "tbl-comment": "Documents of the shop",
        "tbl-kind": "entity", "tbl-delete_strategy": "hard", "tbl-version": str(table.version)},
        **HX)
    assert r.status_code == 200, r.content[:400]
    assert schema_of(project).table(uid).column(col.uid).compression == "pglz"


def test_relationship_match_through_the_forms(editor: Client, project: Any) -> None:
    """MATCH FULL chosen when the FK is drawn is saved and shown selected; the edit form
    changes it; MATCH SIMPLE is the default; any other value is refused and changes nothing."""
    add_table(editor, "customer")
    add_table(editor, "purchase")
    child, parent = table_uid(project, "purchase"), table_uid(project, "customer")
    r = editor.post(reverse("relationship_add", args=["shop"]), {
        "rel-child": child, "rel-parent": parent, "rel-cardinality": "one-to-many",
        "rel-match": "FULL"}, **HX)
    assert r.status_code == 200, r.content.decode()[:3000]
    rel = schema_of(project).relationships[0]
    assert rel.match == "FULL" and Relationship.objects.get(uid=rel.uid).match == "FULL"
    panel = editor.get(reverse("relationship_edit", args=["shop", rel.uid]), **HX)
    assert '<option value="FULL" selected>' in panel.content.decode().split('name="match"')[1]
    data = {"name": rel.name, "cardinality": "one-to-many", "on_delete": "RESTRICT",
            "on_update": "NO ACTION", "match": "SIMPLE",
            "version": str(Relationship.objects.get(uid=rel.uid).version)}
    for bad in ("PARTIAL", "full"):
        r = editor.post(reverse("relationship_edit", args=["shop", rel.uid]),
                        {**data, "match": bad}, **HX)
        assert r.status_code == 422
        assert schema_of(project).relationships[0].match == "FULL"
    r = editor.post(reverse("relationship_edit", args=["shop", rel.uid]), data, **HX)
    assert r.status_code == 200, r.content.decode()[:3000]
    assert schema_of(project).relationships[0].match == "SIMPLE"
    r = editor.post(reverse("relationship_edit", args=["shop", rel.uid]), {
        **data, "match": "FULL", "version": str(Relationship.objects.get(uid=rel.uid).version)},
        **HX)
    assert r.status_code == 200, r.content.decode()[:3000]
    assert schema_of(project).relationships[0].match == "FULL"
    r = editor.post(reverse("relationship_add", args=["shop"]), {
        "rel-child": child, "rel-parent": parent, "rel-column_names": "referrer_id",
        "rel-optional": "on", "rel-cardinality": "one-to-many"}, **HX)
    assert r.status_code == 200
    assert {x.name: x.match for x in schema_of(project).relationships} == {
        rel.name: "FULL", "fk_purchase_referrer_id_customer": "SIMPLE"}


def test_a_viewer_sees_match_full(editor: Client, client: Client, project: Any,
                                  other_user: Any) -> None:
    add_table(editor, "customer")
    add_table(editor, "purchase")
    editor.post(reverse("relationship_add", args=["shop"]), {
        "rel-child": table_uid(project, "purchase"), "rel-parent": table_uid(project, "customer"),
        "rel-cardinality": "one-to-many", "rel-match": "FULL"}, **HX)
    rel = schema_of(project).relationships[0]
    Membership.objects.create(project=project, user=other_user, role="viewer")
    client.force_login(other_user)
    page = client.get(reverse("relationship_edit", args=["shop", rel.uid]), **HX)
    assert page.status_code == 200
    assert "ON UPDATE NO ACTION · MATCH FULL</p>" in page.content.decode()
