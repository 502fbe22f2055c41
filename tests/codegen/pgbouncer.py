"""Start a throw-away PgBouncer in transaction pooling mode in front of the test server."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy.engine import make_url

from tests.pgtemp import PgServer, _free_port

PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"


@dataclass(frozen=True)
class Bouncer:
    host: str
    port: int
    user: str

    def url(self, dbname: str) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{dbname}"


def available() -> bool:
    return os.path.exists(PGBOUNCER)


@contextmanager
def pgbouncer(server: PgServer, single_db: str) -> Iterator[Bouncer]:
    """PgBouncer (transaction mode, no prepared-statement support) forwarding every database
    to ``server``; the alias ``single`` maps to ``single_db`` with a one-connection pool."""
    target = make_url(server.url)
    host, pgport, user = target.host or "127.0.0.1", target.port or 5432, target.username
    user = user or "postgres"
    password = f" password={target.password}" if target.password else ""
    workdir = tempfile.mkdtemp(prefix="pgbouncer-")
    port = _free_port()
    files = {
        "pgbouncer.ini": (
            "[databases]\n"
            f"single = host={host} port={pgport} dbname={single_db} pool_size=1{password}\n"
            f"* = host={host} port={pgport}{password}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
            f"auth_type = trust\nauth_file = {workdir}/userlist.txt\n"
            "pool_mode = transaction\ndefault_pool_size = 4\nmax_client_conn = 200\n"
            "query_wait_timeout = 20\n"
            f"logfile = {workdir}/pgbouncer.log\n"),
        "userlist.txt": f'"{user}" ""\n',
    }
    for name, text in files.items():
        with open(os.path.join(workdir, name), "w") as fh:
            fh.write(text)
    cmd = [PGBOUNCER, os.path.join(workdir, "pgbouncer.ini")]
    if os.geteuid() == 0:  # pgbouncer refuses to run as root
        pw = pwd.getpwnam("postgres")
        for path in [workdir, *(os.path.join(workdir, n) for n in files)]:
            os.chown(path, pw.pw_uid, pw.pw_gid)
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_for_port(port, proc)
        yield Bouncer("127.0.0.1", port, user)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(workdir, ignore_errors=True)


def _wait_for_port(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"pgbouncer exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("pgbouncer did not start listening")
