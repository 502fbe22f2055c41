"""The Drizzle bundle's README set-up, followed as written (found by a new user's journey).

The README said ``npm ci  # or npm install`` (``npm ci`` refuses to run without a
``package-lock.json``, which the bundle does not ship) and ``cp .env.example .env``; but only
drizzle-kit read ``.env``: ``npm run db:rollback`` answered "DATABASE_URL_UNPOOLED is not
set" and ``npm test`` skipped all its tests ("set DATABASE_URL_UNPOOLED ...") with exit 0.
"""

from __future__ import annotations

import re
from pathlib import Path

from modeler.codegen.drizzle.bundle import build_drizzle_files
from modeler.codegen.versions import chain
from tests.codegen.designs import shop_versions
from tests.drizzle import helpers as h
from tests.pgtemp import PgServer


def setup_block(readme: str) -> str:
    found = re.search(r"## Setup\n\n```sh\n(.*?)```", readme, re.S)
    assert found, readme
    return found.group(1)


def test_setup_does_not_ask_for_npm_ci_without_a_lockfile() -> None:
    files = build_drizzle_files(chain(shop_versions()), slug="shop", title="Shop")
    assert "package-lock.json" not in files
    commands = [line.split("#")[0].strip() for line in setup_block(files["README.md"]).splitlines()]
    assert "npm ci" not in commands, commands
    assert "npm install" in commands, commands
    assert "npm test" in files["README.md"]


def test_env_file_is_read_by_rollback_and_tests(pg_server: PgServer, tmp_path: Path,
                                                node_modules: Path) -> None:
    bundle = h.write_drizzle(shop_versions(), tmp_path / "shop", "shop", node_modules)
    url = pg_server.create_database("n")
    try:
        # what the README says: cp .env.example .env, then put the URLs in it
        example = (bundle / ".env.example").read_text(encoding="utf-8")
        env = re.sub(r"(?m)^(DATABASE_URL(?:_UNPOOLED)?)=.*$", lambda m: f"{m[1]}={url}",
                     example)
        (bundle / ".env").write_text(env, encoding="utf-8")
        typecheck = h.tsc(bundle)  # the .env loading type-checks (tests/ are in tsconfig)
        assert typecheck.returncode == 0, typecheck.stdout[-3000:]
        h.node_run(["npm", "run", "db:migrate"], bundle)  # no URL in the environment
        assert h.applied(url) == len(shop_versions())
        rolled = h.node_run(["npm", "run", "db:rollback"], bundle, check=False)
        assert rolled.returncode == 0, rolled.stdout + rolled.stderr
        assert h.applied(url) == len(shop_versions()) - 1
        # npm test wants an empty scratch database: .env names a new one
        scratch = pg_server.create_database("n")
        (bundle / ".env").write_text(env.replace(url, scratch), encoding="utf-8")
        try:
            tests = h.node_run(["npm", "test"], bundle, check=False)
        finally:
            pg_server.drop_database(scratch)
        assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
        assert re.search(r"^# skipped 0$", tests.stdout, re.M), tests.stdout[-3000:]
        assert re.search(r"^# pass [1-9]", tests.stdout, re.M), tests.stdout[-3000:]
    finally:
        pg_server.drop_database(url)


def test_design_doc_of_a_drizzle_export_says_how_to_migrate_with_drizzle() -> None:
    """A Drizzle-only bundle's DESIGN.md said 'Apply with `alembic upgrade head`', named
    each migration by its Alembic revision id, told to `alembic stamp` the baseline and
    showed SQLAlchemy examples from a Python package the bundle does not hold."""
    from modeler.codegen.bundle import build_bundle

    files = build_bundle(shop_versions(), slug="shop", title="Shop", target="drizzle")
    doc = files["DESIGN.md"]
    doc = doc if isinstance(doc, str) else bytes(doc).decode("utf-8")
    migrations = doc.split("## 5. Migrations", 1)[1].split("\n## ", 1)[0]
    assert "alembic" not in migrations.lower(), migrations
    assert "npm run db:migrate" in migrations
    tags = [name.removeprefix("drizzle/").removesuffix(".sql") for name in files
            if name.startswith("drizzle/0") and not name.endswith(".down.sql")]
    assert tags and all(f"`{tag}`" in migrations for tag in tags), (tags, migrations)
    usage = doc.split("## 6. Usage examples", 1)[1].split("\n## ", 1)[0]
    assert "```python" not in usage and "session_scope" not in usage, usage[:800]
    assert "```ts" in usage
    head = doc.split("\n## ", 1)[0]
    assert "Python package" not in head, head


def test_npm_test_runs_after_rolling_back_to_empty(pg_server: PgServer, tmp_path: Path,
                                                   node_modules: Path) -> None:
    """After `npm run db:rollback -- N` to the start, the database holds only drizzle's
    (empty) journal: npm test took it for a database in use and skipped every test
    ('the database is not empty'), exit 0."""
    bundle = h.write_drizzle(shop_versions(), tmp_path / "shop", "shop", node_modules)
    url = pg_server.create_database("n")
    try:
        h.node_run(["npm", "run", "db:migrate"], bundle, url)
        h.node_run(["npm", "run", "db:rollback", "--", str(len(shop_versions()))], bundle, url)
        assert h.applied(url) == 0
        tests = h.node_run(["npm", "test"], bundle, url, check=False)
        assert tests.returncode == 0, tests.stdout[-4000:] + tests.stderr[-2000:]
        assert re.search(r"^# skipped 0$", tests.stdout, re.M), tests.stdout[-3000:]
    finally:
        pg_server.drop_database(url)
