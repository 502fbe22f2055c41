"""``schema.sql`` and ``metadata_from_schema``: the DDL script, applied with psql, builds the
same catalog as ``create_all()`` of the in-memory metadata (raw objects of imports aside,
which only the script carries)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from modeler.codegen.ddl import schema_sql
from modeler.codegen.metadata import metadata_from_schema
from tests.codegen import helpers as h
from tests.codegen.designs import DESIGNS
from tests.pgtemp import PgServer


def test_cycle_foreign_keys_come_last() -> None:
    sql = schema_sql(DESIGNS["org-chart"]()[-1].schema)
    head, _, tail = sql.partition("-- Foreign keys closing a cycle")
    assert "ALTER TABLE hr.department ADD CONSTRAINT fk_department_head_id_employee" in tail
    assert "ALTER TABLE hr.employee ADD CONSTRAINT fk_employee_department_id_department" in tail
    assert "DEFERRABLE INITIALLY DEFERRED" in tail
    assert head.index("CREATE SCHEMA IF NOT EXISTS hr") < head.index("CREATE TYPE hr.member_role")
    assert head.index("CREATE TABLE hr.employee") < head.index("CREATE TABLE hr.project_member")


def test_schema_sql_is_deterministic() -> None:
    for factory in DESIGNS.values():
        schema = factory()[-1].schema
        assert schema_sql(schema) == schema_sql(schema)


@pytest.mark.postgres
@pytest.mark.parametrize("slug", sorted(DESIGNS))
def test_schema_sql_matches_create_all(slug: str, tmp_path: Path, pg_server: PgServer) -> None:
    schema = DESIGNS[slug]()[-1].schema
    script = tmp_path / "schema.sql"
    script.write_text(schema_sql(schema))
    by_script, by_metadata = pg_server.create_database(), pg_server.create_database()
    try:
        h.run([pg_server.tool("psql"), "-q", "-v", "ON_ERROR_STOP=1", "-f", str(script),
               by_script], tmp_path)
        engine = sa.create_engine(h.sa_url(by_metadata), poolclass=sa.pool.NullPool)
        metadata_from_schema(schema).create_all(engine)
        with engine.begin() as conn:
            for raw in schema.raw_objects:
                conn.exec_driver_sql(raw.sql.replace("%", "%%"))
        engine.dispose()
        a, b = h.schema_dump(pg_server, by_script), h.schema_dump(pg_server, by_metadata)
        assert a == b, h.dump_diff(b, a, ("create_all", "schema.sql"))
    finally:
        pg_server.drop_database(by_script)
        pg_server.drop_database(by_metadata)
