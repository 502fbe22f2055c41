"""DBML type names → column types.

Type names PostgreSQL does not have (``datetime``, ``bigint unsigned``, ``Code``) become the
nearest PostgreSQL type (:mod:`modeler.importers.typemap`); each distinct one is reported
once, at the line of its first use, with what it became and the columns concerned. Types of
extensions add the extension to the design; schema-qualified names that are not declared
(domains, which DBML cannot declare) are kept as written and reported.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from modeler.importers.dbml.names import pg_name
from modeler.importers.draft import Draft, DraftEnum, DraftTable
from modeler.importers.result import ImportWarning
from modeler.importers.sql.deparse import quote_ident
from modeler.importers.sql.types import SERIALS, builtin
from modeler.importers.typemap import TypeMapping, map_type
from modeler.schema import model as m
from modeler.schema.types import UNSIZED, canonical_key

_TYPE = re.compile(r"^\s*(?P<base>[^(\[]+?)\s*(?:\((?P<args>[^)]*)\))?"
                   r"(?P<tz>\s+with(?:out)?\s+time\s+zone)?\s*(?P<arr>(?:\[\s*\d*\s*\]\s*)*)$",
                   re.IGNORECASE)
_ARRAY_DIMS = re.compile(r"\[\s*\d*\s*\]")
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
    sql: str | None = None
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


def enum_type(enum: DraftEnum, dims: int) -> m.ColumnType:
    from modeler.importers.build import type_uid

    qname = enum.name if enum.namespace == "public" else f"{enum.namespace}.{enum.name}"
    return m.ColumnType(kind="enum", name=qname, array_dims=dims,
                        ref=type_uid("enum", enum.namespace, enum.name))


Resolved = tuple[m.ColumnType, str | None, TypeNote | None]


class TypeResolver:
    """Column types of DBML type names, with one warning per distinct reported type."""

    def __init__(self, draft: Draft) -> None:
        self.d = draft
        self.notes: dict[tuple[str, str], TypeNote] = {}
        self.cache: dict[tuple[str, bool], Resolved] = {}

    def column_type(self, text: str, autoinc: bool = False) -> Resolved:
        """The column type of a DBML type name, the serial pseudo-type it is (if one), and
        what to report about it. Enums are all known by then: the answer for one spelling is
        remembered."""
        found = self.cache.get((text, autoinc))
        if found is None:
            found = self.cache[(text, autoinc)] = self._column_type(text, autoinc)
        return found

    def _column_type(self, text: str, autoinc: bool) -> Resolved:
        match = _TYPE.match(text)
        if match is not None:
            base, args = match.group("base").strip(), match.group("args")
            dims = match.group("arr").count("[")
            quoted = base[1:-1] if base[:1] == base[-1:] == '"' and len(base) > 1 else None
            if quoted in UNSIZED or (base.lower() == "bpchar" and args is None):
                # "char" (quoted), "bit", bpchar: the type PostgreSQL reads, of any length
                if args is None and not match.group("tz"):
                    return m.ColumnType(kind="custom", name=UNSIZED[quoted or "bpchar"],
                                        array_dims=dims), None, None
                base = quoted or base  # "bit"(3): bit(3)
            enum = self.enum(base)
            if enum is not None and args is None:
                return enum_type(enum, dims), None, None
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
            enum = self.enum_elsewhere(base) if args is None else None
            if enum is not None:
                qname = f"{enum.namespace}.{enum.name}"
                return enum_type(enum, dims), None, TypeNote(
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

    def _qualified_type(self, custom: str, qualified: re.Match[str], dims: int,
                        autoinc: bool) -> Resolved:
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

    def enum(self, name: str) -> DraftEnum | None:
        """The enum a type name (``e``, ``s.e``) names, if the files declare it; a name
        with a dot that names no enum of a schema may be one enum's quoted name
        (``Enum "a.b"``: the reader has the type's text without its quotes)."""
        name = name.strip('"')
        if "." in name:
            schema, _, short = name.partition(".")
            found = self.d.enums.get((pg_name(schema.strip('"')), pg_name(short.strip('"'))))
            return found if found is not None else self.d.enums.get(("public", pg_name(name)))
        return self.d.enums.get(("public", pg_name(name)))

    def enum_of(self, ctype: m.ColumnType) -> DraftEnum | None:
        """The enum an enum column type refers to."""
        from modeler.importers.build import type_uid

        if ctype.kind != "enum":
            return None
        return next((e for e in self.d.enums.values()
                     if type_uid("enum", e.namespace, e.name) == ctype.ref), None)

    def enum_elsewhere(self, name: str) -> DraftEnum | None:
        """The one enum of the file named ``name`` in another schema than public."""
        if "." in name:
            return None
        found = [e for (ns, n), e in self.d.enums.items() if n == pg_name(name.strip('"'))]
        return found[0] if len(found) == 1 else None

    def note(self, text: str, ctype: m.ColumnType, note: TypeNote, table: DraftTable,
             column: str, file: str, line: int, sql: str | None) -> None:
        """Remember a reported type's use: one warning per distinct type (spelling and
        result), at its first use."""
        key = (_spelled(text).lower(), ctype.sql())
        seen = self.notes.get(key)
        if seen is None:
            seen = self.notes[key] = note
            note.file, note.line, note.sql = file, line, sql
            note.index = len(self.d.warnings)
            self.d.warn(note.file, note.line, note.kind, note.message, note.sql)
        label = table.name if table.namespace == "public" else \
            f"{table.namespace}.{table.name}"
        seen.columns.append(f"{label}.{column}")

    def report(self) -> None:
        """Complete the type warnings with the columns concerned; declare the extensions
        the types need."""
        for note in self.notes.values():
            if note.extension is not None:
                self.d.extensions.setdefault(note.extension, None)
            self.d.warnings[note.index] = ImportWarning(note.file, note.line, note.kind,
                                                        note.warning_text(), note.sql)
        self.notes.clear()
