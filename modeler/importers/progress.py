"""Progress reports from long imports.

Every importer takes an optional ``progress`` callback and calls it as it goes::

    progress("parsing file 3 of 14: CreateTables.sql", done=412_000, total=1_402_117)
    progress("reading the catalog", 4, 14, "queries")
    progress("building the design", 0, 0)

``stage`` says what is happening, in words for people. ``done`` out of ``total`` is how far
the whole import has got (``total`` 0: no measure, the stage just started); ``unit`` names
what is counted (``"tables"``) when the numbers mean something to people, and is empty when
they are only a measure of work (characters read, for example): show a percentage then.

Callbacks must be cheap (they are called once per statement) and may raise to stop the
import (a cancelled job): importers call them outside their own error handling, so the
exception reaches the caller and nothing is returned.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def __call__(self, stage: str, done: int, total: int, unit: str = "") -> None: ...


def file_stage(index: int, count: int, name: str) -> str:
    """``parsing file 3 of 14: a.sql`` (or ``parsing a.sql`` for a single file)."""
    return f"parsing file {index} of {count}: {name}" if count > 1 else f"parsing {name}"


__all__ = ["Progress", "file_stage"]
