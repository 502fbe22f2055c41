"""Sample data for every table of the scratch database: as many rows as each table's expected
volume says (times a scale factor), satisfying types, NOT NULL, UNIQUE, CHECK, enums,
domains and foreign keys.

Per table, parents first (a cycle is broken at a nullable foreign key, filled by an UPDATE
once both sides hold rows):

1. rows are generated column by column (:mod:`modeler.rehearsal.values`): unique columns
   numbered by the row, foreign keys drawn from the keys the parent really holds, skewed
   where the design marks the column ``frequently_queried``;
2. they are COPYed into a temporary stage table of the same columns without constraints;
3. PostgreSQL itself says which staged rows break a CHECK (each CHECK evaluated on the
   stage), repeat a unique key (every unique index, partial and expression ones too) or
   miss their parent; those rows are left out and *reported* (a CHECK the generator cannot
   satisfy is a finding, never skipped silently);
4. the rest is inserted in one statement; if PostgreSQL still refuses it (a partition
   bound, a trigger), the rows are bisected to find and report the refused ones.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from modeler.rehearsal.catalog import CatForeignKey, CatTable, read_tables
from modeler.rehearsal.values import NULL, generator
from modeler.wording import counted

DEFAULT_ROWS = 1_000
MAX_BISECT_FAILURES = 50


@dataclass
class TableLoad:
    """What loading one table did."""

    table: str
    wanted: int
    loaded: int = 0
    seconds: float = 0.0
    # reason -> rows left out (a CHECK it could not satisfy, a refused row...)
    refused: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    check_failures: dict[str, int] = field(default_factory=dict)  # CHECK name -> rows

    def refuse(self, reason: str, rows: int) -> None:
        if rows:
            self.refused[reason] = self.refused.get(reason, 0) + rows


@dataclass
class DataLoad:
    tables: list[TableLoad] = field(default_factory=list)
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(t.loaded for t in self.tables)


@dataclass(frozen=True)
class Hints:
    """What the design says about a table beyond the catalog: expected rows and the
    frequently queried columns, keyed ``namespace.name`` (unquoted)."""

    expected_rows: Mapping[str, int | None] = field(default_factory=dict)
    skewed: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def rows(self, t: CatTable) -> int | None:
        return self.expected_rows.get(f"{t.schema}.{t.name}")

    def skewed_columns(self, t: CatTable) -> frozenset[str]:
        return self.skewed.get(f"{t.schema}.{t.name}", frozenset())


def _q(name: str) -> sql.Identifier:
    return sql.Identifier(name)


def _order(tables: list[CatTable]) -> tuple[list[CatTable], set[tuple[str, str]]]:
    """Parents before children; the foreign keys (table, fk name) deferred to break cycles
    (nullable ones preferred)."""
    by_name = {t.regclass: t for t in tables}
    deferred: set[tuple[str, str]] = set()
    done: set[str] = set()
    out: list[CatTable] = []
    pending = list(tables)

    def waiting(t: CatTable) -> list[CatForeignKey]:
        return [fk for fk in t.fks if fk.parent != t.regclass and fk.parent in by_name
                and fk.parent not in done and (t.regclass, fk.name) not in deferred]

    while pending:
        ready = [t for t in pending if not waiting(t)]
        if not ready:  # a cycle: defer one FK, nullable first
            def nullable(fk: CatForeignKey, t: CatTable) -> bool:
                return all(not (c := t.column(n)) or not c.not_null for n in fk.columns)
            candidates = [(not nullable(fk, t), t.regclass, fk.name)
                          for t in pending for fk in waiting(t)]
            _, table, fk_name = min(candidates)
            deferred.add((table, fk_name))
            continue
        for t in ready:
            out.append(t)
            done.add(t.regclass)
        pending = [t for t in pending if t.regclass not in done]
    return out, deferred


class _Keys:
    """Key values the loaded tables hold, for their children (text, per column set)."""

    def __init__(self, conn: psycopg.Connection, rng: random.Random) -> None:
        self.conn, self.rng = conn, rng
        self.cache: dict[tuple[str, tuple[str, ...]], list[tuple[str, ...]]] = {}

    def of(self, table: str, columns: tuple[str, ...]) -> list[tuple[str, ...]]:
        key = (table, columns)
        if key not in self.cache:
            cols = sql.SQL(", ").join(sql.SQL("{}::text").format(_q(c)) for c in columns)
            nonnull = sql.SQL(" AND ").join(sql.SQL("{} IS NOT NULL").format(_q(c))
                                            for c in columns)
            query = sql.SQL("SELECT DISTINCT {} FROM {} WHERE {} LIMIT 200000").format(
                cols, sql.SQL(table), nonnull)
            rows = [tuple(r) for r in self.conn.execute(query)]
            self.rng.shuffle(rows)
            self.cache[key] = rows
        return self.cache[key]


def _escape_key(text: str) -> str:
    return (text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
            .replace("\r", "\\r"))


def _rows_wanted(t: CatTable, hints: Hints, scale: float) -> int:
    expected = hints.rows(t) or DEFAULT_ROWS
    return max(1, round(expected * scale))


def _unique_columns(t: CatTable) -> set[str]:
    """Columns that alone (or with FK columns only) make a unique key: numbered by row."""
    fk_cols = {c for fk in t.fks for c in fk.columns}
    out: set[str] = set()
    for u in t.uniques:
        plain = [c for c in u.columns if c not in fk_cols]
        if len(u.keys) == len(u.columns) and plain:
            out.update(plain)
        elif len(u.keys) != len(u.columns):  # expression keys: number their columns too
            out.update(c.name for c in t.columns if any(
                re.search(rf'\b{re.escape(c.name)}\b', k) for k in u.keys))
    return out


def _fk_unique(t: CatTable, fk: CatForeignKey) -> bool:
    """The FK's columns are a unique key by themselves (one-to-one): no parent twice."""
    return any(set(u.columns) == set(fk.columns) and len(u.keys) == len(u.columns)
               and u.predicate is None for u in t.uniques)


