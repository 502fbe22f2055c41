"""The DBML document → draft: enums, tables (columns, keys, indexes, checks), groups.

Unnamed keys, indexes and checks get the names PostgreSQL would give them if the DBML were
exported to DDL and loaded (``<table>_pkey``, ``<table>_<col>_key``, ``<table>_<cols>_idx``,
``<table>_<col>_check``), the same rule the SQL importer follows. Expressions (defaults,
checks, index expressions) go through PostgreSQL's parser and the checks of
:mod:`~modeler.importers.dbml.exprs`; what PostgreSQL would refuse when the export runs is
repaired or left out, with a warning at its line: an identity on a type that cannot have one,
a unique or multicolumn hash index, an index method without an operator class for the
column's type, a name already taken. References are :mod:`~modeler.importers.dbml.refs`'
business; types :mod:`~modeler.importers.dbml.types`'.
"""

from __future__ import annotations

from typing import Any

from modeler.importers.dbml.defaults import default_sql
from modeler.importers.dbml.exprs import check_sql, parse_expr, sql_expr
from modeler.importers.dbml.kept import KEPT_PREFIX
from modeler.importers.dbml.model import Check, Column, Document, Enum, Group, Index, Table
from modeler.importers.dbml.types import TypeResolver
from modeler.importers.draft import (
    Draft,
    DraftCheck,
    DraftColumn,
    DraftEnum,
    DraftIndex,
    DraftIndexPart,
    DraftTable,
    DraftUnique,
    QName,
    choose_constraint_name,
    choose_relation_name,
)
from modeler.importers.pgnames import index_column_names, name_addition
from modeler.importers.sql.deparse import column_refs, index_column_label
from modeler.importers.sql.tables import expand_serial
from modeler.schema import model as m
from modeler.schema.model import INDEX_METHODS

_INTEGERS = frozenset({"smallint", "integer", "bigint"})
_RANGES = frozenset({"int4range", "int8range", "numrange", "tsrange", "tstzrange", "daterange"})
_GEOMETRY = frozenset({"point", "box", "polygon", "circle"})
_NO_BTREE = frozenset({"json", "xml", "point", "line", "lseg", "box", "path", "polygon",
                       "circle"})


def _has_opclass(method: str, t: m.ColumnType) -> bool:
    """Whether PostgreSQL has a default operator class of ``method`` for a builtin type (for
    other types the import cannot tell: yes)."""
    if t.kind != "builtin":
        return method in ("btree", "hash", "brin") or t.kind == "custom"
    name, array = t.name, t.array_dims > 0
    if method == "gin":
        return array or name in ("jsonb", "tsvector")
    if method == "gist":
        return not array and name in {"tsvector", "tsquery", "inet", "cidr"} | _RANGES | _GEOMETRY
    if method == "spgist":
        return not array and (name in ("text", "varchar", "char", "inet", "cidr")
                              or name in _RANGES | _GEOMETRY)
    if method == "brin":
        return not array and name not in {"json", "jsonb", "tsvector", "xml"} | _GEOMETRY
    if method == "hash":
        return name not in ("json", "xml") and name not in _GEOMETRY
    return name not in _NO_BTREE


def type_short_name(written: str) -> str | None:
    """The unqualified name PostgreSQL stores for a type written ``written`` (``"Email"``,
    ``s.pair``, ``geometry(Point,4326)``), or None when it does not read as a type."""
    from pglast import ast

    node = parse_expr(f"NULL::{written}")
    if not isinstance(node, ast.TypeCast) or node.typeName is None or not node.typeName.names:
        return None
    last = node.typeName.names[-1]
    return str(last.sval) if isinstance(last, ast.String) else None


