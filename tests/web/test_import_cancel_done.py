"""Cancel pressed as the import finishes leads on, as the job's page would.

Found importing musicbrainz as a stranger: the create job finished between the last poll and
the click on Cancel; the cancel view then answered through the job page's view, which takes
GET only: 405 Method Not Allowed for the POST (htmx: an error instead of the project)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from modeler.web.models import PendingImport
from tests.web.test_import_jobs import make_job

HTMX_JOB = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "import-job"}


@pytest.mark.django_db
def test_cancel_of_a_finished_job_leads_to_its_result(client: Client, user: Any) -> None:
    client.force_login(user)
    pending = PendingImport.objects.create(user=user, name="Big", slug="big", source="x",
                                           schema_json="{}")
    job = make_job(user, status="done", pending=pending)
    url = reverse("import_job_cancel", args=[job.pk])
    answer = client.post(url, **HTMX_JOB)  # the page's Cancel button (htmx)
    assert answer.status_code == 200
    body = answer.content.decode()
    assert 'data-status="done"' in body
    assert f'data-redirect="{reverse("import_preview", args=[pending.pk])}"' in body
    plain = client.post(url)  # without JavaScript
    assert plain.status_code == 302 and plain.url == reverse("import_preview", args=[pending.pk])
    job.refresh_from_db()
    assert job.status == "done"
