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
    # 3,175 refs: 65 name the columns of composite keys one by one (27 foreign keys), 548
    # name columns that are no key (left out: PostgreSQL refuses them)
    "dbml-bench-18k/18k.dbml": (704, 2589, 0),
}
# file -> the type names reported (first use line: type as written, what it became)
TYPES: dict[str, dict[int, tuple[str, str]]] = {
    "pydbml-test-schema/test_schema.dbml": {40: ("datetime", "timestamp without time zone")},
    "azimutt-dbml-complex/complex.dbml": {44: ("bigint unsigned", "bigint"),
                                          45: ("post_status", "the enum blog.post_status")},
    "dbml-db2dbml-postgres/schema.dbml": {},
    # its domains, which DBML cannot declare: kept as names the database must provide
    "adventureworks/adventureworks.dbml": {
        3: ("public.Name", 'kept as "Name"'), 18: ("public.Flag", 'kept as "Flag"'),
        139: ("public.NameStyle", 'kept as "NameStyle"'),
        160: ("public.Phone", 'kept as "Phone"'),
        696: ("public.AccountNumber", 'kept as "AccountNumber"'),
        848: ("public.OrderNumber", 'kept as "OrderNumber"')},
    # Dynamics NAV / Business Central type names
    "dbml-bench-18k/18k.dbml": {
        2: ("Code", "imported as text"), 3: ("DateFormula", "imported as text"),
        8: ("DateTime", "imported as timestamp without time zone"),
        9: ("GUID", "imported as uuid"), 23: ("Option", "imported as text"),
        157: ("Media", "imported as text"), 319: ("BLOB", "imported as bytea"),
        1203: ("MediaSet", "imported as text"), 1540: ("BigInteger", "imported as bigint"),
        2836: ("RecordID", "imported as text"), 12124: ("Duration", "imported as text")},
}


@pytest.mark.parametrize("path", sorted(DBML))
def test_corpus_dbml_imports(path: str) -> None:
    r = import_dbml(corpus_files(path))
    types = [w for w in r.warnings if w.message.startswith("type ")]
    assert not [w for w in r.warnings if w.kind in ("error", "unresolved") and w not in types]
    assert (r.counts["tables"], r.counts["relationships"], r.counts["enums"]) == DBML[path]
    assert [w.line for w in types] == list(TYPES[path])
    for w in types:
        written, became = TYPES[path][w.line or 0]
        assert w.message.startswith(f'type "{written}" ') and became in w.message, w.message
    assert all(w.kind == "unresolved" for w in types if "kept as" in w.message)


def test_bench_references_to_columns_that_are_no_key_are_reported() -> None:
    r = import_dbml(corpus_files("dbml-bench-18k/18k.dbml"))
    merged = [w for w in r.warnings if w.message.startswith("references ")]
    left_out = [w for w in r.warnings if w.message.startswith("reference ")]
    assert (len(merged), len(left_out)) == (27, 548)
    assert sum(w.message.split(" name the ")[0].count(" > ") for w in merged) == 65
    assert all(w.line is not None for w in merged + left_out)
    assert left_out[0].line == 75 and left_out[0].message.startswith(
        "reference table_2.col_1621 > table_240.col_704 left out")


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
