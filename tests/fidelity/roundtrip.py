"""Round trip of a real schema: original DDL vs import → export bundle → ``alembic upgrade``.

    spec = SQL_SCHEMAS["chinook"]
    trip = sql_round_trip(server, spec, workdir)
    assert trip.report.ok, trip.report.text()

For an SQL schema of the shared corpus (:data:`SQL_SCHEMAS`):

1. database A: the corpus files loaded straight with ``psql``, following the load recipe of
   the schema's ``SOURCE.md`` (prelude, psql variables, lines psql must not see);
2. the same files through :func:`~modeler.importers.import_sql`;
3. the export bundle of that design as one imported baseline version, written to disk;
4. database B: ``alembic upgrade head`` with the bundle's own CLI (a subprocess);
5. :func:`tests.catalog.compare` of A's catalog with B's (the export's version table left out:
   ``alembic_version`` unless the design has a relation of that name, see
   :mod:`modeler.codegen.version_table`).

For a DBML file that comes with the same schema in SQL (:data:`DBML_PAIRS`), the DBML import
goes through steps 3–4 as well and its database is compared with the SQL import's database B:
the yardstick is what the SQL import rebuilds, since DBML cannot say more than that.

Nothing here is specific to pytest: ``bench/fidelity.py`` uses the same functions.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

import psycopg

from modeler.codegen.bundle import build_bundle
from modeler.codegen.sqlwriter import UPDATED_AT_FUNCTION
from modeler.codegen.version_table import version_table_name
from modeler.codegen.versions import VersionInput
from modeler.importers import ImportResult, import_dbml, import_sql
from modeler.schema.model import Schema
from modeler.schema.updated_at import plain_body
from tests.catalog import OBJECTS, Catalog, Report, compare, read_catalog
from tests.fidelity.exclusions import Exclusion
from tests.fidelity.exclusions import apply as apply_exclusions
from tests.pgtemp import PgServer

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
VENV_BIN = Path(sys.executable).parent
VERSION_TABLE = "alembic_version"  # unless the design uses the name (version_table_name)

Transform = Callable[[str], str]


def _drop_lines(pattern: str) -> Transform:
    """A transform that deletes the lines matching ``pattern`` (a regular expression)."""
    rx = re.compile(pattern, re.MULTILINE)

    def transform(text: str) -> str:
        return rx.sub("", text)

    return transform


# psql must stay in database A: no DROP/CREATE DATABASE, no \connect to another database.
_STAY_HERE = _drop_lines(r"^(?:(?:DROP|CREATE) DATABASE\b.*|\\c(?:onnect)?\b.*)$")
_NO_COPY_FILES = _drop_lines(r"^\\copy\b.*$")
_NO_UNAPI_SEED_ROWS = _drop_lines(r"^INSERT INTO unapi\.bre_output_layout\b[^;]*;")

MUSICBRAINZ_ORDER = (
    "Extensions", "CreateCollations", "CreateTypes", "CreateTables", "CreatePrimaryKeys",
    "CreateSearchConfiguration", "CreateFunctions", "CreateIndexes", "CreateFKConstraints",
    "CreateConstraints", "CreateViews", "CreateTriggers", "CreateSearchIndexes",
)


@dataclass(frozen=True)
class CorpusSchema:
    """One SQL schema of the corpus and how ``SOURCE.md`` says to load it."""

    name: str
    files: tuple[str, ...]  # corpus-relative, in load order
    prelude: str = ""  # run before the files, by psql and by the importer alike
    variables: Mapping[str, str] = field(default_factory=dict)  # psql -v name=value
    psql_transform: Transform | None = None  # applied to each file's text for psql only
    extensions: tuple[str, ...] = ()  # must be available on the server
    create_options: str = ""  # CREATE DATABASE ... options for database A
    check_function_bodies: bool = True
    # psql runs each file in a session of its own (as Evergreen's build-db.sh does); else one
    # session for the prelude and all files (as MusicBrainz's InitDb.pl does)
    session_per_file: bool = False
    # ERROR lines that the load recipe expects (SOURCE.md: "fails harmlessly"); others fail
    expected_load_errors: tuple[str, ...] = ()
    # run by psql before the prelude and the files, never seen by the importer: what the
    # load recipe creates outside the database (cluster-wide roles)
    psql_setup: str = ""

    def missing(self) -> list[str]:
        return [f for f in self.files if not (CORPUS / f).exists()]

    def file_texts(self) -> list[tuple[str, str]]:
        return [(f, (CORPUS / f).read_text(encoding="utf-8")) for f in self.files]

    def texts(self) -> list[tuple[str, str]]:
        """What the importer gets: the prelude as a file of its own, then the files."""
        out = self.file_texts()
        return [("prelude.sql", self.prelude), *out] if self.prelude else out


_OWNER = r"role \"\w+\" does not exist"
_SCHEMA_PUBLIC = r"schema \"public\" already exists"


def _evergreen() -> CorpusSchema:
    manifest_path = CORPUS / "evergreen" / "sql_file_manifest"
    names: list[str] = []
    if manifest_path.exists():
        for raw in manifest_path.read_text(encoding="utf-8").splitlines():
            line = raw.strip()
            if line and not line.startswith("#"):
                names.append("000.english.pg.fts-config.sql" if line == "FTS_CONFIG_FILE"
                             else line)
    present = [n for n in names if (CORPUS / "evergreen" / n).exists()]
    return CorpusSchema(
        "evergreen", tuple(f"evergreen/{n}" for n in ["create_database_extensions.sql",
                                                       *present]),
        variables={"eg_version": "NULL", "db_name": "evergreen"},
        psql_transform=_evergreen_psql, create_options="TEMPLATE template0 ENCODING 'UTF8' "
        "LC_COLLATE 'C' LC_CTYPE 'C'", check_function_bodies=False, session_per_file=True,
        extensions=("plperlu", "xml2", "hstore", "intarray", "pgcrypto", "unaccent",
                    "earthdistance", "fuzzystrmatch", "pg_trgm"))


def _evergreen_psql(text: str) -> str:
    """Evergreen's files for psql: in database A, and without the one INSERT that needs the
    seed data the corpus left out. Its rows point (DEFERRABLE INITIALLY DEFERRED FK) to
    config.xml_transform rows of 950.data.seed-values.sql, so it fails at COMMIT and rolls
    back the whole of 990.schema.unapi.sql (schema unapi, its table and functions), not just
    itself as SOURCE.md says. Data is no part of the measure; the importer skips it anyway."""
    return _NO_UNAPI_SEED_ROWS(_STAY_HERE(text))


def _roles(*names: str) -> str:
    """Cluster-wide roles a load recipe creates first, skipped when they exist (another
    database of the same server made them)."""
    return "".join(f"DO $$BEGIN CREATE ROLE {n}; EXCEPTION WHEN duplicate_object THEN NULL; "
                   "END$$;\n" for n in names)


SQL_SCHEMAS: dict[str, CorpusSchema] = {s.name: s for s in (
    CorpusSchema("chinook", ("chinook/Chinook_PostgreSql.sql",), psql_transform=_STAY_HERE),
    CorpusSchema("northwind", ("northwind/northwind.sql",)),
    CorpusSchema("pagila", ("pagila/pagila-schema.sql",)),
    CorpusSchema("dvdrental", ("dvdrental/dvdrental-schema-only.sql",)),
    CorpusSchema("azimutt", ("azimutt/structure.sql",), extensions=("citext", "uuid-ossp")),
    CorpusSchema("gospeak", ("gospeak/gospeak.sql",),
                 expected_load_errors=(_OWNER, _SCHEMA_PUBLIC)),
    CorpusSchema("openstreetmap", ("openstreetmap/structure.sql",),
                 extensions=("postgis", "btree_gist")),
    CorpusSchema("adventureworks", ("adventureworks/adventureworks-pgdump.sql",),
                 extensions=("uuid-ossp", "tablefunc"), expected_load_errors=(_OWNER,)),
    CorpusSchema("adventureworks-install", ("adventureworks/install.sql",),
                 psql_transform=_NO_COPY_FILES, extensions=("uuid-ossp", "tablefunc"),
                 expected_load_errors=(r"FK_ProductReview_Product_ProductID",)),
    CorpusSchema("synapse", ("synapse/main-full-72.sql.postgres",
                             "synapse/state-full-72.sql.postgres")),
    CorpusSchema("netbox", ("netbox/netbox-demo-v4.2.sql",), expected_load_errors=(_OWNER,)),
    CorpusSchema("musicbrainz", tuple(f"musicbrainz/{n}.sql" for n in MUSICBRAINZ_ORDER),
                 prelude="CREATE SCHEMA musicbrainz;\n"
                         "SET search_path = musicbrainz, public;\n",
                 extensions=("cube", "earthdistance", "unaccent")),
    _evergreen(),
    CorpusSchema("db2dbml", ("dbml-db2dbml-postgres/schema.sql",)),
    # Not tuned for: added as SOURCE.md gives them (issue 13).
    CorpusSchema("apache-ranger", ("apache-ranger/ranger_core_db_postgres.sql",)),
    CorpusSchema("crates-io", ("crates-io/diesel-migrations.sql",),
                 extensions=("ltree", "pg_trgm", "pgcrypto")),
    CorpusSchema("dolphinscheduler", ("dolphinscheduler/dolphinscheduler_postgresql.sql",)),
    CorpusSchema("graphile-starter", ("graphile-starter/schema.sql",),
                 psql_setup=_roles("graphile_starter", "graphile_starter_visitor"),
                 extensions=("citext", "pgcrypto", "uuid-ossp")),
    CorpusSchema("harbor", ("harbor/harbor-migrations-postgresql.sql",),
                 prelude="CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, "
                         "dirty boolean NOT NULL);\n"),
    CorpusSchema("hexpm", ("hexpm/structure.sql",),
                 extensions=("citext", "fuzzystrmatch", "pg_trgm", "pgcrypto", "uuid-ossp")),
    CorpusSchema("koji", ("koji/schema.sql",)),
    CorpusSchema("manifold", ("manifold/structure.sql",),
                 extensions=("btree_gin", "btree_gist", "citext", "intarray", "ltree",
                             "pg_trgm", "pgcrypto", "unaccent", "uuid-ossp")),
    CorpusSchema("mimic-iii", tuple(f"mimic-iii/{n}.sql" for n in (
        "postgres_create_tables_pg10", "postgres_add_indexes", "postgres_add_comments",
        "postgres_add_constraints")),
                 prelude="CREATE SCHEMA mimiciii;\nSET search_path TO mimiciii;\n"),
    CorpusSchema("supabase-auth", ("supabase-auth/auth-migrations.sql",),
                 prelude="CREATE SCHEMA auth;\n"),
    CorpusSchema("trigger-dev", ("trigger-dev/prisma-migrations.sql",)),
)}


@dataclass(frozen=True)
class DbmlPair:
    """A DBML file and the SQL schema (a key of :data:`SQL_SCHEMAS`) it describes."""

    name: str
    dbml: str  # corpus-relative
    sql: str
    # DBML cannot declare extensions or domains: its columns and defaults use them as things
    # the database must provide. When set, the SQL import's extensions and domains are created
    # in the DBML's database before upgrading (so they are no part of the measure).
    provide_types: bool = False
    # (wrong, right, why): corrections of the DBML text where the file itself is broken
    corrections: tuple[tuple[str, str, str], ...] = ()

    def text(self) -> str:
        text = (CORPUS / self.dbml).read_text(encoding="utf-8")
        for wrong, right, _ in self.corrections:
            if wrong not in text:
                raise AssertionError(f"{self.dbml}: correction {wrong!r} no longer applies")
            text = text.replace(wrong, right)
        return text


DBML_PAIRS: dict[str, DbmlPair] = {p.name: p for p in (
    DbmlPair("adventureworks-dbml", "adventureworks/adventureworks.dbml", "adventureworks",
             provide_types=True, corrections=((
                 "`'/'::charactervarying`", "`'/'::character varying`",
                 "the DBML renders pg_dump's '/'::character varying without its space (a type "
                 "that does not exist); holistics/dbml's importer bug, not ours"),)),
    DbmlPair("db2dbml-dbml", "dbml-db2dbml-postgres/schema.dbml", "db2dbml"),
)}

# DBML files without an SQL twin: only that they export and upgrade cleanly is checked.
DBML_ALONE: dict[str, str] = {
    "pydbml-test-schema": "pydbml-test-schema/test_schema.dbml",
    "azimutt-dbml-complex": "azimutt-dbml-complex/complex.dbml",
    "dbml-bench-18k": "dbml-bench-18k/18k.dbml",
}


# --- steps ---------------------------------------------------------------------------------

# Where the extensions come from (scripts/setup.sh --test installs them for the local server)
EXTENSION_PACKAGES = ("Debian: contrib ones come with postgresql-N; postgis with "
                      "postgresql-N-postgis-3, plperlu with postgresql-plperl-N")


def available_extensions(server: PgServer) -> set[str]:
    with psycopg.connect(server.url) as conn:
        return {r[0] for r in conn.execute("SELECT name FROM pg_available_extensions")}


def missing_extensions(server: PgServer, spec: CorpusSchema) -> list[str]:
    have = available_extensions(server)
    return [e for e in spec.extensions if e not in have]


@contextmanager
def database(server: PgServer, options: str = "") -> Iterator[str]:
    """A new empty database on ``server`` (dropped on exit); yields its URL."""
    if options:
        name = f"f_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(server.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}" {options}')
        url = server.url_for(name)
    else:
        url = server.create_database("f")
    try:
        yield url
    finally:
        server.drop_database(url)


def psql_run(server: PgServer, url: str, text: str, *,
             variables: Mapping[str, str] | None = None,
             check_function_bodies: bool = True) -> list[str]:
    """Run a script with psql, errors not stopping it; returns the ERROR lines."""
    args = [server.tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=0"]
    for key, value in (variables or {}).items():
        args += ["-v", f"{key}={value}"]
    env = {**os.environ, "PGOPTIONS": "-c client_min_messages=error"
           + ("" if check_function_bodies else " -c check_function_bodies=off")}
    done = subprocess.run([*args, url], input=text, capture_output=True, text=True,
                          timeout=600, env=env)
    return [line for line in done.stderr.splitlines() if "ERROR" in line]


def load_original(server: PgServer, url: str, spec: CorpusSchema) -> list[str]:
    """Load ``spec`` into ``url`` as its SOURCE.md says; returns the ERROR lines psql printed.

    Unless ``spec.session_per_file``, all files go through one psql session, so ``SET
    search_path`` in the prelude or in one file holds for the next ones (as InitDb.pl's single
    session does). With it, each file gets a psql of its own (the prelude runs in each), so a
    file sees the database's settings (``ALTER DATABASE ... SET search_path``), not the
    previous file's ``SET``.
    """
    parts = []
    for _, text in spec.file_texts():
        parts.append(spec.psql_transform(text) if spec.psql_transform else text)
    scripts = ([f"{spec.prelude}\n{p}" if spec.prelude else p for p in parts]
               if spec.session_per_file else
               ["\n".join([spec.prelude, *parts] if spec.prelude else parts)])
    errors: list[str] = []
    if spec.psql_setup:
        errors += psql_run(server, url, spec.psql_setup)
    for script in scripts:
        errors += psql_run(server, url, script, variables=spec.variables,
                           check_function_bodies=spec.check_function_bodies)
    return errors


def unexpected_load_errors(spec: CorpusSchema, errors: list[str]) -> list[str]:
    return [e for e in errors
            if not any(re.search(p, e) for p in spec.expected_load_errors)]


def import_spec(spec: CorpusSchema) -> ImportResult:
    return import_sql(spec.texts(), variables=spec.variables)


def import_dbml_file(relative: str) -> ImportResult:
    return import_dbml([(relative, (CORPUS / relative).read_text(encoding="utf-8"))])


def export_bundle(schema: Schema, root: Path, slug: str) -> Path:
    """Write the export of ``schema`` as a single imported baseline version into ``root``."""
    version = VersionInput(number=1, message="Imported baseline", author="fidelity",
                           created="2026-01-01", schema=schema, baseline=True)
    for path, data in build_bundle([version], slug=slug).items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return root


def provided_sql(schema: Schema) -> str:
    """CREATE EXTENSION and CREATE DOMAIN statements for what ``schema`` has of those."""
    out = [f"CREATE EXTENSION IF NOT EXISTS {quote(e.name)}"
           + (f" WITH SCHEMA {quote(e.namespace)};" if e.namespace else ";")
           for e in schema.extensions]
    for d in schema.domains:
        if d.namespace != "public":
            out.append(f"CREATE SCHEMA IF NOT EXISTS {quote(d.namespace)};")
        sql = f"CREATE DOMAIN {quote(d.namespace)}.{quote(d.name)} AS {d.base.sql(schema)}"
        if d.default is not None:
            sql += f" DEFAULT {d.default}"
        if d.not_null:
            sql += " NOT NULL"
        sql += "".join(f" CONSTRAINT {quote(c.name)} CHECK ({c.expression})" for c in d.checks)
        out.append(sql + ";")
    return "\n".join(out)


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


class UpgradeError(RuntimeError):
    """``alembic upgrade head`` failed; the message ends with its output."""


def alembic(bundle: Path, url: str, *args: str,
            timeout: int = 600) -> subprocess.CompletedProcess[str]:
    """Run the bundle's own ``alembic`` CLI (a subprocess) against ``url``."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE")}
    env.update(DATABASE_URL=url, DIRECT_DATABASE_URL=url)
    return subprocess.run([str(VENV_BIN / "alembic"), *args], cwd=bundle, env=env,
                          capture_output=True, text=True, timeout=timeout)