POOL = 1024  # distinct values of a column that is not unique (its rows cycle through them)


def _zipf(n: int) -> list[float]:
    """Cumulative weights of a Zipf-like law over ``n`` values (the first is the commonest)."""
    total, out = 0.0, []
    for r in range(n):
        total += 1.0 / (r + 1) ** 1.1
        out.append(total)
    return out


def _column_values(gen: Callable[[int], str], n: int, *, unique: bool, skewed: bool,
                   rng: random.Random) -> list[str]:
    """``n`` values: one per row when unique; else drawn from a pool of distinct values
    (row ``i`` takes the pool's ``i mod POOL``-th: a row's temporal columns keep their order),
    skewed ones from 50 values under a Zipf-like law."""
    if unique:
        return [gen(i) for i in range(n)]
    if skewed:
        pool = [gen(i) for i in range(50)]
        return rng.choices(pool, cum_weights=_zipf(len(pool)), k=n)
    pool = [gen(i) for i in range(min(n, POOL))]
    size = len(pool)
    return [pool[i % size] for i in range(n)]


def _generate(t: CatTable, n: int, keys: _Keys, hints: Hints, deferred: set[tuple[str, str]],
              rng: random.Random, load: TableLoad) -> tuple[list[str], list[list[str]], int]:
    """(column names, one list of COPY texts per column, rows) for ``t``."""
    skewed = hints.skewed_columns(t)
    unique = _unique_columns(t)
    columns: dict[str, list[str]] = {}
    for fk in t.fks:
        if fk.parent == t.regclass or any(c in columns for c in fk.columns):
            continue
        if (t.regclass, fk.name) in deferred:
            for c in fk.columns:
                columns[c] = [NULL] * n
            continue
        parent_keys = keys.of(fk.parent, fk.parent_columns)
        if not parent_keys:
            if all(not (col := t.column(c)) or not col.not_null for c in fk.columns):
                for c in fk.columns:
                    columns[c] = [NULL] * n
                continue
            load.notes.append(f"no rows in {fk.parent} for {fk.name}")
            return [], [], 0
        if _fk_unique(t, fk):
            n = min(n, len(parent_keys))
            chosen = parent_keys[:n]
        else:
            skew = any(c in skewed for c in fk.columns)
            chosen = rng.choices(parent_keys, cum_weights=_zipf(len(parent_keys)) if skew
                                 else None, k=n)
        for k, c in enumerate(fk.columns):
            escaped = {row[k]: _escape_key(row[k]) for row in parent_keys}
            columns[c] = [escaped[row[k]] for row in chosen]
    for name in list(columns):
        columns[name] = columns[name][:n]
    checks = [expr for _, expr in t.checks]
    for col in t.columns:
        if col.name in columns or col.generated:
            continue
        gen = generator(col, checks, unique=col.name in unique, skewed=col.name in skewed,
                        rng=rng)
        if gen is None:
            if col.has_default:
                continue
            if not col.not_null:
                columns[col.name] = [NULL] * n
                continue
            load.notes.append(f"no generator for {col.name} ({col.type_sql})")
            return [], [], 0
        values = _column_values(gen, n, unique=col.name in unique,
                                skewed=col.name in skewed, rng=rng)
        if not col.not_null and col.name not in unique:
            for i in range(0, n, 10):
                values[(i + 3) % n] = NULL
        columns[col.name] = values
    for fk in t.fks:  # self references: a row points at an earlier one
        if fk.parent != t.regclass or any(c not in columns for c in fk.parent_columns):
            continue
        nullable = all(not (col := t.column(c)) or not col.not_null for c in fk.columns)
        for k, c in enumerate(fk.columns):
            source = columns[fk.parent_columns[k]]
            columns[c] = [NULL if i == 0 and nullable else "" for i in range(n)]
        picks = [0] + [rng.randrange(i) for i in range(1, n)]
        for k, c in enumerate(fk.columns):
            source = columns[fk.parent_columns[k]]
            target = columns[c]
            for i in range(n):
                if not (i == 0 and nullable):
                    target[i] = source[picks[i]]
    for name, values in _partition_values(keys.conn, t).items():
        if name in columns:  # rows must fall into some partition
            columns[name] = [values[rng.randrange(len(values))] for _ in range(n)]
    names = list(columns)
    return names, [columns[c] for c in names], n


