"""Names longer than PostgreSQL's identifiers: cut as PostgreSQL cuts them.

PostgreSQL keeps the first 63 bytes (NAMEDATALEN - 1) of an identifier, cut on a UTF-8
character boundary (``truncate_identifier``: it says so in a NOTICE), wherever the name is
written: where a table is declared and where a reference names it. The SQL importer gets
that from PostgreSQL's own parser; a DBML file is read here, so :func:`cut_long_names` does
the same to every name of the document before it is converted (declarations warn at their
line; uses are cut silently, as the declaration they name was), and refuses the file when
two different names become one in the same namespace (PostgreSQL would refuse the second
as a duplicate; the design would silently merge them).

A name is also one line of text and not empty: DBML's escapes (``"a\\nb"``) can write a line
break or a control character into a quoted name, and ``""`` is a name to DBML, but
PostgreSQL has no empty (zero-length delimited) identifier, and the design's forms, its DBML
export and the generated code take a name for one line. Such a declared name refuses the
file at its line; an empty optional name (an index's, a check's or a reference's
``name: ''``) is left unnamed, with a warning.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from modeler.importers.dbml.model import Document, Ref, Table
from modeler.importers.pgnames import NAMEDATALEN, _clip
from modeler.importers.result import SchemaImportError

MAX_BYTES = NAMEDATALEN - 1
# a line break or a control character other than the tab (sqlprint.LINE_BREAKING)
_NOT_IN_NAME = re.compile("[\x00-\x08\x0a-\x1f\x7f\x85\u2028\u2029]")


def name_problem(what: str, name: str) -> str | None:
    """Why ``name`` cannot be a ``what`` (None when it can): empty, or not one line."""
    if not name:
        return f"the {what} is empty (\"\"): PostgreSQL has no empty names"
    bad = _NOT_IN_NAME.search(name)
    if bad is not None:
        return (f"the {what} {name!r} holds a line break or a control character "
                f"(U+{ord(bad.group(0)):04X}, written with an escape): a name is one line")
    return None


def _checked(what: str, name: str, file: str, line: int | None) -> str:
    problem = name_problem(what, name)
    if problem is not None:
        raise SchemaImportError(problem, file, line)
    return name


def pg_name(name: str, limit: int = MAX_BYTES) -> str:
    """``name`` as PostgreSQL keeps it: its first 63 bytes (``limit``), on a character
    boundary."""
    return _clip(name, limit)


def _cut(name: str | None) -> str | None:
    return None if name is None else pg_name(name)


class _Cutter:
    def __init__(self, doc: Document) -> None:
        self.doc = doc
        # (namespace kind, namespace) -> cut name -> {original name: (file, line)}
        self.seen: dict[tuple[str, str], dict[str, dict[str, tuple[str, int]]]] = \
            defaultdict(lambda: defaultdict(dict))

    def declared(self, what: str, space: tuple[str, str], name: str, file: str,
                 line: int) -> str:
        """A declared name, cut (with a warning at its line) and remembered in its
        namespace; an empty name or one that is not one line refuses the file."""
        cut = pg_name(_checked(what, name, file, line))
        originals = self.seen[space][cut]
        if cut != name and name not in originals:
            self.doc.warn(file, line, "long name",
                          f"{what} {name!r} is {len(name.encode())} bytes, longer than "
                          f"PostgreSQL's {MAX_BYTES}: cut to {cut!r}, as PostgreSQL cuts it")
        originals.setdefault(name, (file, line))
        return cut

    def collisions(self) -> None:
        for (kind, space), names in self.seen.items():
            for cut, originals in names.items():
                if len(originals) > 1:
                    (first, _), (second, (file, line)) = list(originals.items())[:2]
                    where = f" in {space}" if space else ""
                    raise SchemaImportError(
                        f"the {kind} names {first!r} and {second!r}{where} are the same name "
                        f"{cut!r} to PostgreSQL, which keeps the first {MAX_BYTES} bytes of "
                        "a name: shorten one of them", file, line)


def _unnamed(doc: Document, what: str, name: str | None, file: str, line: int) -> str | None:
    """An optional name (``name: '...'``): None when it is empty (with a warning); a name
    that is not one line refuses the file."""
    if name == "":
        doc.warn(file, line, "approximation", f"the {what} is empty: left unnamed (it gets "
                 "the name PostgreSQL would give it)")
        return None
    return name if name is None else _checked(what, name, file, line)


def _ref(doc: Document, r: Ref) -> None:
    """A reference's constraint name and the names its two sides use."""
    for e in (r.left, r.right):
        e.schema, e.table = _cut(e.schema), _cut(e.table)
        e.columns = [pg_name(c) for c in e.columns]
    r.name = _cut(_unnamed(doc, "reference name", r.name, r.file, r.line))


def _table(cut: _Cutter, t: Table, schema: str) -> None:
    table_space = ("column", f"table {schema}.{t.name}")
    for c in t.columns:
        c.name = cut.declared("column name", table_space, c.name, t.file, c.line)
        if c.default is not None and c.default.enum:
            c.default.enum = tuple(pg_name(p) for p in c.default.enum)
        for r in c.refs:
            _ref(cut.doc, r)
    for i in t.indexes:
        for p in i.parts:
            p.column = _cut(p.column)
        i.name = _unnamed(cut.doc, "index name", i.name, i.file, i.line)
        if i.name is not None:
            i.name = cut.declared("index name", ("index", f"schema {schema}"), i.name,
                                  i.file, i.line)
    for k in t.checks:
        k.column = _cut(k.column)
        k.name = _unnamed(cut.doc, "check name", k.name, k.file, k.line)
        if k.name is not None:
            k.name = cut.declared("check name", ("constraint", f"table {schema}.{t.name}"),
                                  k.name, k.file, k.line)


def cut_long_names(doc: Document) -> None:
    """Cut every name of ``doc`` to what PostgreSQL keeps (in place): warnings go to
    ``doc.problems``; two names that become one raise :class:`SchemaImportError`."""
    cut = _Cutter(doc)
    schemas: Iterable[tuple[str | None, str, int]] = (
        *((t.schema, t.file, t.line) for t in doc.tables),
        *((e.schema, e.file, e.line) for e in doc.enums))
    for schema, file, line in schemas:
        if schema is not None:
            cut.declared("schema name", ("schema", ""), schema, file, line)
    for t in doc.tables:
        t.schema = _cut(t.schema)
        schema = t.schema or "public"
        t.name = cut.declared("table name", ("table", f"schema {schema}"), t.name, t.file,
                              t.line)
        t.alias = _cut(t.alias)
        _table(cut, t, schema)
    for p in doc.partials.values():
        _table(_Cutter(Document()), p, "public")  # a partial's names warn where it is used
    for e in doc.enums:
        e.schema = pg_name(e.schema)
        e.name = cut.declared("enum name", ("enum", f"schema {e.schema}"), e.name, e.file,
                              e.line)
    for r in doc.refs:
        _ref(doc, r)
    for g in doc.groups:
        if g.name:
            g.name = _checked("table group name", g.name, g.file, g.line)
        for member in g.tables:
            member.schema, member.name = _cut(member.schema), pg_name(member.name)
    cut.collisions()
