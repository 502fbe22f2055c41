"""Partitioning and collations from SQL: what the catalog would hold after the script.

Names of the copies a partition gets are PostgreSQL's (checked against a real server by
tests/codegen/test_collations_partitions.py and the corpus fidelity test)."""

from __future__ import annotations

from modeler.importers import ImportResult, import_sql
from modeler.schema import model as m


def imp(sql: str) -> ImportResult:
    return import_sql([("t.sql", sql)])


def table(r: ImportResult, name: str, ns: str = "public") -> m.Table:
    t = r.schema.table_named(name, ns)
    assert t is not None, name
    return t


def fks(r: ImportResult, name: str) -> list[str]:
    return sorted(rel.name for rel in r.schema.relationships_of(table(r, name).uid))


PARENT = """
CREATE TABLE account (id int PRIMARY KEY);
CREATE TABLE event (
    id int NOT NULL, account_id int NOT NULL REFERENCES account (id) ON DELETE CASCADE,
    day date NOT NULL DEFAULT CURRENT_DATE, label text COLLATE "C",
    PRIMARY KEY (id, day), UNIQUE (account_id, id, day),
    CONSTRAINT event_label_check CHECK (label <> '')
) PARTITION BY RANGE (day);
CREATE INDEX ON event (lower(label));
"""


def test_partition_of_gets_the_parents_columns_keys_indexes_and_fks() -> None:
    r = imp(PARENT + """
CREATE TABLE event_2025 PARTITION OF event (label WITH OPTIONS DEFAULT 'x')
    FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');""")
    parent, part = table(r, "event"), table(r, "event_2025")
    assert parent.partition_by == "RANGE (day)"
    assert (part.partition_of, part.partition_bound) == (
        parent.uid, "FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')")
    assert [(c.name, c.type.short(), c.nullable, c.default, c.collation)
            for c in part.columns] == [
        ("id", "integer", False, None, None), ("account_id", "integer", False, None, None),
        ("day", "date", False, "CURRENT_DATE", None), ("label", "text", True, "'x'", '"C"')]
    assert part.pk_name == "event_2025_pkey"
    assert [c.name for c in part.primary_key] == ["id", "day"]
    assert [u.name for u in part.uniques] == ["event_2025_account_id_id_day_key"]
    assert [k.name for k in part.checks] == ["event_label_check"]
    assert [i.name for i in part.indexes] == ["event_2025_lower_idx"]  # FigureIndexColname
    assert fks(r, "event_2025") == ["event_account_id_fkey"]  # an FK keeps its name
    rel = r.schema.relationships_of(part.uid)[0]
    assert rel.on_delete == "CASCADE"
    assert not [w for w in r.warnings if w.kind in ("error", "unresolved")]


def test_pg_dump_attach_keeps_what_the_table_has_and_copies_the_rest() -> None:
    r = imp(PARENT + """
CREATE TABLE event_2024 (id int NOT NULL, account_id int NOT NULL, day date NOT NULL,
    label text COLLATE "C", CONSTRAINT event_label_check CHECK (label <> ''));
CREATE INDEX my_lower ON event_2024 (lower(label));
ALTER TABLE ONLY event_2024 ADD CONSTRAINT my_pk PRIMARY KEY (id, day);
ALTER TABLE ONLY event ATTACH PARTITION event_2024
    FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');""")
    part = table(r, "event_2024")
    assert part.partition_bound == "FOR VALUES FROM ('2024-01-01') TO ('2025-01-01')"
    assert part.pk_name == "my_pk"  # matched, not copied
    assert [i.name for i in part.indexes] == ["my_lower"]
    assert [u.name for u in part.uniques] == ["event_2024_account_id_id_day_key"]
    assert fks(r, "event_2024") == ["event_account_id_fkey"]


def test_index_on_only_parent_is_paired_by_alter_index_attach() -> None:
    r = imp("""
CREATE TABLE p (k int NOT NULL, v int) PARTITION BY LIST (k);
CREATE TABLE p1 (k int NOT NULL, v int);
ALTER TABLE ONLY p ATTACH PARTITION p1 FOR VALUES IN (1);
CREATE INDEX p_v ON ONLY p (v);
CREATE INDEX p1_v ON p1 (v);
ALTER INDEX p_v ATTACH PARTITION p1_v;""")
    assert [i.name for i in table(r, "p1").indexes] == ["p1_v"]
    assert r.counts["partition_indexes_attached"] == 1


