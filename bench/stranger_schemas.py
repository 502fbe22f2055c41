"""Round trips on schemas nobody tuned the product for: real applications' databases.

    .venv/bin/python bench/stranger_schemas.py [--only NAME,...] [--details N] [--no-drizzle]
                                               [--drizzle NAME] [--keep DIR] [--no-debian]

Recipe, for each application of :data:`APPS` (none of them in ../shared/corpus):

1. install it from PyPI into a virtualenv of its own under ``.cache/stranger/<group>/``
   (created with the interpreter running this script; ``pip install`` again only when the
   package list changed), or from the npm registry (``npm install`` there: graphile-worker,
   pg-boss);
2. build its database with its own migrations (Django: ``django-admin migrate`` with a
   generated minimal settings module; pretix: ``python -m pretix migrate`` with a generated
   config file; MLflow: ``mlflow db upgrade``; Tryton: ``trytond-admin --all -u sale purchase
   --activate-dependencies``; Airflow: ``airflow db migrate``; Indico: ``indico db
   prepare``; Mailman: ``mailman info``; PgQueuer: ``pgq install``; Optuna: ``optuna
   create-study``; Buildbot: ``buildbot create-master``; Prefect: ``prefect server database
   upgrade``; Dagster: ``dagster instance migrate``; npm packages: their
   installers run with node, see :data:`NODE_BUILDS`) in a throw-away PostgreSQL
   (``TEST_DATABASE_URL`` when set, else a cluster of tests/pgtemp.py; its databases are
   named ``h6_<schema>_...`` and dropped afterwards);
3. ``pg_dump --schema-only --no-owner --no-privileges`` it (into a temporary directory, or
   ``--keep DIR``; the dumps are third-party text and are never committed);

and for each package of :data:`DEBIAN` (hand-written DDL, not pg_dump's): ``apt-get
download`` + ``dpkg-deb -x`` into ``.cache/stranger/debian`` (once; a PyPI package's wheel
with ``pip download --no-deps`` and unzipped, an npm package with ``npm pack`` and
untarred, into ``.cache/stranger/pypi`` or ``npm``: see :func:`fetch_package`), its SQL
files joined in the order its installer runs them (with what the installer does around
them: a schema first, MediaWiki's COMMIT last, bucardo's own user and database left out; an
extension's script as CREATE EXTENSION runs it: its schema, its search_path, without its
extension-only calls, its C functions replaced by PL/pgSQL stand-ins (by hand, or every
one by :func:`c_stand_ins`), after its upgrade scripts where the package ships the first
version and its updates (pg_cron); logto's tables as its CLI orders them,
:func:`logto_tables`; a Prisma migration history in order, :func:`prisma_migrations`;
Synapse's full schema and SQL deltas as its ``prepare_database`` runs them,
:func:`synapse_schema`),
loaded with psql. Then for both:

4. ``sql``: the file through tests/fidelity/roundtrip.py as the corpus goes through it:
   the file loaded by psql (database A) vs import → Alembic bundle → ``alembic upgrade
   head`` (B), then ``alembic check``, ``downgrade base`` (empty), ``upgrade head`` again;
5. ``live``: the database of step 2 (or the psql-loaded file) through the live importer
   (:func:`modeler.importers.import_live`, what ``manage.py import_schema --url`` runs) →
   bundle → upgrade, compared with that database, then the same loop;
6. ``drizzle`` (``--drizzle A,B`` or ``all``; default ``oscar``): the Drizzle bundle of the SQL
   import compiled with ``tsc --noEmit`` (strict), ``drizzle-kit migrate`` on an empty
   database compared with the Alembic bundle's catalog, then ``drizzle-kit generate``/
   ``check`` clean (tests/drizzle/test_migrate.py's ``round_trip``; needs node and npm,
   toolchain from tests/drizzle/toolchain.py).

Prints per schema: the package versions, table count, the fidelity line of each import
(bench/fidelity.py's format) and ``PASS``/``FAIL`` per step. Figures are wall clock.
Needs PyPI and Debian's archive for the first run (package registries only).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import fidelity as fb  # noqa: E402  (bench/fidelity.py: its report format)
import psycopg  # noqa: E402

from modeler.codegen.version_table import version_table_name  # noqa: E402
from modeler.importers import import_live  # noqa: E402
from tests.catalog import read_catalog  # noqa: E402
from tests.fidelity import roundtrip as rt  # noqa: E402
from tests.pgtemp import PgServer  # noqa: E402

CACHE = ROOT / ".cache" / "stranger"


@dataclass(frozen=True)
class Group:
    """A virtualenv and what it gets from PyPI."""

    name: str
    packages: tuple[str, ...]
    registry: str = "pypi"  # or "npm": ``npm install`` into .cache/stranger/<name>/


GROUPS = {g.name: g for g in (
    Group("wagtail", ("psycopg[binary]", "wagtail", "django-allauth")),
    Group("oscar", ("psycopg[binary]", "django-oscar", "django-cms", "django-filer")),
    Group("mlflow", ("psycopg2-binary", "mlflow-skinny", "sqlalchemy", "alembic")),
    Group("pretix", ("pretix",)),  # pins its own Django and more: a venv of its own
    Group("djextra", ("psycopg[binary]", "dj-stripe", "django-oauth-toolkit",
                      "django-celery-beat", "django-celery-results", "django-simple-history",
                      "django-guardian", "django-axes", "django-reversion")),
    Group("trytond", ("psycopg[binary,pool]", "trytond", "trytond-sale", "trytond-purchase")),
    Group("airflow", ("psycopg2-binary", "asyncpg", "apache-airflow")),
    Group("pgtrigger", ("psycopg[binary]", "django-pghistory", "django-pgtrigger")),
    Group("indico", ("indico",)),
    Group("mailman", ("mailman", "psycopg2-binary")),  # Python 3.11: indico 3.2 (3.3 wants 3.12)
    Group("npm", ("graphile-worker", "pg-boss", "pg"), registry="npm"),
    Group("pgqueuer", ("pgqueuer", "psycopg[binary]")),
    # fourth round: SQLAlchemy applications (create_all and Alembic)
    Group("optuna", ("optuna", "psycopg2-binary")),
    Group("buildbot", ("buildbot", "psycopg2-binary")),
    Group("prefect", ("prefect", "asyncpg")),
    Group("dagster", ("dagster", "dagster-postgres")),
    Group("watson", ("psycopg[binary]", "django", "django-watson")),  # seventh round
    Group("partaudit", ("psycopg[binary]", "django", "django-partitioned-audit")),
    # eighth round
    Group("dbos", ("dbos",)),
    Group("hordak", ("psycopg[binary]", "django-hordak")),
    Group("djledger", ("psycopg[binary]", "django-ledger")),
    # ninth round
    Group("knex", ("knex", "pg"), registry="npm"),  # Backstage plugins' knex migrations
    Group("pgaudit-sa", ("psycopg2-binary", "sqlalchemy", "postgresql-audit")),
)}

DJANGO_BASE = ["django.contrib.admin", "django.contrib.auth", "django.contrib.contenttypes",
               "django.contrib.sessions", "django.contrib.messages",
               "django.contrib.staticfiles", "django.contrib.sites"]


@dataclass(frozen=True)
class App:
    """One application's database: built by ``kind`` ("django", "mlflow", "pretix",
    "trytond", "airflow", "indico", "mailman", "pgqueuer", "optuna", "buildbot", "prefect",
    "dagster", "dbos", "node": an npm package's own installer, or "python": a script of
    :data:`PYTHON_BUILDS` using the package's API)."""

    name: str
    group: str
    kind: str
    shown: tuple[str, ...]  # the distributions whose versions the report names
    apps: tuple[str, ...] = ()  # Django: INSTALLED_APPS after DJANGO_BASE ("oscar": its own)
    middleware: tuple[str, ...] = ()
    after: tuple[tuple[str, ...], ...] = ()  # Django: commands run after migrate


