"""Issue 17: an export scans its kept SQL for the relations it names once (schema.sql and the
revision's differ both ask which raw objects go before the tables)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from modeler.codegen import prefork
from modeler.codegen.versions import VersionInput
from modeler.diff import compare_types
from modeler.diff.compare_types import early_raw_objects
from modeler.schema import model as m
from modeler.schema.builder import SchemaBuilder


def _schema() -> m.Schema:
    b = SchemaBuilder()
    b.table("language", comment="Languages").column("id", "integer", pk=True)
    t = b.table("t", comment="Uses the function")
    t.column("id", "integer", pk=True)
    t.column("name", "text", default="'x'::text")
    fn = m.RawObject(uid="00000000-0000-4000-8000-0000000000c1", kind="function",
                     name="trimmed", sql="CREATE FUNCTION trimmed(text) RETURNS boolean AS $$ "
                     "SELECT $1 = btrim($1) $$ LANGUAGE sql IMMUTABLE;")
    setof = m.RawObject(uid="00000000-0000-4000-8000-0000000000c2", kind="function",
                        name="all_t", sql="CREATE FUNCTION all_t() RETURNS SETOF t AS $$ "
                        "SELECT * FROM t $$ LANGUAGE sql;")
    view = m.RawObject(uid="00000000-0000-4000-8000-0000000000c3", kind="view", name="v",
                       sql="CREATE VIEW v AS SELECT id FROM t;")
    return replace(b.build(), raw_objects=(fn, setof, view))


def test_an_export_scans_each_raw_object_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """The files of one version (schema.sql and the revision made in this process):
    each raw object's SQL is scanned once, not once per file."""
    schema = _schema()
    scanned: list[str] = []
    named = compare_types._named

    def counted(text: str) -> set[str]:
        scanned.append(text)
        return named(text)

    monkeypatch.setattr(compare_types, "_named", counted)
    job = prefork.Job(slug="shop", title="Shop", target="sqlalchemy", findings="[]",
                      waivers=[])
    files = prefork.make_files(job, [VersionInput(number=1, message="First", author="ann",
                                                  created="2026-01-02", schema=schema)],
                               fork=False)
    assert "schema.sql" in files
    assert len(scanned) == len(schema.raw_objects)


def test_the_memo_follows_the_tables() -> None:
    """Two schemas sharing their raw objects but not their tables: each gets its own
    answer (only the scan of the SQL is shared)."""
    schema = _schema()
    assert early_raw_objects(schema) == {"00000000-0000-4000-8000-0000000000c1"}
    renamed = replace(schema, tables=tuple(replace(t, name="u") if t.name == "t" else t
                                           for t in schema.tables))
    assert renamed.raw_objects is schema.raw_objects
    # all_t returns SETOF t, and no table is called t any more; the view stays late (kind)
    assert early_raw_objects(renamed) == {"00000000-0000-4000-8000-0000000000c1",
                                          "00000000-0000-4000-8000-0000000000c2"}
    assert early_raw_objects(schema) == {"00000000-0000-4000-8000-0000000000c1"}
