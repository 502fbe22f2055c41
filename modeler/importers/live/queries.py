"""Read-only catalog queries for the live importer (PostgreSQL 12 and later).

Every query takes ``%(schemas)s`` (namespace names) and, where it reads per-table data,
``%(oids)s`` (table oids). Objects that belong to an extension (``pg_depend.deptype = 'e'``)
are left out: the extension brings them back.
"""

from __future__ import annotations

SCHEMAS = """
SELECT n.nspname FROM pg_namespace n
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname !~ '^pg_(toast|temp)'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_namespace'::regclass
      AND d.objid = n.oid AND d.deptype = 'e')
ORDER BY n.nspname
"""

TABLES = """
SELECT c.oid, n.nspname, c.relname, c.relkind, c.relpersistence, c.relispartition,
       c.relrowsecurity, c.relforcerowsecurity, c.reloftype <> 0 AS typed,
       c.relreplident,
       (SELECT quote_ident(ic.relname) FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
         WHERE i.indrelid = c.oid AND i.indisreplident) AS replica_index,
       -- storage parameters, the TOAST table's as toast.name=value
       c.reloptions || COALESCE((SELECT array_agg('toast.' || o) FROM pg_class tc,
                                 unnest(tc.reloptions) o WHERE tc.oid = c.reltoastrelid),
                                '{}') AS reloptions,
       obj_description(c.oid, 'pg_class') AS comment,
       CASE WHEN c.relispartition THEN pg_get_expr(c.relpartbound, c.oid) END AS bound,
       CASE WHEN c.relkind = 'p' THEN pg_get_partkeydef(c.oid) END AS partkey,
       (SELECT string_agg(quote_ident(pn.nspname) || '.' || quote_ident(pc.relname), ', '
                          ORDER BY i.inhseqno)
          FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent
          JOIN pg_namespace pn ON pn.oid = pc.relnamespace
         WHERE i.inhrelid = c.oid) AS parents
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p') AND n.nspname = ANY(%(schemas)s)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
      AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY c.oid
"""

COLUMNS = """
SELECT a.attrelid, a.attname, format_type(a.atttypid, a.atttypmod) AS type, a.attnotnull,
       pg_get_expr(ad.adbin, ad.adrelid) AS def, a.attidentity, a.attgenerated,
       col_description(a.attrelid, a.attnum) AS comment,
       CASE WHEN a.attcollation <> t.typcollation AND a.attcollation <> 0 THEN
         (SELECT quote_ident(cn.nspname) || '.' || quote_ident(co.collname)
            FROM pg_collation co JOIN pg_namespace cn ON cn.oid = co.collnamespace
           WHERE co.oid = a.attcollation) END AS collation,
       -- attcompression is PostgreSQL 14+: read through to_jsonb, NULL on older servers
       CASE to_jsonb(a) ->> 'attcompression' WHEN 'p' THEN 'pglz' WHEN 'l' THEN 'lz4'
       END AS compression,
       -- an identity's sequence options, all of them (the import keeps those that are not
       -- PostgreSQL's defaults), with its name when that is not <table>_<column>_seq (the
       -- name PostgreSQL gives it, unless too long or taken: then it is not said)
       CASE WHEN a.attidentity <> '' THEN
         (SELECT concat_ws(' ',
                   CASE WHEN sc.relname <> tc.relname || '_' || a.attname || '_seq'
                         AND octet_length(tc.relname || '_' || a.attname || '_seq') < 64
                     THEN 'SEQUENCE NAME ' || quote_ident(sn.nspname) || '.'
                          || quote_ident(sc.relname) END,
                   'START WITH ' || s.seqstart, 'INCREMENT BY ' || s.seqincrement,
                   'MINVALUE ' || s.seqmin, 'MAXVALUE ' || s.seqmax, 'CACHE ' || s.seqcache,
                   CASE WHEN s.seqcycle THEN 'CYCLE' ELSE 'NO CYCLE' END)
            FROM pg_depend d JOIN pg_sequence s ON s.seqrelid = d.objid
            JOIN pg_class sc ON sc.oid = s.seqrelid
            JOIN pg_namespace sn ON sn.oid = sc.relnamespace
            JOIN pg_class tc ON tc.oid = a.attrelid
           WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass
             AND d.refobjid = a.attrelid AND d.refobjsubid = a.attnum AND d.deptype = 'i')
       END AS identity_options,
       -- planner settings: ALTER COLUMN SET (n_distinct ...) (the options PostgreSQL takes:
       -- some builds add one of their own to every column) and SET STATISTICS (-1: none
       -- up to 16, NULL from 17)
       ARRAY(SELECT o FROM unnest(a.attoptions) o WHERE o ~ '^n_distinct(_inherited)?='
             ORDER BY o) AS planner_options,
       NULLIF(COALESCE(a.attstattarget, -1), -1) AS statistics_target,
       -- ALTER COLUMN SET STORAGE, when not the type's own
       CASE WHEN a.attstorage <> t.typstorage THEN CASE a.attstorage WHEN 'p' THEN 'PLAIN'
            WHEN 'e' THEN 'EXTERNAL' WHEN 'x' THEN 'EXTENDED' WHEN 'm' THEN 'MAIN' END
       END AS storage
FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
WHERE a.attrelid = ANY(%(oids)s) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum
"""