APPS = {a.name: a for a in (
    App("wagtail", "wagtail", "django", ("wagtail",), (
        "wagtail.contrib.forms", "wagtail.contrib.redirects", "wagtail.contrib.settings",
        "wagtail.contrib.search_promotions", "wagtail.contrib.simple_translation",
        "wagtail.locales", "wagtail.embeds", "wagtail.sites", "wagtail.users",
        "wagtail.snippets", "wagtail.documents", "wagtail.images", "wagtail.search",
        "wagtail.admin", "wagtail", "modelcluster", "taggit")),
    App("allauth", "wagtail", "django", ("django-allauth",), (
        "allauth", "allauth.account", "allauth.socialaccount", "allauth.mfa",
        "allauth.usersessions", "allauth.socialaccount.providers.github"),
        ("allauth.account.middleware.AccountMiddleware",)),
    App("oscar", "oscar", "django", ("django-oscar",), ("oscar",),
        ("oscar.apps.basket.middleware.BasketMiddleware",)),
    App("cms", "oscar", "django", ("django-cms", "django-filer"), (
        "cms", "menus", "treebeard", "sekizai", "filer", "easy_thumbnails")),
    App("mlflow", "mlflow", "mlflow", ("mlflow-skinny",)),
    App("pretix", "pretix", "pretix", ("pretix",)),  # its migrations take minutes of CPU
    App("djstripe", "djextra", "django", ("dj-stripe",), ("djstripe",)),
    App("oauth-toolkit", "djextra", "django", ("django-oauth-toolkit",), ("oauth2_provider",)),
    App("celery", "djextra", "django", ("django-celery-beat", "django-celery-results"),
        ("django_celery_beat", "django_celery_results")),
    App("djmisc", "djextra", "django", (
        "django-simple-history", "django-guardian", "django-axes", "django-reversion"),
        ("simple_history", "guardian", "axes", "reversion")),
    App("trytond", "trytond", "trytond", ("trytond", "trytond-sale", "trytond-purchase"),
        ("sale", "purchase")),  # modules activated with their dependencies
    App("airflow", "airflow", "airflow", ("apache-airflow",)),
    App("pghistory", "pgtrigger", "django", ("django-pghistory", "django-pgtrigger"),
        ("pgtrigger", "pghistory", "pghistory.admin")),  # its migrations install triggers
    App("indico", "indico", "indico", ("indico",)),  # several schemas, two extensions
    App("mailman", "mailman", "mailman", ("mailman",)),  # mailman info: its schema made
    # npm: the package's own installer, run with node (see NODE_BUILDS)
    App("graphile-worker", "npm", "node", ("graphile-worker",)),
    App("pg-boss", "npm", "node", ("pg-boss",)),
    App("pgqueuer", "pgqueuer", "pgqueuer", ("pgqueuer",)),  # pgq install: UNLOGGED tables
    # fourth round
    App("optuna", "optuna", "optuna", ("optuna",)),  # create_all: SQLAlchemy Enum types
    App("buildbot", "buildbot", "buildbot", ("buildbot",)),  # create-master: its Alembic
    App("prefect", "prefect", "prefect", ("prefect",)),  # Alembic on asyncpg; pg_trgm
    App("dagster", "dagster", "dagster", ("dagster", "dagster-postgres")),
    # seventh round: on PostgreSQL its migration installs a tsvector column, its trigger
    App("watson", "watson", "django", ("django-watson",), ("watson",)),  # and a GIN index
    # a table PARTITION BY RANGE made after migrate (hstore, statement and row audit
    # functions), then its partitions by its own command (dated: today and the next days)
    App("partitioned-audit", "partaudit", "django", ("django-partitioned-audit",),
        ("django_partitioned_audit",), after=(("manage_partition_tables", "create"),)),
    # eighth round: a durable-workflow library's 100+ migrations (CONCURRENTLY indexes,
    App("dbos", "dbos", "dbos", ("dbos",)),  # a schema of its own), double-entry
    App("hordak", "hordak", "django", ("django-hordak",), ("mptt", "hordak")),  # bookkeeping
    # (PL/pgSQL constraint triggers in its migrations), an accounting application
    App("django-ledger", "djledger", "django", ("django-ledger",), ("django_ledger",)),
    # ninth round: knex migrations shipped in npm packages (knex's schema builder, raw SQL:
    # extended statistics, per-table autovacuum, views), run by knex's own migrator
    App("backstage-catalog", "knex", "node", ("@backstage/plugin-catalog-backend", "knex")),
    App("backstage-auth", "knex", "node", ("@backstage/plugin-auth-backend", "knex")),
    # SQLAlchemy create_all with postgresql-audit's templates: a jsonb '-' operator,
    # statement-level triggers with transition tables on an audited table
    App("postgresql-audit", "pgaudit-sa", "python", ("postgresql-audit", "sqlalchemy")),
)}

# what each npm package runs to build its database (STRANGER_URL in the environment)
NODE_BUILDS = {
    "graphile-worker": ("node_modules/.bin/graphile-worker", "--schema-only", "-c", "{url}"),
    "pg-boss": ("node", "-e", (  # start() installs its schema; a queue adds partitions
        "const PgBoss = require('pg-boss'); (async () => {"
        " const b = new PgBoss(process.env.STRANGER_URL); b.on('error', e => {});"
        " await b.start(); await b.createQueue('bench_queue');"
        " await b.stop({graceful: false, wait: true}); })()"
        ".catch(e => { console.error(e); process.exit(1); });")),
    **dict.fromkeys(("backstage-catalog", "backstage-auth"), ("node", "-e", (  # knex's
        "const knex = require('knex')({client: 'pg', connection: process.env.STRANGER_URL});"
        " knex.migrate.latest({directory: process.env.STRANGER_PACKAGE + '/package/migrations'})"
        ".then(() => knex.destroy())"  # migrator on the package's migrations folder
        ".catch(e => { console.error(e); process.exit(1); });"))),
}
# the npm package (fetched with :func:`fetch_package`, not installed) whose files a build
# reads: STRANGER_PACKAGE in its environment
NODE_PACKAGES = {"backstage-catalog": "@backstage/plugin-catalog-backend",
                 "backstage-auth": "@backstage/plugin-auth-backend"}

# kind "python": a script run by the group's interpreter (STRANGER_URL in the environment)
PYTHON_BUILDS = {
    "postgresql-audit": """\
import os
import sqlalchemy as sa
from sqlalchemy.orm import declarative_base
from postgresql_audit import versioning_manager

Base = declarative_base()
versioning_manager.init(Base)  # its README's set-up: activity and transaction tables


class Article(Base):
    __tablename__ = "article"
    __versioned__ = {}
    id = sa.Column(sa.Integer, primary_key=True)
    name = sa.Column(sa.String(200))
    content = sa.Column(sa.Text)


sa.orm.configure_mappers()
engine = sa.create_engine(
    os.environ["STRANGER_URL"].replace("postgresql://", "postgresql+psycopg2://", 1))
tables = Base.metadata.sorted_tables  # its own tables first: their creation makes the
Base.metadata.create_all(engine, tables=[t for t in tables if t.name != "article"])
Base.metadata.create_all(engine)  # functions that auditing "article" calls
""",
}



@dataclass(frozen=True)
class DebSchema:
    """Hand-written DDL a Debian package ships: its files (inside the package), in order."""

    name: str
    package: str
    files: tuple[str, ...]
    prelude: str = ""  # what the package's installer does first
    drop: str = ""  # a line prefix psql must not see (an extension script's guard)
    replace: tuple[tuple[str, str], ...] = ()
    epilogue: str = ""  # what the installer does last (MediaWiki's file BEGINs, never COMMITs)
    also: tuple[str, ...] = ()  # packages whose files come first ("../<package>/..." in files)
    registry: str = "debian"  # or "pypi" (its wheel, unzipped) or "npm" (``npm pack``, untarred)
    assemble: str = ""  # a function of ASSEMBLERS joins the files instead (files: none)
    c_stubs: bool = False  # every LANGUAGE C function becomes a PL/pgSQL stand-in that raises


