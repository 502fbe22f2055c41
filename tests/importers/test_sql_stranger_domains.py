"""``DEFAULT NULL`` on a column of a domain (icingadb's ``bytea20`` and ``biguint``
columns, found by bench/stranger_schemas.py), on a small self-written script: PostgreSQL keeps
the coercion to the domain, printed as a NULL of the domain's base type (``NULL::bytea``);
the import dropped it as no default, and a quarter of icingadb's columns differed."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeler.importers import import_sql
from tests.pgtemp import PgServer

SCRIPT = """CREATE DOMAIN hash20 AS bytea CONSTRAINT hash20_len CHECK (VALUE IS NULL OR
    length(VALUE) = 20);
CREATE DOMAIN ubig AS bigint CONSTRAINT ubig_pos CHECK (VALUE IS NULL OR VALUE >= 0);
CREATE DOMAIN short_name AS varchar(20);
CREATE DOMAIN nested AS ubig;
CREATE DOMAIN int_list AS integer[];
CREATE DOMAIN code AS char(3);
CREATE TABLE host (
  id hash20 NOT NULL PRIMARY KEY,
  zone_id hash20 DEFAULT NULL,
  seen ubig DEFAULT NULL,
  name short_name DEFAULT NULL,
  depth nested DEFAULT NULL,
  ports int_list DEFAULT NULL,
  country code DEFAULT NULL,
  many ubig[] DEFAULT NULL,
  casted ubig DEFAULT NULL::bigint,
  plain bigint DEFAULT NULL
);
ALTER TABLE host ADD COLUMN later ubig DEFAULT NULL;
CREATE TABLE other (m ubig);
ALTER TABLE other ALTER COLUMN m SET DEFAULT NULL;
"""


def test_default_null_on_a_domain_is_a_null_of_its_base_type() -> None:
    r = import_sql([("s.sql", SCRIPT)])
    defaults = {t.name: {c.name: c.default for c in t.columns} for t in r.schema.tables}
    assert defaults["host"] == {
        "id": None, "zone_id": "NULL::bytea", "seen": "NULL::bigint",
        "name": "NULL::character varying", "depth": "NULL::bigint",
        "ports": "NULL::integer[]", "country": "NULL::bpchar", "many": None,
        "casted": "NULL::bigint", "plain": None, "later": "NULL::bigint"}
    assert defaults["other"] == {"m": "NULL::bigint"}
    assert r.warnings == ()


@pytest.mark.postgres
def test_default_null_on_a_domain_round_trips(pg_server: PgServer, tmp_path: Path) -> None:
    """Identical after upgrade (it was not: the defaults were missing), check clean, down to
    empty, up again identical."""
    from tests.fidelity.test_roundtrip_classes import _loop

    _loop(pg_server, tmp_path, SCRIPT)


NOT_NULL_DOMAIN = """CREATE DOMAIN posint AS integer NOT NULL DEFAULT 1 CHECK (VALUE > 0);
CREATE SCHEMA app;
CREATE DOMAIN app.code AS text NOT NULL;
CREATE TABLE booking (id int PRIMARY KEY, room posint, floor posint NOT NULL, label text);
CREATE TABLE app.item (id int PRIMARY KEY, code app.code, codes app.code[]);
"""


@pytest.mark.postgres
def test_column_of_a_not_null_domain_checks_clean(pg_server: PgServer,
                                                  tmp_path: Path) -> None:
    """A column of a NOT NULL domain is no NOT NULL column itself (``attnotnull`` false):
    SQLAlchemy's reflection reports it NOT NULL, and ``alembic check`` found a
    ``modify_nullable`` on a database just upgraded (found probing stranger-schema classes,
    domains). Identical, check clean, down to empty, up again."""
    from tests.fidelity.test_roundtrip_classes import _loop

    _loop(pg_server, tmp_path, NOT_NULL_DOMAIN)


def test_env_py_without_not_null_domains_is_unchanged() -> None:
    """Designs without a NOT NULL domain keep their env.py (no probe of attnotnull)."""
    from modeler.codegen.tpl_alembic import render_env

    assert "attnotnull" not in render_env(package="p", schemas=["public"])
    assert "attnotnull" in render_env(package="p", schemas=["public"], not_null_domains=True)


# -- a domain over a type kept as SQL ------------------------------------------------------
# A domain over a composite or range type (PostgreSQL 11 on: PostgREST's test schema has
# one), over such a domain in turn, or over a table's row type was modelled, and modelled
# domains are made before any kept SQL: its CREATE DOMAIN ran before the CREATE TYPE of its
# base and the upgrade failed (type "app.point_2d" does not exist), from SQL and live alike
# (the live import wrote every domain before every type and table). Such a domain is kept as
# SQL in its place, its ALTER DOMAINs and DROP DOMAIN with it; the live import writes domains
# and types in the order they were made, a domain over a row type after the tables.
OVER_KEPT = """
CREATE SCHEMA app;
CREATE TYPE app.point_2d AS (x integer, y integer);
CREATE TYPE app.span AS RANGE (subtype = int4);
CREATE DOMAIN app.composite_domain AS app.point_2d;
CREATE DOMAIN app.positive_point AS app.composite_domain
    CONSTRAINT positive CHECK ((VALUE).x > 0);
