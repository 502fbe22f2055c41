"""What a DBML file says, element by element, before it becomes a design: tables with their
partials merged, references, enums, groups. Every element keeps its file and line, so every
warning about it can point there."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Default:
    """A column default: ``kind`` is ``str``, ``num``, ``bool``, ``null``, ``expr``
    (a backtick expression) or ``enum`` (``status.active``: ``value`` is the label and
    ``enum`` the enum's path as written)."""

    kind: str
    value: str
    line: int
    enum: tuple[str, ...] = ()


@dataclass
class Endpoint:
    """One side of a reference; ``table`` None: the column's own table (``ref: > col``)."""

    schema: str | None
    table: str | None
    columns: list[str]


@dataclass
class Ref:
    """``left op right``: ``>`` many-to-one, ``<`` one-to-many, ``-`` one-to-one, ``<>``
    many-to-many."""

    op: str
    left: Endpoint
    right: Endpoint
    file: str
    line: int
    name: str | None = None
    on_delete: str | None = None
    on_update: str | None = None
    inline: bool = False


@dataclass
class Column:
    name: str
    type: str  # as the converter reads it: ``varchar(255)``, ``s.my_enum``, ``int[][]``
    file: str
    line: int
    pk: bool = False
    unique: bool = False
    not_null: bool | None = None
    increment: bool = False
    default: Default | None = None
    note: str = ""
    refs: list[Ref] = field(default_factory=list)  # inline: the left side is this column
    checks: list[str] = field(default_factory=list)


@dataclass
class IndexPart:
    column: str | None = None
    expression: str | None = None


@dataclass
class Index:
    parts: list[IndexPart]
    file: str
    line: int
    unique: bool = False
    pk: bool = False
    name: str | None = None
    type: str | None = None
    note: str = ""


@dataclass
class Check:
    expression: str
    file: str
    line: int
    name: str | None = None
    column: str | None = None


@dataclass
class Injection:
    """``~partial`` in a table body, after ``position`` of the table's own columns."""

    name: str
    line: int
    position: int


@dataclass
class Table:
    """A ``Table`` or a ``TablePartial`` (``schema`` None for a partial)."""

    schema: str | None
    name: str
    file: str
    line: int
    alias: str | None = None
    color: str | None = None
    note: str | None = None
    columns: list[Column] = field(default_factory=list)
    indexes: list[Index] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)
    injections: list[Injection] = field(default_factory=list)


@dataclass
class EnumValue:
    label: str
    line: int
    note: str = ""


@dataclass
class Enum:
    schema: str
    name: str
    file: str
    line: int
    values: list[EnumValue] = field(default_factory=list)


@dataclass
class GroupMember:
    schema: str | None
    name: str
    line: int


@dataclass
class Group:
    name: str
    file: str
    line: int
    tables: list[GroupMember] = field(default_factory=list)
    note: str = ""
    color: str | None = None


@dataclass
class Project:
    name: str
    file: str
    line: int
    database_type: str = ""
    note: str = ""


@dataclass
class Problem:
    """Something the import reports (a warning of the import result)."""

    file: str
    line: int | None
    kind: str
    message: str


@dataclass
class Document:
    """Everything the files say, tables with their partials merged."""

    tables: list[Table] = field(default_factory=list)
    partials: dict[str, Table] = field(default_factory=dict)
    enums: list[Enum] = field(default_factory=list)
    refs: list[Ref] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    projects: list[Project] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def warn(self, file: str, line: int | None, kind: str, message: str) -> None:
        self.problems.append(Problem(file, line, kind, message))
