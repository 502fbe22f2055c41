"""``MATCH FULL`` on a foreign key end to end (a composite FK whose columns are all NULL or
none): the snapshot keeps it (MATCH SIMPLE, PostgreSQL's default, is not written), schema.sql,
create_all, the SQLAlchemy models, the revisions (created, changed both ways as a drop and
add again, and back on downgrade), the Drizzle SQL (drizzle-orm's foreignKey() cannot say it:
schema.ts notes it), DBML's kept data, the design document, and both importers."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from alembic import command

from modeler.codegen.bundle import Target, VersionInput, build_bundle
from modeler.codegen.dbml import to_dbml
from modeler.codegen.ddl import schema_sql
from modeler.codegen.drizzle.ddl import create_all as drizzle_create_all
from modeler.codegen.metadata import metadata_from_schema
from modeler.codegen.migration import render_revision
from modeler.codegen.models import render_models
from modeler.codegen.plan import build_plan
from modeler.codegen.version_table import version_table_name
from modeler.diff import diff
from modeler.diff.ops_constraint import AddForeignKey, DropForeignKey
from modeler.importers import import_dbml, import_live, import_sql
from modeler.schema import model as m
from modeler.schema import serialize
from tests.catalog import compare, read_catalog
from tests.codegen.test_migration_render import _alembic, _leftovers, revisions
from tests.fidelity import roundtrip as rt
from tests.pgtemp import PgServer

V1_SQL = """
CREATE TABLE parent (a int, b int, code int NOT NULL UNIQUE, PRIMARY KEY (a, b));
CREATE TABLE child (
  id int PRIMARY KEY,
  x int, y int,
  p int REFERENCES parent (code) MATCH FULL ON DELETE SET NULL,
  CONSTRAINT child_xy FOREIGN KEY (x, y) REFERENCES parent (a, b)
);
CREATE TABLE dept (id int PRIMARY KEY, head_a int, head_b int);
CREATE TABLE emp (a int, b int, dept_id int NOT NULL REFERENCES dept, PRIMARY KEY (a, b));
ALTER TABLE dept ADD CONSTRAINT dept_head FOREIGN KEY (head_a, head_b) REFERENCES emp
  MATCH FULL DEFERRABLE INITIALLY DEFERRED;