# The same from PostgreSQL 14 on, where every server has attcompression: reading the column
# itself instead of each whole pg_attribute row as JSON takes a third of the time (musicbrainz,
# 2,470 columns: ~0.13 -> ~0.05 s).
COLUMNS_14 = COLUMNS.replace("CASE to_jsonb(a) ->> 'attcompression' WHEN",
                             "CASE a.attcompression WHEN")


def columns(server_version: int) -> str:
    """The COLUMNS query for a server of that version (``160004`` for 16.4)."""
    return COLUMNS_14 if server_version >= 140000 else COLUMNS


# An FK that references a partitioned table has hidden copies on its own table, one per
# partition (conparentid set, same conrelid): PostgreSQL makes them, they are not read.
CONSTRAINTS = """
SELECT co.conrelid, co.conname, co.contype, pg_get_constraintdef(co.oid) AS def,
       obj_description(co.oid, 'pg_constraint') AS comment,
       CASE WHEN co.contype IN ('p', 'u', 'x') THEN ic.relname END AS index_name,
       CASE WHEN co.contype IN ('p', 'u', 'x')
            THEN obj_description(co.conindid, 'pg_class') END AS index_comment
FROM pg_constraint co LEFT JOIN pg_class ic ON ic.oid = co.conindid
WHERE co.conrelid = ANY(%(oids)s) AND co.contype IN ('p', 'u', 'c', 'x', 'f')
  AND NOT EXISTS (SELECT 1 FROM pg_constraint pc WHERE pc.oid = co.conparentid
                  AND pc.conrelid = co.conrelid)
ORDER BY co.contype = 'f', co.conrelid, co.conname
"""

# Locales by PostgreSQL version: colliculocale (15, 16), colllocale (17+), read through
# to_jsonb so that one query serves them all.
COLLATIONS = """
SELECT c.oid, n.nspname, c.collname, c.collprovider, c.collisdeterministic,
       c.collcollate, c.collctype,
       COALESCE(to_jsonb(c) ->> 'colllocale', to_jsonb(c) ->> 'colliculocale') AS locale,
       to_jsonb(c) ->> 'collicurules' AS rules,
       obj_description(c.oid, 'pg_collation') AS comment
FROM pg_collation c JOIN pg_namespace n ON n.oid = c.collnamespace
WHERE n.nspname = ANY(%(schemas)s)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_collation'::regclass
      AND d.objid = c.oid AND d.deptype = 'e')
ORDER BY c.oid
"""

INDEXES = """
SELECT i.indrelid, ic.relname, pg_get_indexdef(i.indexrelid) AS def,
       obj_description(i.indexrelid, 'pg_class') AS comment
FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
WHERE i.indrelid = ANY(%(oids)s)
  AND NOT EXISTS (SELECT 1 FROM pg_constraint co WHERE co.conindid = i.indexrelid
                  AND co.conrelid = i.indrelid AND co.contype IN ('p', 'u', 'x'))
ORDER BY i.indrelid, ic.relname
"""

ENUMS = """
SELECT n.nspname, t.typname, array_agg(e.enumlabel ORDER BY e.enumsortorder) AS labels,
       obj_description(t.oid, 'pg_type') AS comment
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
JOIN pg_enum e ON e.enumtypid = t.oid
WHERE n.nspname = ANY(%(schemas)s)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
      AND d.objid = t.oid AND d.deptype = 'e')
GROUP BY t.oid, n.nspname, t.typname ORDER BY t.oid
"""

DOMAINS = """
SELECT t.oid, n.nspname, t.typname, format_type(t.typbasetype, t.typtypmod) AS base,
       -- typdefault is the text as made: a routine it calls moved since is named as before
       t.typnotnull, pg_get_expr(t.typdefaultbin, 0) AS typdefault,
       obj_description(t.oid, 'pg_type') AS comment,
       (SELECT array_agg('CONSTRAINT ' || quote_ident(c.conname) || ' '
                         || pg_get_constraintdef(c.oid) ORDER BY c.conname)
          FROM pg_constraint c WHERE c.contypid = t.oid) AS checks,
       EXISTS (SELECT 1 FROM pg_type bt JOIN pg_class c ON c.oid = bt.typrelid
                WHERE bt.oid = t.typbasetype AND c.relkind <> 'c') AS over_relation
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE t.typtype = 'd' AND n.nspname = ANY(%(schemas)s)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
      AND d.objid = t.oid AND d.deptype = 'e')
ORDER BY t.oid
"""

SEQUENCES = """
SELECT n.nspname, c.relname, format_type(s.seqtypid, NULL) AS type, s.seqstart,
       s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
       (SELECT quote_ident(tn.nspname) || '.' || quote_ident(tc.relname) || '.'
               || quote_ident(a.attname)
          FROM pg_depend d JOIN pg_class tc ON tc.oid = d.refobjid
          JOIN pg_namespace tn ON tn.oid = tc.relnamespace
          JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
         WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
           AND d.refclassid = 'pg_class'::regclass AND d.deptype = 'a' LIMIT 1) AS owned_by
FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = ANY(%(schemas)s)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
      AND d.objid = c.oid AND d.deptype = 'e')
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                  AND d.objid = c.oid AND d.deptype = 'i')
ORDER BY c.oid
"""

