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
from tests.catalog import OBJECTS, compare, read_catalog
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
