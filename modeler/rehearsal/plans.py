"""Query plans on the sample data: each declared query pattern run with
``EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON)``, and the foreign keys whose parent deletes would
scan the child table.

At sample size the planner may prefer a sequential scan even where an index would serve the
query (a few pages are cheaper to read whole). So a pattern not served by its plan is asked
again with ``enable_seqscan`` off: an index that serves it then counts, with the note that the
planner skipped it at this size. When none does, the index to add is suggested, built on the
scratch database and the query explained once more with it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql

from modeler.schema.model import QueryPattern, Schema, Table

INDEX_NODES = ("Index Scan", "Index Only Scan", "Bitmap Index Scan")


@dataclass
class Plan:
    """One query explained: what served it and what it cost."""

    query: str
    index: str | None = None  # the index that serves it, None: none does
    seq_scan: bool = False
    sort: bool = False
    cost: float = 0.0
    ms: float = 0.0  # execution time
    buffers: int = 0  # shared hit + read
    rows: int = 0
    forced: bool = False  # the index was used only with enable_seqscan off
    conditions: str = ""  # the index conditions of the serving index, as EXPLAIN prints
    tree: str = ""  # the plan's node types, indented


@dataclass
class PatternCheck:
    table: str
    pattern: str
    plan: Plan | None
    served: bool
    suggestion: str = ""  # CREATE INDEX ... when nothing serves it
    with_suggestion: Plan | None = None
    error: str = ""


@dataclass
class FkScan:
    """A foreign key without an index on its columns: deleting (or re-keying) a parent row
    scans the child."""

    name: str
    child: str
    columns: tuple[str, ...]
    parent: str
    child_rows: int
    plan: Plan | None
    suggestion: str


@dataclass
class PlanReport:
    patterns: list[PatternCheck] = field(default_factory=list)
    fk_scans: list[FkScan] = field(default_factory=list)


def _walk(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", ()):
        yield from _walk(child)


def _tree(node: dict[str, Any], depth: int = 0) -> list[str]:
    label = node.get("Node Type", "?")
    if node.get("Index Name"):
        label += f" using {node['Index Name']}"
    if node.get("Relation Name"):
        label += f" on {node['Relation Name']}"
    out = ["  " * depth + label]
    for child in node.get("Plans", ()):
        out += _tree(child, depth + 1)
    return out


def _plan(query: str, doc: Any, table: str, *, needs_cond: bool) -> Plan:
    top = doc[0] if isinstance(doc, list) else doc
    root = top["Plan"]
    plan = Plan(query=query, cost=float(root.get("Total Cost", 0.0)),
                ms=float(top.get("Execution Time", 0.0)),
                buffers=int(root.get("Shared Hit Blocks", 0)) + int(
                    root.get("Shared Read Blocks", 0)),
                rows=int(root.get("Actual Rows", root.get("Plan Rows", 0))),
                tree="\n".join(_tree(root)))
    for node in _walk(root):
        kind = node.get("Node Type", "")
        if kind == "Sort":
            plan.sort = True
        if node.get("Relation Name") == table and kind == "Seq Scan":
            plan.seq_scan = True
        if kind in INDEX_NODES and _on(node, table):
            cond = str(node.get("Index Cond") or "")
            if (cond or not needs_cond) and (plan.index is None or len(cond) > len(
                    plan.conditions)):
                plan.index, plan.conditions = str(node.get("Index Name")), cond
    return plan


def _on(node: dict[str, Any], table: str) -> bool:
    rel = node.get("Relation Name")
    return rel is None or rel == table  # a Bitmap Index Scan names no relation


def _explain(conn: psycopg.Connection, query: sql.Composable, table: str, *,
             needs_cond: bool, analyze: bool = True, force: bool = False) -> Plan:
    text = query.as_string(conn)
    options = "ANALYZE, BUFFERS, FORMAT JSON" if analyze else "FORMAT JSON"
    with conn.transaction():
        if force:
            conn.execute("SET LOCAL enable_seqscan = off")
        row = conn.execute(f"EXPLAIN ({options}) {text}").fetchone()
    doc = row[0] if row else [{}]
    if isinstance(doc, str):
        doc = json.loads(doc)
    plan = _plan(text, doc, table, needs_cond=needs_cond)
    plan.forced = force
    return plan


def _rel(t: Table) -> sql.Composable:
    return sql.SQL("{}.{}").format(sql.Identifier(t.namespace), sql.Identifier(t.name))


def _types(conn: psycopg.Connection, t: Table) -> dict[str, str]:
    rows = conn.execute(
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
        (_rel(t).as_string(conn),)).fetchall()
    return {r[0]: r[1] for r in rows}


def pattern_query(conn: psycopg.Connection, schema: Schema, t: Table,
                  p: QueryPattern) -> sql.Composable:
    """The SELECT a pattern describes, with constants taken from a typical sample row."""
    types = _types(conn, t)
    eq = [schema.column(u).name for u in p.equality]
    rng = schema.column(p.range).name if p.range else None
    conds: list[sql.Composable] = []
    if eq:
        cols = sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(c)) for c in eq)
        nonnull = sql.SQL(" AND ").join(sql.SQL("{} IS NOT NULL").format(sql.Identifier(c))
                                        for c in eq)
        row = conn.execute(sql.SQL(
            "SELECT {} FROM {} WHERE {} OFFSET (SELECT count(*) / 2 FROM {}) LIMIT 1").format(
                cols, _rel(t), nonnull, _rel(t))).fetchone() or conn.execute(
            sql.SQL("SELECT {} FROM {} WHERE {} LIMIT 1").format(
                cols, _rel(t), nonnull)).fetchone()
        for k, c in enumerate(eq):
            if row is None:
                conds.append(sql.SQL("{} IS NULL").format(sql.Identifier(c)))
            else:
                conds.append(sql.SQL("{} = {}::{}").format(
                    sql.Identifier(c), sql.Literal(row[k]), sql.SQL(types.get(c, "text"))))
    if rng:
        col = sql.Identifier(rng)
        bounds = None
        try:
            with conn.transaction():
                bounds = conn.execute(sql.SQL(
                    "SELECT (percentile_disc(0.45) WITHIN GROUP (ORDER BY {c}))::text, "
                    "(percentile_disc(0.55) WITHIN GROUP (ORDER BY {c}))::text FROM {t}")
                    .format(c=col, t=_rel(t))).fetchone()
        except psycopg.Error:
            bounds = None
        kind = sql.SQL(types.get(rng, "text"))
        if bounds and bounds[0] is not None:
            conds.append(sql.SQL("{} BETWEEN {}::{} AND {}::{}").format(
                col, sql.Literal(bounds[0]), kind, sql.Literal(bounds[1]), kind))
        else:
            conds.append(sql.SQL("{} IS NOT NULL").format(col))
    query: sql.Composable = sql.SQL("SELECT * FROM {}").format(_rel(t))
    if conds:
        query = sql.SQL("{} WHERE {}").format(query, sql.SQL(" AND ").join(conds))
    if p.order_by:
        keys = sql.SQL(", ").join(
            sql.SQL("{}{}").format(sql.Identifier(schema.column(k.column).name),
                                   sql.SQL(" DESC" if k.descending else ""))
            for k in p.order_by)
        query = sql.SQL("{} ORDER BY {} LIMIT 50").format(query, keys)
    return query


def suggestion(schema: Schema, t: Table, p: QueryPattern) -> str:
    """The index that would serve ``p``: equality columns, then the range column, else the
    sort keys."""
    cols = [schema.column(u).name for u in p.equality]
    if p.range:
        cols.append(schema.column(p.range).name)
    else:
        cols += [schema.column(k.column).name + (" DESC" if k.descending else "")
                 for k in p.order_by]
    qualified = f'"{t.namespace}"."{t.name}"'
    quoted = ", ".join(f'"{c[:-5]}" DESC' if c.endswith(" DESC") else f'"{c}"' for c in cols)
    return f"CREATE INDEX ON {qualified} ({quoted})"


def _check_pattern(conn: psycopg.Connection, schema: Schema, t: Table,
                   p: QueryPattern) -> PatternCheck:
    needs_cond = bool(p.equality or p.range)
    try:
        query = pattern_query(conn, schema, t, p)
        plan = _explain(conn, query, t.name, needs_cond=needs_cond)
        served = _serves(plan, p, schema)
        if not served:
            forced = _explain(conn, query, t.name, needs_cond=needs_cond, force=True)
            if _serves(forced, p, schema):
                forced.ms, forced.buffers = plan.ms, plan.buffers
                return PatternCheck(t.qualified_name, p.name, forced, True)
        check = PatternCheck(t.qualified_name, p.name, plan, served)
        if not served:
            check.suggestion = suggestion(schema, t, p)
            with conn.transaction() as tx:
                conn.execute(check.suggestion)
                conn.execute(sql.SQL("ANALYZE {}").format(_rel(t)))
                check.with_suggestion = _explain(conn, query, t.name, needs_cond=needs_cond,
                                                 force=True)
                raise psycopg.Rollback(tx)
        return check
    except psycopg.Error as exc:
        return PatternCheck(t.qualified_name, p.name, None, False,
                            error=exc.diag.message_primary or str(exc))


def _serves(plan: Plan, p: QueryPattern, schema: Schema) -> bool:
    """An index serves the pattern when its conditions name every equality column (and the
    range column when there is no equality), or, for a pattern of sort keys only, when it
    gives the order without a Sort."""
    if plan.index is None:
        return False
    if p.equality or p.range:
        wanted = [schema.column(u).name for u in p.equality] or [schema.column(p.range).name
                                                                  if p.range else ""]
        return all(re.search(rf'(?<![\w"]){re.escape(c)}(?![\w"])|"{re.escape(c)}"',
                             plan.conditions) for c in wanted)
    return not plan.sort


_UNINDEXED_FKS = """
SELECT k.conname, k.conrelid::regclass::text, k.confrelid::regclass::text,
       ARRAY(SELECT a.attname FROM unnest(k.conkey) WITH ORDINALITY u(n, o)
               JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = u.n ORDER BY u.o),
       ARRAY(SELECT a.attname FROM unnest(k.confkey) WITH ORDINALITY u(n, o)
               JOIN pg_attribute a ON a.attrelid = k.confrelid AND a.attnum = u.n ORDER BY u.o),
       c.reltuples::bigint
  FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
 WHERE k.contype = 'f' AND k.conparentid = 0 AND NOT c.relispartition
   AND NOT EXISTS (
       SELECT 1 FROM pg_index i WHERE i.indrelid = k.conrelid AND i.indpred IS NULL
          AND (i.indkey::int2[])[0:cardinality(k.conkey) - 1] @> k.conkey
          AND (i.indkey::int2[])[0:cardinality(k.conkey) - 1] <@ k.conkey)
 ORDER BY 2, 1
