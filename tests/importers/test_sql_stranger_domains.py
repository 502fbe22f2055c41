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
