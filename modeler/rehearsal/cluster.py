"""The rehearsal server: where scratch databases are created and always dropped again.

Either a PostgreSQL server the administrator names (``MODELER_REHEARSAL_URL``: a role that
may ``CREATE DATABASE``; a Neon branch works) or, by default, a throw-away local cluster
started from the installed server binaries (``initdb`` + ``pg_ctl``; as root through
``runuser -u postgres``, since the server refuses to run as root). Starting one takes about
half a second; it is stopped and deleted when the rehearsal ends.

Nothing here touches a user's own databases: every rehearsal works in a database named
``rehearsal_<random>`` that it creates and drops itself.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql


class ServerUnavailable(RuntimeError):
    """No rehearsal server: the message says what to install or configure."""


INSTALL_HINT = ("no rehearsal server: install the PostgreSQL server binaries "
                "(apt-get install -y postgresql) or set MODELER_REHEARSAL_URL to a server "
                "where this role may CREATE DATABASE (e.g. a Neon branch)")


@dataclass(frozen=True)
class Server:
    """A server the rehearsal may create databases on (``url`` names its maintenance
    database)."""

    url: str
    local: bool = False

    def url_for(self, dbname: str) -> str:
        parts = urlsplit(self.url)
        return urlunsplit(parts._replace(path="/" + dbname))

    @property
    def label(self) -> str:
        """Host and port only: never the password."""
        parts = urlsplit(self.url)
        where = f"{parts.hostname}:{parts.port or 5432}"
        return f"throw-away local cluster ({where})" if self.local else where


def bindir() -> str | None:
    """The newest installed server's ``bin`` directory, or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                   key=lambda p: int(p.split("/")[4]))
    if found:
        return os.path.dirname(found[-1])
    which = shutil.which("pg_ctl")
    return os.path.dirname(os.path.realpath(which)) if which else None


def available(url: str | None) -> str | None:
    """None when a rehearsal can run with ``url`` (the setting), else what is missing."""
    if url:
        return None
    return None if bindir() else INSTALL_HINT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def local_cluster(os_user: str = "postgres") -> Iterator[Server]:
    """Start a throw-away cluster on a free port; stop and delete it on exit."""
    bin_dir = bindir()
    if bin_dir is None:
        raise ServerUnavailable(INSTALL_HINT)
    base = tempfile.mkdtemp(prefix="rehearsal-")
    prefix: list[str] = []
    if os.geteuid() == 0:
        try:
            pw = pwd.getpwnam(os_user)
        except KeyError as exc:
            raise ServerUnavailable(f"running as root needs the {os_user!r} system user "
                                    "(the postgresql package creates it)") from exc
        os.chown(base, pw.pw_uid, pw.pw_gid)
        prefix = ["runuser", "-u", os_user, "--"]
    data, log, port = os.path.join(base, "data"), os.path.join(base, "log"), _free_port()

    def run(*args: str) -> None:
        subprocess.run(prefix + list(args), check=True, capture_output=True, text=True,
                       timeout=120)

    try:
        run(f"{bin_dir}/initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
            "--locale=C.UTF-8", "--no-sync")
        opts = (f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
                "-c synchronous_commit=off -c full_page_writes=off -c max_connections=50")
        run(f"{bin_dir}/pg_ctl", "-D", data, "-l", log, "-w", "-t", "60", "-o", opts, "start")
    except (subprocess.SubprocessError, OSError) as exc:
        shutil.rmtree(base, ignore_errors=True)
        raise ServerUnavailable(f"could not start a local PostgreSQL cluster: {exc}") from exc
    try:
        yield Server(url=f"postgresql://postgres@127.0.0.1:{port}/postgres", local=True)
    finally:
        subprocess.run([*prefix, f"{bin_dir}/pg_ctl", "-D", data, "-m", "immediate", "-w",
                        "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def server(url: str | None = None) -> Iterator[Server]:
    """The configured server (``url``), else a throw-away local cluster."""
    if url:
        yield Server(url=url)
        return
    with local_cluster() as found:
        yield found


@contextmanager
def scratch_database(srv: Server) -> Iterator[str]:
    """A new empty database on ``srv`` (its URL), dropped on exit whatever happened."""
    name = f"rehearsal_{uuid.uuid4().hex[:16]}"
    try:
        with psycopg.connect(srv.url, autocommit=True, connect_timeout=15) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as exc:
        raise ServerUnavailable(f"could not create a scratch database on {srv.label}: "
                                f"{exc.diag.message_primary or exc}") from exc
    try:
        yield srv.url_for(name)
    finally:
        with psycopg.connect(srv.url, autocommit=True, connect_timeout=15) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                         .format(sql.Identifier(name)))
