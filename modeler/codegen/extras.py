"""DDL for what SQLAlchemy's table metadata does not create: namespaces, extensions,
collations, enum and domain types, standalone sequences, partitions being attached, the
``updated_at`` trigger, comments on types, collations, indexes and constraints.

The same statements are written into ``schema.sql`` and attached to the models' metadata as
``before_create`` / ``after_create`` DDL, so that ``Base.metadata.create_all()`` builds exactly
the catalog the migrations build (the export tests compare the two with ``pg_dump -s``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql

from modeler.schema.model import CheckConstraint, Collation, Schema, Table, UniqueConstraint

UPDATED_AT_FUNCTION = "set_updated_at"


def pg_dialect() -> Any:
    """SQLAlchemy's PostgreSQL dialect (its constructor is untyped, hence ``Any``)."""
    factory: Any = postgresql.dialect
    return factory()


_PREPARER = pg_dialect().identifier_preparer


def q(name: str) -> str:
    """A quoted-when-needed SQL identifier (``order`` → ``"order"``)."""
    return str(_PREPARER.quote(name))


def qn(namespace: str | None, name: str) -> str:
    """A schema-qualified identifier; ``public`` stays implicit."""
    return q(name) if namespace in (None, "", "public") else f"{q(namespace or '')}.{q(name)}"