DEBIAN = {d.name: d for d in (
    DebSchema("pdns", "pdns-backend-pgsql",
              ("usr/share/pdns-backend-pgsql/schema/schema.pgsql.sql",)),
    DebSchema("icinga2-ido", "icinga2-ido-pgsql",
              ("usr/share/icinga2-ido-pgsql/schema/pgsql.sql",)),
    DebSchema("bacula", "bacula-director-pgsql",
              ("usr/share/dbconfig-common/data/bacula-director-pgsql/install/pgsql",)),
    DebSchema("zabbix", "zabbix-server-pgsql", ("usr/share/zabbix-server-pgsql/schema.sql.gz",)),
    DebSchema("request-tracker", "request-tracker5", ("usr/share/request-tracker5/etc/schema.Pg",)),
    DebSchema("roundcube", "roundcube-core",
              ("usr/share/roundcube/SQL/postgres.initial.sql",)),
    DebSchema("freeradius", "freeradius-config", tuple(
        f"etc/freeradius/3.0/mods-config/sql/{p}/postgresql/{f}.sql"
        for p, f in (("main", "schema"), ("ippool", "schema"), ("ippool", "procedure")))),
    DebSchema("pgagent", "pgagent", ("usr/share/postgresql/15/extension/pgagent--4.2.sql",),
              prelude="CREATE SCHEMA pgagent;\n", drop="\\echo",
              replace=(("@extschema@", "pgagent"),)),
    DebSchema("mediawiki", "mediawiki", tuple(
        f"usr/share/mediawiki/maintenance/postgres/{f}.sql"
        for f in ("tables-generated", "tables")), epilogue="COMMIT;\n"),
    DebSchema("kamailio", "kamailio-postgres-modules", tuple(
        f"usr/share/kamailio/postgres/{m}-create.sql" for m in (  # standard first: "version"
            "standard", "acc", "alias_db", "auth_db", "avpops", "carrierroute", "cpl",
            "dialog", "dialplan", "dispatcher", "domain", "domainpolicy", "drouting", "group",
            "htable", "imc", "lcr", "matrix", "mohqueue", "msilo", "mtree", "pdt",
            "permissions", "pipelimit", "presence", "purple", "registrar", "rls", "rtpengine",
            "rtpproxy", "sca", "secfilter", "siptrace", "speeddial", "topos", "uac",
            "uid_auth_db", "uid_avp_db", "uid_domain", "uid_gflags", "uid_uri_db", "uri_db",
            "userblocklist", "usrloc"))),
    DebSchema("ejabberd", "ejabberd", ("usr/share/ejabberd/sql/pg.sql",)),
    DebSchema("prelude", "prelude-manager",
              ("usr/share/dbconfig-common/data/prelude-manager/install/pgsql",)),
    DebSchema("oar", "oar-server", ("usr/lib/oar/database/pg_structure.sql",)),
    DebSchema("ulogd2", "ulogd2", ("usr/share/doc/ulogd2/pgsql-ulogd2.sql.gz",)),
    DebSchema("gnokii-smsd", "gnokii-smsd-pgsql",
              ("usr/share/doc/gnokii-smsd-pgsql/sms.tables.pq.sql",)),
    DebSchema("rsyslog", "rsyslog-pgsql",
              ("usr/share/dbconfig-common/data/rsyslog-pgsql/install/pgsql",)),
    DebSchema("bucardo", "bucardo", ("usr/share/bucardo/bucardo.schema",),
              drop="\\c ", replace=(  # its own user and database: the bench's instead
                  ("CREATE USER bucardo SUPERUSER;", ""),
                  ("CREATE DATABASE bucardo OWNER bucardo;", ""),
                  ("SET SESSION AUTHORIZATION bucardo;", ""),
                  ("ALTER DATABASE bucardo SET", "SET"))),
    DebSchema("ledgersmb", "ledgersmb", ("usr/share/ledgersmb/sql/Pg-database.sql",)),
    DebSchema("kea", "kea-admin", ("usr/share/kea/scripts/pgsql/dhcpdb_create.pgsql",)),
    DebSchema("tt-rss", "tt-rss", ("usr/share/tt-rss/schema/ttrss_schema_pgsql.sql",)),
    DebSchema("icingadb", "icingadb", ("usr/share/icingadb/schema/pgsql/schema.sql",)),
    DebSchema("gammu-smsd", "gammu-smsd", ("usr/share/doc/gammu-smsd/examples/pgsql.sql",)),
    # added later, nobody tuned for them (bench/stranger_schemas.py's second round)
    DebSchema("spamassassin", "spamassassin", tuple(
        f"usr/share/doc/spamassassin/sql/{f}_pg.sql"
        for f in ("awl", "bayes", "userpref", "txrep", "decodeshorturl"))),
    DebSchema("pmacct", "pmacct", tuple(
        f"usr/share/doc/pmacct/sql/pmacct-create-table_{v}.pgsql" for v in ("v9", "bgp_v1"))),
    DebSchema("davical", "davical", (  # create-database.sh, then update-davical-database
        "../libawl-php/usr/share/awl/dba/awl-tables.sql",
        "../libawl-php/usr/share/awl/dba/schema-management.sql",
        *(f"usr/share/davical/dba/{f}.sql" for f in (
            "davical", "caldav_functions", "rrule_functions", "views/dav_principal"))),
        also=("libawl-php",)),
    DebSchema("pg-partman", "postgresql-15-partman",
              ("usr/share/postgresql/15/extension/pg_partman--4.7.2.sql",),
              prelude="CREATE SCHEMA partman;\nSET search_path = partman;\n",  # as CREATE
              drop="SELECT pg_catalog.pg_extension_config_dump(",  # EXTENSION would run it
              replace=(("@extschema@", "partman"),)),
    DebSchema("mimeo", "postgresql-15-mimeo",  # inheritance, rules; needs dblink
              ("usr/share/postgresql/15/extension/mimeo--1.5.1.sql",),
              prelude="CREATE EXTENSION dblink;\nCREATE SCHEMA mimeo;\nSET search_path = mimeo;\n",
              drop="SELECT pg_catalog.pg_extension_config_dump(",
              replace=(("@extschema@", "mimeo"),)),
    DebSchema("pg-track-settings", "postgresql-15-pg-track-settings",
              ("usr/share/postgresql/15/extension/pg_track_settings--2.1.0.sql",),
              drop="SELECT pg_catalog.pg_extension_config_dump(",
              replace=(("@extschema@", "public"), ("\\echo Use", "-- \\echo Use"))),
    # third round: queues, replication, temporal tables; and raw SQL from PyPI and npm
    DebSchema("londiste", "postgresql-15-londiste-sql", (  # pgq (PL-only), pgq_node, londiste
        "../postgresql-15-pgq3/usr/share/postgresql/15/contrib/pgq_pl_only.sql",
        "../postgresql-15-pgq-node/usr/share/postgresql/15/contrib/pgq_node.sql",
        "usr/share/postgresql/15/contrib/londiste.sql"),  # inheritance, composite types
        also=("postgresql-15-pgq3", "postgresql-15-pgq-node")),
    DebSchema("slony", "slony1-2-bin", ("usr/share/slony1/slony1_base.2.2.11.sql",),
              prelude='CREATE SCHEMA "_bench";\n',  # slonik's cluster "bench"
              replace=(("@NAMESPACE@", '"_bench"'),)),
    DebSchema("periods", "postgresql-15-periods",  # domains, exclusion constraints
              ("usr/share/postgresql/15/extension/periods--1.2.sql",),
              prelude="CREATE EXTENSION btree_gist;\n",
              drop="SELECT pg_catalog.pg_extension_config_dump(",
              replace=(("\\echo Use", "-- \\echo Use"),
                       ("LANGUAGE c\n STRICT\n SECURITY DEFINER\nAS 'MODULE_PATHNAME';",
                        # its two C trigger functions: PL/pgSQL stand-ins (no $libdir here)
                        "LANGUAGE plpgsql\n STRICT\n SECURITY DEFINER\n"
                        "AS 'BEGIN RETURN NULL; END';"))),
    DebSchema("powa", "postgresql-15-powa",  # MATCH FULL keys, pg_stat_statements
              ("usr/share/postgresql/15/extension/powa--4.1.4.sql",),
              prelude="CREATE EXTENSION pg_stat_statements;\nCREATE EXTENSION btree_gist;\n",
              drop="SELECT pg_catalog.pg_extension_config_dump(",
              replace=tuple((f"LANGUAGE c COST 100\nAS '$libdir/powa', '{f}';",  # C: stand-ins
                             "LANGUAGE plpgsql COST 100\nAS 'BEGIN RETURN; END';")
                            for f in ("powa_stat_user_functions", "powa_stat_all_rel"))),
    DebSchema("jabberd2", "jabberd2", ("usr/share/doc/jabberd2/db-setup.pgsql.gz",)),
    DebSchema("procrastinate", "procrastinate", ("procrastinate/sql/schema.sql",),
              registry="pypi"),
    DebSchema("dramatiq-pg", "dramatiq-pg", ("dramatiq_pg/schema.sql",),  # psql variables
              registry="pypi"),
    DebSchema("connect-pg-simple", "connect-pg-simple", ("package/table.sql",), registry="npm"),
    DebSchema("logto", "@logto/schemas", (), registry="npm", assemble="logto"),  # RLS policies
    # fourth round: extensions' scripts with their C functions as stand-ins (c_stubs)
    DebSchema("pg-cron", "postgresql-15-cron", tuple(  # 1.0, then ALTER EXTENSION UPDATE's
        f"usr/share/postgresql/15/extension/pg_cron--{v}.sql" for v in (
            "1.0", "1.0--1.1", "1.1--1.2", "1.2--1.3", "1.3--1.4", "1.4--1.4-1")),
              prelude=("SELECT set_config('cron.database_name', current_database(), false);\n"),
              drop="SELECT pg_catalog.pg_extension_config_dump(",  # RLS, UNIQUE USING INDEX,
              c_stubs=True),  # a statement-level trigger
    DebSchema("pg-fact-loader", "postgresql-15-pg-fact-loader",  # enum, regclass, regproc
              ("usr/share/postgresql/15/extension/pg_fact_loader--1.7.sql",),
              prelude="CREATE SCHEMA fact_loader;\n",
              drop="SELECT pg_catalog.pg_extension_config_dump(",
              replace=(("\\echo Use", "-- \\echo Use"),), c_stubs=True),
    DebSchema("pg-auto-failover", "postgresql-15-auto-failover",  # enum, pg_lsn, fillfactor,
              ("usr/share/postgresql/15/extension/pgautofailover--2.0.sql",),  # deferrable
              prelude="CREATE EXTENSION btree_gist;\n",  # EXCLUDE
              replace=(("\\echo Use", "-- \\echo Use"),  # its cluster-wide role left out
                       ("create role autoctl_node with login;", "NULL;")), c_stubs=True),
    DebSchema("repmgr", "postgresql-15-repmgr",  # unique index on (TRUE), a rule, pg_lsn
              ("usr/share/postgresql/15/extension/repmgr--5.3.sql",),
              prelude="CREATE SCHEMA repmgr;\nSET search_path = repmgr;\n",
              drop="SELECT pg_catalog.pg_extension_config_dump(",
              replace=(("\\echo Use", "-- \\echo Use"),), c_stubs=True),
    DebSchema("plprofiler", "postgresql-15-plprofiler",  # a text[] in a primary key
              ("usr/share/postgresql/15/extension/plprofiler--4.2.sql",),
              drop="\\echo", c_stubs=True),  # its role "plprofiler" left out (OWNER TO fails)
    DebSchema("litellm", "litellm-proxy-extras", (), registry="pypi",  # 200+ Prisma migrations:
              assemble="prisma"),  # quoted CamelCase names, TIMESTAMP(3), renames, drops
    # sixth round: event triggers, aggregates, replication catalogs, DO-block migrations
    DebSchema("icingaweb2", "icingaweb2", ("usr/share/icingaweb2/schema/pgsql.schema.sql",)),
    DebSchema("icinga-director", "icingaweb2-module-director",  # 20 enums, a domain,
              ("usr/share/icingaweb2/modules/director/schema/pgsql.sql",)),  # comments
    DebSchema("pglogical", "postgresql-15-pglogical",  # name columns, oid keys, a view
              ("usr/share/postgresql/15/extension/pglogical--2.4.2.sql",),
              prelude="CREATE SCHEMA pglogical;\nSET search_path = pglogical;\n",
              drop="\\echo", c_stubs=True),
    DebSchema("pglogical-ticker", "postgresql-15-pglogical-ticker", (  # after pglogical
        "../postgresql-15-pglogical/usr/share/postgresql/15/extension/pglogical--2.4.2.sql",
        "usr/share/postgresql/15/extension/pglogical_ticker--1.4.sql"),
              prelude=("CREATE SCHEMA pglogical;\nCREATE SCHEMA pglogical_ticker;\n"
                       "SET search_path = pglogical;\n"),
              drop="\\echo", c_stubs=True, also=("postgresql-15-pglogical",)),
    DebSchema("pgl-ddl-deploy", "postgresql-15-pgl-ddl-deploy", (  # inheritance, a rule,
        "../postgresql-15-pglogical/usr/share/postgresql/15/extension/pglogical--2.4.2.sql",
        "usr/share/postgresql/15/extension/pgl_ddl_deploy--2.1.sql"),  # composite types
              prelude=("CREATE SCHEMA pglogical;\nCREATE SCHEMA pgl_ddl_deploy;\n"
                       "SET search_path = pglogical;\n"),
              drop="SELECT pg_catalog.pg_extension_config_dump(",
              replace=(("\\echo Use", "-- \\echo Use"),  # PL/pgSQL stand-ins take no
                       ("(pg_ddl_command)", "(text)")), c_stubs=True,  # pg_ddl_command
              also=("postgresql-15-pglogical",)),
    DebSchema("pgaudit", "postgresql-15-pgaudit",  # event triggers; SET search_path = 'a, b'
              ("usr/share/postgresql/15/extension/pgaudit--1.7.sql",), drop="\\echo",
              replace=tuple((f"LANGUAGE C\n\tAS 'MODULE_PATHNAME', '{f}';",  # stand-ins that
                             "LANGUAGE plpgsql\n\tAS 'BEGIN END';")  # let later DDL run
                            for f in ("pgaudit_ddl_command_end", "pgaudit_sql_drop"))),
    DebSchema("first-last-agg", "postgresql-15-first-last-agg",  # polymorphic aggregates
              ("usr/share/postgresql/15/extension/first_last_agg--0.1.4.sql",), c_stubs=True),
    DebSchema("table-log", "postgresql-15-tablelog",
              ("usr/share/postgresql/15/extension/table_log--0.6.1.sql",),
              replace=(("\\echo Use", "-- \\echo Use"),), c_stubs=True),
    DebSchema("kinto", "kinto", tuple(f"kinto/core/{k}/postgresql/schema.sql" for k in (
        "storage", "permission", "cache")), registry="pypi"),  # IMMUTABLE functions in indexes
    DebSchema("pgai", "pgai", ("pgai/data/ai.sql",), registry="pypi",  # DO-block migrations
              prelude="BEGIN;\nCREATE DOMAIN public.vector AS real[];\n",  # pgvector's type:
              replace=(("@extschema:vector@.", "public."),),  # a stand-in (none installed)
              epilogue="COMMIT;\n"),  # pgai.install() runs it in one transaction (LOCK)
    # seventh round: a biology schema, PostGIS's own, a homeserver's deltas, small ones
    DebSchema("chado", "libchado-perl",  # 200+ tables, three more schemas, views, functions
              ("usr/share/gmod/chado/modules/complete.sql",),  # box @ box (PostgreSQL 14
              replace=((") @ boxrange(", ") <@ boxrange("),)),  # removed it): written <@
    DebSchema("glewlwyd", "glewlwyd",  # dbconfig-common's install script
              ("usr/share/dbconfig-common/data/glewlwyd/install/pgsql",)),
    DebSchema("nss-pgsql", "libnss-pgsql2",  # shared sequences with MINVALUE: defaults
              ("usr/share/doc/libnss-pgsql2/examples/dbschema.sql",)),
    DebSchema("postgis-topology", "postgresql-15-postgis-3-scripts",  # composite types,
              ("usr/share/postgresql/15/extension/postgis_topology--3.3.2.sql",),  # domains,
              prelude=("CREATE EXTENSION postgis;\nCREATE SCHEMA topology;\n"  # ALTER DATABASE
                       "SET search_path = topology, public;\n"),  # SET search_path in a call;
              # its C library is installed with PostGIS: its functions kept as they are
              drop="SELECT pg_catalog.pg_extension_config_dump(",
              replace=(("MODULE_PATHNAME", "$libdir/postgis_topology-3"),
                       ("\\echo Use", "-- \\echo Use"))),
    DebSchema("postgis-tiger", "postgresql-15-postgis-3-scripts",  # geometry columns, a
              ("usr/share/postgresql/15/extension/postgis_tiger_geocoder--3.3.2.sql",),
              prelude=("CREATE EXTENSION postgis;\nCREATE EXTENSION fuzzystrmatch;\n"
                       "CREATE SCHEMA tiger;\nSET search_path = tiger, public;\n"),
              drop="SELECT pg_catalog.pg_extension_config_dump("),  # composite type, 2 schemas
    DebSchema("synapse", "matrix-synapse", (), registry="pypi",  # its v72 full schemas, then
              assemble="synapse"),  # every SQL delta to v94 (ALTER ... NOT VALID, triggers)
    DebSchema("pgtap", "postgresql-15-pgtap",  # no table: ~1000 overloaded SQL functions,
              ("usr/share/postgresql/15/extension/pgtap--1.2.0.sql",)),  # composite types
    DebSchema("hypopg", "postgresql-15-hypopg",  # views over set-returning C functions
              ("usr/share/postgresql/15/extension/hypopg--1.3.1.sql",), drop="\\echo",
              c_stubs=True),
    DebSchema("pg-qualstats", "postgresql-15-pg-qualstats",  # views over views over C
              ("usr/share/postgresql/15/extension/pg_qualstats--2.0.4.sql",),  # functions
              c_stubs=True),
    # eighth round: a job queue's install script, an agent framework's migrations, and
    # extensions' scripts made of SQL functions over the catalogs and composite types
    DebSchema("oban", "oban", ("oban/queries/install.sql",), registry="pypi"),  # UNLOGGED,
    # DO blocks adding an enum value AFTER another, INCLUDE, reloptions (autovacuum)
    DebSchema("langgraph-checkpoint", "langgraph-checkpoint-postgres", (), registry="pypi",
              assemble="langgraph"),  # its MIGRATIONS list (CREATE INDEX CONCURRENTLY)
    DebSchema("pg-repack", "postgresql-15-repack",  # views over the catalogs, SQL
              ("usr/share/postgresql/15/extension/pg_repack--1.4.8.sql",),  # functions with
              replace=(("    cstring,", "    text,"),),  # SET search_path; a PL/pgSQL
              c_stubs=True),  # stand-in takes no cstring (repack_apply's: text)
    DebSchema("pldebugger", "postgresql-15-pldebugger",  # composite types: oidvector,
              ("usr/share/postgresql/15/extension/pldbgapi--1.1.sql",),  # "char"[], name
              drop="\\echo", c_stubs=True),
    DebSchema("plpgsql-check", "postgresql-15-plpgsql-check",  # OUT parameters, SETOF
              ("usr/share/postgresql/15/extension/plpgsql_check--2.3.sql",),  # records
              drop="\\echo", replace=(("@extschema@", "public"),),  # a C function
              c_stubs=True),  # may name a parameter as its result's column (see debian_file)
    DebSchema("pg-wait-sampling", "postgresql-15-pg-wait-sampling",  # views over C SRFs
              ("usr/share/postgresql/15/extension/pg_wait_sampling--1.1.sql",),  # with OUT
              drop="\\echo", c_stubs=True),  # parameters (pid, OUT pid: see debian_file),
    # GRANT SELECT TO PUBLIC
    DebSchema("pgq", "postgresql-15-pgq3",  # the extension's script (C triggers as stand-ins),
              ("usr/share/postgresql/15/extension/pgq--3.5.sql",),  # then a queue made by
              drop="SELECT pg_catalog.pg_extension_config_dump(", c_stubs=True,  # its call:
              epilogue="SELECT pgq.create_queue('bench_queue');\n"),  # inherited tables
    # ninth round: an SSO service's TypeORM migrations, a STAC catalogue's PL/pgSQL and
    # partitions over PostGIS, event triggers, aggregates over bit strings
    DebSchema("saml-jackson", "@boxyhq/saml-jackson", (), registry="npm",
              assemble="typeorm"),  # SQL strings of its postgres migrations' up()
    DebSchema("pgstac", "pypgstac", ("pypgstac/migrations/pgstac.0.10.0.sql",),
              registry="pypi"),  # roles made in DO blocks, default privileges, partitions
    DebSchema("postgraphile-watch", "graphile-build-pg",  # event triggers (PostGraphile
              ("package/res/watch-fixtures.sql",), registry="npm"),  # --watch installs them)
    DebSchema("pgcmp", "postgresql-comparator",  # XOR aggregates over bit, varbit, int
              ("usr/share/postgresql/15/extension/pgcmp--3.1.sql",), drop="\\echo",
              replace=(("LOAD 'MODULE_PATHNAME';", ""),), c_stubs=True),  # no library
    DebSchema("omnidb-debugger", "postgresql-15-omnidb",  # keys added by ALTER TABLE
              ("usr/share/postgresql/15/extension/omnidb_plpgsql_debugger--1.0.0.sql",),
              drop="\\echo", c_stubs=True),
)}


