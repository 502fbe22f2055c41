"""Live import against a throw-away PostgreSQL, compared with the SQL import of the same DDL."""

from __future__ import annotations

import ipaddress
import time
from typing import Any

import psycopg
import pytest
from psycopg import pq
from psycopg.conninfo import conninfo_to_dict

from modeler.importers import SchemaImportError, import_live, import_sql
from modeler.importers.live import guard, session
from modeler.schema import model as m
from tests.catalog import compare, read_catalog
from tests.importers.conftest import corpus_files, musicbrainz_files, psql_load
from tests.pgtemp import PgServer

pytestmark = pytest.mark.postgres

SNIPPET = """
CREATE TYPE mood AS ENUM ('sad', 'happy');
CREATE DOMAIN positive AS integer CONSTRAINT positive_check CHECK (VALUE > 0);
CREATE TABLE parent (id serial PRIMARY KEY, code text UNIQUE NOT NULL);
CREATE TABLE child (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parent_id int REFERENCES parent ON DELETE CASCADE,
    other_id int REFERENCES parent,
    m mood DEFAULT 'sad',
    qty positive,
    name varchar(40) CHECK (name <> ''),
    updated_at timestamptz DEFAULT now()
);
CREATE INDEX child_lower_name ON child (lower(name) DESC) WHERE qty > 1;
COMMENT ON TABLE child IS 'Children';
COMMENT ON COLUMN child.name IS 'Their name';
CREATE VIEW child_names AS SELECT name FROM child;
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN NEW.updated_at := now(); RETURN NEW; END $$;
CREATE TRIGGER child_touch BEFORE UPDATE ON child FOR EACH ROW EXECUTE FUNCTION touch();
CREATE SCHEMA extra;
CREATE TABLE extra.note (id int PRIMARY KEY, child_id bigint REFERENCES child);
"""


def load(url: str, sql: str) -> None:
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def test_live_import_of_a_small_schema(pg_url: str) -> None:
    load(pg_url, SNIPPET)
    r = import_live(pg_url)
    s = r.schema
    child = s.table_named("child")
    assert child is not None and child.comment == "Children"
    cols = {c.name: c for c in child.columns}
    assert cols["id"].identity == "always" and cols["id"].pk_order == 1
    assert cols["m"].type.kind == "enum" and cols["qty"].type.kind == "domain"
    assert cols["name"].type == m.ColumnType(name="varchar", length=40)
    assert cols["name"].comment == "Their name"
    fks = {x.name: x for x in s.relationships}
    assert fks["child_parent_id_fkey"].on_delete == "CASCADE"
    assert fks["child_other_id_fkey"].on_delete == "UNSPECIFIED"  # 'a' is indistinguishable
    assert fks["note_child_id_fkey"].parent_table == child.uid
    index = child.indexes[0]
    assert (index.name, index.parts[0].expression, index.parts[0].descending) == \
        ("child_lower_name", "lower(name::text)", True)
    assert index.where == "qty::integer > 1"  # the catalog spells out the domain cast
    assert [c.name for c in child.checks] == ["child_name_check"]
    parent = s.table_named("parent")
    assert parent is not None and parent.pk_name == "parent_pkey"
    assert parent.columns[0].default == "nextval('parent_id_seq'::regclass)"
    assert s.sequences[0].owned_by_column == parent.columns[0].uid
    assert [u.name for u in parent.uniques] == ["parent_code_key"]
    assert s.enums[0].labels == ("sad", "happy")
    assert s.domains[0].checks[0].name == "positive_check"
    assert {(o.kind, o.name) for o in s.raw_objects} == {("function", "touch"),
                                                        ("view", "child_names")}
    assert r.counts["updated_at_triggers"] == 1
    assert all(w.file == "database" and w.line is None for w in r.warnings)