_BOUND = re.compile(r"FOR VALUES (?:FROM \((.*?)\) TO|IN \((.*?)\))")


def _partition_values(conn: psycopg.Connection, t: CatTable) -> dict[str, list[str]]:
    """For a table partitioned by RANGE or LIST on one plain column: values that land in a
    leaf partition (each range's lower bound, each list's values)."""
    if not t.partitioned:
        return {}
    row = conn.execute("""
        SELECT a.attname FROM pg_partitioned_table p
          JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
         WHERE p.partrelid = %s AND p.partnatts = 1 AND p.partstrat IN ('r', 'l')""",
                       (t.oid,)).fetchone()
    if row is None:
        return {}
    bounds = conn.execute("""
        SELECT pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i
          JOIN pg_class c ON c.oid = i.inhrelid
         WHERE i.inhparent = %s AND c.relkind = 'r'""", (t.oid,)).fetchall()
    values: list[str] = []
    for (bound,) in bounds:
        m = _BOUND.match(bound or "")
        if not m:
            continue
        text = m.group(1) or m.group(2) or ""
        for literal in re.findall(r"'((?:[^']|'')*)'|(-?\d+(?:\.\d+)?)", text):
            value = literal[0].replace("''", "'") if literal[0] else literal[1]
            if value:
                values.append(value.replace("\\", "\\\\").replace("\t", "\\t"))
            if m.group(1):
                break  # a range: its lower bound only
    return {str(row[0]): values} if values else {}


