"""What an importer returns (or raises).

Importers are pure functions of their input: they return an :class:`ImportResult` holding the
snapshot, the list of things they could not represent (each with file and line), and counts;
or they raise :class:`SchemaImportError` for input they cannot read at all. Nothing is ever
half-imported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from modeler.schema.model import Schema


@dataclass(frozen=True, slots=True)
class ImportWarning:
    """Something in the input that the model does not represent, or represents approximately.

    ``kind`` is a short machine-readable category (``raw-object``, ``unsupported``,
    ``unresolved``, ``approximation``, ``ignored``); ``message`` is one line for people;
    ``sql`` is the statement (or DBML fragment) concerned, when there is one.
    """

    file: str
    line: int | None
    kind: str
    message: str
    sql: str | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.kind}: {self.message}"


@dataclass(frozen=True, slots=True)
class ImportResult:
    """A successful import: the snapshot, warnings in input order, and counts.

    ``counts`` holds the snapshot's ``tables``, ``columns``, ``relationships``, ``indexes``,
    ``primary_keys``, ``unique_constraints``, ``check_constraints``, ``enums``, ``domains``,
    ``sequences``, ``extensions``, ``raw_objects`` and ``warnings``; SQL imports add
    ``statements`` (parsed), ``data_statements`` (INSERT/COPY... skipped),
    ``ignored_statements`` (SET, owner, grant...), ``schemas`` and ``updated_at_triggers``
    (recognised and left to the export) when there were any.

    ``server_version``: a live import's PostgreSQL server, as ``server_version_num``
    (``160004`` for 16.4); None for files.
    """

    schema: Schema
    warnings: tuple[ImportWarning, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)
    server_version: int | None = None

    @property
    def empty(self) -> bool:
        """Nothing a design holds: no table, type, sequence, collation, extension or kept
        SQL (a script of types only is a design)."""
        s = self.schema
        return not (s.tables or s.enums or s.domains or s.sequences or s.collations
                    or s.extensions or s.raw_objects)


class SchemaImportError(ValueError):
    """Input that cannot be imported at all (syntax error, another SQL dialect, bad URL...)."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None,
                 statement: str | None = None) -> None:
        self.message = message
        self.file = file
        self.line = line
        self.statement = statement
        super().__init__(self._text())

    def _text(self) -> str:
        where = ""
        if self.file is not None:
            where = f"{self.file}:{self.line}: " if self.line is not None else f"{self.file}: "
        return f"{where}{self.message}"
