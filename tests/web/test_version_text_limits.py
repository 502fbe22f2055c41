"""A version's message and notes have a size limit, as the merge form's have.

Found posting odd input as a stranger: "Save version" took a 100,000-character message and
notes (the merge form stops at 500 characters); the message is the revision's docstring and
DESIGN.md's heading. The version gate now refuses a message over 500 characters and notes over
5,000 (web, command line and merge alike), saying so, and saves nothing."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from modeler.web.models import Version
from tests.web.test_versions import project  # noqa: F401  (fixture)


def test_long_message_and_notes_are_refused(client: Client, user: Any,
                                             project: Any) -> None:  # noqa: F811
    client.force_login(user)
    url = reverse("version_save", args=["shop"])
    long = client.post(url, {"message": "x" * 501})
    assert long.status_code == 422
    assert "Message: at most 500 characters (this one has 501)" in long.content.decode()
    notes = client.post(url, {"message": "First cut of the shop", "notes": "n" * 5001})
    assert notes.status_code == 422
    assert "Notes: at most 5,000 characters (these have 5,001)" in notes.content.decode()
    assert 'maxlength="500"' in notes.content.decode()
    assert not Version.objects.exists()
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("save_version", "shop", "-m", "y" * 600, stdout=StringIO(), stderr=err)
    assert "at most 500 characters" in err.getvalue() and not Version.objects.exists()
    ok = client.post(url, {"message": "m" * 500, "notes": "n" * 5000})
    assert ok.status_code == 302 and Version.objects.get().notes == "n" * 5000
