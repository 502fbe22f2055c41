"""PostgreSQL DDL import (pg_dump output and hand-written psql scripts) via pglast."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from modeler.importers.build import build_result
from modeler.importers.result import ImportResult
from modeler.importers.sql.context import Context
from modeler.importers.sql.script import run_file


def import_sql(files: Sequence[tuple[str, str]], *,
               variables: Mapping[str, str] | None = None) -> ImportResult:
    """Import ``(filename, text)`` pairs, run in order as one psql script.

    ``variables`` are psql variables, as ``psql -v name=value`` would set them (``\\set`` in
    the script works too). Raises :class:`~modeler.importers.result.SchemaImportError` on a
    syntax error (with file, line and statement) or a script in another SQL dialect.
    """
    if isinstance(files, str):
        raise TypeError("import_sql takes a sequence of (filename, text) pairs")
    ctx = Context()
    values = dict(variables or {})
    for name, text in files:
        run_file(ctx, name, text, values)
    return build_result(ctx.draft)


__all__ = ["import_sql"]
