"""Alembic revision rendering: valid, deterministic, ruff-clean Python; safe forms on existing
tables; and real upgrade → downgrade → upgrade runs on PostgreSQL."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modeler.codegen.metadata import metadata_from_schema
from modeler.codegen.migration import render_revision
from modeler.schema import model as m
from modeler.schema.builder import SchemaBuilder
from tests.pgtemp import PgServer
from tests.strategies import schema_pairs, schemas

ENV_PY = '''\
from alembic import context
from sqlalchemy import create_engine, pool

engine = create_engine(context.config.get_main_option("sqlalchemy.url"),
                       poolclass=pool.NullPool)
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=None)
    with context.begin_transaction():
        context.run_migrations()
engine.dispose()
'''

LEFTOVERS = """
SELECT 'relation ' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_%'
   AND c.relname NOT LIKE 'alembic_version%'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
UNION ALL
SELECT 'type ' || t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_%'
   AND t.typtype IN ('e', 'd') AND NOT EXISTS (
       SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e')
UNION ALL
SELECT 'function ' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_%'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
UNION ALL
SELECT 'schema ' || nspname FROM pg_namespace
 WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'public')
   AND nspname NOT LIKE 'pg_%'
UNION ALL
SELECT 'extension ' || extname FROM pg_extension WHERE extname <> 'plpgsql'
ORDER BY 1
"""


# --- designs -------------------------------------------------------------------------------------

def v1() -> m.Schema:
    b = SchemaBuilder()
    b.enum("order_status", ["new", "paid"])
    c = b.table("customer", comment="People who buy things")
    c.column("id", "bigint", identity="always", pk=True)
    c.column("email", "varchar", length=320, comment="Login; it's unique")
    c.timestamps()
    c.index("email", unique=True)
    o = b.table("order")  # a reserved word: every identifier must be quoted
    o.column("id", "bigint", identity="always", pk=True)
    o.column("customer_id", "bigint")
    o.column("status", enum="order_status", default="'new'")
    o.column("total", "numeric", precision=10, scale=2, default="0")
    o.column("id_x2", "bigint", generated="id * 2", nullable=True)
    o.check("ck_order_total_positive", "total >= 0")
    b.table("legacy_note").column("id", "integer", pk=True).column("body", "text")
    b.relationship("order", ["customer_id"], "customer", on_delete="CASCADE")
    return b.build()


def _table(s: m.Schema, name: str) -> m.Table:
    t = s.table_named(name)
    assert t is not None
    return t


def _put(s: m.Schema, t: m.Table) -> m.Schema:
    return m.normalized(replace(s, tables=tuple(t if x.uid == t.uid else x for x in s.tables)))


def v2(s: m.Schema) -> m.Schema:
    """Rename a column, add a NOT NULL column, an index, a unique, a check, an FK column,
    an enum value; drop a table."""
    customer = _table(s, "customer")
    cols = tuple(replace(c, name="email_address") if c.name == "email" else c
                 for c in customer.columns)
    cols += (m.Column("col-country", "country", m.ColumnType(name="char", length=2)),)
    customer = replace(customer, columns=cols, indexes=(*customer.indexes, m.Index(
        "ix-country", "ix_customer_country", (m.IndexPart(column="col-country"),),
        where="country <> 'XX'", comment="For the regional report")))
    s = _put(s, customer)
    order = _table(s, "order")
    order = replace(order, columns=tuple(
        replace(c, generated="id * 3") if c.name == "id_x2" else c for c in order.columns))
    order = replace(order, columns=(*order.columns, m.Column(
        "col-ref", "ref", m.ColumnType(name="uuid"), default="gen_random_uuid()")),
        uniques=(m.UniqueConstraint("uq-ref", "uq_order_ref", ("col-ref",)),),
        checks=(*order.checks, m.CheckConstraint("ck-ref", "ck_order_ref_set",
                                                 "ref IS NOT NULL")))
    s = _put(s, order)
    enum = s.enums[0]
    enum = replace(enum, values=(enum.values[0], m.EnumValue("v-cancelled", "cancelled"),
                                 *enum.values[1:]))
    return m.normalized(replace(s, enums=(enum,), tables=tuple(
        t for t in s.tables if t.name != "legacy_note")))


def v3(s: m.Schema) -> m.Schema:
    """Remove an enum value, retype a column, rename a table, change the PK name, a domain, a
    sequence, a namespace, an extension, and the trigger setting."""
    enum = replace(s.enums[0], values=tuple(v for v in s.enums[0].values
                                            if v.label != "cancelled"))
    customer = _table(s, "customer")
    customer = replace(customer, name="client", pk_name="client_pk", comment="", columns=tuple(
        replace(c, type=m.ColumnType(name="text")) if c.name == "email_address" else c
        for c in customer.columns))
    dom = m.Domain("dom-money", "money_amount", m.ColumnType(name="numeric", precision=12,
                                                             scale=2),
                   checks=(m.DomainCheck("money_amount_positive", "VALUE >= 0"),))
    audit = m.Table("t-audit", "audit", namespace="ops", columns=(
        m.Column("c-a-id", "id", m.ColumnType(name="bigint"), pk_order=1),
        m.Column("c-a-amount", "amount", m.ColumnType(kind="domain", ref="dom-money"),
                 nullable=True),
        m.Column("c-a-name", "name", m.ColumnType(name="citext"), nullable=True)))
    seq = m.Sequence("seq-audit", "audit_id_seq", namespace="ops", start=10,
                     owned_by_table="t-audit", owned_by_column="c-a-id")
    s = _put(s, customer)
    order = _table(s, "order")
    s = _put(s, replace(order, columns=tuple(
        replace(c, generated=None) if c.name == "id_x2" else c for c in order.columns)))
    return m.normalized(replace(
        s, enums=(enum,), domains=(dom,), sequences=(seq,), tables=(*s.tables, audit),
        extensions=(m.Extension("ext-citext", "citext"),),
        settings=replace(s.settings, updated_at_mode="orm")))


def revisions(*designs: m.Schema, safe: bool = True) -> list[tuple[str, str]]:
    out, prev = [], m.Schema()
    for n, design in enumerate(designs, start=1):
        rev = f"{n:04d}"
        out.append((rev, render_revision(
            old=prev, new=design, revision=rev, down_revision=f"{n - 1:04d}" if n > 1 else None,
            message=f"Version {n}", created="2024-05-01 12:00:00",
            notes=("NM-01 waived: legacy names",), existing_tables_safe=safe)))
        prev = design
    return out


# --- text ----------------------------------------------------------------------------------------

def test_first_revision_creates_everything() -> None:
    (_, text), = revisions(v1())
    compile(text, "0001.py", "exec")
    assert text.startswith('"""Version 1\n\nRevision ID: 0001\nRevises:\n')
    assert "- create table customer (4 columns)" in text
    assert "Notes and waivers:\n- NM-01 waived: legacy names" in text
    assert 'op.execute("CREATE TYPE order_status AS ENUM (\'new\', \'paid\')")' in text
    assert 'sa.Column("id", sa.BigInteger(), sa.Identity(always=True), nullable=False)' in text
    assert 'postgresql.ENUM("new", "paid", name="order_status", create_type=False)' in text \
        or "postgresql.ENUM('new', 'paid', name='order_status', create_type=False)" in text
    assert 'sa.PrimaryKeyConstraint("id", name=op.f("pk_customer"))' in text
    assert 'ondelete="CASCADE"' in text
    assert "CREATE TRIGGER trg_customer_updated_at" in text
    upgrade, downgrade = text.split("def downgrade")
    assert "lock_timeout" not in upgrade  # nothing existed before
    assert "autocommit_block" not in upgrade
    assert 'op.drop_table("order")' in downgrade
    assert 'op.execute("DROP TYPE order_status")' in downgrade
    assert downgrade.index("DROP FUNCTION IF EXISTS set_updated_at()") < downgrade.index(
        "DROP TYPE")


