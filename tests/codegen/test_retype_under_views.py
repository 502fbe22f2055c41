"""A column's type changes under a kept view (or rule, policy, trigger): PostgreSQL refuses
``ALTER COLUMN ... TYPE`` there (``cannot alter type of a column used by a view or rule``),
so the version's migration failed at its upgrade. The differ now drops such objects (and
what names them: a view over the view) before the tables change and creates them again
after, in both directions. Also when the type stays but is recreated: an enum losing a
label, a domain on another base. Found probing two-version designs with a view over a
table whose id went from int to bigint."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from modeler.codegen.bundle import VersionInput, build_bundle
from modeler.codegen.version_table import version_table_name
from modeler.diff import diff
from modeler.diff.compare_types import over_retyped_columns
from modeler.importers import import_sql
from modeler.schema.model import Schema
from tests.catalog import compare, read_catalog
from tests.codegen.helpers import write_bundle
from tests.fidelity import roundtrip as rt
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

V1 = """
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy', 'unused');
CREATE DOMAIN short_text AS varchar(20);
CREATE TABLE person (id int PRIMARY KEY, name varchar(50) NOT NULL, age int,
    mood mood NOT NULL DEFAULT 'ok', tag short_text, note text);
CREATE TABLE pet (id int PRIMARY KEY, owner_id int NOT NULL REFERENCES person (id),
    kind text NOT NULL);
CREATE INDEX pet_owner ON pet (owner_id);
CREATE TABLE other (id int PRIMARY KEY, label text);
CREATE VIEW adults AS SELECT id, name, age, mood, tag FROM person WHERE age >= 18;
CREATE VIEW adult_names AS SELECT name FROM adults;
CREATE VIEW other_labels AS SELECT label FROM other;
ALTER TABLE person ENABLE ROW LEVEL SECURITY;
CREATE POLICY person_grown ON person USING (age >= 0);
"""
# person.id int -> bigint, name varchar(50) -> varchar(120), age int -> smallint, mood
# loses 'unused', tag's domain goes from varchar(20) to text; other is untouched
V2 = (V1.replace("id int PRIMARY KEY, name varchar(50)", "id bigint PRIMARY KEY, "
                 "name varchar(120)")
      .replace("age int,", "age smallint,")
      .replace("owner_id int", "owner_id bigint")
      .replace(", 'unused'", "")
      .replace("short_text AS varchar(20)", "short_text AS text"))
ROWS = """
INSERT INTO person (id, name, age, mood, tag) VALUES (1, 'Ann', 30, 'happy', 'a'),
    (2, 'Bob', 10, 'sad', NULL);
INSERT INTO pet (id, owner_id, kind) VALUES (1, 1, 'cat');
INSERT INTO other (id, label) VALUES (1, 'x');
"""


def _schemas() -> tuple[Schema, Schema]:
    one = import_sql([("v1.sql", V1)]).schema
    two = import_sql([("v2.sql", V2)]).schema
    return one, replace(two, settings=one.settings)


def test_only_what_stands_over_a_retyped_column_is_dropped_and_made_again() -> None:
    one, two = _schemas()
    over = {o.name for o in one.raw_objects if o.uid in over_retyped_columns(one, two)}
    assert over == {"adults", "adult_names", "person_grown"}
    ops = diff(one, two)
    kinds = [(type(op).__name__, getattr(getattr(op, "obj", None), "name", None))
             for op in ops]
    for name in ("adults", "adult_names", "person_grown"):
        assert ("DropRawObject", name) in kinds and ("CreateRawObject", name) in kinds
    assert ("DropRawObject", "other_labels") not in kinds
    assert over_retyped_columns(one, one) == set()


def _catalog(server: PgServer, ddl: str) -> object:
    with rt.database(server) as url:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(ddl)  # type: ignore[arg-type]
        return read_catalog(url)


def test_a_version_retyping_columns_under_views_upgrades_and_downgrades_with_rows(
        pg_server: PgServer, tmp_path: Path) -> None:
    def view_reads(url: str) -> None:
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT name FROM adult_names").fetchall() == [("Ann",)]

    _two_versions(pg_server, tmp_path, V1, V2, ROWS, up=view_reads)


GENERATED_V1 = """
CREATE TABLE line (id int PRIMARY KEY,
    total numeric GENERATED ALWAYS AS (qty * price) STORED,
    qty int NOT NULL, price numeric(10, 2) NOT NULL,
    label text GENERATED ALWAYS AS ('#' || id::text) STORED);
