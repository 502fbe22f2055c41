"""Run exported Drizzle bundles: write them, type-check, drizzle-kit, catalogs to compare."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from modeler.codegen.bundle import VersionInput, build_bundle
from modeler.codegen.drizzle.bundle import build_drizzle_files
from modeler.codegen.version_table import version_table_name
from modeler.codegen.versions import chain, revision_id
from tests.catalog import Catalog, read_catalog
from tests.codegen.helpers import alembic, write_bundle
from tests.fidelity.roundtrip import without_version_table
from tests.pgtemp import PgServer

MIGRATIONS_SCHEMA = "drizzle"


def write_drizzle(versions: Sequence[VersionInput], root: Path, slug: str,
                  node_modules: Path | None = None) -> Path:
    """The Drizzle bundle of ``versions`` in ``root`` (with ``node_modules`` linked in)."""
    files = build_drizzle_files(chain(versions), slug=slug, title=slug)
    for path, text in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    if node_modules is not None and not (root / "node_modules").exists():
        (root / "node_modules").symlink_to(node_modules)
    return root


def node_run(args: list[str], cwd: Path, url: str | None = None,
             timeout: int = 300, check: bool = True,
             extra_env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "DATABASE_URL"))}
    env["NO_COLOR"] = "1"
    env["npm_config_update_notifier"] = "false"
    if url is not None:
        env.update(DATABASE_URL=url, DATABASE_URL_UNPOOLED=url)
    env.update(extra_env or {})
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"{' '.join(args)} failed ({proc.returncode}):\n"
                             f"{proc.stdout[-6000:]}\n{proc.stderr[-6000:]}")
    return proc


def kit(bundle: Path, url: str, *args: str, check: bool = True
        ) -> subprocess.CompletedProcess[str]:
    return node_run([str(bundle / "node_modules" / ".bin" / "drizzle-kit"), *args], bundle,
                    url, check=check)


def tsc(project: Path, config: str = "tsconfig.json", check: bool = False
        ) -> subprocess.CompletedProcess[str]:
    return node_run([str(project / "node_modules" / ".bin" / "tsc"), "--noEmit", "-p", config,
                     "--pretty", "false"], project, check=check, timeout=600)


def ts_errors(output: str) -> list[str]:
    return [line for line in output.splitlines() if re.search(r"error TS\d+", line)]


def drizzle_catalog(url: str) -> Catalog:
    """The catalog without drizzle's own bookkeeping (its schema ``drizzle``)."""
    cat = read_catalog(url)
    return replace(cat, **{name: frozenset(
        r for r in cat.category(name)
        if not any(isinstance(v, str) and (v.startswith(f"{MIGRATIONS_SCHEMA}.")
                                           or v == MIGRATIONS_SCHEMA) for v in r[:2]))
        for name in ("tables", "columns", "primary_keys", "indexes", "comments")})


def alembic_catalogs(server: PgServer, versions: Sequence[VersionInput], root: Path,
                     slug: str) -> list[Catalog]:
    """The catalog after ``alembic upgrade <rev>`` of each version, in order (the SQLAlchemy
    bundle's migrations: what the Drizzle ones must build)."""
    bundle = write_bundle(build_bundle(list(versions), slug=slug), root)
    out = []
    for v in sorted(versions, key=lambda v: v.number):
        # a fresh database each: Alembic's autocommit blocks need the revisions to run in
        # one `upgrade` from the start
        url = server.create_database("a")
        try:
            proc = alembic(bundle, url, "upgrade", revision_id(v))
            assert proc.returncode == 0, proc.stderr
            # the bundle's version table (alembic_version_1 when the design has an
            # alembic_version of its own: mlflow's, bench/stranger_schemas.py)
            out.append(without_version_table(read_catalog(url), version_table_name(
                [v.schema for v in versions])))
        finally:
            server.drop_database(url)
    return out


def applied(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute(f"SELECT count(*) FROM {MIGRATIONS_SCHEMA}.__drizzle_migrations"
                           ).fetchone()
        return int(row[0]) if row else 0


def migrate_over_rows(bundle: Path, url: str, rows: str) -> None:
    """``drizzle-kit migrate`` the bundle's first version only, run ``rows`` (SQL that puts
    rows in its tables), then migrate the rest: the later migrations meet a table that
    holds rows."""
    import json

    import psycopg

    journal = bundle / "drizzle" / "meta" / "_journal.json"
    full = journal.read_text(encoding="utf-8")
    first = json.loads(full)
    first["entries"] = first["entries"][:1]
    try:
        journal.write_text(json.dumps(first), encoding="utf-8")
        kit(bundle, url, "migrate")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(rows.encode())
    finally:
        journal.write_text(full, encoding="utf-8")
    kit(bundle, url, "migrate")