"""


def v1() -> m.Schema:
    return import_sql([("v1.sql", V1_SQL)]).schema


def _matches(s: m.Schema) -> dict[str, str]:
    return {r.name: r.match for r in s.relationships}


def v2(base: m.Schema) -> m.Schema:
    """child_xy becomes MATCH FULL, child_p_fkey goes back to MATCH SIMPLE."""
    wanted: dict[str, m.FkMatch] = {"child_xy": "FULL", "child_p_fkey": "SIMPLE"}
    return replace(base, relationships=tuple(replace(r, match=wanted.get(r.name, r.match))
                                             for r in base.relationships))


V1_MATCHES = {"child_p_fkey": "FULL", "child_xy": "SIMPLE", "dept_head": "FULL",
              "emp_dept_id_fkey": "SIMPLE"}
V2_MATCHES = {**V1_MATCHES, "child_xy": "FULL", "child_p_fkey": "SIMPLE"}


def test_the_sql_importer_reads_match_and_serialize_keeps_it() -> None:
    r = import_sql([("v1.sql", V1_SQL)])
    assert not [w for w in r.warnings if "MATCH" in w.message], r.warnings
    assert _matches(r.schema) == V1_MATCHES
    assert serialize.loads(serialize.dumps(r.schema)) == r.schema
    plain = serialize.dumps(import_sql([("p.sql", "CREATE TABLE p (id int PRIMARY KEY);"
                                         "CREATE TABLE c (p int REFERENCES p);")]).schema)
    assert '"match"' not in plain  # the default is not written: old documents read


def test_schema_sql_models_and_drizzle_say_match_full() -> None:
    s = v1()
    sql = schema_sql(s)
    assert sql.count("MATCH FULL") == 2 and "MATCH SIMPLE" not in sql
    assert "REFERENCES parent (code) MATCH FULL ON DELETE SET NULL" in sql
    assert "REFERENCES emp (a, b) MATCH FULL DEFERRABLE INITIALLY DEFERRED" in sql
    assert _matches(import_sql([("schema.sql", sql)]).schema) == V1_MATCHES
    models = render_models(s)
    assert models.count('match="FULL"') == 2 and 'match="SIMPLE"' not in models
    drizzle = "".join(f"{x};\n" for x in drizzle_create_all(s, build_plan(s), None))
    assert drizzle.count("MATCH FULL") == 2
    assert _matches(import_sql([("d.sql", drizzle)]).schema) == V1_MATCHES
    ts = _bundle(s, "drizzle")["src/db/schema.ts"].decode()
    assert "// child_p_fkey is MATCH FULL (set by the migration SQL)" in ts
    assert "// dept_head is DEFERRABLE, MATCH FULL (set by the migration SQL)" in ts
    assert "child_xy is" not in ts


def test_dbml_keeps_match() -> None:
    """DBML cannot say it: the export keeps it in the Project note, the import reads it."""
    s = v2(v1())
    text = to_dbml(s)
    assert '"match": "FULL"' in text and '"match": "SIMPLE"' not in text
    assert _matches(import_dbml([("s.dbml", text)]).schema) == V2_MATCHES
    odd = import_dbml([("s.dbml", text.replace('"match": "FULL"', '"match": "PARTIAL"', 1))])
    assert [w.message for w in odd.warnings if "match" in w.message] == [
        "kept reference public.child.child_xy: match 'PARTIAL' is not SIMPLE or FULL; "
        "MATCH SIMPLE used"]
    assert _matches(odd.schema) == {**V2_MATCHES, "child_xy": "SIMPLE"}


def _bundle(s: m.Schema, target: Target = "sqlalchemy") -> dict[str, bytes]:
    return build_bundle([VersionInput(number=1, message="v1", author="t", created="2026-01-01",
                                      schema=s)], slug="m", target=target)


def test_the_design_document_says_match_full() -> None:
    doc = _bundle(v1())["DESIGN.md"].decode()
    row = next(line for line in doc.splitlines() if line.startswith("| child_p_fkey "))
    assert "MATCH FULL" in row
    assert "MATCH FULL" not in next(line for line in doc.splitlines()
                                    if line.startswith("| child_xy "))


def test_the_differ_drops_and_adds_the_key_again_both_ways() -> None:
    a = v1()
    b = v2(a)
    ops = diff(a, b)
    assert sorted((type(op).__name__, op.relationship.name) for op in ops
                  if isinstance(op, DropForeignKey | AddForeignKey)) == [
        ("AddForeignKey", "child_p_fkey"), ("AddForeignKey", "child_xy"),
        ("DropForeignKey", "child_p_fkey"), ("DropForeignKey", "child_xy")]
    assert len(ops) == 4
    wanted = {False: ('["x", "y"],\n        ["a", "b"],\n        match="FULL",\n    )',
                      'ondelete="SET NULL",\n        match="FULL",\n    )'),
              True: ('REFERENCES parent (a, b) "\n        "MATCH FULL NOT VALID"',
                     'REFERENCES parent (code) "\n        "MATCH FULL ON DELETE SET NULL '
                     'NOT VALID"')}
    for safe, (up_full, down_full) in wanted.items():
        text = render_revision(old=a, new=b, revision="0002", down_revision="0001",
                               message="v2", created="2024-05-01 12:00:00",
                               existing_tables_safe=safe)
        up, down = text.split("def downgrade() -> None:")
        assert up_full in up and down_full in down, text
        said = "MATCH FULL" if safe else 'match="FULL"'
        assert up.count(said) == 1 and down.count(said) == 1, text


def _confmatchtype(url: str) -> dict[str, str]:
    with psycopg.connect(url) as conn:
        return dict(conn.execute("SELECT conname::text, confmatchtype::text FROM pg_constraint "
                                 "WHERE contype = 'f'").fetchall())


def _types(matches: dict[str, str]) -> dict[str, str]:
    return {name: "f" if match == "FULL" else "s" for name, match in matches.items()}


@pytest.mark.postgres
@pytest.mark.parametrize("safe", [True, False])
def test_upgrade_and_downgrade_with_rows_on_postgres(safe: bool, pg_url: str,
                                                     tmp_path: Path) -> None:
    a = v1()
    b = v2(a)
    cfg = _alembic(tmp_path / "migrations", pg_url, revisions(a, b, safe=safe))
    command.upgrade(cfg, "0001")
    assert _confmatchtype(pg_url) == _types(V1_MATCHES)
    with psycopg.connect(pg_url) as conn:
        conn.execute("INSERT INTO parent VALUES (1, 1, 10)")
        conn.execute("INSERT INTO child VALUES (1, 1, 1, 10), (2, NULL, NULL, NULL)")
    command.upgrade(cfg, "0002")
    assert _confmatchtype(pg_url) == _types(V2_MATCHES)
    assert _matches(import_live(pg_url).schema) == V2_MATCHES
    with psycopg.connect(pg_url) as conn, pytest.raises(psycopg.errors.ForeignKeyViolation):
        conn.execute("INSERT INTO child VALUES (3, 1, NULL, NULL)")  # MATCH FULL refuses it
    command.downgrade(cfg, "0001")
    assert _confmatchtype(pg_url) == _types(V1_MATCHES)
    with psycopg.connect(pg_url) as conn:
        conn.execute("INSERT INTO child VALUES (3, 1, NULL, NULL)")  # MATCH SIMPLE again
        assert conn.execute("SELECT count(*) FROM child").fetchone() == (3,)
    assert _matches(import_live(pg_url).schema) == V1_MATCHES
    command.downgrade(cfg, "base")
    assert _leftovers(pg_url) == []


@pytest.mark.postgres
def test_create_all_sets_match_full(pg_url: str) -> None:
    s = v2(v1())
    engine = sa.create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        metadata_from_schema(s).create_all(engine)
    finally:
        engine.dispose()
    assert _confmatchtype(pg_url) == _types(V2_MATCHES)


@pytest.mark.postgres
def test_the_export_bundle_builds_what_psql_builds(pg_server: PgServer, tmp_path: Path) -> None:
    """The exported bundle's own alembic (a subprocess): upgrade gives the confmatchtype psql
    gives for the original script; check is clean, down to empty and up again."""
    with rt.database(pg_server) as original:
        assert rt.psql_run(pg_server, original, V1_SQL) == []
        expected = read_catalog(original)
        wanted = _confmatchtype(original)
    assert wanted == _types(V1_MATCHES)
    bundle = rt.export_bundle(v1(), tmp_path / "bundle", "bundle")
    with rt.database(pg_server) as url:
        rt.alembic_upgrade(bundle, url)
        report = compare(expected, rt.without_version_table(read_catalog(url),
                                                            version_table_name([v1()])))
        assert report.ok, report.text()
        assert _confmatchtype(url) == wanted
        loop = rt.run_loop(bundle, url, expected, (), rt._Clock(),
                           version_table_name([v1()]))
        assert loop.check_clean and loop.down_ok and loop.again_ok, loop.output
        assert loop.leftovers == []
        assert loop.again is not None
        assert loop.again.ok, loop.again.text()
        assert _confmatchtype(url) == wanted
