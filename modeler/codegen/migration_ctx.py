"""The rendering context of revision ops, the registry of op renderers, and the small
helpers every op renderer uses."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar, overload

from modeler.codegen.migration_code import (
    Stmt,
    lit,
)
from modeler.codegen.pysource import Imports
from modeler.codegen.sqltypes import type_expr

# the one SQL writer's spellings, re-exported for the renderers
from modeler.codegen.sqlwriter import comment_sql as comment_sql
from modeler.codegen.sqlwriter import table_name
from modeler.diff.base import Op
from modeler.schema import naming
from modeler.schema.model import (
    ColumnType,
    RawObject,
    Schema,
    Table,
)


class Namesakes:
    """The kept objects of one list (a design's ``raw_objects``) by kind, namespace and
    name, with their places: the ``earlier`` that ``migration_types.redefines`` needs for
    one of them (:meth:`before`), found without going through every object ahead of it. A
    downgrade dropping each of a design's kept objects did that for each: quadratic
    (musicbrainz's 593 kept objects: about a third of its Alembic revision's rendering).
    ``present``: which of them are still there (a static revision's drops take objects out
    of the list one by one: see ``migration.render_ops``); default all."""

    def __init__(self, raws: Sequence[RawObject],
                 present: Callable[[str], bool] | None = None) -> None:
        self.raws = raws
        self.present = present
        self.place: dict[str, int] = {}
        self.same: dict[tuple[str, str, str], list[int]] = {}
        for i, o in enumerate(raws):
            self.place.setdefault(o.uid, i)
            self.same.setdefault((o.kind, o.namespace, o.name), []).append(i)

    def before(self, obj: RawObject, at: int | None = None,
               prepare: Callable[[RawObject], RawObject] = lambda o: o) -> list[RawObject]:
        """The objects ahead of ``at`` (default: ``obj``'s first place in the list, else
        its end) that have ``obj``'s kind, namespace and name and are present, each through
        ``prepare``: of ``raws[:at]``, all that ``redefines`` looks at."""
        end = self.place.get(obj.uid, len(self.raws)) if at is None else at
        present = self.present
        return [prepare(self.raws[j]) for j in self.same.get((obj.kind, obj.namespace,
                                                                obj.name), ())
                if j < end and (present is None or present(self.raws[j].uid))]


class Deferred(Sequence[RawObject]):
    """A list of kept objects made the first time it is read (``make``): what a drop may
    need but rarely does (the objects around a view made again)."""

    def __init__(self, make: Callable[[], Sequence[RawObject]]) -> None:
        self._make = make
        self._items: Sequence[RawObject] | None = None

    def _got(self) -> Sequence[RawObject]:
        if self._items is None:
            self._items = self._make()
        return self._items

    @overload
    def __getitem__(self, i: int) -> RawObject: ...

    @overload
    def __getitem__(self, i: slice) -> Sequence[RawObject]: ...

    def __getitem__(self, i: int | slice) -> RawObject | Sequence[RawObject]:
        return self._got()[i]

    def __len__(self) -> int:
        return len(self._got())


@dataclass
class RenderCtx:
    """Snapshots around the op being rendered, and what the revision has learnt so far."""

    before: Schema
    after: Schema
    existing: frozenset[str]  # uids of tables present when the revision starts
    safe: bool
    imports: Imports = field(default_factory=Imports)  # what the statements so far need
    touched: bool = False  # a statement locks a pre-existing table (safe mode only)
    # the revision's search_path when the design uses other namespaces than public: they
    # follow public, so that names written unqualified in expressions and kept SQL resolve
    # as they did where the design came from (see modeler.codegen.migration.render_ops)
    search_path: str | None = None
    # a static revision's kept objects as they were at its start, and which are left (set
    # by migration.render_ops; see namesakes)
    kept: Namesakes | None = None
    _namesakes: Namesakes | None = field(default=None, repr=False, compare=False)

    def namesakes(self) -> Namesakes:
        """The kept objects of ``before`` by kind, namespace and name (:class:`Namesakes`),
        made once for each list of them (once per revision when it is static)."""
        if self.kept is not None:
            return self.kept
        raws = self.before.raw_objects
        if self._namesakes is None or self._namesakes.raws is not raws:
            self._namesakes = Namesakes(raws)
        return self._namesakes

    def is_safe(self, table_uid: str) -> bool:
        """Use the low-lock form on this table? (Records that the revision needs timeouts.)
        Never on a partitioned table: PostgreSQL builds no index CONCURRENTLY, adds no FK
        NOT VALID and no key USING INDEX there."""
        hit = self.safe and table_uid in self.existing and not self.partitioned(table_uid)
        self.touched = self.touched or hit
        return hit

    def partitioned(self, table_uid: str) -> bool:
        for schema in (self.before, self.after):
            try:
                if schema.table(table_uid).partition_by is not None:
                    return True
            except KeyError:
                pass
        return False

    def attached(self, table_uid: str) -> bool:
        """Is the table a partition before and after the op (its columns follow the
        parent's; its keys and indexes may be attached to the parent's)?"""
        try:
            return (self.before.table(table_uid).partition_of is not None
                    and self.after.table(table_uid).partition_of is not None)
        except KeyError:
            return False

    def type_code(self, ctype: ColumnType, collation: str | None = None) -> str:
        expr, imports = type_expr(ctype, self.after, collation)
        self.imports.add(*imports)
        return expr

    def take(self, stmts: list[Stmt]) -> list[Stmt]:
        """``stmts``, once the imports their calls need are recorded."""
        found = self.imports.lines
        for stmt in stmts:
            if not isinstance(stmt.code, str):  # a call (a text statement needs nothing)
                stmt.code.collect_imports(found)
        return stmts


# What an op does to the objects of the database, for a revision made of one kind only
# (see modeler.codegen.migration._static): "creates" and "drops" read the end (or start)
# state and need no snapshot of the moment; "either" (no SQL) fits both kinds of revision;
# "alters" needs the ops applied one by one.
OpKind = Literal["creates", "drops", "either", "alters"]
Renderer = Callable[[Any, RenderCtx], list[Stmt]]
R = TypeVar("R", bound=Renderer)


class MissingRenderer(LookupError):
    """An op class no renderer is registered for."""


class Renderers:
    """The upgrade renderer of each op class and its :data:`OpKind`, in the shape of
    Alembic's ``renderers.dispatch_for`` (``alembic/autogenerate/render.py``): a renderer
    takes the op and the :class:`RenderCtx` and returns statements; the downgrade renders the
    reversed ops with the same renderers."""

    def __init__(self) -> None:
        self._by_type: dict[type[Op], tuple[Renderer, OpKind]] = {}

    def dispatch_for(self, *op_types: type[Op], kind: OpKind) -> Callable[[R], R]:
        def register(fn: R) -> R:
            for op_type in op_types:
                if op_type in self._by_type:
                    raise ValueError(f"a renderer for {op_type.__name__} is registered already")
                self._by_type[op_type] = (fn, kind)
            return fn
        return register

    def _entry(self, op: Op) -> tuple[Renderer, OpKind]:
        for cls in type(op).__mro__:
            if cls in self._by_type:
                return self._by_type[cls]
        raise MissingRenderer(
            f"no migration renderer for op {type(op).__name__}: register one with "
            f"@RENDERERS.dispatch_for({type(op).__name__}, kind=...) in "
            "modeler/codegen/migration_ops.py")

    def render(self, op: Op, ctx: RenderCtx) -> list[Stmt]:
        """The statements of ``op`` (``ctx`` holds the snapshots around it), their imports
        recorded in ``ctx``."""
        return ctx.take(self._entry(op)[0](op, ctx))

    def kind(self, op: Op) -> OpKind:
        return self._entry(op)[1]

    def registered(self) -> frozenset[type[Op]]:
        return frozenset(self._by_type)


def pk_label(table: Table) -> str:
    return table.pk_name or naming.pk_name(table.name)


tq = table_name  # a table's name in raw SQL


def schema_kw(namespace: str | None, key: str = "schema") -> tuple[tuple[str, str], ...]:
    return () if namespace in (None, "", "public") else ((key, lit(namespace)),)


def f(name: str) -> str:
    """``op.f(name)``: the name is final, a naming convention must not touch it."""
    return f"op.f({lit(name)})"


def names_list(names: list[str] | tuple[str, ...]) -> str:
    return "[" + ", ".join(lit(n) for n in names) + "]"


