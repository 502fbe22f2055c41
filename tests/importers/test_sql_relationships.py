"""SQL import: foreign keys (actions as written, UNSPECIFIED when not), names, cardinality."""

from __future__ import annotations

import pytest

from modeler.importers import ImportResult, SchemaImportError, import_sql
from modeler.schema import model as m

PARENTS = """
CREATE TABLE parent (id int PRIMARY KEY, code text UNIQUE);
CREATE TABLE other (a int, b int, PRIMARY KEY (a, b));
"""


def imp(sql: str) -> ImportResult:
    return import_sql([("fk.sql", PARENTS + sql)])


def rel(r: ImportResult, name: str) -> m.Relationship:
    found = [x for x in r.schema.relationships if x.name == name]
    assert found, f"no relationship {name}: {[x.name for x in r.schema.relationships]}"
    return found[0]


def test_actions_as_written_and_unspecified_when_not() -> None:
    r = imp("""
        CREATE TABLE c (
            a int REFERENCES parent,
            b int REFERENCES parent (id) ON DELETE CASCADE,
            d int REFERENCES parent ON DELETE NO ACTION ON UPDATE RESTRICT,
            e int REFERENCES parent ON UPDATE SET NULL,
            f int REFERENCES parent ON DELETE SET DEFAULT NOT NULL);""")
    assert (rel(r, "c_a_fkey").on_delete, rel(r, "c_a_fkey").on_update) == \
        ("UNSPECIFIED", "UNSPECIFIED")
    assert rel(r, "c_b_fkey").on_delete == "CASCADE"
    assert rel(r, "c_b_fkey").on_update == "UNSPECIFIED"
    assert (rel(r, "c_d_fkey").on_delete, rel(r, "c_d_fkey").on_update) == \
        ("NO ACTION", "RESTRICT")
    assert (rel(r, "c_e_fkey").on_delete, rel(r, "c_e_fkey").on_update) == \
        ("UNSPECIFIED", "SET NULL")
    assert rel(r, "c_f_fkey").on_delete == "SET DEFAULT"


def test_alter_table_add_constraint_pg_dump_style() -> None:
    r = imp("""
        CREATE TABLE c (x int, y int, p int);
        ALTER TABLE ONLY public.c
            ADD CONSTRAINT c_other_fk FOREIGN KEY (x, y) REFERENCES public.other(a, b)
            ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED;
        ALTER TABLE c ADD FOREIGN KEY (p) REFERENCES parent(id) DEFERRABLE;""")
    fk = rel(r, "c_other_fk")
    assert fk.on_update == "CASCADE" and fk.on_delete == "UNSPECIFIED"
    assert fk.deferrable and fk.initially_deferred
    schema = r.schema
    assert [schema.column(c).name for c in fk.child_columns] == ["x", "y"]
    assert [schema.column(c).name for c in fk.parent_columns] == ["a", "b"]
    plain = rel(r, "c_p_fkey")
    assert plain.deferrable and not plain.initially_deferred


def test_inline_deferrable_attributes() -> None:
    r = imp("CREATE TABLE c (p int REFERENCES parent DEFERRABLE INITIALLY DEFERRED);")
    fk = rel(r, "c_p_fkey")
    assert fk.deferrable and fk.initially_deferred


def test_references_without_columns_use_the_parent_primary_key() -> None:
    r = imp("CREATE TABLE c (x int, y int, FOREIGN KEY (x, y) REFERENCES other);")
    fk = rel(r, "c_x_y_fkey")
    assert [r.schema.column(c).name for c in fk.parent_columns] == ["a", "b"]


def test_cardinality_and_optionality() -> None:
    r = imp("""
        CREATE TABLE profile (id int PRIMARY KEY REFERENCES parent(id));
        CREATE TABLE detail (pid int NOT NULL UNIQUE REFERENCES parent);
        CREATE TABLE many (pid int REFERENCES parent);
        CREATE TABLE by_code (code text REFERENCES parent(code));
        CREATE TABLE by_idx (pid int REFERENCES parent);
        CREATE UNIQUE INDEX ON by_idx (pid);""")
    assert rel(r, "profile_id_fkey").cardinality == "one-to-one"
    assert not rel(r, "profile_id_fkey").optional
    assert rel(r, "detail_pid_fkey").cardinality == "one-to-one"
    assert rel(r, "many_pid_fkey").cardinality == "one-to-many"
    assert rel(r, "many_pid_fkey").optional
    assert rel(r, "by_code_code_fkey").cardinality == "one-to-many"
    assert rel(r, "by_idx_pid_fkey").cardinality == "one-to-one"


