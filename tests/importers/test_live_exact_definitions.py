"""Views, triggers and rules come back from a live database as PostgreSQL stored them. The
live import read their definitions pretty-printed (``pg_get_viewdef(oid, true)``, and the
same for triggers and rules), which leaves out parentheses it deems unneeded: ``a AND (b AND
c)`` printed ``a AND b AND c``, made again a different query tree (one AND of three), so the
export's view was not the database's (found by bench/stranger_schemas.py: seven of Chado's
range views, ``WHERE x.srcfeature_id = y.srcfeature_id AND (y.fmin >= x.fmin AND ...)``).
pg_dump reads them without pretty-printing for that reason."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeler.importers import import_live
from modeler.importers.live.nesting import keep_nesting
from tests.catalog import CATEGORIES, OBJECTS, compare, read_catalog
from tests.fidelity import roundtrip as rt
from tests.importers.roundtrips import load
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

SCRIPT = """
CREATE TABLE featureloc (feature_id int PRIMARY KEY, srcfeature_id int, fmin int, fmax int);
CREATE VIEW feature_contains (subject_id, object_id) AS
SELECT x.feature_id, y.feature_id FROM featureloc x, featureloc y
WHERE x.srcfeature_id = y.srcfeature_id AND (y.fmin >= x.fmin AND y.fmin <= x.fmax);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER featureloc_touch BEFORE UPDATE ON featureloc FOR EACH ROW
    WHEN (OLD.fmin IS DISTINCT FROM NEW.fmin OR (OLD.fmax <> NEW.fmax OR OLD.fmax IS NULL))
    EXECUTE FUNCTION touch();
CREATE RULE featureloc_keep AS ON DELETE TO featureloc
    WHERE OLD.fmin > 0 AND (OLD.fmax > 0 AND OLD.srcfeature_id IS NOT NULL) DO INSTEAD NOTHING;
"""


def test_nested_conditions_come_back_as_stored(pg_server: PgServer, tmp_path: Path) -> None:
    with rt.database(pg_server) as original:
        load(original, SCRIPT)
        expected = read_catalog(original)
        schema = import_live(original).schema
    actual = rt.migrated_catalog(pg_server, schema, tmp_path, "exact")
    report = compare(expected, actual, categories=OBJECTS)
    assert report.ok, report.text()


# PostgreSQL's own expansions (BETWEEN, row comparisons, a row-wise IS DISTINCT FROM) as the
# left operand of an AND (OR) of the same kind: stored nested, printed ((p AND q) AND r),
# which the grammar flattens when it is made again (found by bench/stranger_schemas.py:
# pgstac's trigger WHEN over a row-wise IS DISTINCT FROM of three columns)
LEFT_NESTED = """
CREATE TABLE t (a int, b int, c int,
    CHECK (a BETWEEN 1 AND 10 AND b > 0),
    CHECK ((a, b, c) IS DISTINCT FROM (1, 2, 3)),
    ok boolean GENERATED ALWAYS AS (a BETWEEN 1 AND 2 AND b > 0) STORED);
CREATE INDEX t_small ON t (a) WHERE (a, b) = (b, c) AND c > 0;
CREATE VIEW v AS SELECT a FROM t WHERE a BETWEEN 1 AND 10 AND b > 0 OR c IS NULL;
CREATE DOMAIN small AS int CHECK (VALUE BETWEEN 1 AND 5 AND VALUE <> 3);
CREATE FUNCTION within(x int) RETURNS boolean LANGUAGE sql IMMUTABLE
    RETURN x BETWEEN 1 AND 2 AND x > 0;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER t_touch BEFORE UPDATE ON t FOR EACH ROW
    WHEN ((OLD.a, OLD.b, OLD.c) IS DISTINCT FROM (NEW.a, NEW.b, NEW.c)) EXECUTE FUNCTION touch();
CREATE POLICY t_rows ON t USING ((a, b) = (b, c) AND c > 0);
"""


def test_postgresqls_own_nesting_comes_back_as_stored(pg_server: PgServer,
                                                      tmp_path: Path) -> None:
    with rt.database(pg_server) as original:
        load(original, LEFT_NESTED)
        expected = read_catalog(original)
        schema = import_live(original).schema
    actual = rt.migrated_catalog(pg_server, schema, tmp_path, "nested")
    report = compare(expected, actual, categories=(*CATEGORIES, *OBJECTS))
    assert report.ok, report.text()


def test_only_a_printed_left_nesting_is_rewritten() -> None:
    printed = "CHECK ((((a >= 1) AND (a <= 10)) AND (b > 0)))"
    assert keep_nesting(printed) == "CHECK ((((a >= 1) AND (a <= 10))::boolean AND (b > 0)))"
    assert keep_nesting(keep_nesting(printed)) == keep_nesting(printed)
    assert keep_nesting("(((p OR q) OR r) OR s)") == "(((p OR q)::boolean OR r)::boolean OR s)"
    for kept in ("CHECK (((a >= 1) AND (a <= 10) AND (b > 0)))",  # flat: as made
                 "((p AND q) OR r)", "(p OR (q OR r))",  # another operator, right nesting
                 "((SELECT p OR q) OR r)", "'((p OR q) OR r)'",  # a subquery, a string
                 "AS $$ SELECT ((p OR q) OR r) $$"):
        assert keep_nesting(kept) == kept