def _stage(conn: psycopg.Connection, t: CatTable, names: list[str], data: list[list[str]],
           n: int) -> None:
    conn.execute("DROP TABLE IF EXISTS pg_temp.rehearsal_stage")
    conn.execute(sql.SQL("CREATE TEMP TABLE rehearsal_stage (LIKE {})").format(
        sql.SQL(t.regclass)))
    for col in t.columns:  # columns we leave to their default may be NOT NULL
        if col.name not in names and col.not_null:
            conn.execute(sql.SQL("ALTER TABLE rehearsal_stage ALTER {} DROP NOT NULL")
                         .format(_q(col.name)))
        if col.base_sql and col.base_sql != col.type_sql:  # domains: checked on the stage
            conn.execute(sql.SQL("ALTER TABLE rehearsal_stage ALTER {} TYPE {}").format(
                _q(col.name), sql.SQL(col.base_sql)))
    conn.execute("ALTER TABLE rehearsal_stage ADD COLUMN rehearsal_rid integer")
    target = sql.SQL(", ").join([*map(_q, names), _q("rehearsal_rid")])
    with conn.cursor().copy(sql.SQL("COPY rehearsal_stage ({}) FROM STDIN").format(target)) as cp:
        chunk: list[str] = []
        for i, row in enumerate(zip(*data, strict=True)):
            chunk.append("\t".join(row) + f"\t{i}\n")
            if len(chunk) >= 5000:
                cp.write("".join(chunk))
                chunk = []
        if chunk:
            cp.write("".join(chunk))
    del n


def _count_delete(conn: psycopg.Connection, where: sql.Composable) -> int:
    cur = conn.execute(sql.SQL("DELETE FROM rehearsal_stage s WHERE {}").format(where))
    return cur.rowcount or 0


def _filter(conn: psycopg.Connection, t: CatTable, load: TableLoad) -> None:
    """Leave out staged rows that break a CHECK, repeat a unique key or miss a parent."""
    for name, expr in t.checks:
        try:
            with conn.transaction():
                gone = _count_delete(conn, sql.SQL("NOT ({})").format(sql.SQL(expr)))
        except psycopg.Error as exc:
            load.notes.append(f"CHECK {name} could not be evaluated on the sample: "
                              f"{exc.diag.message_primary}")
            continue
        if gone:
            load.check_failures[name] = gone
            load.refuse(f"CHECK {name}", gone)
    for col in t.columns:
        for expr in col.domain_checks:
            ident = sql.Identifier(col.name).as_string(conn)
            check = re.sub(r"\bVALUE\b", ident.replace("\\", "\\\\"), expr)
            try:
                with conn.transaction():
                    gone = _count_delete(conn, sql.SQL("NOT ({})").format(sql.SQL(check)))
            except psycopg.Error:
                continue
            label = f"domain CHECK on {col.name} ({expr})"
            if gone:
                load.check_failures[label] = gone
                load.refuse(label, gone)
    for u in t.uniques:
        keys = sql.SQL(", ").join(sql.SQL("({})").format(sql.SQL(k)) for k in u.keys)
        conds: list[sql.Composable] = [] if u.nulls_not_distinct else [
            sql.SQL("({}) IS NOT NULL").format(sql.SQL(k)) for k in u.keys]
        if u.predicate:
            conds.append(sql.SQL("({})").format(sql.SQL(u.predicate)))
        where = sql.SQL(" WHERE ") + sql.SQL(" AND ").join(conds) if conds else sql.SQL("")
        query = sql.SQL(
            "rehearsal_rid IN (SELECT rid FROM (SELECT rehearsal_rid AS rid, row_number() "
            "OVER (PARTITION BY {} ORDER BY rehearsal_rid) AS rn FROM rehearsal_stage{}) d "
            "WHERE rn > 1)").format(keys, where)
        try:
            with conn.transaction():
                gone = _count_delete(conn, query)
        except psycopg.Error as exc:
            load.notes.append(f"unique {u.name}: {exc.diag.message_primary}")
            continue
        if gone:
            load.notes.append(f"{counted(gone, 'generated duplicate')} of {u.name} left out")
    for fk in t.fks:
        if fk.parent == t.regclass:
            _filter_self(conn, t, fk, load)
            continue
        match = sql.SQL(" AND ").join(sql.SQL("p.{} = s.{}").format(_q(p), _q(c))
                                      for c, p in zip(fk.columns, fk.parent_columns,
                                                      strict=True))
        nonnull = sql.SQL(" AND ").join(sql.SQL("s.{} IS NOT NULL").format(_q(c))
                                        for c in fk.columns)
        gone = _count_delete(conn, sql.SQL("{} AND NOT EXISTS (SELECT 1 FROM {} p WHERE {})")
                             .format(nonnull, sql.SQL(fk.parent), match))
        load.refuse(f"FK {fk.name} (no parent)", gone)