def _tail(proc: subprocess.CompletedProcess[str], lines: int = 25) -> str:
    return "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-lines:])


def alembic_upgrade(bundle: Path, url: str, timeout: int = 600) -> None:
    proc = alembic(bundle, url, "upgrade", "head", timeout=timeout)
    if proc.returncode != 0:
        raise UpgradeError(f"alembic upgrade head failed ({proc.returncode}):\n{_tail(proc)}")


# What a database holds besides the system's and the extensions' own objects (the version
# table left out): after ``alembic downgrade base`` there must be nothing.
_LEFTOVERS = """
WITH user_ns AS (
  SELECT oid, nspname FROM pg_namespace
  WHERE nspname NOT IN ('pg_catalog', 'information_schema') AND nspname !~ '^pg_(toast|temp)'),
ext AS (SELECT classid, objid FROM pg_depend WHERE deptype = 'e')
SELECT 'schema ' || quote_ident(nspname) FROM user_ns WHERE nspname <> 'public'
UNION ALL
SELECT 'extension ' || extname FROM pg_extension WHERE extname <> 'plpgsql'
UNION ALL
SELECT 'relation ' || c.oid::regclass::text FROM pg_class c JOIN user_ns n ON n.oid = c.relnamespace
 WHERE c.relkind IN ('r', 'p', 'v', 'm', 'S', 'f', 'c')
   AND (c.relkind <> 'c' OR NOT EXISTS (SELECT 1 FROM pg_type t WHERE t.typrelid = c.oid
                                        AND EXISTS (SELECT 1 FROM ext WHERE objid = t.oid)))
   AND NOT (n.nspname = current_schema() AND c.relname = %(version_table)s)
   AND NOT EXISTS (SELECT 1 FROM ext WHERE classid = 'pg_class'::regclass AND objid = c.oid)
UNION ALL
SELECT 'function ' || p.oid::regprocedure::text FROM pg_proc p JOIN user_ns n
    ON n.oid = p.pronamespace
 WHERE NOT EXISTS (SELECT 1 FROM ext WHERE classid = 'pg_proc'::regclass AND objid = p.oid)
UNION ALL
SELECT 'type ' || t.oid::regtype::text FROM pg_type t JOIN user_ns n ON n.oid = t.typnamespace
 WHERE t.typtype IN ('b', 'd', 'e', 'r', 'm')
   AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.typarray = t.oid)
   AND NOT EXISTS (SELECT 1 FROM ext WHERE classid = 'pg_type'::regclass AND objid = t.oid)
UNION ALL
SELECT 'operator ' || o.oid::regoperator::text FROM pg_operator o JOIN user_ns n
    ON n.oid = o.oprnamespace
 WHERE NOT EXISTS (SELECT 1 FROM ext WHERE classid = 'pg_operator'::regclass AND objid = o.oid)
UNION ALL
SELECT 'cast ' || format_type(castsource, NULL) || ' AS ' || format_type(casttarget, NULL)
  FROM pg_cast c WHERE c.oid >= 16384
   AND NOT EXISTS (SELECT 1 FROM ext WHERE classid = 'pg_cast'::regclass AND objid = c.oid)
UNION ALL
SELECT 'collation ' || c.oid::regcollation::text FROM pg_collation c JOIN user_ns n
    ON n.oid = c.collnamespace
UNION ALL
SELECT 'text search configuration ' || c.oid::regconfig::text FROM pg_ts_config c
  JOIN user_ns n ON n.oid = c.cfgnamespace
UNION ALL
SELECT 'text search dictionary ' || d.oid::regdictionary::text FROM pg_ts_dict d
  JOIN user_ns n ON n.oid = d.dictnamespace
UNION ALL
SELECT 'event trigger ' || evtname FROM pg_event_trigger
ORDER BY 1
"""


