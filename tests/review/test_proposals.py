"""Proposal services: start, isolation from main, threads, verdicts, close, policies."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from modeler.review import selectors, services
from modeler.review.models import Proposal, ReviewRequest, Thread, Verdict
from modeler.schema import serialize
from modeler.web import models as db
from modeler.web import services as web_services
from modeler.web.editing import Conflict, Refused
from modeler.web.snapshot import snapshot
from tests.review.conftest import World
from tests.review.helpers import add_table, edit

pytestmark = pytest.mark.django_db


def test_proposal_starts_from_latest_version_with_same_uids(world: World) -> None:
    p = world.propose()
    assert p.number == 1 and p.status == "open" and p.base_version.number == 1
    assert p.design.kind == "proposal" and p.design.project == world.project
    main = snapshot(world.main)
    ours = snapshot(p.design)
    assert serialize.dumps(ours) == serialize.dumps(main)
    assert {t.uid for t in ours.tables} == {t.uid for t in main.tables}
    assert p.base_schema_json == p.base_version.schema_json
    assert list(ReviewRequest.objects.filter(proposal=p).values_list(
        "reviewer__username", flat=True)) == ["reviewer"]


def test_edits_in_a_proposal_never_touch_main(world: World) -> None:
    p = world.propose()
    before = serialize.dumps(snapshot(world.main))
    main_revision = world.main.revision
    edit(p.design, world.users["author"], add_table("product"))
    assert snapshot(p.design).table_named("product") is not None
    assert snapshot(world.main).table_named("product") is None
    assert serialize.dumps(snapshot(world.main)) == before
    assert world.main.revision == main_revision


def test_several_proposals_open_at_once(world: World) -> None:
    a, b = world.propose("First idea"), world.propose("Second idea", by="editor")
    assert (a.number, b.number) == (1, 2)
    edit(a.design, world.users["author"], add_table("product"))
    edit(b.design, world.users["editor"], add_table("supplier"))
    assert snapshot(a.design).table_named("supplier") is None
    assert snapshot(b.design).table_named("product") is None
    assert Proposal.objects.filter(project=world.project, status="open").count() == 2


def test_proposal_needs_a_saved_version(world: World, django_user_model: object) -> None:
    empty = web_services.project_create(name="Empty", slug="empty", owner=world.users["owner"])
    with pytest.raises(Refused, match="Save a version"):
        services.proposal_create(project=empty, actor=world.users["owner"], title="Nothing")
    assert not db.Design.objects.filter(project=empty, kind="proposal").exists()


@pytest.mark.parametrize("title", ["", "  ", "ab", "x" * 201])
def test_proposal_title_is_validated(world: World, title: str) -> None:
    with pytest.raises(Refused):
        world.propose(title)
    assert not Proposal.objects.exists()
    assert not db.Design.objects.filter(kind="proposal").exists()


def test_reviewers_must_be_able_to_review(world: World) -> None:
    with pytest.raises(Refused, match="viewer"):
        world.propose(reviewers=("viewer",))
    assert not Proposal.objects.exists()


def test_main_waivers_are_copied_into_the_proposal(world: World) -> None:
    db.Waiver.objects.create(project=world.project, design=world.main, rule="CN-01",
                             target_key="column:x", target_path="customer.x", fingerprint="f",
                             justification="A long enough reason to waive this finding.",
                             author=world.users["owner"])
    p = world.propose()
    assert db.Waiver.objects.filter(design=p.design, rule="CN-01").count() == 1


def test_threads_on_proposal_table_column_relationship(world: World) -> None:
    p = world.propose()
    schema = snapshot(p.design)
    table = schema.table_named("customer")
    assert table is not None
    column = table.column_named("full_name")
    assert column is not None
    rel = schema.relationships[0]
    reviewer = world.users["reviewer"]
    for anchor, kind, label in [
            ("proposal", "proposal", ""), (f"table:{table.uid}", "table", "customer"),
            (f"column:{column.uid}", "column", "customer.full_name"),
            (f"relationship:{rel.uid}", "relationship", rel.name)]:
        t = services.thread_create(proposal=p, actor=reviewer, anchor=anchor, body="Why?")
        assert (t.anchor_kind, t.anchor_label) == (kind, label)
    assert selectors.comment_markers(p) == {table.uid: 1, column.uid: 1, rel.uid: 1}
    assert selectors.open_thread_count(p) == 4


@pytest.mark.parametrize("anchor", ["table:00000000-0000-0000-0000-000000000000", "column:x",
                                    "nonsense", "relationship:"])
def test_thread_anchor_must_name_an_element(world: World, anchor: str) -> None:
    p = world.propose()
    with pytest.raises(Refused):
        services.thread_create(proposal=p, actor=world.users["reviewer"], anchor=anchor,
                               body="Hm")
    assert not Thread.objects.exists()


def test_table_anchor_kind_must_match(world: World) -> None:
    p = world.propose()
    table = snapshot(p.design).tables[0]
    with pytest.raises(Refused):
        services.thread_create(proposal=p, actor=world.users["reviewer"],
                               anchor=f"column:{table.uid}", body="Hm")


def test_empty_comment_refused(world: World) -> None:
    p = world.propose()
    with pytest.raises(Refused):
        services.thread_create(proposal=p, actor=world.users["reviewer"], anchor="proposal",
                               body="   ")
    assert not Thread.objects.exists()


def test_resolve_reopen_and_reply_reopens(world: World) -> None:
    p = world.propose()
    t = services.thread_create(proposal=p, actor=world.users["reviewer"], anchor="proposal",
                               body="Please add a comment on the table.")
    services.thread_resolve(thread=t, actor=world.users["author"])
    assert t.resolved and t.resolved_by == world.users["author"]
    assert selectors.open_thread_count(p) == 0
    services.comment_add(thread=t, actor=world.users["reviewer"], body="Not quite yet.")
    t.refresh_from_db()
    assert not t.resolved and t.comments.count() == 2
    services.thread_resolve(thread=t, actor=world.users["author"])
    services.thread_resolve(thread=t, actor=world.users["author"], resolved=False)
    t.refresh_from_db()
    assert not t.resolved


def test_verdicts(world: World) -> None:
    p = world.propose()
    with pytest.raises(PermissionDenied):
        services.verdict_create(proposal=p, actor=world.users["author"], decision="approve")
    with pytest.raises(Refused, match="which changes"):
        services.verdict_create(proposal=p, actor=world.users["reviewer"], decision="changes")
    with pytest.raises(Refused):
        services.verdict_create(proposal=p, actor=world.users["reviewer"], decision="maybe")
    assert not Verdict.objects.exists()
    rev = selectors.current_revision(p)
    v = services.verdict_create(proposal=p, actor=world.users["reviewer"], decision="changes",
                                message="Add a products table.", seen_revision=rev)
    assert v.design_revision == rev
    state = selectors.verdict_state(p)
    assert state.blocking == ("reviewer",) and not state.approved


def test_verdict_on_unseen_revision_is_a_conflict(world: World) -> None:
    p = world.propose()
    seen = selectors.current_revision(p)
    edit(p.design, world.users["author"], add_table("product"))
    with pytest.raises(Conflict):
        services.verdict_create(proposal=p, actor=world.users["reviewer"], decision="approve",
                                seen_revision=seen)
    assert not Verdict.objects.exists()


def test_approval_goes_stale_after_a_change(world: World) -> None:
    p = world.propose()
    edit(p.design, world.users["author"], add_table("product"))
    services.verdict_create(proposal=p, actor=world.users["reviewer"], decision="approve")
    assert selectors.verdict_state(p).approved
    edit(p.design, world.users["author"], add_table("supplier"))
    state = selectors.verdict_state(p)
    assert not state.approved and state.stale == ("reviewer",)


def test_required_approvals_policy_and_override(world: World) -> None:
    p = world.propose()
    edit(p.design, world.users["author"], add_table("product"))
    services.verdict_create(proposal=p, actor=world.users["reviewer"], decision="approve")
    services.review_policy_set(project=world.project, actor=world.users["owner"],
                               required_approvals=2)
    assert not selectors.verdict_state(p).approved
    services.proposal_set_required_approvals(proposal=p, actor=world.users["owner"],
                                             required_approvals=1)
    assert selectors.verdict_state(p).approved
    services.proposal_set_required_approvals(proposal=p, actor=world.users["owner"],
                                             required_approvals=None)
    services.verdict_create(proposal=p, actor=world.users["reviewer2"], decision="approve")
    assert selectors.verdict_state(p).approvers == ("reviewer", "reviewer2")
    with pytest.raises(Refused):
        services.review_policy_set(project=world.project, actor=world.users["owner"],
                                   required_approvals=0)


def test_close_by_author_or_owner_only(world: World) -> None:
    p = world.propose()
    with pytest.raises(PermissionDenied):
        services.proposal_close(proposal=p, actor=world.users["editor"])
    services.proposal_close(proposal=p, actor=world.users["owner"])
    p.refresh_from_db()
    assert p.status == "closed" and p.finished_at is not None
    assert db.Design.objects.get(pk=p.design_id).locked
    with pytest.raises(Refused, match="read-only"):
        services.thread_create(proposal=p, actor=world.users["reviewer"], anchor="proposal",
                               body="Too late")


def test_deleting_the_project_removes_its_reviews(world: World) -> None:
    p = world.propose()
    services.thread_create(proposal=p, actor=world.users["reviewer"], anchor="proposal",
                           body="Fine")
    services.proposal_close(proposal=p, actor=world.users["author"])
    world.project.delete()
    assert not Proposal.objects.exists() and not Thread.objects.exists()
    assert not db.Design.objects.exists()
