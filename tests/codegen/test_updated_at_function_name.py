"""The export's updated_at function is named after the routines the design keeps
(modeler.codegen.sqlwriter.updated_at_function): ``set_updated_at`` unless the design keeps
a routine of that name taking no arguments in public (logto's), which ``CREATE OR REPLACE``
overwrote; and a revision between two names renames it where no kept routine is in the way
(modeler.codegen.migration._function_names)."""

from __future__ import annotations

import pytest

from modeler.codegen.migration import _function_names, render_body, render_ops
from modeler.codegen.sqlwriter import updated_at_function
from modeler.diff.compare import diff
from modeler.importers import import_sql
from modeler.schema.model import Schema

TABLE = "CREATE TABLE t (id int PRIMARY KEY, updated_at timestamptz NOT NULL DEFAULT now());\n"


def _fn(name: str, args: str = "", schema: str = "public", kind: str = "FUNCTION") -> str:
    returns = " RETURNS trigger" if kind == "FUNCTION" else ""
    return (f"CREATE {kind} {schema}.{name}({args}){returns} LANGUAGE plpgsql AS $$ "
            f"BEGIN {'RETURN NEW;' if returns else 'NULL;'} END $$;\n")


def _schema(sql: str) -> Schema:
    return import_sql([("s.sql", "CREATE SCHEMA app;\n" + TABLE + sql)]).schema


@pytest.mark.parametrize(("kept", "name"), [
    ("", "set_updated_at"),
    (_fn("set_updated_at", "n int"), "set_updated_at"),  # another signature
    (_fn("set_updated_at", schema="app"), "set_updated_at"),  # another namespace
    (_fn("set_updated_at_1"), "set_updated_at"),
    (_fn("set_updated_at"), "set_updated_at_1"),
    (_fn("set_updated_at", kind="PROCEDURE"), "set_updated_at_1"),
    (_fn("set_updated_at") + _fn("set_updated_at_1"), "set_updated_at_2"),
])
def test_the_name_avoids_kept_routines(kept: str, name: str) -> None:
    assert updated_at_function(_schema(kept)) == name


def test_a_revision_renames_where_no_kept_routine_is_in_the_way() -> None:
    plain, own = _schema(""), _schema(_fn("set_updated_at"))
    own_1 = _schema(_fn("set_updated_at_1"))
    assert _function_names(plain, plain) == ("set_updated_at",) * 3
    assert _function_names(plain, own) == ("set_updated_at", "set_updated_at_1",
                                           "set_updated_at_1")  # renamed first
    assert _function_names(own, plain) == ("set_updated_at_1", "set_updated_at_1",
                                           "set_updated_at")  # renamed last
    # each side keeps the other's name: a third one in between
    assert _function_names(own, own_1) == ("set_updated_at_1", "set_updated_at_2",
                                           "set_updated_at")
    body = render_body(render_ops(diff(own, own_1), own, safe=False, end=own_1)[0])
    text = "\n".join(body)
    first = text.index("ALTER FUNCTION public.set_updated_at_1() RENAME TO set_updated_at_2")
    last = text.index("ALTER FUNCTION public.set_updated_at_2() RENAME TO set_updated_at")
    assert first < text.index("CREATE FUNCTION public.set_updated_at_1()") < last
    assert text.index("DROP FUNCTION IF EXISTS set_updated_at()") < last
