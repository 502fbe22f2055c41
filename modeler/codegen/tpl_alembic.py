"""Templates of the bundle's Alembic files: ``alembic.ini``, ``migrations/env.py``,
``migrations/script.py.mako``."""

from __future__ import annotations

ALEMBIC_INI = """\
# Alembic configuration. The database URL comes from the environment (DIRECT_DATABASE_URL,
# else DATABASE_URL); see migrations/env.py.

[alembic]
script_location = %(here)s/migrations
prepend_sys_path = .
path_separator = os
output_encoding = utf-8

[loggers]
keys = root,sqlalchemy,alembic

[handlers]
keys = console

[formatters]
keys = generic

[logger_root]
level = WARNING
handlers = console
qualname =

[logger_sqlalchemy]
level = WARNING
handlers =
qualname = sqlalchemy.engine

[logger_alembic]
level = INFO
handlers =
qualname = alembic

[handler_console]
class = StreamHandler
args = (sys.stderr,)
level = NOTSET
formatter = generic

[formatter_generic]
format = %(levelname)-5.5s [%(name)s] %(message)s
datefmt = %H:%M:%S
"""

ENV_PY = '''\
"""Alembic environment for the __PACKAGE__ models.

Migrations run over the *direct* connection: ``DIRECT_DATABASE_URL``, else ``DATABASE_URL``
(both accept postgresql://... and postgres://..., mapped to psycopg 3). A Neon ``-pooler``
host is rewritten to the direct endpoint: DDL, advisory locks and ``SET`` need a session that
a transaction-mode pooler does not guarantee.
"""

from __future__ import annotations

import os
from logging.config import fileConfig
from typing import Any

import sqlalchemy as sa
from alembic import context

from __PACKAGE__.db import direct_url, normalize_url
from __PACKAGE__.models import Base

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata
# Namespaces of the design besides the default one (autogenerate compares only these).
SCHEMAS: frozenset[str] = __SCHEMAS__


def database_url() -> str:
    raw = (os.environ.get("DIRECT_DATABASE_URL") or os.environ.get("DATABASE_URL")
           or config.get_main_option("sqlalchemy.url"))
    if not raw:
        raise RuntimeError("set DIRECT_DATABASE_URL or DATABASE_URL")
    return direct_url(normalize_url(raw))


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    if type_ == "schema":
        return name is None or name == "public" or name in SCHEMAS
    return True


__DOMAIN_DEFAULTS__def _options() -> dict[str, Any]:
    return {
        "target_metadata": target_metadata,
        "compare_type": True,
        "compare_server_default": True,
        "include_schemas": bool(SCHEMAS),
        "include_name": include_name,
    }


def run_migrations_offline() -> None:
    context.configure(url=database_url(), literal_binds=True,
                      dialect_opts={"paramstyle": "named"}, **_options())
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = sa.create_engine(database_url(), poolclass=sa.pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, **_options())
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
'''

SCRIPT_MAKO = '''\
"""${message}

Revision ID: ${up_revision}
Revises: ${down_revision | comma,n}
Create Date: ${create_date}
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
${imports if imports else ""}
revision: str = ${repr(up_revision)}
down_revision: str | Sequence[str] | None = ${repr(down_revision)}
branch_labels: str | Sequence[str] | None = ${repr(branch_labels)}
depends_on: str | Sequence[str] | None = ${repr(depends_on)}


def upgrade() -> None:
    ${upgrades if upgrades else "pass"}


def downgrade() -> None:
    ${downgrades if downgrades else "pass"}
'''


DOMAIN_DEFAULTS = '''\
_NEXTVAL = re.compile(r"nextval\\('((?:[^']|'')+)'(?:::regclass)?\\)")


class _DesignAwareImpl(PostgresqlImpl):
    """Alembic's PostgreSQL comparison, registered for the dialect (Alembic keys
    implementations by ``__dialect__``), minus three false differences:

    * reflection reports the default of a column's *domain* as the column's own default;
    * ``nextval`` defaults can only be compared as text (else Alembic calls both, which
      never agree): the same sequence however it is spelled (``s``, ``app.s``) is equal;
    * Alembic drops the reflected default of a column that owns its sequence (it takes it
      for SERIAL) while the model states it."""

    __dialect__ = "postgresql"

    def compare_server_default(self, inspector_column: Any, metadata_column: Any,
                               rendered_metadata_default: str | None,
                               rendered_inspector_default: str | None) -> bool:
        inherited = getattr(inspector_column.type, "default", None)
        if (rendered_metadata_default is None and rendered_inspector_default is not None
                and inherited == rendered_inspector_default):
            return False
        model = _NEXTVAL.fullmatch((rendered_metadata_default or "").strip())
        connection = self.connection
        if model is not None and connection is not None and rendered_inspector_default:
            found = _NEXTVAL.fullmatch(rendered_inspector_default.strip())
            if found is not None:
                return not connection.scalar(
                    sa.text("SELECT CAST(:a AS regclass) = CAST(:b AS regclass)"),
                    {"a": found.group(1), "b": model.group(1)})
        if model is not None and connection is not None and rendered_inspector_default is None:
            table = metadata_column.table
            quoted = '"' + table.name.replace('"', '""') + '"'
            if table.schema:
                quoted = '"' + table.schema.replace('"', '""') + '".' + quoted
            owned = connection.scalar(sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                                      {"t": quoted, "c": metadata_column.name})
            if owned is not None:
                return False
        compare: Any = super().compare_server_default  # untyped in Alembic
        return bool(compare(inspector_column, metadata_column, rendered_metadata_default,
                            rendered_inspector_default))


'''


def render_env(*, package: str, schemas: list[str], domain_defaults: bool = True) -> str:
    """The text of ``migrations/env.py``; ``domain_defaults`` adds the comparison fixes
    (domain defaults, ``nextval`` spellings, SERIAL columns)."""
    listed = ("frozenset({" + ", ".join(f'"{s}"' if s.isidentifier() else repr(s)
                                        for s in sorted(schemas)) + "})"
              if schemas else "frozenset()")
    text = ENV_PY.replace("__PACKAGE__", package).replace("__SCHEMAS__", listed)
    if not domain_defaults:
        return text.replace("__DOMAIN_DEFAULTS__", "")
    text = text.replace("from alembic import context\n",
                        "from alembic import context\nfrom alembic.ddl.postgresql import "
                        "PostgresqlImpl\n").replace("import os\n", "import os\nimport re\n", 1)
    return text.replace("__DOMAIN_DEFAULTS__", DOMAIN_DEFAULTS)
