"""The preview of an import already confirmed (the browser's Back button after creating
the project, or the form sent again): it says what happened with a link to the project,
never a bare 404, and creates nothing twice."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from modeler.web.models import PendingImport, Project

pytestmark = pytest.mark.django_db

DBML = "Table author {\n  id int [pk]\n  name text\n}\n"


def test_a_used_preview_says_which_project_it_created(client: Client, user: Any,
                                                      other_user: Any) -> None:
    client.force_login(user)
    started = client.post(reverse("import_start"), {"name": "Books", "slug": "books",
                                                    "format": "dbml", "text": DBML})
    assert started.status_code == 302
    pending = PendingImport.objects.get()
    preview = reverse("import_preview", args=[pending.pk])
    assert started.url == preview
    created = client.post(reverse("import_confirm", args=[pending.pk]))
    editor = reverse("editor", kwargs={"slug": "books"})
    assert created.status_code == 302 and created.url == editor
    back = client.get(preview)  # the Back button
    assert back.status_code == 200
    page = back.content.decode()
    assert "This import was used already" in page
    assert f'href="{editor}" id="import-used-project"' in page
    again = client.post(reverse("import_confirm", args=[pending.pk]))  # sent again
    assert again.status_code == 200 and "This import was used already" in again.content.decode()
    assert Project.objects.filter(slug="books").count() == 1
    # another user (or another browser) learns nothing of it, on a page that says why
    client.force_login(other_user)
    for answer in (client.get(preview), client.post(reverse("import_confirm",
                                                            args=[pending.pk]))):
        assert answer.status_code == 404
        assert "This import preview is not here any more" in answer.content.decode()
        assert "books" not in answer.content.decode()
    client.logout()  # login first, as on every view
    assert client.get(preview).status_code == 302


def test_a_preview_whose_project_is_still_being_created_leads_to_its_job(
        client: Client, user: Any) -> None:
    from django.utils import timezone

    from modeler.web.models import ImportJob

    client.force_login(user)
    client.post(reverse("import_start"), {"name": "Books", "slug": "books",
                                          "format": "dbml", "text": DBML})
    pending = PendingImport.objects.get()
    # confirmed in this session, its create job still running (a large design), the
    # preview gone as its job's success deletes it
    job = ImportJob.objects.create(user=user, kind="create", status="running", name="Books",
                                   slug="books", source="dbml: pasted",
                                   heartbeat_at=timezone.now(), started_at=timezone.now())
    session = client.session
    session["imports_confirmed"] = {str(pending.pk): job.pk}
    session.save()
    preview = reverse("import_preview", args=[pending.pk])
    pending.delete()
    back = client.get(preview)
    assert back.status_code == 302 and back.url == reverse("import_job", args=[job.pk])
    # failed (its worker died): the preview is gone, said so, a 404
    ImportJob.objects.filter(pk=job.pk).update(status="failed")
    gone = client.get(preview)
    assert gone.status_code == 404
    assert "This import preview is not here any more" in gone.content.decode()
    assert not Project.objects.exists()