def test_schema_and_table_filters(pg_url: str) -> None:
    load(pg_url, SNIPPET)
    only_extra = import_live(pg_url, schemas=["extra"])
    assert [t.name for t in only_extra.schema.tables] == ["note"]
    picked = import_live(pg_url.replace("postgresql://", "postgres://"),
                         tables=["parent", "extra.note"])
    assert sorted(t.name for t in picked.schema.tables) == ["note", "parent"]
    assert picked.schema.raw_objects == ()
    assert any(w.kind == "unresolved" for w in picked.warnings)  # note -> child left out


def test_bad_url_errors_never_show_the_password() -> None:
    with pytest.raises(SchemaImportError) as info:
        import_live("postgresql://bob:s3cretpw@127.0.0.1:1/nothing?connect_timeout=2")
    assert "s3cretpw" not in str(info.value)
    assert "cannot read the database" in str(info.value)
    with pytest.raises(SchemaImportError):
        import_live("mysql://root:pw@localhost/db")


def _norm(action: str) -> str:
    return "UNSPECIFIED" if action == "NO ACTION" else action


def shape(s: m.Schema) -> dict[str, set[Any]]:
    """What the SQL and live importers must agree on (expression text aside: the catalog
    adds implicit casts)."""
    def cname(uid: str | None) -> str:
        return s.column(uid).name if uid else "expr"

    def parent(t: m.Table) -> str | None:
        return s.table(t.partition_of).qualified_name if t.partition_of else None

    tables = {(t.namespace, t.name, t.comment, t.pk_name, tuple(c.name for c in t.primary_key),
               t.partition_by, parent(t)) for t in s.tables}
    cols = {(t.qualified_name, c.name, c.type.sql(s), c.nullable, c.identity,
             c.default is None, c.generated is None, c.comment, c.collation)
            for t in s.tables for c in t.columns}
    fks = {(r.name, s.table(r.child_table).qualified_name,
            tuple(cname(c) for c in r.child_columns), s.table(r.parent_table).qualified_name,
            tuple(cname(c) for c in r.parent_columns), _norm(r.on_delete), _norm(r.on_update),
            r.deferrable, r.initially_deferred, r.match, r.cardinality, r.optional)
           for r in s.relationships}
    uniques = {(t.name, u.name, tuple(cname(c) for c in u.columns), u.nulls_not_distinct,
                u.deferrable) for t in s.tables for u in t.uniques}
    checks = {(t.name, c.name) for t in s.tables for c in t.checks}
    indexes = {(t.name, i.name, i.unique, i.method, i.where is None, i.nulls_not_distinct,
                tuple((cname(p.column), p.descending, p.nulls, p.opclass, p.collation)
                      for p in i.parts),
                tuple(cname(c) for c in i.include)) for t in s.tables for i in t.indexes}
    types: set[tuple[Any, ...]] = {(e.qualified_name, e.labels) for e in s.enums}
    types |= {(d.qualified_name, d.base.sql(s), d.not_null, tuple(c.name for c in d.checks))
              for d in s.domains}
    seqs = {(q.qualified_name, q.data_type, q.owned_by_column) for q in s.sequences}
    raws = {(o.kind, o.name) for o in s.raw_objects
            if o.kind in ("view", "materialized view", "function", "trigger", "aggregate")}
    return {"tables": tables, "columns": cols, "foreign_keys": fks, "uniques": uniques,
            "checks": checks, "indexes": indexes, "types": types, "sequences": seqs,
            "raw": raws, "extensions": {x.name for x in s.extensions},
            "collations": {(c.qualified_name, c.provider, c.locale, c.lc_collate, c.lc_ctype,
                            c.deterministic) for c in s.collations}}


