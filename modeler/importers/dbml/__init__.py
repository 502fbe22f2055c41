"""DBML import: the current DBML grammar (that of the reference implementation,
holistics/dbml's ``dbml-parse``), read by our own parser.

Four steps, each a module: :mod:`lexer` (tokens, in one linear pass; text that is not DBML
at all is refused there), :mod:`syntax` (the generic tree of elements, fields and
expressions), :mod:`interpret` (what each element means: tables with their ``TablePartial``
injections merged, references, enums, groups...), then :mod:`convert` / :mod:`refs` /
:mod:`types` (the draft of the design, with what PostgreSQL would refuse repaired or left
out). Any input either imports (with a warning at the line of everything the design does not
hold as written) or is refused with a :class:`SchemaImportError` naming the file, the line
and the reason. Every step is linear in the input and nesting is bounded, so no input hangs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import Any

from modeler.importers import bounds
from modeler.importers.build import build_result
from modeler.importers.dbml.convert import Converter
from modeler.importers.dbml.interpret import DocumentReader
from modeler.importers.dbml.kept import apply_kept, kept_text
from modeler.importers.dbml.lexer import DbmlSyntaxError, NotText
from modeler.importers.dbml.model import Document
from modeler.importers.dbml.names import cut_long_names, pg_name
from modeler.importers.dbml.refs import RefConverter
from modeler.importers.dbml.syntax import parse
from modeler.importers.draft import Draft
from modeler.importers.progress import Progress, file_stage
from modeler.importers.result import ImportResult, ImportWarning, SchemaImportError
from modeler.schema import model as m


def _refused(name: str, text: str, exc: DbmlSyntaxError) -> SchemaImportError:
    line = exc.line
    message = exc.message if len(exc.message) <= 300 else exc.message[:297] + "..."
    if isinstance(exc, NotText):
        return SchemaImportError(f"not a DBML file: {message}", name, line)
    shown = None
    if line is not None and line > 0:
        start = 0
        for _ in range(line - 1):  # the line's text, without splitting a huge input
            start = text.find("\n", start) + 1
            if start == 0:
                break
        end = text.find("\n", start)
        shown = text[start:end if end >= 0 else len(text)].strip()[:200] if start or \
            line == 1 else None
    if (shown and _SQL_STATEMENT.match(shown)) or _SQL_TABLE.search(text[:400_000]):
        message += ("; this looks like SQL, not DBML: choose the PostgreSQL DDL format to "
                    "import it")
    return SchemaImportError(f"DBML syntax error: {message}", name, line, shown or None)


# a line where DBML stopped that begins as an SQL statement or comment does, or a CREATE
# TABLE at the start of a line anywhere: the file is SQL
_SQL_STATEMENT = re.compile(
    r"--|(?:CREATE|ALTER|DROP|INSERT|SET|BEGIN|COMMIT|GRANT|REVOKE|COMMENT\s+ON|SELECT|COPY)"
    r"\s+\S", re.IGNORECASE)
_SQL_TABLE = re.compile(r"^[ \t]*CREATE[ \t]+(?:UNLOGGED[ \t]+)?TABLE[ \t]", re.I | re.M)


@bounds.unchecked_nodes()
def import_dbml(files: Sequence[tuple[str, str]], *,
                progress: Progress | None = None) -> ImportResult:
    """Import ``(filename, text)`` DBML files as one design (references, partials and groups
    may cross files).

    ``progress`` (see :mod:`modeler.importers.progress`) hears of each file parsed and of
    each element converted: parsing, converting and building the snapshot take about a
    third of the time each for large files (the measure: characters parsed, then elements
    converted, scaled to the same size)."""
    if isinstance(files, str):
        raise TypeError("import_dbml takes a sequence of (filename, text) pairs")
    files = list(files)
    report = _Report(progress, sum(len(text) for _, text in files))
    reader = DocumentReader()
    sources: dict[str, list[str]] = {}
    for index, (name, text) in enumerate(files, 1):
        report.parsing(file_stage(index, len(files), name))
        text = bounds.checked_text(name, text)
        try:
            reader.read(name, parse(text))
        except DbmlSyntaxError as exc:
            raise _refused(name, text, exc) from None
        sources[name] = text.split("\n")
        report.chars_done += len(text)
    doc = reader.finish()
    cut_long_names(doc)  # as PostgreSQL does; two names that become one are refused
    draft = Draft()
    for p in doc.problems:
        draft.warn(p.file, p.line, p.kind, p.message)
    conv = Converter(draft, sources)
    kept = kept_text(doc.projects[0].note) if doc.projects else None
    conv.provided |= _kept_types(kept) if kept is not None else set()
    conv.from_design = kept is not None
    _convert(conv, doc, report)
    report.building()
    result = _types_apart(_without_repeats(build_result(draft)), doc)
    if kept is not None:  # what a design's DBML export could not say (codegen.dbml)
        written = {(t.schema or "public", t.name, c.name): (
            c.type, c.default.value if c.default is not None and c.default.kind == "expr"
            else None) for t in doc.tables for c in t.columns}
        named = frozenset((t.schema or "public", t.name, str(name)) for t in doc.tables
                          for name in (*(c.name for c in t.checks),
                                       *(i.name for i in t.indexes)) if name)
        result = apply_kept(result, kept, written, doc.projects[0].file, named)
    return _valid(result, files[0][0] if files else "")


def _kept_types(kept: str) -> set[str]:
    """The names of the domains and types a design's kept data declares (text mode: its
    DBML export writes a domain column as the domain's name, a cast to it as written)."""
    from modeler.importers.dbml.kept import parse_kept

    data, _ = parse_kept(kept)
    names = {key.rpartition(".")[2] for key in dict(data.get("domains") or {})}
    names |= {str(v.get("name")) for v in dict(data.get("raw_objects") or {}).values()
              if isinstance(v, dict) and v.get("kind") in ("type", "domain")}
    return names


