"""A table renamed (or moved) in the editor is renamed in the SQL the design keeps:
views, materialized views, triggers, policies, rules, statistics, row level security.
PostgreSQL renames it in them too (the migration's ALTER TABLE ... RENAME is right), but the
design's text kept the old name, so everything built from the text alone (``schema.sql``,
``create_all``) failed: relation "person" does not exist (found renaming a table of an
imported schema with a view over it)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import psycopg
import pytest

from modeler.codegen.bundle import VersionInput, build_bundle
from modeler.codegen.version_table import version_table_name
from modeler.importers import import_sql
from modeler.schema import actions, edit
from modeler.schema.kept_renames import renamed_sql
from modeler.schema.model import Schema
from tests.catalog import compare, read_catalog
from tests.codegen.helpers import write_bundle
from tests.fidelity import roundtrip as rt
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

V1 = """
CREATE SCHEMA app;
CREATE TABLE person (id int PRIMARY KEY, name text NOT NULL, age int);
CREATE TABLE app.person (id int PRIMARY KEY);
CREATE VIEW names AS SELECT p.name FROM person p JOIN app.person q USING (id)
    WHERE p.age > (SELECT count(*) FROM public.person);
CREATE VIEW not_it AS WITH person AS (SELECT 1 AS name) SELECT name FROM person;
CREATE MATERIALIZED VIEW ages AS SELECT age FROM person;
CREATE FUNCTION noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER grown BEFORE INSERT ON person FOR EACH ROW WHEN (NEW.age > 0)
    EXECUTE FUNCTION noop();
ALTER TABLE person ENABLE ROW LEVEL SECURITY;
CREATE POLICY positive ON person USING (age > 0);
CREATE RULE keep AS ON DELETE TO person DO INSTEAD NOTHING;
CREATE STATISTICS name_age ON name, age FROM person;
"""
# what the design holds once public.person is renamed human: the same objects on it
# (its primary key keeps its imported name: not the convention's, so not renamed)
V2 = (V1.replace("CREATE TABLE person (id int PRIMARY KEY",
                 "CREATE TABLE human (id int CONSTRAINT person_pkey PRIMARY KEY")
      .replace("FROM person p", "FROM human p").replace("public.person", "public.human")
      .replace("SELECT age FROM person", "SELECT age FROM human")
      .replace("ON person", "ON human").replace("TO person", "TO human")
      .replace("TABLE person ENABLE", "TABLE human ENABLE")
      .replace("age FROM person", "age FROM human"))


def _versions() -> tuple[Schema, Schema]:
    one = import_sql([("v1.sql", V1)]).schema
    person = one.table_named("person")
    assert person is not None and person.namespace == "public"
    return one, actions.update_table(one, replace(person, name="human"))


def test_the_kept_sql_names_the_renamed_table() -> None:
    one, two = _versions()
    sql = {o.name: o.sql for o in two.raw_objects}
    assert "FROM human AS p" in sql["names"] and "app.person" in sql["names"]
    assert "public.human" in sql["names"]
    assert sql["not_it"] == {o.name: o.sql for o in one.raw_objects}["not_it"]  # its CTE
    for name in ("ages", "grown", "positive", "keep", "name_age"):
        assert "human" in sql[name] and "person" not in sql[name], sql[name]
    assert "noop" in sql and "person" not in sql["human"]  # the RLS switch, renamed too
    # a table moved to another schema: an unqualified name gets the schema
    moved = renamed_sql("CREATE VIEW v AS SELECT * FROM person", {("public", "person"): (
        "app", "person")}, ["public"], {("public", "person")})
    assert moved == "CREATE VIEW v AS SELECT * FROM app.person"
    # an unqualified name is the first schema's of the search path that has the table
    assert renamed_sql("CREATE VIEW v AS SELECT * FROM person", {("public", "person"): (
        "public", "human")}, ["app", "public"], {("app", "person"), ("public", "person")}) \
        is None


def test_a_renaming_version_builds_from_scratch_and_migrates(pg_server: PgServer,
                                                             tmp_path: Path) -> None:
    one, two = _versions()
    files = build_bundle([VersionInput(1, "first", "t", "2026-01-01", one, baseline=True),
                          VersionInput(2, "person is human", "t", "2026-01-02", two)],
                         slug="renamed")
    bundle = write_bundle(files, tmp_path / "bundle")
    table = version_table_name([one, two])
    with rt.database(pg_server) as expected_url:
        with psycopg.connect(expected_url, autocommit=True) as conn:
            conn.execute(V2)  # type: ignore[arg-type]
        expected = read_catalog(expected_url)
    with rt.database(pg_server) as url, psycopg.connect(url, autocommit=True) as conn:
        conn.execute(files["schema.sql"].decode())  # type: ignore[arg-type]  # the text alone
        assert conn.execute("SELECT count(*) FROM names").fetchone() == (0,)
    with rt.database(pg_server) as url:  # the revisions, up, check, down
        for args in (("upgrade", "head"), ("check",), ("downgrade", "base"),
                     ("upgrade", "head")):
            done = rt.alembic(bundle, url, *args)
            assert done.returncode == 0, (args, (done.stdout + done.stderr)[-2000:])
        report = compare(expected, rt.without_version_table(read_catalog(url), table))
        assert report.ok, report.text()


COLUMNS_V1 = """
CREATE TABLE person (id int PRIMARY KEY, name text NOT NULL, age int);
CREATE TABLE pet (id int PRIMARY KEY, owner_id int, name text);
CREATE VIEW grown AS SELECT p.name, age, p.age AS years FROM person p WHERE p.age > 17;
CREATE VIEW owners AS SELECT p.age, q.name AS pet FROM person p JOIN pet q ON q.owner_id = p.id;
CREATE MATERIALIZED VIEW ages AS SELECT age FROM person UNION SELECT 0;
CREATE FUNCTION noop() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER older BEFORE UPDATE OF age, name ON person FOR EACH ROW
    WHEN (NEW.age > OLD.age) EXECUTE FUNCTION noop();