# Composite types (not tables' row types) and range types, in creation order: a composite's
# attribute may be of an earlier one. The range's own functions (its constructors) are its
# internal dependents, left out of FUNCTIONS.
_TYPES = """
SELECT t.oid, n.nspname, t.typname, t.typtype, obj_description(t.oid, 'pg_type') AS comment,
       (SELECT array_agg(quote_ident(a.attname) || ' ' || format_type(a.atttypid, a.atttypmod)
                         || CASE WHEN a.attcollation <> at.typcollation
                                 THEN ' COLLATE ' || a.attcollation::regcollation::text
                                 ELSE '' END ORDER BY a.attnum)
          FROM pg_attribute a JOIN pg_type at ON at.oid = a.atttypid
         WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped) AS attributes,
       format_type(r.rngsubtype, NULL) AS subtype,
       CASE WHEN r.rngcollation <> 0 AND r.rngcollation <> st.typcollation
            THEN r.rngcollation::regcollation::text END AS collation,
       CASE WHEN NOT oc.opcdefault THEN quote_ident(ocn.nspname) || '.'
                 || quote_ident(oc.opcname) END AS opclass,
       NULLIF(r.rngcanonical, 0)::regproc::text AS canonical,
       NULLIF(r.rngsubdiff, 0)::regproc::text AS subdiff,
       {multirange} AS multirange
FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_range r ON r.rngtypid = t.oid
LEFT JOIN pg_type st ON st.oid = r.rngsubtype
LEFT JOIN pg_opclass oc ON oc.oid = r.rngsubopc
LEFT JOIN pg_namespace ocn ON ocn.oid = oc.opcnamespace
WHERE n.nspname = ANY(%(schemas)s)
  AND (t.typtype = 'r' OR (t.typtype = 'c'
       AND (SELECT c.relkind FROM pg_class c WHERE c.oid = t.typrelid) = 'c'))
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
      AND d.objid = t.oid AND d.deptype = 'e')
ORDER BY t.oid
"""


def types(server_version: int) -> str:
    """The TYPES query (composite and range types) for a server of that version."""
    multirange = ("(SELECT quote_ident(mn.nspname) || '.' || quote_ident(m.typname) "
                  "FROM pg_type m JOIN pg_namespace mn ON mn.oid = m.typnamespace "
                  "WHERE m.oid = r.rngmultitypid)") if server_version >= 140000 else "NULL"
    return _TYPES.replace("{multirange}", multirange)


EXTENSIONS = """
SELECT e.extname, n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname <> 'plpgsql' ORDER BY e.extname
"""

# Objects kept as SQL, in creation (oid) order so that dependencies replay.
VIEWS = """
SELECT c.oid, n.nspname, c.relname, c.relkind, pg_get_viewdef(c.oid) AS def,
       obj_description(c.oid, 'pg_class') AS comment,
       -- WITH (...): a view's check_option, security_barrier, security_invoker; a
       -- materialized view's storage parameters
       (SELECT string_agg(quote_ident(o.option_name) || ' = ' || quote_literal(o.option_value),
                          ', ') FROM pg_options_to_table(c.reloptions) o) AS options,
       (SELECT array_agg(ARRAY[a.attname::text, d.description] ORDER BY a.attnum)
          FROM pg_attribute a JOIN pg_description d ON d.objoid = c.oid
           AND d.classoid = 'pg_class'::regclass AND d.objsubid = a.attnum
         WHERE a.attrelid = c.oid) AS column_comments,
       (SELECT array_agg(ARRAY[ic.relname::text, pg_get_indexdef(i.indexrelid),
                               obj_description(i.indexrelid, 'pg_class')] ORDER BY ic.relname)
          FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
         WHERE i.indrelid = c.oid) AS indexes
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('v', 'm') AND n.nspname = ANY(%(schemas)s)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
      AND d.objid = c.oid AND d.deptype = 'e')
"""

FUNCTIONS = """
SELECT p.oid, n.nspname, p.proname, pg_get_functiondef(p.oid) AS def,
       'COMMENT ON ' || CASE p.prokind WHEN 'p' THEN 'PROCEDURE ' ELSE 'FUNCTION ' END
       || quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '('
       || pg_get_function_identity_arguments(p.oid) || ')' AS comment_on,
       obj_description(p.oid, 'pg_proc') AS comment
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE p.prokind IN ('f', 'p') AND n.nspname = ANY(%(schemas)s)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
      AND d.objid = p.oid AND d.deptype IN ('e', 'i'))
"""

TRIGGERS = """
SELECT t.oid, t.tgname, pg_get_triggerdef(t.oid) AS def,
       'ALTER TABLE ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname) || ' '
       || CASE t.tgenabled WHEN 'D' THEN 'DISABLE' WHEN 'R' THEN 'ENABLE REPLICA'
                           WHEN 'A' THEN 'ENABLE ALWAYS' END
       || ' TRIGGER ' || quote_ident(t.tgname) AS state,
       'COMMENT ON TRIGGER ' || quote_ident(t.tgname) || ' ON '
       || quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS comment_on,
       obj_description(t.oid, 'pg_trigger') AS comment
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE t.tgrelid = ANY(%(oids)s) AND NOT t.tgisinternal AND t.tgparentid = 0
"""

