"""The review screens end to end through the Django test client: start a proposal, the review
page (diagram, changes, migration, findings), comments, verdicts, merge, history."""

from __future__ import annotations

import json
import re

import pytest
from django.urls import reverse

from modeler.review import services
from modeler.review.models import Proposal, Thread, Verdict
from modeler.web.models import Design, Version
from modeler.web.snapshot import snapshot
from tests.review.conftest import HX, World
from tests.review.helpers import add_table, edit

pytestmark = pytest.mark.django_db


def url(name: str, *args: object) -> str:
    return reverse(f"review:{name}", args=["shop", *args])


def test_start_a_proposal(world: World) -> None:
    author = world.client("author")
    page = author.get(url("proposal_create"))
    assert page.status_code == 200 and b"Starts from version 1" in page.content
    bad = author.post(url("proposal_create"), {"title": "", "description": "x"})
    assert bad.status_code == 422 and not Proposal.objects.exists()
    assert not Design.objects.filter(kind="proposal").exists()
    reviewer = world.users["reviewer"]
    ok = author.post(url("proposal_create"), {"title": "Add products", "description": "Sell",
                                              "reviewers": [str(reviewer.pk)]})
    assert ok.status_code == 302 and ok["Location"] == url("proposal_detail", 1)
    assert Proposal.objects.get().review_requests.get().reviewer == reviewer


def test_review_page_shows_diagram_changes_migration_findings(world: World) -> None:
    p = world.propose()
    edit(p.design, world.users["author"], add_table("product"))
    page = world.client("viewer").get(url("proposal_detail", 1))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="review-diagram"' in html and "review: added" in html  # the status in the SVG
    assert re.search(r'st-added"><span class="tag">added</span> <code>product</code>', html)
    migration = html[html.index('id="migration"'):]
    assert "def upgrade()" in migration and "def downgrade()" in migration
    assert "op.create_table(" in migration and "op.drop_table(&quot;product&quot;)" in migration
    assert 'class="badge new"' in html  # NF-08 on the new table is new since the base
    assert 'id="new-thread"' not in html and 'id="verdict-form"' not in html  # viewer
    assert 'id="edit-proposal"' not in html


def test_before_after_toggle_is_a_partial(world: World) -> None:
    p = world.propose()
    edit(p.design, world.users["author"], add_table("product"))
    client = world.client("reviewer")
    before = client.get(url("proposal_detail", 1) + "?part=diagram&side=before", **HX)
    assert before.status_code == 200
    body = before.content.decode()
    assert body.lstrip().startswith('<div id="review-diagram"') and "<html" not in body
    assert 'data-side="before"' in body and "product" not in body
    after = client.get(url("proposal_detail", 1) + "?part=diagram&side=after", **HX)
    assert "product" in after.content.decode()
    plain = client.get(url("proposal_detail", 1) + "?side=before")
    assert b"<html" in plain.content and b'data-side="before"' in plain.content


def test_comment_with_htmx_and_markers(world: World) -> None:
    p = world.propose()
    table = snapshot(p.design).table_named("customer")
    assert table is not None
    client = world.client("reviewer")
    prefill = client.get(url("proposal_detail", 1) + f"?anchor=table:{table.uid}")
    assert f'value="table:{table.uid}" selected' in prefill.content.decode()
    response = client.post(url("thread_create", 1), {"anchor": f"table:{table.uid}",
                                                     "body": "<b>Needs</b> a comment"}, **HX)
    assert response.status_code == 200
    assert json.loads(response["HX-Trigger"]) == {"review-changed": {}}
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="threads"')
    assert "&lt;b&gt;Needs&lt;/b&gt;" in body and "<b>Needs</b>" not in body
    assert "on table customer" in body
    thread = Thread.objects.get()
    assert thread.anchor_uid == table.uid
    diagram = client.get(url("proposal_detail", 1) + "?part=diagram", **HX).content.decode()
    # the marker on the table
    assert "\u270e1" in diagram and "1 comment" in diagram and "comment(s)" not in diagram
    empty = client.post(url("thread_create", 1), {"anchor": "proposal", "body": ""}, **HX)
    assert empty.status_code == 422 and Thread.objects.count() == 1
    bogus = client.post(url("thread_create", 1), {"anchor": "table:nope", "body": "x"})
    assert bogus.status_code == 422 and Thread.objects.count() == 1
    plain = client.post(url("thread_reply", 1, thread.pk), {"body": "Also the columns."})
    assert plain.status_code == 302 and plain["Location"].endswith(f"#thread-{thread.pk}")
    assert client.post(url("thread_reply", 1, thread.pk), {"body": " "}).status_code == 422
    resolve = client.post(url("thread_resolve", 1, thread.pk), {"resolved": "1"}, **HX)
    assert resolve.status_code == 200 and b"Reopen" in resolve.content
    assert Thread.objects.get().resolved


def test_verdicts_through_the_page(world: World) -> None:
    p = world.propose()
    client = world.client("reviewer")
    rev = p.design.revision
    edit(p.design, world.users["author"], add_table("product"))
    stale = client.post(url("verdict_create", 1), {"decision": "approve", "revision": rev}, **HX)
    assert stale.status_code == 409 and b"changed since you loaded" in stale.content
    no_reason = client.post(url("verdict_create", 1), {"decision": "changes"}, **HX)
    assert no_reason.status_code == 422 and not Verdict.objects.exists()
    current = Design.objects.get(pk=p.design_id).revision
    ok = client.post(url("verdict_create", 1), {"decision": "changes", "revision": current,
                                                "message": "Call it products."}, **HX)
    assert ok.status_code == 200 and b"request changes" in ok.content
    author_page = world.client("author").get(url("proposal_detail", 1)).content.decode()
    assert 'id="verdict-form"' not in author_page  # authors do not judge their own work
    assert world.client("author").post(url("verdict_create", 1),
                                       {"decision": "approve"}).status_code == 403


