"""Read a database's catalog into comparable sets, and compare two catalogs.

    expected = read_catalog(url_loaded_from_corpus_file)
    actual = read_catalog(url_after_import_export_upgrade)
    report = compare(expected, actual)
    assert report.ok, report.text()

Each category is a set of tuples normalized so that two databases built from the same design
compare equal (everything schema-qualified, ``search_path`` emptied while reading, index
definitions without their ``CREATE INDEX name ON table`` prefix). The reader is independent of
the importers on purpose: it is the yardstick they are measured with. Objects owned by
extensions are left out. Partitions are tables like the others (with their columns, keys,
indexes and FKs, whether PostgreSQL copied them from the parent or not); a table's row says
how it is partitioned (``pg_get_partkeydef``) or what it is a partition of, with its bound.
A column's row ends with its collation when it is not its type's default one; collations
are a category of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

import psycopg

Row = tuple[Any, ...]
CATEGORIES = ("tables", "columns", "primary_keys", "foreign_keys", "unique_constraints",
              "checks", "indexes", "enums", "domains", "comments", "collations")
# what a design keeps beside its tables, as the catalog has it: compared where the source
# can carry it (an SQL script or a database; a DBML file has none of it)
OBJECTS = ("sequences", "views", "routines", "triggers", "policies", "rules",
           "table_options", "column_options", "statistics")

_REL_FILTER = """
  c.relkind IN ('r', 'p') AND n.nspname = ANY(%(schemas)s)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = c.oid AND d.deptype = 'e')