RULES = """
SELECT r.oid, r.rulename, pg_get_ruledef(r.oid) AS def,
       'ALTER TABLE ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname) || ' '
       || CASE r.ev_enabled WHEN 'D' THEN 'DISABLE' WHEN 'R' THEN 'ENABLE REPLICA'
                            WHEN 'A' THEN 'ENABLE ALWAYS' END
       || ' RULE ' || quote_ident(r.rulename) AS state,
       'COMMENT ON RULE ' || quote_ident(r.rulename) || ' ON '
       || quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS comment_on,
       obj_description(r.oid, 'pg_rewrite') AS comment
FROM pg_rewrite r JOIN pg_class c ON c.oid = r.ev_class
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE r.ev_class = ANY(%(oids)s) AND r.rulename <> '_RETURN'
"""

POLICIES = """
SELECT p.oid, p.polname,
       'CREATE POLICY ' || quote_ident(p.polname) || ' ON ' || quote_ident(n.nspname) || '.'
       || quote_ident(c.relname)
       || CASE WHEN p.polpermissive THEN '' ELSE ' AS RESTRICTIVE' END
       || ' FOR ' || CASE p.polcmd WHEN 'r' THEN 'SELECT' WHEN 'a' THEN 'INSERT'
                     WHEN 'w' THEN 'UPDATE' WHEN 'd' THEN 'DELETE' ELSE 'ALL' END
       || COALESCE(' USING (' || pg_get_expr(p.polqual, p.polrelid) || ')', '')
       || COALESCE(' WITH CHECK (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')', '')
       AS def,
       'COMMENT ON POLICY ' || quote_ident(p.polname) || ' ON '
       || quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS comment_on,
       obj_description(p.oid, 'pg_policy') AS comment
FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid
JOIN pg_namespace n ON n.oid = c.relnamespace WHERE p.polrelid = ANY(%(oids)s)
"""

AGGREGATES = """
SELECT p.oid, p.proname,
       'CREATE AGGREGATE ' || quote_ident(n.nspname) || '.' || quote_ident(p.proname) || '('
       || pg_get_function_identity_arguments(p.oid) || ') (SFUNC = '
       || a.aggtransfn::regproc::text || ', STYPE = ' || format_type(a.aggtranstype, NULL)
       || CASE WHEN a.aggfinalfn <> 0 THEN ', FINALFUNC = ' || a.aggfinalfn::regproc::text
               ELSE '' END
       || CASE WHEN a.agginitval IS NOT NULL THEN ', INITCOND = ' || quote_literal(a.agginitval)
               ELSE '' END || ')' AS def,
       'COMMENT ON AGGREGATE ' || quote_ident(n.nspname) || '.' || quote_ident(p.proname)
       || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS comment_on,
       obj_description(p.oid, 'pg_proc') AS comment
FROM pg_proc p JOIN pg_aggregate a ON a.aggfnoid = p.oid
JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE p.prokind = 'a' AND n.nspname = ANY(%(schemas)s)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
      AND d.objid = p.oid AND d.deptype = 'e')
"""

STATISTICS = """
SELECT s.oid, s.stxname, pg_get_statisticsobjdef(s.oid) AS def,
       'COMMENT ON STATISTICS ' || quote_ident(n.nspname) || '.' || quote_ident(s.stxname)
       AS comment_on, obj_description(s.oid, 'pg_statistic_ext') AS comment,
       -- a target set by ALTER STATISTICS (-1 or NULL: the default): written after it, for
       -- the SQL import to say it is not kept
       CASE WHEN COALESCE(s.stxstattarget, -1) >= 0 THEN 'ALTER STATISTICS '
            || quote_ident(n.nspname) || '.' || quote_ident(s.stxname) || ' SET STATISTICS '
            || s.stxstattarget END AS state
FROM pg_statistic_ext s JOIN pg_namespace n ON n.oid = s.stxnamespace
WHERE s.stxrelid = ANY(%(oids)s)
"""

# Database-wide objects the SQL importer keeps too (read with the functions: whole imports).
OPERATORS = """
SELECT o.oid, o.oprname,
       'CREATE OPERATOR ' || quote_ident(n.nspname) || '.' || o.oprname || ' ('
       || concat_ws(', ',
            CASE WHEN o.oprleft <> 0 THEN 'LEFTARG = ' || format_type(o.oprleft, NULL) END,
            CASE WHEN o.oprright <> 0 THEN 'RIGHTARG = ' || format_type(o.oprright, NULL) END,
            'FUNCTION = ' || o.oprcode::regproc::text,
            (SELECT 'COMMUTATOR = OPERATOR(' || quote_ident(cn.nspname) || '.' || c.oprname
                    || ')' FROM pg_operator c JOIN pg_namespace cn ON cn.oid = c.oprnamespace
              WHERE c.oid = o.oprcom),
            (SELECT 'NEGATOR = OPERATOR(' || quote_ident(cn.nspname) || '.' || c.oprname
                    || ')' FROM pg_operator c JOIN pg_namespace cn ON cn.oid = c.oprnamespace
              WHERE c.oid = o.oprnegate),
            CASE WHEN o.oprrest <> 0 THEN 'RESTRICT = ' || o.oprrest::regproc::text END,
            CASE WHEN o.oprjoin <> 0 THEN 'JOIN = ' || o.oprjoin::regproc::text END,
            CASE WHEN o.oprcanhash THEN 'HASHES' END,
            CASE WHEN o.oprcanmerge THEN 'MERGES' END) || ')' AS def,
       'COMMENT ON OPERATOR ' || quote_ident(n.nspname) || '.' || o.oprname || ' ('
       || coalesce(format_type(NULLIF(o.oprleft, 0), NULL), 'NONE') || ', '
       || coalesce(format_type(NULLIF(o.oprright, 0), NULL), 'NONE') || ')' AS comment_on,
       obj_description(o.oid, 'pg_operator') AS comment
FROM pg_operator o JOIN pg_namespace n ON n.oid = o.oprnamespace
WHERE n.nspname = ANY(%(schemas)s) AND o.oprcode <> 0
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_operator'::regclass
      AND d.objid = o.oid AND d.deptype IN ('e', 'i'))
"""

