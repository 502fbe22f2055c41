"""The production recipe (issue #18): ``/healthz`` answers 200 or 503 with JSON and no
secret, without login, for the database, the cache and the task queue (the database
backend's table, or Redis for RQ); ``manage.py check --deploy`` is clean with production
settings (DEBUG off, a real SECRET_KEY, ALLOWED_HOSTS, behind HTTPS) on each task backend;
the compose file's services and the Dockerfile's non-root user are where the README says."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.db import DatabaseError
from django.test import Client

from modeler.web import health

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_healthz_answers_without_login(client: Client, settings: Any) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default"]}}
    response = client.get("/healthz")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {
        "status": "ok", "checks": {"database": "ok", "cache": "ok", "queue": "ok"}}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert client.post("/healthz").status_code == 405
    assert client.head("/healthz").status_code == 200


@pytest.mark.django_db
def test_healthz_answers_over_plain_http_behind_https(client: Client, settings: Any) -> None:
    """Health checks come from inside the network, without the proxy's HTTPS: /healthz is
    exempt from the redirect every other page gets."""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/login/").status_code == 301
    assert client.get("/healthz").status_code == 200


@pytest.mark.django_db
def test_healthz_is_503_and_says_which_check_failed_but_not_why(
        client: Client, monkeypatch: pytest.MonkeyPatch, caplog: Any) -> None:
    secret = "password=hunter2 host=db.internal"

    def broken() -> None:
        raise DatabaseError(f"could not connect: {secret}")

    monkeypatch.setitem(health.CHECKS, "database", broken)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body == {"status": "unavailable",
                    "checks": {"database": "unavailable", "cache": "ok", "queue": "ok"}}
    assert b"hunter2" not in response.content and b"internal" not in response.content
    assert any("health check database failed" in r.getMessage() for r in caplog.records)


@pytest.mark.django_db
def test_healthz_checks_redis_for_the_rq_queue(client: Client, settings: Any) -> None:
    """RQ on a Redis that does not answer (a closed port): the queue is unavailable."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend",
                                  "QUEUES": ["default"]}}
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:9/0", "SOCKET_TIMEOUT": 1,
                                      "SOCKET_CONNECT_TIMEOUT": 1}}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"]["queue"] == "unavailable"
    try:
        import redis

        redis.Redis.from_url("redis://127.0.0.1:6379/13", socket_connect_timeout=2).ping()
    except Exception:
        return  # no local Redis: the positive half is not checked here
    settings.RQ_QUEUES = {"default": {"URL": "redis://127.0.0.1:6379/13"}}
    response = client.get("/healthz")
    assert response.status_code == 200, response.content
    assert json.loads(response.content)["checks"]["queue"] == "ok"


PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "ALLOWED_HOSTS": "modeler.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://modeler.example.com",
    "BEHIND_HTTPS": "1",
    "DATABASE_URL": "postgresql://modeler:secret@127.0.0.1:6432/modeler",
    "CACHE_URL": "redis://127.0.0.1:6379/1",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


@pytest.mark.parametrize("backend", ["database", "rq"])
def test_check_deploy_is_clean_with_production_settings(backend: str) -> None:
    # only what a production container has (not the test run's DJANGO_ALLOW_ASYNC_UNSAFE...)
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    env.update(PRODUCTION, MODELER_TASKS_BACKEND=backend)
    run = subprocess.run([sys.executable, "manage.py", "check", "--deploy",
                          "--fail-level", "WARNING"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "System check identified no issues (0 silenced)." in run.stdout
    # the same settings without HTTPS are not production: the check says so
    env["BEHIND_HTTPS"] = "0"
    insecure = subprocess.run([sys.executable, "manage.py", "check", "--deploy"], cwd=ROOT,
                              env=env, capture_output=True, text=True, timeout=120)
    assert "security.W004" in insecure.stderr + insecure.stdout  # no HSTS


def test_the_recipe_runs_as_a_non_root_user_with_every_service() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    users = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    compose = (ROOT / "docker-compose.yml").read_text()
    for service in ("web:", "worker:", "postgres:", "pgbouncer:", "redis:"):
        assert f"\n  {service}" in compose, service
    assert "pool_mode = transaction" in (ROOT / "deploy/pgbouncer/entrypoint.sh").read_text()
    assert "@pgbouncer:6432/" in compose and 'DB_PGBOUNCER: "1"' in compose
    assert "MODELER_TASKS_BACKEND: rq" in compose and "/healthz" in compose


@pytest.mark.parametrize(("cache_url", "engine"), [
    ("redis://127.0.0.1:6379/1", "django.contrib.sessions.backends.cached_db"),
    ("", "django.contrib.sessions.backends.db"),
])
def test_sessions_read_from_a_shared_cache_only(cache_url: str, engine: str) -> None:
    """Behind Redis a request's session is read from it (a Redis round trip, not one to the
    database through PgBouncer) and written through to the database; with the per-process
    memory cache, from the database (one process's sign-out must end the session in all)."""
    env = {k: os.environ[k] for k in ("PATH", "HOME", "LANG") if k in os.environ}
    env.update(PRODUCTION, CACHE_URL=cache_url, DJANGO_SETTINGS_MODULE="modeler.settings")
    run = subprocess.run([sys.executable, "-c", "from django.conf import settings; "
                          "print(settings.SESSION_ENGINE, settings.CACHES['default']"
                          "['BACKEND'])"], cwd=ROOT, env=env, capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr
    session, cache = run.stdout.split()
    assert session == engine
    assert cache.endswith("RedisCache" if cache_url else "LocMemCache")
