"""Catalog rows → statements for the SQL importer's handlers.

The live importer reads the catalog with ``pg_get_*def`` functions, which print PostgreSQL
DDL, and hands that DDL to the same handlers the SQL importer uses: one code path decides how
a constraint, an index or a column type is modelled, so importing a database and importing
the script that built it give the same snapshot.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from modeler.importers.sql.deparse import quote_ident

Row = dict[str, Any]
_INT_LIMITS = {"smallint": (-32768, 32767), "integer": (-2147483648, 2147483647),
               "bigint": (-9223372036854775808, 9223372036854775807)}


def literal(text: str) -> str:
    """An SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def qual(ns: str, name: str) -> str:
    """``ns.name``, quoted as needed."""
    return f"{quote_ident(ns)}.{quote_ident(name)}"


def _column(c: Row) -> str:
    parts = [quote_ident(c["attname"]), c["type"]]
    if c.get("compression"):
        parts.append(f"COMPRESSION {c['compression']}")
    if c["collation"]:
        parts.append(f"COLLATE {c['collation']}")
    if c["attgenerated"] == "s" and c["def"]:
        parts.append(f"GENERATED ALWAYS AS ({c['def']}) STORED")
    elif c["def"] is not None:
        parts.append(f"DEFAULT {c['def']}")
    if c["attidentity"] in ("a", "d"):
        options = c.get("identity_options")
        parts.append("GENERATED " + ("ALWAYS" if c["attidentity"] == "a" else "BY DEFAULT")
                     + " AS IDENTITY" + (f" ({options})" if options else ""))
    if c["attnotnull"]:
        parts.append("NOT NULL")
    return " ".join(parts)


def column_sql(c: Row) -> str:
    """A column's definition in CREATE TABLE (name, type, default, identity, NOT NULL...)."""
    return _column(c)


def table_shell(t: Row) -> str:
    """CREATE TABLE without its columns (see :func:`table_statements`); a partitioned table's
    key names its columns: None for one."""
    if t["partkey"]:
        return ""
    unlogged = "UNLOGGED " if t["relpersistence"] == "u" else ""
    return f"CREATE {unlogged}TABLE {qual(t['nspname'], t['relname'])} (){_with(t)}"


def _with(t: Row) -> str:
    """`` WITH (name = 'value', ...)``: a table's storage parameters (pg_class.reloptions)."""
    options = [o.partition("=") for o in t.get("reloptions") or ()]
    if not options:
        return ""
    return " WITH (" + ", ".join(
        ".".join(quote_ident(p) for p in name.split(".", 1)) + f" = {literal(value)}"
        for name, _, value in options) + ")"


def table_statements(t: Row, columns: list[Row]) -> Iterator[str]:
    """CREATE TABLE and its comments (a partition too: it is attached once its keys and
    indexes exist, see :func:`attach_statement`)."""
    name = qual(t["nspname"], t["relname"])
    unlogged = "UNLOGGED " if t["relpersistence"] == "u" else ""
    body = ",\n  ".join(_column(c) for c in columns)
    tail = f" PARTITION BY {t['partkey']}" if t["partkey"] else ""
    yield f"CREATE {unlogged}TABLE {name} (\n  {body}\n){tail}{_with(t)}"
    if t["comment"] is not None:
        yield f"COMMENT ON TABLE {name} IS {literal(t['comment'])}"
    for c in columns:
        if c["comment"] is not None:
            yield (f"COMMENT ON COLUMN {name}.{quote_ident(c['attname'])} IS "
                   f"{literal(c['comment'])}")
    for c in columns:  # planner settings, storage (the SQL import keeps them as SQL)
        column = f"ALTER TABLE ONLY {name} ALTER COLUMN {quote_ident(c['attname'])}"
        if c.get("planner_options"):
            yield f"{column} SET (" + ", ".join(
                f"{o.partition('=')[0]} = {o.partition('=')[2]}"
                for o in c["planner_options"]) + ")"
        if c.get("statistics_target") is not None:
            yield f"{column} SET STATISTICS {int(c['statistics_target'])}"
        if c.get("storage"):
            yield f"{column} SET STORAGE {c['storage']}"


def attach_statement(t: Row) -> str:
    """``ALTER TABLE ONLY parent ATTACH PARTITION table bound`` (as pg_dump writes it)."""
    return (f"ALTER TABLE ONLY {t['parents']} ATTACH PARTITION "
            f"{qual(t['nspname'], t['relname'])} {t['bound']}")


_PROVIDERS = {"i": "icu", "c": "libc", "b": "builtin"}


