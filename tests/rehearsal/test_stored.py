"""Stored rehearsals on real PostgreSQL (issue #19): the report of a proposal on its review
page, REHEARSAL.md in a version's bundle, and the facts the rules use (an unserved query
pattern is IX-02 at BLOCK with the index as fix; a long exclusive lock is MG-10)."""

from __future__ import annotations

import io
import zipfile
from dataclasses import replace
from typing import Any

import pytest

from modeler.importers import ImportResult
from modeler.rehearsal import Options, rehearse, report_text
from modeler.rules import Config, Level, fix_for, lint
from modeler.schema import model as m
from modeler.web import models as db
from modeler.web.rehearsals import facts_from_record, facts_record, rehearse_and_store
from tests.pgtemp import PgServer
from tests.rehearsal.broken import BROKEN, ledger
from tests.review.conftest import world  # noqa: F401  (the review tests' project)

PATTERN = "entry.by_account_recent"
SUGGESTED = 'CREATE INDEX ON "public"."entry" ("account_id", "booked_at")'


@pytest.fixture
def project(user: Any) -> db.Project:
    from modeler.web.importing import import_project

    version = import_project(result=ImportResult(schema=ledger()), slug="ledger", name="Ledger",
                             owner=user, source="test")
    return version.project


def _without_pattern_index(schema: m.Schema) -> m.Schema:
    entry = schema.table_named("entry")
    assert entry is not None
    kept = tuple(ix for ix in entry.indexes if len(ix.parts) != 2)
    assert len(kept) == len(entry.indexes) - 1
    t = replace(entry, indexes=kept)
    return replace(schema, tables=tuple(t if x.uid == t.uid else x for x in schema.tables))


def _ix02(findings: Any) -> list[Any]:
    return [f for f in findings if f.rule == "IX-02" and f.target.path == PATTERN]


@pytest.mark.django_db
def test_unserved_pattern_blocks_and_shows_on_the_review_page(project: db.Project, user: Any,
                                                              client: Any,
                                                              pg_server: PgServer) -> None:
    from modeler.review import selectors, services
    from modeler.web.editing import apply_edit
    from modeler.web.versions import version_findings

    proposal = services.proposal_create(project=project, actor=user, title="Drop an index")
    apply_edit(design=proposal.design, actor=user, action="test", summary="drop the index",
               target_uid=None, change=_without_pattern_index, gated=False)
    after = selectors.proposal_schema(proposal)
    (static,) = _ix02(version_findings(after, project, proposal.design, message=None))
    assert static.level is Level.JUSTIFY  # a cold pattern: a reason would do, statically

    client.force_login(user)
    page = client.get(f"/p/ledger/proposals/{proposal.number}/").content.decode()
    assert 'id="rehearsal-none"' in page and 'id="rehearse-review"' in page

    run = rehearse_and_store(project=project, proposal=proposal, rows_scale=0.05, user=user,
                             server_url=pg_server.url)
    assert run.status == "failed", run.markdown
    assert run.ran_by == user and run.finished_at is not None and run.proposal == proposal
    failing = {c["key"] for c in run.report["checks"] if c["status"] == "fail"}
    assert failing == {"query-plans"}, run.markdown
    (fact,) = run.facts["unserved"]
    assert (fact["table"], fact["pattern"], fact["suggestion"]) == (
        "entry", "by_account_recent", SUGGESTED)

    # the rules: proven unserved is BLOCK, with the index the rehearsal proved as its fix
    (proven,) = _ix02(version_findings(after, project, proposal.design, message=None))
    assert proven.level is Level.BLOCK and proven.gating
    assert "when rehearsed" in proven.message and SUGGESTED in proven.hint
    fix = fix_for(after, proven)
    assert fix is not None and "(account_id, booked_at)" in fix.describe(after)[0]

    # the review page: the stored report beside the findings, checks red/green, plans open
    page = client.get(f"/p/ledger/proposals/{proposal.number}/").content.decode()
    assert 'id="rehearsal-verdict">Failed' in page
    assert 'data-check="query-plans" data-status="fail"' in page
    assert 'data-check="round-trip" data-status="pass"' in page
    assert 'data-pattern="entry.by_account_recent"' in page and "<details>" in page
    assert "no index serves it" in page and "CREATE INDEX ON &quot;public&quot;" in page
    assert "no index served it when rehearsed" in page  # the BLOCK finding in the list
    assert f"run by {user.get_username()}" in page and 'id="rehearse-review"' in page
    assert "view_model(run)" not in page and "(-" not in page  # no template text, no -0.1 s

    # the fact lapses once the table changes (the index is back): static IX-02 again
    apply_edit(design=proposal.design, actor=user, action="test", summary="index back",
               target_uid=None, change=lambda s: replace(s, tables=tuple(
                   (ledger().table_named("entry") or t) if t.name == "entry" else t
                   for t in s.tables)), gated=False)
    again = selectors.proposal_schema(proposal)
    assert _ix02(version_findings(again, project, proposal.design, message=None)) == []


