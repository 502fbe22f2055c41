"""Import from a live PostgreSQL database with read-only catalog queries (psycopg 3).

The connection runs one READ ONLY transaction, bounded in time (:mod:`.session`). The URL is
used to connect and then dropped: it is never stored in the result, and errors are reported
with any password removed.

Two callers, two levels of trust. The web passes a :class:`~.guard.Policy`: its URL comes
from a user, so it is checked before any connection (explicit host on the administrator's
list, not the application's own database), the connection string is built from its parts
alone (no ``PG*`` variable, password file or socket of the server), and errors do not tell
one network failure from another. The ``import_schema`` command, run by an administrator on
the server, passes none: libpq reads its URL as usual.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from modeler.importers.live import guard
from modeler.importers.live import queries as q
from modeler.importers.live.guard import LiveImportRefused, Policy
from modeler.importers.live.session import Timeouts, connect_message, read
from modeler.importers.progress import Progress
from modeler.importers.result import ImportResult, SchemaImportError

if TYPE_CHECKING:
    from modeler.importers.draft import DraftColumn
    from modeler.importers.sql.context import Context

# Issue #17: the SQL importer (pglast, the statement handlers) is imported where the catalog
# rows are turned into a design (:func:`import_catalog`), not with this module: a caller
# that reads the catalog on a thread (import_schema: :func:`read_catalog`) loads it
# meanwhile (:func:`preload`), while the catalog queries wait on the server.


def preload() -> None:
    """Import what :func:`_import` uses (the SQL importer, pglast, the model's builder)."""
    import modeler.importers.build
    import modeler.importers.live.script
    import modeler.importers.sql.arraycast
    import modeler.importers.sql.script
    import modeler.importers.sql.tables  # noqa: F401


SOURCE = "database"
_SCHEMES = ("postgresql", "postgres")


def redact(text: str, url: str) -> str:
    """``text`` with the password of ``url`` (and any URL/conninfo password) masked."""
    try:
        password = urlsplit(url).password
    except ValueError:
        password = None
    if password:
        text = text.replace(password, "***")
    text = re.sub(r"(://[^:/@\s]*:)[^@\s]*@", r"\1***@", text)
    return re.sub(r"(password\s*=\s*)\S+", r"\1***", text, flags=re.IGNORECASE)


def _label(url: str) -> str:
    """``host:port`` of a URL for messages, as far as it says (``the database`` else)."""
    try:
        parts = urlsplit(url)
        host, port = parts.hostname, parts.port
    except ValueError:
        return "the database"
    return f"{host}:{port or 5432}" if host else "the database"


def _conninfo(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    base = scheme.split("+", 1)[0].lower()
    if not sep or base not in _SCHEMES:
        raise SchemaImportError("not a PostgreSQL URL: use postgresql://user@host:port/dbname")
    return f"postgresql://{rest}"


def import_live(url: str, schemas: Sequence[str] | None = None,
                tables: Sequence[str] | None = None, *,
                progress: Progress | None = None, policy: Policy | None = None,
                timeouts: Timeouts | None = None) -> ImportResult:
    """Import the tables (and their types, keys, indexes...) of a live database.

    ``schemas`` limits the import to those namespaces (default: every non-system schema);
    ``tables`` to those tables (``name`` or ``schema.name``), in which case views and
    functions are left out and only the selected tables' triggers are kept.
    ``progress`` (see :mod:`modeler.importers.progress`) hears of each catalog query, then
    of each generated statement imported. ``policy``: the URL is untrusted, see the module
    docstring (:class:`~.guard.LiveImportRefused` when it is refused). ``timeouts``:
    :class:`~.session.Timeouts` (default: its defaults).
    """
    data = read_catalog(url, schemas, tables, progress=progress, policy=policy,
                        timeouts=timeouts)
    return import_catalog(data, progress)


def read_catalog(url: str, schemas: Sequence[str] | None = None,
                 tables: Sequence[str] | None = None, *,
                 progress: Progress | None = None, policy: Policy | None = None,
                 timeouts: Timeouts | None = None) -> dict[str, Any]:
    """The first half of :func:`import_live` (the same arguments): the catalog rows, read
    in one read-only transaction; :func:`import_catalog` makes the design of them."""
    timeouts = timeouts or Timeouts()
    if policy is None:
        conninfo, label = _conninfo(url), _label(url)
    else:
        target = guard.parse_url(url)
        if progress is not None:
            progress("checking the database address", 0, 0)
        try:
            addresses = guard.check(target, policy)
        except guard.Unreachable:
            raise SchemaImportError(connect_message(target.label)) from None
        conninfo, label = guard.conninfo(target, addresses, timeouts.connect), target.label
    if progress is not None:
        progress("connecting to the database", 0, 0)

    def work(conn: Any) -> dict[str, Any]:
        conn.execute("SET LOCAL search_path = public")
        queries = 14 + (0 if schemas else 1) + (8 if tables is None else 0)
        return _read(_Reader(conn, progress, queries), schemas, tables)

    data = read(conninfo, timeouts, work, label=label, detailed=policy is None,
                redact=lambda text: redact(text, url), connect_timeout=policy is None)
    data["tables_only"] = tables is not None
    return data


def import_catalog(data: dict[str, Any], progress: Progress | None = None) -> ImportResult:
    """The second half of :func:`import_live`: the design of what :func:`read_catalog`
    read (``progress`` hears of each generated statement imported)."""
    from modeler.importers.bounds import unchecked_nodes  # pglast: not at command start

    with unchecked_nodes():  # one switch for the thousands of statements parsed
        return _import(data, bool(data.get("tables_only")), progress)


class _Reader:
    """The connection, counting the catalog queries for ``progress``."""

    def __init__(self, conn: Any, progress: Progress | None, queries: int) -> None:
        self.conn = conn
        self.progress = progress
        self.queries = queries
        self.done = 0
        self.server_version = int(conn.info.server_version)

    def fetch(self, sql: str, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.progress is not None:
            self.progress("reading the catalog", min(self.done, self.queries), self.queries,
                          "queries")
        rows = list(self.conn.execute(sql, params).fetchall())
        self.done += 1
        return rows


def _fetch(conn: _Reader, sql: str, **params: Any) -> list[dict[str, Any]]:
    return conn.fetch(sql, params)


def _wanted(row: dict[str, Any], tables: Sequence[str] | None) -> bool:
    if tables is None:
        return True
    return row["relname"] in tables or f"{row['nspname']}.{row['relname']}" in tables


def _read(conn: _Reader, schemas: Sequence[str] | None, tables: Sequence[str] | None
          ) -> dict[str, Any]:
    names = list(schemas) if schemas else [r["nspname"] for r in _fetch(conn, q.SCHEMAS)]
    p = {"schemas": names}
    rels = [r for r in _fetch(conn, q.TABLES, **p) if _wanted(r, tables)]
    oids = [r["oid"] for r in rels]
    po = {"oids": oids}
    # the views first (whole imports): their triggers (INSTEAD OF) and rules are read with
    # the tables' (evergreen's metabib.full_rec: 52 rules on views)
    views = _fetch(conn, q.VIEWS, **p) if tables is None else []
    pv = {"oids": oids + [v["oid"] for v in views]}
    data: dict[str, Any] = {
        "tables": rels, "columns": _fetch(conn, q.columns(conn.server_version), **po),
        "constraints": _fetch(conn, q.CONSTRAINTS, **po), "indexes": _fetch(conn, q.INDEXES, **po),
        "enums": _fetch(conn, q.ENUMS, **p), "domains": _fetch(conn, q.DOMAINS, **p),
        "types": _fetch(conn, q.types(conn.server_version), **p),
        "sequences": _fetch(conn, q.SEQUENCES, **p), "extensions": _fetch(conn, q.EXTENSIONS),
        "collations": _fetch(conn, q.COLLATIONS, **p),
        "triggers": _fetch(conn, q.TRIGGERS, **pv), "rules": _fetch(conn, q.RULES, **pv),
        "policies": _fetch(conn, q.POLICIES, **po),
        "statistics": _fetch(conn, q.STATISTICS, **po), "views": views, "functions": [],
        "aggregates": [], "requested": list(tables or ()),
        "server_version": conn.server_version,
    }
    if tables is None:
        data["functions"] = _fetch(conn, q.FUNCTIONS, **p)
        data["aggregates"] = _fetch(conn, q.AGGREGATES, **p)
        data["operators"] = _fetch(conn, q.OPERATORS, **p)
        data["casts"] = _fetch(conn, q.CASTS, **p)
        data["event_triggers"] = _fetch(conn, q.EVENT_TRIGGERS, **p)
        data["publications"] = _fetch(conn, q.publications(conn.server_version), **p)
        data["kept_extras"] = _fetch(conn, q.KEPT_EXTRAS, **p)
    return data


@dataclass(frozen=True)
class _Table:
    """A table's CREATE TABLE: ``sql`` (what the table keeps and warnings show), ``shell``
    (the same without its columns; empty for a partitioned table) and its column rows."""

    sql: str
    shell: str
    row: dict[str, Any]
    columns: list[dict[str, Any]]


def _statements(data: dict[str, Any]) -> list[str]:
    """The statements the import hands to the SQL importer's handlers, as text."""
    return [item.sql if isinstance(item, _Table) else item for item in _plan(data)]


def _plan(data: dict[str, Any]) -> list[str | _Table]:
    from modeler.importers.live import script as s
    from modeler.importers.live.nesting import keep_nesting
    from modeler.importers.sql.deparse import quote_ident

    out: list[str | _Table] = []
    for e in data["extensions"]:
        out.append(f"CREATE EXTENSION IF NOT EXISTS {quote_ident(e['extname'])} "
                   f"WITH SCHEMA {quote_ident(e['nspname'])}")
    for c in data["collations"]:
        out.extend(s.collation_statements(c))
    for e in data["enums"]:
        out.extend(s.enum_statements(e))
    # domains, composite and range types, before the tables using them, in the order they
    # were made (of their oids): a domain may be over such a type, a type have a domain field
    types = [(d["oid"], list(s.domain_statements(d))) for d in data["domains"]
             if not d["over_relation"]]
    types += [(t["oid"], list(s.type_statements(t))) for t in data.get("types", ())]
    out.extend(sql for _, sqls in sorted(types, key=lambda x: x[0]) for sql in sqls)
    by_table: dict[int, list[dict[str, Any]]] = {}
    for c in data["columns"]:  # a default or generation expression: its nesting kept
        by_table.setdefault(c["attrelid"], []).append(
            {**c, "def": keep_nesting(c["def"])} if c["def"] else c)
    names = {t["oid"]: (t["nspname"], s.qual(t["nspname"], t["relname"])) for t in data["tables"]}
    for t in data["tables"]:
        columns = by_table.get(t["oid"], [])
        create, *comments = s.table_statements(t, columns)
        out.append(_Table(create, s.table_shell(t), t, columns))
        out.extend(comments)
    for seq in data["sequences"]:
        out.extend(s.sequence_statements(seq))
    for c in data["constraints"]:
        out.extend(s.constraint_statements(*names[c["conrelid"]], c))
    for i in data["indexes"]:
        out.extend(s.index_statements(names[i["indrelid"]][0], i))
    # partitions once both sides have their keys, indexes and FKs: nothing is copied then
    out += [s.attach_statement(t) for t in data["tables"]
            if t["relispartition"] and t["parents"] and t["bound"]]
    # row level security once the policies are there (after the kept objects)
    security = [sql for t in data["tables"] for sql in s.row_security_statements(t)]
    # and a table's replica identity (its index may be a kept one)
    security += [sql for t in data["tables"] for sql in s.replica_identity_statements(t)]
    # each kept object with its comment (a view: its columns' comments and its indexes too)
    raws = [(v["oid"], list(s.view_statements(v))) for v in data["views"]]
    # a domain over a table's or view's row type once that is there (kept as SQL then)
    raws += [(d["oid"], list(s.domain_statements(d))) for d in data["domains"]
             if d["over_relation"]]
    # a trigger or rule not enabled as made (DISABLE, ENABLE REPLICA / ALWAYS): its state
    raws += [(r["oid"], [str(r["def"]), *([r["state"]] if r.get("state") else []),
                         *s.comment_statements(r)])
             for key in ("functions", "aggregates", "triggers", "rules", "policies",
                         "statistics", "operators", "casts") for r in data.get(key, ())]
    raws += [(e["oid"], list(s.event_trigger_statements(e)))
             for e in data.get("event_triggers", ())]
    # text search dictionaries and configurations, foreign-data wrappers, servers and tables
    # (user mappings, which hold credentials, are left out: see _import)
    raws += [(r["oid"], list(r["defs"])) for r in data.get("kept_extras", ()) if r["defs"]]
    # publications once every table is there (a row filter may call a kept function)
    security += [sql for r in data.get("publications", ())
                 for sql in (str(r["def"]), *s.comment_statements(r))]
    out.extend(sql for _, sqls in sorted(raws, key=lambda x: x[0]) for sql in sqls)
    out.extend(security)
    # every expression PostgreSQL printed (keys, indexes, views, triggers, policies...)
    return [keep_nesting(item) if isinstance(item, str) else item for item in out]


class _Columns:
    """The draft columns of catalog column rows, made once per distinct definition.

    A database repeats its column definitions (musicbrainz: 2,470 columns, 298 distinct
    definitions); each distinct one is parsed and handled as a one-column CREATE TABLE by the
    SQL importer's own :func:`~modeler.importers.sql.tables.add_column`, and every column of
    that definition gets a copy under its name. A definition whose handling says anything
    (a warning), or does more than make a column (a serial's sequence), is not copied: its
    table is handled whole (:func:`_create_table`)."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.made: dict[tuple[Any, ...], DraftColumn | None] = {}

    def template(self, c: dict[str, Any]) -> DraftColumn | None:
        key = (c["type"], c["def"], c["attnotnull"], c["attidentity"], c["attgenerated"],
               c["collation"], c.get("compression"), c.get("identity_options"))
        if key not in self.made:
            self.made[key] = self._make(c)
        return self.made[key]

    def _make(self, c: dict[str, Any]) -> DraftColumn | None:
        from modeler.importers import bounds
        from modeler.importers.draft import DraftTable
        from modeler.importers.live import script as s
        from modeler.importers.sql.arraycast import keep_array_coercions
        from modeler.importers.sql.context import Statement
        from modeler.importers.sql.tables import add_column
        from modeler.importers.sql.types import SERIALS

        if str(c["type"]).strip() in SERIALS:  # a type of that name: expanded as serial
            return None
        ctx, draft = self.ctx, self.ctx.draft
        sql = f"CREATE TABLE t ({s.column_sql({**c, 'attname': 'c'})})"
        saved, warned = ctx.stmt, len(draft.warnings)
        table = DraftTable("public", "t", sql=sql)
        deferred: list[tuple[Any, str | None]] = []
        try:
            with bounds.room():
                (raw,) = bounds.parse_sql(sql)
                keep_array_coercions(raw.stmt, sql)
                ctx.stmt = Statement(SOURCE, None, sql, sql)
                add_column(ctx, table, raw.stmt.tableElts[0], deferred)
        except Exception:  # the table's own statement says what is wrong
            made = False
        else:
            made = not deferred and len(draft.warnings) == warned and list(table.columns) == [
                "c"]
        finally:
            ctx.stmt = saved
        if not made:
            del draft.warnings[warned:]
            return None
        return table.columns["c"]


def _create_table(ctx: Context, item: _Table, columns: _Columns) -> None:
    """``item``'s CREATE TABLE: its columns from :class:`_Columns` when each has one, the
    rest of the statement without them; else the whole statement. The same draft table."""
    from modeler.importers.sql.script import run_statement

    made = [columns.template(c) for c in item.columns] if item.shell else []
    if not item.shell or None in made:
        run_statement(ctx, SOURCE, item.sql)
        return
    run_statement(ctx, SOURCE, item.shell, shown=item.sql)
    table = ctx.draft.tables.get((item.row["nspname"], item.row["relname"]))
    if table is None or table.columns:  # not made by this statement: nothing to add to
        return
    for c, column in zip(item.columns, made, strict=True):
        assert column is not None
        table.columns[c["attname"]] = replace(column, name=c["attname"])


def _import(data: dict[str, Any], tables_only: bool, progress: Progress | None = None
            ) -> ImportResult:
    from modeler.importers.build import build_result
    from modeler.importers.sql.context import Context
    from modeler.importers.sql.script import run_statement
    from modeler.importers.sql.storage import order_unlogged

    ctx = Context()
    ctx.search_path = ["public"]
    statements = _plan(data)
    columns = _Columns(ctx)
    for i, item in enumerate(statements):
        if progress is not None:
            progress(f"importing {len(data['tables'])} tables", i, len(statements),
                     "statements")
        if isinstance(item, _Table):
            _create_table(ctx, item, columns)
        else:
            run_statement(ctx, SOURCE, item)
    for t in data["tables"]:
        if t["parents"] and not t["relispartition"]:
            ctx.draft.warn(SOURCE, None, "approximation", f"{t['relname']} inherits from "
                           f"{t['parents']}: inheritance is not modelled")
        if t["typed"]:
            ctx.draft.warn(SOURCE, None, "approximation",
                           f"{t['relname']} is a typed table (OF type); imported as plain")
    for r in data.get("kept_extras", ()):
        if r["kind"] == "user mapping":
            ctx.draft.warn(SOURCE, None, "ignored", f"user mapping for {r['name']} left out: "
                           "it holds credentials; create it where the migrations run")
    if tables_only:
        ctx.draft.warn(SOURCE, None, "ignored", "a table selection was given: views and "
                       "functions were not imported")
    found = {t["relname"] for t in data["tables"]}
    found |= {f"{t['nspname']}.{t['relname']}" for t in data["tables"]}
    for name in data["requested"]:
        if name not in found:
            ctx.draft.warn(SOURCE, None, "unresolved", f"table {name} not found")
    if progress is not None:
        progress("building the design", len(statements), len(statements), "statements")
    server = data.get("server_version")
    order_unlogged(ctx.draft)  # after the foreign keys
    return replace(build_result(ctx.draft), server_version=int(server) if server else None)


__all__ = ["LiveImportRefused", "Policy", "Timeouts", "import_live", "redact"]