# Casts from or to a type of the imported namespaces.
CASTS = """
SELECT c.oid, '' AS name,
       'CREATE CAST (' || format_type(c.castsource, NULL) || ' AS '
       || format_type(c.casttarget, NULL) || ') '
       || CASE c.castmethod WHEN 'f' THEN 'WITH FUNCTION ' || c.castfunc::regprocedure::text
                            WHEN 'i' THEN 'WITH INOUT' ELSE 'WITHOUT FUNCTION' END
       || CASE c.castcontext WHEN 'a' THEN ' AS ASSIGNMENT' WHEN 'i' THEN ' AS IMPLICIT'
                             ELSE '' END AS def,
       'COMMENT ON CAST (' || format_type(c.castsource, NULL) || ' AS '
       || format_type(c.casttarget, NULL) || ')' AS comment_on,
       obj_description(c.oid, 'pg_cast') AS comment
FROM pg_cast c
WHERE c.oid >= 16384
  AND EXISTS (SELECT 1 FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
              WHERE t.oid IN (c.castsource, c.casttarget) AND n.nspname = ANY(%(schemas)s))
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_cast'::regclass
      AND d.objid = c.oid AND d.deptype IN ('e', 'i'))
"""

# Event triggers whose function is in an imported namespace, with their enabled state.
EVENT_TRIGGERS = """
SELECT e.oid, e.evtname,
       'CREATE EVENT TRIGGER ' || quote_ident(e.evtname) || ' ON ' || e.evtevent
       || coalesce(' WHEN TAG IN (' || (SELECT string_agg(quote_literal(t), ', ')
                                          FROM unnest(e.evttags) t) || ')', '')
       || ' EXECUTE FUNCTION ' || e.evtfoid::regproc::text || '()' AS def,
       e.evtenabled,
       'COMMENT ON EVENT TRIGGER ' || quote_ident(e.evtname) AS comment_on,
       obj_description(e.oid, 'pg_event_trigger') AS comment
FROM pg_event_trigger e JOIN pg_proc p ON p.oid = e.evtfoid
JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = ANY(%(schemas)s)
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_event_trigger'::regclass
      AND d.objid = e.oid AND d.deptype IN ('e', 'i'))
"""

# Publications of the imported tables (PostgreSQL 15: schemas, column lists, row filters).
_PUBLICATIONS = """
SELECT p.oid, p.pubname,
       'CREATE PUBLICATION ' || quote_ident(p.pubname)
       || CASE WHEN p.puballtables THEN ' FOR ALL TABLES' ELSE coalesce(' FOR ' || concat_ws(
            ', ', {schemas_part}
            (SELECT string_agg('TABLE ' || quote_ident(n.nspname) || '.'
                               || quote_ident(c.relname) {table_extras}, ', '
                               ORDER BY n.nspname, c.relname)
               FROM pg_publication_rel pr JOIN pg_class c ON c.oid = pr.prrelid
               JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE pr.prpubid = p.oid AND n.nspname = ANY(%(schemas)s))), '') END
       || ' WITH (publish = ''' || concat_ws(', ',
            CASE WHEN p.pubinsert THEN 'insert' END, CASE WHEN p.pubupdate THEN 'update' END,
            CASE WHEN p.pubdelete THEN 'delete' END,
            CASE WHEN p.pubtruncate THEN 'truncate' END) || ''''
       || CASE WHEN p.pubviaroot THEN ', publish_via_partition_root = true' ELSE '' END
       || ')' AS def,
       'COMMENT ON PUBLICATION ' || quote_ident(p.pubname) AS comment_on,
       obj_description(p.oid, 'pg_publication') AS comment
FROM pg_publication p
"""

_PUBLISHED_SCHEMAS = """(SELECT string_agg('TABLES IN SCHEMA ' || quote_ident(n.nspname), ', '
                                     ORDER BY n.nspname)
                     FROM pg_publication_namespace pn
                     JOIN pg_namespace n ON n.oid = pn.pnnspid
                    WHERE pn.pnpubid = p.oid AND n.nspname = ANY(%(schemas)s)),"""

_PUBLISHED_PARTS = """
    || coalesce(' (' || (SELECT string_agg(quote_ident(a.attname), ', ' ORDER BY k.i)
                           FROM unnest(pr.prattrs) WITH ORDINALITY k(num, i)
                           JOIN pg_attribute a ON a.attrelid = pr.prrelid
                            AND a.attnum = k.num) || ')', '')
    || coalesce(' WHERE (' || pg_get_expr(pr.prqual, pr.prrelid) || ')', '')"""