def collation_statements(c: Row) -> Iterator[str]:
    """CREATE COLLATION (locale, or the libc pair when they differ) and its comment."""
    name = qual(c["nspname"], c["collname"])
    provider = _PROVIDERS.get(c["collprovider"], "libc")
    opts = [f"provider = {provider}"]
    if c["locale"] is not None and provider != "libc":
        opts.append(f"locale = {literal(c['locale'])}")
    elif c["collcollate"] == c["collctype"] and c["collcollate"] is not None:
        opts.append(f"locale = {literal(c['collcollate'])}")
    else:
        opts += [f"lc_collate = {literal(c['collcollate'] or '')}",
                 f"lc_ctype = {literal(c['collctype'] or '')}"]
    if not c["collisdeterministic"]:
        opts.append("deterministic = false")
    if c["rules"] is not None:
        opts.append(f"rules = {literal(c['rules'])}")
    yield f"CREATE COLLATION {name} ({', '.join(opts)})"
    if c["comment"] is not None:
        yield f"COMMENT ON COLLATION {name} IS {literal(c['comment'])}"


def constraint_statements(ns: str, table: str, c: Row) -> Iterator[str]:
    """ALTER TABLE ... ADD CONSTRAINT (pg_get_constraintdef), its comment and the comment of
    the index it makes (a key's, UNIQUE's, EXCLUDE's; in the table's namespace ``ns``)."""
    yield f"ALTER TABLE ONLY {table} ADD CONSTRAINT {quote_ident(c['conname'])} {c['def']}"
    if c["comment"] is not None:
        yield (f"COMMENT ON CONSTRAINT {quote_ident(c['conname'])} ON {table} IS "
               f"{literal(c['comment'])}")
    if c.get("index_comment") is not None and c.get("index_name"):
        yield (f"COMMENT ON INDEX {qual(ns, c['index_name'])} IS "
               f"{literal(c['index_comment'])}")


def index_statements(ns: str, i: Row) -> Iterator[str]:
    """CREATE INDEX (pg_get_indexdef) and its comment."""
    yield str(i["def"])
    if i["comment"] is not None:
        yield f"COMMENT ON INDEX {qual(ns, i['relname'])} IS {literal(i['comment'])}"


def enum_statements(e: Row) -> Iterator[str]:
    """CREATE TYPE ... AS ENUM and its comment."""
    labels = ", ".join(literal(v) for v in e["labels"])
    name = qual(e["nspname"], e["typname"])
    yield f"CREATE TYPE {name} AS ENUM ({labels})"
    if e["comment"] is not None:
        yield f"COMMENT ON TYPE {name} IS {literal(e['comment'])}"


def domain_statements(d: Row) -> Iterator[str]:
    """CREATE DOMAIN with default, NOT NULL, checks; and its comment."""
    name = qual(d["nspname"], d["typname"])
    sql = f"CREATE DOMAIN {name} AS {d['base']}"
    if d["typdefault"] is not None:
        sql += f" DEFAULT {d['typdefault']}"
    if d["typnotnull"]:
        sql += " NOT NULL"
    # a check added NOT VALID (pg_get_constraintdef says so) only as ALTER DOMAIN takes it:
    # CREATE DOMAIN refuses the words, and the whole domain went missing
    later = [c for c in d["checks"] or () if c.endswith(" NOT VALID")]
    for check in d["checks"] or ():
        if check not in later:
            sql += f" {check}"
    yield sql
    for check in later:
        yield f"ALTER DOMAIN {name} ADD {check}"
    if d["comment"] is not None:
        yield f"COMMENT ON DOMAIN {name} IS {literal(d['comment'])}"


def type_statements(t: Row) -> Iterator[str]:
    """CREATE TYPE ... AS (composite) or AS RANGE, and its comment."""
    name = qual(t["nspname"], t["typname"])
    if t["typtype"] == "c":
        yield f"CREATE TYPE {name} AS ({', '.join(t['attributes'] or ())})"
    else:
        options = [f"SUBTYPE = {t['subtype']}"]
        options += [f"{key.upper()} = {t[key]}" for key in ("opclass", "collation")
                    if t[key]]
        options = [o.replace("OPCLASS", "SUBTYPE_OPCLASS") for o in options]
        if t["canonical"]:
            options.append(f"CANONICAL = {t['canonical']}")
        if t["subdiff"]:
            options.append(f"SUBTYPE_DIFF = {t['subdiff']}")
        if t["multirange"]:
            options.append(f"MULTIRANGE_TYPE_NAME = {t['multirange']}")
        yield f"CREATE TYPE {name} AS RANGE ({', '.join(options)})"
    if t["comment"] is not None:
        yield f"COMMENT ON TYPE {name} IS {literal(t['comment'])}"


