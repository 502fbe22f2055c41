"""A version that gives a table an updated_at trigger of its own (kept SQL that does more
than stamp every UPDATE: modeler.schema.updated_at) takes the export's trigger off that
table, and its downgrade puts it back; a version that only adds such kept SQL was rendered
against its end state, which dropped nothing (two triggers then stamped each row)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from modeler.codegen.migration import render_ops
from modeler.diff.compare import diff
from modeler.importers import import_sql

BASE = ("CREATE TABLE t (id int PRIMARY KEY, n int, "
        "updated_at timestamptz NOT NULL DEFAULT now());\n")
OWN = """CREATE FUNCTION keep_stamp() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.updated_at IS NOT DISTINCT FROM OLD.updated_at THEN NEW.updated_at := now(); END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER t_stamp BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION keep_stamp();
"""


def _triggers(sql: list[str]) -> list[str]:
    return [s.split(" ON ")[0] for s in sql if "trg_t_updated_at" in s]


@pytest.mark.parametrize("known_end", [True, False])
def test_own_trigger_added_and_removed_across_versions(known_end: bool) -> None:
    plain = import_sql([("a.sql", BASE)]).schema
    own = import_sql([("b.sql", BASE + OWN)]).schema
    own = replace(own, tables=plain.tables)  # the same table
    up, _ = render_ops(diff(plain, own), plain, safe=False, end=own if known_end else None)
    down, _ = render_ops(diff(own, plain), own, safe=False, end=plain if known_end else None)
    up_sql = [str(s) for s in up]
    down_sql = [str(s) for s in down]
    assert _triggers(up_sql) == ["Stmt(kind='code', code=Call(func='op.execute', "
                                 "args=(Lit(value='DROP TRIGGER IF EXISTS trg_t_updated_at"]
    assert len(_triggers(down_sql)) == 1 and "CREATE TRIGGER trg_t_updated_at" in \
        _triggers(down_sql)[0]
