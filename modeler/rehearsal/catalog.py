"""What the scratch database holds, read from its catalog: the tables to fill, their columns
(with domains resolved to their base types), keys, unique indexes, checks and foreign keys.

The sample data is generated from the catalog rather than from the design snapshot, so that
what PostgreSQL actually built after the migrations (imported schemas, kept SQL, domains of
domains) is what the generator satisfies; the snapshot adds only what the catalog does not
know (``frequently_queried``, ``expected_rows``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import psycopg
from psycopg import sql


@dataclass
class CatColumn:
    name: str
    attnum: int
    type_sql: str  # as declared (format_type)
    base: str  # base type's typname after domains (int4, varchar, _text, ...)
    base_kind: str  # typtype of the base: b, e (enum), r (range), c, m, d, p
    typmod: int
    not_null: bool
    generated: bool
    identity: bool
    has_default: bool
    element: str = ""  # for arrays: the element typname
    labels: tuple[str, ...] = ()  # enum labels (the base, or the array's element)
    domain_checks: tuple[str, ...] = ()  # CHECK expressions of its domains (VALUE ...)
    base_sql: str = ""  # the base type after domains, as format_type spells it


@dataclass
class CatForeignKey:
    name: str
    columns: tuple[str, ...]
    parent: str  # qualified, quoted (regclass text)
    parent_columns: tuple[str, ...]
    deferrable: bool


@dataclass
class CatUnique:
    name: str
    keys: tuple[str, ...]  # index key definitions (column names or expressions)
    columns: tuple[str, ...]  # plain columns among the keys
    predicate: str | None
    nulls_not_distinct: bool
    primary: bool


@dataclass
class CatTable:
    oid: int
    schema: str
    name: str
    regclass: str  # quoted, as regclass prints it
    partitioned: bool
    columns: list[CatColumn] = field(default_factory=list)
    uniques: list[CatUnique] = field(default_factory=list)
    checks: list[tuple[str, str]] = field(default_factory=list)  # (name, expression)
    fks: list[CatForeignKey] = field(default_factory=list)

    def column(self, name: str) -> CatColumn | None:
        return next((c for c in self.columns if c.name == name), None)


_TABLES = """
SELECT c.oid, n.nspname, c.relname, c.oid::regclass::text, c.relkind = 'p'
  FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition
   AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp)'
   -- the export's version table: alembic_version, or alembic_version_<n> when the design
   -- has a relation of that name (modeler.codegen.version_table); Alembic keys it <name>_pkc
   AND NOT (c.relname ~ '^alembic_version(_[0-9]+)?$' AND EXISTS (
            SELECT 1 FROM pg_constraint k WHERE k.conrelid = c.oid AND k.contype = 'p'
               AND k.conname = c.relname || '_pkc'))
   AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                   AND d.objid = c.oid AND d.deptype = 'e')
 ORDER BY n.nspname, c.relname
"""

_COLUMNS = """
WITH RECURSIVE chain AS (
  SELECT a.attrelid, a.attnum, a.atttypid AS tid, a.atttypmod AS tmod, false AS dnn,
         ARRAY[]::oid[] AS doms, 0 AS depth
    FROM pg_attribute a WHERE a.attrelid = ANY(%(oids)s) AND a.attnum > 0
     AND NOT a.attisdropped
  UNION ALL
  SELECT ch.attrelid, ch.attnum, t.typbasetype, t.typtypmod, ch.dnn OR t.typnotnull,
         ch.doms || t.oid, ch.depth + 1
    FROM chain ch JOIN pg_type t ON t.oid = ch.tid WHERE t.typtype = 'd'),
base AS (SELECT DISTINCT ON (attrelid, attnum) * FROM chain
          ORDER BY attrelid, attnum, depth DESC)
SELECT a.attrelid, a.attname, a.attnum, format_type(a.atttypid, a.atttypmod), bt.typname,
       bt.typtype, b.tmod, a.attnotnull OR b.dnn, a.attgenerated <> '', a.attidentity <> '',
       a.atthasdef, COALESCE(et.typname, ''),
       COALESCE((SELECT array_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_enum e
                  WHERE e.enumtypid = CASE WHEN bt.typtype = 'e' THEN bt.oid ELSE et.oid END),
                '{}'),
       COALESCE((SELECT array_agg(pg_get_expr(k.conbin, 0)) FROM pg_constraint k
                  WHERE k.contypid = ANY(b.doms) AND k.contype = 'c'), '{}'),
       format_type(b.tid, b.tmod)
  FROM base b
  JOIN pg_attribute a ON a.attrelid = b.attrelid AND a.attnum = b.attnum
  JOIN pg_type bt ON bt.oid = b.tid
  LEFT JOIN pg_type et ON et.oid = bt.typelem AND bt.typcategory = 'A'
 ORDER BY a.attrelid, a.attnum
