"""The rehearse page queues a task (issue #18): with the database backend the page says it
waits for a task worker (and does not queue the same target twice), then ``db_worker``
runs it, the page shows its stored report."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from tests.pgtemp import PgServer
from tests.rehearsal.test_command_and_page import project  # noqa: F401  (the fixture)


@pytest.mark.django_db(transaction=True)
def test_the_page_queues_a_rehearsal_task_that_a_worker_runs(
        project: str, client: Any, user: Any, settings: Any,  # noqa: F811
        pg_server: PgServer) -> None:
    from modeler.web.models import RehearsalRun

    settings.MODELER_REHEARSAL_URL = pg_server.url
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default"]}}
    client.force_login(user)
    started = client.post("/p/ledger/rehearse/", {"version": "1", "rows_scale": "0.05"})
    assert started.status_code == 302
    page = client.get("/p/ledger/rehearse/?version=1").content.decode()
    assert 'id="rehearsal-running"' in page and "waiting for a task worker" in page
    assert 'http-equiv="refresh"' in page and 'id="rehearse"' not in page
    # a second click while it waits queues nothing more
    client.post("/p/ledger/rehearse/", {"version": "1", "rows_scale": "0.05"})
    task = DBTaskResult.objects.get()
    assert task.task_path == "modeler.web.tasks.rehearse" and task.status == "READY"
    assert not RehearsalRun.objects.exists()
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL", task.traceback
    run = RehearsalRun.objects.get()
    assert run.status == "passed" and run.ran_by == user and run.version.number == 1
    assert task.return_value == run.pk
    done = client.get("/p/ledger/rehearse/?version=1").content.decode()
    assert 'id="rehearsal-verdict">Passed' in done and "waiting for a task worker" not in done
    assert 'id="rehearse"' in done  # may start another