"""


def _fk_scans(conn: psycopg.Connection) -> list[FkScan]:
    out: list[FkScan] = []
    for name, child, parent, cols, pcols, tuples in conn.execute(_UNINDEXED_FKS).fetchall():
        quoted = ", ".join(sql.Identifier(c).as_string(conn) for c in cols)
        hint = f"CREATE INDEX ON {child} ({quoted})"
        plan: Plan | None = None
        try:
            sel = sql.SQL(", ").join(sql.SQL("{}::text").format(sql.Identifier(c)) for c in pcols)
            row = conn.execute(sql.SQL("SELECT {} FROM {} LIMIT 1").format(
                sel, sql.SQL(parent))).fetchone()
            if row is not None:
                match = sql.SQL(" AND ").join(
                    sql.SQL("{} = {}").format(sql.Identifier(c), sql.Literal(v))
                    for c, v in zip(cols, row, strict=True))
                query = sql.SQL("SELECT 1 FROM ONLY {} WHERE {}").format(sql.SQL(child), match)
                relname = child.rpartition(".")[2].strip('"')
                plan = _explain(conn, query, relname, needs_cond=True)
        except psycopg.Error:
            plan = None
        out.append(FkScan(name, child, tuple(cols), parent, max(int(tuples), 0), plan, hint))
    return out


def explain_all(url: str, schema: Schema) -> PlanReport:
    """Explain every query pattern of ``schema`` and every unindexed foreign key, on the
    (analyzed) sample data in ``url``."""
    report = PlanReport()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ANALYZE")
        for t in schema.tables:
            for p in t.query_patterns:
                report.patterns.append(_check_pattern(conn, schema, t, p))
        report.fk_scans = _fk_scans(conn)
    return report
