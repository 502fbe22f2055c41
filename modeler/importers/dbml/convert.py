"""PyDBML blueprints → draft.

Unnamed keys, indexes and FKs get the names PostgreSQL would give them if the DBML were
exported to DDL and loaded (``<table>_pkey``, ``<table>_<col>_key``, ``<table>_<cols>_fkey``,
``<table>_<cols>_idx``, ``<table>_<col>_check``), the same rule the SQL importer follows.
Expressions (defaults, checks, index expressions) are normalized through PostgreSQL's parser
when they parse, and kept as written otherwise.
"""

from __future__ import annotations

import json
import re
from typing import Any

from pglast import parser as pg_parser

from modeler.importers.dbml.prepass import DbmlCheck
from modeler.importers.draft import (
    Draft,
    DraftCheck,
    DraftColumn,
    DraftEnum,
    DraftForeignKey,
    DraftIndex,
    DraftIndexPart,
    DraftTable,
    DraftUnique,
    QName,
    choose_constraint_name,
    choose_relation_name,
)
from modeler.importers.pgnames import index_column_names, name_addition
from modeler.importers.sql.deparse import (
    column_refs,
    expr_sql,
    index_column_label,
    quote_ident,
)
from modeler.importers.sql.tables import expand_serial
from modeler.importers.sql.types import SERIALS, builtin
from modeler.schema import model as m
from modeler.schema.model import INDEX_METHODS
from modeler.schema.types import canonical_key

_TYPE = re.compile(r"^\s*(?P<base>[^(\[]+?)\s*(?:\((?P<args>[^)]*)\))?"
                   r"(?P<tz>\s+with(?:out)?\s+time\s+zone)?\s*(?P<arr>(?:\[\s*\d*\s*\]\s*)*)$",
                   re.IGNORECASE)
_ACTIONS: dict[str, m.FkAction] = {
    "cascade": "CASCADE", "restrict": "RESTRICT", "no action": "NO ACTION",
    "set null": "SET NULL", "set default": "SET DEFAULT",
}


def note_text(note: Any) -> str:
    """The text of a NoteBlueprint, formatted as PyDBML formats notes."""
    if note is None:
        return ""
    try:
        return str(note.build().text)
    except Exception:  # a note PyDBML cannot format: keep its raw text
        return str(getattr(note, "text", ""))


def parse_expr(text: str) -> Any | None:
    """The AST of an SQL expression, or None when PostgreSQL's parser rejects it."""
    try:
        stmt = pg_parser.parse_sql(f"SELECT {text}")
    except pg_parser.ParseError:
        return None
    targets = getattr(stmt[0].stmt, "targetList", None) if len(stmt) == 1 else None
    return targets[0].val if targets and len(targets) == 1 else None


def sql_expr(text: str) -> str:
    """An expression as PostgreSQL's deparser prints it, or as written if it does not parse."""
    node = parse_expr(text)
    return expr_sql(node) if node is not None else text.strip()


def _literal(value: Any) -> str | None:
    if value is None or value == "NULL":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    text = getattr(value, "text", None)
    if text is not None:  # ExpressionBlueprint: `now()`
        return sql_expr(str(text))
    return "'" + str(value).replace("'", "''") + "'"


def json_literal(value: Any) -> str | None:
    """A backtick "expression" that is really a JSON document (``db2dbml`` writes json/jsonb
    defaults that way: `` `{"k": "v"}` ``), as the string literal it stands for; else None."""
    text = getattr(value, "text", None)
    if text is None or not str(text).strip().startswith(("{", "[")) \
            or parse_expr(str(text)) is not None:
        return None
    try:
        json.loads(str(text))
    except ValueError:
        return None
    return "'" + str(text).strip().replace("'", "''") + "'"


_QUALIFIED = re.compile(r'^\s*("[^"]+"|[^\s."()]+)\s*\.\s*("[^"]+"|[^\s."()]+)\s*$')


def qualified_type(text: str) -> str:
    """A schema-qualified type reference (``public.Name``) names its type exactly, as a
    qualified enum reference does: spelled with quotes where PostgreSQL needs them
    (``"Name"``; ``public`` dropped, as the SQL importer spells it). Anything else (``citext``,
    ``geometry(Point,4326)``) is kept as written."""
    match = _QUALIFIED.match(text)
    if match is None:
        return text
    parts = [p[1:-1] if p.startswith('"') else p for p in match.groups()]
    if parts[0] == "public":
        parts = parts[1:]
    return ".".join(quote_ident(p) for p in parts)


def split_columns(spec: Any) -> list[str]:
    """Column names of a ref endpoint: ``id``, ``(a, b)`` or a list."""
    if isinstance(spec, list | tuple):
        return [str(c).strip().strip('"') for c in spec]
    return [c.strip("() \"") for c in str(spec).split(",") if c.strip("() \"")]