def _zip_names(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


@pytest.mark.django_db
def test_rehearsal_md_in_the_bundle_and_the_version_page(project: db.Project, user: Any,
                                                         client: Any,
                                                         pg_server: PgServer) -> None:
    from modeler.web import exporting

    _name, before = exporting.bundle(project, 1)
    assert not any(n.endswith("REHEARSAL.md") for n in _zip_names(before))

    run = rehearse_and_store(project=project, version=1, rows_scale=0.05, user=user,
                             server_url=pg_server.url)
    assert run.status == "passed", run.markdown
    assert run.version is not None and run.version.number == 1
    assert run.facts == {"unserved": [], "locks": []}

    _name, first = exporting.bundle(project, 1)
    _name, second = exporting.bundle(project, 1)
    assert first == second  # deterministic: the stored report, rendered the same way
    files = _zip_names(first)
    (path,) = [n for n in files if n.endswith("REHEARSAL.md")]
    text = files[path].decode()
    assert text.startswith("# Rehearsal: ledger, version 1") or text.startswith(
        "# Rehearsal: Ledger, version 1"), text[:80]
    assert "| query-plans | ✅ pass |" in text
    assert f"Rehearsed by {user.get_username()} on " in text
    assert f"stored rehearsal {run.pk}" in text
    drizzle = _zip_names(exporting.bundle(project, 1, target="drizzle")[1])
    assert any(n.endswith("REHEARSAL.md") for n in drizzle)

    client.force_login(user)
    web = client.get("/p/ledger/versions/1/export/")
    assert web.status_code == 200
    assert any(n.endswith("REHEARSAL.md") for n in _zip_names(web.content))
    history = client.get("/p/ledger/versions/").content.decode()
    assert 'data-rehearsal="1">rehearsal passed</span>' in history
    page = client.get("/p/ledger/rehearse/?version=1").content.decode()
    assert 'id="rehearsal-verdict">Passed' in page
    assert 'data-check="query-plans" data-status="pass"' in page
    assert 'data-pattern="entry.by_account_recent"' in page and "served by" in page


@pytest.mark.django_db
def test_bad_input_stores_nothing_and_an_unreachable_server_is_an_error(
        project: db.Project, user: Any) -> None:
    with pytest.raises(LookupError, match="No version 9"):
        rehearse_and_store(project=project, version=9, user=user)
    with pytest.raises(LookupError, match="No proposal 4"):
        rehearse_and_store(project=project, proposal=4, user=user)
    for scale in (float("nan"), 0, -1, "x"):
        with pytest.raises(ValueError, match="row scale"):
            rehearse_and_store(project=project, rows_scale=scale, user=user)  # type: ignore
    with pytest.raises(ValueError, match="not both"):
        rehearse_and_store(project=project, version=1, proposal=1, user=user)
    assert not db.RehearsalRun.objects.exists()
    run = rehearse_and_store(project=project, user=user, rows_scale=0.01,
                             server_url="postgresql://nobody@127.0.0.1:1/postgres")
    assert run.status == "error" and run.error and run.finished_at is not None
    from modeler.web.rehearsals import bundle_markdown

    assert bundle_markdown(run.version) is None  # an error is no report for the bundle


def test_a_long_exclusive_lock_is_an_mg10_finding(pg_server: PgServer) -> None:
    """The rewrite of a table expected to hold 5 million rows: the rehearsal's fact makes
    MG-10 (JUSTIFY) on that table; without the fact, nothing."""
    build, _check = BROKEN["rewrite"]
    versions = build()
    report = rehearse(versions, Options(server_url=pg_server.url, slug="rewrite", scale=0.01,
                                        expected_rows={"entry": 5_000_000}))
    assert not report.ok, report_text(report)
    schema = versions[-1].schema
    record = facts_record(report, schema)
    (lock,) = record["locks"]
    assert lock["table"] == "entry" and lock["what"] == "rewrites" and lock["seconds"] >= 1
    found = [f for f in lint(schema, Config(rehearsal=facts_from_record(record)))
             if f.rule == "MG-10"]
    assert [(f.target.path, f.level) for f in found] == [("entry", Level.JUSTIFY)]
    assert "rewrites entry under ACCESS EXCLUSIVE" in found[0].message
    assert not [f for f in lint(schema, Config()) if f.rule == "MG-10"]
    # facts about the main design never carry locks (that migration is history)
    assert facts_from_record(record, locks=False).locks == ()


@pytest.mark.django_db
def test_viewers_see_the_section_but_cannot_rehearse(project: db.Project, user: Any,
                                                     client: Any,
                                                     django_user_model: Any) -> None:
    from modeler.review import services

    proposal = services.proposal_create(project=project, actor=user, title="Look only")
    viewer = django_user_model.objects.create_user("vera", password="x-long-password")
    db.Membership.objects.create(project=project, user=viewer, role="viewer")
    outsider = django_user_model.objects.create_user("otto", password="x-long-password")
    client.force_login(viewer)
    page = client.get(f"/p/ledger/proposals/{proposal.number}/").content.decode()
    assert 'id="rehearsal-none"' in page and 'id="rehearse-review"' not in page
    refused = client.post("/p/ledger/rehearse/", {"proposal": str(proposal.number),
                                                  "rows_scale": "0.1"})
    # a role that may not is a 403, as every other write of a viewer (it was a 422, as if
    # the input were wrong), with the page and its reason
    assert refused.status_code == 403 and b"Your role cannot start a rehearsal" in \
        refused.content
    client.force_login(outsider)
    assert client.get(f"/p/ledger/rehearse/?proposal={proposal.number}").status_code == 404
    assert client.post("/p/ledger/rehearse/", {"version": "1"}).status_code == 404
    assert not db.RehearsalRun.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("changed_after", [False, True], ids=["as-rehearsed", "changed"])
def test_a_merged_proposal_brings_its_rehearsal_to_the_version_bundle(
        world: Any, pg_server: PgServer, changed_after: bool) -> None:  # noqa: F811
    """Rehearse a proposal, merge it: the new version's bundle holds the proposal's report,
    unless the proposal changed after its rehearsal (then it would be about another design)."""
    from modeler.review import merging, services
    from modeler.web import exporting
    from modeler.web.rehearsals import bundle_markdown
    from tests.review.helpers import add_table, edit

    author = world.users["author"]
    p = world.propose()
    edit(p.design, author, add_table("product"))
    run = rehearse_and_store(project=world.project, proposal=p, rows_scale=0.05, user=author,
                             server_url=pg_server.url)
    assert run.status == "passed", run.markdown
    if changed_after:
        edit(p.design, author, add_table("category"))
    services.verdict_create(proposal=p, actor=world.users["reviewer"], decision="approve")
    version = merging.proposal_merge(proposal=p, actor=author)
    text = bundle_markdown(version)
    if changed_after:
        assert text is None
        return
    assert text is not None and text.startswith(f"# Rehearsal: shop, version {version.number}")
    assert f"Rehearsed as proposal #{p.number} before it was merged by author on " in text
    files = _zip_names(exporting.bundle(world.project, version.number)[1])
    assert [n for n in files if n.endswith("REHEARSAL.md")]
