"""SQL import: ALTER TYPE ... RENAME VALUE and ... RENAME TO reach the defaults of the enum's
columns. PostgreSQL stores DEFAULT 'new' (or 'new'::e) on an enum column as the enum's value,
so after the rename its default is the new label (cast to the new type name); the import kept
the old text and the export failed at upgrade (invalid input value for enum: "new"; type "e"
does not exist). Found by bench/differential.py --versions (tests/fidelity/ddlgen.py's
rename_value and rename_enum mutations)."""

from __future__ import annotations

import pytest

from modeler.importers import import_sql
from tests.fidelity.differential import round_trip
from tests.pgtemp import PgServer

SCRIPT = """CREATE TYPE "Order Items" AS ENUM ('new', 'it''s');
CREATE TABLE t (id int PRIMARY KEY,
  a "Order Items" DEFAULT 'new',
  b "Order Items" DEFAULT 'it''s'::"Order Items",
  c "Order Items" DEFAULT 'new'::public."Order Items",
  d text DEFAULT 'new');
ALTER TYPE "Order Items" RENAME VALUE 'new' TO 'new r3';
ALTER TYPE "Order Items" RENAME VALUE 'it''s' TO 'it''s r4';
ALTER TYPE "Order Items" RENAME TO e2;
"""


def test_defaults_follow_the_renames() -> None:
    table = import_sql([("a.sql", SCRIPT)]).schema.tables[0]
    assert {c.name: c.default for c in table.columns} == {
        "id": None, "a": "'new r3'", "b": "'it''s r4'::e2", "c": "'new r3'::public.e2",
        "d": "'new'"}


@pytest.mark.postgres
def test_renamed_enum_defaults_round_trip(pg_server: PgServer) -> None:
    outcome = round_trip(pg_server, SCRIPT)
    assert outcome.failures == [], "\n\n".join(outcome.failures)