def logto_tables(tree: Path) -> str:
    """@logto/schemas' tables as ``logto db seed`` creates them (@logto/cli's
    ``createTables``): its ``tenants`` table (a model's SQL) and the table files in
    ``init_order`` (those without one last, by name), each followed by ``_after_each.sql``
    (a trigger, row level security, two policies) unless it says ``no_after_each``, then
    ``_after_all.sql`` without its GRANT/REVOKE to the per-database role of
    ``_before_all.sql`` (left out: a cluster-wide role)."""
    import re

    def order(item: tuple[str, str]) -> tuple[int, float, str]:
        found = re.search(r"/\*\s*init_order\s*=\s*([\d.]+)\s*\*/", item[1])
        return (0, float(found.group(1)), "") if found else (1, 0.0, item[0])

    model = (tree / "package/lib/models/tenants.js").read_text(encoding="utf-8")
    tenants = model.split("/* Sql */ `", 1)[1].split("`", 1)[0]
    tables = tree / "package/tables"
    queries = [("tenants.sql", tenants.replace("${TenantTag.Development}", "development"))]
    queries += [(f.name, f.read_text(encoding="utf-8")) for f in sorted(tables.glob("*.sql"))
                if not f.name.startswith("_") or f.name == "_functions.sql"]
    each = (tables / "_after_each.sql").read_text(encoding="utf-8")
    parts = []
    for name, query in sorted(queries, key=order):  # stable: tenants first at order 0
        parts.append(query + "\n;")  # each ran alone: some have no final semicolon
        if "/* no_after_each */" not in query:
            parts.append(each.replace("${name}", name.split(".")[0]))
    last = (tables / "_after_all.sql").read_text(encoding="utf-8")
    parts += [s + ";" for s in last.split(";")
              if s.strip() and not re.sub(r"--[^\n]*|/\*.*?\*/", "", s, flags=re.DOTALL)
              .strip().lower().startswith(("grant", "revoke"))]
    return "\n".join(parts)


