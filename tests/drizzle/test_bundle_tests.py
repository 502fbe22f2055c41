"""The Drizzle bundle's own tests (``npm test`` in the exported project, node's test runner)
pass against a real PostgreSQL for every test design: migrate up on an empty database, FK /
NOT NULL / UNIQUE / CHECK violations rejected on sample rows, the usage examples run, down to
empty through the ``.down.sql`` files and up again. Through PgBouncer in transaction mode
(``tests/codegen/pgbouncer.py``), the examples run on the pooled URL with no prepared
statement or session-state error, while migrations use the direct URL; a named prepared
statement through the same pooler fails (the negative control).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.codegen import pgbouncer
from tests.codegen.designs import DESIGNS, shop_versions
from tests.drizzle import helpers as h
from tests.drizzle.test_typecheck import hostile_versions
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

TESTS = ("migrates up on an empty database", "foreign keys reject a missing parent",
         "NOT NULL columns reject NULL", "unique keys reject a duplicate",
         "CHECK constraints reject what they forbid",
         "the usage examples run (src/examples.ts, on DATABASE_URL)",
         "rolls back to an empty database with the .down.sql files, then up again")


def results(tap: str) -> dict[str, str]:
    """Top-level test name -> ``ok`` / ``skip`` / ``not ok`` from node's TAP output."""
    out: dict[str, str] = {}
    for m in re.finditer(r"^(not ok|ok) \d+ - (.*?)(\s+# SKIP.*)?$", tap, re.MULTILINE):
        out[m.group(2)] = "skip" if m.group(3) else m.group(1)
    return out


def npm_test(bundle: Path, direct: str, app: str | None = None) -> dict[str, str]:
    proc = h.node_run(["npm", "test", "--silent"], bundle, direct, check=False,
                      extra_env={"DATABASE_URL": app} if app else None)
    found = results(proc.stdout)
    assert proc.returncode == 0 and "not ok" not in found.values(), (
        f"npm test failed ({proc.returncode}):\n{proc.stdout[-8000:]}\n{proc.stderr[-3000:]}")
    return found


# what each design cannot show (no such constraint on a table that gets a sample row)
NOT_APPLICABLE: dict[str, set[str]] = {
    # identity keys only; a CHECK no candidate value breaks
    "hostile": {"unique keys reject a duplicate", "CHECK constraints reject what they forbid"},
    "legacy": {"CHECK constraints reject what they forbid"},
    "type-zoo": {"foreign keys reject a missing parent",
                 "CHECK constraints reject what they forbid"},
}


@pytest.mark.parametrize("slug", [*sorted(DESIGNS), "hostile"])
def test_npm_test_passes(slug: str, pg_server: PgServer, tmp_path: Path,
                         node_modules: Path) -> None:
    versions = hostile_versions() if slug == "hostile" else DESIGNS[slug]()
    bundle = h.write_drizzle(versions, tmp_path / slug, slug, node_modules)
    url = pg_server.create_database("n")
    try:
        found = npm_test(bundle, url)
        assert set(found) == set(TESTS), found
        skipped = {name for name, state in found.items() if state == "skip"}
        assert skipped == NOT_APPLICABLE.get(slug, set()), skipped
    finally:
        pg_server.drop_database(url)


def test_npm_test_skips_without_a_database_and_refuses_a_used_one(
        pg_server: PgServer, tmp_path: Path, node_modules: Path) -> None:
    bundle = h.write_drizzle(shop_versions(), tmp_path / "shop", "shop", node_modules)
    proc = h.node_run(["npm", "test", "--silent"], bundle, None)
    assert set(results(proc.stdout).values()) == {"skip"}, proc.stdout[-3000:]
    url = pg_server.create_database("n")
    try:
        import psycopg

        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE TABLE precious (id int)")
        found = npm_test(bundle, url)
        assert set(found.values()) == {"skip"}, found
        with psycopg.connect(url) as conn:
            assert conn.execute("SELECT to_regclass('precious')").fetchone() == ("precious",)
    finally:
        pg_server.drop_database(url)


@pytest.mark.skipif(not pgbouncer.available(), reason="pgbouncer is not installed")
def test_examples_through_pgbouncer_transaction_mode(pg_server: PgServer, tmp_path: Path,
                                                     node_modules: Path) -> None:
    bundle = h.write_drizzle(shop_versions(), tmp_path / "shop", "shop", node_modules)
    direct = pg_server.create_database("n")
    dbname = direct.rpartition("/")[2]
    try:
        with pgbouncer.pgbouncer(pg_server, dbname) as bouncer:
            pooled = bouncer.url(dbname)
            found = npm_test(bundle, direct, app=pooled)
            assert set(found.values()) == {"ok"}, found
            # the examples again, many at once on a pool of the one-connection alias: every
            # client shares one server session, so a named statement or a SET would collide
            single = bouncer.url("single")
            script = bundle / "tests" / "pooled.ts"
            script.write_text(POOLED_TS, encoding="utf-8")
            proc = h.node_run([str(bundle / "node_modules" / ".bin" / "tsx"), str(script)],
                              bundle, direct, extra_env={"DATABASE_URL": single}, check=False)
            assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
            assert "examples ok 40" in proc.stdout, proc.stdout[-3000:]
            assert "named prepared statement failed" in proc.stdout, proc.stdout[-3000:]
    finally:
        pg_server.drop_database(direct)


POOLED_TS = """\
// Run every usage example 40 times from 8 pool connections through one pooled server
// connection, then the negative control: a named prepared statement from two clients.
import { sql } from 'drizzle-orm';
import { nodePgDb } from '../src/db';
import { examples } from '../src/examples';

async function main() {
  const db = nodePgDb(process.env.DATABASE_URL, 8);
  let done = 0;
  await Promise.all(Array.from({ length: 40 }, async () => {
    for (const run of Object.values(examples)) await run(db);
    done++;
  }));
  console.log(`examples ok ${done}`);
  const prepared = db.select({ one: sql<number>`1` }).from(sql`(SELECT 1) AS x`).prepare('q1');
  try {
    for (let i = 0; i < 3; i++) {
      await Promise.all(Array.from({ length: 8 }, () => prepared.execute()));
    }
    console.log('named prepared statement passed');
  } catch (error) {
    console.log(`named prepared statement failed: ${String(error).slice(0, 200)}`);
  }
  await db.$client.end();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
"""