def _filter_self(conn: psycopg.Connection, t: CatTable, fk: CatForeignKey,
                 load: TableLoad) -> None:
    """A self reference must point at a row that is staged (or loaded) too: rows whose
    referenced row was left out are cut loose (NULL) or, when the FK is NOT NULL, left out,
    until nothing changes."""
    nullable = all(not (c := t.column(n)) or not c.not_null for n in fk.columns)
    nonnull = sql.SQL(" AND ").join(sql.SQL("s.{} IS NOT NULL").format(_q(c))
                                    for c in fk.columns)
    match = sql.SQL(" AND ").join(sql.SQL("p.{} = s.{}").format(_q(p), _q(c))
                                  for c, p in zip(fk.columns, fk.parent_columns, strict=True))
    dangling = sql.SQL("{} AND NOT EXISTS (SELECT 1 FROM rehearsal_stage p WHERE {}) "
                       "AND NOT EXISTS (SELECT 1 FROM {} p WHERE {})").format(
                           nonnull, match, sql.SQL(t.regclass), match)
    sets = sql.SQL(", ").join(sql.SQL("{} = NULL").format(_q(c)) for c in fk.columns)
    for _ in range(50):
        if nullable:
            cur = conn.execute(sql.SQL("UPDATE rehearsal_stage s SET {} WHERE {}")
                               .format(sets, dangling))
            changed = cur.rowcount or 0
        else:
            changed = _count_delete(conn, dangling)
            load.refuse(f"FK {fk.name} (its row was left out)", changed)
        if not changed:
            return


def _insert(conn: psycopg.Connection, t: CatTable, names: list[str], load: TableLoad) -> None:
    cols = sql.SQL(", ").join(map(_q, names))
    ids = [r[0] for r in conn.execute(
        "SELECT rehearsal_rid FROM rehearsal_stage ORDER BY rehearsal_rid")]
    failures = [0]

    def attempt(lo: int, hi: int) -> None:
        """Insert staged rows ids[lo:hi]; on refusal, halve until the bad rows are found."""
        if lo >= hi:
            return
        query = sql.SQL("INSERT INTO {} ({}) OVERRIDING SYSTEM VALUE SELECT {} FROM "
                        "rehearsal_stage WHERE rehearsal_rid BETWEEN %s AND %s "
                        "ORDER BY rehearsal_rid").format(sql.SQL(t.regclass), cols, cols)
        try:
            with conn.transaction():
                cur = conn.execute(query, (ids[lo], ids[hi - 1]))
                load.loaded += cur.rowcount or 0
            return
        except psycopg.Error as exc:
            if hi - lo == 1 or failures[0] >= MAX_BISECT_FAILURES:
                failures[0] += 1
                reason = exc.diag.message_primary or str(exc)
                reason = re.sub(r"\s+", " ", reason)[:160]
                load.refuse(reason if hi - lo == 1 else f"{reason} (not bisected further)",
                            hi - lo)
                return
        mid = (lo + hi) // 2
        attempt(lo, mid)
        attempt(mid, hi)

    attempt(0, len(ids))


def _skip_fk_triggers(conn: psycopg.Connection) -> None:
    """The staged rows' foreign keys are checked in bulk already (:func:`_filter`): where
    the role may (a superuser, as on the local cluster), the insert skips the per-row
    checks of the FK triggers (``session_replication_role = replica``, this transaction
    only; user triggers are skipped as well, which sample data does not need)."""
    try:
        with conn.transaction():
            conn.execute("SET LOCAL session_replication_role = replica")
    except psycopg.Error:
        return