def prisma_migrations(tree: Path) -> str:
    """A package's Prisma migration history as ``prisma migrate deploy`` applies it: every
    ``migrations/<name>/migration.sql`` in the order of the directories' names."""
    found = sorted(tree.glob("*/migrations/*/migration.sql"), key=lambda f: f.parent.name)
    return "\n".join(f.read_text(encoding="utf-8") + "\n;" for f in found)


def synapse_schema(tree: Path) -> str:
    """Synapse's database as ``prepare_database`` makes a new one on PostgreSQL: the full
    schemas of the newest snapshot (common, main, state; by file name), then each later
    version's deltas of the three (by file name), ``.sql`` and ``.sql.postgres``. Its Python
    deltas (``run_create``) are left out: no Synapse runs here. Its engine's placeholder
    for an auto-increment key is written as its PostgreSQL engine writes it."""
    import re

    root = tree / "synapse/storage/schema"
    snapshot = max(int(d.name) for d in (root / "common/full_schemas").iterdir())
    current = int(re.search(r"^SCHEMA_VERSION = (\d+)", (root / "__init__.py").read_text(
        encoding="utf-8"), re.MULTILINE).group(1))  # type: ignore[union-attr]

    def wanted(dirs: list[Path]) -> list[Path]:
        found = sorted((f.name, str(f)) for d in dirs if d.is_dir() for f in d.iterdir())
        return [Path(p) for name, p in found
                if name.endswith(".sql") or name.endswith(".sql.postgres")]

    parts = [f.read_text(encoding="utf-8") for f in wanted(
        [root / db / "full_schemas" / str(snapshot) for db in ("common", "main", "state")])]
    for v in range(snapshot + 1, current + 1):
        parts += [f.read_text(encoding="utf-8") + "\n;" for f in wanted(
            [root / db / "delta" / str(v) for db in ("common", "main", "state")])]
    return "\n".join(parts).replace("$%AUTO_INCREMENT_PRIMARY_KEY%$",
                                    "BIGINT PRIMARY KEY GENERATED ALWAYS AS IDENTITY")


def langgraph_migrations(tree: Path) -> str:
    """langgraph-checkpoint-postgres' database as its ``setup()`` makes it: each string of
    its ``MIGRATIONS`` list in order (read from the source, not imported: no dependencies
    installed)."""
    import ast

    source = (tree / "langgraph/checkpoint/postgres/base.py").read_text(encoding="utf-8")
    for node in ast.parse(source).body:
        if (isinstance(node, ast.Assign) and isinstance(node.value, ast.List)
                and any(isinstance(t, ast.Name) and t.id == "MIGRATIONS"
                        for t in node.targets)):
            return "\n".join(str(ast.literal_eval(e)) + "\n;" for e in node.value.elts)
    raise RuntimeError("no MIGRATIONS list in langgraph/checkpoint/postgres/base.py")


