"""The Drizzle bundle's README.md and its typed usage examples (``src/examples.ts``, compiled
by ``npm run typecheck`` and run by the bundle's tests)."""

from __future__ import annotations

import hashlib

from modeler.codegen.drizzle.migrations import Migration
from modeler.codegen.drizzle.names import Names, build_names, example_rel
from modeler.codegen.drizzle.templates import MIGRATIONS_SCHEMA, MIGRATIONS_TABLE
from modeler.codegen.drizzle.tsnames import ts_line
from modeler.codegen.plan import ModelPlan
from modeler.schema.model import Schema

Block = tuple[str, list[str]]  # (title, TypeScript lines)


def example_blocks(schema: Schema, names: Names) -> tuple[list[str], list[Block]]:
    """The usage examples of the design: (import lines, [(title, code)]); no blocks when no FK
    joins two tables whose parent has a one-column key. ``src/examples.ts`` and DESIGN.md
    both print these, so the documented code is the code the tests compile and run."""
    rel = example_rel(schema)
    if rel is None:
        return [], []
    child, parent = names.tables[rel.child_table], names.tables[rel.parent_table]
    pk = names.columns[schema.table(rel.parent_table).primary_key[0].uid]
    conds = [f"eq({child}.{names.columns[c]}, {parent}.{names.columns[p]})"
             for c, p in zip(rel.child_columns, rel.parent_columns, strict=True)]
    on = conds[0] if len(conds) == 1 else f"and({', '.join(conds)})"
    many = names.parent_attr[rel.uid]
    key = f"{_type(parent)}Key"
    imports = ["import { and, asc, eq, gt } from 'drizzle-orm';",
               "import { type Db, neonHttpDb } from './db';",
               f"import {{ {', '.join(sorted({child, parent}))} }} from './db/schema';"]
    blocks: list[Block] = [
        ("A typed select with a join", [
            "/** A select with a join: every row of both tables, typed. */",
            "export async function withJoin(db: Db, limit = 20) {",
            f"  return db.select({{ {child}, {parent} }})",
            f"    .from({child}).innerJoin({parent}, {on}).limit(limit);", "}"]),
        ("A relational query", [
            "/** A relational query (relations.ts): parents with their children. */",
            "export async function relational(db: Db, limit = 10) {",
            f"  return db.query.{parent}.findMany({{ with: {{ {many}: true }}, limit }});",
            "}"]),
        ("Keyset pagination", [
            f"export type {key} = (typeof {parent}.$inferSelect)['{pk}'];", "",
            "/** Keyset pagination: the page after the last key seen (no OFFSET). */",
            f"export async function page(db: Db, after?: {key}, size = 50) {{",
            f"  return db.select().from({parent})",
            f"    .where(after === undefined ? undefined : gt({parent}.{pk}, after))",
            f"    .orderBy(asc({parent}.{pk})).limit(size);", "}"]),
        ("A transaction on the Pool client", [
            "/** A transaction: needs a session (neonPoolDb() or nodePgDb(), not neon-http). */",
            "export async function inTransaction(db: Db) {",
            "  return db.transaction(async (tx) => {",
            f"    const first = await tx.select().from({parent}).orderBy(asc({parent}.{pk}))",
            "      .limit(1);",
            f"    const children = first.length === 0 ? [] : await tx.select().from({child})",
            f"      .where(eq({child}.{names.columns[rel.child_columns[0]]}, "
            f"first[0].{names.columns[rel.parent_columns[0]]}));",
            "    return { parent: first[0], children };", "  });", "}"]),
        ("Why not on neon-http", [
            "/** neon-http has no interactive transactions: db.batch() runs the queries in one",
            " * round trip and one transaction instead. */",
            "export async function batched(url?: string) {",
            "  const http = neonHttpDb(url);",
            f"  return http.batch([http.select().from({parent}).limit(1), "
            f"http.select().from({child}).limit(1)]);", "}"]),
    ]
    return imports, blocks


def render_examples(schema: Schema, names: Names) -> str:
    """``src/examples.ts``: typed usage (a select with a join, a relational query, keyset
    pagination, a transaction on a pooled session client, neon-http's batch instead of one)
    and the ``examples`` the bundle's tests run."""
    imports, blocks = example_blocks(schema, names)
    head = "// Typed usage examples, generated from the design (npm run typecheck compiles them)."
    record = "export const examples: Record<string, (db: Db) => Promise<unknown>> = {"
    if not blocks:
        return "\n".join([head, "import type { Db } from './db';", "", _RUNNABLE,
                          record + "};"]) + "\n"
    lines = [head, *imports]
    for _, code in blocks:
        lines += ["", *code]
    lines += ["", _RUNNABLE, record, "  withJoin, relational, page, inTransaction,", "};"]
    return "\n".join(lines) + "\n"


NEON_HTTP_NOTE = (
    "neon-http sends each query as one HTTP request: there is no session, so "
    "`db.transaction()` throws (\"No transactions support in neon-http driver\"). Queries that "
    "must succeed together go in one `db.batch([...])`, which Neon runs as one transaction; "
    "anything that reads before it writes needs the WebSocket Pool (`neonPoolDb()`) or "
    "node-postgres (`nodePgDb()`).")


