"""State shared by the statement handlers while one script is imported."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from typing import Any

from modeler.importers.draft import Draft, DraftDomain, DraftEnum, DraftTable, QName
from modeler.importers.sql.deparse import quote_ident


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


DEFAULT_PATH = '"$user", public'  # PostgreSQL's default search_path


@dataclass
class Context:
    """The draft plus the session state a psql script changes (search_path)."""

    draft: Draft = field(default_factory=Draft)
    # the schemas unqualified names are looked up in, in order ($user, pg_catalog left out)
    search_path: list[str] = field(default_factory=lambda: ["public"])
    # the same setting as PostgreSQL shows it (SHOW search_path): statements kept as SQL are
    # replayed under it (RawObject.search_path)
    path_setting: str = DEFAULT_PATH
    # ALTER DATABASE ... SET search_path: (setting, schemas, where); a new session starts so
    database_path: tuple[str, list[str], str] | None = None
    # where the last statement kept to be replayed verbatim was (a DO block, SELECT f()): a
    # table the model does not know may be one it creates
    replayed_at: str | None = None
    # the BEGIN (file, line) of a transaction the file has not ended yet
    open_transaction: tuple[str, int] | None = None
    stmt: Statement = field(default_factory=lambda: Statement("", 0, ""))
    functions: dict[QName, str] = field(default_factory=dict)  # body, for trigger checks
    # functions without parameters (LANGUAGE sql or plpgsql): (language, body), for calls
    no_arg_functions: dict[QName, tuple[str, str]] = field(default_factory=dict)
    # views, partitions... by name: statements on them are kept as SQL with them
    raw_relations: dict[QName, str] = field(default_factory=dict)
    # statements kept as SQL on a relation (an index, a trigger...): (kept, relation), so
    # that dropping the relation drops them too, as PostgreSQL does
    kept_on: list[tuple[Any, QName]] = field(default_factory=list)
    # the schemas CREATE SCHEMA made so far (and not dropped): a DO block's IF may ask
    schemas_made: set[str] = field(default_factory=set)

    # -- reporting -------------------------------------------------------------------------
    def warn(self, kind: str, message: str, *, with_sql: bool = True) -> None:
        sql = self.stmt.sql if with_sql else None
        if sql is not None and len(sql) > 2000:
            sql = sql[:2000] + " ..."
        self.draft.warn(self.stmt.file, self.stmt.line, kind, message, sql)

    def keep_raw(self, kind: str, namespace: str, name: str, why: str | None = None) -> None:
        """Keep the current statement as a RawObject (replayed by the export) and say so."""
        self.draft.add_raw(kind, namespace, name, self.stmt.sql + ";", self.path_setting)
        label = f"{namespace}.{name}" if name else namespace
        self.warn("raw-object", why or f"{kind} {label} is not modelled; kept as SQL")

    def keep_raw_on(self, relation: QName, kind: str, namespace: str, name: str,
                    why: str | None = None) -> None:
        """:meth:`keep_raw` for a statement on ``relation``, which takes it along when it
        is dropped (:meth:`drop_kept_on`)."""
        self.keep_raw(kind, namespace, name, why)
        self.kept_on.append((self.draft.raws[-1], relation))

    def drop_kept_on(self, relation: QName) -> None:
        """Drop the statements kept on ``relation`` (it is being dropped)."""
        gone = {id(raw) for raw, rel in self.kept_on if rel == relation}
        if gone:
            self.draft.raws = [r for r in self.draft.raws if id(r) not in gone]
            self.kept_on = [(raw, rel) for raw, rel in self.kept_on if id(raw) not in gone]

    def count(self, what: str) -> None:
        self.draft.counts[what] += 1

    # -- search_path -----------------------------------------------------------------------
    def set_path(self, names: list[str]) -> None:
        """``SET search_path``: ``names`` are the schemas exactly (``$user`` and
        ``pg_catalog`` included, where the setting has them)."""
        self.path_setting = ", ".join(quote_ident(n) for n in names)
        self.search_path = [n for n in names if n and n not in ("$user", "pg_catalog",
                                                                 "pg_temp")]

    def reset_path(self) -> None:
        """``RESET search_path``: the database's setting, else PostgreSQL's default."""
        if self.database_path is not None:
            self.path_setting, schemas, _ = self.database_path
            self.search_path = list(schemas)
        else:
            self.path_setting, self.search_path = DEFAULT_PATH, ["public"]

    def new_session(self, file: str) -> None:
        """Before a file after the first. Files are one script (session state carries over),
        but once the script set the database's search_path (ALTER DATABASE ... SET
        search_path, which only new sessions see) each file is taken to run in a session of
        its own, as such scripts are loaded (Evergreen's build-db.sh: one psql per file);
        when that changes the path, a warning says so."""
        if self.database_path is None or self.database_path[0] == self.path_setting:
            return
        before = self.path_setting
        self.reset_path()
        self.draft.warn(file, None, "approximation",
                        f"search_path taken to be the database's ({self.path_setting}, set by "
                        f"ALTER DATABASE at {self.database_path[2]}) from here on, as in a new "
                        f"psql session, not the {before} set before: files after one that "
                        "sets the database's search_path are taken to run one psql each")

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