def typeorm_migrations(tree: Path) -> str:
    """A package's TypeORM migrations for PostgreSQL as ``dataSource.runMigrations()``
    applies them: each ``migration/postgres/<timestamp>-<name>.ts`` in timestamp order,
    the template-literal SQL of every ``queryRunner.query(`...`)`` of its ``up()``."""
    import re

    files = sorted((tree / "package/migration/postgres").glob("*.ts"),
                   key=lambda f: int(f.name.split("-", 1)[0]))
    parts = []
    for f in files:
        up = f.read_text(encoding="utf-8").split("async up(", 1)[1].split("async down(", 1)[0]
        query = r"queryRunner\.query\(`((?:[^`\\]|\\.)*)`"
        parts += [q + ";" for q in re.findall(query, up)]
    return "\n".join(parts)


ASSEMBLERS = {"logto": logto_tables, "prisma": prisma_migrations, "synapse": synapse_schema,
              "langgraph": langgraph_migrations, "typeorm": typeorm_migrations}


def fetch_package(registry: str, package: str) -> Path:
    """The package's files, fetched (once) into ``.cache/stranger/<registry>/<package>``:
    ``apt-get download`` + ``dpkg-deb -x``, ``pip download --no-deps`` + unzip (a wheel), or
    ``npm pack`` + untar (its files under ``package/``)."""
    import tarfile
    import zipfile

    home = CACHE / registry
    tree = home / package.replace("/", "__")
    if tree.is_dir():
        return tree
    home.mkdir(parents=True, exist_ok=True)
    if registry == "debian":
        subprocess.run(["apt-get", "download", "-q", package], cwd=home, check=True,
                       capture_output=True, timeout=600)
        found = sorted(home.glob(f"{package}_*.deb"))
        subprocess.run(["dpkg-deb", "-x", str(found[-1]), str(tree)], check=True)
    elif registry == "pypi":  # a wheel for this Python, else one for 3.12 (oban's least)
        base = [sys.executable, "-m", "pip", "download", "-q", "--no-deps",
                "--only-binary", ":all:", "--disable-pip-version-check", "-d", str(home)]
        if subprocess.run([*base, package], capture_output=True, timeout=600).returncode:
            subprocess.run([*base, "--python-version", "3.12", package], check=True,
                           capture_output=True, timeout=600)
        found = sorted(home.glob(f"{package.replace('-', '_')}-*.whl"))
        with zipfile.ZipFile(found[-1]) as wheel:
            wheel.extractall(tree)
    else:
        done = subprocess.run(["npm", "pack", "-q", package], cwd=home, check=True,
                              capture_output=True, text=True, timeout=600)
        with tarfile.open(home / done.stdout.split()[-1]) as tgz:
            tgz.extractall(tree, filter="data")
    return tree


def c_stand_ins(text: str) -> str:
    """An extension script's C functions (``AS 'MODULE_PATHNAME'`` or ``'$libdir/...'``, with
    an optional link symbol, or ``AS 'library', 'symbol'``; ``LANGUAGE C``) as PL/pgSQL
    functions that raise: the same signatures, so what depends on them (triggers, views, SQL
    functions) still loads, but no shared library (none is installed here)."""
    import re

    text = re.sub(r"\bAS\s+(?:'(?:MODULE_PATHNAME|\$libdir/[^']*)'"
                  r"(?:\s*,\s*(?:\$\$\w+\$\$|'\w+'))?"
                  r"|'[\w./-]+'\s*,\s*'\w+')",  # a library named bare: 'pglogical', 'f'
                  "AS $stub$BEGIN RAISE EXCEPTION 'a C function''s stand-in'; END$stub$",
                  text, flags=re.IGNORECASE)
    return re.sub(r"\bLANGUAGE\s+'?c'?(?=[\s;])", "LANGUAGE plpgsql", text, flags=re.IGNORECASE)


def debian_file(deb: DebSchema) -> Path:
    """The package's DDL as one file: the package fetched by :func:`fetch_package` (once),
    then its files joined as the installer runs them."""
    import gzip

    home = CACHE / deb.registry
    for package in (*deb.also, deb.package):
        tree = fetch_package(deb.registry, package)
    # a C function may name an IN and an OUT parameter alike (pglogical's
    # show_subscription_status, pg_auto_failover's create_formation): its PL/pgSQL stand-in
    # is refused by the PL/pgSQL validator (parameter name used more than once), so the
    # original lacked it while the export (check_function_bodies off, as pg_dump's) made it.
    # The stand-ins are created unchecked, as CREATE EXTENSION makes the C functions
    parts = ["SET check_function_bodies = off;\n" if deb.c_stubs else "", deb.prelude]
    if deb.assemble:
        parts.append(ASSEMBLERS[deb.assemble](tree))
    for rel in deb.files:
        path = tree / rel
        text = (gzip.decompress(path.read_bytes()).decode() if rel.endswith(".gz")
                else path.read_text(encoding="utf-8"))
        if deb.drop:
            text = "\n".join(line for line in text.splitlines()
                              if not line.startswith(deb.drop))
        for old, new in deb.replace:
            text = text.replace(old, new)
        if deb.c_stubs:
            text = c_stand_ins(text)
        parts.append(text)
    parts.append(deb.epilogue)
    out = home / "sql" / f"{deb.name}.sql"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(parts), encoding="utf-8")
    return out


def debian_version(package: str, registry: str = "debian") -> str:
    if registry == "pypi":
        found = sorted((CACHE / "pypi").glob(f"{package.replace('-', '_')}-*.whl"))
        return found[-1].name.split("-")[1] if found else "?"
    if registry == "npm":
        meta = CACHE / "npm" / package.replace("/", "__") / "package" / "package.json"
        return str(json.loads(meta.read_text())["version"]) if meta.exists() else "?"
    found = sorted((CACHE / "debian").glob(f"{package}_*.deb"))
    return unquote(found[-1].name.split("_")[1]) if found else "?"  # 1%3a6.0: epoch 1


SETTINGS = '''\
"""Minimal settings for bench/stranger_schemas.py: only what ``migrate`` needs."""
import json
import os
from urllib.parse import unquote, urlparse

_url = urlparse(os.environ["STRANGER_URL"])
SECRET_KEY = "bench-only"
USE_TZ = True
SITE_ID = 1
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql",
                         "NAME": _url.path.lstrip("/"), "HOST": _url.hostname,
                         "PORT": str(_url.port or 5432), "USER": _url.username or "postgres"}}
INSTALLED_APPS = json.loads(os.environ["STRANGER_APPS"])
MIDDLEWARE = ["django.contrib.sessions.middleware.SessionMiddleware",
              "django.contrib.auth.middleware.AuthenticationMiddleware",
              "django.contrib.messages.middleware.MessageMiddleware",
              *json.loads(os.environ["STRANGER_MIDDLEWARE"])]
TEMPLATES = [{"BACKEND": "django.template.backends.django.DjangoTemplates", "APP_DIRS": True,
              "OPTIONS": {"context_processors": [
                  "django.template.context_processors.request",
                  "django.contrib.auth.context_processors.auth",
                  "django.contrib.messages.context_processors.messages"]}}]
STATIC_URL = "/static/"
LANGUAGES = [("en", "English")]
LANGUAGE_CODE = "en"
CMS_TEMPLATES = [("base.html", "Base")]
WAGTAIL_SITE_NAME = "bench"
WAGTAILADMIN_BASE_URL = "http://localhost"
STRIPE_LIVE_MODE = False
DJSTRIPE_FOREIGN_KEY_TO_FIELD = "id"
DJSTRIPE_WEBHOOK_VALIDATION = "retrieve_event"
HAYSTACK_CONNECTIONS = {"default": {"ENGINE": "haystack.backends.simple_backend.SimpleEngine"}}
if "oscar" in INSTALLED_APPS:
    from oscar import INSTALLED_APPS as _OSCAR_APPS
    from oscar.defaults import *  # noqa: F403
    INSTALLED_APPS = [*INSTALLED_APPS[:INSTALLED_APPS.index("oscar")],
                      *[a for a in _OSCAR_APPS if a not in INSTALLED_APPS]]
    AUTHENTICATION_BACKENDS = ["oscar.apps.customer.auth_backends.EmailBackend",
                               "django.contrib.auth.backends.ModelBackend"]
'''