ALTER DOMAIN app.positive_point ADD CONSTRAINT upper_y CHECK ((VALUE).y < 100);
CREATE DOMAIN app.short_span AS app.span NOT NULL;
CREATE DOMAIN app.gone AS app.span;
DROP DOMAIN app.gone;
COMMENT ON DOMAIN app.short_span IS 'a span, never null';
CREATE FUNCTION app.norm(p app.positive_point) RETURNS int LANGUAGE sql IMMUTABLE
    AS 'SELECT (p).x + (p).y';
CREATE TABLE app.shape (
    id int PRIMARY KEY,
    at app.positive_point CHECK (app.norm(at) < 150),
    during app.short_span,
    raw app.composite_domain
);
CREATE DOMAIN app.shape_row AS app.shape CHECK ((VALUE).id > 0);
"""


@pytest.mark.postgres
def test_a_domain_over_a_kept_type_from_sql(pg_server: PgServer, tmp_path: Path) -> None:
    from tests.fidelity.test_roundtrip_classes import _loop

    kept = {(o.kind, o.name) for o in import_sql([("s.sql", OVER_KEPT)]).schema.raw_objects}
    assert ("domain", "positive_point") in kept and ("domain", "gone") not in kept
    _loop(pg_server, tmp_path, OVER_KEPT)


@pytest.mark.postgres
def test_a_domain_over_a_kept_type_from_a_live_database(
        pg_server: PgServer, tmp_path: Path) -> None:
    from tests.importers.roundtrips import assert_round_trips

    assert_round_trips(pg_server, OVER_KEPT, tmp_path, "overkept", live=True)


# -- a domain CHECK added NOT VALID, read live ---------------------------------------------
# pg_get_constraintdef prints it with NOT VALID, which CREATE DOMAIN refuses: the live
# import's CREATE DOMAIN did not parse and the domain went missing, so every column of it
# failed at upgrade (type "app.pos" does not exist). It comes back as ALTER DOMAIN ... ADD.
NOT_VALID = """
CREATE SCHEMA app;
CREATE DOMAIN app.pos AS int CONSTRAINT positive CHECK (VALUE > 0);
ALTER DOMAIN app.pos ADD CONSTRAINT small CHECK (VALUE < 1000) NOT VALID;
CREATE TABLE app.t (id int PRIMARY KEY, n app.pos);
"""


@pytest.mark.postgres
def test_a_not_valid_domain_check_from_a_live_database(
        pg_server: PgServer, tmp_path: Path) -> None:
    from tests.importers.roundtrips import assert_round_trips

    assert_round_trips(pg_server, NOT_VALID, tmp_path, "notvalid", live=True)


@pytest.mark.postgres
def test_a_not_valid_domain_check_from_sql(pg_server: PgServer, tmp_path: Path) -> None:
    """The SQL import made it a valid check: the export's domain then differed."""
    from tests.fidelity.test_roundtrip_classes import _loop

    _loop(pg_server, tmp_path, NOT_VALID + "CREATE DOMAIN app.gone AS int;\n"
          "ALTER DOMAIN app.gone ADD CONSTRAINT g CHECK (VALUE > 0) NOT VALID;\n"
          "DROP DOMAIN app.gone;\n")


@pytest.mark.postgres
def test_a_not_valid_domain_check_follows_its_domain(pg_server: PgServer,
                                                     tmp_path: Path) -> None:
    """Kept as SQL, it named the domain as it was: renamed or moved later, the check was
    lost (it went with the old schema, or failed to find the domain)."""
    from tests.fidelity.test_roundtrip_classes import _loop

    _loop(pg_server, tmp_path, NOT_VALID + "CREATE SCHEMA later;\n"
          "ALTER DOMAIN app.pos RENAME TO positive;\n"
          "ALTER DOMAIN app.positive SET SCHEMA later;\n")
