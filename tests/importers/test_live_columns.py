"""The live import makes each distinct column definition once (issue 17): its tables' columns
are copies of what the SQL importer's handler made of one definition, and a table with a
definition that says anything is handled whole. The result must be the one of handling every
generated statement whole, as the live import did before."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from psycopg.rows import dict_row

import modeler.importers.live as live
from modeler.importers.result import ImportResult
from modeler.importers.sql.context import Context
from modeler.importers.sql.script import run_statement

pytestmark = pytest.mark.postgres

DDL = """
CREATE COLLATION fr (provider = libc, locale = 'C');
CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE DOMAIN public.serial AS integer;  -- a type spelled as the serial pseudo-type
CREATE DOMAIN positive AS integer CHECK (VALUE > 0);
CREATE TABLE a (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name varchar(40) COLLATE fr NOT NULL DEFAULT '',
    tags text[] DEFAULT ARRAY['x'::varchar, 'y'::varchar]::text[],
    m mood DEFAULT 'ok', p positive, n numeric(8, 2) DEFAULT 0,
    big bigint GENERATED ALWAYS AS (id * 2) STORED,
    blob text COMPRESSION pglz,
    created timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE b (
    id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name varchar(40) COLLATE fr NOT NULL DEFAULT '',
    a_id integer REFERENCES a, n numeric(8, 2) DEFAULT 0,
    created timestamptz NOT NULL DEFAULT now(),
    note varchar(20) DEFAULT NULL
);
CREATE UNLOGGED TABLE c (id integer, s public.serial, created timestamptz DEFAULT now());
CREATE TABLE d ();
CREATE TABLE e (extra text DEFAULT '') INHERITS (b);
CREATE TABLE p (id integer NOT NULL, at date NOT NULL DEFAULT CURRENT_DATE)
    PARTITION BY RANGE (at);
CREATE TABLE p1 PARTITION OF p FOR VALUES FROM ('2020-01-01') TO ('2021-01-01');
COMMENT ON COLUMN b.name IS 'the name';
"""


def _catalog(url: str) -> dict[str, Any]:
    with psycopg.connect(url, row_factory=dict_row) as conn:
        conn.execute(DDL.encode())
        conn.commit()
        conn.execute("SET search_path = public")
        return live._read(live._Reader(conn, None, 0), ["public"], None)


def _whole(data: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> ImportResult:
    """The import with every CREATE TABLE handled whole (the live import before issue 17)."""
    with monkeypatch.context() as patch:
        patch.setattr(live, "_create_table", lambda ctx, item, columns: run_statement(
            ctx, live.SOURCE, item.sql))
        return live._import(data, False)


def test_columns_made_once_per_definition_equal_whole_statements(
        pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    data = _catalog(pg_url)
    fast, whole = live._import(data, False), _whole(data, monkeypatch)
    assert fast.schema == whole.schema
    assert fast.warnings == whole.warnings and fast.counts == whole.counts
    tables = {t.name: t for t in fast.schema.tables}
    assert [c.name for c in tables["a"].columns] == ["id", "name", "tags", "m", "p", "n",
                                                       "big", "blob", "created"]
    b = {c.name: c for c in tables["b"].columns}
    assert b["name"].comment == "the name" and b["name"].collation is not None
    assert b["created"].default == "now()" and not b["created"].nullable
    assert not tables["d"].columns
    assert [c.name for c in tables["e"].columns] == [*b, "extra"]
    assert any("e inherits from public.b" in w.message for w in fast.warnings)
    # one plan item per table, the same statements as text
    plan = live._plan(data)
    made = [item for item in plan if isinstance(item, live._Table)]
    assert {item.row["relname"] for item in made} == {"a", "b", "c", "d", "e", "p", "p1"}
    assert [item.sql if isinstance(item, live._Table) else item for item in plan] == \
        live._statements(data)
    assert next(i for i in made if i.row["relname"] == "p").shell == ""  # partitioned: whole


def test_a_definition_read_as_serial_is_not_copied(pg_url: str) -> None:
    data = _catalog(pg_url)
    ctx = Context()
    ctx.search_path = ["public"]
    for sql in live._statements(data)[:4]:  # the collation, enum and domains
        run_statement(ctx, live.SOURCE, sql)
    columns = live._Columns(ctx)
    rows = {(r["attrelid"], r["attname"]): r for r in data["columns"]}
    oid = {t["relname"]: t["oid"] for t in data["tables"]}
    assert columns.template(rows[(oid["c"], "s")]) is None  # the whole table instead
    made = columns.template(rows[(oid["b"], "created")])
    assert made is not None and made.default == "now()" and not made.nullable
    assert columns.template(rows[(oid["a"], "created")]) is made  # one per definition
    assert not ctx.draft.warnings and not ctx.draft.tables and not ctx.draft.sequences


def test_identity_sequence_options_are_read_as_from_sql(pg_url: str) -> None:
    """An identity column's sequence options (START WITH 500...) are read from pg_sequence
    as the SQL importer reads them from the DDL, without a warning (they were warned of as
    not modelled before they were)."""
    from modeler.importers import import_live, import_sql
    from modeler.schema.model import IdentityOptions

    ddl = ("CREATE TABLE counted (id bigint GENERATED ALWAYS AS IDENTITY (START WITH 500 "
           "INCREMENT BY 2) PRIMARY KEY, n int);\n"
           "CREATE TABLE plain (id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY);\n")
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute(ddl)

    def read(result: ImportResult) -> dict[str, IdentityOptions | None]:
        assert not [w for w in result.warnings if "identity" in w.message]
        return {t.name: t.columns[0].identity_options for t in result.schema.tables}

    assert read(import_live(pg_url)) == read(import_sql([("t.sql", ddl)])) == {
        "counted": IdentityOptions(start=500, increment=2), "plain": None}
