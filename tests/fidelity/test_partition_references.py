"""An FK that references a partitioned table: PostgreSQL adds hidden copies of it on the
referencing table, one per partition (``conparentid`` set). SQLAlchemy reflects them, the
models do not declare them: ``alembic check`` saw them as FKs to remove (found by probing
what a stranger's schema holds, bench/stranger_schemas.py's classes)."""

from __future__ import annotations

from pathlib import Path

import pytest

from modeler.importers import import_sql
from tests.fidelity import roundtrip as rt
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

SCRIPT = """
CREATE TABLE ev (id int, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at);
CREATE TABLE ev_old PARTITION OF ev FOR VALUES FROM (MINVALUE) TO ('2020-01-01');
CREATE TABLE ev_new PARTITION OF ev FOR VALUES FROM ('2020-01-01') TO (MAXVALUE)
    PARTITION BY HASH (id);
CREATE TABLE ev_new_0 PARTITION OF ev_new FOR VALUES WITH (MODULUS 2, REMAINDER 0);
CREATE TABLE ev_new_1 PARTITION OF ev_new FOR VALUES WITH (MODULUS 2, REMAINDER 1);
CREATE TABLE ref_ev (id int PRIMARY KEY, ev_id int, ev_at date,
    FOREIGN KEY (ev_id, ev_at) REFERENCES ev ON DELETE CASCADE);
CREATE TABLE log (id int, at date, ev_id int, ev_at date,
    FOREIGN KEY (ev_id, ev_at) REFERENCES ev) PARTITION BY RANGE (at);
CREATE TABLE log_1 PARTITION OF log FOR VALUES FROM (MINVALUE) TO (MAXVALUE);
"""


def test_an_fk_to_a_partitioned_table_checks_clean(pg_server: PgServer,
                                                   tmp_path: Path) -> None:
    schema = import_sql([("s.sql", SCRIPT)]).schema
    bundle = rt.export_bundle(schema, tmp_path / "bundle", "parts")
    with rt.database(pg_server) as url:
        rt.alembic_upgrade(bundle, url)
        proc = rt.alembic(bundle, url, "check")
        assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
