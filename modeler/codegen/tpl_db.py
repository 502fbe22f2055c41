"""Template of the bundle's ``<pkg>/db.py``: engine and session factories with explicit pooling.

Kept as text with two placeholders (``__PROVIDER__``, ``__PACKAGE__``); the export tests run
``mypy --strict`` on the rendered file and drive it through a real PgBouncer.
"""

from __future__ import annotations

DB_PY = '''\
"""Engine and session factories for the __PACKAGE__ models, with explicit pooling.

Environment (all optional except DATABASE_URL):

    DATABASE_URL             application URL, postgresql://... or postgres://... (mapped to
                             the psycopg 3 driver). On Neon use the pooled host (``-pooler``);
                             a direct Neon host is rewritten to its pooler automatically.
    DIRECT_DATABASE_URL      the direct (unpooled) URL for migrations and pg_dump; Neon's
    (or DATABASE_URL_UNPOOLED)  Vercel integration calls it DATABASE_URL_UNPOOLED. Default:
                             DATABASE_URL with a Neon ``-pooler`` host made direct.
    DB_TRANSACTION_POOLING   auto (default) | true | false: the server side is a pooler in
                             transaction mode (PgBouncer, Neon's ``-pooler``). auto = true for
                             Neon projects and for ``-pooler`` hosts.
    DB_POOL_SIZE             connections kept open per process (default 5)
    DB_MAX_OVERFLOW          extra connections under load (default 10)
    DB_POOL_TIMEOUT          seconds to wait for a free connection (default 30)
    DB_POOL_RECYCLE          seconds before a connection is replaced (default 300 on Neon,
                             1800 otherwise; poolers and serverless endpoints drop idle ones)
    DB_CONNECT_TIMEOUT       seconds to establish a connection (default 10)
    DB_STATEMENT_TIMEOUT_MS  per-statement limit in milliseconds (default 30000, 0 = none)
    DB_ECHO                  1 to log SQL

Transaction pooling hands each *transaction* a possibly different server connection, so
nothing may rely on session state: server-side prepared statements are disabled (psycopg
``prepare_threshold=None``) and, because PgBouncer rejects the ``options`` startup parameter,
the statement timeout is set with ``SET LOCAL`` at the start of every transaction instead of
``-c statement_timeout`` at connect time. On such an engine, statements that would leave state
in the shared server session are refused before they are sent (session ``SET`` / ``RESET``,
SQL ``PREPARE`` / ``DEALLOCATE``, ``LISTEN``, ``WITH HOLD`` cursors, session advisory locks):
use ``SET LOCAL``, ``pg_advisory_xact_lock`` or the direct URL. Migrations and pg_dump use
the direct URL (:func:`migration_url`, migrations/env.py).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

PROVIDER = "__PROVIDER__"  # the project's provider setting: generic | neon
NEON_DOMAIN = ".neon.tech"


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def normalize_url(raw: str) -> str:
    """``postgres://`` / ``postgresql://`` / ``postgresql+<driver>://`` → psycopg 3."""
    raw = raw.strip()
    scheme, sep, rest = raw.partition("://")
    if not sep or scheme.split("+")[0] not in ("postgres", "postgresql"):
        raise ValueError("DATABASE_URL must be a postgresql:// or postgres:// URL")
    return f"postgresql+psycopg://{rest}"


def _is_neon(host: str) -> bool:
    return PROVIDER == "neon" or host.endswith(NEON_DOMAIN)


def pooled_url(url: str) -> str:
    """For Neon, the pooler endpoint of a direct host (``ep-x.region...`` → ``ep-x-pooler...``)."""
    parsed = make_url(url)
    host = parsed.host or ""
    if host.endswith(NEON_DOMAIN):
        first, dot, rest = host.partition(".")
        if not first.endswith("-pooler"):
            host = f"{first}-pooler{dot}{rest}"
            return parsed.set(host=host).render_as_string(hide_password=False)
    return url


def direct_url(url: str) -> str:
    """For Neon, the direct endpoint of a pooler host (used for migrations)."""
    parsed = make_url(url)
    host = parsed.host or ""
    first, dot, rest = host.partition(".")
    if host.endswith(NEON_DOMAIN) and first.endswith("-pooler"):
        host = f"{first[: -len('-pooler')]}{dot}{rest}"
        return parsed.set(host=host).render_as_string(hide_password=False)
    return url


def app_url() -> str:
    """The application URL from ``DATABASE_URL`` (the pooled endpoint on Neon)."""
    raw = os.environ.get("DATABASE_URL")
    if not raw:
        raise RuntimeError("DATABASE_URL is not set")
    url = normalize_url(raw)
    return pooled_url(url) if _is_neon(make_url(url).host or "") else url


def migration_url() -> str:
    """The direct URL for migrations and pg_dump: ``DIRECT_DATABASE_URL``, else
    ``DATABASE_URL_UNPOOLED``, else ``DATABASE_URL`` with a Neon pooler host made direct."""
    raw = (os.environ.get("DIRECT_DATABASE_URL") or os.environ.get("DATABASE_URL_UNPOOLED")
           or os.environ.get("DATABASE_URL"))
    if not raw:
        raise RuntimeError("set DIRECT_DATABASE_URL (or DATABASE_URL_UNPOOLED) or DATABASE_URL")
    return direct_url(normalize_url(raw))


# What a transaction-mode pooler cannot keep: state in the server session, which the next
# transaction (another client's, perhaps) would inherit or miss. SET LOCAL, SET TRANSACTION,
# SET CONSTRAINTS and pg_advisory_xact_lock end with the transaction and stay allowed.
SESSION_STATE = re.compile(
    r"^\\s*(?:SET\\s+(?!LOCAL\\b|TRANSACTION\\b|CONSTRAINTS\\b)|RESET\\b|PREPARE\\b|DEALLOCATE\\b"
    r"|(?:UN)?LISTEN\\b|DECLARE\\b[^;]*\\bWITH\\s+HOLD\\b)"
    r"|\\bpg_(?:try_)?advisory_lock(?:_shared)?\\s*\\(",
    re.IGNORECASE)


class SessionStateError(RuntimeError):
    """A statement that needs a session of its own, sent through a transaction pooler."""


def refuse_session_state(statement: str) -> None:
    """Raise :class:`SessionStateError` for a statement that leaves session state."""
    if SESSION_STATE.search(statement):
        raise SessionStateError(
            "transaction pooling shares server sessions: use SET LOCAL, "
            "pg_advisory_xact_lock or the direct URL (migration_url()) instead of: "
            + " ".join(statement.split())[:120])


def uses_transaction_pooling(url: str) -> bool:
    """Whether ``url`` goes through a transaction-mode pooler."""
    flag = os.environ.get("DB_TRANSACTION_POOLING", "auto").strip().lower()
    if flag in ("1", "true", "yes", "on"):
        return True
    if flag in ("0", "false", "no", "off"):
        return False
    host = make_url(url).host or ""
    return PROVIDER == "neon" or "-pooler" in host.split(".")[0]


def engine_options(url: str) -> dict[str, Any]:
    """Keyword arguments for :func:`sqlalchemy.create_engine` (pool and driver settings)."""
    pooled = uses_transaction_pooling(url)
    timeout_ms = _env_int("DB_STATEMENT_TIMEOUT_MS", 30000)
    connect_args: dict[str, Any] = {"connect_timeout": _env_int("DB_CONNECT_TIMEOUT", 10)}
    if pooled:
        connect_args["prepare_threshold"] = None  # no server-side prepared statements
    elif timeout_ms > 0:
        connect_args["options"] = f"-c statement_timeout={timeout_ms}"
    return {
        "pool_pre_ping": True,
        "pool_size": _env_int("DB_POOL_SIZE", 5),
        "max_overflow": _env_int("DB_MAX_OVERFLOW", 10),
        "pool_timeout": _env_int("DB_POOL_TIMEOUT", 30),
        "pool_recycle": _env_int("DB_POOL_RECYCLE", 300 if PROVIDER == "neon" else 1800),
        "echo": os.environ.get("DB_ECHO", "") == "1",
        "connect_args": connect_args,
    }


def create_app_engine(url: str | None = None) -> sa.Engine:
    """A new engine for ``url`` (default: :func:`app_url`) with the pooling settings above."""
    url = normalize_url(url) if url else app_url()
    engine = sa.create_engine(url, **engine_options(url))
    timeout_ms = _env_int("DB_STATEMENT_TIMEOUT_MS", 30000)
    if not uses_transaction_pooling(url):
        return engine

    @sa.event.listens_for(engine, "before_cursor_execute")
    def _no_session_state(conn: sa.Connection, cursor: Any, statement: str, parameters: Any,
                          context: Any, executemany: bool) -> None:
        refuse_session_state(statement)

    if timeout_ms > 0:

        @sa.event.listens_for(engine, "begin")
        def _statement_timeout(conn: sa.Connection) -> None:
            # Transaction-scoped: nothing leaks into the pooler's shared server connection.
            conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(timeout_ms)}")

    return engine


@lru_cache(maxsize=1)
def get_engine() -> sa.Engine:
    """The process-wide application engine (created on first use)."""
    return create_app_engine()


@lru_cache(maxsize=1)
def get_sessionmaker() -> sessionmaker[Session]:
    """The process-wide session factory bound to :func:`get_engine`."""
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session in one transaction: committed on success, rolled back on error."""
    session = get_sessionmaker()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
'''


def render_db(*, provider: str, package: str) -> str:
    """The text of ``<pkg>/db.py``."""
    return DB_PY.replace("__PROVIDER__", provider).replace("__PACKAGE__", package)
