"""Many processes at once (issue #18, part 3), from the real binaries: PostgreSQL, PgBouncer in
transaction mode in front of it, a private Redis (cache and task queue), gunicorn with 3
workers serving ``modeler.wsgi``, 2 RQ task workers. 10 clients sign in through the login form
and edit one project for 30 s, distinct edits (their own tables and columns) and conflicting
ones (the same table's and column's comments, re-read and retried on 409), while two imports
and an export run in the background; one gunicorn worker and the task worker running an
import are killed with SIGKILL on the way. Afterwards every acknowledged edit is in the design
exactly once and in the activity log, no answer was a 5xx, and both imports ended done or
failed with nothing created (see :mod:`tests.multiprocess.scenario`). ``pytest -s`` shows
the p50/p95 of each request kind; ``bench/multiprocess.py`` runs the same standalone.
"""

from __future__ import annotations

import json
import os

import pytest

from tests.multiprocess import harness, load, scenario
from tests.pgtemp import PgServer

# django_db: pytest-django creates the suite's test database only for tests that ask for
# it; this one copies its tables (the test itself does not use Django's connection)
pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

CLIENTS = 10
SECONDS = float(os.environ.get("MULTIPROCESS_SECONDS", "30"))


@pytest.fixture(scope="module")
def schema_sql(django_db_setup: None, pg_server: PgServer) -> str:
    """The suite's migrated test database as SQL (loading it takes a second; migrating a
    new database takes ten or more on this machine)."""
    if os.environ.get("TEST_DB") == "sqlite":
        pytest.skip("needs PostgreSQL")
    from django.db import connections

    # the test database pytest-django made (with xdist's suffix, if any)
    return harness.dump_schema(pg_server, connections["default"].settings_dict["NAME"])


def test_many_processes_edit_import_and_export_at_once(pg_server: PgServer,
                                                         schema_sql: str) -> None:
    why = harness.missing()
    if why:
        pytest.skip(why)
    with harness.stack(pg_server, clients=CLIENTS, password=scenario.PASSWORD,
                       schema_sql=schema_sql) as st:
        report = scenario.run(st, seconds=SECONDS, clients=CLIENTS)
        print(f"\nmulti-process: {CLIENTS} clients for {SECONDS:.0f} s; start-up "
              f"{st.startup}; sign-in {report.results['login_wall']:.1f} s; load and "
              f"imports {report.results['wall']:.1f} s")
        print(load.format_figures(report.figures))
        print(json.dumps({"killed": report.results["killed"], **report.counts}))
        logs = "\n".join(f"--- {name}\n{st.log(name)[-3000:]}"
                         for name in ("gunicorn.log", "app.log", "task-worker-0.log",
                                      "task-worker-1.log", "task-worker-2.log"))
        assert not report.problems, "\n".join(report.problems) + "\n" + logs

    # the run did what it says: edits of both kinds landed, clients met each other's
    # versions, both kills hit
    counts, killed = report.counts, report.results["killed"]
    assert counts["tables_acknowledged"] >= CLIENTS and counts["columns_acknowledged"] > 0
    assert counts["table.update"]["acknowledged"] > 0
    assert counts["column.update"]["acknowledged"] > 0
    assert counts["table.update"]["conflicts"] > 0, "no two clients met on a version"
    assert killed["web"].startswith("gunicorn worker pid"), killed
    assert killed["task"].startswith("task worker pid"), killed