def publications(server_version: int) -> str:
    """The PUBLICATIONS query for a server of that version."""
    recent = server_version >= 150000
    return (_PUBLICATIONS.replace("{schemas_part}", _PUBLISHED_SCHEMAS if recent else "")
            .replace("{table_extras}", _PUBLISHED_PARTS if recent else ""))


def _options(column: str) -> str:
    """``OPTIONS (name 'value', ...)`` of a catalog options array, '' when it has none (as
    pg_dump writes them: pg_options_to_table, the value a literal)."""
    return (f"coalesce(' OPTIONS (' || (SELECT string_agg(quote_ident(o.option_name) || ' ' "  # noqa: S608
            f"|| quote_literal(o.option_value), ', ') FROM pg_options_to_table({column}) o) "
            f"|| ')', '')")


def _commented(on: str, oid: str, catalog: str) -> str:
    """An array of the object's COMMENT ON statement (empty when it has no comment)."""
    return (f"CASE WHEN obj_description({oid}, '{catalog}') IS NULL THEN '{{}}'::text[] "
            f"ELSE ARRAY[{on} || ' IS ' || quote_literal(obj_description({oid}, "
            f"'{catalog}'))] END")


def _members(owner: str, catalog: str, deptype: str) -> str:
    """The operators and support functions an operator class (``deptype`` 'i') or family
    (its loose ones, 'a') holds, as its CREATE or ALTER ... ADD lists them, pg_dump's way:
    an operator by its signature (``regoperator``: name and operand types), a function by
    its operand types and signature; ``ref``: the operator's or function's oid (a family's
    ALTER ... ADD comes after its newest member: a function made after the family)."""
    return (f"SELECT 1 AS k, o.amopstrategy AS ord, 'OPERATOR ' || o.amopstrategy || ' ' "  # noqa: S608
            f"|| o.amopopr::regoperator::text "
            f"|| CASE WHEN o.amoppurpose = 'o' THEN ' FOR ORDER BY ' "
            f"|| quote_ident(sn.nspname) || '.' || quote_ident(sf.opfname) ELSE '' END AS item, "
            f"o.amopopr AS ref "
            f"FROM pg_amop o JOIN pg_depend d ON d.classid = 'pg_amop'::regclass "
            f"AND d.objid = o.oid AND d.refclassid = '{catalog}'::regclass "
            f"AND d.refobjid = {owner} AND d.deptype = {deptype} "
            f"LEFT JOIN pg_opfamily sf ON sf.oid = o.amopsortfamily "
            f"LEFT JOIN pg_namespace sn ON sn.oid = sf.opfnamespace "
            f"UNION ALL SELECT 2, p.amprocnum, 'FUNCTION ' || p.amprocnum || ' (' "
            f"|| format_type(p.amproclefttype, NULL) || ', ' "
            f"|| format_type(p.amprocrighttype, NULL) || ') ' "
            f"|| p.amproc::regprocedure::text, p.amproc "
            f"FROM pg_amproc p JOIN pg_depend d ON d.classid = 'pg_amproc'::regclass "
            f"AND d.objid = p.oid AND d.refclassid = '{catalog}'::regclass "
            f"AND d.refobjid = {owner} AND d.deptype = {deptype}")


def _not_extension(catalog: str, oid: str) -> str:
    return (f"NOT EXISTS (SELECT 1 FROM pg_depend x WHERE x.classid = '{catalog}'::regclass "  # noqa: S608
            f"AND x.objid = {oid} AND x.deptype IN ('e', 'i'))")


