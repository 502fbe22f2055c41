"""Merging: preconditions, the merged version, locking, history; three-way merges with a
moved main design (clean and conflicting); rebase."""

from __future__ import annotations

from typing import Any

import pytest

from modeler.review import merging, selectors, services
from modeler.review.merging import MergeRefused
from modeler.review.models import Proposal, Thread, Verdict
from modeler.schema import serialize
from modeler.web import models as db
from modeler.web.snapshot import snapshot
from modeler.web.versions import latest_version, version_schema
from tests.review.conftest import World
from tests.review.helpers import add_column, add_table, edit, rename_column, set_comment, waive

pytestmark = pytest.mark.django_db
try:
    from modeler.diff.merge import merge as _merge  # noqa: F401
    HAVE_MERGE = True
except ImportError:  # pragma: no cover
    HAVE_MERGE = False
needs_merge = pytest.mark.skipif(not HAVE_MERGE,
                                 reason="modeler.diff.merge (three-way merge) not built yet")


def ready(world: World, title: str = "Add products") -> Proposal:
    """A proposal with one change and a current approval."""
    p = world.propose(title)
    edit(p.design, world.users["author"], add_table("product"))
    services.verdict_create(proposal=p, actor=world.users["reviewer"], decision="approve")
    return p


def failed(exc: pytest.ExceptionInfo[MergeRefused]) -> set[str]:
    return {c.key for c in exc.value.checks if not c.ok}


def test_merge_creates_the_next_version_and_locks_the_proposal(world: World) -> None:
    p = ready(world)
    version = merging.proposal_merge(proposal=p, actor=world.users["author"])
    assert version.number == 2 and version.message == "Merge proposal #1: Add products"
    assert version_schema(version).table_named("product") is not None
    assert snapshot(world.main).table_named("product") is not None
    p.refresh_from_db()
    assert p.status == "merged" and p.merged_version == version
    assert p.finished_by == world.users["author"]
    assert db.Design.objects.get(pk=p.design_id).locked
    assert db.Activity.objects.filter(design=world.main, action="proposal.merge").exists()
    # history stays
    assert Verdict.objects.filter(proposal=p).count() == 1
    assert Proposal.objects.filter(pk=p.pk).exists()


def test_no_approval_refused(world: World) -> None:
    p = world.propose()
    edit(p.design, world.users["author"], add_table("product"))
    with pytest.raises(MergeRefused) as exc:
        merging.proposal_merge(proposal=p, actor=world.users["author"])
    assert failed(exc) == {"approvals"}
    assert latest_version(world.project).number == 1  # type: ignore[union-attr]
    assert snapshot(world.main).table_named("product") is None


def test_approval_before_the_last_change_refused(world: World) -> None:
    p = ready(world)
    edit(p.design, world.users["author"], add_table("supplier"))
    with pytest.raises(MergeRefused) as exc:
        merging.proposal_merge(proposal=p, actor=world.users["author"])
    assert failed(exc) == {"approvals"}
    services.verdict_create(proposal=p, actor=world.users["reviewer"], decision="approve")
    assert merging.proposal_merge(proposal=p, actor=world.users["author"]).number == 2


def test_author_approval_does_not_count(world: World) -> None:
    p = world.propose(reviewers=())
    edit(p.design, world.users["author"], add_table("product"))
    Verdict.objects.create(proposal=p, reviewer=world.users["author"], decision="approve",
                           design_revision=selectors.current_revision(p))
    with pytest.raises(MergeRefused) as exc:
        merging.proposal_merge(proposal=p, actor=world.users["author"])
    assert "approvals" in failed(exc)


def test_changes_requested_on_this_revision_refused(world: World) -> None:
    p = ready(world)
    services.verdict_create(proposal=p, actor=world.users["reviewer2"], decision="changes",
                            message="Name it products.")
    with pytest.raises(MergeRefused) as exc:
        merging.proposal_merge(proposal=p, actor=world.users["author"])
    assert failed(exc) == {"approvals"}


def test_unresolved_thread_refused(world: World) -> None:
    p = ready(world)
    t = services.thread_create(proposal=p, actor=world.users["reviewer2"], anchor="proposal",
                               body="What about suppliers?")
    with pytest.raises(MergeRefused) as exc:
        merging.proposal_merge(proposal=p, actor=world.users["author"])
    assert failed(exc) == {"threads"}
    services.thread_resolve(thread=t, actor=world.users["author"])
    assert merging.proposal_merge(proposal=p, actor=world.users["author"]).number == 2
    assert Thread.objects.get(pk=t.pk).comments.count() == 1  # history kept


