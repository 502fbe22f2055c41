"""Downgrade of a kept call that creates objects at run time (see
:mod:`modeler.schema.runtime_objects`).

Evergreen's ``SELECT auditor.create_auditor('actor', 'usr')`` makes a history table, a
sequence, a trigger function (and its trigger) and a view whose names exist only once it has
run: the design does not hold them, so no drop of the design's names removes them, and they
keep the design's tables and functions from being dropped. The downgrade that drops such a
call therefore first drops, with CASCADE, what the namespaces the call creates in hold beyond
the design at that point of the downgrade (found in the catalog when it runs): relations,
types (enums, domains, ranges) and routines that are neither the design's (tables, sequences,
enums, domains, kept objects, kept routines), nor an extension's, nor a sequence a column
owns, nor Alembic's version table. Every design
object created after the call was dropped before it (the downgrade runs in reverse), so what
is left there beyond the design is what the kept calls made, or objects made by hand in
those namespaces, which a downgrade past the call removes as well (the import warned).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from modeler.codegen.migration_code import Call, Lit, Stmt, code, comment, execute, sql_str
from modeler.codegen.sqlwriter import UPDATED_AT_FUNCTION, trigger_name, updated_at_function
from modeler.schema.model import RawObject, Schema
from modeler.schema.runtime_objects import CALL_KINDS, ON_TABLES, runtime_creation

_ROUTINES = ("function", "procedure", "aggregate")


def _pairs(items: list[tuple[str, str]]) -> str:
    """Two parallel text arrays for ``unnest(a, b)``."""
    if not items:
        return "ARRAY[]::text[], ARRAY[]::text[]"
    return ("ARRAY[" + ", ".join(sql_str(ns) for ns, _ in items) + "]::text[], ARRAY["
            + ", ".join(sql_str(name) for _, name in items) + "]::text[]")


@dataclass(frozen=True)
class _Sweep:
    """One select-then-drop loop of the downgrade's DO block: the objects of ``catalog``
    (alias ``alias``, their name in column ``name``, their class ``klass`` in ``pg_depend``)
    in the namespaces ``spaces`` whose (namespace, name) is not in ``keep`` and that no
    extension owns, each read as ``item`` into ``names``, then each dropped by ``drop``
    (statements reading ``names[i]``)."""

    item: str
    catalog: str  # joined to pg_namespace n
    alias: str
    name: str
    klass: str
    spaces: str  # placeholders, filled by drop_runtime_objects
    keep: str
    drop: str
    where: str = ""  # a further condition, ANDed first
    comment: str = ""  # SQL comment lines before the loop


_SWEEP = """{comment}{select}
   WHERE {where}n.nspname = ANY ({spaces})
     AND (n.nspname::text, {alias}.{name}::text) NOT IN (SELECT * FROM unnest({keep}))
     AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = '{klass}'::regclass
                        AND d.objid = {alias}.oid AND d.deptype = 'e');
  FOR i IN 1 .. coalesce(array_length(names, 1), 0) LOOP
{drop}
  END LOOP;
