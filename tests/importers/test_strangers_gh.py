"""Inputs shaped like strangers' schemas found in public repositories (small hand-written
stand-ins, not their text): each failed at ``alembic upgrade`` or lost an element before.

- DBML written by dbdiagram's import of a PostgreSQL database spells multi-word types
  without their spaces (``doubleprecision``, ``'0'::charactervarying``); a cast to a type
  that exists nowhere made the export fail at upgrade;
- a one-to-one reference whose first side is no key but whose second side is: the
  reference implementation's SQL export puts the foreign key on the second side, so the
  reference is a valid foreign key that way (it was left out);
- a primary key or unique constraint of a partitioned table that lacks a partition key
  column (PostgreSQL refuses the table);
- prisma-dbml-generator's relation fields (a column typed with a table of the file) became
  text NOT NULL columns the database does not have.
"""

from __future__ import annotations

import psycopg
import pytest

from modeler.importers import ImportResult, import_dbml, import_sql
from modeler.schema import model as m
from modeler.schema import validate


def dbml(text: str) -> ImportResult:
    return import_dbml([("s.dbml", text)])


def column(r: ImportResult, table: str, name: str) -> m.Column:
    t = r.schema.table_named(table, "public")
    assert t is not None
    return next(c for c in t.columns if c.name == name)


def loads(pg_url: str, r: ImportResult) -> None:
    from modeler.codegen.ddl import schema_sql

    with psycopg.connect(pg_url) as conn:
        conn.execute(schema_sql(r.schema))  # raises on a refusal
        conn.rollback()


# -- casts to types PostgreSQL does not have --------------------------------------------
CASTS = """Enum "Mood" {
  happy
  sad
}
Table submission {
  id integer [pk]
  fips_code "character varying" [not null, default: `'0'::charactervarying`]
  score doubleprecision [default: `0::doubleprecision`]
  label varchar [default: `'x'::nvarchar(20)`]
  odd text [default: `'a'::mystery_type`]
  mood "Mood" [default: `'happy'::"Mood"`]
  tags text[] [default: `'{}'::text[]`]
  n int [default: `'1'::pg_catalog.int4`]
  checked int [check: `n::notatype > 0`]
}
"""


def test_casts_to_types_postgresql_lacks_are_repaired_or_left_out(pg_url: str) -> None:
    r = dbml(CASTS)
    assert column(r, "submission", "fips_code").default == "'0'::varchar"
    assert column(r, "submission", "score").type.sql() == "double precision"
    assert column(r, "submission", "score").default == "0::double precision"
    assert column(r, "submission", "label").default == "'x'::varchar(20)"
    assert column(r, "submission", "odd").default is None
    assert column(r, "submission", "mood").default == "'happy'::\"Mood\""
    assert column(r, "submission", "tags").default == "'{}'::text[]"
    assert column(r, "submission", "n").default is not None
    table = r.schema.table_named("submission", "public")
    assert table is not None and not table.checks
    said = [str(w) for w in r.warnings]
    assert any("s.dbml:7:" in w and "charactervarying" in w for w in said), said
    assert any("s.dbml:10:" in w and "mystery_type" in w and "left out" in w
               for w in said), said
    assert any("s.dbml:14:" in w and "notatype" in w and "left out" in w for w in said), said
    assert validate.problems(r.schema) == []
    loads(pg_url, r)


def test_a_cast_to_a_type_the_file_must_provide_is_kept() -> None:
    """A type the file uses as a column type and the database must provide (DBML cannot
    declare domains): a cast to it is the database's business, as the column is."""
    r = dbml('Table t {\n  id int [pk]\n  e public."Email" [default: `\'a@b\'::"Email"`]\n}\n')
    assert column(r, "t", "e").default == "'a@b'::\"Email\""


# -- one-to-one references whose key is on the second side -------------------------------
ONE_TO_ONE = """Table user_temp {
  id text [pk]
}
Table account {
  id text [pk]
  user_id text [not null]
}
Table lorebooks {
  id uuid [pk]
  current_revision_id uuid
}
Table lorebook_revisions {
  id uuid [pk]
  lorebook_id uuid [not null]
  indexes {
    (id, lorebook_id) [unique]
  }
}
Table a {
  id int [pk]
}
Table b {
  id int [pk]
}
Ref: user_temp.id - account.user_id
Ref: lorebook_revisions.(id, lorebook_id) - lorebooks.(current_revision_id, id)
Ref: a.id - b.id
"""


def test_one_to_one_takes_the_direction_postgresql_can_enforce(pg_url: str) -> None:
    r = dbml(ONE_TO_ONE)
    by_table = {r.schema.table(x.child_table).name: x for x in r.schema.relationships}
    assert set(by_table) == {"account", "lorebooks", "a"}
    account = by_table["account"]
    assert r.schema.table(account.parent_table).name == "user_temp"
    assert account.cardinality == "one-to-one"
    lore = by_table["lorebooks"]
    assert r.schema.table(lore.parent_table).name == "lorebook_revisions"
    assert len(lore.child_columns) == 2
    said = [str(w) for w in r.warnings]
    assert not any("left out" in w for w in said), said
    assert any("s.dbml:25:" in w and "account.user_id > user_temp.id" in w for w in said), said
    loads(pg_url, r)


