"""The fixed files of the Drizzle bundle: Neon-aware clients, drizzle-kit config, package.json
with exact pins, tsconfig, .env.example and the rollback script."""

from __future__ import annotations

import json
import re

from modeler.codegen.drizzle.tsnames import ts_line, ts_str

# Exact pins of the stable line; tests/drizzle/toolchain/package.json holds the same (a test
# keeps them equal), so the bundle is tested with what it installs.
DEPENDENCIES = {"@neondatabase/serverless": "1.2.0", "drizzle-orm": "0.45.4", "pg": "8.23.1",
                "ws": "8.18.3"}
DEV_DEPENDENCIES = {"@types/node": "20.19.25", "@types/pg": "8.23.1", "@types/ws": "8.18.1",
                    "drizzle-kit": "0.31.11", "tsx": "4.23.15", "typescript": "5.9.3"}

MIGRATIONS_SCHEMA = "drizzle"
MIGRATIONS_TABLE = "__drizzle_migrations"

INDEX_TS = """\
// Database clients, picked by environment (DB_DRIVER, else by the URL's host).
//
//   neon-http        Neon's HTTP driver, for serverless and edge functions: one query per
//                    request, no interactive transactions (db.transaction() throws "No
//                    transactions support in neon-http driver"); several statements that must
//                    succeed together go in one db.batch([...]), which runs as one transaction.
//   neon-serverless  Neon's WebSocket Pool: sessions and db.transaction(). In serverless and
//                    edge functions create it inside the handler and end it there.
//   node-postgres    pg's Pool, for servers, CI and local development.
//
// The application connects with DATABASE_URL: on Neon the pooled (-pooler) URL, which is
// PgBouncer in transaction mode. Drizzle's queries are unnamed protocol-level statements and
// work through it; do not add session SET / RESET, SQL PREPARE, LISTEN or advisory locks.
// Migrations and pg_dump use the direct DATABASE_URL_UNPOOLED (drizzle.config.ts).
import { neon, neonConfig, Pool as NeonPool, type NeonQueryFunction }
  from '@neondatabase/serverless';
import { drizzle as drizzleNeonHttp, type NeonHttpDatabase, type NeonHttpQueryResultHKT }
  from 'drizzle-orm/neon-http';
import { drizzle as drizzleNeonServerless, type NeonQueryResultHKT }
  from 'drizzle-orm/neon-serverless';
import { drizzle as drizzleNodePg, type NodePgQueryResultHKT } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { Pool } from 'pg';
import ws from 'ws';
import * as relations from './relations';
import type { Tables } from './relations';
import * as tables from './schema';

export const schema = { ...tables, ...relations };
export type Schema = typeof schema;
export type { Tables };
/** What every client offers (select, insert, update, delete, db.query, transaction). */
export type Db = PgDatabase<PgQueryResultHKT, Schema, Tables>;
export type NodePgDb = PgDatabase<NodePgQueryResultHKT, Schema, Tables> & { $client: Pool };
export type NeonPoolDb = PgDatabase<NeonQueryResultHKT, Schema, Tables> & { $client: NeonPool };
export type NeonHttpDb = PgDatabase<NeonHttpQueryResultHKT, Schema, Tables>
  & Pick<NeonHttpDatabase, 'batch'> & { $client: NeonQueryFunction<false, false> };
export type Driver = 'neon-http' | 'neon-serverless' | 'node-postgres';

// drizzle() would infer the relational types from `schema` (ExtractTablesWithRelations, which
// compares every table with every export: TS2589 on large designs); they are spelled out in
// relations.ts (Tables), so the clients are created untyped and given those types.
const runtimeSchema: Record<string, unknown> = schema;

export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set (see .env.example)');
  return url;
}

export function driverFor(url: string, wanted: string | undefined = process.env.DB_DRIVER): Driver {
  if (wanted === 'neon-http' || wanted === 'neon-serverless' || wanted === 'node-postgres') {
    return wanted;
  }
  return /@[^/]*\\.neon\\.tech(:\\d+)?\\//.test(url) ? 'neon-serverless' : 'node-postgres';
}

/** Neon over HTTP: no interactive transactions; db.batch([...]) for atomic groups. */
export function neonHttpDb(url: string = databaseUrl()): NeonHttpDb {
  return drizzleNeonHttp({ client: neon(url), schema: runtimeSchema }) as unknown as NeonHttpDb;
}

/** Neon over WebSockets: a session per transaction (db.transaction works). */
export function neonPoolDb(url: string = databaseUrl()): NeonPoolDb {
  if (typeof WebSocket === 'undefined') neonConfig.webSocketConstructor = ws; // Node < 22
  const client = new NeonPool({ connectionString: url });
  return drizzleNeonServerless({ client, schema: runtimeSchema }) as unknown as NeonPoolDb;
}

/** node-postgres: a pool of TCP connections (servers, local development, CI). */
export function nodePgDb(url: string = databaseUrl(),
                         max = Number(process.env.DB_POOL_MAX ?? 10)): NodePgDb {
  const client = new Pool({ connectionString: url, max });
  return drizzleNodePg({ client, schema: runtimeSchema }) as unknown as NodePgDb;
}

export function createDb(url: string = databaseUrl(), driver: Driver = driverFor(url)): Db {
  switch (driver) {
    case 'neon-http':
      return neonHttpDb(url);
    case 'neon-serverless':
      return neonPoolDb(url);
    default:
      return nodePgDb(url);
  }
}

let shared: Db | undefined;

/** The application's database, created on first use from DATABASE_URL. */
export function db(): Db {
  shared ??= createDb();
  return shared;
}
"""