"""

_ON_TABLES = (
    _Sweep(comment="  -- rules and triggers a kept call put on the design's tables (not the "
                   "design's own)\n",
           item="format('DROP RULE IF EXISTS %I ON %s', r.rulename, c.oid::regclass)",
           catalog="pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class\n"
                   "    JOIN pg_namespace n ON n.oid = c.relnamespace",
           alias="r", name="rulename", klass="pg_rewrite", where="r.rulename <> '_RETURN' AND ",
           spaces="__TABLE_SPACES__", keep="__RULES__", drop="    EXECUTE names[i];"),
    _Sweep(item="format('DROP TRIGGER IF EXISTS %I ON %s', t.tgname, c.oid::regclass)",
           catalog="pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid\n"
                   "    JOIN pg_namespace n ON n.oid = c.relnamespace",
           alias="t", name="tgname", klass="pg_trigger", where="NOT t.tgisinternal AND ",
           spaces="__TABLE_SPACES__", keep="__TRIGGERS__", drop="    EXECUTE names[i];"),
    _Sweep(comment="  -- indexes a kept call made on the design's tables (not a key's, not a "
                   "partition's)\n",
           item="format('DROP INDEX IF EXISTS %s', ix.oid::regclass)",
           catalog="pg_index x JOIN pg_class ix ON ix.oid = x.indexrelid\n"
                   "    JOIN pg_class c ON c.oid = x.indrelid\n"
                   "    JOIN pg_namespace n ON n.oid = c.relnamespace",
           alias="ix", name="relname", klass="pg_class",
           where="NOT ix.relispartition\n     AND NOT EXISTS (SELECT FROM pg_constraint k "
                 "WHERE k.conindid = ix.oid)\n     AND (n.nspname::text, c.relname::text) IN "
                 "(SELECT * FROM unnest(__TABLES__))\n     AND ",
           spaces="__TABLE_SPACES__", keep="__INDEXES__", drop="    EXECUTE names[i];"),
)

# what the kept call created at run time besides relations (_RELATIONS, run before these)
_IN_SPACES = (
    _Sweep(item="c.oid::regconfig::text ORDER BY c.oid DESC",
           catalog="pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace",
           alias="c", name="cfgname", klass="pg_ts_config",
           spaces="__WHERE__", keep="__RELATIONS__",
           drop="    EXECUTE format('DROP TEXT SEARCH CONFIGURATION IF EXISTS %s CASCADE', "
                "names[i]);"),
    _Sweep(item="t.oid::regdictionary::text ORDER BY t.oid DESC",
           catalog="pg_ts_dict t JOIN pg_namespace n ON n.oid = t.dictnamespace",
           alias="t", name="dictname", klass="pg_ts_dict",
           spaces="__WHERE__", keep="__RELATIONS__",
           drop="    EXECUTE format('DROP TEXT SEARCH DICTIONARY IF EXISTS %s CASCADE', "
                "names[i]);"),
    # enums, domains and range types (a range's multirange goes with it; a relation's row
    # type went with the relation, an array type goes with its element type)
    _Sweep(item="format('DROP %s IF EXISTS %s CASCADE',\n"
                "                          CASE t.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END,"
                " t.oid::regtype)\n                   ORDER BY t.oid DESC",
           catalog="pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace",
           alias="t", name="typname", klass="pg_type", where="t.typtype IN ('e', 'd', 'r') AND ",
           spaces="__WHERE__", keep="__TYPES__", drop="    EXECUTE names[i];"),
    _Sweep(item="p.oid::regprocedure::text ORDER BY p.oid DESC",
           catalog="pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace",
           alias="p", name="proname", klass="pg_proc",
           spaces="__WHERE__", keep="__ROUTINES__",
           drop="    IF to_regprocedure(names[i]) IS NOT NULL THEN\n"
                "      EXECUTE format('DROP ROUTINE IF EXISTS %s CASCADE', names[i]);\n"
                "    END IF;"),
)

# Relations come in kinds (each its DROP), views first: two arrays, not a sweep.
_RELATIONS = """\
  -- what the kept call created at run time (beyond the design in its schemas); names
  -- read first, then dropped (a CASCADE may take a later one along: IF EXISTS)
  SELECT array_agg(q.name ORDER BY q.late, q.oid DESC),
         array_agg(q.kind ORDER BY q.late, q.oid DESC)
    INTO names, kinds FROM (
    SELECT c.oid, c.oid::regclass::text AS name, c.relkind NOT IN ('v', 'm') AS late,
           CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
             WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'c' THEN 'TYPE'
             ELSE 'TABLE' END AS kind
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname = ANY (__WHERE__) AND c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
       AND NOT c.relispartition
       AND (n.nspname::text, c.relname::text) NOT IN (SELECT * FROM unnest(__RELATIONS__))
       AND NOT EXISTS (SELECT FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                          AND d.objid = c.oid AND d.deptype IN ('e', 'a', 'i'))
       AND NOT EXISTS (SELECT FROM pg_constraint k WHERE k.conrelid = c.oid
                          AND k.contype = 'p' AND k.conname = c.relname || '_pkc'
                          AND c.relname ~ '^alembic_version')) q;
  FOR i IN 1 .. coalesce(array_length(names, 1), 0) LOOP
    EXECUTE format('DROP %s IF EXISTS %s CASCADE', kinds[i], names[i]);
  END LOOP;