def venv(group: Group) -> Path:
    """The group's virtualenv, created and filled when missing or when its list changed."""
    home = CACHE / group.name
    python = home / "bin" / "python"
    stamp = home / ".packages"
    wanted = "\n".join(group.packages) + "\n"
    if python.exists() and stamp.is_file() and stamp.read_text() == wanted:
        return home
    print(f"installing {', '.join(group.packages)} into {home} ...", flush=True)
    if group.registry == "npm":
        home.mkdir(parents=True, exist_ok=True)
        (home / "package.json").write_text('{"private": true}\n')
        done = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent",
                               *group.packages], cwd=home, capture_output=True, text=True,
                              timeout=1800)
        if done.returncode != 0:
            raise RuntimeError(f"npm install failed:\n{done.stderr[-3000:]}")
        (home / "bin").mkdir(exist_ok=True)
        (home / "bin" / "python").symlink_to(sys.executable)  # the group's "installed" mark
        stamp.write_text(wanted)
        return home
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(home)], check=True)
    done = subprocess.run([str(python), "-m", "pip", "install", "-q",
                           "--disable-pip-version-check", *group.packages],
                          capture_output=True, text=True, timeout=1800)
    if done.returncode != 0:
        raise RuntimeError(f"pip install failed:\n{done.stderr[-3000:]}")
    stamp.write_text(wanted)
    return home


def versions(home: Path, names: Sequence[str]) -> str:
    if (home / "node_modules").is_dir():  # installed, or fetched (NODE_PACKAGES)
        def version(n: str) -> str:
            meta = home / "node_modules" / n / "package.json"
            if meta.exists():
                return str(json.loads(meta.read_text())["version"])
            fetch_package("npm", n)
            return debian_version(n, "npm")
        return ", ".join(f"{n} {version(n)}" for n in names)
    code = ("import importlib.metadata as m, sys\n"
            "print(', '.join(f'{n} {m.version(n)}' for n in sys.argv[1:]))")
    done = subprocess.run([str(home / "bin" / "python"), "-c", code, *names],
                          capture_output=True, text=True, check=True)
    return done.stdout.strip()


def build(app: App, home: Path, url: str) -> None:
    """The application's own migrations, run into the empty database ``url``."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTHONPATH", "DJANGO_SETTINGS_MODULE", "VIRTUAL_ENV")}
    if app.kind == "django":
        settings = CACHE / "settings"
        settings.mkdir(parents=True, exist_ok=True)
        (settings / "stranger_settings.py").write_text(SETTINGS)
        env.update(STRANGER_URL=url, PYTHONPATH=str(settings),
                   DJANGO_SETTINGS_MODULE="stranger_settings",
                   STRANGER_APPS=json.dumps([*DJANGO_BASE, *app.apps]),
                   STRANGER_MIDDLEWARE=json.dumps(list(app.middleware)))
        args = [str(home / "bin" / "django-admin"), "migrate", "-v0"]
    elif app.kind == "pretix":  # its own settings, read from a config file
        parts = urlparse(url)
        (CACHE / "pretix-data").mkdir(parents=True, exist_ok=True)
        config = CACHE / "pretix.cfg"
        config.write_text(f"[pretix]\ndatadir={CACHE / 'pretix-data'}\n[database]\n"
                          f"backend=postgresql\nname={parts.path.lstrip('/')}\n"
                          f"user={parts.username or 'postgres'}\nhost={parts.hostname}\n"
                          f"port={parts.port or 5432}\n")
        env.update(PRETIX_CONFIG_FILE=str(config))
        args = [str(home / "bin" / "python"), "-m", "pretix", "migrate", "-v0"]
    elif app.kind == "trytond":  # trytond-admin --all: every model of the installed modules
        parts = urlparse(url)
        config = CACHE / "trytond.conf"
        config.write_text(f"[database]\nuri=postgresql://{parts.username or 'postgres'}@"
                          f"{parts.hostname}:{parts.port or 5432}/\n"
                          f"path={CACHE / 'trytond-data'}\n")
        (CACHE / "trytond.pass").write_text("bench-only\n")
        env.update(TRYTONPASSFILE=str(CACHE / "trytond.pass"))
        args = [str(home / "bin" / "trytond-admin"), "-c", str(config), "-d",
                parts.path.lstrip("/"), "--all", "--activate-dependencies", "-u", *app.apps]
    elif app.kind == "indico":  # indico db prepare: its extensions made first, as documented
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION unaccent; CREATE EXTENSION pg_trgm;")
        data = CACHE / "indico-data"
        for sub in ("cache", "tmp", "log", "archive"):
            (data / sub).mkdir(parents=True, exist_ok=True)
        config = CACHE / "indico.conf"
        config.write_text(
            f"SQLALCHEMY_DATABASE_URI = {url!r}\nSECRET_KEY = 'bench-only-' * 4\n"
            "BASE_URL = 'http://localhost'\nCELERY_BROKER = 'redis://127.0.0.1:1/0'\n"
            "REDIS_CACHE_URL = 'redis://127.0.0.1:1/1'\nDEFAULT_TIMEZONE = 'UTC'\n"
            f"CACHE_DIR = '{data}/cache'\nTEMP_DIR = '{data}/tmp'\nLOG_DIR = '{data}/log'\n"
            f"STORAGE_BACKENDS = {{'default': 'fs:{data}/archive'}}\n"
            "ATTACHMENT_STORAGE = 'default'\nENABLE_ROOMBOOKING = True\n")
        env.update(INDICO_CONFIG=str(config))
        args = [str(home / "bin" / "indico"), "db", "prepare"]
    elif app.kind == "mailman":  # any command sets the database up (create_all + stamp)
        config = CACHE / "mailman.cfg"
        config.write_text(f"[paths.bench]\nvar_dir: {CACHE / 'mailman-var'}\n"
                          "[mailman]\nlayout: bench\n[database]\n"
                          "class: mailman.database.postgresql.PostgreSQLDatabase\n"
                          "url: " + url.replace("postgresql://", "postgresql+psycopg2://", 1))
        args = [str(home / "bin" / "mailman"), "-C", str(config), "--run-as-root", "info"]
    elif app.kind == "pgqueuer":  # its CLI; "balanced": two of its tables UNLOGGED
        env.update(PGDSN=url)
        args = [str(home / "bin" / "pgq"), "install", "--durability", "balanced"]
    elif app.kind == "optuna":  # a study created: its storage's create_all + Alembic stamp
        args = [str(home / "bin" / "optuna"), "create-study", "--study-name", "bench",
                "--storage", url.replace("postgresql://", "postgresql+psycopg2://", 1)]
    elif app.kind == "buildbot":  # create-master: its Alembic migrations (db upgrade)
        import shutil
        master = CACHE / "buildbot-master"
        shutil.rmtree(master, ignore_errors=True)
        args = [str(home / "bin" / "buildbot"), "create-master", "-r", "--db",
                url.replace("postgresql://", "postgresql+psycopg2://", 1), str(master)]
    elif app.kind == "prefect":  # its server's Alembic migrations, on asyncpg
        env.update(PREFECT_HOME=str(CACHE / "prefect-home"),
                   PREFECT_API_DATABASE_CONNECTION_URL=url.replace(
                       "postgresql://", "postgresql+asyncpg://", 1))
        args = [str(home / "bin" / "prefect"), "server", "database", "upgrade", "-y"]
    elif app.kind == "dagster":  # dagster instance migrate on a postgres-backed instance
        dagster_home = CACHE / "dagster-home"
        dagster_home.mkdir(parents=True, exist_ok=True)
        (dagster_home / "dagster.yaml").write_text(
            "storage:\n  postgres:\n    postgres_url: " + json.dumps(
                url.replace("postgresql://", "postgresql+psycopg2://", 1)) + "\n")
        env.update(DAGSTER_HOME=str(dagster_home))
        args = [str(home / "bin" / "dagster"), "instance", "migrate"]
    elif app.kind == "dbos":  # dbos migrate: its system database's migrations, one by one
        args = [str(home / "bin" / "dbos"), "migrate", "-s", url]
    elif app.kind == "python":
        env.update(STRANGER_URL=url)
        args = [str(home / "bin" / "python"), "-c", PYTHON_BUILDS[app.name]]
    elif app.kind == "node":
        env.update(STRANGER_URL=url)
        if app.name in NODE_PACKAGES:
            env.update(STRANGER_PACKAGE=str(fetch_package("npm", NODE_PACKAGES[app.name])))
        first, *rest = NODE_BUILDS[app.name]
        args = [first if first == "node" else str(home / first),
                *(a.replace("{url}", url) for a in rest)]
    elif app.kind == "airflow":  # airflow db migrate, its SQLAlchemy URL from the environment
        env.update(AIRFLOW_HOME=str(CACHE / "airflow-home"), AIRFLOW__CORE__LOAD_EXAMPLES="False",
                   AIRFLOW__DATABASE__SQL_ALCHEMY_CONN=url.replace(
                       "postgresql://", "postgresql+psycopg2://", 1))
        args = [str(home / "bin" / "airflow"), "db", "migrate"]
    else:
        args = [str(home / "bin" / "mlflow"), "db", "upgrade",
                url.replace("postgresql://", "postgresql+psycopg2://", 1)]
    # trytond-admin asks for the admin's email (empty: none)
    done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=1800,
                          input="\n", cwd=home if app.kind == "node" else None)
    if done.returncode != 0:
        raise RuntimeError(f"{app.name}: migrations failed:\n{done.stderr[-3000:]}")
    for command in app.after:  # the same settings and database
        done = subprocess.run([args[0], *command], env=env, capture_output=True, text=True,
                              timeout=1800)
        if done.returncode != 0:
            raise RuntimeError(f"{app.name}: {command[0]} failed:\n{done.stderr[-3000:]}")


def table_count(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM pg_class c JOIN pg_namespace n ON "
                           "n.oid = c.relnamespace WHERE c.relkind IN ('r', 'p') AND "
                           "n.nspname NOT IN ('pg_catalog', 'information_schema')").fetchone()
    return int(row[0]) if row else 0


@dataclass(frozen=True)
class DumpFile(rt.CorpusSchema):
    """A pg_dump output outside the corpus, loaded as the corpus's schemas are."""

    path: str = ""

    def missing(self) -> list[str]:
        return [] if Path(self.path).exists() else [self.path]

    def file_texts(self) -> list[tuple[str, str]]:
        return [(Path(self.path).name, Path(self.path).read_text(encoding="utf-8"))]


