"""Type names PostgreSQL's grammar reads as keywords unquoted but as the catalog's names
quoted or schema-qualified: ``"char"`` is the single-byte internal type (``char`` is
character(1)), ``"bit"`` a bit string of any length (``bit`` is bit(1)), ``bpchar`` (also
``"bpchar"``, ``pg_catalog.bpchar``) blank-padded text of any length. The SQL import made
``pg_catalog."char"`` character(1) and ``bpchar`` and ``"bit"`` the one-long keyword types;
the DBML import read a quoted ``"char"`` as char, so character(1), and ``bpchar`` likewise.
Each keeps the type PostgreSQL gives it; quoted names that are not such a catalog name
(``"Text"``, ``"character varying"``: quoted for their capitals or spaces, as DBML writes
them) map as before."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeler.importers import import_dbml, import_sql
from tests.fidelity.test_roundtrip_classes import _loop
from tests.pgtemp import PgServer

SCRIPT = """CREATE TABLE flags (id int PRIMARY KEY, a "char", b pg_catalog."char", c "char"[],
  d bpchar, e "bpchar", f pg_catalog.bpchar, g "bit", h pg_catalog.bit, i "bit"[],
  j char, k char(3), l bit, m bit(4), n "bit"(5), o bpchar(2), p "varchar", q "numeric",
  r bpchar COLLATE "C");
"""
# what PostgreSQL shows for each (format_type)
SHOWN = ['"char"', '"char"', '"char"[]', "bpchar", "bpchar", "bpchar", '"bit"', '"bit"',
         '"bit"[]', "character(1)", "character(3)", "bit(1)", "bit(4)", "bit(5)",
         "character(2)", "character varying", "numeric", "bpchar"]


def test_the_sql_import_keeps_the_type_postgresql_reads() -> None:
    table = import_sql([("s.sql", SCRIPT)]).schema.tables[0]
    assert [c.type.sql() for c in table.columns[1:]] == SHOWN


def test_the_dbml_import_keeps_a_quoted_names_type() -> None:
    result = import_dbml([("a.dbml", """Table flags {
  a "char"
  b char
  c "char"[]
  d bpchar
  e "bit"
  f bit
  g "bit"(3)
  h bpchar(4)
  i "Text"
  j "character varying"
  k "\\"char\\""
}""")])
    table = result.schema.tables[0]
    assert [c.type.sql() for c in table.columns] == [
        '"char"', "character", '"char"[]', "bpchar", '"bit"', "bit", "bit(3)",
        "character(4)", "text", "character varying", '"char"']
    assert [str(w) for w in result.warnings if "char" in str(w) or "bit" in str(w)] == []


@pytest.mark.postgres
@pytest.mark.parametrize("live", [False, True], ids=["sql", "live"])
def test_quoted_type_names_round_trip(pg_server: PgServer, tmp_path: Path, live: bool) -> None:
    _loop(pg_server, tmp_path, SCRIPT, live=live)
