"""The tests' task backend: Django's immediate backend (a task runs inside the request that
enqueues it, in the test's transaction), or, when a test sets
``settings.MODELER_IMPORT_INLINE = False`` (real threads, ``django_db(transaction=True)``),
each task on a thread of its own, as a worker would run it beside the request. The tests
that are about the workers themselves run real ``db_worker``/``rqworker`` processes
(tests/web/test_task_workers.py)."""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings
from django.db import connections
from django.utils import timezone
from django_tasks.backends.immediate import ImmediateBackend
from django_tasks.base import Task, TaskResult, TaskResultStatus
from django_tasks.utils import get_random_id

THREADS: list[threading.Thread] = []


class TestTaskBackend(ImmediateBackend):
    def enqueue(self, task: Task[Any, Any], args: Any, kwargs: Any) -> TaskResult[Any]:
        if getattr(settings, "MODELER_IMPORT_INLINE", True):
            return super().enqueue(task, args, kwargs)
        self.validate_task(task)
        result: TaskResult[Any] = TaskResult(
            task=task, id=get_random_id(), status=TaskResultStatus.READY,
            enqueued_at=timezone.now(), started_at=None, last_attempted_at=None,
            finished_at=None, args=args, kwargs=kwargs, backend=self.alias, errors=[],
            worker_ids=[])

        def run() -> None:
            try:
                self._execute_task(result)
            finally:
                connections.close_all()

        thread = threading.Thread(target=run, daemon=True, name=f"task-{result.id}")
        THREADS.append(thread)
        thread.start()
        return result


def join_all(seconds: float = 15) -> None:
    """Wait for the tasks started on threads (a test's leftovers)."""
    while THREADS:
        THREADS.pop().join(seconds)
