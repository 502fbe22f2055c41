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


BIT_AND_MULTIRANGES = """
CREATE TABLE flags (
  id int PRIMARY KEY,
  b bit(3) NOT NULL DEFAULT B'101',
  dumped bit(3) NOT NULL DEFAULT '011'::"bit",
  bits bit(2)[] NOT NULL DEFAULT ARRAY['01'::"bit"],
  n numeric NOT NULL DEFAULT '1.5'::"numeric",
  spans int4multirange,
  days datemultirange NOT NULL DEFAULT '{}'
);
"""


def test_a_quoted_bit_cast_keeps_its_length() -> None:
    """pg_get_expr (and so pg_dump and the live import) writes a bit default as
    ``'101'::"bit"``: the bit type without a length. The printer wrote it bare,
    ``'101'::bit``, which is bit(1): the default became one bit, and every insert relying on
    it failed (bit string length 1 does not match type bit(3))."""
    from modeler.schema.sqlexpr import canonical

    assert canonical("'101'::\"bit\"") == "'101'::\"bit\""
    assert canonical("'1.5'::\"numeric\"") == "'1.5'::\"numeric\""
    assert canonical("'101'::bit") == "'101'::pg_catalog.bit(1)"
    table = import_sql([("flags.sql", BIT_AND_MULTIRANGES)]).schema.tables[0]
    assert {c.name: c.default for c in table.columns}["dumped"] == "'011'::\"bit\""


def test_multirange_columns_compile() -> None:
    """int4multirange, datemultirange...: not in the catalog, so spelled verbatim, which
    SQLAlchemy refuses for a name it knows (matches an existing type): nothing exported."""
    assert type_expr(import_sql([("f.sql", BIT_AND_MULTIRANGES)]).schema.tables[0]
                     .column_named("spans").type,  # type: ignore[union-attr]
                     import_sql([("f.sql", BIT_AND_MULTIRANGES)]).schema)[0] == (
        "postgresql.INT4MULTIRANGE()")


@pytest.mark.postgres
def test_bit_defaults_and_multiranges_round_trip(pg_server: PgServer, tmp_path: Path) -> None:
    """Identical after upgrade (defaults as the original stores them), check clean, down to
    empty, up again; and a row inserted with the defaults gets the three-bit values."""
    import psycopg

    from tests.fidelity import roundtrip as rt
    from tests.fidelity.test_roundtrip_classes import _loop

    _loop(pg_server, tmp_path, BIT_AND_MULTIRANGES)
    schema = import_sql([("flags.sql", BIT_AND_MULTIRANGES)]).schema
    bundle = rt.export_bundle(schema, tmp_path / "rows", "rows")
    with rt.database(pg_server) as url:
        rt.alembic_upgrade(bundle, url)
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("INSERT INTO flags (id) VALUES (1)")
            assert conn.execute("SELECT b::text, dumped::text, bits::text, n::text "
                                "FROM flags").fetchone() == ("101", "011", "{01}", "1.5")