"""
_TABLE = "quote_ident(n.nspname) || '.' || quote_ident(c.relname)"
_COLS = """(SELECT array_agg(a.attname ORDER BY k.ord) FROM unnest({keys}) WITH ORDINALITY
            k(num, ord) JOIN pg_attribute a ON a.attrelid = {rel} AND a.attnum = k.num)"""

_QUERIES = {
    "tables": f"""
        SELECT {_TABLE},
               CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END,
               (SELECT quote_ident(pn.nspname) || '.' || quote_ident(pc.relname)
                  FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent
                  JOIN pg_namespace pn ON pn.oid = pc.relnamespace
                 WHERE c.relispartition AND i.inhrelid = c.oid),
               pg_get_expr(c.relpartbound, c.oid)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {_REL_FILTER}""",
    "columns": f"""
        SELECT {_TABLE}, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
               pg_get_expr(ad.adbin, ad.adrelid), a.attidentity, a.attgenerated,
               CASE WHEN a.attcollation <> t.typcollation
                    THEN a.attcollation::regcollation::text END
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_type t ON t.oid = a.atttypid
        LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
        WHERE {_REL_FILTER} AND a.attnum > 0 AND NOT a.attisdropped""",
    "primary_keys": f"""
        SELECT {_TABLE}, co.conname, {_COLS.format(keys="co.conkey", rel="co.conrelid")}
        FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE co.contype = 'p' AND {_REL_FILTER}""",
    "foreign_keys": f"""
        SELECT {_TABLE}, co.conname, {_COLS.format(keys="co.conkey", rel="co.conrelid")},
               (SELECT quote_ident(rn.nspname) || '.' || quote_ident(rc.relname)
                  FROM pg_class rc JOIN pg_namespace rn ON rn.oid = rc.relnamespace
                 WHERE rc.oid = co.confrelid),
               {_COLS.format(keys="co.confkey", rel="co.confrelid")},
               co.confupdtype, co.confdeltype, co.confmatchtype, co.condeferrable,
               co.condeferred
        FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE co.contype = 'f' AND {_REL_FILTER}""",
    "unique_constraints": f"""
        SELECT {_TABLE}, co.conname, {_COLS.format(keys="co.conkey", rel="co.conrelid")},
               pg_get_constraintdef(co.oid), co.condeferrable, co.condeferred
        FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE co.contype = 'u' AND {_REL_FILTER}""",
    "checks": f"""
        SELECT {_TABLE}, co.conname, pg_get_constraintdef(co.oid)
        FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace WHERE co.contype = 'c' AND {_REL_FILTER}""",
    "indexes": f"""
        SELECT {_TABLE}, ic.relname, pg_get_indexdef(i.indexrelid)
        FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
        JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE {_REL_FILTER}""",
    "enums": """
        SELECT quote_ident(n.nspname) || '.' || quote_ident(t.typname),
               array_agg(e.enumlabel ORDER BY e.enumsortorder)
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        JOIN pg_enum e ON e.enumtypid = t.oid
        WHERE n.nspname = ANY(%(schemas)s)
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                          AND d.objid = t.oid AND d.deptype = 'e')
        GROUP BY 1""",
    "domains": """
        SELECT quote_ident(n.nspname) || '.' || quote_ident(t.typname),
               format_type(t.typbasetype, t.typtypmod), t.typnotnull,
               pg_get_expr(t.typdefaultbin, 0),  -- typdefault: the text as made, not as now
               (SELECT array_agg(co.conname || ' ' || pg_get_constraintdef(co.oid)
                                 ORDER BY co.conname)
                  FROM pg_constraint co WHERE co.contypid = t.oid)
        FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE t.typtype = 'd' AND n.nspname = ANY(%(schemas)s)
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                          AND d.objid = t.oid AND d.deptype = 'e')""",
    "comments": f"""
        SELECT 'table', {_TABLE}, obj_description(c.oid, 'pg_class')
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE {_REL_FILTER} AND obj_description(c.oid, 'pg_class') IS NOT NULL
        UNION ALL
        SELECT 'column', {_TABLE} || '.' || quote_ident(a.attname),
               col_description(c.oid, a.attnum)
          FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE {_REL_FILTER} AND a.attnum > 0 AND col_description(c.oid, a.attnum) IS NOT NULL
        UNION ALL
        SELECT 'constraint', {_TABLE} || '.' || quote_ident(co.conname),
               obj_description(co.oid, 'pg_constraint')
          FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE {_REL_FILTER} AND obj_description(co.oid, 'pg_constraint') IS NOT NULL
        UNION ALL
        SELECT 'index', {_TABLE} || '.' || quote_ident(ic.relname),
               obj_description(ic.oid, 'pg_class')
          FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
          JOIN pg_class c ON c.oid = i.indrelid JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE {_REL_FILTER} AND obj_description(ic.oid, 'pg_class') IS NOT NULL
        UNION ALL
        SELECT 'type', quote_ident(n.nspname) || '.' || quote_ident(t.typname),
               obj_description(t.oid, 'pg_type')
          FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
         WHERE t.typtype IN ('e', 'd') AND n.nspname = ANY(%(schemas)s)
           AND obj_description(t.oid, 'pg_type') IS NOT NULL
        UNION ALL
        SELECT 'collation', quote_ident(n.nspname) || '.' || quote_ident(co.collname),
               obj_description(co.oid, 'pg_collation')
          FROM pg_collation co JOIN pg_namespace n ON n.oid = co.collnamespace
         WHERE n.nspname = ANY(%(schemas)s)
           AND obj_description(co.oid, 'pg_collation') IS NOT NULL""",
    # a sequence by name, an identity's by its column; OWNED BY as table.column
    "sequences": """
        SELECT CASE WHEN d.deptype = 'i' THEN 'identity of ' || quote_ident(tn.nspname) || '.'
                    || quote_ident(tc.relname) || '.' || quote_ident(a.attname)
                    ELSE quote_ident(n.nspname) || '.' || quote_ident(c.relname) END,
               format_type(s.seqtypid, NULL), s.seqstart, s.seqincrement, s.seqmin,
               s.seqmax, s.seqcache, s.seqcycle,
               CASE WHEN d.deptype = 'a' THEN quote_ident(tn.nspname) || '.'
                    || quote_ident(tc.relname) || '.' || quote_ident(a.attname) END
        FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
             AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
        LEFT JOIN pg_class tc ON tc.oid = d.refobjid
        LEFT JOIN pg_namespace tn ON tn.oid = tc.relnamespace
        LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
        WHERE n.nspname = ANY(%(schemas)s)
          AND NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = 'pg_class'::regclass
                          AND x.objid = c.oid AND x.deptype = 'e')""",
    "views": """
        SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname), c.relkind,
               pg_get_viewdef(c.oid), c.reloptions,
               (SELECT array_agg(pg_get_indexdef(i.indexrelid)
                                 ORDER BY i.indexrelid::regclass::text)
                  FROM pg_index i
                 WHERE i.indrelid = c.oid)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.relkind IN ('v', 'm') AND n.nspname = ANY(%(schemas)s)
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                          AND d.objid = c.oid AND d.deptype = 'e')""",
    "routines": """
        SELECT quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '('
               || pg_get_function_identity_arguments(p.oid) || ')', p.prokind,
               CASE WHEN p.prokind <> 'a' THEN pg_get_functiondef(p.oid) END
        FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = ANY(%(schemas)s)
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                          AND d.objid = p.oid AND d.deptype = 'e')""",
    "triggers": f"""
        SELECT {_TABLE}, t.tgname, pg_get_triggerdef(t.oid), t.tgenabled
        FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE NOT t.tgisinternal AND n.nspname = ANY(%(schemas)s)""",
    "policies": f"""
        SELECT {_TABLE}, p.polname, p.polcmd, p.polpermissive,
               ARRAY(SELECT CASE WHEN r = 0 THEN 'public' ELSE r::regrole::text END
                       FROM unnest(p.polroles) r ORDER BY 1),
               pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid)
        FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = ANY(%(schemas)s)""",
    "rules": f"""
        SELECT {_TABLE}, r.rulename, pg_get_ruledef(r.oid), r.ev_enabled
        FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE r.rulename <> '_RETURN' AND n.nspname = ANY(%(schemas)s)""",
    # UNLOGGED, row level security, storage options, replica identity (d, f, n, or i and
    # the index: 'i item_code_key'), the TOAST table's storage options, INHERITS parents
    "table_options": f"""
        SELECT {_TABLE}, c.relpersistence, c.relrowsecurity, c.relforcerowsecurity,
               c.reloptions, c.relreplident::text || COALESCE(' ' || (
                   SELECT quote_ident(ic.relname) FROM pg_index i
                   JOIN pg_class ic ON ic.oid = i.indexrelid
                   WHERE i.indrelid = c.oid AND i.indisreplident), ''),
               (SELECT tc.reloptions FROM pg_class tc WHERE tc.oid = c.reltoastrelid),
               (SELECT array_agg(quote_ident(pn.nspname) || '.' || quote_ident(pc.relname)
                                 ORDER BY i.inhseqno)
                  FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent
                  JOIN pg_namespace pn ON pn.oid = pc.relnamespace
                 WHERE i.inhrelid = c.oid AND NOT c.relispartition)
        FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {_REL_FILTER}""",
    # a column's planner settings: ALTER COLUMN c SET (n_distinct = -1) (attoptions: the two
    # options PostgreSQL takes; some builds add an entry of their own to every column) and
    # SET STATISTICS n (attstattarget: -1 for the default up to 16, NULL from 17), and its
    # SET STORAGE s (attstorage, when not its type's)
    "column_options": f"""
        SELECT * FROM (
          SELECT {_TABLE}, a.attname,
                 ARRAY(SELECT o FROM unnest(a.attoptions) o
                        WHERE o ~ '^n_distinct(_inherited)?=' ORDER BY o) AS options,
                 NULLIF(COALESCE(a.attstattarget, -1), -1) AS target,
                 NULLIF(a.attstorage, ty.typstorage) AS storage
          FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
          JOIN pg_type ty ON ty.oid = a.atttypid
          JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE {_REL_FILTER} AND a.attnum > 0 AND NOT a.attisdropped) o
        WHERE o.options <> '{{}}' OR o.target IS NOT NULL OR o.storage IS NOT NULL""",
    # extended statistics (CREATE STATISTICS) and their target (ALTER STATISTICS ... SET
    # STATISTICS n: stxstattarget, -1 or NULL for the default)
    "statistics": """
        SELECT quote_ident(n.nspname) || '.' || quote_ident(s.stxname),
               pg_get_statisticsobjdef(s.oid), NULLIF(COALESCE(s.stxstattarget, -1), -1)
        FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace
        WHERE n.nspname = ANY(%(schemas)s)""",
    # locales by server version: colliculocale (15, 16), colllocale (17+)
    "collations": """
        SELECT quote_ident(n.nspname) || '.' || quote_ident(co.collname), co.collprovider,
               co.collisdeterministic, co.collcollate, co.collctype,
               COALESCE(to_jsonb(co) ->> 'colllocale', to_jsonb(co) ->> 'colliculocale'),
               to_jsonb(co) ->> 'collicurules'
        FROM pg_collation co JOIN pg_namespace n ON n.oid = co.collnamespace
        WHERE n.nspname = ANY(%(schemas)s)
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_collation'::regclass
                          AND d.objid = co.oid AND d.deptype = 'e')""",
}


def _freeze(value: Any) -> Any:
    return tuple(_freeze(v) for v in value) if isinstance(value, list | tuple) else value


def _index_def(row: Row) -> Row:
    """(table, name, 'UNIQUE '?, 'USING btree (...) ...') from pg_get_indexdef's text."""
    table, name, definition = row
    head, _, rest = definition.partition(" USING ")
    return table, name, "UNIQUE" if head.startswith("CREATE UNIQUE") else "", rest


