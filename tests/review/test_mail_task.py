"""Notification e-mails are a background task (issue #18): the request that posts a review
comment only queues them (a row of the database backend's task table, its subject already
one line: a newline in the comment cannot fail the request), and the worker sends them."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from tests.web.test_odd_input import make_shop, proposal_url


@pytest.mark.django_db(transaction=True)
def test_a_comment_queues_its_mails_and_the_worker_sends_them(
        django_user_model: Any, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    shop = make_shop(django_user_model)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend",
                                  "QUEUES": ["default"]}}
    DBTaskResult.objects.all().delete()
    mail.outbox.clear()
    text = "Rename it\r\nBcc: everyone@example.com\nplease"
    response = shop.client("reviewer").post(proposal_url(shop, "thread_create"),
                                            {"anchor": "proposal", "body": text})
    assert response.status_code == 302
    assert not mail.outbox  # not sent inside the request
    task = DBTaskResult.objects.get()
    assert task.task_path == "modeler.web.tasks.send_notification_mails"
    assert task.status == "READY"
    ids, subject = task.args_kwargs["args"]
    assert ids and "\n" not in subject and "\r" not in subject and "Rename it Bcc:" in subject
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL"
    assert mail.outbox and all(m.subject == subject for m in mail.outbox)
    assert {m.to[0] for m in mail.outbox} == {"owner@example.com"}