CREATE INDEX line_total ON line (total);
"""
GENERATED_V2 = GENERATED_V1.replace("qty int", "qty bigint").replace("(10, 2)", "(12, 3)")


def test_a_generated_column_reading_a_retyped_column_is_given_back_after(
        pg_server: PgServer, tmp_path: Path) -> None:
    """PostgreSQL refuses ALTER COLUMN ... TYPE under a generation expression (cannot alter
    type of a column used by a generated column): the expression is dropped first (the
    column keeps its values) and given back after the retyping (the column added again,
    with its index, below PostgreSQL 17); one reading no retyped column is left alone."""
    one = import_sql([("v1.sql", GENERATED_V1)]).schema
    two = replace(import_sql([("v2.sql", GENERATED_V2)]).schema, settings=one.settings)
    ops = [op for op in diff(one, two) if type(op).__name__ == "AlterColumn"]
    touched = [(op.name, [c.field for c in op.changes]) for op in ops]  # type: ignore[attr-defined]
    assert touched[0] == ("total", ["generated"]) and touched[-1] == ("total", ["generated"])
    assert "label" not in {name for name, _ in touched}

    def recomputed(url: str) -> None:
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT total::text, label FROM line").fetchone() == (
                "7.500", "#1")

    _two_versions(pg_server, tmp_path, GENERATED_V1, GENERATED_V2,
                  "INSERT INTO line (id, qty, price) VALUES (1, 3, 2.50)", up=recomputed)


def _two_versions(pg_server: PgServer, tmp_path: Path, v1: str, v2: str, rows: str = "", *,
                  up: Callable[[str], None] | None = None,
                  down: Callable[[str], None] | None = None) -> None:
    """v1 -> v2 with ``rows`` in v1's tables: up (v2's catalog, then ``up(url)``), check,
    down to v1 (its catalog, then ``down(url)``), down to nothing."""
    one = import_sql([("v1.sql", v1)]).schema
    two = replace(import_sql([("v2.sql", v2)]).schema, settings=one.settings)
    versions = [VersionInput(1, "first", "t", "2026-01-01", one, baseline=True),
                VersionInput(2, "the second", "t", "2026-01-02", two)]
    bundle = write_bundle(build_bundle(versions, slug="two"), tmp_path / "bundle")
    first = sorted((bundle / "migrations" / "versions").glob("0001_*.py"))[0].stem
    table = version_table_name([one, two])

    def alembic(url: str, *args: str) -> None:
        done = rt.alembic(bundle, url, *args)
        assert done.returncode == 0, (args, (done.stdout + done.stderr)[-2000:])

    def same(url: str, ddl: str) -> None:
        report = compare(_catalog(pg_server, ddl),  # type: ignore[arg-type]
                         rt.without_version_table(read_catalog(url), table))
        assert report.ok, report.text()

    with rt.database(pg_server) as url:
        alembic(url, "upgrade", first)
        if rows:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(rows)  # type: ignore[arg-type]
        alembic(url, "upgrade", "head")
        same(url, v2)
        if up is not None:
            up(url)
        alembic(url, "check")
        alembic(url, "downgrade", first)
        same(url, v1)
        if down is not None:
            down(url)
        alembic(url, "downgrade", "base")
        assert rt.leftovers(url, table) == []


def test_an_enum_gaining_a_label_under_a_view_comes_back_down(pg_server: PgServer,
                                                             tmp_path: Path) -> None:
    """The downgrade removes the label, so it recreates the type under the view: the view
    is dropped and made again in both directions (found by the Drizzle round trip of
    pagila with a value added to its enum: the rollback failed)."""
    v1 = ("CREATE TYPE rating AS ENUM ('G', 'PG');\n"
          "CREATE TABLE film (id int PRIMARY KEY, r rating);\n"
          "CREATE VIEW film_list AS SELECT id, r FROM film;\n")
    _two_versions(pg_server, tmp_path, v1, v1.replace("'PG')", "'PG', 'R')"),
                  "INSERT INTO film VALUES (1, 'PG');")


PARTITIONED_V1 = """
CREATE DOMAIN code AS varchar(10) NOT NULL;
CREATE TYPE status AS ENUM ('new', 'gone', 'old');
CREATE TABLE ev (id int, at date NOT NULL, c code, s status DEFAULT 'new',
    PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE ev_2025 PARTITION OF ev FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE ev_2026 PARTITION OF ev FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
"""
PARTITIONED_V2 = (PARTITIONED_V1.replace("varchar(10)", "varchar(20)")
                  .replace("'gone', ", ""))


def test_a_domain_rebased_and_an_enum_recreated_under_partitions(pg_server: PgServer,
                                                                 tmp_path: Path) -> None:
    """The columns of the partitions are retyped through their parent's (PostgreSQL
    refuses ALTER COLUMN ... TYPE on a partition: cannot alter inherited column)."""
    _two_versions(pg_server, tmp_path, PARTITIONED_V1, PARTITIONED_V2,
                  "INSERT INTO ev (id, at, c, s) VALUES (1, '2025-05-01', 'x', 'old'), "
                  "(2, '2026-05-01', 'y', 'new');")


CHECKED_V1 = """
CREATE TABLE line (id int PRIMARY KEY, qty int NOT NULL,
    total int GENERATED ALWAYS AS (qty * 2) STORED CONSTRAINT total_positive CHECK (total > 0),
    CONSTRAINT total_small CHECK (total < qty * 10));
"""
CHECKED_V2 = CHECKED_V1.replace("qty int", "qty bigint")


def test_a_generated_column_given_back_keeps_its_checks(pg_server: PgServer,
                                                        tmp_path: Path) -> None:
    """Below PostgreSQL 17 the generated column is dropped and added again after the
    retyping: DROP COLUMN drops the CHECK constraints naming it, and they were not made
    again (alembic check does not compare CHECKs: the version silently lost them)."""
    checks = ("SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
              "WHERE contype = 'c' AND conrelid = 'line'::regclass ORDER BY 1")

    def both_checks(url: str) -> None:
        with psycopg.connect(url) as conn:
            assert [r[0] for r in conn.execute(checks).fetchall()] == [
                "total_positive", "total_small"]

    _two_versions(pg_server, tmp_path, CHECKED_V1, CHECKED_V2, up=both_checks,
                  down=both_checks)
