"""The exported ``db.py`` without a database: URL handling and pool/driver settings."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from modeler.codegen.tpl_alembic import render_env
from modeler.codegen.tpl_db import render_db
from tests.codegen import helpers as h

NEON_DIRECT = "postgres://app:s3cret@ep-cool-bird-123.us-east-2.aws.neon.tech/shop?sslmode=require"


def _module(tmp_path: Path, provider: str) -> Iterator[ModuleType]:
    pkg = tmp_path / f"dbmod_{provider}"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "db.py").write_text(render_db(provider=provider, package=pkg.name))
    with h.imported(tmp_path, f"{pkg.name}.db") as mod:
        yield mod


@pytest.fixture
def generic(tmp_path: Path) -> Iterator[ModuleType]:
    yield from _module(tmp_path, "generic")


@pytest.fixture
def neon(tmp_path: Path) -> Iterator[ModuleType]:
    yield from _module(tmp_path, "neon")


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "DIRECT_DATABASE_URL", "DATABASE_URL_UNPOOLED",
                 "DB_POOL_SIZE", "DB_MAX_OVERFLOW",
                 "DB_POOL_RECYCLE", "DB_STATEMENT_TIMEOUT_MS", "DB_TRANSACTION_POOLING",
                 "DB_CONNECT_TIMEOUT", "DB_POOL_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize("raw", ["postgres://u:p@h:5432/d", "postgresql://u:p@h:5432/d",
                                 "postgresql+psycopg2://u:p@h:5432/d"])
def test_urls_are_mapped_to_psycopg3(generic: ModuleType, raw: str) -> None:
    assert generic.normalize_url(raw) == "postgresql+psycopg://u:p@h:5432/d"


def test_other_schemes_are_refused(generic: ModuleType) -> None:
    with pytest.raises(ValueError):
        generic.normalize_url("mysql://u@h/d")


def test_neon_app_url_uses_the_pooler(neon: ModuleType, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", NEON_DIRECT)
    url = neon.app_url()
    assert url.startswith("postgresql+psycopg://app:s3cret@ep-cool-bird-123-pooler.us-east-2.")
    assert url.endswith("/shop?sslmode=require")
    assert neon.direct_url(url) == neon.normalize_url(NEON_DIRECT)
    assert neon.pooled_url(url) == url  # idempotent


def test_neon_settings_fit_transaction_pooling(neon: ModuleType,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", NEON_DIRECT)
    opts = neon.engine_options(neon.app_url())
    assert opts["connect_args"]["prepare_threshold"] is None
    assert "options" not in opts["connect_args"]  # PgBouncer rejects startup options
    assert opts["pool_pre_ping"] is True
    assert opts["pool_recycle"] == 300
    engine = neon.create_app_engine()
    assert engine.dispatch.begin  # SET LOCAL statement_timeout per transaction
    engine.dispose()


def test_generic_settings_and_env_overrides(generic: ModuleType,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    url = "postgresql+psycopg://u@db.internal/app"
    opts = generic.engine_options(url)
    assert opts["connect_args"] == {"connect_timeout": 10,
                                    "options": "-c statement_timeout=30000"}
    assert (opts["pool_size"], opts["max_overflow"], opts["pool_recycle"]) == (5, 10, 1800)
    for name, value in (("DB_POOL_SIZE", "7"), ("DB_MAX_OVERFLOW", "0"),
                        ("DB_POOL_RECYCLE", "60"), ("DB_STATEMENT_TIMEOUT_MS", "0"),
                        ("DB_CONNECT_TIMEOUT", "3")):
        monkeypatch.setenv(name, value)
    opts = generic.engine_options(url)
    assert (opts["pool_size"], opts["max_overflow"], opts["pool_recycle"]) == (7, 0, 60)
    assert opts["connect_args"] == {"connect_timeout": 3}
    monkeypatch.setenv("DB_TRANSACTION_POOLING", "true")
    assert generic.engine_options(url)["connect_args"]["prepare_threshold"] is None
    assert generic.uses_transaction_pooling("postgresql+psycopg://u@ep-x-pooler.example/d") \
        is True
    monkeypatch.setenv("DB_TRANSACTION_POOLING", "auto")
    assert generic.uses_transaction_pooling("postgresql+psycopg://u@ep-x-pooler.example/d")
    assert not generic.uses_transaction_pooling(url)


def test_migration_url_is_the_direct_one(neon: ModuleType,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    pooled = NEON_DIRECT.replace("ep-cool-bird-123.", "ep-cool-bird-123-pooler.")
    monkeypatch.setenv("DATABASE_URL", pooled)
    direct = neon.normalize_url(NEON_DIRECT)
    assert neon.migration_url() == direct  # the pooler host made direct
    monkeypatch.setenv("DATABASE_URL_UNPOOLED", "postgres://u@unpooled.example/shop")
    assert neon.migration_url() == "postgresql+psycopg://u@unpooled.example/shop"
    monkeypatch.setenv("DIRECT_DATABASE_URL", "postgres://u@direct.example/shop")
    assert neon.migration_url() == "postgresql+psycopg://u@direct.example/shop"
    assert "-pooler" in neon.app_url()


@pytest.mark.parametrize("statement", [
    "SET search_path = app", "set statement_timeout = 5", "SET SESSION work_mem = '64MB'",
    "RESET ALL", "PREPARE q AS SELECT 1", "DEALLOCATE q", "LISTEN jobs", "UNLISTEN *",
    "DECLARE c CURSOR WITH HOLD FOR SELECT 1", "SELECT pg_advisory_lock(42)",
    "select pg_try_advisory_lock_shared(1, 2)"])
def test_session_state_is_refused(neon: ModuleType, statement: str) -> None:
    with pytest.raises(neon.SessionStateError, match="transaction pooling"):
        neon.refuse_session_state(statement)


@pytest.mark.parametrize("statement", [
    "SET LOCAL statement_timeout = 5", "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE",
    "SET CONSTRAINTS ALL IMMEDIATE", "SELECT pg_advisory_xact_lock(42)",
    "UPDATE settings SET reset = true", "SELECT 1"])
def test_transaction_scoped_statements_pass(neon: ModuleType, statement: str) -> None:
    neon.refuse_session_state(statement)


def test_readme_explains_neon_branches_only_for_neon_projects() -> None:
    from dataclasses import replace

    from modeler.codegen.bundle import build_bundle
    from modeler.schema.model import Settings
    from tests.codegen.designs import shop_versions

    versions = shop_versions()
    generic = build_bundle(versions, slug="shop")["README.md"].decode()
    assert "## Neon" not in generic
    neon = build_bundle([replace(v, schema=replace(v.schema, settings=Settings(
        provider="neon"))) for v in versions], slug="shop")["README.md"].decode()
    assert neon.startswith(generic.rstrip("\n"))
    section = neon.split("## Neon", 1)[1]
    for what in ("prepare_threshold=None", "DATABASE_URL_UNPOOLED", "pg_dump", "advisory",
                 "neon branches create", "--schema-only", "alembic upgrade head",
                 "schema-diff", "main"):
        assert what in section, what


def test_env_py_lists_design_namespaces() -> None:
    text = render_env(package="shop", schemas=["hr", "sales"])
    assert 'SCHEMAS: frozenset[str] = frozenset({"hr", "sales"})' in text
    assert "from shop.models import Base" in text
    assert '"compare_type": True' in text and '"compare_server_default": True' in text
    assert "class _DesignAwareImpl(PostgresqlImpl)" in text  # nextval and SERIAL aware
    compile(text, "env.py", "exec")
    compile(render_env(package="shop", schemas=[], domain_defaults=True), "env.py", "exec")
