"""Shared helpers for the export tests: write a bundle, run its CLI tools, dump catalogs."""

from __future__ import annotations

import difflib
import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

import sqlalchemy as sa

from tests.pgtemp import PgServer

VENV_BIN = Path(sys.executable).parent
MYPY_CACHE = Path(os.environ.get("TMPDIR", "/tmp")) / "modeler-codegen-mypy-cache"

LEFTOVERS_SQL = """
SELECT 'relation ' || n.nspname || '.' || c.relname FROM pg_class c
  JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_%'
   AND c.relname NOT LIKE 'alembic_version%'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
UNION ALL
SELECT 'type ' || n.nspname || '.' || t.typname FROM pg_type t
  JOIN pg_namespace n ON n.oid = t.typnamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_%'
   AND t.typtype IN ('e', 'd', 'r', 'm')
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e')
UNION ALL
SELECT 'function ' || n.nspname || '.' || p.proname FROM pg_proc p
  JOIN pg_namespace n ON n.oid = p.pronamespace
 WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_%'
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
UNION ALL
SELECT 'schema ' || nspname FROM pg_namespace
 WHERE nspname NOT IN ('pg_catalog', 'information_schema', 'public')
   AND nspname NOT LIKE 'pg_%'
ORDER BY 1
"""


def write_bundle(files: dict[str, bytes], root: Path) -> Path:
    for path, data in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None,
        timeout: int = 180) -> subprocess.CompletedProcess[str]:
    """Run a tool; fail the test with its output when it fails."""
    full_env = {**os.environ, **(env or {})}
    for name in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE"):
        full_env.pop(name, None)
    proc = subprocess.run(args, cwd=cwd, env=full_env, capture_output=True, text=True,
                          timeout=timeout)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({proc.returncode}):\n"
                             f"{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}")
    return proc


def alembic(bundle: Path, url: str, *args: str,
            extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {"DATABASE_URL": url, "DIRECT_DATABASE_URL": url, **(extra_env or {})}
    return run([str(VENV_BIN / "alembic"), *args], bundle, env)


def schema_dump(server: PgServer, url: str) -> list[str]:
    """``pg_dump -s`` without noise: comments, SET lines, \\restrict lines, alembic_version."""
    out = run([server.tool("pg_dump"), "-s", "-O", "-x", "-T", "alembic_version", url],
              Path.cwd()).stdout
    noise = ("--", "SET ", "SELECT pg_catalog.set_config", "\\restrict", "\\unrestrict")
    return [line for line in out.splitlines() if line.strip() and not line.startswith(noise)]


def dump_diff(a: list[str], b: list[str], names: tuple[str, str]) -> str:
    return "\n".join(difflib.unified_diff(a, b, *names, lineterm="", n=2))


def leftovers(url: str) -> list[str]:
    engine = sa.create_engine(sa_url(url), poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return [r[0] for r in conn.execute(sa.text(LEFTOVERS_SQL))]
    finally:
        engine.dispose()


def sa_url(url: str) -> str:
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


@contextmanager
def imported(bundle: Path, module: str) -> Iterator[ModuleType]:
    """Import ``module`` from a bundle directory, then forget it (and its package)."""
    sys.path.insert(0, str(bundle))
    top = module.split(".")[0]
    try:
        yield importlib.import_module(module)
    finally:
        sys.path.remove(str(bundle))
        for name in [m for m in sys.modules if m == top or m.startswith(top + ".")]:
            del sys.modules[name]


def mypy_strict(cwd: Path, *files: str) -> subprocess.CompletedProcess[str]:
    return run([str(VENV_BIN / "mypy"), "--strict", "--no-error-summary", "--cache-dir",
                str(MYPY_CACHE), *files], cwd, timeout=600)


def script_versions(*scripts: str) -> list[Any]:
    """The designs SQL ``scripts`` import to, as versions 1 (an imported baseline), 2...,
    a day apart, each with the first one's settings."""
    from dataclasses import replace

    from modeler.codegen.bundle import VersionInput
    from modeler.importers import import_sql

    schemas = [import_sql([(f"v{n}.sql", text)]).schema
               for n, text in enumerate(scripts, start=1)]
    return [VersionInput(n, "first" if n == 1 else f"version {n}", "t",
                         f"2026-01-{n:02d}", replace(s, settings=schemas[0].settings),
                         baseline=n == 1)
            for n, s in enumerate(schemas, start=1)]


def versions_bundle(versions: list[Any], root: Path, slug: str) -> tuple[Path, str]:
    """The Alembic bundle of ``versions`` written to ``root``, and its first revision."""
    from modeler.codegen.bundle import build_bundle

    bundle = write_bundle(build_bundle(versions, slug=slug), root)
    return bundle, sorted((bundle / "migrations" / "versions").glob("0001_*.py"))[0].stem


def states(bundle: Path, url: str, query: str | None, *steps: str) -> list[list[Any]]:
    """Each of ``steps`` (``"upgrade head"``, ``"downgrade <revision>"``...) run by the
    bundle's Alembic against ``url``, which must succeed, and the rows ``query`` reads
    after it (none without a query)."""
    import psycopg

    from tests.fidelity import roundtrip as rt

    out: list[list[Any]] = []
    for step in steps:
        done = rt.alembic(bundle, url, *step.split())
        assert done.returncode == 0, (step, done.stderr[-2000:])
        if query is not None:
            with psycopg.connect(url) as conn:
                out.append(conn.execute(query).fetchall())
    return out
