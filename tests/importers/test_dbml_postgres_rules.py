"""DBML that PostgreSQL would refuse when the export runs is repaired or left out at import,
with a warning at its line: identities on types that cannot have one, a serial marked
increment, defaults that are not values of the column's type or call functions PostgreSQL
does not have, indexes PostgreSQL cannot build, names used twice, foreign keys between
columns it cannot compare. ``test_dbml_reference.py`` upgrades the corpus on PostgreSQL; the
cases here upgrade too (the last test)."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeler.codegen.bundle import build_bundle
from modeler.codegen.versions import VersionInput
from modeler.importers import ImportResult, import_dbml
from modeler.schema import model as m
from tests.importers import dbml_reference as ref
from tests.pgtemp import PgServer


def imported(text: str) -> ImportResult:
    return import_dbml([("p.dbml", text)])


def cols(r: ImportResult, table: str = "t") -> dict[str, m.Column]:
    t = r.schema.table_named(table)
    assert t is not None
    return {c.name: c for c in t.columns}


def reports(r: ImportResult) -> list[tuple[int | None, str, str]]:
    return [(w.line, w.kind, w.message) for w in r.warnings]


def _bundle(r: ImportResult) -> dict[str, bytes]:
    version = VersionInput(number=1, message="m", author="a", created="2026-01-01",
                           schema=r.schema, baseline=True)
    return build_bundle([version], slug="s")


def test_serial_marked_increment_is_a_serial_and_exports() -> None:
    """Regression: ``serial [pk, increment]`` gave a column with both a nextval default and
    an identity; building the export raised ArgumentError (SQLAlchemy)."""
    r = imported("Table t {\n  id serial [pk, increment]\n  big bigserial [increment]\n}\n")
    c = cols(r)
    assert c["id"].identity is None and c["id"].default == "nextval('t_id_seq'::regclass)"
    assert c["big"].identity is None and c["big"].type.name == "bigint"
    assert r.warnings == ()
    assert "models.py" in " ".join(_bundle(r))


def test_increment_needs_an_integer_type() -> None:
    r = imported("Table t {\n  a varchar [increment]\n  b number [pk, increment]\n"
                 "  c numeric(10,2) [increment]\n  d int [increment, default: 5]\n}\n")
    c = cols(r)
    assert c["a"].identity is None and c["c"].identity is None
    assert (c["b"].type.name, c["b"].identity) == ("bigint", "by default")
    assert (c["d"].identity, c["d"].default) == ("by default", None)
    found = [(line, kind) for line, kind, _ in reports(r)]
    assert found == [(2, "unsupported"), (3, "approximation"), (3, "approximation"),
                     (4, "unsupported"), (5, "approximation")]
    assert "PostgreSQL's identity columns are smallint, integer or bigint" in r.warnings[0].message


@pytest.mark.parametrize(("column", "default", "expected", "kind"), [
    ("timestamp", "'now()'", "now()", "approximation"),
    ("timestamptz", "'CURRENT_TIMESTAMP'", "CURRENT_TIMESTAMP", "approximation"),
    ("timestamp", "`getdate()`", "now()", "approximation"),
    ("timestamp", "`CURRENT_TIMESTAMP()`", "CURRENT_TIMESTAMP", "approximation"),
    ("date", "`sysdate`", "now()", "approximation"),
    ("uuid", "`newid()`", "gen_random_uuid()", "approximation"),
    ("int", "`getdate()`", None, "unsupported"),
    ("timestamp", "`my_clock()`", None, "unsupported"),
    ("date", "`current_date + interval 1 year`", None, "unsupported"),
    ("int", "`(select 1)`", None, "unsupported"),
    ("int", "`other_column + 1`", None, "unsupported"),
    ("int", "'abc'", None, "unsupported"),
    ("int", "'12'", "'12'", None),
    ("numeric", "'1.5e3'", "'1.5e3'", None),
    ("boolean", "1", "true", "approximation"),
    ("boolean", "'yes'", "'yes'", None),
    ("boolean", "'maybe'", None, "unsupported"),
    ("int", "true", "1", "approximation"),
    ("date", "1", None, "unsupported"),
    ("uuid", "'not a uuid'", None, "unsupported"),
    ("jsonb", "'{\"a\": 1}'", "'{\"a\": 1}'", None),
    ("jsonb", "'x'", None, "unsupported"),
    ("text", "true", "true", None),
    ("varchar", "`now()`", "now()", None),
    ("date", "'2024-01-01'", "'2024-01-01'", None),
])
def test_defaults_postgresql_takes(column: str, default: str, expected: str | None,
                                   kind: str | None) -> None:
    r = imported(f"Table t {{\n  other_column int\n  c {column} [default: {default}]\n}}\n")
    assert cols(r)["c"].default == expected
    assert [k for _, k, _ in reports(r)][-1:] == ([kind] if kind else [])
    assert all(line == 3 for line, _, _ in reports(r))


def test_a_default_of_an_extension_function_declares_the_extension() -> None:
    r = imported("Table t {\n  id uuid [default: `uuid_generate_v4()`]\n}\n")
    assert cols(r)["id"].default == "uuid_generate_v4()"
    assert [e.name for e in r.schema.extensions] == ["uuid-ossp"]


@pytest.mark.parametrize(("check", "expected", "kind"), [
    ("`LEN(name) > 0`", "length(name) > 0", "approximation"),
    ("`isnull(name, '') <> ''`", "COALESCE(name, '') <> ''", "approximation"),
    ("`frobnicate(name)`", None, "unsupported"),
    ("`nope > 0`", None, "unsupported"),
    ("`n > (select 1)`", None, "unsupported"),
    ("`reverse(n) = '1'`", None, "unsupported"),
    ("`n > 0 AND`", None, "unsupported"),
    ("`regexp_like(name, '^a')`", "regexp_like(name, '^a')", None),
    ("`pg_catalog.length(name) > 1`", "pg_catalog.length(name) > 1", None),
])
def test_checks_postgresql_takes(check: str, expected: str | None, kind: str | None) -> None:
    r = imported(f"Table t {{\n  name text\n  n int\n  checks {{\n    {check}\n  }}\n}}\n")
    t = r.schema.table_named("t")
    assert t is not None
    assert [c.expression for c in t.checks] == ([expected] if expected else [])
    assert [(line, k) for line, k, _ in reports(r)] == ([(5, kind)] if kind else [])


def test_indexes_postgresql_cannot_build() -> None:
    r = imported("Table t {\n  a int\n  b text\n  j json\n  indexes {\n"
                 "    (a, b) [type: hash]\n    a [type: hash, unique]\n    b [type: gist]\n"
                 "    `now()`\n    `reverse(a)`\n    `lower(missing)`\n    j\n    nope\n"
                 "    a [type: fancy]\n  }\n}\n")
    t = r.schema.table_named("t")
    assert t is not None
    assert [(i.name, i.method, i.unique) for i in t.indexes] == [
        ("t_a_b_idx", "btree", False), ("t_a_idx", "btree", True), ("t_a_idx1", "btree", False),
        ("t_b_idx", "btree", False)]
    assert [(line, kind) for line, kind, _ in reports(r)] == [
        (6, "approximation"), (7, "approximation"), (8, "approximation"), (9, "unsupported"),
        (10, "unsupported"), (11, "unsupported"), (12, "unsupported"), (13, "unresolved"),
        (14, "approximation")]
    assert "PostgreSQL's hash indexes take one" in r.warnings[0].message


def test_unique_needs_comparable_values() -> None:
    r = imported("Table t {\n  a json [unique]\n  b jsonb [unique]\n}\n")
    t = r.schema.table_named("t")
    assert t is not None and [u.name for u in t.uniques] == ["t_b_key"]
    assert [(line, kind) for line, kind, _ in reports(r)] == [(2, "unsupported")]


def test_names_used_twice_get_names_of_their_own() -> None:
    r = imported("Table t {\n  a int\n  b int\n  indexes {\n    a [name: 'ix']\n"
                 "    b [name: 'ix']\n    (a, b) [name: 't']\n  }\n  checks {\n"
                 "    `a > 0` [name: 'positive']\n    `b > 0` [name: 'positive']\n  }\n}\n")
    t = r.schema.table_named("t")
    assert t is not None
    assert [i.name for i in t.indexes] == ["ix", "ix1", "t1"]
    assert [c.name for c in t.checks] == ["positive", "t_b_check"]
    assert [line for line, _, _ in reports(r)] == [11, 6, 7]  # checks, then indexes


def test_references_between_columns_postgresql_cannot_compare() -> None:
    r = imported("Table a {\n  id int [pk]\n  code varchar [unique]\n}\n"
                 "Table b {\n  a_id varchar [ref: > a.id]\n  code varchar [ref: > a.code]\n"
                 "  n bigint [ref: > a.id]\n}\n")
    assert sorted(x.name for x in r.schema.relationships) == ["b_code_fkey", "b_n_fkey"]
    assert [(line, kind) for line, kind, _ in reports(r)] == [(6, "unsupported")]
    assert "a_id (character varying) and id (integer)" in r.warnings[0].message


REPAIRED = """Enum status {
  active
  gone
}
Table t {
  id serial [pk, increment]
  n number [increment, unique]
  at timestamp [default: 'now()']
  on_ boolean [default: 1]
  s status [default: status.active]
  u uuid [default: `newid()`]
  name text [check: `LEN(name) > 0`]
  indexes {
    (n, name) [type: hash, name: 'same']
    name [type: gin, name: 'same']
    `lower(name)` [type: hash, unique]
  }
}
Table t2 {
  t_n varchar [ref: > t.n]
  t_id int [ref: > t.id]
}
"""


@pytest.mark.postgres
def test_repaired_designs_upgrade(pg_server: PgServer, tmp_path: Path) -> None:
    outcome = ref.Outcome(ref.Input("repaired.dbml", "dbml", "valid"), "warned",
                          imported(REPAIRED))
    ref.upgrade_all(pg_server, [outcome], tmp_path)
    assert outcome.upgrade == "", outcome.upgrade