CORPUS: dict[str, tuple[tuple[str, ...], int]] = {
    # name: (files, lines to drop before loading with psql, per SOURCE.md)
    "chinook": (("chinook/Chinook_PostgreSql.sql",), 30),
    "northwind": (("northwind/northwind.sql",), 0),
    "dvdrental": (("dvdrental/dvdrental-schema-only.sql",), 0),
    "azimutt": (("azimutt/structure.sql",), 0),
    "gospeak": (("gospeak/gospeak.sql",), 0),
    "synapse": (("synapse/main-full-72.sql.postgres",
                 "synapse/state-full-72.sql.postgres"), 0),
    "netbox": (("netbox/netbox-demo-v4.2.sql",), 0),
    "db2dbml": (("dbml-db2dbml-postgres/schema.sql",), 0),
    "pagila": (("pagila/pagila-schema.sql",), 0),
    "musicbrainz": (("musicbrainz/CreateTables.sql",), 0),  # all 13 files, see below
}



@pytest.mark.parametrize("name", sorted(CORPUS))
def test_live_import_matches_sql_import(name: str, pg_server: PgServer, pg_url: str) -> None:
    if name == "musicbrainz":  # one psql session: the prelude sets search_path
        texts = musicbrainz_files()
        psql_load(pg_server, pg_url, "\n".join(text for _, text in texts))
    else:
        files, skip = CORPUS[name]
        texts = corpus_files(*files)
        for _, text in texts:
            psql_load(pg_server, pg_url, "\n".join(text.split("\n")[skip:]))
    live, sql = shape(import_live(pg_url).schema), shape(import_sql(texts).schema)
    sql_exts = sql.pop("extensions")
    assert sql_exts <= live.pop("extensions")
    for key in sql:
        assert sql[key] == live[key], (key, sorted(sql[key] - live[key], key=repr)[:5],
                                       sorted(live[key] - sql[key], key=repr)[:5])


def test_catalog_reader_compares_a_load_with_itself_and_a_reload(
        pg_server: PgServer, pg_url: str) -> None:
    (_, text), = corpus_files("dvdrental/dvdrental-schema-only.sql")
    psql_load(pg_server, pg_url, text)
    first = read_catalog(pg_url)
    assert compare(first, read_catalog(pg_url)).ok
    other = pg_server.create_database()
    try:
        psql_load(pg_server, other, text)
        report = compare(first, read_catalog(other))
        assert report.ok, report.text()
        assert all(c.percent == 100.0 for c in report.categories)
        assert len(first.foreign_keys) == 18 and len(first.indexes) == 32
        with psycopg.connect(other, autocommit=True) as conn:
            conn.execute("ALTER TABLE public.film DROP CONSTRAINT film_language_id_fkey")
            conn.execute("COMMENT ON TABLE public.actor IS 'x'")
        changed = compare(first, read_catalog(other))
        assert not changed.ok
        assert changed["foreign_keys"].matched == 17 and changed["foreign_keys"].total == 18
        assert len(changed["comments"].unexpected) == 1
    finally:
        pg_server.drop_database(other)


@pytest.mark.parametrize("version", [1, 2])
def test_live_import_of_collations_and_partitions(version: int, pg_server: PgServer,
                                                  pg_url: str) -> None:
    """The partitioned design of the export tests (a hostile quoted collation name, range,
    hash and default partitions, a partition of a partition, pg_dump's ATTACH, a detached
    one): the catalog reads back as the script imports."""
    from tests.codegen.designs import PARTITIONED_V1, PARTITIONED_V2

    sql = PARTITIONED_V1 if version == 1 else PARTITIONED_V2
    assert psql_load(pg_server, pg_url, sql) == []
    live, scripted = import_live(pg_url).schema, import_sql([("p.sql", sql)]).schema
    for key, value in shape(scripted).items():
        assert value == shape(live)[key], key
    assert {t.name: (t.partition_by, t.partition_bound) for t in live.tables} == \
        {t.name: (t.partition_by, t.partition_bound) for t in scripted.tables}
    assert live.collations == scripted.collations


