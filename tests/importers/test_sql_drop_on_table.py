"""DROP TRIGGER / RULE / POLICY ``name ON table`` in a script: the statement kept on that
table goes, and only that one. The table's schema was ignored and the name looked up along
search_path, so a trigger on a table of a schema off the path was never dropped: an
extension script that drops a trigger and makes it again (pgl_ddl_deploy's upgrade steps)
came back with it twice, and its export failed (trigger already exists). And a name on
another table of the same schema was dropped with it."""

from __future__ import annotations

import psycopg
import pytest

from modeler.codegen.ddl import schema_sql
from modeler.importers import import_sql

pytestmark = pytest.mark.postgres

DDL = """
CREATE SCHEMA app;
CREATE TABLE app.t (id int, owner text);
CREATE TABLE app.u (id int, owner text);
CREATE FUNCTION app.f() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TRIGGER tr BEFORE INSERT ON app.t FOR EACH ROW EXECUTE PROCEDURE app.f();
CREATE TRIGGER tr BEFORE INSERT ON app.u FOR EACH ROW EXECUTE PROCEDURE app.f();
CREATE RULE keep AS ON DELETE TO app.t DO INSTEAD NOTHING;
CREATE RULE keep AS ON DELETE TO app.u DO INSTEAD NOTHING;
CREATE POLICY mine ON app.t USING (owner = current_user);
CREATE POLICY mine ON app.u USING (owner = current_user);
DROP TRIGGER tr ON app.t;
DROP RULE keep ON app.t;
DROP POLICY mine ON app.t;
CREATE OR REPLACE FUNCTION app.f() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END';
CREATE TRIGGER tr BEFORE INSERT ON app.t FOR EACH ROW EXECUTE PROCEDURE app.f();
"""

CATALOG = """
SELECT 'trigger', tgrelid::regclass::text FROM pg_trigger WHERE tgname = 'tr'
UNION ALL SELECT 'rule', ev_class::regclass::text FROM pg_rewrite WHERE rulename = 'keep'
UNION ALL SELECT 'policy', polrelid::regclass::text FROM pg_policy WHERE polname = 'mine'
ORDER BY 1, 2
"""


def catalog(url: str, ddl: str) -> list[tuple[str, str]]:
    with psycopg.connect(url) as conn:
        conn.execute(ddl)
        rows = [(str(a), str(b)) for a, b in conn.execute(CATALOG).fetchall()]
        conn.rollback()
    return rows


def test_drop_on_a_table_drops_what_is_kept_on_it(pg_url: str) -> None:
    expected = catalog(pg_url, DDL)
    assert expected == [("policy", "app.u"), ("rule", "app.u"), ("trigger", "app.t"),
                        ("trigger", "app.u")]
    schema = import_sql([("s.sql", DDL)]).schema
    assert catalog(pg_url, schema_sql(schema)) == expected  # raised: tr already exists