def leftovers(url: str, version_table: str = VERSION_TABLE) -> list[str]:
    """What ``url`` holds besides the version table (see :data:`_LEFTOVERS`)."""
    with psycopg.connect(url) as conn:
        return [r[0] for r in conn.execute(_LEFTOVERS, {"version_table": version_table})]


def without_version_table(catalog: Catalog, version_table: str = VERSION_TABLE) -> Catalog:
    """The catalog without Alembic's bookkeeping table (``public.<version_table>``)."""
    qualified = f"public.{version_table}"

    def keep(row: tuple[object, ...]) -> bool:
        if row[0] == qualified:  # tables, columns, primary keys, indexes
            return False
        target = row[1] if len(row) > 1 and isinstance(row[1], str) else ""
        return not (target == qualified or target.startswith(qualified + "."))

    return replace(catalog, **{name: frozenset(r for r in catalog.category(name) if keep(r))
                               for name in ("tables", "columns", "primary_keys", "indexes",
                                            "comments", "table_options")})


def migrated_catalog(server: PgServer, schema: Schema, workdir: Path, slug: str,
                     setup: str = "") -> Catalog:
    """Export ``schema``, upgrade an empty database with it, read that database's catalog.
    ``setup``: SQL run on the empty database first (what the environment must provide)."""
    bundle = export_bundle(schema, workdir / slug, slug)
    with database(server) as url:
        if setup:
            with psycopg.connect(url, autocommit=True) as conn:
                conn.execute(setup.encode())
        alembic_upgrade(bundle, url)
        return without_version_table(read_catalog(url), version_table_name([schema]))


