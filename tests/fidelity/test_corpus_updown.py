"""Imported corpus schemas whose bundles go all the way: ``alembic upgrade head``, then
``alembic check`` finds no drift, ``alembic downgrade base`` leaves only ``alembic_version``,
and ``alembic upgrade head`` works again. dvdrental and pagila carry serial columns whose
sequences are not owned (nextval defaults), kept trigger functions with triggers on the
tables, and an aggregate: each of those once broke ``check`` or ``downgrade``."""

from __future__ import annotations

import os
import subprocess
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

from tests.fidelity import roundtrip as rt
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres


def _alembic(bundle: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")}
    env.update(DATABASE_URL=url, DIRECT_DATABASE_URL=url)
    return subprocess.run([str(rt.VENV_BIN / "alembic"), *args], cwd=bundle, env=env,
                          capture_output=True, text=True, timeout=600)


def _relations(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        return [r[0] for r in conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') "
            "AND n.nspname NOT LIKE 'pg_toast%' AND c.relkind IN ('r', 'p', 'v', 'm', 'S') "
            "ORDER BY 1")]


@contextmanager
def _spec(server: PgServer, name: str):  # type: ignore[no-untyped-def]
    if not rt.CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not on this machine ({rt.CORPUS})")
    spec = rt.SQL_SCHEMAS[name]
    if spec.missing():
        pytest.skip(f"corpus files missing: {', '.join(spec.missing())}")
    yield spec


@pytest.mark.parametrize("name", ["dvdrental", "pagila"])
def test_imported_bundle_checks_clean_and_goes_down(pg_server: PgServer, tmp_path: Path,
                                                    name: str) -> None:
    with _spec(pg_server, name) as spec:
        bundle = rt.export_bundle(rt.import_spec(spec).schema, tmp_path / "bundle", name)
    with rt.database(pg_server) as url:
        for args in (("upgrade", "head"), ("check",), ("downgrade", "base")):
            done = _alembic(bundle, url, *args)
            assert done.returncode == 0, (args, (done.stdout + done.stderr)[-3000:])
        assert _relations(url) == ["alembic_version"]
        again = _alembic(bundle, url, "upgrade", "head")
        assert again.returncode == 0, again.stderr[-3000:]
        assert len(_relations(url)) > 20
