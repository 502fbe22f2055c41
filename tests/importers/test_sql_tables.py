"""SQL import: tables, columns, types, keys and the names PostgreSQL would give them."""

from __future__ import annotations

import pytest

from modeler.importers import ImportResult, import_sql
from modeler.schema import model as m
from modeler.schema.builder import stable_uid


def imp(sql: str, name: str = "t.sql") -> ImportResult:
    return import_sql([(name, sql)])


def table(r: ImportResult, name: str, ns: str = "public") -> m.Table:
    t = r.schema.table_named(name, ns)
    assert t is not None, f"no table {ns}.{name}"
    return t


def col(r: ImportResult, tname: str, cname: str, ns: str = "public") -> m.Column:
    c = table(r, tname, ns).column_named(cname)
    assert c is not None
    return c


def test_columns_types_defaults_and_nullability() -> None:
    r = imp("""
        CREATE TABLE public.item (
            id integer NOT NULL,
            code character varying(20) DEFAULT 'x'::character varying NOT NULL,
            price numeric(10,2),
            seen timestamp(3) with time zone DEFAULT now(),
            tags text[] DEFAULT '{}'::text[],
            grid integer[][],
            flag boolean DEFAULT true,
            big double precision,
            c char,
            gap interval(6),
            b bit
        );""")
    t = table(r, "item")
    assert [c.name for c in t.columns] == ["id", "code", "price", "seen", "tags", "grid",
                                           "flag", "big", "c", "gap", "b"]
    assert col(r, "item", "id").type == m.ColumnType(name="integer")
    assert not col(r, "item", "id").nullable
    code = col(r, "item", "code")
    assert code.type == m.ColumnType(name="varchar", length=20)
    assert code.default == "'x'::varchar"
    assert col(r, "item", "price").type == m.ColumnType(name="numeric", precision=10, scale=2)
    assert col(r, "item", "price").nullable
    assert col(r, "item", "seen").type == m.ColumnType(name="timestamptz", precision=3)
    assert col(r, "item", "seen").default == "now()"
    assert col(r, "item", "tags").type == m.ColumnType(name="text", array_dims=1)
    assert col(r, "item", "tags").default == "'{}'::text[]"
    assert col(r, "item", "grid").type.array_dims == 2
    assert col(r, "item", "flag").default == "TRUE"
    assert col(r, "item", "big").type.name == "double precision"
    assert col(r, "item", "c").type == m.ColumnType(name="char", length=1)
    assert col(r, "item", "gap").type == m.ColumnType(name="interval", precision=6)
    assert col(r, "item", "b").type == m.ColumnType(name="bit", length=1)


def test_custom_and_extension_types() -> None:
    r = imp("""
        CREATE TABLE place (
            email public.citext, geom public.geometry(Point, 4326), attrs hstore,
            doc tsvector, path ltree, ivl interval day to second, internal "char");""")
    assert col(r, "place", "email").type == m.ColumnType(name="citext")
    assert col(r, "place", "geom").type == m.ColumnType(kind="custom",
                                                        name="geometry(Point,4326)")
    assert col(r, "place", "attrs").type == m.ColumnType(kind="custom", name="hstore")
    assert col(r, "place", "doc").type == m.ColumnType(name="tsvector")
    assert col(r, "place", "path").type.kind == "custom"
    assert col(r, "place", "ivl").type == m.ColumnType(kind="custom",
                                                       name="interval day to second")
    assert col(r, "place", "internal").type == m.ColumnType(kind="custom", name='"char"')


def test_quoted_identifiers_keep_their_case_and_schemas_are_kept() -> None:
    r = imp("""
        CREATE SCHEMA music;
        CREATE TABLE music."Album" ("AlbumId" int PRIMARY KEY, "Title" text);
        CREATE TABLE Music.Artist (ArtistId int);""")
    album = table(r, "Album", "music")
    assert [c.name for c in album.columns] == ["AlbumId", "Title"]
    assert album.pk_name == "Album_pkey"
    assert table(r, "artist", "music").columns[0].name == "artistid"
    assert album.uid == stable_uid("table", "music", "Album")


def test_serial_expands_to_sequence_default_and_not_null() -> None:
    r = imp("""
        CREATE TABLE customer (id serial PRIMARY KEY, n bigserial, s smallserial);
        CREATE SCHEMA shop;
        CREATE TABLE shop."Order" (id serial);""")
    c = col(r, "customer", "id")
    assert c.type == m.ColumnType(name="integer")
    assert c.default == "nextval('customer_id_seq'::regclass)"
    assert not c.nullable
    assert col(r, "customer", "n").type.name == "bigint"
    seqs = {s.qualified_name: s for s in r.schema.sequences}
    assert seqs["customer_id_seq"].data_type == "integer"
    assert seqs["customer_n_seq"].data_type == "bigint"
    assert seqs["customer_s_seq"].data_type == "smallint"
    assert seqs["customer_id_seq"].owned_by_column == c.uid
    assert seqs["customer_id_seq"].owned_by_table == table(r, "customer").uid
    assert col(r, "Order", "id", "shop").default == \
        "nextval('shop.\"Order_id_seq\"'::regclass)"