def test_rendering_is_deterministic() -> None:
    a, b = v1(), v2(v1())
    assert revisions(a, b) == revisions(a, b)


def test_existing_tables_get_safe_forms() -> None:
    text = revisions(v1(), v2(v1()))[1][1]
    compile(text, "0002.py", "exec")
    upgrade = text.split("def downgrade")[0]
    body = upgrade.split("def upgrade() -> None:\n")[1].splitlines()
    assert body[:2] == ['    op.execute("SET lock_timeout = \'5s\'")',
                        '    op.execute("SET statement_timeout = \'15min\'")']
    assert body[-3] == '    op.execute("RESET lock_timeout")'
    assert "with op.get_context().autocommit_block():" in upgrade
    assert "postgresql_concurrently=True" in upgrade
    assert "ALTER TYPE order_status ADD VALUE IF NOT EXISTS 'cancelled' BEFORE 'paid'" in upgrade
    assert 'CHECK (ref IS NOT NULL) NOT VALID' in upgrade
    assert 'VALIDATE CONSTRAINT ck_order_ref_set' in upgrade
    assert 'op.alter_column("customer", "email", new_column_name="email_address")' in upgrade
    # NOT NULL column without default: a constant fills the rows, then the default goes
    assert 'server_default=sa.text("\'\'")' in upgrade
    assert 'op.alter_column("customer", "country", server_default=None)' in upgrade
    assert 'op.drop_table("legacy_note")' in upgrade
    assert "- (destructive) drop table legacy_note" in text