@dataclass
class Loop:
    """The rest of the loop on database B after the first upgrade: ``alembic check``, then
    ``alembic downgrade base``, then ``alembic upgrade head`` again. A step that could not run
    (an earlier one failed) is None; ``output``: what the first failing step printed."""

    check_clean: bool | None = None
    down_ok: bool | None = None
    leftovers: list[str] = field(default_factory=list)  # after the downgrade
    again_ok: bool | None = None
    again: Report | None = None  # the second upgrade's catalog vs the original
    # the same for the kept objects (objects_report), when the loop was asked to compare them
    again_objects: Report | None = None
    output: str = ""

    @property
    def down_empty(self) -> bool | None:
        return None if not self.down_ok else not self.leftovers

    @property
    def again_identical(self) -> bool | None:
        if self.again is None:
            return None
        return self.again.ok and (self.again_objects is None or self.again_objects.ok)

    @property
    def ok(self) -> bool:
        return bool(self.check_clean and self.down_empty and self.again_identical)


@dataclass
class RoundTrip:
    """What one round trip measured: ``raw`` compares everything, ``report`` after the
    exclusions (``touched``: rows each exclusion rewrote); ``loop``: check, down and up
    again (when asked for)."""

    name: str
    raw: Report
    report: Report
    result: ImportResult
    touched: dict[str, int] = field(default_factory=dict)
    load_errors: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    expected: Catalog | None = None
    actual: Catalog | None = None
    loop: Loop | None = None


