"""Findings only the version gate computes (MG-05 a lossy step, MG-09 rows without a
backfill: they compare with the previous version) can be justified and fixed from where they
are shown. Walking the product as a stranger: a proposal dropping a column showed MG-05
("Waive with the backup or pre-check plan") on its review page with no way to waive it (the
waive page answered 404, "That finding is not present any more", since it looked only among
the editor's findings), so the proposal could never be merged; the version page refused a
version for MG-09 saying "fix the BLOCK findings in the editor", whose panel showed none."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import quote

import pytest

from modeler.review import services
from modeler.schema import model as m
from modeler.web.models import Version
from modeler.web.snapshot import snapshot
from tests.review.conftest import World
from tests.review.helpers import add_column, edit

pytestmark = pytest.mark.django_db


def drop_column(table: str, column: str):  # type: ignore[no-untyped-def]
    def change(s: m.Schema) -> m.Schema:
        return m.normalized(replace(s, tables=tuple(
            replace(t, columns=tuple(c for c in t.columns if c.name != column))
            if t.name == table else t for t in s.tables)))
    return change


def test_a_proposals_lossy_step_can_be_justified_from_its_review_page(world: World) -> None:
    proposal = world.propose()
    edit(proposal.design, world.users["author"], drop_column("customer", "full_name"))
    uid = next(c.uid for c in snapshot(world.main).table_named("customer").columns  # type: ignore[union-attr]
               if c.name == "full_name")
    waive = (f"/p/shop/d/{proposal.design.pk}/waive/?rule=MG-05&amp;key="
             f"{quote(f'column:{uid}', safe='')}")
    author = world.client("author")
    page = author.get(f"/p/shop/proposals/{proposal.number}/").content.decode()
    assert "MG-05" in page and waive in page  # a Justify… link on the finding's row
    url = waive.replace("&amp;", "&")
    assert author.get(url).status_code == 200
    response = author.post(url, {"justification": "Nobody reads full_name: checked the logs."})
    assert response.status_code == 302
    page = author.get(f"/p/shop/proposals/{proposal.number}/").content.decode()
    assert "0 JUSTIFY without waiver" in page


def test_the_version_gate_says_where_a_version_only_finding_is_fixed(world: World) -> None:
    edit(world.main, world.users["owner"], add_column(
        "customer", "nickname", comment="What friends call them", nullable=False))
    owner = world.client("owner")
    response = owner.post("/p/shop/versions/save/", {"message": "Add a nickname to customers"})
    assert response.status_code == 422
    page = response.content.decode()
    assert "MG-09" in page
    # the hint, and the table to open, not only "fix it in the editor" (where it is not listed)
    assert "Backfill for existing rows" in page
    table_uid = snapshot(world.main).table_named("customer").uid  # type: ignore[union-attr]
    assert f"/p/shop/edit/?table={table_uid}" in page


def test_a_destructive_version_needs_its_notes_apart_from_the_message(world: World) -> None:
    """DC-03 asks a destructive version for rollout/rollback notes. The version form had one
    field, the message, which a419a04 counted as the notes too (so any 10-character message
    passed for them); the form and the merge now have a notes field of their own, kept with
    the version and shown on the versions page. A refusal keeps what was typed in both."""
    edit(world.main, world.users["owner"], drop_column("customer", "full_name"))
    owner = world.client("owner")
    page = owner.post("/p/shop/versions/save/", {"message": "Drop full_name"}).content.decode()
    waive = page.split('href="/p/shop/waive/?rule=MG-05&amp;key=')[1].split('"')[0]
    assert owner.post(f"/p/shop/waive/?rule=MG-05&key={waive}", {
        "justification": "Nobody reads full_name: checked the logs."}).status_code == 302
    # a long message is no notes any more: refused, saying which field, nothing saved
    message = "Drop full_name. Backup: pg_dump of customer; rollback: downgrade -1."
    refused = owner.post("/p/shop/versions/save/", {"message": message, "notes": "soon"})
    assert refused.status_code == 422
    page = refused.content.decode()
    assert "DC-03 version.notes" in page and 'name="notes"' in page
    assert ">soon</textarea>" in page and f">{message}</textarea>" in page.replace("&#x27;", "'")
    assert Version.objects.filter(project=world.project).count() == 1
    notes = "Backup: pg_dump -t customer <before>; rollback: alembic downgrade -1"
    response = owner.post("/p/shop/versions/save/", {"message": "Drop full_name", "notes": notes})
    assert response.status_code == 302, response.content.decode()[-3000:]
    version = Version.objects.get(project=world.project, number=2)
    assert version.message == "Drop full_name" and version.notes == notes
    page = owner.get("/p/shop/versions/").content.decode()
    assert "pg_dump -t customer &lt;before&gt;; rollback" in page and "<before>" not in page


def test_a_destructive_merge_takes_its_notes_from_the_merge_form(world: World) -> None:
    proposal = world.propose()
    edit(proposal.design, world.users["author"], drop_column("customer", "full_name"))
    author = world.client("author")
    page = author.get(f"/p/shop/proposals/{proposal.number}/").content.decode()
    assert 'name="notes"' in page  # the merge form has the field
    waive = page.split("waive/?rule=MG-05&amp;key=")[1].split('"')[0]
    assert author.post(f"/p/shop/d/{proposal.design.pk}/waive/?rule=MG-05&key={waive}", {
        "justification": "Nobody reads full_name: checked the logs."}).status_code == 302
    services.verdict_create(proposal=proposal, actor=world.users["reviewer"],
                            decision="approve")
    url = f"/p/shop/proposals/{proposal.number}/merge/"
    refused = author.post(url, {"message": "Drop the customer's full name"})
    assert refused.status_code == 422 and "DC-03 version.notes" in refused.content.decode()
    assert Version.objects.filter(project=world.project).count() == 1
    done = author.post(url, {"message": "Drop the customer's full name",
                             "notes": "Backup first; rollback: alembic downgrade -1"})
    assert done.status_code == 302, done.content.decode()[-3000:]
    version = Version.objects.get(project=world.project, number=2)
    assert version.notes == "Backup first; rollback: alembic downgrade -1"



def test_save_version_takes_the_notes_on_the_command_line(world: World) -> None:
    from io import StringIO

    from django.core.management import call_command

    edit(world.main, world.users["owner"], drop_column("customer", "full_name"))
    owner = world.client("owner")
    page = owner.post("/p/shop/versions/save/", {"message": "Drop full_name"}).content.decode()
    waive = page.split('href="/p/shop/waive/?rule=MG-05&amp;key=')[1].split('"')[0]
    owner.post(f"/p/shop/waive/?rule=MG-05&key={waive}", {
        "justification": "Nobody reads full_name: checked the logs."})
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("save_version", "shop", "-m", "Drop full_name, a long message",
                     stdout=StringIO(), stderr=err)
    assert "DC-03 version.notes" in err.getvalue()
    out = StringIO()
    call_command("save_version", "shop", "-m", "Drop full_name",
                 "--notes", "Backup first; rollback: alembic downgrade -1", stdout=out)
    assert out.getvalue().strip() == "2"
    assert Version.objects.get(project=world.project, number=2).notes.startswith("Backup")
