"""A kept object a script makes again with CREATE OR REPLACE (a function redefined by a later
upgrade step after a trigger was made on it, a view redefined after another view was made
over it: pgl_ddl_deploy's script) is kept twice, in both places. ``downgrade base`` undid
the second first, as a DROP, while the trigger or view depending on the object still stood:
cannot drop function ... because other objects depend on it. Undoing a redefinition drops
nothing (the first statement's undoing drops the object, after what depends on it): it
gives the object its previous definition back, since the redefinition may read what was
made in between (a view redefined over a table made later, as evergreen's
money.billable_xact_summary is; dropped only where first made, the table could not go);
a SQL routine's previous body is given back unchecked, as what it reads may be gone by then
(evergreen's actor.org_unit_ancestors_distance)."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeler.codegen.version_table import version_table_name
from modeler.importers import import_sql
from tests.fidelity import roundtrip as rt
from tests.importers.roundtrips import rebuilt
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

DDL = """
CREATE SCHEMA q;
CREATE TABLE q.queue (id int PRIMARY KEY, body text);
CREATE OR REPLACE FUNCTION q.run() RETURNS trigger LANGUAGE plpgsql
    AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER run AFTER INSERT ON q.queue FOR EACH ROW EXECUTE FUNCTION q.run();
CREATE VIEW q.recent AS SELECT id, body FROM q.queue;
CREATE VIEW q.recent_ids AS SELECT id FROM q.recent;
CREATE FUNCTION q.size(n int) RETURNS int LANGUAGE sql AS 'SELECT n';
CREATE OR REPLACE FUNCTION q.run() RETURNS trigger LANGUAGE plpgsql
    AS 'BEGIN RAISE NOTICE ''%'', NEW.id; RETURN NEW; END';
CREATE OR REPLACE VIEW q.recent AS SELECT id, body FROM q.queue WHERE id > 0;
CREATE OR REPLACE FUNCTION q.size(n int) RETURNS int LANGUAGE sql AS 'SELECT n + 1';
CREATE TABLE q.bill (id int PRIMARY KEY, amount int);
CREATE OR REPLACE VIEW q.summary AS SELECT id, amount FROM q.bill;
CREATE TABLE q.summary_m AS SELECT * FROM q.summary WHERE 1=0;
ALTER TABLE q.summary_m ADD PRIMARY KEY (id);
CREATE OR REPLACE VIEW q.summary AS SELECT * FROM q.summary_m;
CREATE FUNCTION q.billed() RETURNS bigint LANGUAGE sql STABLE AS 'SELECT count(*) FROM q.bill';
CREATE TABLE q.billed_on (id int PRIMARY KEY, n bigint DEFAULT q.billed());
CREATE OR REPLACE FUNCTION q.billed() RETURNS bigint LANGUAGE sql STABLE
    AS 'SELECT count(*) + 0 FROM q.bill';
"""


def test_a_redefined_object_comes_down_after_what_depends_on_it(
        pg_server: PgServer, pg_url: str, tmp_path: Path) -> None:
    rt.psql_run(pg_server, pg_url, DDL)
    schema = import_sql([("s.sql", DDL)]).schema
    with rebuilt(pg_server, schema, tmp_path, "redefined", like=pg_url) as url:
        bundle = tmp_path
        down = rt.alembic(bundle, url, "downgrade", "base")
        assert down.returncode == 0, (down.stdout + down.stderr)[-1500:]
        assert rt.leftovers(url, version_table_name([schema])) == []
        again = rt.alembic(bundle, url, "upgrade", "head")
        assert again.returncode == 0, (again.stdout + again.stderr)[-1500:]
