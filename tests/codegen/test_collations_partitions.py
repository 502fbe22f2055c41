"""Collations and partitions in the export: each revision builds what its SQL builds.

The "partitioned" design of :mod:`tests.codegen.designs` is two versions imported from SQL
(a collation with a hostile quoted name, a nondeterministic one, range / hash / default
partitions, a partition of a partition, pg_dump's ATTACH form). Loading that SQL with psql
and upgrading the bundle to the matching revision must give the same catalog, every category
(:mod:`tests.catalog`, which counts partitions, their bounds and column collations), in both
directions; the full export round trip (alembic check, create_all, mypy) is in
test_export_roundtrip.py and test_generated_code_types.py.
"""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from modeler.codegen.bundle import build_bundle
from modeler.codegen.ddl import schema_sql
from modeler.codegen.models import render_models
from tests.catalog import Catalog, compare, read_catalog
from tests.codegen import helpers as h
from tests.codegen.designs import PARTITIONED_V1, PARTITIONED_V2, partitioned_versions
from tests.fidelity.roundtrip import psql_run, without_version_table
from tests.pgtemp import PgServer

HOSTILE = 'app."Natural ""Sort"""'


def _loaded(server: PgServer, sql: str) -> Catalog:
    url = server.create_database()
    try:
        assert psql_run(server, url, sql) == []
        return read_catalog(url)
    finally:
        server.drop_database(url)


def _custom_collations(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [r[0] for r in conn.execute(
            "SELECT collname FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace"
            " WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1")]


@pytest.mark.postgres
def test_each_revision_builds_what_its_sql_builds(pg_server: PgServer, tmp_path: Path) -> None:
    versions = partitioned_versions()
    bundle = h.write_bundle(build_bundle(versions, slug="partitioned"), tmp_path / "bundle")
    expected = {1: _loaded(pg_server, PARTITIONED_V1), 2: _loaded(pg_server, PARTITIONED_V2)}
    assert {len(expected[1].collations), len(expected[2].collations)} == {2, 1}
    url = pg_server.create_database()
    try:
        for verb, target, number in (("upgrade", "0001_partitioned_baseline", 1),
                                     ("upgrade", "head", 2),
                                     ("downgrade", "0001_partitioned_baseline", 1)):
            h.alembic(bundle, url, verb, target)
            report = compare(expected[number], without_version_table(read_catalog(url)))
            assert report.ok, f"{verb} to {target}:\n{report.text()}"
        h.alembic(bundle, url, "downgrade", "base")
        assert h.leftovers(url) == []
        assert _custom_collations(url) == []
    finally:
        pg_server.drop_database(url)


def test_models_and_ddl_spell_collations_and_partitions() -> None:
    v1 = partitioned_versions()[0].schema
    models = render_models(v1)
    assert "sa.Text(collation='Natural \"Sort\"', collation_schema='app')" in models
    assert "postgresql.ARRAY(sa.String(length=10, collation='C'))" in models
    assert '{"postgresql_partition_by": "RANGE (happened_on)"}' in models
    assert '{"postgresql_partition_by": "HASH (id)"}' in models
    # the collated index key stays a column for alembic check, its COLLATE in postgresql_ops
    assert "postgresql_ops={\"name\": 'COLLATE \"C\"'}" in models or \
        "postgresql_ops={'name': 'COLLATE \"C\"'}" in models
    ddl = schema_sql(v1)
    assert f"CREATE COLLATION {HOSTILE} (provider = icu, locale = 'und-u-kn-true')" in ddl
    assert "CREATE COLLATION public.ci (provider = icu, locale = 'und-u-ks-level2', " \
           "deterministic = false)" in ddl
    assert f"name TEXT COLLATE {HOSTILE} NOT NULL" in ddl
    assert "PARTITION BY RANGE (happened_on)" in ddl
    assert "ALTER TABLE event ATTACH PARTITION event_old DEFAULT" in ddl
    assert "ALTER TABLE event_2026 ATTACH PARTITION event_2026_rest DEFAULT" in ddl
    # created before the tables, attached after them
    assert ddl.index("CREATE COLLATION") < ddl.index("CREATE TABLE")
    assert ddl.rindex("CREATE TABLE") < ddl.index("ATTACH PARTITION")


def test_revision_text_for_partitions_and_collations() -> None:
    files = build_bundle(partitioned_versions(), slug="partitioned")
    base = files["migrations/versions/0001_partitioned_baseline.py"].decode()
    up, down = base.split("def downgrade")
    # partitions: created plain (no PARTITION OF), attached once their keys and FKs exist
    assert "PARTITION OF" not in up
    assert up.index("op.create_foreign_key") < up.index("ATTACH PARTITION")
    assert f"'CREATE COLLATION {HOSTILE} (provider = icu" in up
    # the downgrade detaches before it drops, and drops the collations after the tables
    assert down.index("DETACH PARTITION") < down.index("op.drop_table")
    assert down.rindex("op.drop_table") < down.index("DROP COLLATION")
    assert "postgresql_partition_by=\"RANGE (happened_on)\"" in up
    second = files["migrations/versions/0002_new_partition_detach_the.py"].decode()
    up2, down2 = second.split("def downgrade")
    assert up2.index("DETACH PARTITION event_old") < up2.index("op.alter_column")
    # a column's collation change on an attached partition follows its parent's
    assert '"event_2025",\n        "note"' not in up2
    assert '"event_old",\n        "note"' in up2
    assert up2.index("ATTACH PARTITION event_2027") < up2.index("DROP COLLATION public.ci")
    assert down2.index("CREATE COLLATION public.ci") < down2.index("DETACH PARTITION event_2027")
