"""A throw-away PostgreSQL cluster for tests, from Debian's server binaries.

initdb and postgres refuse to run as root, so as root every server command runs through
``runuser -u postgres``. Starting a cluster takes about half a second.
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

import psycopg


@dataclass(frozen=True)
class PgServer:
    url: str  # postgresql://user@host:port/postgres
    bindir: str | None

    def url_for(self, dbname: str) -> str:
        base, _, _ = self.url.rpartition("/")
        return f"{base}/{dbname}"

    def create_database(self, prefix: str = "t") -> str:
        """A new empty database; returns its URL."""
        name = f"{prefix}_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url_for(name)

    def drop_database(self, url: str) -> None:
        name = url.rpartition("/")[2]
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    @contextmanager
    def scratch_connection(self, prefix: str = "t"
                           ) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
        """An autocommit connection to a new empty database, dropped afterwards."""
        url = self.create_database(prefix)
        try:
            with psycopg.connect(url, autocommit=True) as conn:
                yield conn
        finally:
            self.drop_database(url)

    def tool(self, name: str) -> str:
        """Path of a client tool (pg_dump, psql) matching the server when possible."""
        if self.bindir and os.path.exists(os.path.join(self.bindir, name)):
            return os.path.join(self.bindir, name)
        found = shutil.which(name)
        if not found:
            raise RuntimeError(f"{name} not found: apt-get install -y postgresql-client")
        return found


def bindir() -> str:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                   key=lambda p: int(p.split("/")[4]))
    if found:
        return os.path.dirname(found[-1])
    which = shutil.which("pg_ctl")
    if which:
        return os.path.dirname(os.path.realpath(which))
    raise RuntimeError("PostgreSQL server binaries not found: apt-get install -y postgresql")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def temp_postgres(os_user: str = "postgres") -> Iterator[PgServer]:
    """Start a cluster on a free port; stop and delete it on exit."""
    bin_dir, base = bindir(), tempfile.mkdtemp(prefix="pgtest-")
    prefix: list[str] = []
    if os.geteuid() == 0:
        pw = pwd.getpwnam(os_user)
        os.chown(base, pw.pw_uid, pw.pw_gid)
        prefix = ["runuser", "-u", os_user, "--"]
    data, log, port = os.path.join(base, "data"), os.path.join(base, "log"), _free_port()

    def run(*args: str) -> None:
        subprocess.run(prefix + list(args), check=True, capture_output=True, text=True)

    run(f"{bin_dir}/initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8",
        "--locale=C.UTF-8", "--no-sync")
    opts = (f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
    run(f"{bin_dir}/pg_ctl", "-D", data, "-l", log, "-w", "-t", "60", "-o", opts, "start")
    try:
        yield PgServer(url=f"postgresql://postgres@127.0.0.1:{port}/postgres", bindir=bin_dir)
    finally:
        subprocess.run([*prefix, f"{bin_dir}/pg_ctl", "-D", data, "-m", "immediate", "-w",
                        "stop"], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)


@contextmanager
def external_postgres(url: str) -> Iterator[PgServer]:
    yield PgServer(url=url, bindir=None)