class Converter:
    """Fills a draft from the document (enums, then tables, then groups)."""

    def __init__(self, draft: Draft, sources: dict[str, list[str]]) -> None:
        self.d = draft
        self.sources = sources
        self.aliases: dict[str, QName] = {}
        self.types = TypeResolver(draft)
        self.enum_of: dict[QName, DraftEnum] = {}
        self.groups: dict[QName, str] = {}
        # types the database must provide: column types kept as written (DBML cannot
        # declare domains or composite types), and those the design's kept data declares
        self.provided: set[str] = set()
        self.doc_tables: set[QName] = set()
        self.from_design = False  # the file is a design's own export (it has kept data)

    def provide(self, doc: Document) -> None:
        """After the enums, before the tables: the column types kept as written, which casts
        may name besides PostgreSQL's types and the enums."""
        self.doc_tables = {(t.schema or "public", t.name) for t in doc.tables}
        self.doc_tables |= {(t.schema or "public", t.alias) for t in doc.tables if t.alias}
        for t in doc.tables:
            for col in t.columns:
                if self.relation_field(col):
                    continue
                ctype = self.types.column_type(col.type, col.increment)[0]
                name = type_short_name(ctype.name) if ctype.kind == "custom" else None
                if name is not None:
                    self.provided.add(name)

    def relation_field(self, col: Column) -> bool:
        """Whether a column is the other side of a reference, as prisma-dbml-generator
        writes it (``posts post [not null]``): its type names a table of the file (and no
        enum), and it has no setting but null or not null. A design's own export never has
        one (a column of a table's row type is kept there)."""
        name = col.type.strip()
        if self.from_design or not name or any(ch in name for ch in "([") \
                or col.pk or col.unique or col.increment or col.default is not None \
                or col.note or col.refs or col.checks or self.types.enum(name) is not None:
            return False
        schema, dot, table = name.partition(".")
        return ((schema.strip('"'), table.strip('"')) if dot else ("public", name.strip('"'))) \
            in self.doc_tables

    def known_type(self, name: str) -> bool:
        """Whether a cast may name type ``name`` (unqualified, as PostgreSQL stores it)."""
        return name in self.provided or any(e.name == name for e in self.d.enums.values())

    def warn(self, file: str, line: int | None, kind: str, message: str,
             sql: bool = False) -> None:
        text = self.line_text(file, line) if sql else None
        self.d.warn(file, line, kind, message, text)

    def line_text(self, file: str, line: int | None) -> str | None:
        lines = self.sources.get(file, [])
        return lines[line - 1].strip() if line is not None and 0 < line <= len(lines) else None

    def resolve(self, schema: str | None, name: str) -> QName:
        if schema in (None, "public") and name in self.aliases:
            return self.aliases[name]
        return (schema or "public", name)

    # -- enums ---------------------------------------------------------------------------
    def enum(self, e: Enum) -> None:
        if (e.schema, e.name) in self.d.enums:
            self.warn(e.file, e.line, "unsupported", f"enum {e.name} is defined twice; the "
                      "second is ignored")
            return
        notes = [f"{v.label}: {v.note}" for v in e.values if v.note]
        self.d.enums[(e.schema, e.name)] = DraftEnum(e.schema, e.name,
                                                     [v.label for v in e.values],
                                                     comment="\n".join(notes))

    # -- tables --------------------------------------------------------------------------
    def table(self, t: Table) -> None:
        ns, name = t.schema or "public", t.name
        if (ns, name) in self.d.tables:
            self.warn(t.file, t.line, "unsupported", f"table {ns}.{name} defined twice; the "
                      "second is ignored")
            return
        dt = self.d.add_table(DraftTable(ns, name, comment=t.note or "", color=t.color or "",
                                         file=t.file, line=t.line))
        if t.alias:
            self.aliases[t.alias] = (ns, name)
        pk: list[str] = []
        for col in t.columns:
            self.column(dt, col, pk)
        checks = [Check(e, c.file, c.line, column=c.name) for c in t.columns for e in c.checks]
        for ck in checks + t.checks:
            self.check(dt, ck)
        for ix in t.indexes:
            if not ix.pk:
                continue
            wrong = [p.expression for p in ix.parts if p.column is None] + \
                [p.column for p in ix.parts if p.column is not None and p.column not in dt.columns]
            if wrong:
                self.warn(ix.file, ix.line, "unresolved", f"primary key of {name}: "
                          f"{', '.join(str(w) for w in wrong)} is no column of {name}; left "
                          "out", sql=True)
                continue
            if pk and pk != [p.column for p in ix.parts]:
                self.warn(ix.file, ix.line, "approximation", f"table {name} has a primary key "
                          f"({', '.join(pk)}) and the primary key index "
                          f"({', '.join(str(p.column) for p in ix.parts)}): the index is kept")
            pk = [str(p.column) for p in ix.parts if p.column]
            if ix.name:
                dt.pk_name = self.relation_name(ns, ix.name, ix, f"primary key of {name}")
        for ix in t.indexes:
            if not ix.pk:
                self.index(dt, ix)
        unkeyed = [c for c in pk if c in dt.columns and not _has_opclass("btree",
                                                                          dt.columns[c].type)]
        if unkeyed:
            shown = ", ".join(f"{c} ({dt.columns[c].type.sql()})" for c in unkeyed)
            self.warn(t.file, t.line, "unsupported", f"primary key of {name}: PostgreSQL "
                      f"cannot compare {shown} values in a key; left out")
            pk = []
        if pk:
            dt.pk_columns = pk
            dt.pk_name = dt.pk_name or choose_relation_name(self.d, ns, name, None, "pkey")
            for c in pk:
                if c in dt.columns:
                    dt.columns[c].nullable = False

    def column(self, dt: DraftTable, col: Column, pk: list[str]) -> None:
        if self.relation_field(col):
            self.warn(col.file, col.line, "approximation", f"column {dt.name}.{col.name} has "
                      f"type {col.type.strip()}, a table of the file: a relation field (the "
                      "other side of a reference, as prisma-dbml-generator writes it), not a "
                      "column; left out", sql=True)
            return
        ctype, serial, note = self.types.column_type(col.type, col.increment)
        if note is not None:
            self.types.note(col.type, ctype, note, dt, col.name, col.file, col.line,
                            self.line_text(col.file, col.line))
        c = DraftColumn(col.name, ctype, nullable=not (col.not_null or col.pk),
                        comment=col.note)
        dt.columns[c.name] = c
        where = f"{dt.name}.{col.name}"
        if col.default is not None:
            result = default_sql(col.default, ctype, where, self.types.enum_of(ctype),
                                 self.known_type)
            c.default = result.sql
            for kind, message in result.reports:
                self.warn(col.file, col.default.line, kind, message, sql=True)
            for ext in result.extensions:
                self.d.extensions.setdefault(ext, None)
        if serial is not None:
            expand_serial(self.d, dt, c, serial)  # increment too: a serial is one already
        elif col.increment:
            self.identity(c, col, where)
        if col.pk:
            pk.append(col.name)
        if col.unique and not _has_opclass("btree", c.type):
            self.warn(col.file, col.line, "unsupported", f"unique on {where}: PostgreSQL "
                      f"cannot compare {c.type.sql()} values in a unique constraint; left out",
                      sql=True)
        elif col.unique:
            uq = choose_relation_name(self.d, dt.namespace, dt.name, col.name, "key")
            dt.uniques.append(DraftUnique(uq, [col.name]))

    def identity(self, c: DraftColumn, col: Column, where: str) -> None:
        if c.type.kind == "builtin" and c.type.name == "numeric" and not c.type.scale \
                and not c.type.array_dims:  # Oracle's NUMBER, an integer key
            self.warn(col.file, col.line, "approximation", f"increment on {where} of type "
                      f"{c.type.sql()}: PostgreSQL's identity columns are integers; imported "
                      "as bigint", sql=True)
            c.type = m.ColumnType(name="bigint")
        if c.type.kind != "builtin" or c.type.name not in _INTEGERS or c.type.array_dims:
            self.warn(col.file, col.line, "unsupported", f"increment on {where} of type "
                      f"{c.type.sql() if c.type.kind == 'builtin' else c.type.name}: "
                      "PostgreSQL's identity columns are smallint, integer or bigint; "
                      "left out", sql=True)
            return
        if c.default is not None:
            self.warn(col.file, col.line, "approximation", f"{where} has increment and a "
                      f"default ({c.default}): PostgreSQL refuses both; the default is left "
                      "out", sql=True)
            c.default = None
        c.identity, c.nullable = "by default", False

    def check(self, dt: DraftTable, ck: Check) -> None:
        columns = {n: c.type.name if c.type.kind == "builtin" and not c.type.array_dims
                   else None for n, c in dt.columns.items()}
        checked = check_sql(ck.expression, "check", columns, self.known_type)
        what = f"check `{ck.expression}` on {dt.name}"
        for repair in checked.repairs:
            self.warn(ck.file, ck.line, "approximation", f"{what}: {repair}", sql=True)
        if checked.sql is None:
            self.warn(ck.file, ck.line, "unsupported", f"{what} {checked.problem}: left out, "
                      "PostgreSQL would refuse it", sql=True)
            return
        for ext in checked.extensions:
            self.d.extensions.setdefault(ext, None)
        label = ck.column
        if label is None:
            refs = column_refs(checked.node)
            label = refs[0] if len(refs) == 1 else None
        if ck.name and any(x.name == ck.name for x in dt.checks):
            self.warn(ck.file, ck.line, "approximation", f"check name {ck.name} is used twice "
                      f"on {dt.name}: the second gets a name of its own")
            ck.name = None
        name = ck.name or choose_constraint_name(self.d, dt.namespace, dt.name, label, "check")
        if ck.name:
            self.d.claim_con(dt.namespace, name)
        dt.checks.append(DraftCheck(name, checked.sql))

    # -- indexes -------------------------------------------------------------------------
    def index(self, dt: DraftTable, ix: Index) -> None:
        parts, labels = [], []
        columns = {n: c.type.name if c.type.kind == "builtin" and not c.type.array_dims
                   else "enum" if c.type.kind == "enum" and not c.type.array_dims
                   else None for n, c in dt.columns.items()}
        for part in ix.parts:
            if part.column is not None and part.column not in dt.columns:
                self.warn(ix.file, ix.line, "unresolved", f"index on {dt.name}: no column "
                          f"{part.column} in {dt.name}; index left out", sql=True)
                return
            if part.column is not None:
                parts.append(DraftIndexPart(column=part.column))
                labels.append(part.column)
                continue
            checked = check_sql(str(part.expression), "index", columns, self.known_type)
            for repair in checked.repairs:
                self.warn(ix.file, ix.line, "approximation", f"index on {dt.name}: {repair}")
            if checked.sql is None:
                self.warn(ix.file, ix.line, "unsupported", f"index on {dt.name}: `"
                          f"{part.expression}` {checked.problem}; index left out", sql=True)
                return
            parts.append(DraftIndexPart(expression=checked.sql))
            labels.append(index_column_label(checked.node))
        if ix.name:
            name = self.relation_name(dt.namespace, ix.name, ix, f"index on {dt.name}")
        else:
            name = choose_relation_name(self.d, dt.namespace, dt.name,
                                        name_addition(index_column_names(labels)), "idx")
        method = self.method(dt, ix, parts, f"{'unique ' if ix.unique else ''}index {name} "
                             f"on {dt.name}")
        if method is None:
            self.d.release_rel(dt.namespace, name)
            return
        dt.indexes.append(DraftIndex(name=name, parts=parts, unique=ix.unique,
                                     method=method, comment=ix.note))  # type: ignore[arg-type]  # method: None returned above; a known method here

    def method(self, dt: DraftTable, ix: Index, parts: list[DraftIndexPart], what: str
               ) -> str | None:
        """The index method PostgreSQL can build, or None (the index is left out)."""
        method = (ix.type or "btree").lower()
        if method not in INDEX_METHODS:
            self.warn(ix.file, ix.line, "approximation", f"{what}: index type {method} is "
                      "not PostgreSQL's: btree used", sql=True)
            method = "btree"
        if ix.unique and method != "btree":
            self.warn(ix.file, ix.line, "approximation", f"{what} is of type {method}, but only "
                      "btree indexes can be unique in PostgreSQL: btree used", sql=True)
            method = "btree"
        if method == "hash" and len(parts) > 1:
            self.warn(ix.file, ix.line, "approximation", f"{what} is a hash index on "
                      f"{len(parts)} columns, but PostgreSQL's hash indexes take one: btree "
                      "used", sql=True)
            method = "btree"
        for part in parts:
            column = dt.columns.get(part.column) if part.column else None
            if column is None or _has_opclass(method, column.type):
                continue
            shown = column.type.sql()
            if method != "btree" and _has_opclass("btree", column.type):
                self.warn(ix.file, ix.line, "approximation", f"{what}: PostgreSQL has no "
                          f"{method} operator class for {part.column} ({shown}): btree used",
                          sql=True)
                return self.method(dt, Index(ix.parts, ix.file, ix.line, ix.unique,
                                             type="btree"), parts, what)
            self.warn(ix.file, ix.line, "unsupported", f"{what}: PostgreSQL has no {method} "
                      f"operator class for {part.column} ({shown}); index left out", sql=True)
            return None
        return method

    def relation_name(self, ns: str, wanted: str, ix: Index, what: str) -> str:
        """An index or key name the file chose; another if the schema already has it (as a
        table, an index or a key: PostgreSQL names them all in one namespace)."""
        def taken(n: str) -> bool:
            return self.d.rel_taken(ns, n) or self.d.con_taken(ns, n)

        name = wanted
        if taken(name):
            name = _numbered(wanted, taken)
            self.warn(ix.file, ix.line, "approximation", f"{what}: the name {wanted} is "
                      f"already used in schema {ns}: renamed {name}")
        self.d.claim_rel(ns, name)
        return name

    # -- groups and the rest ---------------------------------------------------------------
    def group(self, g: Group) -> None:
        for member in g.tables:
            qname = self.resolve(member.schema, member.name)
            table = self.d.tables.get(qname)
            shown = f"{member.schema}.{member.name}" if member.schema else member.name
            if table is None:
                self.warn(g.file, member.line, "unresolved", f"table group {g.name}: unknown "
                          f"table {shown}")
            elif qname in self.groups:
                self.warn(g.file, member.line, "approximation", f"table group {g.name}: table "
                          f"{shown} is already in table group {self.groups[qname]}, where it "
                          "stays (a table belongs to one group)")
            else:
                self.groups[qname] = g.name
                table.subject_area = g.name

    def project(self, doc: Document) -> None:
        for p in doc.projects[1:]:
            self.warn(p.file, p.line, "unsupported", "a second Project; ignored")
        if not doc.projects:
            return
        project = doc.projects[0]
        self.d.project_name = project.name
        if project.note and not project.note.strip().startswith(KEPT_PREFIX):
            self.warn(project.file, project.line, "approximation",
                      "the Project note is not modelled")
        db_type = project.database_type.strip()
        if db_type and db_type.lower() not in ("postgresql", "postgres"):
            self.warn(project.file, project.line, "approximation", f"database_type is "
                      f"{db_type}: column types may need mapping to PostgreSQL")


def _numbered(name: str, taken: Any) -> str:
    n = 1
    while taken(f"{name}{n}"):
        n += 1
    return f"{name}{n}"


# parse_expr and sql_expr lived here: tests/importers/test_sql_script.py imports sql_expr
__all__ = ["Converter", "parse_expr", "sql_expr"]