"""


_COLUMNS = 90  # of the DO block's lines


def _sweeps(sweeps: tuple[_Sweep, ...]) -> str:
    out = []
    for sweep in sweeps:
        select = f"  SELECT array_agg({sweep.item})"
        fits = len(select) + len(" INTO names") <= _COLUMNS
        select += (f" INTO names\n    FROM {sweep.catalog}" if fits
                   else f"\n    INTO names FROM {sweep.catalog}")
        out.append(_SWEEP.format(select=select, **vars(sweep)))
    return "".join(out)


# Filled with quoted literals only (sql_str): the namespaces, the design's relations and
# routines there, the namespaces of the design's tables and the design's rules and triggers.
_DROP_SQL = ("DO $runtime$\nDECLARE names text[]; kinds text[];\nBEGIN\n"
             + _sweeps(_ON_TABLES) + _RELATIONS + _sweeps(_IN_SPACES) + "END\n$runtime$")


def drop_runtime_objects(obj: RawObject, design: Schema) -> list[Stmt]:
    """Statements run before the drop of the kept call ``obj`` in a downgrade: drop what the
    call's namespaces hold beyond ``design`` (the design as it is before that drop), and the
    rules, triggers and indexes on the design's tables that the design does not declare when
    the call creates some."""
    if obj.kind not in CALL_KINDS:  # only a kept call creates objects (and design need not
        return []  # be read: 593 kept objects dropped one by one in musicbrainz's downgrade)
    raws = design.raw_objects
    # only this call's creations (the design changes with every drop of a downgrade, so
    # those of all its calls were computed again for each), when the design holds it
    held = any(r is obj for r in raws) or obj in raws
    found = runtime_creation(obj, raws) if held else None
    if found is None:
        return []
    out: list[Stmt] = []
    if not found.readable:
        out += not_undone(obj)
    on_tables = bool(set(found.kinds) & ON_TABLES)
    if not found.namespaces and not on_tables:
        return out
    spaces = set(found.namespaces)
    relations = sorted({(t.namespace, t.name) for t in design.tables}
                       | {(s.namespace, s.name) for s in design.sequences}
                       | {(r.namespace, r.name) for r in design.raw_objects
                          if r.kind not in _ROUTINES})
    routines = sorted({(r.namespace, r.name) for r in design.raw_objects
                       if r.kind in _ROUTINES}
                      | {("public", UPDATED_AT_FUNCTION), ("public", updated_at_function(design))})
    types = sorted({(e.namespace, e.name) for e in design.enums}
                   | {(d.namespace, d.name) for d in design.domains}
                   | {(r.namespace, r.name) for r in design.raw_objects
                      if r.kind not in _ROUTINES})
    table_spaces = sorted({t.namespace for t in design.tables}) if on_tables else []
    rules = sorted({(r.namespace, r.name) for r in design.raw_objects if r.kind == "rule"})
    triggers = sorted({(r.namespace, r.name) for r in design.raw_objects
                       if r.kind == "trigger"}
                      | {(t.namespace, trigger_name(t)) for t in design.tables})
    tables = sorted({(t.namespace, t.name) for t in design.tables}) if on_tables else []
    indexes = sorted({(t.namespace, ix.name) for t in design.tables for ix in t.indexes}
                     | {(r.namespace, r.name) for r in design.raw_objects if r.kind == "index"})
    values = {"__WHERE__": _texts(sorted(spaces)),
              "__RELATIONS__": _pairs([k for k in relations if k[0] in spaces]),
              "__ROUTINES__": _pairs([k for k in routines if k[0] in spaces]),
              "__TYPES__": _pairs([k for k in types if k[0] in spaces]),
              "__TABLE_SPACES__": _texts(table_spaces),
              "__RULES__": _pairs([k for k in rules if k[0] in table_spaces]),
              "__TRIGGERS__": _pairs([k for k in triggers if k[0] in table_spaces]),
              "__TABLES__": _pairs(tables),
              "__INDEXES__": _pairs([k for k in indexes if k[0] in table_spaces])}
    sql = re.sub("__(?:WHERE|RELATIONS|ROUTINES|TYPES|TABLE_SPACES|RULES|TRIGGERS|TABLES|"
                 "INDEXES)__",
                 lambda m: values[m.group(0)], _DROP_SQL)
    return [*out, execute(sql)]


def not_undone(obj: RawObject) -> list[Stmt]:
    """A comment and a warning at run time (the downgrade goes on): what the kept call
    ``obj`` makes in a schema named at run time is not dropped."""
    label = obj.name or " ".join(obj.sql.split())[:60]
    said = (f"{obj.kind} {label}: the objects it creates in a schema named at run time are "
            "not dropped by this downgrade; drop them by hand")
    return [comment(f"{obj.kind} {obj.name} creates objects in a schema named at run time: "
                    "drop them by hand"),
            code(Call("warnings.warn", (Lit(said),), (("stacklevel", "1"),)))]


def _texts(items: list[str]) -> str:
    return "ARRAY[" + ", ".join(sql_str(s) for s in items) + "]::text[]"


def public_first(obj: RawObject) -> RawObject:
    """``obj`` to be dropped under its search_path with ``public`` first when it lives in
    ``public``: its drop names it unqualified, which the search_path it was written under may
    resolve to another namespace first (Evergreen's ``public.lowercase(text)`` written under
    ``evergreen, public``, where ``evergreen.lowercase(text)`` exists too)."""
    if obj.namespace != "public" or obj.search_path is None:
        return obj
    items = [p.strip() for p in obj.search_path.split(",") if p.strip()]
    rest = [p for p in items if p.strip('"') != "public"]
    if items and items[0].strip('"') == "public":
        return obj
    return replace(obj, search_path=", ".join(["public", *rest]))


def drop_extension(name: str, design: Schema) -> list[Stmt]:
    """``DROP EXTENSION`` of ``name``, and of the extensions its control file requires that
    ``CREATE EXTENSION ... CASCADE`` installed with it (earthdistance's cube): those the design
    does not list and no other extension still needs (read from the server when it runs)."""
    listed = sorted({e.name for e in design.extensions} - {name})
    sql = _DROP_EXTENSION_SQL.replace("__LISTED__", _texts(listed)).replace(
        "__NAME__", sql_str(name))
    return [execute(sql)]


_DROP_EXTENSION_SQL = """DO $extension$
DECLARE required name[];
BEGIN
  SELECT v.requires INTO required FROM pg_extension e
    JOIN pg_available_extension_versions v ON v.name = e.extname AND v.version = e.extversion
   WHERE e.extname = __NAME__;
  EXECUTE format('DROP EXTENSION IF EXISTS %I', __NAME__);
  FOR i IN 1 .. coalesce(array_length(required, 1), 0) LOOP
    IF required[i]::text <> ALL (__LISTED__) AND NOT EXISTS (
        SELECT FROM pg_depend d JOIN pg_extension x ON x.oid = d.refobjid
         WHERE d.classid = 'pg_extension'::regclass AND d.refclassid = 'pg_extension'::regclass
           AND x.extname = required[i]) THEN
      EXECUTE format('DROP EXTENSION IF EXISTS %I', required[i]);
    END IF;
  END LOOP;
END
$extension$"""