@dataclass(frozen=True)
class Catalog:
    """Normalized, comparable sets of catalog facts, one per category."""

    tables: frozenset[Row] = frozenset()
    columns: frozenset[Row] = frozenset()
    primary_keys: frozenset[Row] = frozenset()
    foreign_keys: frozenset[Row] = frozenset()
    unique_constraints: frozenset[Row] = frozenset()
    checks: frozenset[Row] = frozenset()
    indexes: frozenset[Row] = frozenset()
    enums: frozenset[Row] = frozenset()
    domains: frozenset[Row] = frozenset()
    comments: frozenset[Row] = frozenset()
    collations: frozenset[Row] = frozenset()
    sequences: frozenset[Row] = frozenset()
    views: frozenset[Row] = frozenset()
    routines: frozenset[Row] = frozenset()
    triggers: frozenset[Row] = frozenset()
    policies: frozenset[Row] = frozenset()
    rules: frozenset[Row] = frozenset()
    table_options: frozenset[Row] = frozenset()
    column_options: frozenset[Row] = frozenset()
    statistics: frozenset[Row] = frozenset()

    def category(self, name: str) -> frozenset[Row]:
        value: frozenset[Row] = getattr(self, name)
        return value


def read_catalog(url: str, schemas: Sequence[str] | None = None) -> Catalog:
    """Read ``url``'s catalog (every non-system schema, or ``schemas``) in a read-only
    transaction."""
    with psycopg.connect(url) as conn:
        conn.read_only = True
        with conn.transaction():
            conn.execute("SELECT set_config('search_path', '', true)")
            if schemas is None:
                schemas = [r[0] for r in conn.execute(
                    "SELECT nspname FROM pg_namespace WHERE nspname NOT IN "
                    "('pg_catalog', 'information_schema') AND nspname !~ '^pg_(toast|temp)'")]
            params = {"schemas": list(schemas)}
            sets: dict[str, frozenset[Row]] = {}
            for category, sql in _QUERIES.items():
                rows = [_freeze(r) for r in conn.execute(sql, params).fetchall()]
                if category == "indexes":
                    rows = [_index_def(r) for r in rows]
                sets[category] = frozenset(rows)
    return Catalog(**sets)