class Converter:
    """Fills a draft from one or more parsed DBML files (tables first, then refs)."""

    def __init__(self, draft: Draft) -> None:
        self.d = draft
        self.aliases: dict[str, QName] = {}
        self.file = ""

    def warn(self, kind: str, message: str, line: int | None = None) -> None:
        self.d.warn(self.file, line, kind, message)

    def resolve(self, schema: str | None, name: str) -> QName:
        if (schema in (None, "public")) and name in self.aliases:
            return self.aliases[name]
        return (schema or "public", name)

    # -- types ------------------------------------------------------------------------
    def column_type(self, text: str) -> tuple[m.ColumnType, str | None]:
        match = _TYPE.match(text)
        if match is None:
            return m.ColumnType(kind="custom", name=text.strip()), None
        base, args = match.group("base").strip(), match.group("args")
        dims = match.group("arr").count("[")
        enum = self._enum(base)
        if enum is not None and args is None:
            qname = enum.name if enum.namespace == "public" else f"{enum.namespace}.{enum.name}"
            return m.ColumnType(kind="enum", name=qname, array_dims=dims,
                                ref=_enum_uid(enum)), None
        if base.lower() in SERIALS and not dims and args is None:
            return m.ColumnType(name=SERIALS[base.lower()]), SERIALS[base.lower()]
        key = canonical_key(base + (match.group("tz") or ""))
        if key is not None:
            mods = [int(a) for a in (args or "").split(",") if a.strip().lstrip("-").isdigit()]
            if len(mods) == len([a for a in (args or "").split(",") if a.strip()]):
                found = builtin(key, list(mods), dims)
                if found is not None:
                    return found, None
        custom = re.sub(r"\[\s*\d*\s*\]", "", text).strip()
        return m.ColumnType(kind="custom", name=qualified_type(custom), array_dims=dims), None

    def _enum(self, name: str) -> DraftEnum | None:
        name = name.strip('"')
        if "." in name:
            schema, _, short = name.partition(".")
            return self.d.enums.get((schema.strip('"'), short.strip('"')))
        return self.d.enums.get(("public", name))

    # -- blocks -----------------------------------------------------------------------
    def enum(self, bp: Any) -> None:
        ns = bp.schema or "public"
        notes = [f"{i.name}: {note_text(i.note)}" for i in bp.items if i.note]
        self.d.enums[(ns, bp.name)] = DraftEnum(ns, bp.name, [i.name for i in bp.items],
                                                comment="\n".join(notes))

    def table(self, bp: Any) -> None:
        ns, name = bp.schema or "public", bp.name
        if (ns, name) in self.d.tables:
            self.warn("unsupported", f"table {ns}.{name} defined twice; the second is ignored")
            return
        t = self.d.add_table(DraftTable(ns, name, comment=note_text(bp.note),
                                        color=bp.header_color or ""))
        if bp.alias:
            self.aliases[bp.alias] = (ns, name)
        pk: list[str] = []
        for cb in bp.columns or ():
            ctype, serial = self.column_type(str(cb.type))
            default = json_literal(cb.default)
            if default is not None:
                self.warn("approximation", f"default of {name}.{cb.name} is written as an "
                          "expression but is a JSON document: taken as a string literal")
            else:
                default = _literal(cb.default)
            col = DraftColumn(cb.name, ctype, nullable=not (cb.not_null or cb.pk),
                              default=default, comment=note_text(cb.note))
            t.columns[col.name] = col
            if cb.autoinc:
                col.identity, col.nullable = "by default", False
            if serial is not None:
                expand_serial(self.d, t, col, serial)
            if cb.pk:
                pk.append(cb.name)
            if cb.unique:
                uq = choose_relation_name(self.d, ns, name, col.name, "key")
                t.uniques.append(DraftUnique(uq, [col.name]))
        for ib in bp.indexes or ():
            if ib.pk:
                pk = [str(s) for s in ib.subject_names]
                if ib.name:
                    t.pk_name = str(ib.name)
            else:
                self.index(t, ib)
        if pk:
            t.pk_columns = pk
            t.pk_name = t.pk_name or choose_relation_name(self.d, ns, name, None, "pkey")
            for c in pk:
                if c in t.columns:
                    t.columns[c].nullable = False

    def index(self, t: DraftTable, ib: Any) -> None:
        parts, labels = [], []
        for subject in ib.subject_names:
            text = getattr(subject, "text", None)
            if text is None:
                parts.append(DraftIndexPart(column=str(subject)))
                labels.append(str(subject))
            else:
                node = parse_expr(str(text))
                parts.append(DraftIndexPart(expression=sql_expr(str(text))))
                labels.append(index_column_label(node) if node is not None else "expr")
        method = (ib.type or "btree").lower()
        if method not in INDEX_METHODS:
            self.warn("unsupported", f"index type {method} on {t.name}: btree used")
            method = "btree"
        name = ib.name or choose_relation_name(
            self.d, t.namespace, t.name, name_addition(index_column_names(labels)), "idx")
        t.indexes.append(DraftIndex(name=str(name), parts=parts, unique=bool(ib.unique),
                                    method=method, comment=note_text(ib.note)))  # type: ignore[arg-type]

    def check(self, c: DbmlCheck) -> None:
        t = self.d.tables.get(self.resolve(*c.table))
        if t is None:
            self.warn("unresolved", f"check on unknown table {'.'.join(c.table)}", c.line)
            return
        node = parse_expr(c.expression)
        label = c.column
        if label is None and node is not None:
            refs = column_refs(node)
            label = refs[0] if len(refs) == 1 else None
        name = c.name or choose_constraint_name(self.d, t.namespace, t.name, label, "check")
        t.checks.append(DraftCheck(name, expr_sql(node) if node is not None
                                   else c.expression))

    def ref(self, rb: Any) -> None:
        left = self.resolve(rb.schema1, str(rb.table1))
        right = self.resolve(rb.schema2, str(rb.table2))
        lcols, rcols = split_columns(rb.col1), split_columns(rb.col2)
        if rb.type == "<>":
            self.junction(left, lcols, right, rcols, rb)
            return
        child, ccols, parent, pcols = (right, rcols, left, lcols) if rb.type == "<" \
            else (left, lcols, right, rcols)
        self.fk(child, ccols, parent, pcols, rb, "one-to-one" if rb.type == "-"
                else "one-to-many")

    def fk(self, child: QName, ccols: list[str], parent: QName, pcols: list[str], rb: Any,
           cardinality: m.Cardinality) -> None:
        name = rb.name or choose_constraint_name(self.d, child[0], child[1],
                                                 name_addition(ccols), "fkey")
        self.d.fks.append(DraftForeignKey(
            name=str(name), child=child, child_columns=ccols, parent=parent,
            parent_columns=pcols, cardinality=cardinality, comment=str(rb.comment or ""),
            on_delete=_ACTIONS.get(str(rb.on_delete or "").lower(), "UNSPECIFIED"),
            on_update=_ACTIONS.get(str(rb.on_update or "").lower(), "UNSPECIFIED"),
            file=self.file))

    def junction(self, left: QName, lcols: list[str], right: QName, rcols: list[str],
                 rb: Any) -> None:
        """Many-to-many: create the junction table PyDBML/dbdiagram would generate."""
        lt, rt = self.d.tables.get(left), self.d.tables.get(right)
        if lt is None or rt is None:
            self.warn("unresolved", f"many-to-many {left[1]} <> {right[1]}: unknown table")
            return
        name = f"{lt.name}_{rt.name}"
        if (lt.namespace, name) in self.d.tables:
            self.warn("approximation", f"many-to-many {lt.name} <> {rt.name}: table {name} "
                      "already exists; no junction created")
            return
        j = self.d.add_table(DraftTable(lt.namespace, name, kind="junction"))
        jl = [f"{lt.name}_{c}" for c in lcols]
        jr = [f"{rt.name}_{c}" for c in rcols]
        for src, cols, jcols in ((lt, lcols, jl), (rt, rcols, jr)):
            for c, jc in zip(cols, jcols, strict=False):
                ctype = src.columns[c].type if c in src.columns else m.ColumnType()
                j.columns[jc] = DraftColumn(jc, ctype, nullable=False)
        j.pk_columns = jl + jr
        j.pk_name = choose_relation_name(self.d, j.namespace, name, None, "pkey")
        self.fk(j.qname, jl, lt.qname, lcols, rb, "one-to-many")
        self.fk(j.qname, jr, rt.qname, rcols, rb, "one-to-many")
        self.warn("approximation", f"many-to-many {lt.name} <> {rt.name}: junction table "
                  f"{name} created")

    def group(self, bp: Any) -> None:
        for item in bp.items:
            schema, _, short = str(item).rpartition(".")
            table = self.d.tables.get(self.resolve(schema.strip('"') or None,
                                                   short.strip('"')))
            if table is None:
                self.warn("unresolved", f"table group {bp.name}: unknown table {item}")
            else:
                table.subject_area = str(bp.name)


def _enum_uid(enum: DraftEnum) -> str:
    from modeler.importers.build import type_uid

    return type_uid("enum", enum.namespace, enum.name)
