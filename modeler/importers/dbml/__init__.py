"""DBML import via PyDBML 1.2.1, with a pre-pass for what PyDBML cannot parse.

PyDBML is used as a parser only: its blueprints are read directly (``PyDBMLParser``), which
skips PyDBML's own model building (quadratic in the number of references: 5 s of the 10 s it
needs for an 18,000-line file). Common statements skip PyDBML's pyparsing grammar too
(``fastparse``: the same blueprints, 20 times faster); when anything goes wrong the whole
text is parsed again by PyDBML alone, so errors are reported as PyDBML reports them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import pyparsing as pp
from pydbml.parser.parser import PyDBMLParser

from modeler.importers.build import build_result
from modeler.importers.dbml import fastparse
from modeler.importers.dbml.convert import Converter, note_text
from modeler.importers.dbml.prepass import Prepassed, prepass
from modeler.importers.draft import Draft
from modeler.importers.result import ImportResult, SchemaImportError


def _parse(file: str, pre: Prepassed) -> Any:
    try:
        return fastparse.parse(pre.text)
    except Exception:  # noqa: S110 - PyDBML alone, below, reports the error
        pass
    parser = PyDBMLParser(pre.text)
    try:
        parser._set_syntax()
        parser._syntax.parse_string(pre.text, parse_all=True)
    except pp.ParseBaseException as exc:
        lineno = int(getattr(exc, "lineno", 0) or 0)
        line = pre.line_map[lineno - 1] if 0 < lineno <= len(pre.line_map) else None
        raise SchemaImportError(f"DBML syntax error: {exc.msg}", file, line,
                                str(getattr(exc, "line", "")).strip() or None) from None
    except Exception as exc:  # PyDBML raises its own errors from parse actions
        raise SchemaImportError(f"DBML error: {exc}", file) from None
    return parser


def import_dbml(files: Sequence[tuple[str, str]]) -> ImportResult:
    """Import ``(filename, text)`` DBML files as one design (refs may cross files)."""
    if isinstance(files, str):
        raise TypeError("import_dbml takes a sequence of (filename, text) pairs")
    draft = Draft()
    conv = Converter(draft)
    parsed = []
    for name, text in files:
        pre = prepass(text)
        for line, note in pre.notes:
            draft.warn(name, line, "unsupported", note)
        parsed.append((name, pre, _parse(name, pre)))
    for name, _, p in parsed:
        conv.file = name
        _each(conv, conv.enum, p.enums)
    for name, pre, p in parsed:
        conv.file = name
        _each(conv, conv.table, p.tables)
        _each(conv, conv.check, pre.checks)
    for name, _, p in parsed:
        conv.file = name
        _each(conv, conv.ref, p.refs)
        _each(conv, conv.group, p.table_groups)
        _project(conv, p)
        if p.sticky_notes:
            conv.warn("approximation", f"{len(p.sticky_notes)} sticky note(s) not modelled")
    return build_result(draft)


def _each(conv: Converter, handler: Callable[[Any], None], items: Iterable[Any]) -> None:
    """Convert each item; a shape PyDBML allows but we did not foresee becomes a warning."""
    for item in items:
        try:
            handler(item)
        except Exception as exc:
            label = getattr(item, "name", None) or getattr(item, "table1", None) or "?"
            conv.warn("error", f"{label}: could not be imported ({type(exc).__name__}: {exc})")


def _project(conv: Converter, p: Any) -> None:
    project = p.project
    if project is None:
        return
    conv.d.project_name = str(project.name)
    if project.note is not None and note_text(project.note):
        conv.warn("approximation", "the Project note is not modelled")
    db_type = str((project.items or {}).get("database_type", "")).strip("'\"")
    if db_type and db_type.lower() not in ("postgresql", "postgres"):
        conv.warn("approximation", f"database_type is {db_type}: column types may need "
                  "mapping to PostgreSQL")


__all__ = ["import_dbml"]