MATCH_FULL = """
CREATE TABLE parent (a int, b int, id int UNIQUE, PRIMARY KEY (a, b));
CREATE TABLE child (
    x int, y int, p int REFERENCES parent (id) MATCH FULL, q int REFERENCES parent (id),
    FOREIGN KEY (x, y) REFERENCES parent MATCH FULL ON DELETE CASCADE DEFERRABLE);
CREATE TABLE other (x int, y int);
ALTER TABLE other ADD CONSTRAINT other_xy FOREIGN KEY (x, y) REFERENCES parent MATCH FULL;
CREATE TABLE log (x int, y int, at date, FOREIGN KEY (x, y) REFERENCES parent MATCH FULL)
    PARTITION BY RANGE (at);
CREATE TABLE log_2024 PARTITION OF log FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
"""


def test_live_import_reads_match_full(pg_server: PgServer, pg_url: str) -> None:
    """pg_constraint.confmatchtype 'f' (pg_get_constraintdef's MATCH FULL) is modelled as the
    SQL import models it, without a warning."""
    assert psql_load(pg_server, pg_url, MATCH_FULL) == []
    r = import_live(pg_url)
    assert not [w for w in r.warnings if "MATCH" in w.message], r.warnings
    live, scripted = r.schema, import_sql([("m.sql", MATCH_FULL)]).schema
    assert shape(live) == shape(scripted)
    assert sorted((live.table(x.child_table).name, x.name, x.match)
                  for x in live.relationships) == [
        ("child", "child_p_fkey", "FULL"), ("child", "child_q_fkey", "SIMPLE"),
        ("child", "child_x_y_fkey", "FULL"), ("log", "log_x_y_fkey", "FULL"),
        ("log_2024", "log_x_y_fkey", "FULL"), ("other", "other_xy", "FULL")]


# ------------------------------------------------------------- untrusted URLs (issue #12)

REFUSED_URLS = {
    "postgresql:///app": "host name",  # the server's own socket and PG* defaults
    "postgresql://?host=/var/run/postgresql": "host name",
    "postgresql://u@%2Fvar%2Frun%2Fpostgresql/app": "socket paths",
    "postgresql://u@db.example.com/app?host=/tmp": "'host' is not accepted",
    "postgresql://u@db.example.com/app?hostaddr=127.0.0.1": "'hostaddr' is not accepted",
    "postgresql://u@db.example.com/app?service=prod": "'service' is not accepted",
    "postgresql://u@db.example.com/app?passfile=/root/.pgpass": "'passfile' is not accepted",
    "postgresql://u@h1.example.com,h2.example.com/app": "one host",
    "postgresql://u@db.example.com:5432,h2:5433/app": "one host",
    "postgresql://db.example.com/app": "user name",
    "postgresql://u@db.example.com": "database name",
    "postgresql://u@db.example.com/app?sslmode=bogus": "sslmode must be",
    "mysql://u@db.example.com/app": "not a PostgreSQL URL",
    "host=db.example.com dbname=app": "not a PostgreSQL URL",
}


@pytest.mark.parametrize("url", sorted(REFUSED_URLS))
def test_untrusted_urls_need_explicit_parts(url: str) -> None:
    with pytest.raises(guard.LiveImportRefused) as info:
        guard.parse_url(url)
    assert REFUSED_URLS[url] in str(info.value)


def test_untrusted_url_parts() -> None:
    t = guard.parse_url("postgres://bob:p%40ss@DB.example.com:6543/my%20db?sslmode=require")
    assert (t.host, t.port, t.dbname, t.user, t.password, t.sslmode) == \
        ("db.example.com", 6543, "my db", "bob", "p@ss", "require")
    assert "p@ss" not in repr(t) and t.label == "db.example.com:6543"
    assert guard.parse_url("postgresql://u@[::1]/d").label == "[::1]:5432"


def fake_dns(table: dict[str, list[str]]) -> Any:
    def resolve(host: str, port: int) -> list[str]:
        if host in table:
            return table[host]
        try:
            return [str(ipaddress.ip_address(host))]
        except ValueError:
            raise OSError(f"{host}: no such host") from None
    return resolve