class _Clock:
    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, step: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[step] = self.seconds.get(step, 0.0) + time.perf_counter() - start


def _compared(name: str, expected: Catalog, actual: Catalog, exclusions: Sequence[Exclusion],
              result: ImportResult, clock: _Clock, load_errors: list[str]) -> RoundTrip:
    with clock("compare"):
        raw = compare(expected, actual)
        e, a, touched = apply_exclusions(expected, actual, exclusions)
        report = compare(e, a)
    return RoundTrip(name, raw, report, result, touched, load_errors, clock.seconds, expected,
                     actual)


def run_loop(bundle: Path, url: str, expected: Catalog, exclusions: Sequence[Exclusion],
             clock: _Clock, version_table: str = VERSION_TABLE, *,
             objects: bool = False) -> Loop:
    """``alembic check``, ``downgrade base``, what is left, ``upgrade head`` again and its
    catalog against ``expected`` (after the exclusions), on the upgraded database ``url``;
    ``version_table``: the export's (:func:`version_table_name`); ``objects``: the kept
    objects compared too (:func:`objects_report`)."""
    loop = Loop()
    with clock("check"):
        proc = alembic(bundle, url, "check")
    loop.check_clean = proc.returncode == 0
    if not loop.check_clean:
        loop.output = "alembic check:\n" + _tail(proc)
    with clock("downgrade"):
        proc = alembic(bundle, url, "downgrade", "base")
    loop.down_ok = proc.returncode == 0
    if not loop.down_ok:
        loop.output += "\nalembic downgrade base:\n" + _tail(proc)
        return loop
    loop.leftovers = leftovers(url, version_table)
    with clock("upgrade again"):
        proc = alembic(bundle, url, "upgrade", "head")
    loop.again_ok = proc.returncode == 0
    if not loop.again_ok:
        loop.output += "\nalembic upgrade head (again):\n" + _tail(proc)
        return loop
    with clock("compare"):
        again = without_version_table(read_catalog(url), version_table)
        e, a, _ = apply_exclusions(expected, again, exclusions)
        loop.again = compare(e, a)
        if objects:
            loop.again_objects = objects_report(expected, again)
    return loop


