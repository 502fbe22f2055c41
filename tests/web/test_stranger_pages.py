"""Pages a first-time user reached by ordinary clicks and found wrong, each kept fixed.

- The delete confirmation of an enum that columns use said "These go with it: column
  alpha.feeling uses it" and offered Delete, which was then refused ("still in use"): the
  page promised what the edit does not do. It now says the type is in use and offers no
  Delete.
- A merged or closed proposal's editor showed every edit form and the banner "You are
  editing a proposal ... its changes reach the main design when it is merged", and each
  save was a 403 that htmx showed nowhere: clicks did nothing. Its design is read only now,
  and the page says so.
- The versions page of a project with one version offered "Compare" with no version picked
  on one side, and the button led to a bare "Page not found". One version has nothing to
  compare with: no Compare; and the compare page without two picks goes back to the list,
  saying what to do.
- The rule-levels form, refused (a reason too short), came back blank: the rule select
  started over at the first rule, so the retry with a longer reason changed another rule's
  level. It comes back as it was sent; a saved change says what it did.
- Drawing a relationship the rules refuse (a mandatory FK with ON DELETE SET NULL) answered
  with the child table's panel, which has no relationship form: the refusal the form
  carried was shown nowhere, and the drawing silently did not happen. The refusal shows
  the overview with the form, its choices and why.
- The toolbar's Focus list kept the tables of the page's first load after a text-mode apply
  that added one (as after the forms' edits: tests/browser/test_stranger_ux.py).
- The findings panel showed viewers and reviewers a "Rule levels" link to a page their role
  may not open (403). It shows it to those who may.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from modeler.review import services as review
from modeler.web import services
from modeler.web.models import Project
from modeler.web.snapshot import materialize, snapshot_at
from modeler.web.versions import version_save
from tests.review.helpers import edit, good_schema, set_comment

pytestmark = pytest.mark.django_db
HX: dict[str, Any] = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def owner(client: Client, user: Any) -> Client:
    services.project_create(name="Shop", slug="shop", owner=user)
    client.force_login(user)
    return client


def state() -> tuple[Any, int]:
    return snapshot_at(services.main_design(Project.objects.get(slug="shop")))


def ok(response: Any, status: int = 200) -> str:
    body: str = response.content.decode()
    assert response.status_code == status, body[:3000]
    return body


def add_table(c: Client, name: str) -> str:
    ok(c.post(reverse("table_add", args=["shop"]), {
        "new-name": name, "new-namespace": "public", "new-kind": "entity",
        "new-comment": f"One {name} of the shop.", "new-delete_strategy": "hard"}, **HX))
    t = state()[0].table_named(name)
    assert t is not None
    return str(t.uid)


def add_enum(c: Client, name: str) -> str:
    ok(c.post(reverse("enum_add", args=["shop"]), {
        "enum-name": name, "enum-namespace": "public", "enum-values": "happy\nsad"}, **HX))
    return str(next(e.uid for e in state()[0].enums if e.name == name))


def test_deleting_an_enum_columns_use_is_not_offered(owner: Client) -> None:
    mood, spare = add_enum(owner, "mood"), add_enum(owner, "spare")
    alpha = add_table(owner, "alpha")
    ok(owner.post(reverse("column_line_add", args=["shop", alpha]),
                  {"cl-line": "feeling mood not null default 'happy' -- how it feels"}, **HX))
    page = ok(owner.get(reverse("delete_element", args=["shop", mood])))
    assert "is still in use" in page and "column alpha.feeling uses it" in page
    assert 'type="submit"' not in page.split('<section class="card narrow">')[1]
    # a direct POST is still refused, nothing changed
    before = state()
    body = ok(owner.post(reverse("delete_element", args=["shop", mood]), **HX), 422)
    assert "still in use: column alpha.feeling uses it" in body
    assert state() == before
    # an enum nobody uses: the usual confirmation, and the delete goes through
    page = ok(owner.get(reverse("delete_element", args=["shop", spare])))
    assert "Delete type spare?" in page and "Nothing else depends on it." in page
    assert '<button type="submit" class="danger">Delete</button>' in page
    ok(owner.post(reverse("delete_element", args=["shop", spare]), **HX))
    assert [e.name for e in state()[0].enums] == ["mood"]


def test_a_closed_proposal_editor_is_read_only(owner: Client, user: Any) -> None:
    project = Project.objects.get(slug="shop")
    materialize(good_schema(), services.main_design(project))
    version_save(project=project, actor=user, message="First version of the shop")
    proposal = review.proposal_create(project=project, actor=user, title="Add <b>things</b>",
                                      description="", reviewers=[])
    editor = reverse("editor", args=["shop", proposal.design_id])
    page = ok(owner.get(editor))  # open: the forms are there
    assert 'name="new-name"' in page and 'id="undo-bar"' in page
    assert "You are editing a proposal" in page
    review.proposal_close(proposal=proposal, actor=user)
    page = ok(owner.get(editor))
    assert "This proposal is closed: its design is read only." in page
    assert "You are editing a proposal" not in page
    assert 'data-can-edit="0"' in page
    for form in ('name="new-name"', 'id="undo-bar"', 'name="enum-name"', ">Re-layout<"):
        assert form not in page, form
    t = snapshot_at(proposal.design)[0].table_named("customer")
    assert t is not None
    panel = ok(owner.get(reverse("table_panel", args=["shop", proposal.design_id, t.uid])))
    assert 'id="column-line"' not in panel and "Delete table" not in panel
    findings = ok(owner.get(reverse("findings", args=["shop", proposal.design_id])))
    assert "Fix all safe findings" not in findings
    # and a save is refused as before
    r = owner.post(reverse("table_add", args=["shop", proposal.design_id]), {
        "new-name": "late", "new-namespace": "public", "new-kind": "entity",
        "new-comment": "Too late for this one.", "new-delete_strategy": "hard"}, **HX)
    assert r.status_code == 403


def test_compare_needs_two_versions(owner: Client, user: Any) -> None:
    project = Project.objects.get(slug="shop")
    materialize(good_schema(), services.main_design(project))
    version_save(project=project, actor=user, message="First version of the shop")
    page = ok(owner.get(reverse("version_history", args=["shop"])))
    assert ">Compare</button>" not in page and 'name="a"' not in page
    r = owner.get(reverse("version_compare", args=["shop"]), {"b": "1"}, follow=True)
    assert r.redirect_chain == [(reverse("version_history", args=["shop"]), 302)]
    assert "Pick two versions to compare" in ok(r)
    edit(services.main_design(project), user, set_comment("customer", "Who buys things"))
    version_save(project=project, actor=user, message="Customers say who they are")
    page = ok(owner.get(reverse("version_history", args=["shop"])))
    assert ">Compare</button>" in page and page.count('name="a"') == 2
    page = ok(owner.get(reverse("version_compare", args=["shop"]), {"a": "1", "b": "2"}))
    assert "Version 1 → 2" in page
    # a version that does not exist is still a 404
    assert owner.get(reverse("version_compare", args=["shop"]),
                     {"a": "1", "b": "9"}).status_code == 404


def test_a_refused_rule_level_form_comes_back_as_sent(owner: Client) -> None:
    from modeler.web.models import RuleSetting

    url = reverse("rule_settings", args=["shop"])
    page = ok(owner.post(url, {"rule": "DC-01", "level": "advise", "reason": "later"}), 422)
    assert "at least 10 characters" in page
    assert '<option value="DC-01" selected>' in page
    assert '<option value="advise" selected>' in page
    assert 'name="reason" value="later"' in page
    assert page.count(" selected>") == 2
    assert not RuleSetting.objects.exists()
    r = owner.post(url, {"rule": "DC-01", "level": "advise",
                         "reason": "Comments come with the docs sprint"}, follow=True)
    page = ok(r)
    assert "DC-01 is advise now." in page and " selected>" not in page
    assert list(RuleSetting.objects.values_list("rule", "level")) == [("DC-01", "advise")]


def test_a_refused_relationship_shows_its_form_and_why(owner: Client) -> None:
    child, parent = add_table(owner, "purchase"), add_table(owner, "customer")
    before = state()
    body = ok(owner.post(reverse("relationship_add", args=["shop"]), {
        "rel-child": child, "rel-parent": parent, "rel-cardinality": "one-to-many",
        "rel-on_delete": "SET NULL", "rel-on_update": "", "rel-column_names": "",
        "rel-name": ""}, **HX), 422)
    assert 'id="panel-title"' not in body  # the overview, not purchase's panel
    form = body.split('action="/p/shop/relationships/add/"')[1].split("</form>")[0]
    assert 'class="errors box refusal"' in form
    assert "KR-05" in form and "purchase" in form
    assert f'<option value="{child}" selected>' in form  # the user's choices stay
    assert state() == before


def test_a_text_mode_apply_sends_the_focus_list_along(owner: Client) -> None:
    add_table(owner, "customer")
    schema, revision = state()
    from modeler.web import textmode

    text = textmode.design_text(schema) + (
        "Table refund {\n  id bigint [pk]\n  created_at timestamptz [not null, default: "
        "`now()`]\n  updated_at timestamptz [not null, default: `now()`]\n"
        "  Note: 'A refund is money going back.'\n}\n")
    body = ok(owner.post(reverse("textmode_apply", args=["shop"]),
                         {"text": text, "revision": revision}, **HX))
    assert "Applied 1 change" in body
    select = body.split('<select name="focus" id="focus-select" hx-swap-oob="outerHTML">')[1]
    options = select.split("</select>")[0]
    assert ">customer</option>" in options and ">refund</option>" in options
    # a text change that keeps the tables' names: no list
    schema, revision = state()
    text = textmode.design_text(schema).replace("A refund is money going back.",
                                                "A refund: money going back.")
    body = ok(owner.post(reverse("textmode_apply", args=["shop"]),
                         {"text": text, "revision": revision}, **HX))
    assert "Applied 1 change" in body and 'id="focus-select"' not in body


def test_the_rule_levels_link_is_for_those_who_may_open_it(owner: Client,
                                                          django_user_model: Any) -> None:
    from modeler.web.models import Membership

    add_table(owner, "customer")
    rules_url = reverse("rule_settings", args=["shop"])
    assert f'href="{rules_url}"' in ok(owner.get(reverse("editor", args=["shop"])))
    for role in ("viewer", "reviewer"):
        member = django_user_model.objects.create_user(f"{role}1", password="x")
        Membership.objects.create(project=Project.objects.get(slug="shop"), user=member,
                                  role=role)
        c = Client()
        c.force_login(member)
        page = ok(c.get(reverse("editor", args=["shop"])))
        assert "Waivers</a>" in page and f'href="{rules_url}"' not in page, role
        assert c.get(rules_url).status_code == 403