def lit(value: str) -> str:
    """A SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def namespaces(schema: Schema) -> list[str]:
    """Non-public namespaces used by the design, sorted."""
    found = {t.namespace for t in schema.tables} | {e.namespace for e in schema.enums}
    found |= {d.namespace for d in schema.domains} | {s.namespace for s in schema.sequences}
    found |= {e.namespace for e in schema.extensions if e.namespace}
    found |= {c.namespace for c in schema.collations}
    return sorted(found - {"public", ""})


def updated_at_tables(schema: Schema) -> list[Table]:
    """Tables whose ``updated_at`` is maintained by the trigger (settings: trigger mode)."""
    if schema.settings.updated_at_mode != "trigger":
        return []
    return [t for t in schema.tables if t.column_named("updated_at") is not None]


def trigger_name(table: Table) -> str:
    return f"trg_{table.name}_updated_at"[:63]


def updated_at_function_sql() -> str:
    return (f"CREATE OR REPLACE FUNCTION {q(UPDATED_AT_FUNCTION)}() RETURNS trigger\n"
            "LANGUAGE plpgsql AS $$\nBEGIN\n    NEW.updated_at := now();\n"
            "    RETURN NEW;\nEND;\n$$")


def updated_at_trigger_sql(table: Table) -> str:
    return (f"CREATE TRIGGER {q(trigger_name(table))} BEFORE UPDATE ON "
            f"{qn(table.namespace, table.name)} FOR EACH ROW EXECUTE FUNCTION "
            f"{q(UPDATED_AT_FUNCTION)}()")


def collation_sql(c: Collation) -> str:
    """``CREATE COLLATION`` with the options the design holds (always schema-qualified)."""
    opts = [f"provider = {c.provider}"]
    for key, value in (("locale", c.locale), ("lc_collate", c.lc_collate),
                       ("lc_ctype", c.lc_ctype)):
        if value is not None:
            opts.append(f"{key} = {lit(value)}")
    if not c.deterministic:
        opts.append("deterministic = false")
    if c.rules is not None:
        opts.append(f"rules = {lit(c.rules)}")
    return f"CREATE COLLATION {c.ref} ({', '.join(opts)})"


def attach_sql(schema: Schema, table: Table) -> str:
    """``ALTER TABLE parent ATTACH PARTITION table <bound>``."""
    parent = schema.table(table.partition_of or "")
    return (f"ALTER TABLE {qn(parent.namespace, parent.name)} ATTACH PARTITION "
            f"{qn(table.namespace, table.name)} {table.partition_bound}")


def partitions_in_attach_order(schema: Schema) -> list[Table]:
    """The partitions, deepest first (as the differ attaches them)."""
    parts = [t for t in schema.tables if t.partition_of is not None]
    return sorted(parts, key=lambda t: (-schema.partition_depth(t.uid), t.namespace, t.name))


def pre_create(schema: Schema) -> list[str]:
    """Statements that must run before the tables are created."""
    out = [f"CREATE SCHEMA IF NOT EXISTS {q(ns)}" for ns in namespaces(schema)]
    for ext in schema.extensions:
        with_schema = f" WITH SCHEMA {q(ext.namespace)}" if ext.namespace else ""
        out.append(f"CREATE EXTENSION IF NOT EXISTS {q(ext.name)}{with_schema} CASCADE")
    out += [collation_sql(c) for c in schema.collations]
    for e in schema.enums:
        labels = ", ".join(lit(v) for v in e.labels)
        out.append(f"CREATE TYPE {qn(e.namespace, e.name)} AS ENUM ({labels})")
    for d in schema.domains:
        sql = f"CREATE DOMAIN {qn(d.namespace, d.name)} AS {d.base.sql(schema)}"
        if d.default is not None:
            sql += f" DEFAULT {d.default}"
        if d.not_null:
            sql += " NOT NULL"
        for ck in d.checks:
            sql += f" CONSTRAINT {q(ck.name)} CHECK ({ck.expression})"
        out.append(sql)
    for s in schema.sequences:
        sql = f"CREATE SEQUENCE {qn(s.namespace, s.name)} AS {s.data_type}"
        for word, value in (("INCREMENT BY", s.increment), ("MINVALUE", s.min_value),
                            ("MAXVALUE", s.max_value), ("START WITH", s.start),
                            ("CACHE", s.cache)):
            if value is not None:
                sql += f" {word} {value}"
        out.append(sql + (" CYCLE" if s.cycle else ""))
    return out


def post_create(schema: Schema) -> list[str]:
    """Statements that must run after the tables exist (partitions are created plain, with
    their own keys, indexes and FKs, and attached here)."""
    out = [attach_sql(schema, t) for t in partitions_in_attach_order(schema)]
    trig = updated_at_tables(schema)
    if trig:
        out.append(updated_at_function_sql())
        out += [updated_at_trigger_sql(t) for t in trig]
    for s in schema.sequences:
        if s.owned_by_table and s.owned_by_column:
            t, c = schema.table(s.owned_by_table), schema.column(s.owned_by_column)
            out.append(f"ALTER SEQUENCE {qn(s.namespace, s.name)} OWNED BY "
                       f"{qn(t.namespace, t.name)}.{q(c.name)}")
    out += comments(schema)
    return out


def comments(schema: Schema) -> list[str]:
    """COMMENT ON statements for types, domains, indexes and constraints (table and column
    comments travel with the table metadata)."""
    out = [f"COMMENT ON TYPE {qn(e.namespace, e.name)} IS {lit(e.comment)}"
           for e in schema.enums if e.comment]
    out += [f"COMMENT ON DOMAIN {qn(d.namespace, d.name)} IS {lit(d.comment)}"
            for d in schema.domains if d.comment]
    out += [f"COMMENT ON COLLATION {c.ref} IS {lit(c.comment)}"
            for c in schema.collations if c.comment]
    for t in schema.tables:
        target = qn(t.namespace, t.name)
        out += [f"COMMENT ON INDEX {qn(t.namespace, i.name)} IS {lit(i.comment)}"
                for i in t.indexes if i.comment]
        named: list[UniqueConstraint | CheckConstraint] = [*t.uniques, *t.checks]
        out += [f"COMMENT ON CONSTRAINT {q(c.name)} ON {target} IS {lit(c.comment)}"
                for c in sorted(named, key=lambda c: c.name) if c.comment]
    for r in schema.relationships:
        if r.comment:
            t = schema.table(r.child_table)
            out.append(f"COMMENT ON CONSTRAINT {q(r.name)} ON {qn(t.namespace, t.name)} "
                       f"IS {lit(r.comment)}")
    return out


def post_drop(schema: Schema) -> list[str]:
    """Statements that undo :func:`pre_create` / :func:`post_create` after the tables are gone
    (extensions and namespaces stay: other objects may use them)."""
    out: list[str] = []
    if updated_at_tables(schema):
        out.append(f"DROP FUNCTION IF EXISTS {q(UPDATED_AT_FUNCTION)}()")
    out += [f"DROP SEQUENCE IF EXISTS {qn(s.namespace, s.name)}"
            for s in reversed(schema.sequences)]
    out += [f"DROP DOMAIN IF EXISTS {qn(d.namespace, d.name)}" for d in reversed(schema.domains)]
    out += [f"DROP TYPE IF EXISTS {qn(e.namespace, e.name)}" for e in reversed(schema.enums)]
    out += [f"DROP COLLATION IF EXISTS {c.ref}" for c in reversed(schema.collations)]
    return out
