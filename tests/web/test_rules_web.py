"""Rules in the web app: the named refusals, fixes, waivers, levels, reference pages, CLI."""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from modeler.schema import model as m
from modeler.schema.builder import SchemaBuilder
from modeler.web import services
from modeler.web.models import DbColumn, DbIndex, Membership, Relationship, RuleSetting, Waiver
from modeler.web.snapshot import materialize, snapshot

pytestmark = pytest.mark.django_db
HX = {"HTTP_HX_REQUEST": "true"}


def good_schema(fk_index: bool = True) -> m.Schema:
    b = SchemaBuilder(name="shop")
    c = b.table("customer", comment="People who buy things")
    c.column("id", "bigint", identity="always", pk=True).timestamps()
    o = b.table("purchase", comment="An order placed by a customer")
    o.column("id", "bigint", identity="always", pk=True).column("customer_id", "bigint")
    o.timestamps()
    if fk_index:
        o.index("customer_id")
    b.relationship("purchase", ["customer_id"], "customer", on_delete="RESTRICT",
                   on_update="NO ACTION")
    return b.build()


@pytest.fixture
def project(user: Any) -> Any:
    p = services.project_create(name="Shop", slug="shop", owner=user)
    materialize(good_schema(), services.main_design(p))
    return p


@pytest.fixture
def editor(client: Client, user: Any, project: Any) -> Client:
    client.force_login(user)
    return client


def current(project: Any) -> m.Schema:
    return snapshot(services.main_design(project))


def test_fk_without_actions_refused(editor: Client, project: Any) -> None:
    rel = current(project).relationships[0]
    data = {"name": rel.name, "cardinality": "one-to-many", "on_delete": "UNSPECIFIED",
            "on_update": "NO ACTION", "version": str(Relationship.objects.get().version)}
    response = editor.post(reverse("relationship_edit", args=["shop", rel.uid]), data, **HX)
    assert response.status_code == 422
    assert b"KR-04" in response.content
    assert Relationship.objects.get().on_delete == "RESTRICT"


def test_table_without_created_at_refused(editor: Client, project: Any) -> None:
    t = current(project).table_named("customer")
    assert t is not None
    col = t.column_named("created_at")
    assert col is not None
    response = editor.post(reverse("delete_element", args=["shop", col.uid]), **HX)
    assert response.status_code == 422
    assert b"TS-01" in response.content
    assert DbColumn.objects.filter(name="created_at").count() == 2


def test_fk_index_cannot_be_dropped(editor: Client, project: Any) -> None:
    t = current(project).table_named("purchase")
    assert t is not None
    response = editor.post(reverse("delete_element", args=["shop", t.indexes[0].uid]), **HX)
    assert response.status_code == 422
    assert b"IX-01" in response.content
    assert DbIndex.objects.count() == 1


def test_missing_fk_index_is_fixed(editor: Client, project: Any) -> None:
    materialize(good_schema(fk_index=False), services.main_design(project))
    out = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("lint_schema", "shop", format="json", stdout=out)
    assert exit_info.value.code == 1
    findings = json.loads(out.getvalue())
    assert all(set(f) == {"rule", "level", "target", "message", "hint", "waived"}
               for f in findings)
    ix01 = next(f for f in findings if f["rule"] == "IX-01")
    assert ix01["level"] == "block"
    preview = editor.get(reverse("fix", args=["shop"]))
    assert preview.status_code == 200 and b"customer_id" in preview.content
    assert editor.post(reverse("fix", args=["shop"])).status_code == 302
    assert DbIndex.objects.count() == 1
    out = StringIO()
    call_command("lint_schema", "shop", format="json", stdout=out)
    assert not [f for f in json.loads(out.getvalue()) if f["rule"] == "IX-01"]