def test_block_finding_refused(world: World) -> None:
    p = world.propose()
    edit(p.design, world.users["author"], add_table("scratch", pk=False))  # KR-01 is BLOCK
    services.verdict_create(proposal=p, actor=world.users["reviewer"], decision="approve")
    with pytest.raises(MergeRefused) as exc:
        merging.proposal_merge(proposal=p, actor=world.users["author"])
    assert "block" in failed(exc)
    assert latest_version(world.project).number == 1  # type: ignore[union-attr]


def test_empty_proposal_refused(world: World) -> None:
    p = world.propose()
    services.verdict_create(proposal=p, actor=world.users["reviewer"], decision="approve")
    with pytest.raises(MergeRefused) as exc:
        merging.proposal_merge(proposal=p, actor=world.users["author"])
    assert failed(exc) == {"changes"}


def test_two_approvals_required(world: World) -> None:
    services.review_policy_set(project=world.project, actor=world.users["owner"],
                               required_approvals=2)
    p = ready(world)
    with pytest.raises(MergeRefused):
        merging.proposal_merge(proposal=p, actor=world.users["author"])
    services.verdict_create(proposal=p, actor=world.users["reviewer2"], decision="approve")
    assert merging.proposal_merge(proposal=p, actor=world.users["author"]).number == 2


def test_merged_proposal_cannot_merge_again(world: World) -> None:
    p = ready(world)
    merging.proposal_merge(proposal=p, actor=world.users["author"])
    with pytest.raises(MergeRefused) as exc:
        merging.proposal_merge(proposal=p, actor=world.users["author"])
    assert "open" in failed(exc)


def test_waivers_carry_over_to_main(world: World) -> None:
    p = ready(world)
    db.Waiver.objects.create(project=world.project, design=p.design, rule="CN-01",
                             target_key="column:x", target_path="product.x", fingerprint="f",
                             justification="A long enough reason to waive this finding.",
                             author=world.users["author"])
    merging.proposal_merge(proposal=p, actor=world.users["author"])
    assert db.Waiver.objects.filter(design=world.main, rule="CN-01").exists()


def test_second_proposal_sees_main_moved(world: World) -> None:
    a = ready(world, "First")
    b = world.propose("Second", by="editor")
    merging.proposal_merge(proposal=a, actor=world.users["author"])
    plan = merging.merge_plan(b)
    assert plan.moved


# -------------------------------------------------------------------- three-way merges

def _moved_main(world: World, change: Any) -> None:
    edit(world.main, world.users["owner"], change)


@needs_merge
def test_disjoint_changes_merge_cleanly_keeping_both(world: World) -> None:
    p = ready(world)
    _moved_main(world, set_comment("customer", "People who buy things from the shop"))
    plan = merging.merge_plan(p)
    assert plan.moved and not plan.conflicts
    version = merging.proposal_merge(proposal=p, actor=world.users["author"])
    merged = version_schema(version)
    assert merged.table_named("product") is not None
    customer = merged.table_named("customer")
    assert customer is not None and customer.comment == "People who buy things from the shop"
    assert serialize.dumps(snapshot(world.main)) == serialize.dumps(merged)


