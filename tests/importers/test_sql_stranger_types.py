"""Catalog types whose spelling is also a name SQLAlchemy's PostgreSQL dialect knows, on a
small self-written script: ``"char"`` (the one-byte type; slony's ``sl_log_*.log_cmdtype``,
found by bench/stranger_schemas.py). The export spelled it
``postgresql.DOMAIN('"char"', sa.Text())``, which SQLAlchemy refuses to compile (a name that
matches an existing type needs a schema): nothing of the design could be exported."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeler.codegen.sqltypes import type_expr
from modeler.importers import import_sql
from tests.pgtemp import PgServer

SCRIPT = """CREATE TABLE log (
  id bigint PRIMARY KEY,
  cmdtype "char",
  kinds "char"[],
  flag "char" NOT NULL DEFAULT 'I',
  plain char(1),
  who name
);
CREATE INDEX log_cmdtype ON log (cmdtype);
"""


def test_char_type_compiles_in_a_create_table() -> None:
    import sqlalchemy as sa
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateTable

    r = import_sql([("s.sql", SCRIPT)])
    table = next(t for t in r.schema.tables if t.name == "log")
    cols = []
    for c in table.columns:
        expr, _ = type_expr(c.type, r.schema)
        cols.append(sa.Column(c.name, eval(expr, {"sa": sa, "postgresql": postgresql})))
    ddl = str(CreateTable(sa.Table("log", sa.MetaData(), *cols)).compile(
        dialect=postgresql.dialect()))
    assert 'cmdtype pg_catalog."char"' in ddl
    assert 'kinds pg_catalog."char"[]' in ddl
    assert "plain CHAR(1)" in ddl
    assert "who pg_catalog.name" in ddl


@pytest.mark.postgres
def test_char_type_round_trips(pg_server: PgServer, tmp_path: Path) -> None:
    """Identical after upgrade, check clean, down to empty, up again identical."""
    from tests.fidelity.test_roundtrip_classes import _loop

    _loop(pg_server, tmp_path, SCRIPT)
