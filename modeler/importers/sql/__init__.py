"""PostgreSQL DDL import (pg_dump output and hand-written psql scripts) via pglast."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from modeler.importers.bounds import unchecked_nodes
from modeler.importers.build import build_result
from modeler.importers.progress import Progress, file_stage
from modeler.importers.result import ImportResult
from modeler.importers.sql.context import Context
from modeler.importers.sql.script import run_file
from modeler.importers.sql.storage import order_unlogged


@unchecked_nodes()
def import_sql(files: Sequence[tuple[str, str]], *,
               variables: Mapping[str, str] | None = None,
               progress: Progress | None = None) -> ImportResult:
    """Import ``(filename, text)`` pairs, run in order as one psql script (but files after
    an ``ALTER DATABASE ... SET search_path`` start with that path, as in a psql session each:
    see :meth:`~modeler.importers.sql.context.Context.new_session`).

    ``variables`` are psql variables, as ``psql -v name=value`` would set them (``\\set`` in
    the script works too). Raises :class:`~modeler.importers.result.SchemaImportError` on a
    syntax error (with file, line and statement) or a script in another SQL dialect.
    ``progress`` (see :mod:`modeler.importers.progress`) hears of every statement; the
    measure is the characters read, over all files.
    """
    if isinstance(files, str):
        raise TypeError("import_sql takes a sequence of (filename, text) pairs")
    ctx = Context()
    values = dict(variables or {})
    total = sum(len(text) for _, text in files)
    before = 0
    for index, (name, text) in enumerate(files, 1):
        if index > 1:
            ctx.new_session(name)
        at = None
        if progress is not None:
            at = _reporter(progress, file_stage(index, len(files), name), before, len(text),
                           total)
            at(0, 1)
        run_file(ctx, name, text, values, progress=at)
        before += len(text)
    order_unlogged(ctx.draft)
    if progress is not None:
        progress("building the design", total, total)
    return build_result(ctx.draft)


def _reporter(progress: Progress, stage: str, before: int, size: int, total: int
              ) -> Callable[[int, int], None]:
    """``run_file``'s position in the (pre-passed) text → characters of all files."""
    def at(position: int, length: int) -> None:
        progress(stage, before + size * min(position, length) // max(length, 1), total)
    return at


__all__ = ["import_sql"]
