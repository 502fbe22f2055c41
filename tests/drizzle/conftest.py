"""Fixtures of the Drizzle export tests: the pinned Node toolchain (``npm ci``, cached)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.drizzle.toolchain import ensure_toolchain, missing_node


@pytest.fixture(scope="session")
def node_modules() -> Path:
    """The pinned toolchain's ``node_modules`` (skips when Node is not installed)."""
    why = missing_node()
    if why is not None:
        pytest.skip(why)
    return ensure_toolchain()