def _valid(result: ImportResult, name: str) -> ImportResult:
    """The result, when the store takes its design. A design it would refuse is a bug of the
    import (each problem PostgreSQL would have is repaired or left out above): this says
    what, clearly, instead of failing later where the design is stored (a traceback in
    ``import_schema``, a 500 in text mode)."""
    from modeler.schema import validate

    found = validate.problems(result.schema)
    if not found:
        return result
    more = f" (and {len(found) - 3} more)" if len(found) > 3 else ""
    raise SchemaImportError("the design this DBML describes cannot be stored: "
                            + "; ".join(found[:3]) + more, name)


def _without_repeats(result: ImportResult) -> ImportResult:
    """The builder reports custom types PostgreSQL does not know (kind ``unknown type``,
    without a line); for DBML each was reported already, at its first use, with what it
    became (:mod:`modeler.importers.dbml.types`)."""
    warnings = tuple(w for w in result.warnings if w.kind != "unknown type")
    if len(warnings) == len(result.warnings):
        return result
    counts = {**result.counts, "warnings": len(warnings)}
    return ImportResult(schema=result.schema, warnings=warnings, counts=counts)


# PostgreSQL 15's own type names (pg_catalog, without arrays and catalogs' row types): an enum
# of that name is created, but every unqualified use of the name means pg_catalog's type
PG_TYPE_NAMES = frozenset((
    "aclitem", "any", "anyarray", "anycompatible", "anycompatiblearray",
    "anycompatiblemultirange", "anycompatiblenonarray", "anycompatiblerange", "anyelement",
    "anyenum", "anymultirange", "anynonarray", "anyrange", "bit", "bool", "box", "bpchar",
    "bytea", "char", "cid", "cidr", "circle", "cstring", "date", "datemultirange",
    "daterange", "event_trigger", "fdw_handler", "float4", "float8", "gtsvector",
    "index_am_handler", "inet", "int2", "int2vector", "int4", "int4multirange", "int4range",
    "int8", "int8multirange", "int8range", "internal", "interval", "json", "jsonb",
    "jsonpath", "language_handler", "line", "lseg", "macaddr", "macaddr8", "money", "name",
    "numeric", "nummultirange", "numrange", "oid", "oidvector", "path", "point", "polygon",
    "record", "refcursor", "regclass", "regcollation", "regconfig", "regdictionary",
    "regnamespace", "regoper", "regoperator", "regproc", "regprocedure", "regrole",
    "regtype", "table_am_handler", "text", "tid", "time", "timestamp", "timestamptz",
    "timetz", "trigger", "tsm_handler", "tsmultirange", "tsquery", "tsrange",
    "tstzmultirange", "tstzrange", "tsvector", "txid_snapshot", "unknown", "uuid", "varbit",
    "varchar", "void", "xid", "xid8", "xml",
))


def _builtin_type_name(name: str) -> bool:
    """Whether ``name`` is a type PostgreSQL knows by itself (``name``, ``point``, and the
    SQL spellings ``integer``, ``double precision``...)."""
    from modeler.schema.types import canonical_key

    return name in PG_TYPE_NAMES or (name == name.lower() and canonical_key(name) is not None)


