"""The live importer's connection: bounded in time, and errors that say enough but no more.

Time is bounded three ways. ``connect_timeout`` bounds opening the connection (a port that
accepts and never speaks, or drops every packet, fails then); ``statement_timeout`` and
``lock_timeout`` bound each catalog query on the server; and an overall cap bounds the whole
read: a watchdog shuts the socket down when the cap passes, which also ends a query waiting
on a server that stopped answering (statement_timeout cannot: the server is the one stuck).

Errors. For an untrusted URL (the web, ``detailed=False``) every connection-level failure
reads the same, "could not connect to the database (host:port)...", whether the port was
closed, filtered, slow or not PostgreSQL: the difference would let a user map ports. A
server that answers and refuses says "authentication failed"; a cap that passes says "timed
out". The full libpq text goes to the server log, password masked. For the administrator's
command line (``detailed=True``) the libpq text is shown, password masked.
"""

from __future__ import annotations

import logging
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import psycopg
from psycopg.conninfo import make_conninfo
from psycopg.rows import dict_row

from modeler.importers.result import SchemaImportError

log = logging.getLogger(__name__)
T = TypeVar("T")

_TIMEOUT_STATES = {"57014", "55P03", "25P03"}  # query_canceled, lock, idle-in-transaction
_AUTH = re.compile(r"authentication|password|no pg_hba|FATAL:\s+(role|database) .* does not "
                   r"exist|permission denied|certificate", re.IGNORECASE)


@dataclass(frozen=True)
class Timeouts:
    """Seconds: opening the connection, each catalog query, waiting for a lock, and the
    whole read (connection included)."""

    connect: float = 10.0
    statement: float = 60.0
    lock: float = 5.0
    total: float = 300.0


def connect_message(label: str) -> str:
    return (f"could not connect to the database ({label}): check the address and that the "
            "server accepts connections")


def auth_message(label: str) -> str:
    return (f"authentication failed ({label}): check the user name, the password and the "
            "database name")


def timeout_message(label: str, seconds: float) -> str:
    return (f"timed out reading the database ({label}): the import may take at most "
            f"{seconds:g} seconds")


class _Watchdog:
    """Shuts the connection's socket down once ``seconds`` have passed (unless stopped
    first). Stopping waits for a firing in progress, so the socket it touches is still the
    connection's: the connection is closed only after :meth:`stop`."""

    def __init__(self, conn: psycopg.Connection[Any], seconds: float) -> None:
        self.conn = conn
        self.fired = False
        self._stopped = False
        self._lock = threading.Lock()
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True

    def start(self) -> None:
        self._timer.start()

    def stop(self) -> None:
        with self._lock:
            self._stopped = True
        self._timer.cancel()

    def _fire(self) -> None:
        with self._lock:
            if self._stopped:
                return
            self.fired = True
            try:
                with socket.socket(fileno=os.dup(self.conn.pgconn.socket)) as sock:
                    sock.shutdown(socket.SHUT_RDWR)  # the blocked read sees the end
            except (OSError, psycopg.Error):
                log.warning("live import: could not interrupt the connection", exc_info=True)


@contextmanager
def _watched(conn: psycopg.Connection[Any], seconds: float) -> Iterator[_Watchdog]:
    dog = _Watchdog(conn, seconds)
    dog.start()
    try:
        yield dog
    finally:
        dog.stop()


def read(conninfo: str, timeouts: Timeouts, work: Callable[[psycopg.Connection[Any]], T], *,
         label: str, detailed: bool, redact: Callable[[str], str],
         connect_timeout: bool = True) -> T:
    """Connect, run ``work(conn)`` in one READ ONLY transaction with the timeouts set, and
    return its result; any database error becomes a :class:`SchemaImportError` worded as
    the module docstring says (``redact`` masks the password in the texts shown or
    logged). ``connect_timeout``: apply ``timeouts.connect`` (False: ``conninfo`` has its
    own)."""
    start = time.monotonic()
    connected = False
    dog: _Watchdog | None = None
    try:
        if connect_timeout:
            conninfo = make_conninfo(conninfo, connect_timeout=max(2, round(timeouts.connect)))
        with psycopg.connect(conninfo, row_factory=dict_row) as conn:
            connected = True
            conn.read_only = True
            with _watched(conn, timeouts.total - (time.monotonic() - start)) as dog, \
                    conn.transaction():
                conn.execute(f"SET LOCAL statement_timeout = {int(timeouts.statement * 1000)}")
                conn.execute(f"SET LOCAL lock_timeout = {int(timeouts.lock * 1000)}")
                return work(conn)
    except psycopg.Error as exc:
        fired = dog is not None and dog.fired
        text = redact(str(exc))
        if not detailed:
            log.warning("live import from %s failed: %s", label, text)
        raise SchemaImportError(_message(exc, text, label=label, connected=connected,
                                         timed_out=fired, detailed=detailed,
                                         total=timeouts.total)) from None


def _message(exc: psycopg.Error, text: str, *, label: str, connected: bool, timed_out: bool,
             detailed: bool, total: float) -> str:
    state = getattr(exc, "sqlstate", None)
    if timed_out or state in _TIMEOUT_STATES:
        return timeout_message(label, total) + (f" ({text})" if detailed else "")
    if detailed:
        return f"cannot read the database: {text}"
    if not connected:
        return auth_message(label) if _AUTH.search(text) else connect_message(label)
    if state:  # the allowed server answered a query with an error: say which
        primary = exc.diag.message_primary or state
        return f"cannot read the database ({label}): {_first_line(primary)}"
    return f"the connection to the database ({label}) was lost while reading its catalog"


def _first_line(text: str) -> str:
    """A server message cut to one short line."""
    return text.splitlines()[0][:300] if text else text


__all__ = ["Timeouts", "auth_message", "connect_message", "read", "timeout_message"]
