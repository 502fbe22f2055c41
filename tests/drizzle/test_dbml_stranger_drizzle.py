"""A stranger's DBML (tests/importers/test_dbml_stranger.py: reserved words of SQL, Python
and TypeScript, quoted names with spaces, dots, quotes and unicode, renamed enums, long
names, other schemas) through the Drizzle bundle: it type-checks strictly, drizzle-kit
migrate builds the Alembic bundle's catalog, generate finds no change, and the rollback
script returns to an empty database."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeler.codegen.bundle import VersionInput
from modeler.importers import import_dbml
from tests.drizzle import helpers as h
from tests.drizzle.test_migrate import round_trip
from tests.importers.test_dbml_stranger import STRANGE
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

TS_NAMES = """Enum "delete" {
  a
  "b c"
}
Enum "function" {
  x
}
Table "new" {
  id int [pk]
  "null" text
  "undefined" int
  "typeof" "delete"
  "in" "function"
  "export" int [unique]
}
Table "default" {
  id int [pk]
  new_id int [ref: > "new".id]
  "Object" int
  "Promise" text
}
"""


@pytest.mark.parametrize("text", [STRANGE, TS_NAMES], ids=["strange", "ts-names"])
def test_strange_dbml_drizzle_bundle_compiles_and_migrates(text: str, pg_server: PgServer,
                                                           tmp_path: Path,
                                                           node_modules: Path) -> None:
    schema = import_dbml([("s.dbml", text)]).schema
    versions = [VersionInput(1, "Imported baseline", "stranger", "2026-01-01", schema,
                             baseline=True)]
    round_trip(pg_server, versions, tmp_path, "stranger", node_modules)
    errors = h.ts_errors(h.tsc(tmp_path / "drizzle").stdout)
    assert errors == [], "\n".join(errors[:30])


@pytest.mark.xfail(strict=True, reason="a column named __proto__: drizzle-kit generate reads "
                   "the snapshot's columns into a plain object, where the key __proto__ sets "
                   "the prototype, and fails on its own check (ZodError: columns.name expected "
                   "object); migrate works. The export could name such a column through a "
                   "JavaScript-safe key (modeler/codegen/drizzle), or refuse it")
def test_a_column_named_proto_passes_drizzle_kit_generate(pg_server: PgServer, tmp_path: Path,
                                                          node_modules: Path) -> None:
    schema = import_dbml([("p.dbml", 'Table t {\n  id int [pk]\n  "__proto__" int\n}\n')]).schema
    versions = [VersionInput(1, "Imported baseline", "stranger", "2026-01-01", schema,
                             baseline=True)]
    round_trip(pg_server, versions, tmp_path, "proto", node_modules, down=False)
