"""The rendering context of revision ops and the small helpers every op renderer uses."""

from __future__ import annotations

from dataclasses import dataclass, field

from modeler.codegen.migration_code import (
    lit,
)
from modeler.codegen.sqltypes import type_expr

# the one SQL writer's spellings, re-exported for the renderers
from modeler.codegen.sqlwriter import comment_sql as comment_sql
from modeler.codegen.sqlwriter import table_name
from modeler.schema import naming
from modeler.schema.model import (
    ColumnType,
    Schema,
    Table,
)


@dataclass
class RenderCtx:
    """Snapshots around the op being rendered, and what the revision has learnt so far."""

    before: Schema
    after: Schema
    existing: frozenset[str]  # uids of tables present when the revision starts
    safe: bool
    imports: set[str] = field(default_factory=set)
    touched: bool = False  # a statement locks a pre-existing table (safe mode only)
    # the revision's search_path when the design uses other namespaces than public: they
    # follow public, so that names written unqualified in expressions and kept SQL resolve
    # as they did where the design came from (see modeler.codegen.migration.render_ops)
    search_path: str | None = None

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
        self.imports |= imports
        return expr


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