ROLLBACK_MJS = """\
// Roll back the last N applied migrations (default 1): runs drizzle/<tag>.down.sql and removes
// the migration's row from drizzle's journal table, each in one transaction, on the direct
// DATABASE_URL_UNPOOLED. drizzle-kit has no down migrations; the ER modeler writes them.
//
//   node scripts/rollback.mjs [N]      (npm run db:rollback -- N)
import { readFileSync } from 'node:fs';
import pg from 'pg';

const BREAKPOINT = '--> statement-breakpoint';
const folder = new URL('../drizzle/', import.meta.url);
const journal = JSON.parse(readFileSync(new URL('meta/_journal.json', folder), 'utf8'));
try {
  process.loadEnvFile(); // the URLs of .env when there is one (the environment wins)
} catch {
  // no .env
}
const url = process.env.DATABASE_URL_UNPOOLED;
if (!url) {
  console.error('DATABASE_URL_UNPOOLED is not set (the direct, unpooled URL)');
  process.exit(1);
}
const steps = Number(process.argv[2] ?? 1);
const client = new pg.Client({ connectionString: url });
await client.connect();
try {
  for (let step = 0; step < steps; step++) {
    await client.query('BEGIN');
    const { rows } = await client.query(
      'SELECT id, created_at FROM __TABLE__ ORDER BY created_at DESC LIMIT 1');
    if (rows.length === 0) {
      await client.query('ROLLBACK');
      console.log('nothing to roll back');
      break;
    }
    const entry = journal.entries.find((e) => String(e.when) === String(rows[0].created_at));
    if (!entry) throw new Error(`applied migration ${rows[0].created_at} is not in the journal`);
    const text = readFileSync(new URL(`${entry.tag}.down.sql`, folder), 'utf8');
    for (const statement of entry.breakpoints ? text.split(BREAKPOINT) : [text]) {
      await client.query(statement);
    }
    await client.query('DELETE FROM __TABLE__ WHERE id = $1', [rows[0].id]);
    await client.query('COMMIT');
    console.log(`rolled back ${entry.tag}`);
  }
} catch (error) {
  await client.query('ROLLBACK').catch(() => {});
  throw error;
} finally {
  await client.end();
}
""".replace("__TABLE__", f'"{MIGRATIONS_SCHEMA}"."{MIGRATIONS_TABLE}"')

TSCONFIG = {
    "compilerOptions": {
        "target": "ES2022", "module": "ESNext", "moduleResolution": "Bundler",
        "strict": True, "noEmit": True, "skipLibCheck": True, "esModuleInterop": True,
        "types": ["node"],
    },
    "include": ["src", "tests", "drizzle.config.ts"],
}


def render_config(namespaces: list[str], extensions: list[str]) -> str:
    schemas = ", ".join(ts_str(ns) for ns in ["public", *namespaces])
    ext = ("\n  extensionsFilters: ['postgis'], // PostGIS's own tables are not ours"
           if "postgis" in extensions else "")
    return f"""\
// drizzle-kit works on the direct (unpooled) URL: migrations need a session of their own,
// which Neon's pooled (PgBouncer, transaction mode) URL does not give.
import {{ defineConfig }} from 'drizzle-kit';

export default defineConfig({{
  dialect: 'postgresql',
  schema: './src/db/schema.ts',
  out: './drizzle',
  // every namespace of the design (drizzle-kit 0.31 only manages the ones listed)
  schemaFilter: [{schemas}],{ext}
  dbCredentials: {{ url: process.env.DATABASE_URL_UNPOOLED ?? '' }},
  migrations: {{ schema: {ts_str(MIGRATIONS_SCHEMA)}, table: {ts_str(MIGRATIONS_TABLE)} }},
  strict: true,
  verbose: true,
}});
"""


def _dist(slug: str) -> str:
    return re.sub(r"[^a-z0-9-]+", "-", slug.lower()).strip("-") or "design"


def render_package_json(slug: str, version: int, title: str) -> str:
    data = {
        "name": f"{_dist(slug)}-db",
        "version": f"0.{version}.0",
        "private": True,
        "description": ts_line(f"Drizzle ORM schema and migrations for {title}"),
        "scripts": {
            "typecheck": "tsc --noEmit -p tsconfig.json",
            "db:generate": "drizzle-kit generate",
            "db:migrate": "drizzle-kit migrate",
            "db:check": "drizzle-kit check",
            "db:rollback": "node scripts/rollback.mjs",
            "test": "tsx --test tests/*.test.ts",
        },
        "dependencies": DEPENDENCIES,
        "devDependencies": DEV_DEPENDENCIES,
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


ENV_EXAMPLE = """\
# The application's URL. On Neon: the POOLED connection string (host with -pooler), keep
# sslmode=require&channel_binding=require. Transaction pooling: no session SET, no SQL
# PREPARE, no advisory locks.
DATABASE_URL=postgresql://app:secret@ep-example-123456-pooler.eu-central-1.aws.neon.tech/app?sslmode=require&channel_binding=require
# Migrations (drizzle-kit, scripts/rollback.mjs) and pg_dump: the DIRECT connection string
# (same host without -pooler). Locally both URLs are the same.
DATABASE_URL_UNPOOLED=postgresql://app:secret@ep-example-123456.eu-central-1.aws.neon.tech/app?sslmode=require&channel_binding=require
# Optional: neon-http | neon-serverless | node-postgres (default: neon-serverless for *.neon.tech)
# DB_DRIVER=neon-serverless
# DB_POOL_MAX=10
"""