def test_self_reference_and_cross_schema() -> None:
    r = imp("""
        CREATE SCHEMA hr;
        CREATE TABLE hr.employee (id int PRIMARY KEY, boss int REFERENCES hr.employee);
        CREATE TABLE c (e int REFERENCES hr.employee(id));""")
    boss = rel(r, "employee_boss_fkey")
    assert boss.child_table == boss.parent_table
    assert r.schema.table(rel(r, "c_e_fkey").parent_table).namespace == "hr"


def test_fk_to_unknown_table_is_a_warning_with_line() -> None:
    r = imp("\nCREATE TABLE c (x int REFERENCES nowhere);")
    assert r.schema.relationships == ()
    w = [w for w in r.warnings if w.kind == "unresolved"]
    assert w and w[0].line == 5 and w[0].file == "fk.sql"


def test_drop_constraint_and_rename_constraint() -> None:
    r = imp("""
        CREATE TABLE c (p int CONSTRAINT c_p REFERENCES parent, q int CONSTRAINT u UNIQUE);
        ALTER TABLE c RENAME CONSTRAINT c_p TO c_parent;
        ALTER TABLE c DROP CONSTRAINT u;""")
    assert [x.name for x in r.schema.relationships] == ["c_parent"]
    assert r.schema.table_named("c") is not None
    assert r.schema.table_named("c").uniques == ()  # type: ignore[union-attr]


def test_exclusion_constraint_is_kept_as_sql() -> None:
    r = imp("CREATE TABLE booking (room int, during tsrange,"
            " EXCLUDE USING gist (room WITH =, during WITH &&));")
    raw = r.schema.raw_objects[0]
    assert raw.kind == "constraint" and raw.name == "booking_room_during_excl"
    assert raw.sql.startswith("ALTER TABLE ONLY public.booking ADD CONSTRAINT "
                              "booking_room_during_excl EXCLUDE USING gist")


def test_match_full_in_every_form_and_match_simple_by_default() -> None:
    """MATCH FULL on a column's REFERENCES, a table's FOREIGN KEY and ALTER TABLE ADD
    CONSTRAINT is modelled (no warning); MATCH SIMPLE, written or not, is the default."""
    r = imp("""
        CREATE TABLE c (
            p int REFERENCES parent MATCH FULL ON DELETE CASCADE,
            q int REFERENCES parent MATCH SIMPLE,
            x int, y int,
            CONSTRAINT c_xy FOREIGN KEY (x, y) REFERENCES other (a, b) MATCH FULL
                ON UPDATE CASCADE DEFERRABLE);
        CREATE TABLE d (x int, y int, z int REFERENCES parent);
        ALTER TABLE ONLY public.d
            ADD CONSTRAINT d_xy FOREIGN KEY (x, y) REFERENCES public.other(a, b) MATCH FULL;""")
    assert not [w for w in r.warnings if "MATCH" in w.message], r.warnings
    assert rel(r, "c_p_fkey").match == "FULL" and rel(r, "c_p_fkey").on_delete == "CASCADE"
    assert rel(r, "c_q_fkey").match == "SIMPLE"
    xy = rel(r, "c_xy")
    assert (xy.match, xy.on_update, xy.deferrable) == ("FULL", "CASCADE", True)
    assert rel(r, "d_xy").match == "FULL"
    assert rel(r, "d_z_fkey").match == "SIMPLE"


def test_match_full_goes_to_the_partitions_and_match_partial_is_refused() -> None:
    r = imp("""
        CREATE TABLE m (x int, y int, at date, FOREIGN KEY (x, y) REFERENCES other MATCH FULL)
            PARTITION BY RANGE (at);
        CREATE TABLE m_2024 PARTITION OF m FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');""")
    assert r.schema.relationships
    assert {x.match for x in r.schema.relationships} == {"FULL"}
    with pytest.raises(SchemaImportError, match="MATCH PARTIAL not yet implemented"):
        imp("CREATE TABLE c (x int, y int, FOREIGN KEY (x, y) REFERENCES other MATCH PARTIAL);")
