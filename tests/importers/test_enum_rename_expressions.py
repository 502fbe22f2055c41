"""SQL import: ALTER TYPE ... RENAME VALUE reaches every expression that spells the label,
not only a column's default that is one label (b659598): CHECKs, index predicates and keys,
array defaults, generation expressions, domain checks and the kept views. PostgreSQL stores
those literals as the enum's value, so its catalog shows the new label; the import kept the
old text, so the design named a label its enum no longer had and the export's upgrade failed
(invalid input value for enum mood: "old")."""

from __future__ import annotations

import pytest

from modeler.importers import import_sql
from tests.fidelity.differential import round_trip
from tests.pgtemp import PgServer

SCRIPT = """CREATE TYPE mood AS ENUM ('ok', 'old', 'x');
CREATE DOMAIN md AS mood CHECK (VALUE <> 'old');
CREATE TABLE t (id int PRIMARY KEY, m mood, d md, note text DEFAULT 'old',
  ms mood[] DEFAULT '{old,ok}'::mood[],
  g boolean GENERATED ALWAYS AS (m = 'old') STORED,
  CONSTRAINT t_not_old CHECK (m <> 'old'::mood OR id > 0),
  CONSTRAINT t_in CHECK (m IN ('ok', 'old', 'x') AND note <> 'old'),
  CONSTRAINT t_case CHECK (CASE m WHEN 'old' THEN id > 1 ELSE true END));
CREATE INDEX t_old ON t (id) WHERE m = 'old';
CREATE INDEX t_any ON t ((m = ANY ('{old,x}')));
CREATE VIEW v AS SELECT id, 'old' AS note FROM t WHERE m = 'old'::mood OR ms @> '{old}';
ALTER TYPE mood RENAME VALUE 'old' TO 'gone';
"""


def test_the_expressions_follow_the_rename() -> None:
    s = import_sql([("a.sql", SCRIPT)]).schema
    t = s.tables[0]
    texts = {c.name: (c.default, c.generated) for c in t.columns}
    assert texts["ms"] == ("'{gone,ok}'::mood[]", None)
    assert texts["g"] == (None, "m = 'gone'")
    assert texts["note"] == ("'old'", None)  # a text column: not the enum's
    assert {k.name: k.expression for k in t.checks} == {
        "t_not_old": "m <> 'gone'::mood OR id > 0",
        "t_in": "m IN ('ok', 'gone', 'x') AND note <> 'old'",
        "t_case": "CASE m WHEN 'gone' THEN id > 1 ELSE TRUE END"}
    assert {i.name: (i.where, [p.expression for p in i.parts]) for i in t.indexes} == {
        "t_old": ("m = 'gone'", [None]), "t_any": (None, ["m = ANY('{gone,x}')"])}
    assert [k.expression for k in s.domains[0].checks] == ["value <> 'gone'"]
    view = next(r for r in s.raw_objects if r.name == "v")
    assert "'old' AS note" in view.sql and "m = 'gone'::mood OR ms @> '{gone}'" in view.sql


@pytest.mark.postgres
def test_renamed_labels_in_expressions_round_trip(pg_server: PgServer) -> None:
    outcome = round_trip(pg_server, SCRIPT)
    assert outcome.failures == [], "\n\n".join(outcome.failures)


@pytest.mark.postgres
def test_kept_views_over_another_enum_s_column_of_the_same_name_round_trip(
        pg_server: PgServer) -> None:
    """Two enums share a label and their tables a column name: the rename of one reaches
    the views reading its table, not those reading the other's (which PostgreSQL would
    refuse: invalid input value for enum pay_status)."""
    from tests.schema.test_enumlabels import SHOP

    script = SHOP + "ALTER TYPE order_status RENAME VALUE 'pending' TO 'open';"
    outcome = round_trip(pg_server, script)
    assert outcome.failures == [], "\n\n".join(outcome.failures)