def _types_apart(result: ImportResult, doc: Document) -> ImportResult:
    """An enum named like a table of its schema, or like a type of PostgreSQL's own, gets
    another name (``status_enum``), with a warning at its line: PostgreSQL keeps a table's
    row type and the enum in one namespace of types, so the export would refuse the second,
    and it looks a builtin type's name up before the schema's (a column of type ``point``
    is pg_catalog's point). DBML names them apart."""
    s = result.schema
    tables = {(t.namespace, t.name) for t in s.tables}
    clashing = [e for e in s.enums if (e.namespace, e.name) in tables
                or _builtin_type_name(e.name)]
    if not clashing:
        return result
    taken = tables | {(x.namespace, x.name) for x in (*s.enums, *s.domains)}
    lines = {(e.schema, e.name): (e.file, e.line) for e in doc.enums}
    warnings = list(result.warnings)
    enums = []
    for e in s.enums:
        if e in clashing:
            new, n = pg_name(f"{e.name}_enum"), 1
            while (e.namespace, new) in taken:
                new, n = pg_name(f"{e.name}_enum{n}"), n + 1
            taken.add((e.namespace, new))
            file, line = lines.get((e.namespace, e.name), ("", None))
            why = (f"the name of a table of schema {e.namespace} (PostgreSQL keeps a table's "
                   "row type and the enum in one namespace)" if (e.namespace, e.name) in tables
                   else f"the name of PostgreSQL's own type {e.name} (which a column of type "
                   f"{e.name} would be)")
            warnings.append(ImportWarning(file, line, "approximation",
                                          f"enum {e.name} has {why}: renamed {new}"))
            e = replace(e, name=new)  # columns refer to it by uid
        enums.append(e)
    schema = m.normalized(replace(s, enums=tuple(enums)))
    return ImportResult(schema=schema, warnings=tuple(warnings),
                        counts={**result.counts, "warnings": len(warnings)})


def _convert(conv: Converter, doc: Document, report: _Report) -> None:
    report.items = len(doc.enums) + len(doc.tables) + len(doc.refs) + len(doc.groups)
    for t in doc.tables:  # generated names (keys, indexes, sequences) give way to tables
        conv.d.claim_rel(t.schema or "public", t.name)
    _each(conv, conv.enum, doc.enums, report.converting("converting enums"))
    conv.provide(doc)  # the enums are known: column types resolve as the tables will
    _each(conv, conv.table, doc.tables, report.converting("converting tables"))
    conv.types.report()
    refs = RefConverter(conv.d, conv.resolve)
    refs.add(doc)
    count = report.converting("converting references")
    for _ in doc.refs:
        if count is not None:
            count()
    _each(conv, conv.group, doc.groups, report.converting("converting table groups"))
    conv.project(doc)


class _Report:
    """:func:`import_dbml`'s progress: characters parsed, then elements converted."""

    def __init__(self, progress: Progress | None, chars: int) -> None:
        self.progress = progress
        self.chars = max(chars, 1)
        self.chars_done = 0
        self.items = 0  # elements to convert, known once every file is parsed
        self.items_done = 0

    def parsing(self, stage: str) -> None:
        if self.progress is not None:
            self.progress(stage, self.chars_done, 3 * self.chars)

    def building(self) -> None:
        if self.progress is not None:
            self.progress("building the design", 2 * self.chars, 3 * self.chars)

    def converting(self, stage: str) -> Callable[[], None] | None:
        """A callback for one element converted, or None without a progress callback."""
        progress = self.progress
        if progress is None:
            return None

        def one() -> None:
            self.items_done += 1
            progress(stage, self.chars + self.chars * self.items_done // max(self.items, 1),
                     3 * self.chars)
        return one


def _each(conv: Converter, handler: Callable[[Any], None], items: Iterable[Any],
          progress: Callable[[], None] | None = None) -> None:
    """Convert each item; a shape the import did not foresee becomes a warning (a bug to
    fix: the tests hold that none happens on the corpus)."""
    for item in items:
        if progress is not None:
            progress()
        label = getattr(item, "name", None) or "?"
        try:
            with bounds.room():
                handler(item)
        except bounds.NestedTooDeeply as exc:
            conv.d.warn(getattr(item, "file", ""), getattr(item, "line", None), "error",
                        f"{label}: not (fully) imported: {exc}")
        except Exception as exc:
            conv.d.warn(getattr(item, "file", ""), getattr(item, "line", None), "error",
                        f"{label}: could not be imported ({type(exc).__name__}: {exc})")


__all__ = ["import_dbml"]