def test_waiver_flow_and_lapse(editor: Client, project: Any) -> None:
    t = current(project).table_named("customer")
    assert t is not None
    response = editor.post(reverse("column_add", args=["shop", t.uid]), {
        "col-name": "nickname", "col-type": "text", "col-nullable": "on",
        "col-searchable": "none", "col-comment": "What friends call them"}, **HX)
    assert response.status_code == 200, response.content.decode()[:2000]
    col = current(project).table(t.uid).column_named("nickname")
    assert col is not None
    key = f"column:{col.uid}"
    url = reverse("waive", args=["shop"]) + f"?rule=CN-01&key={key}"
    assert editor.get(url).status_code == 200
    short = editor.post(url, {"justification": "because"})
    assert short.status_code == 422 and not Waiver.objects.exists()
    ok = editor.post(url, {"justification": "Optional display name; NULL means none chosen."})
    assert ok.status_code == 302 and Waiver.objects.count() == 1
    out = StringIO()
    call_command("lint_schema", "shop", format="json", stdout=out)  # exit 0: all waived
    cn01 = [f for f in json.loads(out.getvalue()) if f["rule"] == "CN-01"]
    assert cn01 and all(f["waived"] for f in cn01)
    # change the column: the waiver lapses
    version = DbColumn.objects.get(uid=col.uid).version
    prefix = f"c{col.uid[:8]}"
    editor.post(reverse("column_update", args=["shop", col.uid]), {
        f"{prefix}-name": "nickname", f"{prefix}-type": "varchar", f"{prefix}-length": "80",
        f"{prefix}-nullable": "on", f"{prefix}-searchable": "none",
        f"{prefix}-version": version}, **HX)
    page = editor.get(reverse("waivers", args=["shop"]))
    assert b"lapsed" in page.content


def test_rule_levels_lowering_is_owner_only(client: Client, project: Any, user: Any,
                                            other_user: Any) -> None:
    Membership.objects.create(project=project, user=other_user, role="editor")
    client.force_login(other_user)
    response = client.post(reverse("rule_settings", args=["shop"]),
                           {"rule": "DC-01", "level": "advise", "reason": "prototype phase"})
    assert response.status_code == 403 and not RuleSetting.objects.exists()
    raised = client.post(reverse("rule_settings", args=["shop"]),
                         {"rule": "NF-08", "level": "block"})
    assert raised.status_code == 302
    client.force_login(user)
    no_reason = client.post(reverse("rule_settings", args=["shop"]),
                            {"rule": "DC-01", "level": "advise"})
    assert no_reason.status_code == 422
    ok = client.post(reverse("rule_settings", args=["shop"]),
                     {"rule": "DC-01", "level": "advise", "reason": "prototype phase only"})
    assert ok.status_code == 302
    assert RuleSetting.objects.get(rule="DC-01").reason == "prototype phase only"


def test_rules_reference_pages(client: Client) -> None:
    index = client.get(reverse("rule_index"))
    assert index.status_code == 200 and b"KR-01" in index.content
    detail = client.get(reverse("rule_detail", args=["KR-04"]))
    assert detail.status_code == 200 and b"Bad" in detail.content and b"Good" in detail.content
    assert client.get(reverse("rule_detail", args=["XX-99"])).status_code == 404


def many_findings_schema(n: int = 60) -> m.Schema:
    b = SchemaBuilder(name="wide")
    for i in range(n):
        b.table(f"t{i:02d}").column("id", "bigint", identity="always", pk=True)  # no comment,
        # no created_at/updated_at: several findings per table
    return b.build()


def test_editor_lists_a_few_findings_and_links_to_all(client: Client, user: Any,
                                                      other_user: Any) -> None:
    from modeler.web import ruling

    p = services.project_create(name="Wide", slug="wide", owner=user)
    design = services.main_design(p)
    materialize(many_findings_schema(), design)
    lint = ruling.lint_project(snapshot(design), p, design)
    levels = {lvl: sum(1 for f in lint if f.level.value == lvl) for lvl in
              ("block", "justify", "advise")}
    worst = max(levels, key=lambda lvl: levels[lvl])
    assert levels[worst] > ruling.PANEL_LIMIT
    client.force_login(user)
    page = client.get(reverse("editor", args=["wide"])).content.decode()
    assert page.count(f'<li class="lvl-{worst}') == ruling.PANEL_LIMIT
    assert f"and {levels[worst] - ruling.PANEL_LIMIT} more" in page
    full = client.get(reverse("findings", args=["wide"]))
    assert full.status_code == 200
    body = full.content.decode()
    assert body.count(f'<li class="lvl-{worst}') == levels[worst]
    assert "hx-target" not in body  # no panel on this page: plain links
    rule = next(f.rule for f in lint if f.level.value == worst)
    narrowed = client.get(reverse("findings", args=["wide"]), {"rule": rule}).content.decode()
    assert narrowed.count('<li class="lvl-') == sum(1 for f in lint if f.rule == rule)
    client.force_login(other_user)  # not a member
    assert client.get(reverse("findings", args=["wide"])).status_code == 404