def test_parent_changes_are_handed_down_unless_only() -> None:
    r = imp("""
CREATE TABLE ref (id int PRIMARY KEY);
CREATE TABLE p (k int NOT NULL, v int) PARTITION BY LIST (k);
CREATE TABLE p1 PARTITION OF p FOR VALUES IN (1);
CREATE TABLE p2 PARTITION OF p FOR VALUES IN (2) PARTITION BY LIST (v);
CREATE TABLE p2a PARTITION OF p2 DEFAULT;
CREATE INDEX p1_own_v ON p1 (v);
CREATE INDEX ON p (v);
ALTER TABLE p ADD COLUMN w text;
ALTER TABLE p ALTER COLUMN v SET DEFAULT 7;
ALTER TABLE p ADD CONSTRAINT p_v_fkey FOREIGN KEY (v) REFERENCES ref (id);
ALTER TABLE ONLY p ALTER COLUMN w SET DEFAULT 'only the parent';""")
    for name in ("p1", "p2", "p2a"):
        t = table(r, name)
        assert [c.name for c in t.columns] == ["k", "v", "w"], name
        assert t.column_named("v").default == "7"  # type: ignore[union-attr]
        assert t.column_named("w").default is None  # type: ignore[union-attr]
        assert fks(r, name) == ["p_v_fkey"]
    # p1's own index on v is the copy of p's; the others get PostgreSQL's names
    assert [i.name for i in table(r, "p1").indexes] == ["p1_own_v"]
    assert [i.name for i in table(r, "p2").indexes] == ["p2_v_idx"]
    assert [i.name for i in table(r, "p2a").indexes] == ["p2a_v_idx"]
    assert table(r, "p2").partition_by == "LIST (v)"
    assert table(r, "p2a").partition_bound == "DEFAULT"


def test_bounds_and_keys_as_the_catalog_prints_them() -> None:
    r = imp("""
CREATE TABLE h (id int, name text) PARTITION BY HASH (id);
CREATE TABLE h0 PARTITION OF h FOR VALUES WITH (MODULUS 4, REMAINDER 0);
CREATE TABLE x (a int, b text) PARTITION BY RANGE (a, lower(b) COLLATE "C", (a + 1));
CREATE TABLE x1 PARTITION OF x FOR VALUES FROM (MINVALUE, 'a', 0) TO (10, MAXVALUE, MAXVALUE);
""")
    assert table(r, "h0").partition_bound == "FOR VALUES WITH (modulus 4, remainder 0)"
    assert table(r, "x").partition_by == 'RANGE (a, lower(b) COLLATE "C", (a + 1))'
    assert table(r, "x1").partition_bound == \
        "FOR VALUES FROM (MINVALUE, 'a', 0) TO (10, MAXVALUE, MAXVALUE)"


def test_detach_and_drop() -> None:
    r = imp(PARENT + """
CREATE TABLE event_2025 PARTITION OF event FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE event_old PARTITION OF event DEFAULT;
ALTER TABLE event DETACH PARTITION event_2025;
DROP TABLE event;""")
    detached = table(r, "event_2025")
    assert detached.partition_of is None and detached.partition_bound == ""
    assert detached.pk_name == "event_2025_pkey"  # the copies stay, as its own
    assert r.schema.table_named("event_old") is None  # DROP TABLE took the partition along


def test_partition_of_an_unknown_table_is_kept_as_sql() -> None:
    r = imp("CREATE TABLE p1 PARTITION OF elsewhere FOR VALUES IN (1);")
    assert r.schema.tables == ()
    assert [(o.kind, o.name) for o in r.schema.raw_objects] == [("partition", "p1")]


# --- collations ------------------------------------------------------------------------------

