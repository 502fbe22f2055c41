"""Issue 6 benchmark: our export against sqlacodegen on the same 371-table database.

Loads musicbrainz (../shared/corpus) into a throw-away PostgreSQL, then
  ours:        import the DDL → build the bundle (timed) → `alembic upgrade head` on an
               empty database → compare its catalog with the original;
  sqlacodegen: generate models from the original database (timed) → `create_all` on an
               empty database → compare its catalog with the original.
Prints both times and the per-category catalog match.

sqlacodegen is not a project dependency; install it in a separate environment and point
SQLACODEGEN at its executable (its python runs create_all):
    python3 -m venv /tmp/acg && /tmp/acg/bin/pip install sqlacodegen 'psycopg[binary]'
    SQLACODEGEN=/tmp/acg/bin/sqlacodegen .venv/bin/python bench/export_vs_sqlacodegen.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from modeler.codegen.bundle import build_bundle  # noqa: E402
from modeler.codegen.versions import VersionInput  # noqa: E402
from modeler.importers import import_sql  # noqa: E402
from tests.catalog import CATEGORIES, compare, read_catalog  # noqa: E402
from tests.importers.conftest import CORPUS, musicbrainz_files, psql_load  # noqa: E402
from tests.pgtemp import PgServer, temp_postgres  # noqa: E402

SCHEMAS = ["musicbrainz"]


def ours(server: PgServer, files: list[tuple[str, str]], work: Path) -> tuple[float, str]:
    t0 = time.perf_counter()
    result = import_sql(files)
    t1 = time.perf_counter()
    bundle = build_bundle([VersionInput(number=1, message="musicbrainz baseline",
                                        author="bench", created="2026-01-01",
                                        schema=result.schema, baseline=True)],
                          slug="musicbrainz")
    t2 = time.perf_counter()
    root = work / "ours"
    for path, body in bundle.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(body)
    url = server.create_database("ours")
    env = {**os.environ, "DATABASE_URL": url}
    done = subprocess.run([str(ROOT / ".venv/bin/alembic"), "upgrade", "head"], cwd=root,
                          env=env, capture_output=True, text=True, timeout=900)
    if done.returncode != 0:
        print("ours: alembic upgrade failed:", done.stderr[-2000:])
    print(f"ours: import {t1 - t0:.2f} s, bundle {t2 - t1:.2f} s "
          f"(import + export {t2 - t0:.2f} s)")
    return t2 - t0, url


def sqlacodegen(server: PgServer, original: str, work: Path,
                generator: str = "declarative") -> tuple[float, str] | None:
    """Generate models with sqlacodegen's ``generator`` (its default, ``declarative``,
    or ``tables``: plain Table objects, which cannot hit the ORM's name conflicts), then
    ``create_all`` them into an empty database."""
    exe = os.environ.get("SQLACODEGEN")
    if not exe or not Path(exe).exists():
        print("sqlacodegen: set SQLACODEGEN to its executable to compare (see the docstring)")
        return None
    sa_url = original.replace("postgresql://", "postgresql+psycopg://", 1)
    t0 = time.perf_counter()
    done = subprocess.run([exe, sa_url, "--schemas", ",".join(SCHEMAS),
                           "--generator", generator], capture_output=True, text=True,
                          timeout=900)
    elapsed = time.perf_counter() - t0
    if done.returncode != 0:
        print("sqlacodegen failed:", done.stderr[-2000:])
        return None
    models = work / f"acg_{generator}.py"
    models.write_text(done.stdout)
    url = server.create_database(f"acg_{generator}")
    engine_url = url.replace("postgresql://", "postgresql+psycopg://", 1)
    script = (f"import runpy, sqlalchemy as sa\nns = runpy.run_path({str(models)!r})\n"
              "md = next(v for v in ns.values() if isinstance(v, sa.MetaData)) if any("
              "isinstance(v, sa.MetaData) for v in ns.values()) else ns['Base'].metadata\n"
              f"e = sa.create_engine({engine_url!r})\n"
              "with e.begin() as c:\n"
              "    for s in sorted({t.schema for t in md.tables.values() if t.schema}):\n"
              "        c.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS \"{s}\"'))\n"
              "md.create_all(e)\n")
    python = Path(exe).parent / "python"
    made = subprocess.run([str(python), "-c", script], capture_output=True, text=True,
                          timeout=900)
    if made.returncode != 0:
        errors = [line for line in made.stderr.splitlines() if "Error" in line]
        print(f"sqlacodegen {generator} models: create_all failed:",
              (errors or made.stderr.strip().splitlines() or ["?"])[-1][:600])
    print(f"sqlacodegen --generator {generator}: {elapsed:.2f} s to generate models")
    return elapsed, url


def main() -> None:
    if not CORPUS.exists():
        sys.exit(f"the shared corpus is not at {CORPUS}")
    files = musicbrainz_files()
    with temp_postgres() as server, tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        original = server.create_database("orig")
        errors = psql_load(server, original, "".join(text + "\n" for _, text in files))
        print(f"original loaded ({len(errors)} psql errors)")
        expected = read_catalog(original, SCHEMAS)
        t_ours, ours_url = ours(server, files, work)
        rows = {"ours (migrations)": compare(expected, read_catalog(ours_url, SCHEMAS))}
        for generator in ("declarative", "tables"):
            acg = sqlacodegen(server, original, work, generator)
            if acg is not None:
                rows[f"sqlacodegen {generator}"] = compare(expected,
                                                          read_catalog(acg[1], SCHEMAS))
                print(f"time: ours {t_ours:.2f} s vs sqlacodegen {generator} {acg[0]:.2f} s")
        print(f"{'category':20}" + "".join(f"{name:>28}" for name in rows))
        for cat in CATEGORIES:
            cells = []
            for report in rows.values():
                c = report[cat]
                cells.append(f"{c.percent:6.1f}% ({c.matched}/{c.total})")
            print(f"{cat:20}" + "".join(f"{cell:>28}" for cell in cells))


if __name__ == "__main__":
    main()
