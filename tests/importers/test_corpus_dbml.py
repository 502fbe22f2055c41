"""Every DBML file of the shared corpus imports (counts from its SOURCE.md)."""

from __future__ import annotations

import pytest

from modeler.importers import import_dbml, import_sql
from tests.importers.conftest import corpus_files

# file -> (tables, refs, enums); refs count relationships (a many-to-many would add two)
DBML: dict[str, tuple[int, int, int]] = {
    "pydbml-test-schema/test_schema.dbml": (6, 6, 2),
    "azimutt-dbml-complex/complex.dbml": (6, 4, 1),
    "dbml-db2dbml-postgres/schema.dbml": (15, 4, 5),
    "adventureworks/adventureworks.dbml": (68, 90, 0),
    "dbml-bench-18k/18k.dbml": (704, 3175, 0),
}


@pytest.mark.parametrize("path", sorted(DBML))
def test_corpus_dbml_imports(path: str) -> None:
    r = import_dbml(corpus_files(path))
    assert not [w for w in r.warnings if w.kind in ("error", "unresolved")]
    assert (r.counts["tables"], r.counts["relationships"], r.counts["enums"]) == DBML[path]


def test_db2dbml_pair_agrees_with_its_sql() -> None:
    """The DBML that db2dbml produced from schema.sql describes the same tables and keys."""
    from_dbml = import_dbml(corpus_files("dbml-db2dbml-postgres/schema.dbml")).schema
    from_sql = import_sql(corpus_files("dbml-db2dbml-postgres/schema.sql")).schema

    def shape(s: object) -> set[tuple[str, str, tuple[str, ...]]]:
        from modeler.schema.model import Schema

        assert isinstance(s, Schema)
        return {(t.namespace, t.name, tuple(c.name for c in t.primary_key))
                for t in s.tables}

    assert shape(from_dbml) == shape(from_sql)
    # column-level check: settings carry no name in DBML, so only the counts agree
    assert sum(len(t.checks) for t in from_dbml.tables) == \
        sum(len(t.checks) for t in from_sql.tables)


def test_adventureworks_dbml_agrees_with_the_pg_dump() -> None:
    dbml = import_dbml(corpus_files("adventureworks/adventureworks.dbml")).schema
    sql = import_sql(corpus_files("adventureworks/adventureworks-pgdump.sql")).schema
    assert {(t.namespace, t.name) for t in dbml.tables} == \
        {(t.namespace, t.name) for t in sql.tables}
    assert sum(len(t.checks) for t in dbml.tables) == sum(len(t.checks) for t in sql.tables)
