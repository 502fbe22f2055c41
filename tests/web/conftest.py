"""Fixtures for the Django tests of tests/web."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(autouse=True)
def imports_inline(settings: Any) -> None:
    """Import jobs run inside the request: a worker thread has its own database connection
    and cannot see the rows of a test's open transaction. The tests that run real threads
    (``django_db(transaction=True)``) turn it off."""
    settings.MODELER_IMPORT_INLINE = True