@dataclass
class CategoryReport:
    """How one category compares: matched facts over all facts of either side."""

    name: str
    matched: int
    total: int
    missing: list[Row] = field(default_factory=list)  # expected, not found
    unexpected: list[Row] = field(default_factory=list)  # found, not expected

    @property
    def percent(self) -> float:
        return 100.0 if self.total == 0 else 100.0 * self.matched / self.total


@dataclass
class Report:
    """Per-category results of :func:`compare`."""

    categories: list[CategoryReport]

    @property
    def ok(self) -> bool:
        return all(c.matched == c.total for c in self.categories)

    def __getitem__(self, name: str) -> CategoryReport:
        return next(c for c in self.categories if c.name == name)

    def summary(self) -> dict[str, float]:
        return {c.name: round(c.percent, 1) for c in self.categories}

    def text(self, limit: int = 20) -> str:
        """A readable account: one line per category, then the first differences."""
        lines = [f"{c.name:20} {c.matched:6}/{c.total:<6} {c.percent:6.1f}%"
                 for c in self.categories]
        for c in self.categories:
            for row in c.missing[:limit]:
                lines.append(f"  {c.name}: missing    {row}")
            for row in c.unexpected[:limit]:
                lines.append(f"  {c.name}: unexpected {row}")
        return "\n".join(lines)


def compare(expected: Catalog, actual: Catalog, *,
            categories: Sequence[str] = CATEGORIES) -> Report:
    """Compare two catalogs category by category; percent = matched / union size."""
    out = []
    for name in categories:
        exp, act = expected.category(name), actual.category(name)
        out.append(CategoryReport(name=name, matched=len(exp & act), total=len(exp | act),
                                  missing=sorted(exp - act, key=repr),
                                  unexpected=sorted(act - exp, key=repr)))
    return Report(out)


assert {f.name for f in fields(Catalog)} == {*CATEGORIES, *OBJECTS}
