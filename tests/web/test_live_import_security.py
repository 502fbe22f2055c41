"""The live database import cannot be turned against the server (issue #12): who may use it,
which hosts it may reach (never the application's own database), no environment defaults
of the server, errors that do not scan ports, and a target that never answers holds neither
the request nor every worker."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import psycopg
import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from modeler.importers import SchemaImportError, import_live
from modeler.importers.live import Policy, Timeouts
from modeler.web import importing, importjobs, services
from modeler.web.models import ImportJob, Membership, PendingImport, Project, Version
from modeler.web.snapshot import snapshot
from tests.pgtemp import PgServer, bindir

HTMX = {"HTTP_HX_REQUEST": "true"}
SETTING = "MODELER_LIVE_IMPORT_HOSTS"
SCHEMA = """
CREATE TABLE author (id serial PRIMARY KEY, name text NOT NULL);
CREATE TABLE book (id serial PRIMARY KEY, author_id int NOT NULL REFERENCES author);
"""


def post(client: Client, url: str, slug: str = "live", **headers: str) -> Any:
    return client.post(reverse("import_start"), {"name": "Live", "slug": slug, "format": "url",
                                                 "url": url}, **headers)


def server_port(pg_server: PgServer) -> int:
    return urlsplit(pg_server.url).port or 5432


@pytest.fixture
def owner(user: Any) -> Any:
    """A user who owns a project (so may use the live import)."""
    services.project_create(name="Mine", slug="mine", owner=user)
    return user


@pytest.fixture
def threads(settings: Any) -> Iterator[None]:
    """Live imports always run on a worker thread: the tests that start one use real
    threads (``transaction=True``) and wait for them."""
    settings.MODELER_IMPORT_FAST_WAIT = 0.3
    yield
    for thread in list(importjobs._threads.values()):
        thread.join(15)


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A local port that accepts TCP connections (the kernel completes the handshake) and
    never says a word."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(8)
    sock.setblocking(False)
    yield sock
    sock.close()


def accepted(sock: socket.socket) -> bool:
    """Whether anybody connected to ``sock`` (it never accepted them itself)."""
    try:
        conn, _ = sock.accept()
    except BlockingIOError:
        return False
    conn.close()
    return True


def finished(job: ImportJob, seconds: float = 15) -> ImportJob:
    job = importjobs.wait(job, seconds)
    assert job.status not in ImportJob.ACTIVE, job.stage
    return job


# ----------------------------------------------------------------------------- who may

@pytest.mark.django_db
def test_only_staff_and_project_owners_may_import_a_live_database(
        client: Client, user: Any, other_user: Any, django_user_model: Any,
        settings: Any) -> None:
    settings.LIVE_IMPORT_ALLOWED = [("127.0.0.1", None)]
    client.force_login(user)  # a member of nothing
    page = client.get(reverse("import_start")).content.decode()
    assert "Live PostgreSQL database" not in page and 'name="url"' not in page
    refused = post(client, "postgresql://postgres@127.0.0.1/postgres")
    assert refused.status_code == 403
    assert b"open to staff and to owners of a project only" in refused.content
    project = services.project_create(name="Theirs", slug="theirs", owner=other_user)
    Membership.objects.create(project=project, user=user, role="editor")
    assert post(client, "postgresql://postgres@127.0.0.1/postgres").status_code == 403
    assert not ImportJob.objects.exists() and not PendingImport.objects.exists()
    client.force_login(other_user)  # an owner sees the option
    assert "Live PostgreSQL database" in client.get(reverse("import_start")).content.decode()
    staff = django_user_model.objects.create_user(username="st", password="pw-st-123!",
                                                  is_staff=True)
    assert importing.live_import_allowed(staff) and importing.live_import_allowed(other_user)
    assert not importing.live_import_allowed(user)


# -------------------------------------------------------------------------- where from

REFUSED = ["postgresql:///app", "postgresql://?host=/var/run/postgresql",
           "postgresql://postgres@127.0.0.1/app?service=prod",
           "postgresql://postgres@127.0.0.1/app?host=/var/run/postgresql",
           "postgresql://postgres@127.0.0.1/app?passfile=/root/.pgpass",
           "postgresql://postgres@%2Fvar%2Frun%2Fpostgresql/app",
           "postgresql://postgres@127.0.0.1,10.0.0.1/app"]


@pytest.mark.django_db
@pytest.mark.parametrize("url", REFUSED)
def test_urls_that_lean_on_the_servers_defaults_are_refused(
        client: Client, owner: Any, settings: Any, url: str) -> None:
    settings.LIVE_IMPORT_ALLOWED = [("127.0.0.1", None), ("localhost", None)]
    client.force_login(owner)
    response = post(client, url)
    assert response.status_code == 422 and b"Import failed" in response.content
    assert not ImportJob.objects.exists()


@pytest.mark.django_db
def test_without_allowed_hosts_nothing_is_imported(client: Client, owner: Any,
                                                   settings: Any, listener: socket.socket
                                                   ) -> None:
    settings.LIVE_IMPORT_ALLOWED = []
    client.force_login(owner)
    port = listener.getsockname()[1]
    response = post(client, f"postgresql://postgres@127.0.0.1:{port}/postgres")
    assert response.status_code == 422
    assert SETTING in response.content.decode() and b"administrator" in response.content
    assert not ImportJob.objects.exists() and not accepted(listener)


@pytest.mark.django_db(transaction=True)
def test_a_host_not_in_the_list_is_refused_before_connecting(
        client: Client, owner: Any, settings: Any, threads: None,
        listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    settings.LIVE_IMPORT_ALLOWED = [("127.0.0.1", port + 1 if port < 65535 else port - 1)]
    client.force_login(owner)
    for host in ("127.0.0.1", "localhost"):
        post(client, f"postgresql://postgres@{host}:{port}/postgres", slug=f"x{len(host)}")
    for job in ImportJob.objects.all():
        job = finished(job)
        assert job.status == "failed" and SETTING in job.error, job.error
    assert not accepted(listener)


def own_database() -> tuple[str, int, str]:
    entry = connection.settings_dict
    if "postgresql" not in entry["ENGINE"]:
        pytest.skip("the application's database is not PostgreSQL (TEST_DB=sqlite)")
    return entry["HOST"], int(entry["PORT"] or 5432), entry["NAME"]


@pytest.mark.django_db(transaction=True)
def test_the_apps_own_database_is_refused_even_from_an_allowed_host(
        client: Client, owner: Any, settings: Any, threads: None) -> None:
    host, port, name = own_database()
    client.force_login(owner)
    for allowed, typed in (("127.0.0.1", host), ("localhost", host), (host, "localhost"),
                           (host, "127.0.0.1")):
        settings.LIVE_IMPORT_ALLOWED = [(allowed, port)]
        response = post(client, f"postgresql://postgres@{typed}:{port}/{name}",
                        slug="own", **HTMX)
        job = finished(ImportJob.objects.latest("pk"))
        assert job.status == "failed" and "own database" in job.error, (allowed, typed,
                                                                        job.error)
        assert response.status_code in (200, 302, 422)
    assert not PendingImport.objects.exists()


# ----------------------------------------------------------------- a target that hangs

GENERIC = re.compile(r"could not connect to the database \(127\.0\.0\.1:(\d+)\): check the "
                     r"address and that the server accepts connections$")


@pytest.mark.django_db(transaction=True)
def test_a_port_that_never_answers_fails_fast_and_never_holds_the_request(
        client: Client, owner: Any, settings: Any, threads: None,
        listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
    closed_port = closed.getsockname()[1]
    settings.LIVE_IMPORT_ALLOWED = [("127.0.0.1", port), ("127.0.0.1", closed_port)]
    settings.LIVE_IMPORT_CONNECT_TIMEOUT = 2
    settings.LIVE_IMPORT_CONCURRENCY = 1
    settings.MODELER_IMPORT_INLINE = True  # live imports go to a thread all the same
    client.force_login(owner)
    t0 = time.monotonic()
    response = post(client, f"postgresql://postgres:s3cret-pw@127.0.0.1:{port}/db", **HTMX)
    assert time.monotonic() - t0 < 1.5  # the request waited the fast-wait only
    job = ImportJob.objects.get()
    assert response.status_code == 200 and b'id="import-job"' in response.content
    # bounded: a second live import is refused while this one runs
    second = post(client, f"postgresql://postgres@127.0.0.1:{port}/db", slug="two")
    assert second.status_code == 429 and b"Another live database import" in second.content
    job = finished(job)
    assert time.monotonic() - t0 < 4.5  # the connect timeout (2 s), not libpq's default
    hung = GENERIC.match(job.error)
    assert job.status == "failed" and hung, job.error
    assert "s3cret-pw" not in job.error
    # a closed port reads the same: the messages do not tell ports apart
    post(client, f"postgresql://postgres@127.0.0.1:{closed_port}/db", slug="three")
    other = finished(ImportJob.objects.get(slug="three"))
    assert GENERIC.match(other.error), other.error
    assert other.error.replace(str(closed_port), "P") == job.error.replace(str(port), "P")
    closed.close()


# --------------------------------------------------------------- an allowed database

@pytest.mark.django_db(transaction=True)
def test_an_allowed_database_imports_end_to_end(client: Client, owner: Any, settings: Any,
                                               threads: None, pg_server: PgServer) -> None:
    url = pg_server.create_database()
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(SCHEMA)  # type: ignore[arg-type]
        port = server_port(pg_server)
        client.force_login(owner)
        settings.LIVE_IMPORT_ALLOWED = [("localhost", port + 1)]  # not this port: refused
        post(client, url, **HTMX)
        job = finished(ImportJob.objects.get())
        assert job.status == "failed" and SETTING in job.error
        job.delete()
        settings.LIVE_IMPORT_ALLOWED = [("127.0.0.1", port)]  # typed by another name
        post(client, url.replace("@127.0.0.1:", "@localhost:"), **HTMX)
        job = finished(ImportJob.objects.get())
        assert job.status == "done", job.error
        pending = PendingImport.objects.get()
        with psycopg.connect(url) as conn:
            server = conn.info.server_version
        assert pending.server_version == server
        preview = client.get(reverse("import_preview", args=[pending.pk])).content.decode()
        assert f"targeting PostgreSQL {importing.server_pg_version(server)} " in preview
        done = client.post(reverse("import_confirm", args=[pending.pk]))
        if done.status_code == 200:  # still creating: wait for the create job
            finished(ImportJob.objects.get(kind="create"))
        project = Project.objects.get(slug="live")
        assert Version.objects.get(project=project).baseline
        # the project targets the server's PostgreSQL, as import_schema --url's does
        assert project.pg_version == importing.server_pg_version(server)
        assert snapshot(services.main_design(project)).settings.pg_version == project.pg_version
    finally:
        pg_server.drop_database(url)


# ------------------------------------------------------------ the server's environment

@pytest.fixture(scope="module")
def scram_server() -> Iterator[tuple[int, str]]:
    """A throw-away PostgreSQL that wants a password (scram-sha-256): (port, password)."""
    if os.environ.get("TEST_DATABASE_URL"):
        pytest.skip("needs the PostgreSQL server binaries to start a cluster")
    password = "scram-pw-7f3a"
    base = tempfile.mkdtemp(prefix="pgscram-")
    prefix: list[str] = []
    if os.geteuid() == 0:
        import pwd
        pw = pwd.getpwnam("postgres")
        os.chown(base, pw.pw_uid, pw.pw_gid)
        prefix = ["runuser", "-u", "postgres", "--"]
    pwfile = os.path.join(base, "pw")
    with open(pwfile, "w") as fh:
        fh.write(password)
    if prefix:
        os.chown(pwfile, pw.pw_uid, pw.pw_gid)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    data, binaries = os.path.join(base, "data"), bindir()
    subprocess.run([*prefix, f"{binaries}/initdb", "-D", data, "-U", "postgres",
                    "-A", "scram-sha-256", f"--pwfile={pwfile}", "--no-sync"],
                   check=True, capture_output=True)
    subprocess.run([*prefix, f"{binaries}/pg_ctl", "-D", data, "-l", f"{base}/log", "-w",
                    "-o", f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off",
                    "start"], check=True, capture_output=True)
    try:
        yield port, password
    finally:
        subprocess.run([*prefix, f"{binaries}/pg_ctl", "-D", data, "-m", "immediate", "-w",
                        "stop"], capture_output=True)
        subprocess.run(["rm", "-rf", base], capture_output=True)


def test_the_servers_pg_variables_and_password_file_are_not_used(
        scram_server: tuple[int, str], monkeypatch: pytest.MonkeyPatch,
        tmp_path: Any) -> None:
    port, password = scram_server
    policy = Policy(allowed=(("127.0.0.1", port),))
    timeouts = Timeouts(connect=5, total=30)
    url = f"postgresql://postgres@127.0.0.1:{port}/postgres"
    pgpass = tmp_path / "pgpass"
    pgpass.write_text(f"*:*:*:*:{password}\n")
    pgpass.chmod(0o600)
    monkeypatch.setenv("PGPASSWORD", password)
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    monkeypatch.setenv("PGUSER", "postgres")
    monkeypatch.setenv("PGDATABASE", "postgres")
    # the administrator's command line does use them (libpq as usual) ...
    assert import_live(url, timeouts=timeouts).schema.tables == ()
    # ... an untrusted URL does not: no password given, none taken from the server
    with pytest.raises(SchemaImportError) as info:
        import_live(url, policy=policy, timeouts=timeouts)
    assert str(info.value).startswith(f"authentication failed (127.0.0.1:{port})")
    monkeypatch.delenv("PGPASSWORD")
    with pytest.raises(SchemaImportError, match="authentication failed"):
        import_live(url, policy=policy, timeouts=timeouts)
    # with its own password it connects (and the database is empty)
    own = f"postgresql://postgres:{password}@127.0.0.1:{port}/postgres"
    assert import_live(own, policy=policy, timeouts=timeouts).schema.tables == ()
    with pytest.raises(SchemaImportError) as wrong:
        import_live(own.replace(password, "wrong-pw"), policy=policy, timeouts=timeouts)
    assert "authentication failed" in str(wrong.value) and "wrong-pw" not in str(wrong.value)


def test_the_host_list_setting() -> None:
    from modeler.settings import live_import_hosts

    assert live_import_hosts("") == []
    assert live_import_hosts(" DB.internal:5433, db2:*,db3,[::1]:6000,[fe80::1] ") == [
        ("db.internal", 5433), ("db2", None), ("db3", 5432), ("::1", 6000), ("fe80::1", 5432)]
    for bad in ("db:x", "db:0", ":5432", "[::1]x"):
        with pytest.raises(ValueError, match=SETTING):
            live_import_hosts(bad)