def original_catalog(server: PgServer, spec: CorpusSchema) -> tuple[Catalog, list[str]]:
    """Database A's catalog, and the ERROR lines psql printed while loading it."""
    with database(server, spec.create_options) as url:
        errors = load_original(server, url, spec)
        return read_catalog(url), errors


def sql_round_trip(server: PgServer, spec: CorpusSchema, workdir: Path,
                   exclusions: Sequence[Exclusion] = (), *, loop: bool = False) -> RoundTrip:
    """Original (psql) vs import → bundle → upgrade, for one SQL schema of the corpus; with
    ``loop``, then check, downgrade to empty and upgrade again (:func:`run_loop`)."""
    clock = _Clock()
    with clock("load"):
        expected, errors = original_catalog(server, spec)
    with clock("import"):
        result = import_spec(spec)
    with clock("export+upgrade"):
        bundle = export_bundle(result.schema, workdir / spec.name, spec.name)
    version_table = version_table_name([result.schema])
    with database(server) as url:
        with clock("export+upgrade"):
            alembic_upgrade(bundle, url)
            actual = without_version_table(read_catalog(url), version_table)
        trip = _compared(spec.name, expected, actual, exclusions, result, clock, errors)
        if loop:
            trip.loop = run_loop(bundle, url, expected, exclusions, clock, version_table,
                                 objects=True)
    return trip