def live_round_trip(server: PgServer, name: str, url: str, work: Path) -> rt.RoundTrip:
    """The live importer on the application's database ``url`` → bundle → upgrade, compared
    with that database; then check, downgrade, upgrade again."""
    clock = rt._Clock()
    with clock("import"):
        result = import_live(url)
    with clock("load"):
        expected = read_catalog(url)
    bundle = rt.export_bundle(result.schema, work / f"{name}-live", name)
    version_table = version_table_name([result.schema])
    with rt.database(server) as target:
        with clock("export+upgrade"):
            rt.alembic_upgrade(bundle, target)
            actual = rt.without_version_table(read_catalog(target), version_table)
        trip = rt._compared(f"{name} (live)", expected, actual, (), result, clock, [])
        trip.loop = rt.run_loop(bundle, target, expected, (), clock, version_table,
                                objects=True)
    return trip


def passed(trip: rt.RoundTrip) -> bool:
    """Identical after the upgrade, the kept objects too (bench/fidelity.py's "kept objects
    identical": it did not count before the ninth round, so a live step whose kept objects
    differed on the first upgrade passed), and the loop's steps."""
    kept = fb._kept(trip)
    return (trip.report.ok and (kept is None or kept.ok)
            and (trip.loop is None or trip.loop.ok))


def drizzle_step(server: PgServer, schema_path: Path, name: str, work: Path) -> str:
    """'' when the Drizzle bundle compiles and migrates like the Alembic one, else why not."""
    from modeler.codegen.versions import VersionInput
    from tests.drizzle import helpers as h
    from tests.drizzle.test_migrate import round_trip
    from tests.drizzle.toolchain import ensure_toolchain, missing_node

    why = missing_node()
    if why:
        return f"skipped: {why}"
    modules = ensure_toolchain()
    spec = DumpFile(name, (), path=str(schema_path))
    versions = [VersionInput(1, "Imported baseline", "bench", "2026-01-01",
                             rt.import_spec(spec).schema, baseline=True)]
    bundle = h.write_drizzle(versions, work / "drizzle-tsc" / name, name, modules)
    errors = h.ts_errors(h.tsc(bundle).stdout)
    if errors:
        return "tsc: " + "\n".join(errors[:10])
    try:
        round_trip(server, versions, work / "drizzle-migrate", name, modules, down=False)
    except AssertionError as exc:
        return "drizzle-kit: " + str(exc)[:2000]
    return ""


@dataclass
class Outcome:
    name: str
    tables: int = 0
    steps: dict[str, bool | None] = field(default_factory=dict)


def run_app(server: PgServer, name: str, work: Path, keep: Path | None, details: int,
            drizzle: bool) -> Outcome:
    """Every step for one schema: an application of :data:`APPS` (its migrations, then
    pg_dump) or a package of :data:`DEBIAN` (its file, loaded with psql)."""
    out = Outcome(name)
    url = server.create_database(f"h6_{name.replace('-', '_')}")
    try:
        t0 = time.perf_counter()
        if name in APPS:
            app = APPS[name]
            home = venv(GROUPS[app.group])
            where = "npm" if GROUPS[app.group].registry == "npm" else "PyPI"
            print(f"\n== {name}: {versions(home, app.shown)} ({where})", flush=True)
            build(app, home, url)
            dump = (keep or work) / f"{name}.sql"
            dump.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run([server.tool("pg_dump"), "--schema-only", "--no-owner",
                            "--no-privileges", "-f", str(dump), url], check=True, timeout=600)
            how = "migrations + pg_dump"
        else:
            deb = DEBIAN[name]
            dump = debian_file(deb)
            where = {"debian": "Debian", "pypi": "PyPI", "npm": "npm"}[deb.registry]
            print(f"\n== {name}: {deb.package} {debian_version(deb.package, deb.registry)} "
                  f"({where})", flush=True)
            errors = rt.psql_run(server, url, dump.read_text(encoding="utf-8"))
            how = f"psql load ({len(errors)} ERROR line(s))"
        out.tables = table_count(url)
        print(f"{out.tables} tables; {how} {time.perf_counter() - t0:.1f}s", flush=True)
        for step, run in (("sql", lambda: rt.sql_round_trip(
                server, DumpFile(name, (), path=str(dump)), work, (), loop=True)),
                          ("live", lambda: live_round_trip(server, name, url, work))):
            try:
                trip = run()
            except Exception as exc:  # one step's failure must not stop the others
                print(fb.failure(f"{name} ({step})", exc))
                out.steps[step] = False
                continue
            fb.show(trip, details)
            out.steps[step] = passed(trip)
        if drizzle:
            t0 = time.perf_counter()
            why = drizzle_step(server, dump, name.replace("-", "_"), work)
            out.steps["drizzle"] = None if why.startswith("skipped") else not why
            done = why or "tsc clean, migrates like Alembic, generate/check clean"
            print(f"drizzle ({time.perf_counter() - t0:.1f}s): {done}", flush=True)
    except Exception:
        traceback.print_exc()
        out.steps.setdefault("build", False)
    finally:
        server.drop_database(url)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", default="",
                        help="comma-separated: " + ",".join([*APPS, *DEBIAN]))
    parser.add_argument("--details", type=int, default=5,
                        help="print up to N differing rows per category")
    parser.add_argument("--drizzle", default="oscar",
                        help="comma-separated: the schemas of the Drizzle step, or all")
    parser.add_argument("--no-drizzle", action="store_true")
    parser.add_argument("--no-debian", action="store_true", help="only the PyPI applications")
    parser.add_argument("--keep", type=Path, help="write the dumps here (never commit them)")
    args = parser.parse_args()
    known = [*APPS, *DEBIAN]
    only = [n.strip() for n in args.only.split(",") if n.strip()] or (
        list(APPS) if args.no_debian else known)
    unknown = [n for n in only if n not in known]
    if unknown:
        parser.error(f"unknown schema(s) {', '.join(unknown)}; known: {', '.join(known)}")
    started = time.perf_counter()
    outcomes = []
    with fb.server() as pg, tempfile.TemporaryDirectory(prefix="stranger-") as tmp:
        print(fb.header())
        for name in only:
            outcomes.append(run_app(pg, name, Path(tmp), args.keep, args.details,
                                    not args.no_drizzle and (
                                        args.drizzle == "all"
                                        or name in args.drizzle.split(","))))
    print("\nsummary")
    for o in outcomes:
        cells = "  ".join(f"{k} {'-' if v is None else 'PASS' if v else 'FAIL'}"
                          for k, v in o.steps.items())
        print(f"  {o.name:16} {o.tables:4d} tables  {cells}")
    print(f"\ntotal {time.perf_counter() - started:.0f}s wall")
    return 0 if all(v is not False for o in outcomes for v in o.steps.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