def sequence_statements(s: Row) -> Iterator[str]:
    """CREATE SEQUENCE (defaults as NO MINVALUE/MAXVALUE) and OWNED BY."""
    low, high = _INT_LIMITS.get(s["type"], _INT_LIMITS["bigint"])
    ascending = s["seqincrement"] > 0
    sql = (f"CREATE SEQUENCE {qual(s['nspname'], s['relname'])} AS {s['type']} "
           f"START WITH {s['seqstart']} INCREMENT BY {s['seqincrement']}")
    default_min, default_max = (1, high) if ascending else (low, -1)
    sql += " NO MINVALUE" if s["seqmin"] == default_min else f" MINVALUE {s['seqmin']}"
    sql += " NO MAXVALUE" if s["seqmax"] == default_max else f" MAXVALUE {s['seqmax']}"
    sql += f" CACHE {s['seqcache']}" + (" CYCLE" if s["seqcycle"] else "")
    yield sql
    if s["owned_by"]:
        yield f"ALTER SEQUENCE {qual(s['nspname'], s['relname'])} OWNED BY {s['owned_by']}"


def view_statement(v: Row) -> str:
    """CREATE [MATERIALIZED] VIEW from pg_get_viewdef, with its options (WITH CHECK OPTION
    is the view's ``check_option``)."""
    kind = "MATERIALIZED VIEW" if v["relkind"] == "m" else "VIEW"
    body = str(v["def"]).rstrip().rstrip(";")
    options = f" WITH ({v['options']})" if v.get("options") else ""
    return f"CREATE {kind} {qual(v['nspname'], v['relname'])}{options} AS\n{body}"


def view_statements(v: Row) -> Iterator[str]:
    """The view (:func:`view_statement`), its comment, its columns' comments and (a
    materialized view) its indexes with their comments."""
    name = qual(v["nspname"], v["relname"])
    yield view_statement(v)
    kind = "MATERIALIZED VIEW" if v["relkind"] == "m" else "VIEW"
    if v.get("comment") is not None:
        yield f"COMMENT ON {kind} {name} IS {literal(v['comment'])}"
    for column, text in v.get("column_comments") or ():
        yield f"COMMENT ON COLUMN {name}.{quote_ident(column)} IS {literal(text)}"
    for index, definition, text in v.get("indexes") or ():
        yield definition
        if text is not None:
            yield f"COMMENT ON INDEX {qual(v['nspname'], index)} IS {literal(text)}"


def comment_statements(r: Row) -> Iterator[str]:
    """A kept object's comment: ``COMMENT ON <what the row names> IS ...``."""
    if r.get("comment") is not None:
        yield f"{r['comment_on']} IS {literal(r['comment'])}"


def row_security_statements(t: Row) -> Iterator[str]:
    """ALTER TABLE ... ENABLE / FORCE ROW LEVEL SECURITY."""
    for flag, word in (("relrowsecurity", "ENABLE"), ("relforcerowsecurity", "FORCE")):
        if t.get(flag):
            yield f"ALTER TABLE {qual(t['nspname'], t['relname'])} {word} ROW LEVEL SECURITY"


def replica_identity_statements(t: Row) -> Iterator[str]:
    """ALTER TABLE ... REPLICA IDENTITY FULL | NOTHING | USING INDEX, when not DEFAULT (an
    index no longer there, ``i`` without one, behaves as NOTHING)."""
    identity = t.get("relreplident")
    if identity in ("f", "n") or (identity == "i" and not t.get("replica_index")):
        word = "FULL" if identity == "f" else "NOTHING"
        yield f"ALTER TABLE {qual(t['nspname'], t['relname'])} REPLICA IDENTITY {word}"
    elif identity == "i":
        yield (f"ALTER TABLE {qual(t['nspname'], t['relname'])} REPLICA IDENTITY USING INDEX "
               f"{t['replica_index']}")


def event_trigger_statements(e: Row) -> Iterator[str]:
    """CREATE EVENT TRIGGER, its enabled state when not the default, its comment."""
    yield str(e["def"])
    state = {"D": "DISABLE", "R": "ENABLE REPLICA", "A": "ENABLE ALWAYS"}.get(e["evtenabled"])
    if state:
        yield f"ALTER EVENT TRIGGER {quote_ident(e['evtname'])} {state}"
    yield from comment_statements(e)
