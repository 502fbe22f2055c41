"""Runtime and pooling (RT): connection settings of the exported ``db.py``.

The snapshot cannot see code, so these rules check
:class:`~modeler.rules.facts.RuntimeFacts`: what the exported runtime does (by default
:data:`~modeler.rules.facts.GENERATED_RUNTIME`, the contract of our generator). So for
designs exported by this product RT-01/02 pass by construction; they fail only when a caller
reports different facts (a hand-edited ``db.py``, another generator).
"""

from __future__ import annotations

from collections.abc import Iterator

from modeler.rules.core import Config, Finding, Level, Rule, Target, register
from modeler.rules.facts import GENERATED_RUNTIME, POOL_OPTIONS, RuntimeFacts
from modeler.schema.model import Schema

SERVERLESS = frozenset({"neon"})


def runtime_facts(config: Config) -> RuntimeFacts:
    return config.runtime if config.runtime is not None else GENERATED_RUNTIME


@register
class PooledAppConnection(Rule):
    """The application connects through a connection pool.

    Serverless PostgreSQL (Neon) allows few direct connections and wakes slowly; every web
    worker opening its own connections exhausts it. The app uses the pooled URL. On generic
    PostgreSQL the engine sets ``pool_size``, ``max_overflow``, ``pool_pre_ping`` and
    ``pool_recycle`` explicitly instead of trusting defaults.

    Bad:
        DATABASE_URL=postgresql://app@ep-cool-name.eu-central-1.aws.neon.tech/db

    Good:
        DATABASE_URL=postgresql://app@ep-cool-name-pooler.eu-central-1.aws.neon.tech/db
    """

    id = "RT-01"
    name = "App uses a pooled connection"
    level = Level.BLOCK
    levels_note = "BLOCK for serverless providers; JUSTIFY for missing pool options elsewhere"

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        facts = runtime_facts(config)
        target = Target("settings", "settings.provider")
        if schema.settings.provider in SERVERLESS:
            if not facts.app_url_pooled:
                yield self.finding(target, "App does not use the pooled connection URL",
                                   "Point DATABASE_URL at the -pooler host")
            return
        missing = [o for o in POOL_OPTIONS if o not in facts.pool_options]
        if missing:
            yield self.finding(target, f"Pool options not set: {', '.join(missing)}",
                               "Set them explicitly on create_engine()", Level.JUSTIFY)


@register
class DirectMigrationConnection(Rule):
    """Migrations use the direct connection.

    A transaction pooler (PgBouncer in transaction mode, Neon's pooler) cannot hold the
    session state migrations rely on: advisory locks, ``SET`` statements, ``CREATE INDEX
    CONCURRENTLY`` outside a transaction. Alembic connects with the direct URL.

    Bad:
        sqlalchemy.url = %(DATABASE_URL)s  # the -pooler host

    Good:
        sqlalchemy.url = %(DIRECT_URL)s
    """

    id = "RT-02"
    name = "Migrations use the direct connection"
    level = Level.BLOCK

    def check(self, schema: Schema, config: Config) -> Iterator[Finding]:
        direct = runtime_facts(config).migrations_url_direct
        if schema.settings.provider in SERVERLESS and not direct:
            yield self.finding(Target("settings", "settings.provider"),
                               "Migrations do not use the direct connection URL",
                               "Point Alembic at DIRECT_URL")