"""

_UNIQUES = """
SELECT i.indrelid, ci.relname, i.indisprimary, i.indnullsnotdistinct,
       pg_get_expr(i.indpred, i.indrelid),
       ARRAY(SELECT pg_get_indexdef(i.indexrelid, k, true)
               FROM generate_series(1, i.indnkeyatts) k),
       ARRAY(SELECT a.attname FROM unnest(i.indkey[0:i.indnkeyatts - 1]) WITH ORDINALITY u(n, o)
               JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = u.n
              ORDER BY u.o)
  FROM pg_index i JOIN pg_class ci ON ci.oid = i.indexrelid
 WHERE i.indrelid = ANY(%(oids)s) AND i.indisunique
 ORDER BY i.indrelid, i.indisprimary DESC, ci.relname
"""

_CONSTRAINTS = """
SELECT k.conrelid, k.conname, k.contype, pg_get_expr(k.conbin, k.conrelid),
       k.confrelid::regclass::text, k.condeferrable,
       ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(n, o)
               JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.o),
       ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(n, o)
               JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.o)
  FROM pg_constraint k
 WHERE k.conrelid = ANY(%(oids)s) AND k.contype IN ('c', 'f') AND k.conparentid = 0
 ORDER BY k.conrelid, k.conname
"""


def _pg16(conn: psycopg.Connection) -> bool:
    return conn.info.server_version >= 150000


def read_tables(conn: psycopg.Connection) -> list[CatTable]:
    """Every user table of the database (partitions are filled through their parent)."""
    tables = {r[0]: CatTable(r[0], r[1], r[2], r[3], r[4]) for r in conn.execute(_TABLES)}
    oids = list(tables)
    if not oids:
        return []
    for r in conn.execute(_COLUMNS, {"oids": oids}):
        tables[r[0]].columns.append(CatColumn(
            name=r[1], attnum=r[2], type_sql=r[3], base=r[4], base_kind=r[5], typmod=r[6],
            not_null=r[7], generated=r[8], identity=r[9], has_default=r[10], element=r[11],
            labels=tuple(r[12]), domain_checks=tuple(r[13]), base_sql=r[14]))
    uniques = _UNIQUES if _pg16(conn) else _UNIQUES.replace("i.indnullsnotdistinct", "false")
    for r in conn.execute(uniques, {"oids": oids}):
        tables[r[0]].uniques.append(CatUnique(
            name=r[1], primary=r[2], nulls_not_distinct=r[3], predicate=r[4],
            keys=tuple(r[5]), columns=tuple(r[6])))
    # a partition's own foreign keys bind the rows inserted through its root as well
    root = {oid: oid for oid in oids}
    for part, top in conn.execute(
            "SELECT t.relid::oid, p.oid FROM pg_class p, pg_partition_tree(p.oid) t "
            "WHERE p.oid = ANY(%(oids)s) AND p.relkind = 'p' AND t.relid::oid <> p.oid",
            {"oids": [t.oid for t in tables.values() if t.partitioned]}):
        root[part] = top
    for r in conn.execute(_CONSTRAINTS, {"oids": list(root)}):
        table = tables[root[r[0]]]
        if r[2] == "c":
            if r[0] == table.oid:
                table.checks.append((r[1], r[3]))
        elif not any(f.columns == tuple(r[6]) and f.parent == r[4] for f in table.fks):
            table.fks.append(CatForeignKey(r[1], tuple(r[6]), r[4], tuple(r[7]), r[5]))
    return list(tables.values())


def row_counts(conn: psycopg.Connection) -> dict[str, int]:
    """Exact row counts of every user table (partitions counted through their parent)."""
    out: dict[str, int] = {}
    for t in read_tables(conn):
        row = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.SQL(t.regclass))
                           ).fetchone()
        out[t.regclass] = int(row[0]) if row else 0
    return out


def relfilenodes(conn: psycopg.Connection) -> dict[str, tuple[int, int]]:
    """Each user table's (relfilenode, pages): a changed relfilenode is a rewrite."""
    rows = conn.execute("""
        SELECT c.oid::regclass::text, c.relfilenode, c.relpages FROM pg_class c
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND n.nspname !~ '^pg_(toast|temp)'""").fetchall()
    return {r[0]: (int(r[1]), int(r[2])) for r in rows}