def test_merge_through_the_page_and_history(world: World) -> None:
    p = world.propose()
    edit(p.design, world.users["author"], add_table("product"))
    author = world.client("author")
    refused = author.post(url("proposal_merge", 1), {"message": ""})
    assert refused.status_code == 422 and b"Approvals" in refused.content
    assert Version.objects.count() == 1
    services.thread_create(proposal=p, actor=world.users["reviewer"], anchor="proposal",
                           body="Fine by me.")
    Thread.objects.update(resolved_at=p.created_at)
    services.verdict_create(proposal=p, actor=world.users["reviewer"], decision="approve",
                            message="Ship it.")
    page = author.get(url("proposal_detail", 1)).content.decode()
    assert 'id="merge"' in page and 'id="merge" disabled' not in page
    merged = author.post(url("proposal_merge", 1), {"message": "Products for the shop"})
    assert merged.status_code == 302
    version = Version.objects.get(number=2)
    assert version.message == "Products for the shop"
    history = world.client("viewer").get(reverse("version_history", args=["shop"]))
    assert b"Products for the shop" in history.content
    # read-only history: the page renders, comments and verdicts are there, no forms
    page = world.client("reviewer").get(url("proposal_detail", 1)).content.decode()
    assert "merged" in page and "version 2" in page and "Fine by me." in page
    assert "Ship it." in page
    assert 'id="new-thread"' not in page and 'id="verdict-form"' not in page
    assert 'id="merge-form"' not in page
    listing = world.client("viewer").get(url("proposal_list")).content.decode()
    assert 'id="finished-proposals"' in listing and "Add products" in listing
    # the proposal's design is locked for edits
    add = reverse("table_add", args=["shop", p.design_id])
    assert author.post(add, {"new-name": "late"}, **HX).status_code == 403
    assert world.client("reviewer").post(url("thread_create", 1),
                                         {"anchor": "proposal", "body": "late"}).status_code == 422


def test_migration_download(world: World) -> None:
    p = world.propose()
    edit(p.design, world.users["author"], add_table("product"))
    response = world.client("viewer").get(url("proposal_migration", 1))
    assert response.status_code == 200
    assert "proposal_1_migration.py" in response["Content-Disposition"]
    text = response.content.decode()
    assert "def downgrade()" in text and 'op.drop_table("product")' in text


def test_close_and_rebase_views(world: World) -> None:
    world.propose()
    author = world.client("author")
    nothing = author.post(url("proposal_rebase", 1))
    assert nothing.status_code == 422 and b"nothing to rebase" in nothing.content
    assert author.post(url("proposal_close", 1)).status_code == 302
    assert Proposal.objects.get().status == "closed"
    page = author.get(url("proposal_detail", 1)).content.decode()
    assert "Closed without merging" in page
    assert author.post(url("proposal_close", 1)).status_code == 422


def test_policy_and_per_proposal_approvals(world: World) -> None:
    world.propose()
    owner = world.client("owner")
    assert owner.post(url("review_policy"), {"required_approvals": "0"}).status_code == 422
    assert owner.post(url("review_policy"), {"required_approvals": "2"}).status_code == 302
    page = owner.get(url("proposal_detail", 1)).content.decode()
    assert "0 of 2 approvals for revision" in page
    assert owner.post(url("proposal_approvals", 1), {"required_approvals": "1"}).status_code == 302
    assert "0 of 1 approval for revision" in owner.get(url("proposal_detail", 1)).content.decode()
    assert owner.post(url("proposal_approvals", 1),
                      {"required_approvals": "11"}).status_code == 422


def test_unknown_proposal_and_thread_are_404(world: World) -> None:
    p = world.propose()
    client = world.client("owner")
    assert client.get(url("proposal_detail", 99)).status_code == 404
    assert client.post(url("thread_reply", p.number, 999), {"body": "x"}).status_code == 404


def test_links_from_project_page_and_editor(world: World) -> None:
    p = world.propose()
    client = world.client("viewer")
    detail = client.get(reverse("project_detail", args=["shop"])).content.decode()
    assert url("proposal_list") in detail and url("members") in detail
    editor = client.get(reverse("editor", args=["shop", p.design_id])).content.decode()
    assert url("proposal_detail", 1) in editor


def test_conflicts_are_listed_and_rebase_keeps_ours(world: World) -> None:
    from tests.review.helpers import rename_column

    p = world.propose()
    edit(p.design, world.users["author"], rename_column("customer", "full_name", "name"))
    edit(world.main, world.users["owner"], rename_column("customer", "full_name", "label"))
    author = world.client("author")
    page = author.get(url("proposal_detail", 1)).content.decode()
    assert 'id="rebase"' in page and "conflicts: schema.tables[customer]" in page
    refused = author.post(url("proposal_merge", 1), {"message": ""})
    assert refused.status_code == 422 and b"Merges cleanly" in refused.content
    rebased = author.post(url("proposal_rebase", 1), follow=True)
    assert rebased.status_code == 200 and b"keep the proposal&#x27;s version" in rebased.content
    customer = snapshot(p.design).table_named("customer")
    assert customer is not None and customer.column_named("name") is not None