def dbml_round_trip(server: PgServer, pair: DbmlPair, workdir: Path,
                    sql_catalog: Catalog | None = None,
                    exclusions: Sequence[Exclusion] = ()) -> RoundTrip:
    """The DBML import's database vs the SQL import's database (``sql_catalog``: that
    database's catalog when the caller has it already)."""
    clock = _Clock()
    sql = SQL_SCHEMAS[pair.sql]
    if sql_catalog is None:
        with clock("sql import+export+upgrade"):
            sql_catalog = migrated_catalog(server, import_spec(sql).schema, workdir, sql.name)
    with clock("import"):
        result = import_dbml([(pair.dbml, pair.text())])
    with clock("export+upgrade"):
        setup = provided_sql(import_spec(sql).schema) if pair.provide_types else ""
        actual = migrated_catalog(server, result.schema, workdir, pair.name, setup)
    return _compared(pair.name, sql_catalog, actual, exclusions, result, clock, [])


# --- the kept objects (tests.catalog.OBJECTS) --------------------------------------------

_OWN_TRIGGER = re.compile(r"CREATE TRIGGER (\S+) BEFORE UPDATE ON (\S+) FOR EACH ROW "
                          r"EXECUTE FUNCTION (\S+)\(\)")
# the export's function: UPDATED_AT_FUNCTION, or set_updated_at_1... when the design keeps
# a routine of that name (modeler.codegen.sqlwriter.updated_at_function)
_OWN_FUNCTION = re.compile(rf"public\.{UPDATED_AT_FUNCTION}(?:_[0-9]+)?")
_BODY = re.compile(r"\$function\$(.*)\$function\$", re.DOTALL)


