"""``schema.sql`` and ``metadata_from_schema``: the DDL script, applied with psql, builds the
same catalog as ``create_all()`` of the in-memory metadata (raw objects of imports aside,
which only the script carries)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import example, given, settings
from hypothesis import strategies as st

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


_COMMENT_TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
                        max_size=40)


@settings(max_examples=60, deadline=None)
@given(table_comment=_COMMENT_TEXT, column_comment=_COMMENT_TEXT)
@example(table_comment="a  \r\nb\u2028c", column_comment="trailing  \nspaces\t\n")
@example(table_comment="x\x85y\x0bz", column_comment=" \n ")
def test_comments_come_back_from_schema_sql_as_written(table_comment: str,
                                                       column_comment: str) -> None:
    """schema.sql writes table and column comments as they are: trailing spaces before a line
    break, CR, vertical tab, NEL, U+2028 and the like stay inside the literal (the script's
    own lines are still right-stripped)."""
    from dataclasses import replace

    from modeler.importers import import_sql

    schema = DESIGNS["org-chart"]()[-1].schema
    t = schema.tables[0]
    t = replace(t, comment=table_comment or "x",
                columns=(replace(t.columns[0], comment=column_comment or "y"), *t.columns[1:]))
    schema = replace(schema, tables=(t, *schema.tables[1:]))
    back = import_sql([("schema.sql", schema_sql(schema))]).schema
    again = next(x for x in back.tables if (x.namespace, x.name) == (t.namespace, t.name))
    assert again.comment == t.comment
    assert again.column_named(t.columns[0].name).comment == t.columns[0].comment