def test_serial_sequence_name_is_truncated_like_postgresql() -> None:
    long = "a" * 40
    r = imp(f"CREATE TABLE {long} ({'b' * 40} serial);")
    seq = r.schema.sequences[0]
    assert len(seq.name) == 63
    assert seq.name == "a" * 29 + "_" + "b" * 29 + "_seq"


def test_identity_inline_and_pg_dump_style() -> None:
    r = imp("""
        CREATE TABLE a (id bigint GENERATED ALWAYS AS IDENTITY, x int);
        CREATE TABLE b (id integer NOT NULL);
        ALTER TABLE b ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY (
            SEQUENCE NAME public.b_id_seq START WITH 1 INCREMENT BY 1 NO MINVALUE
            NO MAXVALUE CACHE 1);""")
    assert col(r, "a", "id").identity == "always"
    assert not col(r, "a", "id").nullable
    assert col(r, "b", "id").identity == "by default"
    assert r.schema.sequences == ()
    assert not r.warnings


def test_generated_column() -> None:
    r = imp("CREATE TABLE g (a int, b int GENERATED ALWAYS AS (a * 2) STORED);")
    assert col(r, "g", "b").generated == "a * 2"


def test_primary_keys_named_unnamed_and_composite() -> None:
    r = imp("""
        CREATE TABLE a (id int PRIMARY KEY);
        CREATE TABLE b (x int, y int, CONSTRAINT pk_b PRIMARY KEY (y, x));
        CREATE TABLE c (x int NOT NULL, y int NOT NULL);
        ALTER TABLE ONLY c ADD CONSTRAINT c_pkey PRIMARY KEY (x, y);""")
    assert table(r, "a").pk_name == "a_pkey"
    b = table(r, "b")
    assert b.pk_name == "pk_b"
    assert [c.name for c in b.primary_key] == ["y", "x"]
    assert col(r, "b", "y").pk_order == 1 and col(r, "b", "x").pk_order == 2
    assert not col(r, "b", "x").nullable
    assert [c.name for c in table(r, "c").primary_key] == ["x", "y"]


def test_unique_constraints_and_unique_indexes_stay_distinct() -> None:
    r = imp("""
        CREATE TABLE u (a int UNIQUE, b int, c int, UNIQUE (b, c),
                        CONSTRAINT named UNIQUE NULLS NOT DISTINCT (c));
        CREATE UNIQUE INDEX u_lower ON u (b);
        CREATE UNIQUE INDEX ON u (c);""")
    t = table(r, "u")
    assert sorted(u.name for u in t.uniques) == ["named", "u_a_key", "u_b_c_key"]
    named = next(u for u in t.uniques if u.name == "named")
    assert named.nulls_not_distinct
    assert sorted((i.name, i.unique) for i in t.indexes) == [("u_c_idx", True),
                                                            ("u_lower", True)]


def test_check_constraint_names() -> None:
    r = imp("""
        CREATE TABLE k (a int CHECK (a > 0), b int, c int,
                        CHECK (b < c), CHECK (b > 1), CONSTRAINT pos CHECK (c >= 0),
                        CHECK (a <> b));""")
    checks = {c.name: c.expression for c in table(r, "k").checks}
    assert checks == {"k_a_check": "a > 0", "k_check": "b < c", "k_b_check": "b > 1",
                      "pos": "c >= 0", "k_check1": "a <> b"}


def test_unnamed_index_names() -> None:
    r = imp("""
        CREATE TABLE i (a int, b text, c int);
        CREATE INDEX ON i (a);
        CREATE INDEX ON i (a, c);
        CREATE INDEX ON i (lower(b));
        CREATE INDEX ON i ((a + c));
        CREATE INDEX ON i (lower(b), upper(b), lower(b));
        CREATE INDEX ON i (a);""")
    names = sorted(ix.name for ix in table(r, "i").indexes)
    assert names == ["i_a_c_idx", "i_a_idx", "i_a_idx1", "i_expr_idx", "i_lower_idx",
                     "i_lower_upper_lower1_idx"]


def test_index_details() -> None:
    r = imp("""
        CREATE TABLE d (a int, b text, c int, v tsvector);
        CREATE INDEX d_x ON public.d USING btree (lower((b)::text) text_pattern_ops DESC
            NULLS LAST, a) INCLUDE (c) WHERE (a IS NOT NULL);
        CREATE INDEX d_v ON d USING gin (v);
        CREATE UNIQUE INDEX d_n ON d (a) NULLS NOT DISTINCT;
        CREATE INDEX d_col ON d ((a));
        CREATE INDEX d_coll ON d (b COLLATE "C");""")
    t = table(r, "d")
    x = next(i for i in t.indexes if i.name == "d_x")
    assert x.parts[0] == m.IndexPart(expression="lower(b::text)", descending=True,
                                     nulls="last", opclass="text_pattern_ops")
    assert x.parts[1].column == col(r, "d", "a").uid
    assert x.include == (col(r, "d", "c").uid,)
    assert x.where == "a IS NOT NULL"
    assert next(i for i in t.indexes if i.name == "d_v").method == "gin"
    assert next(i for i in t.indexes if i.name == "d_n").nulls_not_distinct
    assert next(i for i in t.indexes if i.name == "d_col").parts[0].column is not None
    assert next(i for i in t.indexes if i.name == "d_coll").parts[0].collation == '"C"'


