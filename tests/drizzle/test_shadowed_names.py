"""Tables named like the identifiers the generated modules bind themselves: the ``t`` of
schema.ts's ``(t) => [...]`` callbacks, the ``one``/``many`` of relations.ts, the imports,
functions, parameters and locals of src/examples.ts. A table const of that name was shadowed
(``foreignColumns: [t.id]`` inside another table's callback meant that table's own ``id``:
drizzle-kit generate then wanted to move the foreign key) or declared twice (TS2300). The
bundle must compile strictly and round-trip."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeler.codegen.bundle import VersionInput
from modeler.importers import import_sql
from tests.drizzle import helpers as h
from tests.drizzle.test_migrate import round_trip
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

DDL = """
CREATE TABLE t (id integer PRIMARY KEY, name text);
CREATE TABLE child (id integer PRIMARY KEY, t_id integer REFERENCES t (id));
CREATE TABLE one (id integer PRIMARY KEY);
CREATE TABLE many (id integer PRIMARY KEY, one_id integer REFERENCES one (id));
CREATE TABLE eq (id integer PRIMARY KEY, many_id integer REFERENCES many (id));
CREATE TABLE page (id integer PRIMARY KEY, eq_id integer REFERENCES eq (id));
"""

# the examples use the design's first foreign key: parent "first", child "limit"
EXAMPLES = """
CREATE TABLE first (id integer PRIMARY KEY);
CREATE TABLE "limit" (id integer PRIMARY KEY, first_id integer REFERENCES first (id));
CREATE TABLE tx (id integer PRIMARY KEY, limit_id integer REFERENCES "limit" (id));
"""


@pytest.mark.parametrize("ddl", [DDL, EXAMPLES], ids=["callbacks", "examples"])
def test_tables_named_like_module_locals(ddl: str, pg_server: PgServer, tmp_path: Path,
                                         node_modules: Path) -> None:
    schema = import_sql([("s.sql", ddl)]).schema
    versions = [VersionInput(1, "Imported baseline", "names", "2026-01-01", schema,
                             baseline=True)]
    round_trip(pg_server, versions, tmp_path, "names", node_modules)
    errors = h.ts_errors(h.tsc(tmp_path / "drizzle").stdout)
    assert errors == [], "\n".join(errors[:30])