def test_plain_forms_when_safety_is_off() -> None:
    text = revisions(v1(), v2(v1()), safe=False)[1][1]
    assert "lock_timeout" not in text
    assert "NOT VALID" not in text
    assert "postgresql_concurrently" not in text
    assert "autocommit_block" in text  # ADD VALUE still needs its own transaction
    assert 'op.create_check_constraint(op.f("ck_order_ref_set"), "order", "ref IS NOT NULL")' \
        in text


def test_generated_files_are_ruff_clean(tmp_path: Path) -> None:
    for rev, text in revisions(v1(), v2(v1()), v3(v2(v1()))):
        (tmp_path / f"{rev}_x.py").write_text(text)
    ruff = Path(sys.executable).parent / "ruff"
    proc = subprocess.run([str(ruff), "check", "--isolated", "--line-length", "100",
                           "--select", "E,F,W,I,UP,B", str(tmp_path)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


# --- real database --------------------------------------------------------------------------------

def _alembic(root: Path, url: str, revs: Sequence[tuple[str, str]]) -> Config:
    (root / "versions").mkdir(parents=True)
    (root / "env.py").write_text(ENV_PY)
    for rev, text in revs:
        (root / "versions" / f"{rev}_design.py").write_text(text)
    cfg = Config()
    cfg.set_main_option("script_location", str(root))
    cfg.set_main_option("sqlalchemy.url", url.replace("postgresql://", "postgresql+psycopg://"))
    return cfg


def _leftovers(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [row[0] for row in conn.execute(LEFTOVERS)]


def _columns(url: str, table: str) -> list[tuple[str, str, str]]:
    with psycopg.connect(url) as conn:
        return [tuple(r) for r in conn.execute(
            "SELECT column_name, data_type, is_nullable FROM information_schema.columns "
            "WHERE table_name = %s ORDER BY ordinal_position", (table,))]


@pytest.mark.postgres
def test_upgrade_downgrade_upgrade_on_postgres(pg_url: str, tmp_path: Path) -> None:
    a = v1()
    b = v2(a)
    c = v3(b)
    cfg = _alembic(tmp_path / "migrations", pg_url, revisions(a, b, c))
    command.upgrade(cfg, "0002")
    assert ("country", "character", "NO") in _columns(pg_url, "customer")
    assert "email_address" in [col[0] for col in _columns(pg_url, "customer")]
    with psycopg.connect(pg_url) as conn:
        conn.execute("INSERT INTO customer (email_address, country) VALUES ('a@b', 'NL')")
        conn.execute("INSERT INTO \"order\" (customer_id, status) SELECT id, 'paid' "
                     "FROM customer")
    command.downgrade(cfg, "0001")  # data survives: columns renamed back, not recreated
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT email FROM customer").fetchall() == [("a@b",)]
        assert conn.execute("SELECT status::text FROM \"order\"").fetchall() == [("paid",)]
        conn.execute("DELETE FROM \"order\"")
    command.upgrade(cfg, "head")
    assert "client" in [r.split()[-1] for r in _leftovers(pg_url)]
    command.downgrade(cfg, "base")
    assert _leftovers(pg_url) == []  # only alembic_version is left
    command.upgrade(cfg, "head")
    command.downgrade(cfg, "0002")
    command.upgrade(cfg, "head")


@pytest.mark.postgres
def test_migrated_database_matches_the_models(pg_url: str, tmp_path: Path) -> None:
    """What ``alembic check`` does: autogenerate finds nothing between the migrated database
    and the models' metadata, after renames, safe forms, enum and domain changes."""
    designs = [v1()]
    designs += [v2(designs[-1])]
    designs += [v3(designs[-1])]
    cfg = _alembic(tmp_path / "migrations", pg_url, revisions(*designs))
    engine = sa.create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        for n, design in enumerate(designs, start=1):
            command.upgrade(cfg, f"{n:04d}")
            metadata = metadata_from_schema(design)
            with engine.connect() as conn:
                ctx = MigrationContext.configure(conn, opts={
                    "compare_type": True, "include_schemas": True,
                    "include_name": lambda name, type_, _: name != "alembic_version"})
                assert compare_metadata(ctx, metadata) == [], f"version {n}"
    finally:
        engine.dispose()


def _for_server(schema: m.Schema, url: str) -> m.Schema:
    """The design targeted at the test server's major version (a design for PostgreSQL 17
    may use syntax an older server rejects)."""
    import dataclasses

    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute("SHOW server_version_num").fetchone()
    major = int(row[0]) // 10000 if row else 15
    pg = min(schema.settings.pg_version, major)
    return dataclasses.replace(schema, settings=dataclasses.replace(schema.settings,
                                                                    pg_version=pg))


@pytest.mark.postgres
@settings(max_examples=12, suppress_health_check=[HealthCheck.too_slow])
@given(pair=schema_pairs(), seed=st.integers(0, 1))
def test_generated_designs_migrate_both_ways(pg_server: PgServer,
                                            pair: tuple[m.Schema, m.Schema],
                                            seed: int) -> None:
    migrate_both_ways(pg_server, *pair, safe=bool(seed))


def migrate_both_ways(pg_server: PgServer, a: m.Schema, b: m.Schema, *, safe: bool) -> None:
    """``a`` then ``b`` as two revisions on a new database: up, down to the first, up
    again, down to empty (nothing left behind)."""
    url = pg_server.create_database()
    a, b = (_for_server(s, url) for s in (a, b))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            cfg = _alembic(Path(tmp) / "migrations", url, revisions(a, b, safe=safe))
            command.upgrade(cfg, "head")
            command.downgrade(cfg, "0001")
            command.upgrade(cfg, "head")
            command.downgrade(cfg, "base")
            assert _leftovers(url) == []
    finally:
        pg_server.drop_database(url)


@pytest.mark.postgres
@settings(max_examples=8, suppress_health_check=[HealthCheck.too_slow])
@given(design=schemas())
def test_generated_design_creates_and_drops(pg_server: PgServer, design: m.Schema) -> None:
    url = pg_server.create_database()
    design = _for_server(design, url)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            cfg = _alembic(Path(tmp) / "migrations", url, revisions(design))
            command.upgrade(cfg, "head")
            command.downgrade(cfg, "base")
            assert _leftovers(url) == []
    finally:
        pg_server.drop_database(url)