def _fill_deferred(conn: psycopg.Connection, tables: dict[str, CatTable],
                   deferred: set[tuple[str, str]], loads: dict[str, TableLoad]) -> None:
    """Fill the foreign keys left NULL to break a cycle, now that both sides hold rows."""
    for table, fk_name in sorted(deferred):
        t = tables[table]
        fk = next(f for f in t.fks if f.name == fk_name)
        sets = sql.SQL(", ").join(sql.SQL("{} = p.{}").format(_q(c), _q(pc))
                                  for c, pc in zip(fk.columns, fk.parent_columns, strict=True))
        pcols = sql.SQL(", ").join(map(_q, fk.parent_columns))
        query = sql.SQL(
            "WITH p AS (SELECT {pcols}, row_number() OVER (ORDER BY random()) AS rn, "
            "count(*) OVER () AS n FROM {parent}), "
            "c AS (SELECT ctid AS t, row_number() OVER () AS rn FROM {child}) "
            "UPDATE {child} SET {sets} FROM c, p "
            "WHERE {child}.ctid = c.t AND p.rn = ((c.rn - 1) % p.n) + 1").format(
                pcols=pcols, parent=sql.SQL(fk.parent), child=sql.SQL(table), sets=sets)
        try:
            with conn.transaction():
                conn.execute(query)
        except psycopg.Error as exc:
            loads[table].notes.append(f"{fk.name} left NULL (it closes a cycle): "
                                      f"{exc.diag.message_primary}")


def _sync_sequences(conn: psycopg.Connection) -> None:
    """Identity and serial sequences continue after the generated keys."""
    rows = conn.execute("""
        SELECT s.oid::regclass::text, c.oid::regclass::text, a.attname
          FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
          JOIN pg_class c ON c.oid = d.refobjid
          JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = d.refobjsubid
         WHERE d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')""").fetchall()
    for seq, table, column in rows:
        try:
            with conn.transaction():
                conn.execute(sql.SQL("SELECT setval(%s, max({})) FROM {} HAVING max({}) > 0")
                             .format(_q(column), sql.SQL(table), _q(column)), (seq,))
        except psycopg.Error:
            continue


def load_sample_data(url: str, hints: Hints, *, scale: float = 1.0, seed: int = 19,
                     only_empty: bool = False,
                     progress: Callable[[str], None] | None = None) -> DataLoad:
    """Fill every user table of ``url`` (with ``only_empty``: only the empty ones)."""
    start = time.perf_counter()
    rng = random.Random(seed)
    out = DataLoad()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("SET client_min_messages = warning")
        tables = read_tables(conn)
        if only_empty:
            tables = [t for t in tables if conn.execute(
                sql.SQL("SELECT NOT EXISTS (SELECT 1 FROM {})").format(sql.SQL(t.regclass))
            ).fetchone() == (True,)]
        ordered, deferred = _order(tables)
        keys = _Keys(conn, rng)
        loads: dict[str, TableLoad] = {}
        for t in ordered:
            t0 = time.perf_counter()
            load = TableLoad(t.regclass, _rows_wanted(t, hints, scale))
            loads[t.regclass] = load
            out.tables.append(load)
            if progress:
                progress(f"sample data: {t.regclass} ({load.wanted:,} rows)")
            names, data, n = _generate(t, load.wanted, keys, hints, deferred, rng, load)
            if n:
                try:
                    with conn.transaction():
                        _skip_fk_triggers(conn)
                        _stage(conn, t, names, data, n)
                        _filter(conn, t, load)
                        _insert(conn, t, names, load)
                        conn.execute("DROP TABLE pg_temp.rehearsal_stage")
                except psycopg.Error as exc:
                    load.loaded = 0
                    load.refuse("could not stage the rows: "
                                + (exc.diag.message_primary or str(exc))[:160], n)
            load.seconds = time.perf_counter() - t0
        _fill_deferred(conn, {t.regclass: t for t in ordered}, deferred, loads)
        _sync_sequences(conn)
    out.seconds = time.perf_counter() - start
    return out