# -- keys of partitioned tables ------------------------------------------------------------
PARTITIONED = """CREATE TABLE ev (
  id bigint NOT NULL,
  at timestamptz NOT NULL,
  email text,
  code text,
  PRIMARY KEY (id),
  UNIQUE (email),
  UNIQUE (code, at)
) PARTITION BY RANGE (at);
CREATE TABLE ev_2025 PARTITION OF ev FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE UNIQUE INDEX ev_email_idx ON ev (lower(email));
CREATE TABLE child (id int PRIMARY KEY, ev_id bigint REFERENCES ev (id));
"""


def test_keys_of_a_partitioned_table_without_its_partition_key_are_left_out(
        pg_url: str) -> None:
    with psycopg.connect(pg_url, autocommit=True) as conn, pytest.raises(psycopg.Error):
        conn.execute(PARTITIONED)  # the oracle: PostgreSQL refuses the script as written
    r = import_sql([("p.sql", PARTITIONED)])
    ev = r.schema.table_named("ev", "public")
    assert ev is not None
    assert ev.primary_key == ()
    assert [len(u.columns) for u in ev.uniques] == [2]
    assert not [ix for ix in ev.indexes if ix.unique]
    assert r.schema.relationships == ()  # its parent key is gone
    said = [str(w) for w in r.warnings]
    assert any(w.startswith("p.sql:1:") and "partition key" in w and "primary key" in w
               for w in said), said
    assert validate.problems(r.schema) == []
    loads(pg_url, r)


def test_a_partitioned_table_key_with_the_partition_key_is_kept() -> None:
    r = import_sql([("p.sql", "CREATE TABLE ev (id bigint, at date, PRIMARY KEY (id, at))"
                              " PARTITION BY RANGE (at);")])
    ev = r.schema.table_named("ev", "public")
    assert ev is not None and len(ev.primary_key) == 2
    assert not r.warnings


# -- prisma-dbml-generator's relation fields ------------------------------------------------
PRISMA = """Table author {
  id Int [pk, increment]
  name String [not null]
  posts post [not null]
  profile profile
}
Table post {
  id Int [pk, increment]
  author_id Int [not null]
  author author [not null]
  parent post
  tags "Mood"[] [not null]
}
Table profile {
  id Int [pk]
  author_id Int [unique, not null]
  author author [not null]
}
Enum "Mood" {
  happy
}
Ref: post.author_id > author.id [delete: Cascade]
Ref: profile.author_id - author.id
"""


def test_relation_fields_of_prisma_dbml_generator_are_no_columns(pg_url: str) -> None:
    """A column typed with a table of the file is prisma-dbml-generator's relation field
    (the other side of a reference): it was a text NOT NULL column nobody could insert
    without a value."""
    r = dbml(PRISMA)
    cols = {t.name: [c.name for c in t.columns] for t in r.schema.tables}
    assert cols == {"author": ["id", "name"], "post": ["id", "author_id", "tags"],
                    "profile": ["id", "author_id"]}
    assert len(r.schema.relationships) == 2
    said = [str(w) for w in r.warnings]
    for line, name in ((4, "author.posts"), (5, "author.profile"), (10, "post.author"),
                       (11, "post.parent"), (17, "profile.author")):
        assert any(f"s.dbml:{line}:" in w and name in w and "relation field" in w
                   for w in said), (line, said)
    assert not any("nor an enum of the file" in w for w in said), said
    loads(pg_url, r)


def test_a_design_of_the_product_keeps_a_column_of_a_table_row_type() -> None:
    """Text mode: the design's own DBML (with its kept data) is not prisma's; a column whose
    type is a table's row type stays."""
    from modeler.codegen.dbml import to_dbml

    design = import_sql([("a.sql", "CREATE TABLE a (id int PRIMARY KEY);\n"
                                   "CREATE TABLE b (id int PRIMARY KEY, x a);")]).schema
    b = dbml(to_dbml(design)).schema.table_named("b", "public")
    assert b is not None and [c.name for c in b.columns] == ["id", "x"]


EXCLUDED = """CREATE EXTENSION btree_gist;
CREATE TABLE b (
  id bigint,
  room int,
  at timestamptz NOT NULL,
  till timestamptz,
  PRIMARY KEY (id, at),
  CONSTRAINT no_overlap EXCLUDE USING gist (room WITH =, tstzrange(at, till) WITH &&)
) PARTITION BY RANGE (at);
CREATE TABLE b2025 PARTITION OF b FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE TABLE c (room int, during tstzrange, EXCLUDE USING gist (room WITH =, during WITH &&));
"""


def test_an_exclusion_constraint_a_partitioned_table_cannot_have_is_left_out(
        pg_url: str) -> None:
    """An exclusion constraint of a partitioned table must compare each partition key column
    with = (PostgreSQL 17; earlier ones refuse any): kept as SQL, it failed at upgrade."""
    with psycopg.connect(pg_url, autocommit=True) as conn, pytest.raises(psycopg.Error):
        conn.execute(EXCLUDED)  # the oracle: PostgreSQL refuses the script as written
    r = import_sql([("x.sql", EXCLUDED)])
    kept = [o.name for o in r.schema.raw_objects]
    assert "no_overlap" not in kept and "c_room_during_excl" in kept, kept
    said = [str(w) for w in r.warnings]
    assert any(w.startswith("x.sql:2:") and "no_overlap" in w and "partition key" in w
               and "left out" in w for w in said), said
    loads(pg_url, r)