@needs_merge
def test_same_column_renamed_differently_is_a_conflict(world: World) -> None:
    p = world.propose()
    edit(p.design, world.users["author"], rename_column("customer", "full_name", "name"))
    services.verdict_create(proposal=p, actor=world.users["reviewer"], decision="approve")
    _moved_main(world, rename_column("customer", "full_name", "display_name"))
    main_before = serialize.dumps(snapshot(world.main))
    plan = merging.merge_plan(p)
    assert plan.conflicts and plan.schema is None
    with pytest.raises(MergeRefused) as exc:
        merging.proposal_merge(proposal=p, actor=world.users["author"])
    assert "conflicts" in failed(exc)
    # nothing lost: main and the proposal are as they were
    assert serialize.dumps(snapshot(world.main)) == main_before
    assert snapshot(p.design).table_named("customer").column_named("name")  # type: ignore[union-attr]
    assert Proposal.objects.get(pk=p.pk).status == "open"
    # a rebase takes main's other changes, keeps ours where they overlap, lists the conflict
    # and keeps the base, so the conflict is not forgotten
    _moved_main(world, add_table("supplier"))
    base_json = Proposal.objects.get(pk=p.pk).base_schema_json
    rebased = merging.proposal_rebase(proposal=p, actor=world.users["author"])
    assert rebased.conflicts and "name" in rebased.conflicts[0]
    ours = snapshot(p.design)
    assert ours.table_named("supplier") is not None
    assert ours.table_named("customer").column_named("name")  # type: ignore[union-attr]
    assert Proposal.objects.get(pk=p.pk).base_schema_json == base_json
    assert merging.merge_plan(p).conflicts
    # the author resolves it by taking main's name, then merges
    edit(p.design, world.users["author"], rename_column("customer", "name", "display_name"))
    services.verdict_create(proposal=p, actor=world.users["reviewer"], decision="approve")
    merging.proposal_merge(proposal=p, actor=world.users["author"])


@needs_merge
def test_rebase_brings_main_changes_and_moves_the_base(world: World) -> None:
    p = ready(world)
    _moved_main(world, add_table("supplier"))
    rebased = merging.proposal_rebase(proposal=p, actor=world.users["author"])
    assert not rebased.conflicts
    p.refresh_from_db()
    ours = snapshot(p.design)
    assert ours.table_named("supplier") is not None and ours.table_named("product") is not None
    assert not merging.merge_plan(p).moved
    assert selectors.verdict_state(p).stale == ("reviewer",)  # approvals must be renewed
    assert rebased.revision == selectors.current_revision(p)


def test_rebase_without_main_change_refused(world: World) -> None:
    p = ready(world)
    with pytest.raises(merging.Refused, match="nothing to rebase"):
        merging.proposal_rebase(proposal=p, actor=world.users["author"])


def test_three_way_trivial_cases(world: World) -> None:
    base = snapshot(world.main)
    changed = add_table("product")(base)
    assert merging.three_way(base, changed, base) == (changed, ())
    assert merging.three_way(base, base, changed) == (changed, ())
    assert merging.three_way(base, changed, changed) == (changed, ())


def test_unwaived_justify_finding_refused_until_waived(world: World) -> None:
    p = world.propose()
    edit(p.design, world.users["author"],
         add_column("customer", "email", comment="Where receipts are sent",  # CN-03: JUSTIFY
                    backfill="'unknown'"))  # the rows saved before have one (MG-09)
    services.verdict_create(proposal=p, actor=world.users["reviewer"], decision="approve")
    with pytest.raises(MergeRefused) as exc:
        merging.proposal_merge(proposal=p, actor=world.users["author"])
    assert failed(exc) == {"justify"}
    waive(p.design, world.users["author"], snapshot(p.design), "CN-03")
    version = merging.proposal_merge(proposal=p, actor=world.users["author"])
    assert any(w["rule"] == "CN-03" for w in version.waivers)


def _placed(x: float) -> Any:
    from dataclasses import replace

    from modeler.schema import model as m

    def change(s: m.Schema) -> m.Schema:
        return replace(s, tables=tuple(replace(t, position=m.Position(x + i * 300, 100))
                                       for i, t in enumerate(s.tables)))
    return change


def test_layouts_are_not_changes_or_conflicts(world: World) -> None:
    """The editor stores positions when a design is first drawn, in main and in proposals:
    that is neither a change to review nor a reason to conflict; main keeps its layout."""
    p = world.propose()
    edit(p.design, world.users["author"], _placed(0))
    edit(world.main, world.users["owner"], _placed(1000))
    plan = merging.merge_plan(p)
    assert not plan.moved and not plan.has_changes
    from modeler.review import analysis

    assert analysis.changes_between(plan.base, plan.ours).empty
    edit(p.design, world.users["author"], add_table("product"))
    services.verdict_create(proposal=p, actor=world.users["reviewer"], decision="approve")
    merging.proposal_merge(proposal=p, actor=world.users["author"])
    main = snapshot(world.main)
    customer = main.table_named("customer")
    assert customer is not None and customer.position is not None
    assert customer.position.x >= 1000  # main's layout kept
    assert main.table_named("product") is not None
