"""A column's COMPRESSION (PostgreSQL 14+) end to end (issue #15's one-attribute exercise):
the snapshot keeps it, schema.sql and create_all set it after the table exists
(SQLAlchemy's Column cannot say it), the revisions create and change it (and back on
downgrade), the drizzle SQL carries it, and both importers read it back."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from alembic import command

from modeler.codegen.dbml import to_dbml
from modeler.codegen.ddl import schema_sql
from modeler.codegen.drizzle.ddl import create_all as drizzle_create_all
from modeler.codegen.metadata import metadata_from_schema
from modeler.codegen.migration import render_revision
from modeler.codegen.models import render_models
from modeler.codegen.plan import build_plan
from modeler.codegen.version_table import version_table_name
from modeler.diff import diff
from modeler.diff.ops_table import AlterColumn
from modeler.importers import import_dbml, import_live, import_sql
from modeler.schema import model as m
from modeler.schema import serialize
from tests.catalog import compare, read_catalog
from tests.codegen.test_migration_render import _alembic, revisions
from tests.fidelity import roundtrip as rt
from tests.pgtemp import PgServer

V1_SQL = """
CREATE TABLE doc (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  body text COMPRESSION lz4 NOT NULL,
  title varchar(40) COMPRESSION pglz COLLATE "C",
  note text
);
"""


def v1() -> m.Schema:
    return import_sql([("v1.sql", V1_SQL)]).schema


def _doc(s: m.Schema) -> m.Table:
    t = s.table_named("doc")
    assert t is not None
    return t


def _compressions(s: m.Schema) -> dict[str, str | None]:
    return {c.name: c.compression for c in _doc(s).columns}


def v2(base: m.Schema) -> m.Schema:
    """body back to the server default, note to lz4, a new column with pglz."""
    t = _doc(base)
    changed: dict[str, m.Compression | None] = {"body": None, "title": "pglz", "note": "lz4"}
    cols = tuple(replace(c, compression=changed.get(c.name, c.compression)) for c in t.columns)
    extra = m.Column(uid="00000000-0000-4000-8000-00000000c0de", name="extra",
                     type=m.ColumnType(name="text"), nullable=True, null_meaning="none yet",
                     compression="pglz")
    return m.normalized(replace(base, tables=(replace(t, columns=(*cols, extra)),)))


def test_the_sql_importer_reads_compression_and_serialize_keeps_it() -> None:
    s = v1()
    assert _compressions(s) == {"id": None, "body": "lz4", "title": "pglz", "note": None}
    assert serialize.loads(serialize.dumps(s)) == s
    plain = serialize.to_dict(import_sql([("p.sql", "CREATE TABLE t (a text);")]).schema)
    assert "compression" not in str(plain)  # the default is not written: old documents read


def test_alter_set_compression_is_read_and_other_methods_are_warned() -> None:
    r = import_sql([("a.sql", V1_SQL + "ALTER TABLE doc ALTER COLUMN note SET COMPRESSION lz4;"
                     "ALTER TABLE doc ALTER COLUMN body SET COMPRESSION default;")])
    assert _compressions(r.schema) == {"id": None, "body": None, "title": "pglz",
                                       "note": "lz4"}
    odd = import_sql([("b.sql", "CREATE TABLE t (a text COMPRESSION zstd);")])
    assert any("compression zstd" in w.message for w in odd.warnings)


def test_schema_sql_sets_compression_and_reads_back() -> None:
    s = v1()
    sql = schema_sql(s)
    assert "ALTER TABLE doc ALTER COLUMN body SET COMPRESSION lz4;" in sql
    assert "ALTER TABLE doc ALTER COLUMN title SET COMPRESSION pglz;" in sql
    assert "note SET COMPRESSION" not in sql
    assert _compressions(import_sql([("schema.sql", sql)]).schema) == _compressions(s)
    # the SQLAlchemy models run the same statement as an after_create DDL event
    assert '"ALTER TABLE doc ALTER COLUMN body SET COMPRESSION lz4",' in render_models(s)
    drizzle = "\n".join(drizzle_create_all(s, build_plan(s), None))
    assert "ALTER TABLE doc ALTER COLUMN body SET COMPRESSION lz4" in drizzle


def test_dbml_keeps_compression() -> None:
    """DBML cannot say it: the export keeps it in the Project note, the import reads it."""
    s = v2(v1())
    text = to_dbml(s)
    assert '"compression": "lz4"' in text
    assert _compressions(import_dbml([("s.dbml", text)]).schema) == _compressions(s)


def test_the_differ_and_the_revision_change_compression_both_ways() -> None:
    a = v1()
    b = v2(a)
    alters = [op for op in diff(a, b) if isinstance(op, AlterColumn)]
    assert sorted(c.field for op in alters for c in op.changes) == ["compression"] * 2
    text = render_revision(old=a, new=b, revision="0002", down_revision="0001",
                           message="v2", created="2024-05-01 12:00:00")
    up, down = text.split("def downgrade() -> None:")
    for line in ("ALTER TABLE doc ALTER COLUMN body SET COMPRESSION default",
                 "ALTER TABLE doc ALTER COLUMN note SET COMPRESSION lz4",
                 "ALTER TABLE doc ALTER COLUMN extra SET COMPRESSION pglz"):
        assert line in up
    assert "ALTER TABLE doc ALTER COLUMN body SET COMPRESSION lz4" in down
    assert "ALTER TABLE doc ALTER COLUMN note SET COMPRESSION default" in down
    assert up.index('op.add_column("doc"') < up.index("extra SET COMPRESSION pglz")


def _attcompression(url: str) -> dict[str, str]:
    with psycopg.connect(url) as conn:
        return dict(conn.execute(
            "SELECT attname, attcompression::text FROM pg_attribute "
            "WHERE attrelid = 'doc'::regclass AND attnum > 0 AND NOT attisdropped"))


@pytest.mark.postgres
def test_upgrade_and_downgrade_with_rows_on_postgres(pg_url: str, tmp_path: Path) -> None:
    a = v1()
    b = v2(a)
    cfg = _alembic(tmp_path / "migrations", pg_url, revisions(a, b))
    command.upgrade(cfg, "0001")
    assert _attcompression(pg_url) == {"id": "", "body": "l", "title": "p", "note": ""}
    long = "x" * 100_000  # compressible, TOASTed
    with psycopg.connect(pg_url) as conn:
        conn.execute("INSERT INTO doc (body, title, note) VALUES (%s, 't', %s)", (long, long))
    command.upgrade(cfg, "0002")
    assert _attcompression(pg_url) == {"id": "", "body": "", "title": "p", "note": "l",
                                       "extra": "p"}
    assert _compressions(import_live(pg_url).schema) == _compressions(b)
    with psycopg.connect(pg_url) as conn:
        conn.execute("INSERT INTO doc (body, note, extra) VALUES (%s, %s, %s)",
                     (long, long, long))
        # new values are compressed with the column's method (old ones keep theirs)
        assert conn.execute("SELECT pg_column_compression(note) FROM doc ORDER BY id"
                            ).fetchall() == [("pglz",), ("lz4",)]
    command.downgrade(cfg, "0001")
    assert _attcompression(pg_url) == {"id": "", "body": "l", "title": "p", "note": ""}
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT count(*), min(length(body)) FROM doc").fetchone() == (
            2, 100_000)
    assert _compressions(import_live(pg_url).schema) == _compressions(a)


@pytest.mark.postgres
def test_create_all_sets_compression(pg_url: str) -> None:
    s = v2(v1())
    engine = sa.create_engine(pg_url.replace("postgresql://", "postgresql+psycopg://"))
    try:
        metadata_from_schema(s).create_all(engine)
    finally:
        engine.dispose()
    assert _attcompression(pg_url) == {"id": "", "body": "", "title": "p", "note": "l",
                                       "extra": "p"}


@pytest.mark.postgres
def test_the_export_bundle_builds_what_psql_builds(pg_server: PgServer, tmp_path: Path) -> None:
    """The exported bundle's own alembic (a subprocess): upgrade gives the compressions
    psql gives for the original script; check is clean, down to empty and up again."""
    with rt.database(pg_server) as original:
        assert rt.psql_run(pg_server, original, V1_SQL) == []
        expected = read_catalog(original)
        wanted = _attcompression(original)
    bundle = rt.export_bundle(v1(), tmp_path / "bundle", "bundle")
    with rt.database(pg_server) as url:
        rt.alembic_upgrade(bundle, url)
        report = compare(expected, rt.without_version_table(read_catalog(url),
                                                            version_table_name([v1()])))
        assert report.ok, report.text()
        assert _attcompression(url) == wanted == {"id": "", "body": "l", "title": "p",
                                                  "note": ""}
        loop = rt.run_loop(bundle, url, expected, (), rt._Clock(),
                           version_table_name([v1()]))
        assert loop.check_clean and loop.down_ok and loop.again_ok, loop.output
        assert loop.leftovers == []
        assert loop.again is not None
        assert loop.again.ok, loop.again.text()
        assert _attcompression(url) == wanted
