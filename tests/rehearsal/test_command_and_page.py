"""``manage.py rehearse`` and the rehearsal page, on a project imported from SQL."""

from __future__ import annotations

import json
import time
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tests.pgtemp import PgServer

pytestmark = [pytest.mark.django_db]

DDL = """
CREATE TYPE kind AS ENUM ('a', 'b');
CREATE TABLE account (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                      code varchar(12) NOT NULL UNIQUE);
CREATE TABLE entry (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                    account_id bigint NOT NULL REFERENCES account (id),
                    kind kind NOT NULL, amount numeric(10,2) NOT NULL CHECK (amount > 0));
CREATE INDEX entry_account_id ON entry (account_id);
"""


@pytest.fixture
def project(user: Any, tmp_path: Path) -> str:
    sql = tmp_path / "ledger.sql"
    sql.write_text(DDL, encoding="utf-8")
    call_command("import_schema", str(sql), project="ledger", owner="alice", format="sql",
                 stdout=StringIO())
    return "ledger"


def test_command_json_and_markdown(project: str, pg_server: PgServer, tmp_path: Path) -> None:
    out, md = StringIO(), tmp_path / "REHEARSAL.md"
    call_command("rehearse", project, rows_scale=0.1, format="json", server=pg_server.url,
                 markdown=str(md), stdout=out)
    doc = json.loads(out.getvalue())
    assert doc["ok"] is True and doc["version"] == 1
    loads = {t["table"]: t["loaded"] for t in doc["sample_data"]}
    assert loads == {"account": 100, "entry": 100}
    assert md.read_text(encoding="utf-8").startswith("# Rehearsal:")


def test_command_errors(project: str) -> None:
    with pytest.raises(CommandError, match="no project"):
        call_command("rehearse", "nope")
    with pytest.raises(CommandError, match="No version 7"):
        call_command("rehearse", project, number=7)
    with pytest.raises(CommandError, match="No proposal 3"):
        call_command("rehearse", project, proposal=3)


@pytest.mark.django_db(transaction=True)  # the rehearsal task stores the run
def test_page_starts_a_rehearsal_and_shows_the_report(project: str, client: Any, user: Any,
                                                      settings: Any,
                                                      pg_server: PgServer) -> None:
    from modeler.web.views import rehearsal

    settings.MODELER_REHEARSAL_URL = pg_server.url
    client.force_login(user)
    page = client.get("/p/ledger/rehearse/?version=1")
    assert page.status_code == 200 and b'id="rehearse"' in page.content
    started = client.post("/p/ledger/rehearse/", {"version": "1", "rows_scale": "0.05"})
    assert started.status_code == 302 and started["Location"].endswith("?version=1")
    job = rehearsal._JOBS[("ledger", "version-1")]
    deadline = time.time() + 120
    while job.finished is None and time.time() < deadline:
        time.sleep(0.2)
    from modeler.web.models import RehearsalRun

    assert job.run_id is not None, job.error
    stored = RehearsalRun.objects.get(pk=job.run_id)  # the task stored it
    assert stored.report["ok"] is True, stored.error  # the report says ok
    assert stored.status == "passed" and stored.ran_by == user
    assert stored.version is not None and stored.version.number == 1
    done = client.get("/p/ledger/rehearse/?version=1")
    assert b'id="rehearsal-verdict">Passed' in done.content
    assert b"REHEARSAL.md" in done.content
    assert client.get("/p/ledger/rehearse/?version=9").status_code == 404


def test_command_rehearses_an_open_proposal(project: str, user: Any, pg_server: PgServer) -> None:
    """A proposal is rehearsed as the next version of the main line: its design, as merging
    would make it, migrated on the previous version's sample data."""
    from modeler.review import services
    from modeler.web.models import Project

    proposal = services.proposal_create(project=Project.objects.get(slug=project), actor=user,
                                        title="Keep the ledger as it is")
    out = StringIO()
    call_command("rehearse", project, proposal=proposal.number, rows_scale=0.05,
                 format="json", server=pg_server.url, stdout=out)
    doc = json.loads(out.getvalue())
    assert doc["ok"] is True, doc
    assert {t["table"] for t in doc["sample_data"]} == {"account", "entry"}


@pytest.mark.parametrize("scale", ["nan", "inf", "-1", "0", "x"])
def test_the_page_refuses_an_odd_row_scale(project: str, client: Any, user: Any,
                                           scale: str) -> None:
    from modeler.web.views import rehearsal

    client.force_login(user)
    before = rehearsal._JOBS.get(("ledger", "version-1"))
    response = client.post("/p/ledger/rehearse/", {"version": "1", "rows_scale": scale})
    assert response.status_code < 500
    assert rehearsal._JOBS.get(("ledger", "version-1")) is before  # nothing started


def test_command_stores_the_report(project: str, user: Any, pg_server: PgServer) -> None:
    from modeler.web.models import RehearsalRun

    err = StringIO()
    call_command("rehearse", project, rows_scale=0.05, format="json", server=pg_server.url,
                 store=True, as_user=user.get_username(), stdout=StringIO(), stderr=err)
    run = RehearsalRun.objects.get()
    assert run.status == "passed" and run.ran_by == user and run.version is not None
    assert f"stored as rehearsal {run.pk} (passed)" in err.getvalue()
    with pytest.raises(CommandError, match="no user 'nobody'"):
        call_command("rehearse", project, store=True, as_user="nobody")
    assert RehearsalRun.objects.count() == 1