DNS = fake_dns({"localhost": ["127.0.0.1", "::1"], "db.internal": ["10.0.0.5"],
                "alias.internal": ["10.0.0.5"], "evil.example": ["10.0.0.5", "10.0.0.9"],
                "app-db.internal": ["10.0.0.7"], "rebound.example": ["127.0.0.1"]})


def check(url: str, allowed: list[tuple[str, int | None]],
          own: tuple[tuple[str, int, str], ...] = ()) -> list[str]:
    return guard.check(guard.parse_url(url), guard.Policy(allowed=tuple(allowed), own=own),
                       resolve=DNS)


def test_allowed_hosts_are_compared_by_address() -> None:
    assert check("postgresql://u@db.internal/app", [("db.internal", 5432)]) == ["10.0.0.5"]
    assert check("postgresql://u@alias.internal/app", [("db.internal", 5432)]) == ["10.0.0.5"]
    assert check("postgresql://u@10.0.0.5:7000/app", [("db.internal", None)]) == ["10.0.0.5"]
    assert check("postgresql://u@localhost:6000/x", [("127.0.0.1", 6000)]) == \
        ["127.0.0.1", "::1"]  # every address checked, tried in turn
    assert check("postgresql://u@127.0.0.1:6000/x", [("localhost", 6000)]) == ["127.0.0.1"]
    refused = [
        ("postgresql://u@db.internal:5433/app", [("db.internal", 5432)]),  # other port
        ("postgresql://u@evil.example/app", [("db.internal", 5432)]),  # one address not listed
        ("postgresql://u@rebound.example/app", [("db.internal", 5432)]),  # name → loopback
        ("postgresql://u@127.0.0.1/app", [("db.internal", 5432)]),
        ("postgresql://u@0.0.0.0:6000/app", [("db.internal", None)]),
        ("postgresql://u@nowhere.example/app", [("db.internal", 5432)]),  # does not resolve
    ]
    for url, allowed in refused:
        with pytest.raises(guard.LiveImportRefused, match="MODELER_LIVE_IMPORT_HOSTS"):
            check(url, allowed)
    with pytest.raises(guard.LiveImportRefused, match="not enabled"):
        check("postgresql://u@db.internal/app", [])
    with pytest.raises(guard.Unreachable):  # listed, but its name does not resolve now
        check("postgresql://u@gone.internal/app", [("gone.internal", 5432)])


def test_the_apps_own_database_is_refused_whatever_the_list_says() -> None:
    own = (("127.0.0.1", 5432, "modeler"), ("app-db.internal", 6432, "modeler_prod"),
           ("", 5433, "sock"))
    loopback = [("localhost", None), ("127.0.0.1", None)]
    for url in ("postgresql://u@127.0.0.1/modeler", "postgresql://u@localhost/modeler",
                "postgresql://u@[::1]/modeler", "postgresql://u@[::ffff:127.0.0.1]/modeler",
                "postgresql://u@127.0.0.2/modeler", "postgresql://u@0.0.0.0/modeler",
                "postgresql://u@localhost:5433/sock"):
        with pytest.raises(guard.LiveImportRefused, match="own database"):
            check(url, loopback, own)
    with pytest.raises(guard.LiveImportRefused, match="own database"):
        check("postgresql://u@10.0.0.7:6432/modeler_prod", [("10.0.0.7", 6432)], own)
    # the same server's other databases, and the same name on another port, are fine
    assert check("postgresql://u@127.0.0.1/other", loopback, own) == ["127.0.0.1"]
    assert check("postgresql://u@127.0.0.1:6000/modeler", loopback, own) == ["127.0.0.1"]


