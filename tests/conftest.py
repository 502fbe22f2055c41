"""Session-wide fixtures: a real PostgreSQL server for every test that asks for one."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from tests.pgtemp import PgServer, external_postgres, temp_postgres

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

from hypothesis import settings as hyp_settings

hyp_settings.register_profile("ci", max_examples=60, deadline=None)
hyp_settings.register_profile("dev", max_examples=30, deadline=None)
hyp_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI")
                                         else "dev"))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``-n N`` (``--dist load``): load scheduling that keeps each of a few modules with
    expensive module fixtures on one worker (tests/xdist_schedule.py); other ``--dist``
    modes are xdist's own."""
    if config.getoption("dist") != "load":
        return None
    from tests.xdist_schedule import GroupedLoadScheduling

    return GroupedLoadScheduling(config, log)


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    """A PostgreSQL server: ``TEST_DATABASE_URL`` when set, else a throw-away cluster."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        with external_postgres(url) as server:
            yield server
    else:
        with temp_postgres() as server:
            yield server


@pytest.fixture
def pg_url(pg_server: PgServer) -> Iterator[str]:
    """A fresh empty database on the test server, dropped afterwards."""
    url = pg_server.create_database()
    try:
        yield url
    finally:
        pg_server.drop_database(url)


@pytest.fixture(autouse=True, scope="session")
def _tasks_in_process() -> Iterator[None]:
    """Background tasks run in the test's process (tests/taskbackend.py): inline, or on
    threads where a test asks; the worker tests start real worker processes themselves."""
    from django.test import override_settings

    with override_settings(TASKS={"default": {"BACKEND": "tests.taskbackend.TestTaskBackend",
                                              "QUEUES": ["default"]}}):
        yield


@pytest.fixture(autouse=True, scope="session")
def _data_dir(tmp_path_factory: pytest.TempPathFactory) -> None:
    """What the app keeps in DATA_DIR at run time (the commands' diagram render store) goes
    to a folder of the test session, not the checkout's data/ (the database settings were
    read at import and do not change)."""
    from django.conf import settings

    settings.DATA_DIR = tmp_path_factory.mktemp("data")


@pytest.fixture(autouse=True, scope="session")
def _warm_graphviz() -> None:
    """Pinned drawings come from the warm Graphviz, as in the web workers
    (modeler/runtime.py; ``GRAPHVIZ_WARM=0`` runs the programs instead)."""
    from modeler.diagram import warm

    warm.enable()


@pytest.fixture(autouse=True, scope="session")
def _verify_snapshot_cache() -> None:
    """Every snapshot-cache hit is checked against a fresh read of the rows: a write path
    that forgets to bump the design's revision fails the test that takes it."""
    from django.conf import settings

    settings.SNAPSHOT_CACHE_VERIFY = True


@pytest.fixture(scope="session")
def django_db_modify_db_settings(pg_server: PgServer) -> None:
    """Django tests run on the real PostgreSQL server (TEST_DB=sqlite keeps the quick SQLite
    default for a fast local loop)."""
    if os.environ.get("TEST_DB") == "sqlite":
        return
    from django.conf import settings
    from django.db import connections

    from modeler.settings import database_from_url

    entry = settings.DATABASES["default"]
    for key in ("OPTIONS", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS"):
        entry.pop(key, None)
    entry.update(database_from_url(pg_server.url))
    entry["CONN_MAX_AGE"] = 0
    # A SQLite connection object may exist already (made while collecting): drop it so the
    # next use builds a PostgreSQL one from the updated settings.
    try:
        connections["default"].close()
        del connections["default"]
    except AttributeError:
        pass


@pytest.fixture
def user(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user(username="alice", password="pw-alice-123!")


@pytest.fixture
def other_user(django_user_model: Any) -> Any:
    return django_user_model.objects.create_user(username="bob", password="pw-bob-123!")