CREATE POLICY positive ON person USING (age > 0);
CREATE STATISTICS name_age ON name, age FROM person;
"""


def test_a_renamed_column_is_renamed_where_kept_sql_names_it(pg_server: PgServer,
                                                             tmp_path: Path) -> None:
    one = import_sql([("v1.sql", COLUMNS_V1)]).schema
    person = one.table_named("person")
    assert person is not None
    age = person.column_named("age")
    assert age is not None
    two = actions.keep_conventional_names(one, edit.put_column(one, person.uid,
                                                               replace(age, name="years_old")))
    sql = {o.name: o.sql for o in two.raw_objects}
    assert "years_old AS age" in sql["grown"] and "p.years_old AS years" in sql["grown"]
    assert "p.years_old > 17" in sql["grown"] and "p.years_old AS age" in sql["owners"]
    assert "SELECT years_old AS age FROM person UNION" in sql["ages"]
    assert "OF years_old, name" in sql["older"] and "new.years_old > old.years_old" in sql[
        "older"]
    assert "(years_old > 0)" in sql["positive"] and "name, years_old" in sql["name_age"]
    files = build_bundle([VersionInput(1, "first", "t", "2026-01-01", one, baseline=True),
                          VersionInput(2, "age is years_old", "t", "2026-01-02", two)],
                         slug="columns")
    bundle = write_bundle(files, tmp_path / "bundle")
    with rt.database(pg_server) as url, psycopg.connect(url, autocommit=True) as conn:
        conn.execute(files["schema.sql"].decode())  # type: ignore[arg-type]  # the text alone
        conn.execute("INSERT INTO person VALUES (1, 'Ann', 30)")
        # the views keep their columns' names
        assert conn.execute("SELECT name, age, years FROM grown").fetchall() == [
            ("Ann", 30, 30)]
    with rt.database(pg_server) as url:
        for args in (("upgrade", "head"), ("check",), ("downgrade", "base"),
                     ("upgrade", "head")):
            done = rt.alembic(bundle, url, *args)
            assert done.returncode == 0, (args, (done.stdout + done.stderr)[-2000:])


def test_a_column_qualified_by_the_renamed_table_follows_it(pg_url: str) -> None:
    """``orders.id`` names the relation ``orders`` as ``FROM orders`` does (pg_get_viewdef
    and pg_dump qualify a view's columns so, up to PostgreSQL 15): renaming only the FROM
    made ``SELECT orders.id FROM sales`` (missing FROM-clause entry), and the changed text
    dropped and recreated the view in the migration, which then failed."""
    renames = {("public", "orders"): ("public", "sales")}
    tables = {("public", "orders"), ("public", "customer")}
    view = ("CREATE VIEW v AS SELECT orders.id, public.orders.total, customer.name "
            "FROM orders JOIN public.customer ON customer.id = orders.customer_id "
            "WHERE orders.total > 0")
    sql = renamed_sql(view, renames, ["public"], tables)
    assert sql is not None and "orders" not in sql, sql
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE customer (id int, name text);"
                     "CREATE TABLE sales (id int, total int, customer_id int)")
        conn.execute(sql)  # type: ignore[arg-type]
    # the qualifier is another relation's (an alias, or a table of the same name in a
    # subquery that is not renamed): left as written
    assert renamed_sql("CREATE VIEW v AS SELECT orders.id FROM public.orders "
                       "WHERE EXISTS (SELECT 1 FROM app.orders WHERE orders.id = 1)",
                       renames, ["public"], tables | {("app", "orders")}) is None
    aliased = renamed_sql("CREATE VIEW v AS SELECT orders.id FROM customer AS orders, "
                          "public.orders AS o", renames, ["public"], tables)
    assert aliased is not None and "SELECT orders.id" in aliased, aliased


def test_a_view_named_like_a_renamed_table_keeps_its_name() -> None:
    """A view's own name is not a table read (PostgREST's api.todos over private.todos):
    it was renamed with the table it shares the name with."""
    sql = renamed_sql("CREATE VIEW todos AS SELECT * FROM todos",
                      {("private", "todos"): ("private", "tasks")}, ["api", "private"],
                      {("private", "todos")})
    assert sql == "CREATE VIEW todos AS SELECT * FROM tasks", sql


def test_an_alias_given_twice_is_not_guessed() -> None:
    """``o`` is items outside and person inside: the outer o.name is items', not renamed
    (the last alias seen won, so it was)."""
    one = import_sql([("v1.sql", """
        CREATE TABLE person (id int PRIMARY KEY, name text);
        CREATE TABLE items (id int PRIMARY KEY, name text);
        CREATE VIEW v AS SELECT o.name FROM items o
            WHERE EXISTS (SELECT 1 FROM person o WHERE o.name = 'x');
        """)]).schema
    person = one.table_named("person")
    assert person is not None
    two = actions.update_table(one, replace(person, columns=tuple(
        replace(c, name="full_name") if c.name == "name" else c for c in person.columns)))
    view = {o.name: o.sql for o in two.raw_objects}["v"]
    assert "SELECT o.name" in view, view


def test_a_view_earlier_on_the_search_path_is_what_an_unqualified_name_reads() -> None:
    """SET search_path = api, public: ``FROM orders`` in a view reads the view api.orders,
    not the table public.orders; renaming the table renamed that reference too."""
    one = import_sql([("v1.sql", """
        CREATE SCHEMA api;
        CREATE TABLE public.orders (id int PRIMARY KEY, total int);
        SET search_path = api, public;
        CREATE VIEW api.orders AS SELECT id, total FROM public.orders;
        CREATE VIEW big AS SELECT id FROM orders WHERE total > 100;
        """)]).schema
    orders = one.table_named("orders")
    assert orders is not None
    two = actions.update_table(one, replace(orders, name="sales"))
    sql = {o.name: o.sql for o in two.raw_objects}
    assert "public.sales" in sql["orders"], sql["orders"]
    assert sql["big"] == {o.name: o.sql for o in one.raw_objects}["big"], sql["big"]


def test_a_rules_insert_and_update_name_the_renamed_column(pg_url: str) -> None:
    """A rule's UPDATE ... SET age = ... and INSERT INTO person (age): the target columns
    are names, not references; the expressions were renamed and the targets not, so the
    rule read SET age = years + 1 (column age does not exist) and, its text changed, the
    migration recreated it and failed, where PostgreSQL's RENAME COLUMN followed."""
    one = import_sql([("v1.sql", """
        CREATE TABLE person (id int PRIMARY KEY, age int);
        CREATE TABLE log (pid int);
        CREATE RULE older AS ON INSERT TO log DO ALSO
            UPDATE person SET age = age + 1 WHERE person.id = NEW.pid;
        CREATE RULE born AS ON DELETE TO log DO ALSO
            INSERT INTO person (id, age) VALUES (OLD.pid, 0);
        """)]).schema
    person = one.table_named("person")
    assert person is not None
    two = actions.update_table(one, replace(person, columns=tuple(
        replace(c, name="years") if c.name == "age" else c for c in person.columns)))
    sql = {o.name: o.sql for o in two.raw_objects}
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("CREATE TABLE person (id int PRIMARY KEY, years int);"
                     "CREATE TABLE log (pid int)")
        for name in ("older", "born"):
            assert "age" not in sql[name], sql[name]
            conn.execute(sql[name])  # type: ignore[arg-type]
