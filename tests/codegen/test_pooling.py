"""Pooling proof (issue 6.5): the exported ``db.py`` works through a real PgBouncer in
transaction pooling mode, while migrations run over the direct URL.

PgBouncer 1.18 (Debian) keeps no prepared statements and rejects the ``options`` startup
parameter in this mode; the negative controls show that both would break a naive engine.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from modeler.codegen.bundle import VersionInput, build_bundle, package_name
from modeler.schema.model import Settings
from tests.codegen import helpers as h
from tests.codegen import pgbouncer
from tests.codegen.designs import shop_versions
from tests.pgtemp import PgServer

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not pgbouncer.available(),
                       reason="pgbouncer is not installed (apt-get install -y pgbouncer)"),
]


def _neon(versions: list[VersionInput]) -> list[VersionInput]:
    return [replace(v, schema=replace(v.schema, settings=Settings(provider="neon")))
            for v in versions]


def test_naive_settings_fail_through_transaction_pooler(pg_server: PgServer) -> None:
    """Negative controls: startup ``options`` are refused, and server-side prepared
    statements collide when two clients share one server connection."""
    direct = pg_server.create_database()
    try:
        with pgbouncer.pgbouncer(pg_server, direct.rpartition("/")[2]) as bouncer:
            url = bouncer.url("single")
            with pytest.raises(psycopg.OperationalError, match="unsupported startup parameter"):
                psycopg.connect(url, options="-c statement_timeout=1000").close()
            a = psycopg.connect(url, prepare_threshold=0)
            b = psycopg.connect(url, prepare_threshold=0)
            try:
                a.execute("SELECT 1").fetchall()
                a.commit()
                with pytest.raises(psycopg.errors.DuplicatePreparedStatement):
                    b.execute("SELECT 1").fetchall()
                b.rollback()
            finally:
                a.close()
                b.close()
    finally:
        pg_server.drop_database(direct)


def test_app_engine_through_pgbouncer(pg_server: PgServer, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    slug = "pooled-shop"
    bundle = h.write_bundle(build_bundle(_neon(shop_versions()), slug=slug), tmp_path / "b")
    direct = pg_server.create_database()
    dbname = direct.rpartition("/")[2]
    try:
        with pgbouncer.pgbouncer(pg_server, dbname) as bouncer:
            pooled = bouncer.url(dbname)
            # Migrations: DATABASE_URL is the pooler, DIRECT_DATABASE_URL wins for Alembic.
            h.alembic(bundle, pooled, "upgrade", "head",
                      extra_env={"DIRECT_DATABASE_URL": direct.replace("postgresql://",
                                                                       "postgres://", 1)})
            monkeypatch.setenv("DATABASE_URL", pooled)
            monkeypatch.delenv("DIRECT_DATABASE_URL", raising=False)
            monkeypatch.setenv("DB_POOL_SIZE", "3")
            monkeypatch.setenv("DB_MAX_OVERFLOW", "2")
            monkeypatch.setenv("DB_STATEMENT_TIMEOUT_MS", "4321")
            with h.imported(bundle, f"{package_name(slug)}.db") as db, \
                    h.imported(bundle, f"{package_name(slug)}.models") as models:
                _exercise(db, models, direct)
    finally:
        pg_server.drop_database(direct)


def _exercise(db: object, models: object, direct: str) -> None:
    engine: sa.Engine = db.get_engine()  # type: ignore[attr-defined]
    assert db.uses_transaction_pooling(str(engine.url))  # type: ignore[attr-defined]
    assert engine.pool.size() == 3  # type: ignore[attr-defined]
    opts = db.engine_options(str(engine.url))  # type: ignore[attr-defined]
    assert opts["pool_pre_ping"] is True and opts["max_overflow"] == 2
    assert opts["connect_args"]["prepare_threshold"] is None
    assert "options" not in opts["connect_args"]
    customer = models.Customer  # type: ignore[attr-defined]
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(8):
                with db.session_scope() as session:  # type: ignore[attr-defined]
                    timeout = session.execute(sa.text("SHOW statement_timeout")).scalar_one()
                    assert timeout == "4321ms", timeout
                    session.add(customer(email=f"c{n}-{i}@example.com",
                                         display_name=f"C {n} {i}"))
                    session.flush()
                    # the same statement many times: psycopg would prepare it by default
                    for _ in range(7):
                        session.execute(sa.select(customer).where(
                            customer.email == f"c{n}-{i}@example.com")).scalar_one()
        except BaseException as exc:  # reported below, in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors[0]
    with psycopg.connect(direct) as conn:
        assert conn.execute("SELECT count(*) FROM customer").fetchone() == (40,)
    # what needs a session is refused before it reaches the pooler; the transaction-scoped
    # forms work through it
    with db.session_scope() as session:  # type: ignore[attr-defined]
        for statement in ("SET search_path = public", "SELECT pg_advisory_lock(7)"):
            with pytest.raises(db.SessionStateError):  # type: ignore[attr-defined]
                session.execute(sa.text(statement))
        session.execute(sa.text("SET LOCAL search_path = public"))
        assert session.execute(sa.text("SELECT pg_advisory_xact_lock(7)")).all() == [("",)]
    # SET LOCAL did not leak into the pooler's shared server sessions
    with engine.connect() as sa_conn:
        raw = sa_conn.connection.dbapi_connection
        assert raw is not None
        cur = raw.cursor()
        cur.execute("SHOW statement_timeout")
        assert cur.fetchone() == ("0",)
        sa_conn.rollback()
    engine.dispose()
