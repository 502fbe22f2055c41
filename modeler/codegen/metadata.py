"""An in-memory SQLAlchemy ``MetaData`` for a schema snapshot.

Used for ``schema.sql`` (compiled through the PostgreSQL dialect) and by tests
(``create_all`` versus migrations). Column types are *the same expressions* the generated code
uses: the text from :func:`modeler.codegen.sqltypes.type_expr`, evaluated once per distinct
expression, so models, migrations and DDL cannot drift apart.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import conv

from modeler.codegen import extras, specs
from modeler.codegen.plan import ModelPlan, build_plan
from modeler.codegen.sqlwriter import expr as sql_expr
from modeler.schema.model import Schema, Table
from modeler.schema.naming import NAMING_CONVENTION
from modeler.schema.sqlexpr import partition_key


class _TypeFactory:
    """Evaluates type expressions (trusted: produced by our own renderer) with a cache."""

    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {}
        self.done_imports: set[str] = set()
        self.cache: dict[str, Any] = {}

    def __call__(self, expr: str, imports: frozenset[str]) -> Any:
        if expr not in self.cache:
            for line in sorted(imports - self.done_imports):
                exec(line, self.namespace)  # noqa: S102 - our own import lines
                self.done_imports.add(line)
            self.cache[expr] = eval(expr, self.namespace)  # noqa: S307 - our own expression
        return self.cache[expr]


def _element(e: specs.Element) -> Any:
    return sa.literal_column(e.sql) if isinstance(e, specs.SqlText) else e


def _kw(kwargs: tuple[tuple[str, specs.KwValue], ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in kwargs:
        if isinstance(v, specs.SqlText):
            out[k] = sa.literal_column(v.sql)
        elif k == "postgresql_ops":
            out[k] = dict(v)  # type: ignore[arg-type]  # postgresql_ops: pairs of (column, opclass)
        elif isinstance(v, tuple):
            out[k] = list(v)
        else:
            out[k] = v
    return out


def _column(plan: ModelPlan, types: _TypeFactory, table: Table, uid: str) -> sa.Column[Any]:
    c = table.column(uid)
    expr, imports = plan.type_exprs[uid]
    args: list[Any] = []
    if c.identity:
        options: dict[str, Any] = dict(specs.identity_kwargs(c))
        args.append(sa.Identity(always=c.identity == "always", **options))
    if c.generated:
        args.append(sa.Computed(sa.literal_column(sql_expr(c.generated)), persisted=True))
    if specs.needs_autoincrement_off(table, c):
        args_kw: dict[str, Any] = {"autoincrement": False}
    else:
        args_kw = {}
    return sa.Column(
        c.name, types(expr, imports), *args, **args_kw,
        nullable=c.nullable and not c.in_pk,
        server_default=(sa.literal_column(specs.server_default_sql(c.default))
                        if c.default is not None
                        else None),
        comment=c.comment or None)


def _table(plan: ModelPlan, types: _TypeFactory, md: sa.MetaData, table: Table) -> sa.Table:
    schema = plan.schema
    cols = [_column(plan, types, table, c.uid) for c in table.columns]
    items: list[Any] = []
    if table.primary_key:
        items.append(sa.PrimaryKeyConstraint(*(c.name for c in table.primary_key),
                                             name=specs.primary_key_name(table)))
    for u in table.uniques:
        kw: dict[str, Any] = {}
        if u.nulls_not_distinct:
            kw["postgresql_nulls_not_distinct"] = True
        if u.deferrable:
            kw["deferrable"] = True
            kw["initially"] = "DEFERRED" if u.initially_deferred else "IMMEDIATE"
        items.append(sa.UniqueConstraint(*(schema.column(c).name for c in u.columns),
                                         name=u.name, **kw))
    items += [sa.CheckConstraint(sa.literal_column(sql_expr(ck.expression)), name=conv(ck.name))
              for ck in table.checks]

    def by_name(uid: str) -> str:
        return schema.column(uid).name

    for i in table.indexes:
        spec = specs.index_spec(schema, i, by_name)
        items.append(sa.Index(spec.name, *(_element(e) for e in spec.elements),
                              unique=spec.unique, **_kw(spec.kwargs)))
    ns = None if table.namespace == "public" else table.namespace
    options: dict[str, Any] = {}
    if table.partition_by is not None:
        options["postgresql_partition_by"] = partition_key(table.partition_by)
    return sa.Table(table.name, md, *cols, *items, schema=ns, comment=table.comment or None,
                    **options)


def _add_foreign_keys(plan: ModelPlan, tables: dict[str, sa.Table]) -> None:
    schema = plan.schema
    for rp in plan.rels:
        spec = specs.fk_spec(schema, rp.rel, lambda uid: schema.column(uid).name,
                             use_alter=rp.use_alter)
        child, parent = tables[rp.rel.child_table], tables[rp.rel.parent_table]
        kw: dict[str, Any] = {}
        if spec.deferrable:
            kw["deferrable"] = True
            kw["initially"] = "DEFERRED" if spec.initially_deferred else "IMMEDIATE"
        if spec.match:
            kw["match"] = spec.match
        child.append_constraint(sa.ForeignKeyConstraint(
            list(spec.columns), [parent.c[n] for n in spec.ref_columns], name=spec.name,
            ondelete=spec.ondelete, onupdate=spec.onupdate, use_alter=spec.use_alter, **kw))


def _execute(statements: list[str]) -> Any:
    def listener(target: object, connection: sa.Connection, **kw: Any) -> None:
        for statement in statements:
            connection.exec_driver_sql(statement.replace("%", "%%"))

    return listener


def attach_ddl_events(md: sa.MetaData, schema: Schema) -> None:
    """Make ``create_all``/``drop_all`` also handle the objects of :mod:`extras`."""
    for event, stmts in (("before_create", extras.pre_create(schema)),
                         ("after_create", extras.post_create(schema)),
                         ("after_drop", extras.post_drop(schema))):
        if stmts:
            sa.event.listen(md, event, _execute(stmts))


def metadata_from_schema(schema: Schema, *, plan: ModelPlan | None = None,
                         ddl_events: bool = True) -> sa.MetaData:
    """Tables, constraints and indexes of ``schema`` on a ``MetaData`` carrying the naming
    convention; every constraint keeps the design's explicit name. With ``ddl_events``,
    ``create_all`` also creates namespaces, extensions, named types, sequences, comments on
    non-table objects and the ``updated_at`` triggers (see :mod:`modeler.codegen.extras`)."""
    plan = plan or build_plan(schema)
    md = sa.MetaData(naming_convention=dict(NAMING_CONVENTION))
    types = _TypeFactory()
    tables = {t.uid: _table(plan, types, md, t) for t in schema.tables}
    _add_foreign_keys(plan, tables)
    if ddl_events:
        attach_ddl_events(md, schema)
    return md