def _export_updated_at(expected: Catalog, actual: Catalog) -> tuple[Catalog, Catalog]:
    """The export's own ``updated_at`` maintenance left out (modeler.schema.updated_at): on
    the database side, its function and its ``trg_<table>_updated_at`` triggers where the
    original has none of that name; on the original's side, the plain triggers the import
    recognised and left to it (BEFORE UPDATE, each row, a function that only stamps the
    time), on the tables where the export has its own."""
    plain = {r[0] for r in expected.routines
             if r[2] and (m := _BODY.search(r[2])) and plain_body(m.group(1))}
    ours: set[str] = set()
    triggers = set(actual.triggers)
    for row in actual.triggers - expected.triggers:
        m = _OWN_TRIGGER.fullmatch(row[2])
        if m and row[1] == f"trg_{row[0].split('.')[-1].strip(chr(34))}_updated_at"[:63] \
                and _OWN_FUNCTION.fullmatch(m.group(3)):
            triggers.discard(row)
            ours.add(row[0])
    kept = {r[0] for r in expected.routines}
    routines = {r for r in actual.routines if r[0] in kept
                or not (r[0].endswith("()") and _OWN_FUNCTION.fullmatch(r[0][:-2]))}
    left = {r for r in expected.triggers - actual.triggers
            if r[0] in ours and (m := _OWN_TRIGGER.fullmatch(r[2])) and f"{m.group(3)}()"
            in plain}
    return (replace(expected, triggers=expected.triggers - left),
            replace(actual, triggers=frozenset(triggers), routines=frozenset(routines)))


def _not_modelled(expected: Catalog, actual: Catalog) -> Catalog:
    """What the model does not carry of a table, left out of the original's row where the
    database has the same row without it (the import warns of it): INHERITS parents (the
    columns are copied). (UNLOGGED and storage parameters, ``WITH (fillfactor = 80)``, are
    kept as SQL on the table and compared.)"""
    rows = set(expected.table_options)
    for row in expected.table_options - actual.table_options:
        plain = (*row[:-1], None)
        if plain in actual.table_options:
            rows.discard(row)
            rows.add(plain)
    return replace(expected, table_options=frozenset(rows))


def objects_report(expected: Catalog, actual: Catalog) -> Report:
    """:func:`tests.catalog.compare` of the kept objects (sequences, views, routines,
    triggers, policies, rules, table options), once the export's own updated_at triggers
    and what the model does not carry of a table are left out (the two functions above)."""
    expected, actual = _export_updated_at(expected, actual)
    return compare(_not_modelled(expected, actual), actual, categories=OBJECTS)
