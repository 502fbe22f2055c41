"""State shared by the statement handlers while one script is imported."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from modeler.importers.draft import Draft, DraftDomain, DraftEnum, DraftTable, QName


class LineIndex:
    """Character offset → 1-based line number for one file."""

    def __init__(self, text: str) -> None:
        self.starts = [0]
        pos = text.find("\n")
        while pos >= 0:
            self.starts.append(pos + 1)
            pos = text.find("\n", pos + 1)

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)


@dataclass
class Statement:
    """The statement being handled: where it is, and the text it was parsed from."""

    file: str
    line: int | None
    sql: str  # without leading comments or the trailing semicolon
    src: str = ""  # the exact string handed to the parser (AST locations index into it)
    tokens: tuple[list[int], list[str]] | None = None  # scanner tokens of src, on demand


@dataclass
class Context:
    """The draft plus the session state a psql script changes (search_path)."""

    draft: Draft = field(default_factory=Draft)
    search_path: list[str] = field(default_factory=lambda: ["public"])
    stmt: Statement = field(default_factory=lambda: Statement("", 0, ""))
    functions: dict[QName, str] = field(default_factory=dict)  # body, for trigger checks
    # views, partitions... by name: statements on them are kept as SQL with them
    raw_relations: dict[QName, str] = field(default_factory=dict)

    # -- reporting -------------------------------------------------------------------------
    def warn(self, kind: str, message: str, *, with_sql: bool = True) -> None:
        sql = self.stmt.sql if with_sql else None
        if sql is not None and len(sql) > 2000:
            sql = sql[:2000] + " ..."
        self.draft.warn(self.stmt.file, self.stmt.line, kind, message, sql)

    def keep_raw(self, kind: str, namespace: str, name: str, why: str | None = None) -> None:
        """Keep the current statement as a RawObject (replayed by the export) and say so."""
        self.draft.add_raw(kind, namespace, name, self.stmt.sql + ";")
        label = f"{namespace}.{name}" if name else namespace
        self.warn("raw-object", why or f"{kind} {label} is not modelled; kept as SQL")

    def count(self, what: str) -> None:
        self.draft.counts[what] += 1

    # -- names ---------------------------------------------------------------------------
    @property
    def default_ns(self) -> str:
        return self.search_path[0] if self.search_path else "public"

    def namespaces(self, schemaname: str | None) -> list[str]:
        if schemaname:
            return [schemaname]
        return self.search_path or ["public"]

    def create_ns(self, schemaname: str | None) -> str:
        return schemaname or self.default_ns

    def find_table(self, rangevar: Any) -> DraftTable | None:
        """The draft table a RangeVar names, following search_path."""
        return self.find_table_named(rangevar.schemaname, rangevar.relname)

    def find_table_named(self, schema: str | None, name: str) -> DraftTable | None:
        for ns in self.namespaces(schema):
            t = self.draft.tables.get((ns, name))
            if t is not None:
                return t
        return None

    def table_qname(self, rangevar: Any) -> QName:
        """Where a RangeVar points: an existing table, else its spelled/first namespace."""
        t = self.find_table(rangevar)
        return t.qname if t is not None else (self.create_ns(rangevar.schemaname),
                                              rangevar.relname)

    def raw_relation(self, rangevar: Any) -> tuple[str, str, str] | None:
        """(kind, namespace, name) when a RangeVar names a view, partition... kept as SQL."""
        for ns in self.namespaces(rangevar.schemaname):
            kind = self.raw_relations.get((ns, rangevar.relname))
            if kind is not None:
                return kind, ns, rangevar.relname
        return None

    def find_type(self, names: list[str]) -> DraftEnum | DraftDomain | None:
        """A user-defined enum or domain named by a (possibly qualified) type name."""
        if len(names) > 2:
            names = names[-2:]
        schema, name = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        for ns in self.namespaces(schema):
            found = self.draft.enums.get((ns, name)) or self.draft.domains.get((ns, name))
            if found is not None:
                return found
        return None
