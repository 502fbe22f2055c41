"""One-click ways out of refused edits (issue 16, item 4): the refusal shown in the form
offers the way out as a button of that form; the refusal itself changes nothing; the click
applies the edit and the way out as one edit through the write path (logged, undoable)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from modeler.schema import model as m
from modeler.web import services
from modeler.web.models import Activity
from modeler.web.snapshot import snapshot

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def project(user: Any) -> Any:
    return services.project_create(name="Shop", slug="shop", owner=user)


def schema_of(project: Any) -> m.Schema:
    return snapshot(services.main_design(project))


def post(client: Client, name: str, data: dict[str, Any], *args: str,
         status: int = 200) -> str:
    response = client.post(reverse(name, args=["shop", *args]), data, **HX)
    body = response.content.decode()
    assert response.status_code == status, body[:3000]
    return body


def add_table(client: Client, name: str, kind: str = "entity", status: int = 200,
              **extra: str) -> str:
    return post(client, "table_add", {"new-name": name, "new-namespace": "public",
                                      "new-comment": f"The {name}s of the shop",
                                      "new-kind": kind, "new-delete_strategy": "hard",
                                      **extra}, status=status)


def uid_of(project: Any, name: str) -> str:
    t = schema_of(project).table_named(name)
    assert t is not None
    return t.uid


@pytest.fixture
def shop(client: Client, user: Any, project: Any) -> Client:
    client.force_login(user)
    add_table(client, "customer")
    add_table(client, "purchase")
    return client


def way_out_buttons(body: str) -> list[str]:
    return re.findall(r'<button type="submit" name="way_out" value="([A-Z0-9-]+)"', body)


def test_pattern_without_index_offers_the_index(shop: Client, project: Any) -> None:
    uid = uid_of(project, "customer")
    post(shop, "column_add", {"col-name": "email", "col-type": "text",
                              "col-searchable": "none", "col-comment": "Contact"}, uid)
    pattern = {"qp-name": "by_email", "qp-equality": "email", "qp-hot": "on"}
    before, logged = schema_of(project), Activity.objects.count()
    body = post(shop, "pattern_add", pattern, uid, status=422)
    assert "IX-02" in body and way_out_buttons(body) == ["IX-02"]
    assert "Create the index it needs, then save" in body
    # the refusal changed nothing
    assert schema_of(project) == before and Activity.objects.count() == logged
    post(shop, "pattern_add", {**pattern, "way_out": "IX-02"}, uid)
    t = schema_of(project).table(uid)
    email = next(c.uid for c in t.columns if c.name == "email")
    assert [q.name for q in t.query_patterns] == ["by_email"]
    assert [[p.column for p in ix.parts] for ix in t.indexes] == [[email]]
    # one edit: the pattern and its index, logged once, undone at once
    assert Activity.objects.count() == logged + 1
    post(shop, "undo", {})
    t = schema_of(project).table(uid)
    assert not t.query_patterns and not t.indexes


def _column_form(shop: Client, project: Any, table: str, col: m.Column,
                 **changes: str) -> dict[str, str]:
    prefix = f"c{col.uid[:8]}"
    panel = shop.get(reverse("table_panel", args=["shop", table]), {"column": col.uid},
                     **HX).content.decode()
    found = re.search(rf'name="{prefix}-version" value="(\d+)"', panel)
    assert found is not None
    data = {"name": col.name, "type": "bigint", "searchable": "none",
            "comment": col.comment or "The customer", "version": found.group(1), **changes}
    return {f"{prefix}-{k}": v for k, v in data.items()}


def test_not_null_fk_with_set_null_switches_on_delete(shop: Client, project: Any) -> None:
    child, parent = uid_of(project, "purchase"), uid_of(project, "customer")
    post(shop, "relationship_add", {"rel-child": child, "rel-parent": parent,
                                    "rel-cardinality": "one-to-many", "rel-optional": "on",
                                    "rel-on_delete": "SET NULL", "rel-on_update": "NO ACTION"})
    s = schema_of(project)
    col = next(c for c in s.table(child).columns if c.name == "customer_id")
    assert col.nullable and s.relationships[0].on_delete == "SET NULL"
    data = _column_form(shop, project, child, col)  # nullable left unticked: NOT NULL
    body = post(shop, "column_update", data, col.uid, status=422)
    assert "KR-05" in body and way_out_buttons(body) == ["KR-05"]
    assert schema_of(project) == s
    post(shop, "column_update", {**data, "way_out": "KR-05"}, col.uid)
    after = schema_of(project)
    assert not after.column(col.uid).nullable
    assert after.relationships[0].on_delete == "RESTRICT"
    assert after.relationships[0].on_update == "NO ACTION"


def test_junction_table_asks_for_its_two_parents(shop: Client, project: Any) -> None:
    before = schema_of(project)
    body = add_table(shop, "customer_purchase", kind="junction", status=422)
    assert "KR-11" in body and way_out_buttons(body) == ["KR-11"]
    assert 'name="new-junction_left"' in body and 'name="new-junction_right"' in body
    assert schema_of(project) == before
    # a parent that is no table of the design: a clear refusal, nothing saved
    body = add_table(shop, "customer_purchase", kind="junction", status=422,
                     way_out="KR-11", **{"new-junction_left": "nope",
                                         "new-junction_right": "nope"})
    assert "Pick the two tables the junction links." in body
    assert schema_of(project) == before
    c, p = uid_of(project, "customer"), uid_of(project, "purchase")
    add_table(shop, "customer_purchase", kind="junction", way_out="KR-11",
              **{"new-junction_left": c, "new-junction_right": p})
    s = schema_of(project)
    j = s.table_named("customer_purchase")
    assert j is not None and j.kind == "junction"
    rels = s.relationships_of(j.uid)
    assert sorted(r.parent_table for r in rels) == sorted([c, p])
    fk_cols = {u for r in rels for u in r.child_columns}
    assert {col.uid for col in j.columns if col.in_pk} == fk_cols
    assert all(not s.column(u).nullable for u in fk_cols)
    # the FK that does not lead the key has its own index
    assert j.indexes


def test_refusals_without_a_fix_offer_no_button(shop: Client, project: Any) -> None:
    uid = uid_of(project, "customer")
    # a name clash: no rule, no way out
    body = post(shop, "column_add", {"col-name": "id", "col-type": "text",
                                     "col-searchable": "none", "col-comment": "Again"},
                uid, status=422)
    assert way_out_buttons(body) == []
    # a way out the refusal did not offer is ignored: the edit is refused as before
    before = schema_of(project)
    post(shop, "pattern_add", {"qp-name": "p", "qp-equality": "id", "qp-hot": "on",
                               "way_out": "ZZ-99"}, uid)
    assert len(schema_of(project).table(uid).query_patterns) == 1
    assert schema_of(project) != before


def test_null_meaning_asked_inline_from_the_finding(shop: Client, project: Any) -> None:
    uid = uid_of(project, "customer")
    post(shop, "column_add", {"col-name": "nickname", "col-type": "text", "col-nullable": "on",
                              "col-searchable": "none", "col-comment": "What friends say"}, uid)
    col = next(c for c in schema_of(project).table(uid).columns if c.name == "nickname")
    page = shop.get(reverse("editor", args=["shop"])).content.decode()
    # the CN-01 finding carries a Fix that asks for the meaning right there
    assert f'name="key" value="column:{col.uid}"' in page and 'name="null_meaning"' in page
    before = schema_of(project)
    body = post(shop, "null_meaning", {"key": f"column:{col.uid}", "null_meaning": "  "},
                status=422)
    assert "say what NULL means" in body and schema_of(project) == before
    post(shop, "null_meaning", {"key": f"column:{col.uid}",
                                "null_meaning": "no  nickname <given>"})
    assert schema_of(project).column(col.uid).null_meaning == "no nickname <given>"
    page = shop.get(reverse("editor", args=["shop"])).content.decode()
    assert f'value="column:{col.uid}"' not in page
    # a key that is no column of the design: 404, nothing saved
    response = shop.post(reverse("null_meaning", args=["shop"]),
                         {"key": "column:nope", "null_meaning": "x"}, **HX)
    assert response.status_code == 404


def test_viewers_get_no_way_out(shop: Client, project: Any, other_user: Any) -> None:
    from modeler.web.models import Membership

    Membership.objects.create(project=project, user=other_user, role="viewer")
    viewer = Client()
    viewer.force_login(other_user)
    uid = uid_of(project, "customer")
    col = schema_of(project).table(uid).columns[0]
    before = schema_of(project)
    for name, data, args in (
            ("null_meaning", {"key": f"column:{col.uid}", "null_meaning": "x"}, ()),
            ("column_line_add", {"cl-line": "nick text"}, (uid,)),
            ("pattern_add", {"qp-name": "p", "qp-equality": "id", "way_out": "IX-02"},
             (uid,))):
        r = viewer.post(reverse(name, args=["shop", *args]), data, **HX)
        assert r.status_code in (403, 404), name
    assert schema_of(project) == before


def _purchase_to_customer(shop: Client, project: Any) -> tuple[m.Schema, m.Relationship]:
    """The design with purchase → customer ON DELETE RESTRICT drawn, and that relationship."""
    child, parent = uid_of(project, "purchase"), uid_of(project, "customer")
    post(shop, "relationship_add", {"rel-child": child, "rel-parent": parent,
                                    "rel-cardinality": "one-to-many",
                                    "rel-on_delete": "RESTRICT", "rel-on_update": "NO ACTION"})
    s = schema_of(project)
    return s, s.relationships[0]


def test_relationship_left_unspecified_takes_the_suggested_action(shop: Client,
                                                                  project: Any) -> None:
    """KR-04 from the relationship's own form: the refusal shows that form again (the
    relationship panel, the posted values, the way out); one click saves both, undone at
    once."""
    from modeler.web.selectors import row_version

    s, rel = _purchase_to_customer(shop, project)
    data = {"name": rel.name, "cardinality": rel.cardinality, "on_delete": "UNSPECIFIED",
            "on_update": "NO ACTION", "comment": "Who bought it",
            "version": row_version("relationship", services.main_design(project), rel.uid)}
    logged = Activity.objects.count()
    body = post(shop, "relationship_edit", data, rel.uid, status=422)
    assert "KR-04" in body and way_out_buttons(body) == ["KR-04"]
    assert f'data-relationship="{rel.uid}"' in body  # the relationship's panel, not the table's
    assert "Who bought it" in body  # what was typed stays
    assert schema_of(project) == s and Activity.objects.count() == logged
    post(shop, "relationship_edit", {**data, "way_out": "KR-04"}, rel.uid)
    after = schema_of(project).relationships[0]
    assert after.on_delete not in ("UNSPECIFIED", "NO ACTION")
    assert after.comment == "Who bought it"
    assert Activity.objects.count() == logged + 1
    post(shop, "undo", {})
    assert schema_of(project) == s


def test_relationship_form_errors_stay_in_its_form(shop: Client, project: Any) -> None:
    s, rel = _purchase_to_customer(shop, project)
    body = post(shop, "relationship_edit", {"name": "not a name!", "cardinality": "nope",
                                            "on_delete": "RESTRICT", "on_update": "NO ACTION"},
                rel.uid, status=422)
    assert f'data-relationship="{rel.uid}"' in body
    assert 'class="field invalid"' in body and 'value="not a name!"' in body
    assert schema_of(project) == s