def test_index_with_unknown_method_is_kept_as_sql() -> None:
    r = imp("CREATE TABLE e (v int);\nCREATE INDEX e_v ON e USING hnsw (v);")
    assert table(r, "e").indexes == ()
    raw = r.schema.raw_objects[0]
    assert raw.kind == "index" and "hnsw" in raw.sql
    assert r.warnings[0].line == 2


@pytest.mark.parametrize("sql", [
    "CREATE TABLE t (a int); CREATE TABLE t (a int);",
])
def test_duplicate_table_warns(sql: str) -> None:
    r = imp(sql)
    assert len(r.schema.tables) == 1
    assert any("twice" in w.message for w in r.warnings)


def test_uids_are_deterministic() -> None:
    sql = """CREATE TABLE p (id int PRIMARY KEY, n text UNIQUE);
             CREATE TABLE c (id int PRIMARY KEY, p_id int REFERENCES p);
             CREATE INDEX ON c (p_id);
             CREATE TYPE mood AS ENUM ('a', 'b');"""
    assert imp(sql).schema == imp(sql).schema
    r = imp(sql)
    assert col(r, "c", "p_id").uid == stable_uid("column", "public", "c", "p_id")
    assert r.schema.enums[0].uid == stable_uid("enum", "public", "mood")


def test_drop_and_rename_are_applied() -> None:
    r = imp("""
        DROP TABLE IF EXISTS gone;
        CREATE TABLE gone (a int);
        DROP TABLE gone;
        CREATE TABLE t (a int, b int, c int);
        ALTER TABLE t RENAME COLUMN a TO id;
        ALTER TABLE t DROP COLUMN c;
        ALTER TABLE t ADD COLUMN d text NOT NULL DEFAULT '';
        ALTER TABLE t ALTER COLUMN b SET NOT NULL;
        ALTER TABLE t ALTER COLUMN b TYPE bigint;
        ALTER TABLE t RENAME TO tt;""")
    assert [t.name for t in r.schema.tables] == ["tt"]
    assert [c.name for c in table(r, "tt").columns] == ["id", "b", "d"]
    assert col(r, "tt", "b").type.name == "bigint" and not col(r, "tt", "b").nullable
    assert col(r, "tt", "d").default == "''"


def test_drop_column_drops_the_sequence_it_owns() -> None:
    """PostgreSQL drops a serial's sequence (OWNED BY the column) with the column (crates-io:
    ``crate_owners DROP COLUMN id`` left ``crate_owners_id_seq`` in the design); a sequence
    owned by another column, or by none, stays."""
    r = imp("""
        CREATE TABLE t (id serial PRIMARY KEY, n int);
        CREATE SEQUENCE kept_seq OWNED BY t.n;
        CREATE SEQUENCE free_seq;
        ALTER TABLE t DROP COLUMN id;
        ALTER TABLE t ADD PRIMARY KEY (n);""")
    assert sorted(s.name for s in r.schema.sequences) == ["free_seq", "kept_seq"]
    r = imp("""
        CREATE TABLE t (id serial PRIMARY KEY, n int);
        ALTER TABLE t DROP COLUMN id;
        CREATE SEQUENCE t_id_seq;""")  # the name is free again
    assert [(s.name, s.owned_by_table) for s in r.schema.sequences] == [("t_id_seq", None)]
    assert not [w for w in r.warnings if "t_id_seq" in str(w)]


def test_inherits_copies_columns_and_like_copies_keys() -> None:
    r = imp("""
        CREATE TABLE parent (id int PRIMARY KEY, a text NOT NULL CHECK (a <> ''));
        CREATE TABLE child (b int) INHERITS (parent);
        CREATE TABLE copy (LIKE parent INCLUDING ALL);""")
    assert [c.name for c in table(r, "child").columns] == ["id", "a", "b"]
    assert [c.name for c in table(r, "child").checks] == ["parent_a_check"]
    assert any("INHERITS" in w.message for w in r.warnings)
    assert table(r, "copy").pk_name == "copy_pkey"


def test_types_postgresql_lacks_are_reported_once_and_kept() -> None:
    from modeler.importers import import_sql

    result = import_sql([("mysqlish.sql",
                          "CREATE TYPE mood AS ENUM ('ok');\n"
                          "CREATE TABLE t (id bigint PRIMARY KEY, at datetime NOT NULL,\n"
                          "  again datetime, c \"Code\", m mood, h hstore, l pg_lsn);")])
    found = [w for w in result.warnings if w.kind == "unknown type"]
    assert [w.message.split(":")[0] for w in found] == ["public.t.at", "public.t.c"]
    assert "MySQL" in found[0].message and "timestamp without time zone" in found[0].message
    table = result.schema.tables[0]
    assert table.column_named("at").type.name == "datetime"  # kept as written, not guessed