def test_untrusted_conninfo_sets_every_environment_backed_option(
        monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("PGHOST", "PGUSER", "PGPASSWORD", "PGDATABASE", "PGPORT", "PGPASSFILE",
                "PGOPTIONS", "PGSSLCERT", "PGSSLMODE", "PGHOSTADDR", "PGREQUIREAUTH"):
        monkeypatch.setenv(var, "from-the-environment")
    target = guard.parse_url("postgresql://bob@db.internal:6543/app")
    params = conninfo_to_dict(guard.conninfo(target, ["10.0.0.5"], 3))
    assert (params["host"], params["hostaddr"], params["port"], params["dbname"],
            params["user"], params["password"]) == ("db.internal", "10.0.0.5", "6543", "app",
                                                    "bob", "")
    assert params["passfile"] == "/dev/null/none" and params["sslmode"] == "prefer"
    assert params["connect_timeout"] == "3" and params["sslcertmode"] == "disable"
    assert "service" not in params
    for option in pq.Conninfo.get_defaults():  # an explicit value wins over its PG* variable
        if option.envvar and option.keyword != b"service":
            assert option.keyword.decode() in params, option.keyword
    assert "from-the-environment" not in str(params)
    two = conninfo_to_dict(guard.conninfo(target, ["10.0.0.5", "10.0.0.6"], 10))
    assert (two["host"], two["hostaddr"], two["connect_timeout"]) == \
        ("db.internal,db.internal", "10.0.0.5,10.0.0.6", "5")  # the timeout is shared


def test_timeouts_bound_each_query_and_the_whole_read(pg_url: str) -> None:
    def sleep(seconds: float) -> Any:
        return lambda conn: conn.execute(f"SELECT pg_sleep({seconds})").fetchall()

    t0 = time.monotonic()
    with pytest.raises(SchemaImportError, match="timed out"):
        session.read(pg_url, session.Timeouts(statement=0.5), sleep(5), label="x",
                     detailed=False, redact=str)
    with pytest.raises(SchemaImportError, match="timed out"):  # the overall cap: a watchdog
        session.read(pg_url, session.Timeouts(statement=60, total=1), sleep(5), label="x",
                     detailed=False, redact=str)
    assert time.monotonic() - t0 < 4
    rows = session.read(pg_url, session.Timeouts(total=5), sleep(0), label="x",
                        detailed=False, redact=str)
    assert len(rows) == 1
    assert time.monotonic() - t0 < 10  # the watchdog stopped with the read


def test_the_columns_query_of_recent_servers_reads_what_the_portable_one_does(
        pg_url: str) -> None:
    """Issue 17: from PostgreSQL 14 on the columns are read without turning each
    pg_attribute row into JSON; same rows (compression, collation, defaults...)."""
    from modeler.importers.live import queries as q

    load(pg_url, SNIPPET + """
        CREATE TABLE packed (id int PRIMARY KEY, body text COMPRESSION pglz,
                             code text COLLATE "C" DEFAULT 'x');
    """)
    with psycopg.connect(pg_url) as conn:
        assert conn.info.server_version >= 140000  # the servers the tests run
        assert q.columns(conn.info.server_version) == q.COLUMNS_14
        assert q.columns(130000) == q.COLUMNS != q.COLUMNS_14
        oids = [r[0] for r in conn.execute("SELECT oid FROM pg_class WHERE relkind = 'r' "
                                           "AND relnamespace <> 'pg_catalog'::regnamespace "
                                           "AND relnamespace <> 'information_schema'"
                                           "::regnamespace").fetchall()]
        old = conn.execute(q.COLUMNS, {"oids": oids}).fetchall()  # type: ignore[arg-type]
        cur = conn.execute(q.COLUMNS_14, {"oids": oids})  # type: ignore[arg-type]
        names = [d.name for d in cur.description or ()]
        new = cur.fetchall()
    assert new == old and len(old) > 10
    at = names.index("compression")  # by name: the query gains columns at its end
    assert any(r[at] == "pglz" for r in new)  # the compression read
