"""The production topology on one machine, from real binaries, for the multi-process test
and ``bench/multiprocess.py``: a PostgreSQL database (on a server the caller gives: the
suite's throw-away cluster), PgBouncer in transaction mode in front of it, a private
redis-server (cache and queue), gunicorn with several ``gthread`` workers serving
``modeler.wsgi`` (as the Dockerfile starts it), and task workers. Everything listens on
127.0.0.1 on ports chosen at run time; every process is stopped and every file removed on
exit.

The app reaches PostgreSQL only through PgBouncer (``DATABASE_URL``); Django's psycopg 3
backend sends no prepared statements unless asked (``prepare_threshold`` None) and the app
opens no server-side cursors, which transaction pooling needs. Migrations run on the direct
URL, as a deploy step would.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.pgtemp import PgServer, _free_port

ROOT = Path(__file__).resolve().parents[2]
PGBOUNCER = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"
BIN = Path(sys.executable).parent
WEB_THREADS = 4  # threads per gunicorn worker, as the Dockerfile's WEB_THREADS default


def missing() -> str | None:
    """Why the stack cannot start here (a binary is missing), or None."""
    for path, package in ((PGBOUNCER, "pgbouncer"), (REDIS, "redis-server"),
                          (str(BIN / "gunicorn"), "gunicorn (pyproject)")):
        if not os.path.exists(path):
            return f"{path} not found: install {package}"
    return None


@dataclass
class Stack:
    base_url: str
    direct_url: str  # the database, not through PgBouncer
    pooled_url: str  # the database through PgBouncer
    redis_url: str
    env: dict[str, str]
    workdir: str
    gunicorn: subprocess.Popen[bytes]
    task_workers: list[subprocess.Popen[bytes]] = field(default_factory=list)
    seeded: dict[str, Any] = field(default_factory=dict)
    startup: dict[str, float] = field(default_factory=dict)  # seconds per start-up step

    def web_workers(self) -> list[int]:
        """Pids of gunicorn's worker processes (the master's children)."""
        return children(self.gunicorn.pid)

    def appctl(self, *args: str, direct: bool = False) -> Any:
        """Run tests/multiprocess/appctl.py against the stack's database (through PgBouncer
        unless ``direct``); its JSON."""
        env = {**self.env, "DATABASE_URL": self.direct_url} if direct else self.env
        out = subprocess.run([sys.executable, "-m", "tests.multiprocess.appctl", *args],
                             cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=120)
        if out.returncode != 0:
            raise RuntimeError(f"appctl {args[0]} failed:\n{out.stderr[-4000:]}")
        return json.loads(out.stdout.strip().splitlines()[-1])

    def start_task_worker(self) -> subprocess.Popen[bytes]:
        """One more RQ worker, as docker-compose.yml starts them (RQ's default worker:
        each job in a forked work horse)."""
        n = len(self.task_workers)
        with open(os.path.join(self.workdir, f"task-worker-{n}.log"), "wb") as log:
            proc = subprocess.Popen(
                [sys.executable, "manage.py", "rqworker", "default", "--job-class",
                 "django_tasks_rq.Job"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.task_workers.append(proc)
        return proc

    def busy_task_workers(self) -> dict[int, tuple[str, Any]]:
        """pid → (the task's function, its first argument: an ImportJob's pk) of every RQ
        worker of this stack running a task now."""
        import redis
        from rq.job import Job
        from rq.worker import Worker

        mine = {p.pid for p in self.task_workers if p.poll() is None}
        out = {}
        with redis.Redis.from_url(self.env["REDIS_URL"]) as conn:
            for worker in Worker.all(connection=conn):
                job_id = worker.get_current_job_id()
                if worker.pid in mine and job_id:
                    try:
                        job = Job.fetch(job_id, connection=conn)
                        out[worker.pid] = (job.func_name, job.args[0] if job.args else None)
                    except Exception:  # finished meanwhile
                        continue
        return out

    def import_job_status(self, pk: int) -> str | None:
        """The status of an ImportJob row, read directly."""
        import psycopg

        with psycopg.connect(self.direct_url, autocommit=True) as conn:
            row = conn.execute("SELECT status FROM web_importjob WHERE id = %s",
                               (pk,)).fetchone()
        return None if row is None else str(row[0])

    def log(self, name: str) -> str:
        path = Path(self.workdir) / name
        return path.read_text(errors="replace") if path.exists() else ""


def descendants(pid: int) -> list[int]:
    """Every process under ``pid``, deepest first."""
    out: list[int] = []
    for child in children(pid):
        out += [*descendants(child), child]
    return out


def children(pid: int) -> list[int]:
    """Direct children of ``pid`` (from /proc)."""
    out = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                stat = fh.read()
        except OSError:
            continue
        # pid (comm) state ppid ...: comm may hold spaces and parentheses
        if int(stat.rpartition(")")[2].split()[1]) == pid:
            out.append(int(entry))
    return sorted(out)


def _wait_port(port: int, proc: subprocess.Popen[bytes], what: str, seconds: float = 30
               ) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not start listening on {port}")


def _stop(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM, wait: float = 10) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(sig)
    try:
        proc.wait(timeout=wait)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def _stop_tree(proc: subprocess.Popen[bytes]) -> None:
    """Stop a process and whatever it started (an RQ work horse has a session of its own)."""
    under = descendants(proc.pid) if proc.poll() is None else []
    _stop(proc)
    for pid in under:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


@contextmanager
def _pgbouncer(server: PgServer, dbname: str, workdir: str) -> Iterator[str]:
    """PgBouncer in transaction mode for ``dbname``; yields the pooled URL."""
    from sqlalchemy.engine import make_url

    target = make_url(server.url)
    user = target.username or "postgres"
    port = _free_port()
    ini = os.path.join(workdir, "pgbouncer.ini")
    users = os.path.join(workdir, "userlist.txt")
    with open(ini, "w") as fh:
        fh.write("[databases]\n"
                 f"{dbname} = host={target.host} port={target.port} dbname={dbname}\n"
                 "[pgbouncer]\n"
                 f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
                 f"auth_type = trust\nauth_file = {users}\n"
                 # transaction pooling, fewer server connections than clients
                 "pool_mode = transaction\ndefault_pool_size = 12\nmax_client_conn = 300\n"
                 "query_wait_timeout = 30\n"
                 f"logfile = {workdir}/pgbouncer.log\n")
    with open(users, "w") as fh:
        fh.write(f'"{user}" ""\n')
    cmd = [PGBOUNCER, ini]
    if os.geteuid() == 0:  # pgbouncer refuses to run as root
        pw = pwd.getpwnam("postgres")
        for path in (workdir, ini, users):
            os.chown(path, pw.pw_uid, pw.pw_gid)
        cmd = ["runuser", "-u", "postgres", "--", *cmd]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_port(port, proc, "pgbouncer")
        yield f"postgresql://{user}@127.0.0.1:{port}/{dbname}"
    finally:
        _stop(proc)


@contextmanager
def _redis(workdir: str) -> Iterator[str]:
    """A private redis-server (no persistence) on a free port; yields its URL."""
    port = _free_port()
    proc = subprocess.Popen(
        [REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", workdir, "--logfile", os.path.join(workdir, "redis.log")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait_port(port, proc, "redis-server")
        yield f"redis://127.0.0.1:{port}"
    finally:
        _stop(proc)


def dump_schema(server: PgServer, dbname: str) -> str:
    """A migrated database's tables and its migration records as SQL (the suite's test
    database has them already: loading them takes a second, migrating afresh some ten)."""
    url = server.url_for(dbname)
    out = []
    for args in (["--schema-only"], ["--data-only", "--table=django_migrations"]):
        done = subprocess.run([server.tool("pg_dump"), "--no-owner", *args, url],
                              capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"pg_dump {dbname}: {done.stderr.strip()}")
        out.append(done.stdout)
    return "".join(out)


@contextmanager
def stack(server: PgServer, *, clients: int, password: str, web_workers: int = 3,
          task_workers: int = 2, schema_sql: str | None = None,
          web_threads: int = WEB_THREADS, verify_snapshots: bool = True) -> Iterator[Stack]:
    """Start everything (see the module docstring), seed the project, yield the stack.
    ``schema_sql`` (see :func:`dump_schema`) is loaded instead of migrating. gunicorn runs
    as the Dockerfile starts it: ``gthread`` workers of ``web_threads`` threads each (a
    light request is not queued behind a heavy one of the same worker).
    ``verify_snapshots``: every snapshot-cache hit checked against the rows (a test's
    setting, off in production: benchmarks turn it off)."""
    with ExitStack() as exits:
        steps: dict[str, float] = {}
        clock = time.monotonic()

        def step(name: str) -> None:
            nonlocal clock
            now = time.monotonic()
            steps[name] = round(now - clock, 2)
            clock = now

        workdir = tempfile.mkdtemp(prefix="multiprocess-")
        os.chmod(workdir, 0o755)  # PgBouncer runs as postgres and needs its folder in it
        exits.callback(shutil.rmtree, workdir, True)
        direct = server.create_database("mp")
        exits.callback(server.drop_database, direct)
        dbname = direct.rpartition("/")[2]
        if schema_sql is not None:
            subprocess.run([server.tool("psql"), "-q", "-v", "ON_ERROR_STOP=1", direct],
                           input=schema_sql, capture_output=True, text=True, check=True)
        bouncer_dir = os.path.join(workdir, "pgbouncer")
        os.mkdir(bouncer_dir)
        pooled = exits.enter_context(_pgbouncer(server, dbname, bouncer_dir))
        redis_url = exits.enter_context(_redis(workdir))
        step("database, pgbouncer, redis")
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("DJANGO_", "PYTEST_", "TEST_"))}
        env.update({
            "DJANGO_SETTINGS_MODULE": "modeler.settings",
            "DATABASE_URL": pooled, "DB_PGBOUNCER": "1", "CACHE_URL": f"{redis_url}/0",
            "SECRET_KEY": "multiprocess-test-only", "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost", "MODELER_DATA_DIR": workdir,
            # background work: RQ on the stack's Redis (its own database beside the cache's)
            "MODELER_TASKS_BACKEND": "rq", "REDIS_URL": f"{redis_url}/1",
            # an import whose worker was killed shows as failed after 15 s, not 30
            "MODELER_IMPORT_STALE_AFTER": "15",
            "SNAPSHOT_CACHE_VERIFY": "1" if verify_snapshots else "0", "LOG_LEVEL": "WARNING",
            "PYTHONPATH": str(ROOT), "PYTHONDONTWRITEBYTECODE": "1",
        })
        port = _free_port()
        # the app's own log (tracebacks of any 500) goes to the workers' stderr
        web_out = exits.enter_context(open(os.path.join(workdir, "app.log"), "wb"))
        web = subprocess.Popen(
            [str(BIN / "gunicorn"), "modeler.wsgi", "--workers", str(web_workers),
             "--worker-class", "gthread", "--threads", str(web_threads),
             "--bind", f"127.0.0.1:{port}", "--timeout", "60", "--graceful-timeout", "5",
             "--access-logfile", os.path.join(workdir, "access.log"),
             "--access-logformat", '%(s)s %(m)s %(U)s %(L)s',
             "--error-logfile", os.path.join(workdir, "gunicorn.log"), "--no-control-socket"],
            cwd=ROOT, env=env, stdout=web_out, stderr=subprocess.STDOUT)
        exits.callback(_stop, web)
        st = Stack(base_url=f"http://127.0.0.1:{port}", direct_url=direct, pooled_url=pooled,
                   redis_url=redis_url, env=env, workdir=workdir, gunicorn=web)
        # gunicorn imports the app meanwhile; migrations run on the direct URL, as a deploy
        # step would
        st.seeded = st.appctl("seed", str(clients), password,
                              "migrated" if schema_sql is not None else "migrate", direct=True)
        step("migrate and seed")
        exits.callback(lambda: [_stop_tree(p) for p in st.task_workers])  # restarted ones too
        for _ in range(task_workers):
            st.start_task_worker()
        _wait_port(port, web, "gunicorn", seconds=60)
        _wait_ready(st.base_url + "/login/", web)
        _wait_workers(st, task_workers)
        step("gunicorn and task workers ready")
        st.startup = steps
        yield st


def _wait_workers(st: Stack, count: int, seconds: float = 60) -> None:
    """Until ``count`` RQ workers have registered with Redis."""
    import redis
    from rq.worker import Worker

    deadline = time.monotonic() + seconds
    with redis.Redis.from_url(st.env["REDIS_URL"]) as conn:
        while time.monotonic() < deadline:
            if len(Worker.all(connection=conn)) >= count:
                return
            for proc in st.task_workers:
                if proc.poll() is not None:
                    raise RuntimeError(f"a task worker exited with {proc.returncode}:\n"
                                       + st.log("task-worker-0.log")[-3000:])
            time.sleep(0.1)
    raise RuntimeError("the task workers did not register")


def _wait_ready(url: str, proc: subprocess.Popen[bytes], seconds: float = 60) -> None:
    """Until the login page answers 200 (every worker has imported the app by then, or
    soon: gunicorn forks them after the master binds)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not answer")