COLLATIONS = """
CREATE SCHEMA "We ird";
SET search_path = "We ird", public;
CREATE COLLATION "Odd ""q"".name" (provider = icu, locale = 'und-u-kn-true');
CREATE COLLATION IF NOT EXISTS "Odd ""q"".name" (provider = icu, locale = 'de');
CREATE COLLATION public.lc (lc_collate = 'C.utf8', lc_ctype = 'C');
CREATE COLLATION public.same (provider = libc, lc_collate = 'C', lc_ctype = 'C');
CREATE COLLATION public.fuzzy (provider = icu, locale = 'und-u-ks-level2',
                               deterministic = false);
CREATE COLLATION public.copy FROM "Odd ""q"".name";
CREATE COLLATION public.from_c FROM "C";
COMMENT ON COLLATION "Odd ""q"".name" IS 'numbers by value';
SET search_path = public;
CREATE TABLE t (
    a text COLLATE "We ird"."Odd ""q"".name",
    b varchar(10) COLLATE "C",
    c text COLLATE pg_catalog."POSIX",
    d text COLLATE fuzzy,
    e text COLLATE nowhere,
    f text
);
CREATE INDEX t_f ON t (f COLLATE "We ird"."Odd ""q"".name" DESC, (lower(b)) COLLATE "C");
ALTER TABLE t ALTER COLUMN f TYPE varchar(5) COLLATE lc;
ALTER TABLE t ALTER COLUMN d TYPE varchar(9);
"""


def test_collations_are_modelled() -> None:
    r = imp(COLLATIONS)
    got = {c.qualified_name: (c.provider, c.locale, c.lc_collate, c.lc_ctype,
                              c.deterministic, c.comment) for c in r.schema.collations}
    assert got == {
        'We ird.Odd "q".name': ("icu", "und-u-kn-true", None, None, True, "numbers by value"),
        "lc": ("libc", None, "C.utf8", "C", True, ""),
        "same": ("libc", "C", None, None, True, ""),
        "fuzzy": ("icu", "und-u-ks-level2", None, None, False, ""),
        "copy": ("icu", "und-u-kn-true", None, None, True, ""),
        "from_c": ("libc", "C", None, None, True, ""),
    }
    assert any("FROM built-in C" in w.message for w in r.warnings)


def test_column_and_index_collations_resolve_like_postgresql() -> None:
    r = imp(COLLATIONS)
    t = table(r, "t")
    assert [c.collation for c in t.columns] == [
        '"We ird"."Odd ""q"".name"', '"C"', '"POSIX"', None, None, "public.lc"]
    assert [w.message for w in r.warnings if w.kind == "unresolved"] == [
        "t.e: collation nowhere is not defined in the input; the default collation is kept"]
    parts = t.indexes[0].parts
    assert [(p.collation, p.descending) for p in parts] == [
        ('"We ird"."Odd ""q"".name"', True), ('"C"', False)]


def test_collation_rename_and_drop() -> None:
    r = imp("""
CREATE COLLATION mine (provider = icu, locale = 'de');
CREATE COLLATION gone (provider = icu, locale = 'fr');
CREATE TABLE t (a text COLLATE mine);
CREATE INDEX t_a ON t (a COLLATE mine);
ALTER COLLATION mine RENAME TO "Mine";
DROP COLLATION gone;""")
    assert [c.name for c in r.schema.collations] == ["Mine"]
    t = table(r, "t")
    assert t.columns[0].collation == 'public."Mine"'
    assert t.indexes[0].parts[0].collation == 'public."Mine"'


def test_null_default_on_a_modified_type_is_kept_as_postgresql_stores_it() -> None:
    r = imp("CREATE TABLE t (a varchar(3) DEFAULT NULL, b int DEFAULT NULL, "
            "c numeric(5,2)[] DEFAULT NULL, d text DEFAULT NULL::text);")
    assert [c.default for c in table(r, "t").columns] == [
        "NULL::character varying", None, "NULL::numeric[]", None]


def test_functions_in_a_do_blocks_main_path_are_kept() -> None:
    """MusicBrainz's shape: CREATE FUNCTION, with a fallback in the EXCEPTION clause."""
    r = imp("""
DO $$
BEGIN
  CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $f$ SELECT 1 $f$;
EXCEPTION WHEN insufficient_privilege THEN
  CREATE FUNCTION g() RETURNS int LANGUAGE sql AS $g$ SELECT 2 $g$;
END
$$;""")
    assert [(o.kind, o.name) for o in r.schema.raw_objects] == [("function", "f")]
    assert r.schema.raw_objects[0].sql.startswith("CREATE FUNCTION f()")
    assert any("1 function its main path creates is kept" in w.message for w in r.warnings)
