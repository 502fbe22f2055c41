"""``/healthz``: is this process able to serve? For load balancers and container health
checks: no login, no session, no secret in the answer.

Checks the database (a query), the cache (a value written and read back) and the task
queue (the database backend's task table, or Redis for RQ). 200 with ``{"status": "ok"}``
and each check's ``"ok"`` when all pass, else 503 with the failing checks as
``"unavailable"`` (the reason goes to the server log only: error texts can name hosts and
users).
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

from django.core.cache import cache
from django.db import connections
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

log = logging.getLogger(__name__)


def _database() -> None:
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        if cursor.fetchone() != (1,):
            raise RuntimeError("SELECT 1 did not answer 1")


def _cache() -> None:
    key, value = f"healthz:{secrets.token_hex(8)}", secrets.token_hex(8)
    cache.set(key, value, 10)
    try:
        if cache.get(key) != value:
            raise RuntimeError("the cache did not return what was written")
    finally:
        cache.delete(key)


def _queue() -> None:
    from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends

    backend = type(task_backends[DEFAULT_TASK_BACKEND_ALIAS]).__module__
    if backend.startswith("django_tasks_db"):
        from django_tasks_db.models import DBTaskResult

        DBTaskResult.objects.only("pk").first()  # the table answers
    elif backend.startswith("django_tasks_rq"):
        import django_rq

        if not django_rq.get_connection("default").ping():
            raise RuntimeError("Redis did not answer PING")
    # the immediate backend runs tasks in the request: nothing to reach


CHECKS: dict[str, Callable[[], None]] = {"database": _database, "cache": _cache,
                                          "queue": _queue}


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    results: dict[str, str] = {}
    for name, check in CHECKS.items():
        try:
            check()
        except Exception:
            log.exception("health check %s failed", name)
            results[name] = "unavailable"
        else:
            results[name] = "ok"
    ok = all(v == "ok" for v in results.values())
    return JsonResponse({"status": "ok" if ok else "unavailable", "checks": results},
                        status=200 if ok else 503)
