"""Classes found on Debian packages' hand-written DDL (bench/stranger_schemas.py), each on a
small self-written script.

* A script that adds its foreign keys by calling a function of its own without arguments
  (``SELECT add_keys();`` whose LANGUAGE sql body is ``ALTER TABLE ... ADD CONSTRAINT ...
  FOREIGN KEY``): the call was kept as SQL and replayed after the tables, so the models did
  not declare the keys (``alembic check`` asked to drop them) and ``downgrade base`` failed
  (DROP TABLE of the parent refused: the keys depend on it). The call is now followed as a
  DO block is: its DDL applied in its place.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from modeler.importers import ImportResult, import_sql
from tests.fidelity.test_roundtrip_classes import _loop
from tests.pgtemp import PgServer

KEYS_BY_CALL = """
CREATE TABLE parent (id integer PRIMARY KEY);
CREATE TABLE child (id integer PRIMARY KEY, parent_id integer);
CREATE TABLE other (id integer PRIMARY KEY, child_id integer);
CREATE FUNCTION drop_keys() RETURNS void AS $$
  ALTER TABLE child DROP CONSTRAINT child_parent_fk;
$$ LANGUAGE SQL SECURITY INVOKER;
CREATE FUNCTION add_keys() RETURNS void AS $$
  ALTER TABLE child ADD CONSTRAINT child_parent_fk FOREIGN KEY (parent_id) REFERENCES parent(id);
  ALTER TABLE other  ADD CONSTRAINT other_child_fk FOREIGN KEY (child_id) REFERENCES child(id);
$$ LANGUAGE SQL SECURITY INVOKER;
CREATE FUNCTION add_index() RETURNS integer LANGUAGE plpgsql AS $$
BEGIN
  CREATE INDEX other_child_idx ON other (child_id);
  RETURN 1;
END $$;
SELECT add_keys();
SELECT add_index();
"""


def imp(text: str) -> ImportResult:
    return import_sql([("script.sql", text)])


def test_a_call_of_a_function_without_parameters_is_followed() -> None:
    r = imp(KEYS_BY_CALL)
    names = {t.uid: t.name for t in r.schema.tables}
    keys = sorted((rel.name, names[rel.child_table], names[rel.parent_table])
                  for rel in r.schema.relationships)
    assert keys == [("child_parent_fk", "child", "parent"), ("other_child_fk", "other", "child")]
    other = next(t for t in r.schema.tables if t.name == "other")
    assert [i.name for i in other.indexes] == ["other_child_idx"]
    assert [(o.kind, o.name) for o in r.schema.raw_objects] == [
        ("function", "drop_keys"), ("function", "add_keys"), ("function", "add_index")]
    followed = [(w.line, w.kind) for w in r.warnings if "followed" in w.message]
    assert followed == [(17, "approximation"), (18, "approximation")]
    assert "SELECT public.add_keys() followed: the 2 DDL statements of its body were" in next(
        w.message for w in r.warnings if w.line == 17)


def test_calls_the_import_cannot_follow_are_still_replayed() -> None:
    """Arguments, parameters, a SELECT in a SQL body, other languages: kept as before."""
    r = imp("""
CREATE TABLE t (id integer PRIMARY KEY);
CREATE FUNCTION with_arg(n text) RETURNS void AS $$ CREATE INDEX t_idx ON t (id) $$
    LANGUAGE sql;
CREATE FUNCTION selects() RETURNS integer AS $$ CREATE INDEX t_idx2 ON t (id); SELECT 1 $$
    LANGUAGE sql;
CREATE FUNCTION looping() RETURNS void LANGUAGE plpgsql AS $$
DECLARE i int; BEGIN FOR i IN 1..2 LOOP EXECUTE 'CREATE TABLE x' || i || ' (a int)'; END LOOP;
END $$;
SELECT with_arg('a');
SELECT selects();
SELECT looping();
""")
    calls = [o.name for o in r.schema.raw_objects if o.kind == "function call"]
    assert calls == ["with_arg", "selects", "looping"]
    assert [i.name for t in r.schema.tables for i in t.indexes] == []


@pytest.mark.postgres
def test_keys_added_by_a_call_round_trip(pg_server: PgServer, tmp_path: Path) -> None:
    """Identical after upgrade, check clean, down to empty (it failed: DROP TABLE parent),
    up again identical."""
    _loop(pg_server, tmp_path, KEYS_BY_CALL)



def test_the_warning_of_a_followed_sql_function_says_no_more_than_it_did() -> None:
    r = imp(KEYS_BY_CALL)
    said = {w.line: w.message for w in r.warnings if "followed" in w.message}
    assert said[17] == ("SELECT public.add_keys() followed: the 2 DDL statements of its body "
                        "were applied as if written here, 0 data statements skipped; the "
                        "function itself is kept as SQL")
    assert "exception handlers not taken" in said[18]  # PL/pgSQL: its IFs were decided
