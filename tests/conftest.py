"""Session-wide fixtures: a real PostgreSQL server for every test that asks for one."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.pgtemp import PgServer, external_postgres, temp_postgres

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

from hypothesis import settings as hyp_settings  # noqa: E402

hyp_settings.register_profile("ci", max_examples=60, deadline=None)
hyp_settings.register_profile("dev", max_examples=30, deadline=None)
hyp_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI")
                                         else "dev"))


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
