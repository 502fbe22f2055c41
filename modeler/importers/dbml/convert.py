"""PyDBML blueprints → draft.

Unnamed keys, indexes and FKs get the names PostgreSQL would give them if the DBML were
exported to DDL and loaded (``<table>_pkey``, ``<table>_<col>_key``, ``<table>_<cols>_fkey``,
``<table>_<cols>_idx``, ``<table>_<col>_check``), the same rule the SQL importer follows.
Expressions (defaults, checks, index expressions) are normalized through PostgreSQL's parser
when they parse, and kept as written otherwise.

Type names PostgreSQL does not have (``datetime``, ``bigint unsigned``, ``Code``) become the
nearest PostgreSQL type (:mod:`modeler.importers.typemap`); each distinct one is reported
once, at the line of its first use, with what it became and the columns concerned. Types of
extensions add the extension to the design; schema-qualified names that are not declared
(domains, which DBML cannot declare) are kept as written and reported.

DBML references may point at any column; a PostgreSQL foreign key references a primary key or
a unique constraint (:meth:`Converter.fk_targets`): references that name the columns of a
composite key one by one become one foreign key, other references to columns that are no key
are left out, both reported at the reference's line.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from pglast import parser as pg_parser

from modeler.importers.dbml.prepass import (
    DbmlCheck,
    Prepassed,
    column_line,
    nested_line,
    ref_line,
)
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
from modeler.importers.result import ImportWarning
from modeler.importers.sql.deparse import (
    column_refs,
    expr_sql,
    index_column_label,
    quote_ident,
)
from modeler.importers.sql.tables import expand_serial
from modeler.importers.sql.types import SERIALS, builtin
from modeler.importers.typemap import TypeMapping, map_type
from modeler.schema import model as m
from modeler.schema.model import INDEX_METHODS
from modeler.schema.types import canonical_key

_TYPE = re.compile(r"^\s*(?P<base>[^(\[]+?)\s*(?:\((?P<args>[^)]*)\))?"
                   r"(?P<tz>\s+with(?:out)?\s+time\s+zone)?\s*(?P<arr>(?:\[\s*\d*\s*\]\s*)*)$",
                   re.IGNORECASE)
_ARRAY_DIMS = re.compile(r"\[\s*\d*\s*\]")
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


@dataclass
class TypeNote:
    """A type name the import changed or must report: one warning per distinct one."""

    kind: str  # the warning's kind
    message: str  # what happened to the type, without the columns
    extension: str | None = None  # the extension the design must declare
    file: str = ""
    line: int | None = None  # of its first use
    sql: str | None = None  # that line
    columns: list[str] = field(default_factory=list)
    index: int = -1  # of its warning in the draft's (written at first use, completed last)

    def warning_text(self) -> str:
        shown = ", ".join(self.columns[:5])
        more = f" and {len(self.columns) - 5} more" if len(self.columns) > 5 else ""
        count = f"{len(self.columns)} column{'s' if len(self.columns) != 1 else ''}"
        return f"{self.message}; {count}: {shown}{more}"


def _spelled(text: str) -> str:
    return " ".join(text.split())


def _quoted(text: str) -> str:
    return f'"{_spelled(text)}"'


def _mapped_note(text: str, mapping: TypeMapping) -> TypeNote:
    became = mapping.type.sql()
    if mapping.extension is not None:
        return TypeNote("approximation", f"type {_quoted(text)} comes from the PostgreSQL "
                        f"extension {mapping.extension}, which DBML cannot declare: the "
                        "extension is added to the design", mapping.extension)
    if mapping.unknown:
        return TypeNote("approximation", f"type {_quoted(text)} is not a PostgreSQL type, "
                        "nor another SQL dialect's spelling the importer knows, nor an enum "
                        f"of the file: imported as {became} ({mapping.why}); choose the "
                        "intended type in the design")
    return TypeNote("approximation", f"type {_quoted(text)} is not a PostgreSQL type "
                    f"({mapping.why}): imported as {became}")


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
        self.source: Prepassed | None = None  # the current file's pre-pass (line numbers)
        self.chosen_fk_names: set[int] = set()  # ids of FKs whose names the import chose
        self.type_notes: dict[tuple[str, str], TypeNote] = {}
        self.type_cache: dict[tuple[str, bool], tuple[m.ColumnType, str | None,
                                                      TypeNote | None]] = {}

    def warn(self, kind: str, message: str, line: int | None = None) -> None:
        self.d.warn(self.file, line, kind, message)

    def resolve(self, schema: str | None, name: str) -> QName:
        if (schema in (None, "public")) and name in self.aliases:
            return self.aliases[name]
        return (schema or "public", name)

    # -- types ------------------------------------------------------------------------
    def column_type(self, text: str, autoinc: bool = False
                    ) -> tuple[m.ColumnType, str | None, TypeNote | None]:
        """The column type of a DBML type name, the serial pseudo-type it is (if one), and
        what to report about it (a type PostgreSQL does not have, see :mod:`typemap`).
        Enums are all known by then: the answer for one spelling is remembered."""
        found = self.type_cache.get((text, autoinc))
        if found is None:
            found = self.type_cache[(text, autoinc)] = self._column_type(text, autoinc)
        return found

    def _column_type(self, text: str, autoinc: bool
                     ) -> tuple[m.ColumnType, str | None, TypeNote | None]:
        match = _TYPE.match(text)
        if match is not None:
            base, args = match.group("base").strip(), match.group("args")
            dims = match.group("arr").count("[")
            enum = self._enum(base)
            if enum is not None and args is None:
                return _enum_type(enum, dims), None, None
            if base.lower() in SERIALS and not dims and args is None:
                return m.ColumnType(name=SERIALS[base.lower()]), SERIALS[base.lower()], None
            key = canonical_key(base + (match.group("tz") or ""))
            if key is not None:
                mods = [int(a) for a in (args or "").split(",")
                        if a.strip().lstrip("-").isdigit()]
                if len(mods) == len([a for a in (args or "").split(",") if a.strip()]):
                    found = builtin(key, list(mods), dims)
                    if found is not None:
                        if key == "citext":  # the catalog has it; DBML cannot declare it
                            return found, None, _mapped_note(
                                text, TypeMapping(found, extension="citext"))
                        return found, None, None
            enum = self._enum_elsewhere(base) if args is None else None
            if enum is not None:
                qname = f"{enum.namespace}.{enum.name}"
                return _enum_type(enum, dims), None, TypeNote(
                    "approximation", f"type {_quoted(base)} is not declared in schema "
                    f"public (where DBML looks for it): the enum {qname} of the file is used")
        custom, dims = _ARRAY_DIMS.subn("", text)
        custom = custom.strip()
        qualified = _QUALIFIED.match(custom)
        if qualified is not None:
            return self._qualified_type(custom, qualified, dims, autoinc)
        mapping = map_type(text, autoinc=autoinc)
        if mapping is None:  # PostgreSQL's own type the catalog does not list
            return m.ColumnType(kind="custom", name=custom, array_dims=dims), None, None
        return mapping.type, None, _mapped_note(text, mapping) if mapping.reported else None

    def _qualified_type(self, custom: str, qualified: re.Match[str], dims: int, autoinc: bool
                        ) -> tuple[m.ColumnType, str | None, TypeNote | None]:
        """``schema.name``: PostgreSQL's or an extension's type in pg_catalog/public; else a
        type the database must provide (a domain, a composite type: DBML cannot declare
        them), kept as written."""
        schema, name = (p[1:-1] if p.startswith('"') else p for p in qualified.groups())
        if schema in ("pg_catalog", "public") and not qualified.group(2).startswith('"'):
            mapping = map_type(name + "[]" * dims, autoinc=autoinc)
            if mapping is not None and mapping.extension is not None:
                return mapping.type, None, _mapped_note(custom, mapping)
            if schema == "pg_catalog":
                if mapping is None:
                    return m.ColumnType(kind="custom", name=name, array_dims=dims), None, None
                if not mapping.reported:
                    return mapping.type, None, None
        spelled = qualified_type(custom)
        return m.ColumnType(kind="custom", name=spelled, array_dims=dims), None, TypeNote(
            "unresolved", f"type {_quoted(custom)} is not declared in the file (DBML cannot "
            f"declare domains or composite types): kept as {spelled}, which the database "
            "must provide")

    def _enum_elsewhere(self, name: str) -> DraftEnum | None:
        """The one enum of the file named ``name`` in another schema than public."""
        if "." in name:
            return None
        found = [e for (ns, n), e in self.d.enums.items() if n == name.strip('"')]
        return found[0] if len(found) == 1 else None

    def note_type(self, text: str, ctype: m.ColumnType, note: TypeNote, table: DraftTable,
                  column: str) -> None:
        """Remember a reported type's use: one warning per distinct type (spelling and
        result), at its first use."""
        key = (_spelled(text).lower(), ctype.sql())
        seen = self.type_notes.get(key)
        if seen is None:
            seen = self.type_notes[key] = note
            note.file = self.file
            if self.source is not None:
                note.line = column_line(self.source, table.qname, column)
                if note.line is not None:
                    note.sql = self.source.source[note.line - 1].strip()
            note.index = len(self.d.warnings)
            self.d.warn(note.file, note.line, note.kind, note.message, note.sql)
        label = table.name if table.namespace == "public" else \
            f"{table.namespace}.{table.name}"
        seen.columns.append(f"{label}.{column}")

    def report_types(self) -> None:
        """Complete the type warnings with the columns concerned; declare the extensions
        the types need."""
        for note in self.type_notes.values():
            if note.extension is not None:
                self.d.extensions.setdefault(note.extension, None)
            self.d.warnings[note.index] = ImportWarning(note.file, note.line, note.kind,
                                                        note.warning_text(), note.sql)
        self.type_notes.clear()

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
            ctype, serial, type_note = self.column_type(str(cb.type), bool(cb.autoinc))
            if type_note is not None:
                self.note_type(str(cb.type), ctype, type_note, t, cb.name)
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
        line = nested_line(self.source, t.qname, [*labels[:1], method]) \
            if self.source is not None and method != "btree" else None
        if method not in INDEX_METHODS:
            self.warn("unsupported", f"index type {method} on {t.name}: btree used", line)
            method = "btree"
        name = ib.name or choose_relation_name(
            self.d, t.namespace, t.name, name_addition(index_column_names(labels)), "idx")
        if ib.unique and method != "btree":
            self.warn("approximation", f"unique index {name} on {t.name} is of type {method}, "
                      "but only btree indexes can be unique in PostgreSQL: btree used", line)
            method = "btree"
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

    def ref_line(self, rb: Any) -> int | None:
        """The input line of a reference: its column's for an inline one, else the first
        ``Ref`` statement naming its tables and columns."""
        if self.source is None:
            return None
        lcols, rcols = split_columns(rb.col1), split_columns(rb.col2)
        if rb.inline and len(lcols) == 1:
            return column_line(self.source, (rb.schema1 or "public", str(rb.table1)), lcols[0])
        return ref_line(self.source, [str(rb.table1), *lcols, str(rb.table2), *rcols])

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
        fk = DraftForeignKey(
            name=str(name), child=child, child_columns=ccols, parent=parent,
            parent_columns=pcols, cardinality=cardinality, comment=str(rb.comment or ""),
            on_delete=_ACTIONS.get(str(rb.on_delete or "").lower(), "UNSPECIFIED"),
            on_update=_ACTIONS.get(str(rb.on_update or "").lower(), "UNSPECIFIED"),
            file=self.file, line=self.ref_line(rb))
        if not rb.name:
            self.chosen_fk_names.add(id(fk))
        self.d.fks.append(fk)

    # -- foreign keys PostgreSQL refuses -----------------------------------------------
    def fk_targets(self) -> None:
        """A PostgreSQL foreign key references a primary key or a unique constraint; DBML's
        references may point at any column. References that name the columns of one key of
        the same parent one by one (``a.x > b.x`` and ``a.y > b.y`` for b's key (x, y)) become
        one composite foreign key; any other reference to columns that are no key is left
        out. Both are reported at the reference's line."""
        bad: dict[tuple[QName, QName], list[DraftForeignKey]] = {}
        for fk in self.d.fks:
            child, parent = self.d.tables.get(fk.child), self.d.tables.get(fk.parent)
            if child is None or parent is None or not fk.parent_columns \
                    or any(c not in parent.columns for c in fk.parent_columns) \
                    or any(c not in child.columns for c in fk.child_columns) \
                    or len(fk.child_columns) != len(fk.parent_columns):
                continue  # the builder reports what does not resolve
            if set(fk.parent_columns) not in [set(k) for k in _keys(parent)]:
                bad.setdefault((fk.child, fk.parent), []).append(fk)
        if not bad:
            return
        replaced: dict[int, DraftForeignKey | None] = {}
        for (child_q, parent_q), fks in bad.items():
            for key in _keys(self.d.tables[parent_q]):
                merged = self._merged(child_q, parent_q, key, fks)
                if merged is not None:
                    fk, parts = merged
                    replaced.update({id(p): None for p in parts})
                    replaced[id(parts[0])] = fk
                    fks = [f for f in fks if f not in parts]
            for fk in fks:
                replaced[id(fk)] = None
                self._release(fk)
                self.d.warn(fk.file, fk.line, "unsupported", f"reference {_fk_text(fk)} left "
                            "out: a PostgreSQL foreign key references a primary key or a unique "
                            f"constraint, and ({', '.join(fk.parent_columns or ())}) of "
                            f"{_label(parent_q)} is neither")
        kept: list[DraftForeignKey] = []
        for fk in self.d.fks:
            new = replaced.get(id(fk), fk)
            if new is not None:
                kept.append(new)
        self.d.fks = kept

    def _merged(self, child: QName, parent: QName, key: list[str],
                fks: list[DraftForeignKey]) -> tuple[DraftForeignKey, list[DraftForeignKey]] | None:
        """One FK for the references among ``fks`` that name the columns of ``key`` one by
        one, or None. Each key column comes from one child column: where several refer to it,
        the one of the same name; else which one is meant is unknown (None)."""
        candidates: dict[str, set[str]] = {}
        for f in fks:
            if set(f.parent_columns or ()) <= set(key):
                for c, pc in zip(f.child_columns, f.parent_columns or (), strict=True):
                    candidates.setdefault(pc, set()).add(c)
        pairs: dict[str, str] = {}
        for pc, cs in candidates.items():
            chosen = cs if len(cs) == 1 else cs & {pc}
            if len(chosen) != 1:
                return None
            pairs[pc] = chosen.pop()
        if set(pairs) != set(key):
            return None
        parts = [f for f in fks if set(f.parent_columns or ()) <= set(key) and all(
            pairs[pc] == c for c, pc in zip(f.child_columns, f.parent_columns or (),
                                            strict=True))]
        if len(parts) < 2:
            return None
        actions = {(f.on_delete, f.on_update) for f in parts}
        same = len(actions) == 1
        on_delete, on_update = min(actions) if same else ("UNSPECIFIED", "UNSPECIFIED")
        ccols = [pairs[k] for k in key]
        for f in parts:
            self._release(f)
        name = choose_constraint_name(self.d, child[0], child[1], name_addition(ccols), "fkey")
        fk = DraftForeignKey(
            name=name, child=child, child_columns=ccols, parent=parent, parent_columns=key,
            on_delete=on_delete, on_update=on_update,
            comment="\n".join(f.comment for f in parts if f.comment), file=parts[0].file,
            line=parts[0].line)
        self.chosen_fk_names.add(id(fk))
        differ = "" if same else "; their actions differ: left unspecified"
        self.d.warn(fk.file, fk.line, "approximation", f"references "
                    f"{', '.join(_fk_text(f) for f in parts)} name the columns of a key of "
                    f"{_label(parent)} one by one: one foreign key {name} ({', '.join(ccols)}) "
                    f"> ({', '.join(key)}){differ}")
        return fk, parts

    def _release(self, fk: DraftForeignKey) -> None:
        """Free the name chosen for ``fk`` (not one the input gave it)."""
        if id(fk) in self.chosen_fk_names:
            self.d.release_con(fk.child[0], fk.name)

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


def _keys(table: DraftTable) -> list[list[str]]:
    """Column lists a foreign key may reference: the primary key, then unique constraints
    and unique indexes on plain columns without a predicate."""
    keys = [list(table.pk_columns)] if table.pk_columns else []
    keys += [list(u.columns) for u in table.uniques]
    keys += [[str(p.column) for p in ix.parts] for ix in table.indexes
             if ix.unique and ix.where is None and all(p.column for p in ix.parts)]
    return keys


def _label(q: QName) -> str:
    return q[1] if q[0] == "public" else f"{q[0]}.{q[1]}"


def _fk_text(fk: DraftForeignKey) -> str:
    def side(q: QName, cols: list[str]) -> str:
        return f"{_label(q)}.{cols[0]}" if len(cols) == 1 else \
            f"{_label(q)}.({', '.join(cols)})"

    return f"{side(fk.child, fk.child_columns)} > {side(fk.parent, fk.parent_columns or [])}"


def _enum_type(enum: DraftEnum, dims: int) -> m.ColumnType:
    qname = enum.name if enum.namespace == "public" else f"{enum.namespace}.{enum.name}"
    return m.ColumnType(kind="enum", name=qname, array_dims=dims, ref=_enum_uid(enum))


def _enum_uid(enum: DraftEnum) -> str:
    from modeler.importers.build import type_uid

    return type_uid("enum", enum.namespace, enum.name)