def design_doc_section(schema: Schema, plan: ModelPlan, root: str = "",
                       names: Names | None = None) -> str:
    """DESIGN.md's Drizzle usage: the examples of ``src/examples.ts`` as Markdown (``root``:
    where the TypeScript project is in the bundle, ``typescript/`` in a combined export)."""
    imports, blocks = example_blocks(schema, names or build_names(schema, plan))
    out = ["### Drizzle ORM (TypeScript)\n",
           f"The same design with drizzle-orm 0.45 (`{root}src/db/schema.ts`, "
           f"`{root}src/db/relations.ts`); the clients come from `{root}src/db/index.ts`. "
           f"These examples are `{root}src/examples.ts`: `npm run typecheck` compiles them and "
           "`npm test` runs them.\n"]
    if not blocks:
        out.append("The design has no foreign key to a table with a single-column primary "
                   "key to show joins on.\n")
        return "\n".join(out)
    out.append("```ts\n" + "\n".join(imports) + "\n```\n")
    for title, code in blocks:
        out.append(f"#### {title}\n")
        if title.startswith("Why not"):
            out.append(NEON_HTTP_NOTE + "\n")
        out.append("```ts\n" + "\n".join(code) + "\n```\n")
    return "\n".join(out)


_RUNNABLE = ("/** The examples that run on a session client (the bundle's tests run them: "
             "npm test). */")


def _type(const: str) -> str:
    return const[:1].upper() + const[1:]


def stamp_sql(m: Migration, text: str) -> str:
    """The row drizzle's migrator writes for migration ``m`` (file content ``text``)."""
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return (f"CREATE SCHEMA IF NOT EXISTS {MIGRATIONS_SCHEMA};\n"
            f"CREATE TABLE IF NOT EXISTS {MIGRATIONS_SCHEMA}.{MIGRATIONS_TABLE} "
            "(id SERIAL PRIMARY KEY, hash text NOT NULL, created_at bigint);\n"
            f"INSERT INTO {MIGRATIONS_SCHEMA}.{MIGRATIONS_TABLE} (hash, created_at) "
            f"VALUES ('{digest}', {m.when});")


def render_readme(title: str, migrations: list[Migration], first_text: str,
                  baseline: bool) -> str:
    name = ts_line(title)
    last = migrations[-1]
    stamp = ""
    if baseline:
        stamp = f"""
## Existing database (imported baseline)

`drizzle/{migrations[0].tag}.sql` describes a database that already exists. Do not run it
there: record it as applied (what drizzle's migrator would write), then migrate:

```sql
{stamp_sql(migrations[0], first_text)}
```
"""
    return f"""# {name}: Drizzle ORM package

Exported by the ER modeler: a TypeScript project on drizzle-orm 0.45 / drizzle-kit 0.31.

- `src/db/schema.ts`: tables, enums, sequences and namespaces (pg-core), every constraint and
  index with its database name; `src/db/relations.ts`: relations for `db.query...`;
- `src/db/index.ts`: clients picked by environment (neon-http, neon-serverless, node-postgres);
- `drizzle/`: one migration per saved version of the design, in drizzle-kit's own layout
  (`meta/_journal.json`, `meta/NNNN_snapshot.json`, `NNNN_<name>.sql`), each with its way back
  `NNNN_<name>.down.sql`; the SQL is what the design's Alembic revisions run, including what
  Drizzle cannot declare (extensions, domains, COMMENT ON, triggers, partitions, kept SQL);
- `src/examples.ts`: typed usage (join, relational query, keyset pagination, transaction, batch).

## Setup

```sh
npm install       # the exact versions of package.json; keep the package-lock.json it writes
cp .env.example .env   # then put your two URLs in it
npm run typecheck
```

`.env` is read by drizzle-kit, `scripts/rollback.mjs` and the tests (a variable set in the
environment wins); the application reads `process.env` (load `.env` the way your app does).
`npm test` migrates an **empty** scratch database (`DATABASE_URL_UNPOOLED`) up, checks the
constraints on sample rows, runs `src/examples.ts` on `DATABASE_URL`, rolls back to empty and
migrates again: it drops everything, so never point it at a database you keep.

Two URLs (`.env.example`): `DATABASE_URL` for the application, on Neon the **pooled**
(`-pooler`) connection string, and `DATABASE_URL_UNPOOLED`, the **direct** one, for
migrations and `pg_dump`. Neon's pooler is PgBouncer in transaction mode: no session `SET`,
no SQL `PREPARE`, no advisory locks on `DATABASE_URL`.

## Migrate and roll back

```sh
npm run db:migrate           # drizzle-kit migrate: every pending migration, one transaction
npm run db:check             # drizzle-kit check: journal and snapshots are consistent
npm run db:rollback          # run the last applied migration's .down.sql and forget it
npm run db:rollback -- 2     # the last two
```

The latest migration is `{last.tag}`. After changing `schema.ts`, `npm run db:generate`
writes the next migration from the last snapshot (write its `.down.sql` by hand). Indexes are
built without CONCURRENTLY (it cannot run in drizzle's transaction): on a large, busy table,
build the index by hand with `CREATE INDEX CONCURRENTLY` first.
{stamp}
## Neon branches

Review a change on a branch of its own: create a branch per proposal (`neon branches create
--name proposal-42`, optionally `--schema-only`), point `DATABASE_URL_UNPOOLED` at the
branch's direct URL, `npm run db:migrate`, compare with the parent (`neon branches
schema-diff`), run the tests there, then apply the same migration to `main` from CI and
delete the branch.
"""
