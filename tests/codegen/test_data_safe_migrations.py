"""Data-safe changes to tables that hold rows (issue #13): a column's backfill drives expand →
backfill → contract in the rendered revision, the revision runs on a database holding rows,
and without a backfill rule MG-09 blocks the version."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
from alembic import command

from modeler.codegen.bundle import build_bundle
from modeler.codegen.migration import render_revision
from modeler.codegen.versions import VersionInput
from modeler.importers import import_sql
from modeler.rules import Config, Level, lint
from modeler.rules.gates import version_gate
from modeler.schema import actions, edit, serialize, sqlexpr, validate
from modeler.schema import model as m
from tests.codegen import helpers as h
from tests.codegen.test_migration_render import _alembic, _leftovers, revisions
from tests.pgtemp import PgServer

V1_SQL = """
CREATE TABLE customer (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                       name text NOT NULL, nick text);
CREATE TABLE item (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, title text NOT NULL);
"""


def v1() -> m.Schema:
    return import_sql([("v1.sql", V1_SQL)]).schema


def _table(s: m.Schema, name: str) -> m.Table:
    t = s.table_named(name)
    assert t is not None
    return t


def v2(base: m.Schema, *, backfill: bool = True) -> m.Schema:
    """customer.nick becomes NOT NULL, customer.score is a new NOT NULL column, item gets a
    mandatory FK to customer (a new NOT NULL column); with ``backfill``, each has one."""
    cust, item = _table(base, "customer"), _table(base, "item")
    nick = cust.column_named("nick")
    assert nick is not None
    s = edit.put_column(base, cust.uid, replace(
        nick, nullable=False, backfill="name || '!'" if backfill else None))
    s = edit.put_column(s, cust.uid, m.Column(
        uid=actions.new_uid(), name="score", type=m.ColumnType(name="integer"),
        backfill="length(name)" if backfill else None))
    s, _ = actions.add_relationship(s, child_uid=item.uid, parent_uid=cust.uid)
    if backfill:
        col = _table(s, "item").column_named("customer_id")
        assert col is not None
        s = edit.put_column(s, item.uid, replace(col, backfill="1"))
    return m.normalized(s)


def _rows(url: str, sql: str) -> list[tuple[object, ...]]:
    with psycopg.connect(url) as conn:
        return [tuple(r) for r in conn.execute(sql)]  # type: ignore[arg-type]


def _insert_v1_rows(url: str) -> None:
    with psycopg.connect(url) as conn:
        conn.execute("INSERT INTO customer (name, nick) VALUES ('ada', NULL), "
                     "('grace', 'g'), ('linus', NULL)")
        conn.execute("INSERT INTO item (title) VALUES ('pen'), ('ink')")


# --- the expression layer and the model --------------------------------------------------------

def test_backfill_expressions_may_read_columns_but_not_query() -> None:
    assert sqlexpr.problem("lower(name) || '-' || id", "backfill",
                           columns=["id", "name"], table="t") is None
    assert "does not exist" in (sqlexpr.problem("nope", "backfill", columns=["id"],
                                                table="t") or "")
    for text, word in (("(SELECT 1)", "subquery"), ("max(id)", "aggregate"),
                       ("row_number() OVER ()", "window"),
                       ("generate_series(1, 2)", "set-returning")):
        assert word in (sqlexpr.problem(text, "backfill") or ""), text


def test_validation_checks_the_backfill_against_its_table() -> None:
    s = v2(v1())
    assert validate.expression_problems(s) == []
    cust = _table(s, "customer")
    score = cust.column_named("score")
    assert score is not None
    bad = edit.put_column(s, cust.uid, replace(score, backfill="missing_column + 1"))
    assert any("customer, column score: backfill" in p
               for p in validate.expression_problems(bad))


def test_backfill_and_expected_rows_serialize_and_old_documents_read() -> None:
    s = v2(v1())
    s = edit.put_table(s, replace(_table(s, "item"), expected_rows=5_000_000))
    again = serialize.loads(serialize.dumps(s))
    assert again == s
    assert _table(again, "item").expected_rows == 5_000_000
    score = _table(again, "customer").column_named("score")
    assert score is not None and score.backfill == "length(name)"
    old = serialize.to_dict(v1())  # a document written before the fields existed
    assert "backfill" not in json.dumps(old) and "expected_rows" not in json.dumps(old)
    read = serialize.from_dict(old)
    assert all(c.backfill is None for t in read.tables for c in t.columns)
    assert all(t.expected_rows is None for t in read.tables)


# --- the rendered revision ---------------------------------------------------------------------

def test_revision_expands_backfills_and_contracts() -> None:
    a = v1()
    text = render_revision(old=a, new=v2(a), revision="0002", down_revision="0001",
                           message="v2", created="2024-05-01 12:00:00")
    up, down = text.split("def downgrade() -> None:")
    steps = [
        # an existing column made NOT NULL: its NULL rows first
        "UPDATE customer SET nick = name || '!' WHERE nick IS NULL",
        "ALTER TABLE customer ALTER COLUMN nick SET NOT NULL",
        # a new NOT NULL column: added nullable, every row filled, then NOT NULL
        'op.add_column("customer", sa.Column("score", sa.Integer(), nullable=True))',
        "UPDATE customer SET score = length(name)",
        "ALTER TABLE customer ALTER COLUMN score SET NOT NULL",
        # a new mandatory FK: its column the same way, then the FK NOT VALID, validated
        "UPDATE item SET customer_id = 1",
        "ALTER TABLE item ALTER COLUMN customer_id SET NOT NULL",
        "FOREIGN KEY (customer_id)",
        "VALIDATE CONSTRAINT fk_item_customer_id_customer",
    ]
    flat = up.replace('"\n        "', "").replace("\n", " ")
    at = [flat.find(step) for step in steps]
    assert all(i >= 0 for i in at), [s for s, i in zip(steps, at, strict=True) if i < 0]
    assert at == sorted(at)
    assert "server_default" not in up  # no placeholder constant any more
    for step in ('op.drop_constraint(op.f("fk_item_customer_id_customer"), "item"',
                 'op.drop_column("item", "customer_id")', 'op.drop_column("customer", "score")',
                 'op.alter_column("customer", "nick", nullable=True)'):
        assert step in down
    assert "UPDATE customer" not in down and "UPDATE item" not in down


def test_revision_is_deterministic_and_plain_forms_backfill_too() -> None:
    a = v1()
    b = v2(a)
    assert revisions(a, b) == revisions(a, b)
    plain = revisions(a, b, safe=False)[1][1]
    assert "NOT VALID" not in plain
    assert "UPDATE customer SET score = length(name)" in plain
    assert 'op.alter_column("customer", "score", nullable=False)' in plain


def test_a_table_created_in_the_same_revision_needs_no_backfill() -> None:
    a = v1()
    s, new_uid = actions.add_table(a, name="invoice", comment="An invoice sent to a customer.")
    s, _ = actions.add_relationship(s, child_uid=new_uid, parent_uid=_table(a, "customer").uid)
    b = m.normalized(s)
    assert [f for f in lint(b, Config(previous=a)) if f.rule == "MG-09"] == []
    assert "UPDATE invoice" not in revisions(a, b)[1][1]


# --- on PostgreSQL, with rows --------------------------------------------------------------------

@pytest.mark.postgres
@pytest.mark.parametrize("safe", [True, False], ids=["safe", "plain"])
def test_upgrade_fills_existing_rows_and_downgrades(pg_url: str, tmp_path: Path,
                                                    safe: bool) -> None:
    a = v1()
    b = v2(a)
    cfg = _alembic(tmp_path / "migrations", pg_url, revisions(a, b, safe=safe))
    command.upgrade(cfg, "0001")
    _insert_v1_rows(pg_url)
    command.upgrade(cfg, "0002")
    assert _rows(pg_url, "SELECT name, nick, score FROM customer ORDER BY id") == [
        ("ada", "ada!", 3), ("grace", "g", 5), ("linus", "linus!", 5)]
    assert _rows(pg_url, "SELECT title, customer_id FROM item ORDER BY id") == [
        ("pen", 1), ("ink", 1)]
    assert _rows(pg_url, "SELECT column_name, is_nullable FROM information_schema.columns "
                         "WHERE table_name IN ('customer', 'item') AND column_name IN "
                         "('nick', 'score', 'customer_id') ORDER BY 1") == [
        ("customer_id", "NO"), ("nick", "NO"), ("score", "NO")]
    assert _rows(pg_url, "SELECT conname, convalidated FROM pg_constraint "
                         "WHERE contype = 'f'") == [("fk_item_customer_id_customer", True)]
    assert _rows(pg_url, "SELECT conname FROM pg_constraint WHERE contype = 'c' "
                         "AND conrelid IN ('customer'::regclass, 'item'::regclass)") == []
    with psycopg.connect(pg_url) as conn, pytest.raises(psycopg.errors.ForeignKeyViolation):
        conn.execute("INSERT INTO item (title, customer_id) VALUES ('x', 99)")
    command.downgrade(cfg, "0001")
    assert _rows(pg_url, "SELECT name, nick FROM customer ORDER BY id") == [
        ("ada", "ada!"), ("grace", "g"), ("linus", "linus!")]
    with psycopg.connect(pg_url) as conn:
        conn.execute("INSERT INTO customer (name) VALUES ('nobody')")  # nick NULL again
    command.upgrade(cfg, "0002")
    assert _rows(pg_url, "SELECT nick, score FROM customer WHERE name = 'nobody'") == [
        ("nobody!", 6)]
    command.downgrade(cfg, "base")
    assert _leftovers(pg_url) == []


@pytest.mark.postgres
def test_without_backfill_the_placeholder_fails_on_rows(pg_url: str, tmp_path: Path) -> None:
    """Why the rule blocks: today's placeholder constant (0) is no customer's key."""
    a = v1()
    s, _ = actions.add_relationship(a, child_uid=_table(a, "item").uid,
                                    parent_uid=_table(a, "customer").uid)
    cfg = _alembic(tmp_path / "migrations", pg_url, revisions(a, m.normalized(s)))
    command.upgrade(cfg, "0001")
    _insert_v1_rows(pg_url)
    with pytest.raises(Exception, match="ForeignKeyViolation"):
        command.upgrade(cfg, "0002")


# --- the rule and the version gate ------------------------------------------------------------

def test_rule_blocks_the_version_without_backfill() -> None:
    a = v1()
    b = v2(a, backfill=False)
    found = [f for f in lint(b, Config(previous=a)) if f.rule == "MG-09"]
    assert sorted(f.target.path for f in found) == ["customer.nick", "customer.score",
                                                    "item.customer_id"]
    assert all(f.level is Level.BLOCK for f in found)
    by_path = {f.target.path: f for f in found}
    assert by_path["customer.score"].fixable and "0" in by_path["customer.score"].hint
    assert not by_path["item.customer_id"].fixable
    assert "Backfill for existing rows" in by_path["item.customer_id"].hint
    reasons = version_gate(b, Config(previous=a))
    assert sum("MG-09" in r for r in reasons) == 3
    assert not any("MG-09" in r for r in version_gate(v2(a), Config(previous=a)))


# --- the export bundle's own tests walk the history with rows --------------------------------

def _bundle_tests(tmp_path: Path, server: PgServer, designs: list[m.Schema]
                  ) -> subprocess.CompletedProcess[str]:
    versions = [VersionInput(number=n, message=f"Version {n} of the shop", author="tester",
                             created=f"2026-01-0{n}", schema=s)
                for n, s in enumerate(designs, start=1)]
    bundle = h.write_bundle(build_bundle(versions, slug="shop", diagram_svg="<svg/>"),
                            tmp_path / "bundle")
    url = server.create_database()
    try:
        env = {k: v for k, v in os.environ.items()
               if k not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")}
        return subprocess.run(
            [str(h.VENV_BIN / "python"), "-m", "pytest", "-q", "-p", "no:django", "-p",
             "no:cacheprovider", "-k", "every_revision"], cwd=bundle,
            env={**env, "DATABASE_URL": url}, capture_output=True, text=True, timeout=300)
    finally:
        server.drop_database(url)


@pytest.mark.postgres
def test_bundle_tests_catch_a_migration_that_needs_empty_tables(tmp_path: Path,
                                                                 pg_server: PgServer) -> None:
    a = v1()
    s, _ = actions.add_relationship(a, child_uid=_table(a, "item").uid,
                                    parent_uid=_table(a, "customer").uid)
    broken = _bundle_tests(tmp_path / "broken", pg_server, [a, m.normalized(s)])
    assert broken.returncode == 1 and "ForeignKeyViolation" in broken.stdout, \
        broken.stdout[-3000:]
    fine = _bundle_tests(tmp_path / "fine", pg_server, [a, v2(a)])
    assert fine.returncode == 0 and "1 passed" in fine.stdout, fine.stdout[-3000:]