# Text search dictionaries and configurations of the imported namespaces, foreign-data
# wrappers and servers (database-wide: those no extension brings), foreign tables of the
# imported namespaces: each a kept object, its statements in ``defs`` as pg_dump writes them
# (a configuration: CREATE, then ADD MAPPING for the token types of each list of
# dictionaries, in token order), comments included; ``oid`` orders the kept objects: a
# configuration's is its newest dictionary's when that is newer (a mapping added to a
# dictionary made after the configuration). User mappings come as rows without statements:
# they hold credentials, the import leaves them out and says so. (The query is put together
# from this module's constants only, when the module is imported.)
KEPT_EXTRAS = f"""
SELECT d.oid, 'text search dictionary' AS kind, d.dictname AS name,
       ARRAY['CREATE TEXT SEARCH DICTIONARY ' || quote_ident(n.nspname) || '.'
             || quote_ident(d.dictname) || ' (TEMPLATE = ' || quote_ident(tn.nspname) || '.'
             || quote_ident(t.tmplname) || coalesce(', ' || d.dictinitoption, '') || ')']
       || {_commented("'COMMENT ON TEXT SEARCH DICTIONARY ' || quote_ident(n.nspname) || '.' "
                      "|| quote_ident(d.dictname)", "d.oid", "pg_ts_dict")} AS defs
FROM pg_ts_dict d JOIN pg_namespace n ON n.oid = d.dictnamespace
JOIN pg_ts_template t ON t.oid = d.dicttemplate JOIN pg_namespace tn ON tn.oid = t.tmplnamespace
WHERE n.nspname = ANY(%(schemas)s) AND {_not_extension("pg_ts_dict", "d.oid")}
UNION ALL
SELECT greatest(c.oid::bigint, (SELECT max(cm.mapdict::bigint) FROM pg_ts_config_map cm
                                 WHERE cm.mapcfg = c.oid))::oid,
       'text search configuration', c.cfgname,
       ARRAY['CREATE TEXT SEARCH CONFIGURATION ' || quote_ident(n.nspname) || '.'
             || quote_ident(c.cfgname) || ' (PARSER = ' || quote_ident(pn.nspname) || '.'
             || quote_ident(p.prsname) || ')']
       || coalesce((SELECT array_agg('ALTER TEXT SEARCH CONFIGURATION '
                                     || quote_ident(n.nspname) || '.' || quote_ident(c.cfgname)
                                     || ' ADD MAPPING FOR ' || g.tokens || ' WITH ' || g.dicts
                                     ORDER BY g.first)
                      FROM (SELECT string_agg(m.token, ', ' ORDER BY m.tokid) AS tokens,
                                   m.dicts, min(m.tokid) AS first
                      FROM (SELECT cm.maptokentype AS tokid,
                                   (SELECT tt.alias FROM ts_token_type(c.cfgparser) tt
                                     WHERE tt.tokid = cm.maptokentype) AS token,
                                   string_agg(quote_ident(dn.nspname) || '.'
                                              || quote_ident(dd.dictname), ', '
                                              ORDER BY cm.mapseqno) AS dicts
                              FROM pg_ts_config_map cm JOIN pg_ts_dict dd ON dd.oid = cm.mapdict
                              JOIN pg_namespace dn ON dn.oid = dd.dictnamespace
                             WHERE cm.mapcfg = c.oid GROUP BY cm.maptokentype) m
                      GROUP BY m.dicts) g), '{{}}')
       || {_commented("'COMMENT ON TEXT SEARCH CONFIGURATION ' || quote_ident(n.nspname) "
                      "|| '.' || quote_ident(c.cfgname)", "c.oid", "pg_ts_config")}
FROM pg_ts_config c JOIN pg_namespace n ON n.oid = c.cfgnamespace
JOIN pg_ts_parser p ON p.oid = c.cfgparser JOIN pg_namespace pn ON pn.oid = p.prsnamespace
WHERE n.nspname = ANY(%(schemas)s) AND {_not_extension("pg_ts_config", "c.oid")}
UNION ALL
SELECT w.oid, 'foreign-data wrapper', w.fdwname,
       ARRAY['CREATE FOREIGN DATA WRAPPER ' || quote_ident(w.fdwname)
             || CASE WHEN w.fdwhandler <> 0 THEN ' HANDLER ' || w.fdwhandler::regproc::text
                     ELSE '' END
             || CASE WHEN w.fdwvalidator <> 0
                     THEN ' VALIDATOR ' || w.fdwvalidator::regproc::text ELSE '' END
             || {_options("w.fdwoptions")}]
       || {_commented("'COMMENT ON FOREIGN DATA WRAPPER ' || quote_ident(w.fdwname)", "w.oid",
                      "pg_foreign_data_wrapper")}
FROM pg_foreign_data_wrapper w
WHERE {_not_extension("pg_foreign_data_wrapper", "w.oid")}
UNION ALL
SELECT s.oid, 'foreign server', s.srvname,
       ARRAY['CREATE SERVER ' || quote_ident(s.srvname)
             || coalesce(' TYPE ' || quote_literal(s.srvtype), '')
             || coalesce(' VERSION ' || quote_literal(s.srvversion), '')
             || ' FOREIGN DATA WRAPPER ' || quote_ident(w.fdwname) || {_options("s.srvoptions")}]
       || {_commented("'COMMENT ON SERVER ' || quote_ident(s.srvname)", "s.oid",
                      "pg_foreign_server")}
FROM pg_foreign_server s JOIN pg_foreign_data_wrapper w ON w.oid = s.srvfdw
WHERE {_not_extension("pg_foreign_server", "s.oid")}
UNION ALL
SELECT c.oid, 'foreign table', c.relname,
       ARRAY['CREATE FOREIGN TABLE ' || quote_ident(n.nspname) || '.' || quote_ident(c.relname)
             || CASE WHEN c.relispartition THEN ' PARTITION OF ' || (
                 SELECT quote_ident(pn.nspname) || '.' || quote_ident(pc.relname)
                   FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent
                   JOIN pg_namespace pn ON pn.oid = pc.relnamespace WHERE i.inhrelid = c.oid)
                 || ' ' || pg_get_expr(c.relpartbound, c.oid) ELSE
                ' (' || coalesce((
                 SELECT string_agg(quote_ident(a.attname) || ' '
                                   || format_type(a.atttypid, a.atttypmod)
                                   || {_options("a.attfdwoptions")}
                                   || CASE WHEN a.attcollation <> t.typcollation
                                            AND a.attcollation <> 0 THEN ' COLLATE '
                                        || (SELECT quote_ident(cn.nspname) || '.'
                                                   || quote_ident(co.collname)
                                              FROM pg_collation co
                                              JOIN pg_namespace cn ON cn.oid = co.collnamespace
                                             WHERE co.oid = a.attcollation) ELSE '' END
                                   || CASE WHEN a.attgenerated = 's'
                                           THEN ' GENERATED ALWAYS AS ('
                                                || pg_get_expr(ad.adbin, ad.adrelid)
                                                || ') STORED'
                                           ELSE coalesce(' DEFAULT '
                                                         || pg_get_expr(ad.adbin, ad.adrelid),
                                                         '') END
                                   || CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END,
                                   ', ' ORDER BY a.attnum)
                   FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
                   LEFT JOIN pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
                  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                    AND a.attislocal), '')
             || ')' || coalesce(' INHERITS (' || (
                 SELECT string_agg(quote_ident(pn.nspname) || '.' || quote_ident(pc.relname),
                                   ', ' ORDER BY i.inhseqno)
                   FROM pg_inherits i JOIN pg_class pc ON pc.oid = i.inhparent
                   JOIN pg_namespace pn ON pn.oid = pc.relnamespace
                  WHERE i.inhrelid = c.oid) || ')', '') END
             || ' SERVER ' || quote_ident(s.srvname) || {_options("ft.ftoptions")}]
       || {_commented("'COMMENT ON FOREIGN TABLE ' || quote_ident(n.nspname) || '.' "
                      "|| quote_ident(c.relname)", "c.oid", "pg_class")}
       || coalesce((SELECT array_agg('COMMENT ON COLUMN ' || quote_ident(n.nspname) || '.'
                                     || quote_ident(c.relname) || '.' || quote_ident(a.attname)
                                     || ' IS ' || quote_literal(col_description(c.oid, a.attnum))
                                     ORDER BY a.attnum)
                      FROM pg_attribute a
                     WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                       AND col_description(c.oid, a.attnum) IS NOT NULL), '{{}}')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_foreign_table ft ON ft.ftrelid = c.oid JOIN pg_foreign_server s ON s.oid = ft.ftserver
WHERE c.relkind = 'f' AND n.nspname = ANY(%(schemas)s)
  AND {_not_extension("pg_class", "c.oid")}
UNION ALL
SELECT f.oid, 'operator family', f.opfname,
       ARRAY['CREATE OPERATOR FAMILY ' || quote_ident(n.nspname) || '.' || quote_ident(f.opfname)
             || ' USING ' || quote_ident(am.amname)]
       || {_commented("'COMMENT ON OPERATOR FAMILY ' || quote_ident(n.nspname) || '.' "
                      "|| quote_ident(f.opfname) || ' USING ' || quote_ident(am.amname)",
                      "f.oid", "pg_opfamily")}
FROM pg_opfamily f JOIN pg_namespace n ON n.oid = f.opfnamespace
JOIN pg_am am ON am.oid = f.opfmethod
WHERE n.nspname = ANY(%(schemas)s) AND {_not_extension("pg_opfamily", "f.oid")}
UNION ALL
SELECT (SELECT greatest(f.oid::bigint, max(m.ref::bigint))
          FROM ({_members("f.oid", "pg_opfamily", "'a'")}) m)::oid,
       'operator family', f.opfname,
       (SELECT ARRAY['ALTER OPERATOR FAMILY ' || quote_ident(n.nspname) || '.'
                     || quote_ident(f.opfname) || ' USING ' || quote_ident(am.amname)
                     || ' ADD ' || string_agg(m.item, ', ' ORDER BY m.k, m.ord)]
          FROM ({_members("f.oid", "pg_opfamily", "'a'")}) m HAVING count(*) > 0)
FROM pg_opfamily f JOIN pg_namespace n ON n.oid = f.opfnamespace
JOIN pg_am am ON am.oid = f.opfmethod
WHERE n.nspname = ANY(%(schemas)s) AND {_not_extension("pg_opfamily", "f.oid")}
UNION ALL
SELECT c.oid, 'operator class', c.opcname,
       ARRAY['CREATE OPERATOR CLASS ' || quote_ident(n.nspname) || '.' || quote_ident(c.opcname)
             || CASE WHEN c.opcdefault THEN ' DEFAULT' ELSE '' END
             || ' FOR TYPE ' || format_type(c.opcintype, NULL) || ' USING '
             || quote_ident(am.amname) || ' FAMILY ' || quote_ident(fn.nspname) || '.'
             || quote_ident(f.opfname) || ' AS ' || concat_ws(', ',
                 (SELECT string_agg(m.item, ', ' ORDER BY m.k, m.ord)
                    FROM ({_members("c.oid", "pg_opclass", "'i'")}) m),
                 CASE WHEN c.opckeytype <> 0
                      THEN 'STORAGE ' || format_type(c.opckeytype, NULL) END)]
       || {_commented("'COMMENT ON OPERATOR CLASS ' || quote_ident(n.nspname) || '.' "
                      "|| quote_ident(c.opcname) || ' USING ' || quote_ident(am.amname)",
                      "c.oid", "pg_opclass")}
FROM pg_opclass c JOIN pg_namespace n ON n.oid = c.opcnamespace
JOIN pg_am am ON am.oid = c.opcmethod JOIN pg_opfamily f ON f.oid = c.opcfamily
JOIN pg_namespace fn ON fn.oid = f.opfnamespace
WHERE n.nspname = ANY(%(schemas)s) AND {_not_extension("pg_opclass", "c.oid")}
UNION ALL
SELECT u.umid, 'user mapping', u.usename || ' on server ' || u.srvname, '{{}}'::text[]
FROM pg_user_mappings u
"""  # noqa: S608
